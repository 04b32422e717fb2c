using System.Globalization;
using System.Text;

namespace OpenCxo.Core.Text;

public enum TokenKind : byte
{
    /// <summary>Letters and digits (with inner apostrophes and hyphens: <c>don't</c>, <c>e-mail</c>).</summary>
    Word,

    /// <summary>An emoji or a text emoticon (<c>:)</c>, <c>:-(</c>, <c>&lt;3</c>).</summary>
    Emoji,
}

/// <summary>
/// One token of a text: where it is in the text, its folded form (lower case, accents off, letters repeated three or
/// more times reduced), whether it was written in capitals, and the sentence and clause it belongs to.
/// </summary>
public readonly record struct TextToken(int Start, int Length, string Folded, TokenKind Kind, bool Shouted, int Sentence)
{
    public bool IsWord => Kind == TokenKind.Word;
}

/// <summary>A sentence's punctuation: the emphasis a reader hears in "!!!" and "??".</summary>
public readonly record struct SentencePunctuation(int Exclamations, int Questions);

/// <summary>
/// Splits text into words, emoji and emoticons, and sentences, keeping each token's place in the text so matches can
/// be highlighted. Pure and allocation-light: the folded forms are the only strings made.
/// </summary>
public static class TextTokens
{
    /// <summary>Longest text analysed, in characters; longer input is cut here (a 100 KB ticket is read to this point).</summary>
    public const int MaxLength = 100_000;

    private static readonly string[] Emoticons =
    [
        ":-)", ":)", ":-(", ":(", ";-)", ";)", ":-d", ":d", ":-p", ":p", ":'(", ":-/", ":/", ":-|", ":|", ":o", ":-o",
        "=)", "=(", "<3", "</3", "xd", ":3", "^^", "^_^", ":*", ":-*", ">:(", ">:-(", ":-\\", ":\\", ";(", "d:",
        ":@", ":s", ":c", "-_-", "¬¬",
    ];

    /// <summary>Tokens and, per sentence, its punctuation emphasis.</summary>
    public static (List<TextToken> Tokens, List<SentencePunctuation> Sentences) Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<TextToken>(Math.Min(text.Length / 4 + 4, 4_096));
        var sentences = new List<SentencePunctuation>();
        var exclamations = 0;
        var questions = 0;
        var tokensInSentence = 0;
        var length = Math.Min(text.Length, MaxLength);
        var fold = new StringBuilder(32);
        var i = 0;
        while (i < length)
        {
            var c = text[i];
            if (IsWordChar(text, i, length))
            {
                var start = i;
                while (i < length && (IsWordChar(text, i, length) || IsInnerJoiner(text, i, length)))
                {
                    i++;
                }

                tokens.Add(MakeWord(text, start, i - start, sentences.Count, fold));
                tokensInSentence++;
                continue;
            }

            if (MatchEmoticon(text, i, length) is { } emoticon && !IsWordChar(text, i + emoticon.Length, length))
            {
                tokens.Add(new TextToken(i, emoticon.Length, emoticon, TokenKind.Emoji, false, sentences.Count));
                tokensInSentence++;
                i += emoticon.Length;
                continue;
            }

            if (EmojiLength(text, i, length) is > 0 and var emojiLength)
            {
                tokens.Add(new TextToken(i, emojiLength, BaseEmoji(text, i, emojiLength), TokenKind.Emoji, false, sentences.Count));
                tokensInSentence++;
                i += emojiLength;
                continue;
            }

            switch (c)
            {
                case '!' or '¡':
                    exclamations += c == '!' ? 1 : 0;
                    break;
                case '?':
                    questions++;
                    break;
            }

            // A sentence ends at . ! ? ; … or a line break, once it has a token (so "¡¡Genial!!" stays one sentence).
            if (c is '.' or '!' or '?' or ';' or '…' or '\n' or '\r' && tokensInSentence > 0 && !NextIsSameRun(text, i, length, c))
            {
                sentences.Add(new SentencePunctuation(exclamations, questions));
                exclamations = 0;
                questions = 0;
                tokensInSentence = 0;
            }

            i++;
        }

        if (tokensInSentence > 0 || sentences.Count == 0)
        {
            sentences.Add(new SentencePunctuation(exclamations, questions));
        }

        return (tokens, sentences);
    }

    /// <summary>Lower case, accents off (but ñ kept: "año" is not "ano"), runs of three or more equal letters cut to one.</summary>
    public static string Fold(ReadOnlySpan<char> word)
    {
        var fold = new StringBuilder(word.Length);
        AppendFolded(word, fold, longRunKeeps: 1);
        return fold.ToString();
    }

    /// <summary>The word with its long letter runs cut to two instead of one ("goood" → "good"), or null if it has none.</summary>
    public static string? FoldKeepingDoubles(ReadOnlySpan<char> word)
    {
        var fold = new StringBuilder(word.Length);
        if (!AppendFolded(word, fold, longRunKeeps: 2))
        {
            return null;
        }

        return fold.ToString();
    }

    private static TextToken MakeWord(string text, int start, int length, int sentence, StringBuilder fold)
    {
        var span = text.AsSpan(start, length);
        fold.Clear();
        AppendFolded(span, fold, longRunKeeps: 1);
        var letters = 0;
        var upper = 0;
        foreach (var ch in span)
        {
            if (char.IsLetter(ch))
            {
                letters++;
                upper += char.IsUpper(ch) ? 1 : 0;
            }
        }

        return new TextToken(start, length, fold.ToString(), TokenKind.Word, letters > 1 && upper == letters, sentence);
    }

    /// <summary>Appends the folded word; letter runs of three or more ("buenisimoooo", "fataaal") are emphasis and keep <paramref name="longRunKeeps"/> letters. Says whether there was such a run.</summary>
    private static bool AppendFolded(ReadOnlySpan<char> word, StringBuilder fold, int longRunKeeps)
    {
        var hadLongRun = false;
        var n = 0;
        while (n < word.Length)
        {
            var folded = FoldChar(word[n]);
            var run = 1;
            while (n + run < word.Length && FoldChar(word[n + run]) == folded)
            {
                run++;
            }

            if (folded != '\0')
            {
                var longRun = run >= 3 && char.IsLetter(folded);
                hadLongRun |= longRun;
                fold.Append(folded, longRun ? longRunKeeps : run);
            }

            n += run;
        }

        return hadLongRun;
    }

    /// <summary>Lower case without accents; ñ stays; joiners and marks vanish ('\0').</summary>
    internal static char FoldChar(char c)
    {
        if (c < 128)
        {
            return c is >= 'A' and <= 'Z' ? (char)(c + 32) : c;
        }

        switch (c)
        {
            case 'ñ' or 'Ñ':
                return 'ñ';
            case '’' or '‘' or 'ʼ':
                return '\'';
            case '\u200d' or '\ufe0f' or '\u00ad':
                return '\0';
        }

        var lower = char.ToLowerInvariant(c);
        if (lower is >= 'à' and <= 'ÿ')
        {
            return lower switch
            {
                'à' or 'á' or 'â' or 'ã' or 'ä' or 'å' => 'a',
                'è' or 'é' or 'ê' or 'ë' => 'e',
                'ì' or 'í' or 'î' or 'ï' => 'i',
                'ò' or 'ó' or 'ô' or 'õ' or 'ö' => 'o',
                'ù' or 'ú' or 'û' or 'ü' => 'u',
                'ç' => 'c',
                'ý' or 'ÿ' => 'y',
                _ => lower,
            };
        }

        return CharUnicodeInfo.GetUnicodeCategory(lower) == UnicodeCategory.NonSpacingMark ? '\0' : lower;
    }

    private static bool IsWordChar(string text, int i, int length) =>
        i < length && (char.IsLetterOrDigit(text[i]) || (text[i] is '_' && i > 0 && char.IsLetterOrDigit(text[i - 1])));

    /// <summary>An apostrophe or hyphen between two letters joins them into one word (don't, e-mail, wi-fi).</summary>
    private static bool IsInnerJoiner(string text, int i, int length) =>
        text[i] is '\'' or '’' or '-' && i + 1 < length && char.IsLetterOrDigit(text[i + 1]) && i > 0 && char.IsLetterOrDigit(text[i - 1]);

    private static bool NextIsSameRun(string text, int i, int length, char c) =>
        i + 1 < length && (text[i + 1] == c || (c is '!' or '?' && text[i + 1] is '!' or '?'));

    private static string? MatchEmoticon(string text, int i, int length)
    {
        var c = text[i];
        if (c is not (':' or ';' or '=' or '<' or 'x' or 'X' or '^' or '>' or 'd' or 'D' or '-' or '¬'))
        {
            return null;
        }

        // An emoticon stands alone: not glued to the letters before it ("ex:" is no emoticon).
        if (i > 0 && char.IsLetterOrDigit(text[i - 1]))
        {
            return null;
        }

        foreach (var emoticon in Emoticons)
        {
            if (i + emoticon.Length <= length && string.Compare(text, i, emoticon, 0, emoticon.Length, StringComparison.OrdinalIgnoreCase) == 0)
            {
                // "xd" and "d:" only as whole tokens: "xdxd" and "dime" are not emoticons.
                return emoticon;
            }
        }

        return null;
    }

    /// <summary>The length of an emoji at <paramref name="i"/> with its modifiers (skin tone, variation selector, joiners), or 0.</summary>
    private static int EmojiLength(string text, int i, int length)
    {
        if (!IsEmojiStart(text, i, length, out var first))
        {
            return 0;
        }

        var n = first;
        while (i + n < length)
        {
            var c = text[i + n];
            if (c is '\ufe0f' or '\u20e3')
            {
                n++;
            }
            else if (c == '\u200d' && IsEmojiStart(text, i + n + 1, length, out var joined))
            {
                n += 1 + joined;
            }
            else if (char.IsHighSurrogate(c) && i + n + 1 < length && char.ConvertToUtf32(c, text[i + n + 1]) is >= 0x1F3FB and <= 0x1F3FF)
            {
                n += 2;
            }
            else
            {
                break;
            }
        }

        return n;
    }

    private static bool IsEmojiStart(string text, int i, int length, out int size)
    {
        size = 0;
        if (i >= length)
        {
            return false;
        }

        var c = text[i];
        if (char.IsHighSurrogate(c) && i + 1 < length && char.IsLowSurrogate(text[i + 1]))
        {
            var code = char.ConvertToUtf32(c, text[i + 1]);
            if (code is >= 0x1F000 and <= 0x1FAFF)
            {
                size = 2;
                return true;
            }

            return false;
        }

        if (c is >= '\u2600' and <= '\u27BF' or '\u2B50' or '\u2B55' or '\u2764' or '\u2B06' or '\u2B07' or '\u2194' or '\u21A9' or '\u203C' or '\u2049')
        {
            size = 1;
            return true;
        }

        return false;
    }

    /// <summary>The emoji without skin tone, variation selector or joined parts, so one lexicon entry covers them all.</summary>
    private static string BaseEmoji(string text, int i, int length) =>
        char.IsHighSurrogate(text[i]) ? text.Substring(i, 2) : text.Substring(i, 1);
}
