using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using OpenCxo.Core.Feedback;
using OpenCxo.Core.Ingest;

namespace OpenCxo.Core.Text;

/// <summary>Terms in the two languages the product reads. See <see cref="TextTaxonomy"/> for their syntax.</summary>
public sealed record TermSet(IReadOnlyList<string> En, IReadOnlyList<string> Es)
{
    public IEnumerable<string> All => En.Concat(Es);
}

/// <summary>A theme ("billing") or a flag ("churn_intent"): its key, names, what it covers, and the terms that find it.</summary>
public sealed record TaxonomyEntry(string Key, LocalizedText Name, TermSet Terms, LocalizedText? Description = null);

/// <summary>
/// The themes and flags the analyser finds. A term is 1–5 words matched as consecutive words of one sentence, case
/// and accents ignored, punctuation splitting or dropping words as in the text ("24/7" is "24" then "7", "&" is no
/// word); a word ending
/// in <c>*</c> matches any word starting with it (at least four letters before the star); a lone <c>?</c> matches any
/// one word. The product ships <see cref="Default"/>; a workspace may edit its own.
/// </summary>
public sealed partial record TextTaxonomy(int Version, IReadOnlyList<TaxonomyEntry> Themes, IReadOnlyList<TaxonomyEntry> Flags)
{
    public const int MaxEntries = 100;
    public const int MaxTermsPerEntry = 400;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    /// <summary>The taxonomy that ships with OpenCXO (Text/Data/taxonomy.json, the project's own).</summary>
    public static TextTaxonomy Default { get; } = Parse(string.Join('\n', SentimentLexicon.EmbeddedLines("taxonomy.json")));

    [GeneratedRegex(@"^[a-z][a-z0-9_]{1,39}$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();

    /// <summary>Reads a taxonomy; throws <see cref="FormatException"/> naming the first fault (shape or rule).</summary>
    public static TextTaxonomy Parse(string json)
    {
        TextTaxonomy? taxonomy;
        try
        {
            taxonomy = JsonSerializer.Deserialize<TextTaxonomy>(json, Json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{e.Path ?? "$"}: {e.Message}", e);
        }

        if (taxonomy is null)
        {
            throw new FormatException("$: a taxonomy is a JSON object with version, themes and flags");
        }

        if (taxonomy.Check() is { Count: > 0 } errors)
        {
            throw new FormatException(string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")));
        }

        return taxonomy;
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Every rule a taxonomy breaks, each named by its field (<c>themes[2].terms.es[4]</c>).</summary>
    public List<FieldError> Check()
    {
        var errors = new List<FieldError>();
        CheckEntries(Themes, "themes", errors);
        CheckEntries(Flags, "flags", errors);
        return errors;
    }

    /// <summary>Why a term cannot be used, or null when it can.</summary>
    public static string? TermProblem(string term)
    {
        if (string.IsNullOrWhiteSpace(term) || term != term.Trim())
        {
            return "is empty or has spaces around it";
        }

        var words = term.Split(' ');
        if (words.Length > 5 || words.Any(w => w.Length == 0))
        {
            return "is 1–5 words separated by single spaces";
        }

        if (words[0] == "?")
        {
            return "cannot start with ?";
        }

        foreach (var word in words)
        {
            var star = word.IndexOf('*', StringComparison.Ordinal);
            if (star >= 0 && (star != word.Length - 1 || star < 4))
            {
                return $"'{word}': * goes at the end of a word, after at least four letters";
            }

            if (star >= 0 && TextTokens.Split(word[..^1]).Tokens.Count == 0)
            {
                return $"'{word}': a stem needs letters or digits";
            }
        }

        // Punctuation is not a word in the text either: "terms & conditions" is matched as "terms conditions".
        var matchable = words.Where(w => w == "?" || TextTokens.Split(w.TrimEnd('*')).Tokens.Count > 0).ToList();
        return matchable.Count == 0 || matchable[0] == "?" ? "has no letters, digits or emoji to match before any ?" : null;
    }

    private static void CheckEntries(IReadOnlyList<TaxonomyEntry>? entries, string at, List<FieldError> errors)
    {
        if (entries is null || entries.Count > MaxEntries)
        {
            errors.Add(new FieldError(at, $"lists 0 to {MaxEntries} entries"));
            return;
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var here = $"{at}[{i}]";
            if (entry?.Key is null || !KeyPattern().IsMatch(entry.Key))
            {
                errors.Add(new FieldError($"{here}.key", "must be 2–40 characters of a-z, 0-9 and _, starting with a letter"));
            }
            else if (!keys.Add(entry.Key))
            {
                errors.Add(new FieldError($"{here}.key", $"'{entry.Key}' is used by an earlier entry"));
            }

            if (entry?.Name is null || string.IsNullOrWhiteSpace(entry.Name.En) || string.IsNullOrWhiteSpace(entry.Name.Es))
            {
                errors.Add(new FieldError($"{here}.name", "is required in English (en) and Spanish (es)"));
            }

            if (entry?.Terms is null)
            {
                errors.Add(new FieldError($"{here}.terms", "is required: { \"en\": [...], \"es\": [...] }"));
                continue;
            }

            foreach (var (language, terms) in new[] { ("en", entry.Terms.En), ("es", entry.Terms.Es) })
            {
                if (terms is null || terms.Count > MaxTermsPerEntry)
                {
                    errors.Add(new FieldError($"{here}.terms.{language}", $"lists 0 to {MaxTermsPerEntry} terms"));
                    continue;
                }

                for (var t = 0; t < terms.Count; t++)
                {
                    if (TermProblem(terms[t]) is { } problem)
                    {
                        errors.Add(new FieldError($"{here}.terms.{language}[{t}]", problem));
                    }
                }
            }
        }
    }
}
