namespace OpenCxo.Core.Text;

/// <summary>
/// What a language's grammar does to sentiment: words that negate, words that intensify or dampen, and words that
/// turn a sentence ("but": what follows weighs more). English follows VADER (Hutto &amp; Gilbert 2014, and the
/// vaderSentiment code, MIT); Spanish is the project's own, with its negative concord ("no está nada mal" is one
/// negation, not two) and "poco" that negates a positive word ("poco útil").
/// </summary>
public sealed class LanguageRules
{
    /// <summary>VADER's booster step: an intensifier adds it to the magnitude, a dampener takes it away.</summary>
    public const float BoosterStep = 0.293f;

    /// <summary>VADER's negation factor: a negated word keeps 74 % of its valence with the opposite sign.</summary>
    public const float NegationFactor = -0.74f;

    /// <summary>VADER's emphasis for a sentiment word in capitals when the rest of the text is not.</summary>
    public const float CapsStep = 0.733f;

    public required string Language { get; init; }

    public required SentimentLexicon Lexicon { get; init; }

    public required IReadOnlySet<string> Negators { get; init; }

    /// <summary>Folded words (or "kind of"-style phrases, space-separated) and their booster step, signed.</summary>
    public required IReadOnlyDictionary<string, float> Boosters { get; init; }

    /// <summary>Words after which a sentence turns: the part before weighs half, the part after one and a half.</summary>
    public required IReadOnlySet<string> Turns { get; init; }

    /// <summary>How many words before a sentiment word a negator reaches (VADER: 3; Spanish clitics need 4: "no me lo han arreglado").</summary>
    public int NegationReach { get; init; } = 3;

    /// <summary>A negator and "nada", "nunca" after it in the same reach are one negation (Spanish negative concord).</summary>
    public bool NegativeConcord { get; init; }

    /// <summary>Negation and boosters do not reach across a comma (VADER's English rules do, and are kept as published).</summary>
    public bool StopAtCommas { get; init; }

    /// <summary>Frequent words of the language, for telling languages apart.</summary>
    public required IReadOnlySet<string> CommonWords { get; init; }

    /// <summary>
    /// What a customer expects a company to do ("works", "answer", "llegó", "arreglado"): neutral when said, a
    /// complaint when denied ("doesn't work", "nobody answers", "nunca llegó", "sin terminar"). Words or stems (<c>*</c>).
    /// </summary>
    public required IReadOnlySet<string> Expectations { get; init; }

    /// <summary>Words that deny an expectation without being negators of sentiment ("stopped working", "dejó de funcionar").</summary>
    public required IReadOnlySet<string> Deniers { get; init; }

    /// <summary>The valence of a denied expectation: a plain complaint, about "bad" in VADER's lexicon (−2.5) less the negation's loss.</summary>
    public const float DeniedExpectation = -1.6f;

    public bool IsExpectation(string folded)
    {
        if (Expectations.Contains(folded))
        {
            return true;
        }

        for (var length = Math.Min(folded.Length - 1, 12); length >= 4; length--)
        {
            if (Expectations.Contains(string.Concat(folded.AsSpan(0, length), "*")))
            {
                return true;
            }
        }

        return false;
    }

    public static LanguageRules English(SentimentLexicon lexicon) => new()
    {
        Language = "en",
        Lexicon = lexicon,
        Negators = Set(
            "aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt", "ain't", "aren't", "can't", "couldn't",
            "daren't", "didn't", "doesn't", "dont", "hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt", "neither", "don't",
            "hadn't", "hasn't", "haven't", "isn't", "mightn't", "mustn't", "neednt", "needn't", "never", "none", "nope", "nor",
            "not", "nothing", "nowhere", "oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent", "oughtn't", "shan't",
            "shouldn't", "uh-uh", "wasn't", "weren't", "without", "wont", "wouldnt", "won't", "wouldn't", "rarely", "seldom",
            "despite", "nobody", "noone", "no-one"),
        Boosters = BoosterSteps(
            ["absolutely", "amazingly", "awfully", "completely", "considerable", "considerably", "decidedly", "deeply", "effing",
             "enormous", "enormously", "entirely", "especially", "exceptional", "exceptionally", "extreme", "extremely",
             "fabulously", "flipping", "flippin", "frackin", "fracking", "fricking", "frickin", "frigging", "friggin", "fully",
             "fuckin", "fucking", "fuggin", "fugging", "greatly", "hella", "highly", "hugely", "incredible", "incredibly",
             "intensely", "major", "majorly", "more", "most", "particularly", "purely", "quite", "really", "remarkably", "so",
             "substantially", "thoroughly", "total", "totally", "tremendous", "tremendously", "uber", "unbelievably",
             "unusually", "utter", "utterly", "very"],
            ["almost", "barely", "hardly", "just enough", "kind of", "kinda", "kindof", "kind-of", "less", "little",
             "marginal", "marginally", "occasional", "occasionally", "partly", "scarce", "scarcely", "slight", "slightly",
             "somewhat", "sort of", "sorta", "sortof", "sort-of"]),
        Turns = Set("but"),
        Expectations = Set(
            "work", "works", "worked", "working", "answer*", "respond*", "response", "reply", "replied", "replies", "call", "calls",
            "called", "arrive*", "came", "come", "showed", "fix", "fixed", "fixes", "resolve*", "solve*", "refund*", "deliver*",
            "connect*", "load", "loads", "loaded", "explain*", "inform", "informed", "notif*", "told", "tell", "listen*", "return*",
            "install*", "show", "shows", "turned", "picked", "acknowledg*", "contact*", "follow", "followed", "processed", "honor*",
            "honour*", "sync*", "update", "updated", "open", "opens", "charge", "charges", "last", "lasts", "lasted", "buy",
            "recogni*", "read", "reads", "play", "plays", "start", "starts", "started", "turn", "turns"),
        Deniers = Set("barely", "hardly", "stopped", "stops", "failed", "fails", "refused", "refuses", "unable", "quit", "quits"),
        CommonWords = Set(
            "the", "and", "is", "it", "to", "of", "i", "you", "that", "was", "for", "my", "with", "this", "have", "not", "are",
            "they", "be", "at", "your", "we", "but", "on", "me", "so", "had", "no", "very", "just", "can", "will", "would",
            "what", "all", "there", "has", "been", "from", "their", "an", "or", "if", "about", "when", "get", "got", "our",
            "don't", "didn't", "it's", "i'm", "can't", "again", "still", "after", "because", "thanks", "please", "service",
            "customer", "they're", "too", "did", "do", "were", "any", "out", "one", "now", "time", "how", "why", "who"),
    };

    public static LanguageRules Spanish(SentimentLexicon lexicon) => new()
    {
        Language = "es",
        Lexicon = lexicon,
        Negators = Set(
            "no", "nunca", "jamas", "ni", "tampoco", "sin", "nada", "nadie", "ningun", "ninguna", "ninguno", "ningunos",
            "ningunas", "apenas"),
        Boosters = BoosterSteps(
            ["muy", "super", "súper", "mega", "re", "requete", "bastante", "demasiado", "tan", "tanto", "tantisimo", "totalmente",
             "completamente", "absolutamente", "realmente", "increiblemente", "extremadamente", "sumamente", "enormemente",
             "especialmente", "altamente", "mucho", "muchisimo", "muchisima", "verdaderamente", "francamente", "terriblemente",
             "tremendamente", "profundamente", "excesivamente", "claramente", "extra", "ultra", "mas", "todavia mas",
             "de verdad", "de lo mas", "lo mas"],
            ["un poco", "un poquito", "algo", "ligeramente", "medio", "casi", "relativamente", "levemente", "poquito",
             "mas o menos", "un tanto", "un pelin", "un pelín"]),
        Turns = Set("pero", "sino", "sin embargo", "no obstante"),
        Expectations = Set(
            "funcion*", "contest*", "respond*", "respuesta", "llama", "llaman", "llamo", "llamó", "llamaron", "llamado", "llamar", "avis*",
            "inform*", "explic*", "solucion*", "arregl*", "resuelto", "resuelven", "resolvieron", "resolver", "llega", "llegan", "llegó",
            "llegaron", "llegado", "llegar", "llegue", "viene", "vienen", "vino", "vinieron", "venido", "venir", "vuelve", "vuelven",
            "volvio", "volvieron", "vuelto", "volver", "aparec*", "conect*", "coincid*", "cumpl*", "devolv*", "devuelv*", "devuelto",
            "reembols*", "atiend*", "atend*", "coge", "cogen", "cogió", "cogieron", "cogido", "termin*", "acabar*", "acabaron",
            "probar*", "probaron", "probado", "recog*", "tramit*", "activ*", "escuch*", "ayud*", "arranc*", "enciend*", "encend*",
            "sirve", "sirven", "sirvió", "instal*", "entreg*", "envi*", "recib*", "abre", "abren", "carga", "cargan", "sincroniz*",
            "detect*", "suena", "sonó", "sonar", "graba", "grabó", "salta", "saltó", "responde", "dura", "duró", "caso"),
        Deniers = Set("dejo", "deja", "dejan", "dejaron", "niegan", "nego", "negaron", "niega", "imposible"),
        NegationReach = 4,
        NegativeConcord = true,
        StopAtCommas = true,
        CommonWords = Set(
            "el", "la", "los", "las", "de", "que", "y", "en", "un", "una", "es", "por", "con", "para", "no", "se", "lo", "me",
            "mi", "al", "del", "muy", "pero", "ya", "porque", "esta", "estoy", "han", "he", "hay", "nos", "le", "les", "sus",
            "su", "como", "mas", "todo", "cuando", "tengo", "tienen", "desde", "sin", "son", "fue", "ha", "hace", "dias",
            "gracias", "hola", "servicio", "atencion", "cliente", "llevo", "ni", "nada", "tambien", "otra", "vez", "siempre",
            "nunca", "eso", "esto", "ese", "este", "estan", "estaba", "vuestro", "vuestra", "ustedes", "q", "xq", "pq", "tb",
            // Spanish words that are English lexicon words with another sense: "por favor" is no praise.
            "favor", "resolver", "pena"),
    };

    private static HashSet<string> Set(params string[] words) => new(words.Select(w => TextTokens.Fold(w)), StringComparer.Ordinal);

    private static Dictionary<string, float> BoosterSteps(string[] up, string[] down)
    {
        var boosters = new Dictionary<string, float>(StringComparer.Ordinal);
        foreach (var word in up)
        {
            boosters[string.Join(' ', word.Split(' ').Select(w => TextTokens.Fold(w)))] = BoosterStep;
        }

        foreach (var word in down)
        {
            boosters[string.Join(' ', word.Split(' ').Select(w => TextTokens.Fold(w)))] = -BoosterStep;
        }

        return boosters;
    }
}
