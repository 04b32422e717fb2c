using System.Globalization;
using System.Reflection;

namespace OpenCxo.Core.Text;

/// <summary>
/// Words, phrases and stems with a valence on VADER's scale (−4 … +4). Words are kept folded (lower case, no accents),
/// phrases by their first word, stems (<c>estafa*</c>) by their prefix. Read-only after construction, so one instance
/// serves every thread.
/// </summary>
public sealed class SentimentLexicon
{
    private const int MinStem = 4;

    private readonly Dictionary<string, float> _words = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(string[] Following, float Valence)>> _phrases = new(StringComparer.Ordinal);
    private readonly Dictionary<string, float> _stems = new(StringComparer.Ordinal);
    private readonly Dictionary<string, float>.AlternateLookup<ReadOnlySpan<char>> _stemLookup;
    private int _longestStem;

    /// <param name="lines">Lines of <c>term TAB valence</c>; a header line starting with <c>term</c>, blank lines and <c>#</c> comments are skipped. A term listed twice takes its later valence.</param>
    public SentimentLexicon(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var number = 0;
        foreach (var line in lines)
        {
            number++;
            if (line.Length == 0 || line[0] == '#' || line.StartsWith("term\t", StringComparison.Ordinal))
            {
                continue;
            }

            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            var end = tab < 0 ? -1 : line.IndexOf('\t', tab + 1);
            if (tab <= 0 || !float.TryParse(line.AsSpan(tab + 1, (end < 0 ? line.Length : end) - tab - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var valence))
            {
                throw new FormatException($"line {number}: expected 'term<TAB>valence', got '{line}'");
            }

            Add(line[..tab], valence);
        }

        _stemLookup = _stems.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Reads a lexicon shipped inside this assembly (Text/Data/NAME).</summary>
    public static SentimentLexicon Embedded(string name) => new(EmbeddedLines(name));

    internal static IEnumerable<string> EmbeddedLines(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("OpenCxo.Core.Text.Data." + name)
            ?? throw new InvalidOperationException($"The text data file {name} is not embedded in OpenCxo.Core.");
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }

    /// <summary>The valence of one folded word or emoji, trying a stem when the word itself is not listed; 0 when unknown.</summary>
    public float Word(string folded)
    {
        if (_words.TryGetValue(folded, out var valence))
        {
            return valence;
        }

        for (var length = Math.Min(folded.Length, _longestStem); length >= MinStem; length--)
        {
            if (_stemLookup.TryGetValue(folded.AsSpan(0, length), out valence))
            {
                return valence;
            }
        }

        return 0;
    }

    /// <summary>
    /// The longest phrase starting at <paramref name="at"/> within one sentence: how many tokens it covers and its
    /// valence; (0, 0) when none starts there.
    /// </summary>
    public (int Tokens, float Valence) Phrase(IReadOnlyList<TextToken> tokens, int at)
    {
        if (!_phrases.TryGetValue(tokens[at].Folded, out var candidates))
        {
            return (0, 0);
        }

        var best = (Tokens: 0, Valence: 0f);
        foreach (var (following, valence) in candidates)
        {
            if (following.Length + 1 > best.Tokens && Matches(tokens, at, following))
            {
                best = (following.Length + 1, valence);
            }
        }

        return best;
    }

    private static bool Matches(IReadOnlyList<TextToken> tokens, int at, string[] rest)
    {
        if (at + rest.Length >= tokens.Count)
        {
            return false;
        }

        for (var k = 0; k < rest.Length; k++)
        {
            var token = tokens[at + 1 + k];
            if (token.Sentence != tokens[at].Sentence || !string.Equals(token.Folded, rest[k], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private void Add(string term, float valence)
    {
        var words = term.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0 || valence == 0)
        {
            return;
        }

        if (words.Length > 1)
        {
            var folded = words.Select(w => TextTokens.Fold(w)).ToArray();
            if (!_phrases.TryGetValue(folded[0], out var list))
            {
                _phrases[folded[0]] = list = [];
            }

            list.Add((folded[1..], valence));
            return;
        }

        var word = words[0];
        if (word.Length > MinStem && word[^1] == '*')
        {
            var stem = TextTokens.Fold(word.AsSpan(0, word.Length - 1));
            _stems[stem] = valence;
            _longestStem = Math.Max(_longestStem, stem.Length);
            return;
        }

        // Emoticons are kept as written (lower case): folding would not change them, and ":D" is ":d" in the tokens.
        _words[TextTokens.Fold(word)] = valence;
    }
}
