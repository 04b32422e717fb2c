namespace OpenCxo.Core.Text;

/// <summary>Where a term of an entry was found: tokens [First, First + Count).</summary>
public readonly record struct TermMatch(int Entry, int First, int Count);

/// <summary>
/// Finds the terms of a taxonomy's entries in a token list, in one pass: terms are indexed by their first word (or its
/// stem), so each token costs one dictionary look-up plus one per stem length. Built once per taxonomy; read-only.
/// </summary>
public sealed class TermMatcher
{
    private const int MinStem = 4;

    private readonly Dictionary<string, List<Pattern>> _byWord = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Pattern>> _byStem = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Pattern>>.AlternateLookup<ReadOnlySpan<char>> _stemLookup;
    private readonly int _longestStem;

    public TermMatcher(IReadOnlyList<TaxonomyEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        for (var e = 0; e < entries.Count; e++)
        {
            foreach (var term in entries[e].Terms.All.Distinct(StringComparer.Ordinal))
            {
                if (Compile(term) is not { Length: > 0 } words)
                {
                    continue;
                }

                var pattern = new Pattern(e, words);
                var first = words[0];
                var index = first.Stem ? _byStem : _byWord;
                if (!index.TryGetValue(first.Text, out var list))
                {
                    index[first.Text] = list = [];
                }

                list.Add(pattern);
                if (first.Stem)
                {
                    _longestStem = Math.Max(_longestStem, first.Text.Length);
                }
            }
        }

        _stemLookup = _byStem.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Every match, in text order; overlapping matches of different entries are all kept, of one entry the longest.</summary>
    public List<TermMatch> Find(IReadOnlyList<TextToken> tokens)
    {
        var found = new List<TermMatch>();
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (_byWord.TryGetValue(token.Folded, out var exact))
            {
                Collect(exact, tokens, i, found);
            }

            for (var length = Math.Min(token.Folded.Length, _longestStem); length >= MinStem; length--)
            {
                if (_stemLookup.TryGetValue(token.Folded.AsSpan(0, length), out var stemmed))
                {
                    Collect(stemmed, tokens, i, found);
                }
            }
        }

        return found;
    }

    private static void Collect(List<Pattern> patterns, IReadOnlyList<TextToken> tokens, int at, List<TermMatch> found)
    {
        foreach (var pattern in patterns)
        {
            if (!pattern.Matches(tokens, at))
            {
                continue;
            }

            var match = new TermMatch(pattern.Entry, at, pattern.Words.Length);
            var same = found.FindLastIndex(m => m.Entry == match.Entry && m.First + m.Count > at);
            if (same < 0)
            {
                found.Add(match);
            }
            else if (found[same].First == at && found[same].Count < match.Count)
            {
                found[same] = match;
            }
        }
    }

    /// <summary>The words of a term, folded as the tokens are; a word with inner punctuation becomes the words the text would give.</summary>
    private static Word[]? Compile(string term)
    {
        if (TextTaxonomy.TermProblem(term) is not null)
        {
            return null;
        }

        var words = new List<Word>();
        foreach (var part in term.Split(' '))
        {
            if (part == "?")
            {
                words.Add(new Word("", Stem: false, Any: true));
                continue;
            }

            var stem = part.EndsWith('*');
            var pieces = TextTokens.Split(stem ? part[..^1] : part).Tokens;
            for (var k = 0; k < pieces.Count; k++)
            {
                words.Add(new Word(pieces[k].Folded, Stem: stem && k == pieces.Count - 1, Any: false));
            }
        }

        return [.. words];
    }

    private readonly record struct Word(string Text, bool Stem, bool Any)
    {
        public bool Matches(string folded) =>
            Any || (Stem ? folded.StartsWith(Text, StringComparison.Ordinal) : string.Equals(folded, Text, StringComparison.Ordinal));
    }

    private sealed record Pattern(int Entry, Word[] Words)
    {
        public bool Matches(IReadOnlyList<TextToken> tokens, int at)
        {
            if (at + Words.Length > tokens.Count)
            {
                return false;
            }

            var sentence = tokens[at].Sentence;
            for (var k = 0; k < Words.Length; k++)
            {
                var token = tokens[at + k];
                if (token.Sentence != sentence || !Words[k].Matches(token.Folded))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
