namespace OpenCxo.Core.Text;

public enum SentimentLabel
{
    Negative,
    Neutral,
    Positive,
}

/// <summary>A sentiment score in −1 … 1 (VADER's compound) and its label (±0.05 thresholds, as VADER publishes).</summary>
public readonly record struct SentimentScore(double Score, SentimentLabel Label)
{
    public const double Threshold = 0.05;

    public static SentimentScore Of(double score) =>
        new(score, score >= Threshold ? SentimentLabel.Positive : score <= -Threshold ? SentimentLabel.Negative : SentimentLabel.Neutral);

    public static string Name(SentimentLabel label) => label switch
    {
        SentimentLabel.Negative => "negative",
        SentimentLabel.Positive => "positive",
        _ => "neutral",
    };
}

/// <summary>A span of the redacted text: what to highlight.</summary>
public readonly record struct TextSpan(int Start, int Length);

/// <summary>A theme found in a text, with the sentiment of the sentences that speak of it and where it was said.</summary>
public sealed record ThemeHit(string Key, SentimentScore Sentiment, IReadOnlyList<TextSpan> Matches);

/// <summary>A flag raised by a text (churn intent, legal threat, urgency, vulnerability) and the words that raised it.</summary>
public sealed record FlagHit(string Key, IReadOnlyList<TextSpan> Matches);

/// <summary>
/// Everything the analyser says of one text. <see cref="Redacted"/> is the text with personal data masked: what is
/// shown and exported, and what the spans point into; <see cref="Redactions"/> point into the original.
/// </summary>
public sealed record TextAnalysis(
    string Language,
    SentimentScore Sentiment,
    IReadOnlyList<ThemeHit> Themes,
    IReadOnlyList<FlagHit> Flags,
    string Redacted,
    IReadOnlyList<Redaction> Redactions)
{
    /// <summary>The text was cut to <see cref="TextTokens.MaxLength"/> characters before it was read.</summary>
    public bool Truncated { get; init; }
}

/// <summary>
/// The offline text analyser: language (es, en or other), sentiment with negation, intensifiers, turns, emoji and
/// emphasis, themes each with its own sentiment, flags, and redaction of personal data. Pure, thread-safe and built
/// once: the lexicons and the taxonomy's matchers are read at construction.
/// </summary>
public sealed class TextAnalyzer
{
    /// <summary>Bump when a change to lexicons, rules or taxonomy matching changes what stored analyses would say.</summary>
    public const int Version = 1;

    /// <summary>
    /// VADER's lexicon (Hutto &amp; Gilbert 2014, MIT) with the project's customer-service supplement (VADER's entries
    /// win where both list a word), and the project's Spanish lexicon.
    /// </summary>
    private static readonly Lazy<(LanguageRules English, LanguageRules Spanish)> Shipped = new(() => (
        LanguageRules.English(new SentimentLexicon(SentimentLexicon.EmbeddedLines("sentiment-en-cx.tsv").Concat(SentimentLexicon.EmbeddedLines("vader-lexicon-en.tsv")))),
        LanguageRules.Spanish(SentimentLexicon.Embedded("sentiment-es.tsv"))));

    private static readonly Lazy<TextAnalyzer> DefaultAnalyzer = new(() => new TextAnalyzer(TextTaxonomy.Default));

    /// <summary>Frequent words of languages OpenCXO does not analyse, so that French or Portuguese is called "other".</summary>
    private static readonly HashSet<string> OtherLanguages = new(
        [
            // French
            "le", "les", "est", "et", "je", "vous", "pas", "une", "avec", "pour", "tres", "mais", "c'est", "j'ai", "nous", "merci", "bonjour", "tout", "plus",
            // Portuguese
            "nao", "voce", "muito", "obrigado", "obrigada", "uma", "com", "mas", "isso", "tambem", "estou", "foi", "bom", "ate", "ja", "sao", "meu", "minha",
            // Italian
            "il", "che", "non", "sono", "della", "molto", "grazie", "questo", "anche", "ho", "gli", "perche", "ciao",
            // German
            "der", "die", "das", "und", "ist", "nicht", "ich", "sie", "mit", "ein", "eine", "auch", "sehr", "danke", "aber", "wir", "zu",
        ],
        StringComparer.Ordinal);

    private readonly TermMatcher _themes;
    private readonly TermMatcher _flags;

    public TextAnalyzer(TextTaxonomy taxonomy)
    {
        ArgumentNullException.ThrowIfNull(taxonomy);
        Taxonomy = taxonomy;
        _themes = new TermMatcher(taxonomy.Themes);
        _flags = new TermMatcher(taxonomy.Flags);
    }

    /// <summary>The analyser with the shipped taxonomy.</summary>
    public static TextAnalyzer Default => DefaultAnalyzer.Value;

    public TextTaxonomy Taxonomy { get; }

    public TextAnalysis Analyze(string? text)
    {
        text ??= "";
        var truncated = text.Length > TextTokens.MaxLength;
        if (truncated)
        {
            // Never cut a surrogate pair in two.
            text = text[..(char.IsHighSurrogate(text[TextTokens.MaxLength - 1]) ? TextTokens.MaxLength - 1 : TextTokens.MaxLength)];
        }

        var redactions = PiiRedactor.Find(text);
        var redacted = PiiRedactor.Mask(text, redactions);
        var (tokens, sentences) = TextTokens.Split(redacted);
        if (redactions.Count > 0)
        {
            // "[email]" is a mask, not the word "email": no theme, flag or sentiment comes from it.
            var masks = MaskSpans(redactions);
            tokens.RemoveAll(t => masks.Exists(m => t.Start >= m.Start && t.Start < m.Start + m.Length));
        }

        var (english, spanish) = Shipped.Value;
        var language = Detect(tokens, english, spanish);
        var (rules, fallback) = language == "en" ? (english, spanish) : (spanish, english);
        if (language == "other")
        {
            // Still read emoji and any English or Spanish words; English first, as the more common second language.
            (rules, fallback) = (english, spanish);
        }

        var valences = SentimentScorer.Valences(redacted, tokens, rules, fallback);
        var overall = SentimentScore.Of(SentimentScorer.Compound(valences.Sum(v => (double)v), sentences.Sum(s => s.Exclamations), sentences.Sum(s => s.Questions)));
        var themes = Themes(tokens, sentences, valences);
        var flags = Flags(redacted, tokens, rules, fallback);
        return new TextAnalysis(language, overall, themes, flags, redacted, redactions) { Truncated = truncated };
    }

    /// <summary>
    /// Spanish or English by their frequent words (and Spanish by ñ, ¿ and ¡); "other" when another language's frequent
    /// words win or when there are no words to go by and no lexicon word either.
    /// </summary>
    internal static string Detect(List<TextToken> tokens, LanguageRules english, LanguageRules spanish)
    {
        double en = 0, es = 0, other = 0;
        foreach (var token in tokens)
        {
            if (!token.IsWord)
            {
                continue;
            }

            var word = token.Folded;
            var inEnglish = english.CommonWords.Contains(word);
            var inSpanish = spanish.CommonWords.Contains(word);
            en += inEnglish ? 1 : 0;
            es += inSpanish ? 1 : 0;
            other += !inEnglish && !inSpanish && OtherLanguages.Contains(word) ? 1 : 0;
            if (word.Contains('ñ', StringComparison.Ordinal))
            {
                es += 1;
            }

            // Without frequent words ("Excelente servicio!!"), the lexicons are the next clue.
            if (!inEnglish && !inSpanish)
            {
                en += english.Lexicon.Word(word) != 0 ? 0.5 : 0;
                es += spanish.Lexicon.Word(word) != 0 ? 0.5 : 0;
            }
        }

        if (en == 0 && es == 0)
        {
            return "other";
        }

        if (other > Math.Max(en, es))
        {
            return "other";
        }

        return es >= en ? "es" : "en";
    }

    private List<ThemeHit> Themes(List<TextToken> tokens, List<SentencePunctuation> sentences, float[] valences)
    {
        var matches = _themes.Find(tokens);
        if (matches.Count == 0)
        {
            return [];
        }

        // A sentence's own sum, for the sentiment of each theme spoken of in it.
        var sentenceSums = new double[sentences.Count];
        for (var i = 0; i < tokens.Count; i++)
        {
            sentenceSums[tokens[i].Sentence] += valences[i];
        }

        var hits = new List<ThemeHit>();
        foreach (var group in matches.GroupBy(m => m.Entry).OrderBy(g => g.Min(m => m.First)))
        {
            var inSentences = group.Select(m => tokens[m.First].Sentence).Distinct().ToList();
            var sum = inSentences.Sum(s => sentenceSums[s]);
            var score = SentimentScorer.Compound(sum, inSentences.Sum(s => sentences[s].Exclamations), inSentences.Sum(s => sentences[s].Questions));
            hits.Add(new ThemeHit(Taxonomy.Themes[group.Key].Key, SentimentScore.Of(score), Spans(tokens, group)));
        }

        return hits;
    }

    /// <summary>
    /// A flag counts unless a negator stands just before its words ("I won't cancel", "no voy a darme de baja"); a
    /// condition is no denial ("si no lo arregláis me doy de baja", "if you don't fix it I'm cancelling").
    /// </summary>
    private List<FlagHit> Flags(string text, List<TextToken> tokens, LanguageRules rules, LanguageRules fallback)
    {
        var hits = new List<FlagHit>();
        var matches = _flags.Find(tokens);
        foreach (var group in matches.GroupBy(m => m.Entry).OrderBy(g => g.Min(m => m.First)))
        {
            var key = Taxonomy.Flags[group.Key].Key;
            var kept = group.Where(m => key == "vulnerability" || !NegatedBefore(text, tokens, m.First, rules, fallback)).ToList();
            if (kept.Count > 0)
            {
                hits.Add(new FlagHit(key, Spans(tokens, kept)));
            }
        }

        return hits;
    }

    private static bool NegatedBefore(string text, List<TextToken> tokens, int first, LanguageRules rules, LanguageRules fallback)
    {
        for (var j = first - 1; j >= Math.Max(0, first - 2) && tokens[j].Sentence == tokens[first].Sentence; j--)
        {
            if (text.AsSpan(tokens[j].Start + tokens[j].Length, tokens[j + 1].Start - tokens[j].Start - tokens[j].Length).IndexOfAny(",;:") >= 0)
            {
                return false;
            }

            var word = tokens[j].Folded;
            if (rules.Negators.Contains(word) || fallback.Negators.Contains(word) || word.EndsWith("n't", StringComparison.Ordinal) || word == "no")
            {
                var conditional = j > 0 && tokens[j - 1].Folded is "si" or "if" or "unless";
                return !conditional;
            }
        }

        return false;
    }

    /// <summary>Where each mask ("[kind]") stands in the redacted text.</summary>
    private static List<TextSpan> MaskSpans(List<Redaction> redactions)
    {
        var spans = new List<TextSpan>(redactions.Count);
        var shift = 0;
        foreach (var redaction in redactions)
        {
            var length = redaction.Kind.Length + 2;
            spans.Add(new TextSpan(redaction.Start + shift, length));
            shift += length - redaction.Length;
        }

        return spans;
    }

    private static List<TextSpan> Spans(List<TextToken> tokens, IEnumerable<TermMatch> matches) =>
        [.. matches.OrderBy(m => m.First).Select(m =>
        {
            var first = tokens[m.First];
            var last = tokens[m.First + m.Count - 1];
            return new TextSpan(first.Start, last.Start + last.Length - first.Start);
        })];
}
