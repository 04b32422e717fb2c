namespace OpenCxo.Core.Text;

/// <summary>
/// The valence each token carries in its context, after the rules of VADER (Hutto &amp; Gilbert, ICWSM 2014):
/// lexicon valence, capitals for emphasis, up to three boosters before it (their step damped with distance),
/// negation, "but"-like turns, and "!"/"?" emphasis per sentence; the compound score is x / √(x² + 15).
/// Differences from VADER: rules stay within a sentence, Spanish has its own negation (see <see cref="LanguageRules"/>),
/// phrases and stems come from the lexicon, and emoji are looked up as tokens rather than through their English names.
/// </summary>
internal static class SentimentScorer
{
    /// <summary>VADER's normalisation constant: the sum at which the compound score reaches about ±0.5 is √15.</summary>
    private const float Alpha = 15f;

    /// <summary>The valence of every token (0 for those without), in the text's order.</summary>
    public static float[] Valences(string text, List<TextToken> tokens, LanguageRules rules, LanguageRules? fallback)
    {
        var valences = new float[tokens.Count];
        var covered = new bool[tokens.Count];
        var inPhrase = new bool[tokens.Count];
        var capsDiffer = CapsDiffer(tokens);
        for (var i = 0; i < tokens.Count; i++)
        {
            if (covered[i])
            {
                continue;
            }

            var token = tokens[i];
            if (BoosterAt(tokens, i, rules) is { Tokens: > 0 } booster)
            {
                for (var k = 1; k < booster.Tokens; k++)
                {
                    covered[i + k] = true;
                }

                continue;
            }

            var (phraseTokens, valence) = rules.Lexicon.Phrase(tokens, i);
            if (phraseTokens > 0)
            {
                for (var k = 1; k < phraseTokens; k++)
                {
                    covered[i + k] = true;
                }

                inPhrase.AsSpan(i, phraseTokens).Fill(true);
            }
            else
            {
                valence = Lookup(token, text, rules, fallback);
            }

            if (valence == 0 && token.IsWord && rules.IsExpectation(token.Folded) && Negated(text, tokens, i, rules))
            {
                valences[i] = LanguageRules.DeniedExpectation;
                continue;
            }

            if (valence == 0 || (rules.Negators.Contains(token.Folded) || token.Folded == "no") && NextHasValence(tokens, i, text, rules, fallback))
            {
                // English "no" is in VADER's lexicon; before a sentiment word it negates instead (VADER does the same).
                continue;
            }

            // An emoji means what it shows: "sin señal 😡" is not a negated anger.
            valences[i] = token.IsWord ? Contextual(text, tokens, inPhrase, i, valence, rules, capsDiffer) : valence;
        }

        ApplyTurns(text, tokens, valences, rules);
        return valences;
    }

    /// <summary>A negator within reach before token <paramref name="i"/>, in its sentence and clause.</summary>
    private static bool Negated(string text, List<TextToken> tokens, int i, LanguageRules rules)
    {
        for (var back = 1; back <= rules.NegationReach; back++)
        {
            var j = i - back;
            if (j < 0 || tokens[j].Sentence != tokens[i].Sentence || IsClauseBreak(text, tokens[j], tokens[j + 1]))
            {
                return false;
            }

            var word = tokens[j].Folded;
            if (rules.Negators.Contains(word) || rules.Deniers.Contains(word) || word == "no" || word.EndsWith("n't", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>VADER's compound score of a sum of valences and the sentence punctuation that goes with it.</summary>
    public static double Compound(double sum, int exclamations, int questions)
    {
        if (sum == 0)
        {
            return 0;
        }

        var emphasis = Math.Min(exclamations, 4) * 0.292 + (questions > 1 ? (questions <= 3 ? questions * 0.18 : 0.96) : 0);
        sum += sum > 0 ? emphasis : -emphasis;
        return Math.Clamp(sum / Math.Sqrt(sum * sum + Alpha), -1, 1);
    }

    private static float Lookup(TextToken token, string text, LanguageRules rules, LanguageRules? fallback)
    {
        var valence = rules.Lexicon.Word(token.Folded);
        if (valence == 0 && token.IsWord && TextTokens.FoldKeepingDoubles(text.AsSpan(token.Start, token.Length)) is { } doubled)
        {
            // "goood" → "good", "coool" → "cool": the one-letter fold lost a real double.
            valence = rules.Lexicon.Word(doubled);
        }

        // Mixed language ("el customer service es top") and emoji, which the other lexicon may list.
        if (valence == 0 && fallback is not null && (!token.IsWord || token.Folded.Length >= 4 && !rules.CommonWords.Contains(token.Folded)))
        {
            valence = fallback.Lexicon.Word(token.Folded);
        }

        return valence;
    }

    private static bool NextHasValence(List<TextToken> tokens, int i, string text, LanguageRules rules, LanguageRules? fallback) =>
        i + 1 < tokens.Count && tokens[i + 1].Sentence == tokens[i].Sentence && Lookup(tokens[i + 1], text, rules, fallback) != 0;

    /// <param name="inPhrase">Tokens that belong to a lexicon phrase: their words ("sin" in "sin señal") act only within it.</param>
    private static float Contextual(string text, List<TextToken> tokens, bool[] inPhrase, int i, float valence, LanguageRules rules, bool capsDiffer)
    {
        var token = tokens[i];
        if (token.Shouted && capsDiffer)
        {
            valence += valence > 0 ? LanguageRules.CapsStep : -LanguageRules.CapsStep;
        }

        // Boosters up to three words back, damped with distance (VADER: ×0.95 two back, ×0.9 three back).
        var negated = false;
        for (var back = 1; back <= Math.Max(3, rules.NegationReach); back++)
        {
            var j = i - back;
            if (j < 0 || tokens[j].Sentence != token.Sentence || rules.StopAtCommas && IsClauseBreak(text, tokens[j], tokens[j + 1]))
            {
                break;
            }

            var before = tokens[j];
            if (inPhrase[j])
            {
                break;
            }

            if (back <= 3 && rules.Lexicon.Word(before.Folded) == 0 && BoosterEndingAt(tokens, j, rules) is var step && step != 0)
            {
                var scalar = valence < 0 ? -step : step;
                if (before.Shouted && capsDiffer)
                {
                    scalar += valence > 0 ? LanguageRules.CapsStep : -LanguageRules.CapsStep;
                }

                valence += back switch { 1 => scalar, 2 => scalar * 0.95f, _ => scalar * 0.9f };
            }

            if (rules.Negators.Contains(before.Folded) || before.Folded.EndsWith("n't", StringComparison.Ordinal))
            {
                if (!rules.NegativeConcord)
                {
                    // VADER negates once per negator within reach; "never so good" is emphasis, not negation.
                    valence = back >= 2 && before.Folded == "never" && tokens[j + 1].Folded is "so" or "this"
                        ? valence * 1.25f
                        : before.Folded == "without" && back >= 2 && tokens[j + 1].Folded == "doubt" ? valence : valence * LanguageRules.NegationFactor;
                }
                else if (!negated)
                {
                    valence *= LanguageRules.NegationFactor;
                }

                negated = true;
            }
            else if (rules.Language == "es" && back == 1 && before.Folded == "poco" && (j == 0 || tokens[j - 1].Folded != "un"))
            {
                // "poco útil" means not useful; "poco lento" only a little slow.
                valence = valence > 0 ? valence * LanguageRules.NegationFactor : valence + LanguageRules.BoosterStep;
            }
            else if (rules.Language == "en" && back == 1 && before.Folded == "least" && (j == 0 || tokens[j - 1].Folded is not ("at" or "very")))
            {
                valence *= LanguageRules.NegationFactor;
            }
            else if (rules.Language == "en" && before.Folded == "no" && (back <= 2 || back == 3 && tokens[i - 1].Folded is "or" or "nor"))
            {
                // VADER: "no" one or two words back negates ("no good", "no real help"), three back only through "or"/"nor".
                valence *= LanguageRules.NegationFactor;
            }
        }

        return valence;
    }

    /// <summary>
    /// After a turn word ("but", "pero") a sentence's earlier valences weigh half and later ones one and a half
    /// (VADER's rule, per sentence here). Spanish "aunque" concedes: its clause weighs half, the other one and a half.
    /// </summary>
    private static void ApplyTurns(string text, List<TextToken> tokens, float[] valences, LanguageRules rules)
    {
        var sentenceStart = 0;
        while (sentenceStart < tokens.Count)
        {
            var sentence = tokens[sentenceStart].Sentence;
            var end = sentenceStart;
            while (end < tokens.Count && tokens[end].Sentence == sentence)
            {
                end++;
            }

            var turn = -1;
            for (var i = sentenceStart; i < end && turn < 0; i++)
            {
                if (rules.Turns.Contains(tokens[i].Folded) || i + 1 < end && rules.Turns.Contains(tokens[i].Folded + " " + tokens[i + 1].Folded))
                {
                    turn = i;
                }
            }

            if (turn >= 0)
            {
                for (var i = sentenceStart; i < end; i++)
                {
                    valences[i] *= i < turn ? 0.5f : i > turn ? 1.5f : 1f;
                }
            }
            else if (rules.Language == "es" && Concession(text, tokens, sentenceStart, end) is var (from, to) && to > from)
            {
                for (var i = sentenceStart; i < end; i++)
                {
                    valences[i] *= i >= from && i < to ? 0.5f : 1.5f;
                }
            }

            sentenceStart = end;
        }
    }

    /// <summary>The tokens of an "aunque" clause: from the word to the next comma, or to the end of the sentence when it comes last.</summary>
    private static (int From, int To)? Concession(string text, List<TextToken> tokens, int start, int end)
    {
        for (var i = start; i < end; i++)
        {
            if (tokens[i].Folded is not "aunque")
            {
                continue;
            }

            var to = i + 1;
            while (to < end && !IsClauseBreak(text, tokens[to - 1], tokens[to]))
            {
                to++;
            }

            return to == end && i == start ? null : (i, to);
        }

        return null;
    }

    /// <summary>A comma or colon between two tokens.</summary>
    private static bool IsClauseBreak(string text, TextToken before, TextToken after)
    {
        for (var c = before.Start + before.Length; c < after.Start; c++)
        {
            if (text[c] is ',' or ':' or '(' or ')')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Some words are in capitals and some are not: only then are capitals emphasis (VADER's is_cap_diff).</summary>
    private static bool CapsDiffer(List<TextToken> tokens)
    {
        var shouted = 0;
        var words = 0;
        foreach (var token in tokens)
        {
            if (token.IsWord)
            {
                words++;
                shouted += token.Shouted ? 1 : 0;
            }
        }

        return shouted > 0 && shouted < words;
    }

    /// <summary>The step of a booster word at <paramref name="j"/>, or of a two-word one ending there ("un poco", "kind of").</summary>
    private static float BoosterEndingAt(List<TextToken> tokens, int j, LanguageRules rules)
    {
        if (j > 0 && tokens[j - 1].Sentence == tokens[j].Sentence && rules.Boosters.TryGetValue(tokens[j - 1].Folded + " " + tokens[j].Folded, out var pair))
        {
            return pair;
        }

        return rules.Boosters.TryGetValue(tokens[j].Folded, out var step) ? step : 0;
    }

    private static (int Tokens, float Step) BoosterAt(List<TextToken> tokens, int i, LanguageRules rules)
    {
        if (i + 1 < tokens.Count && tokens[i + 1].Sentence == tokens[i].Sentence
            && rules.Boosters.TryGetValue(tokens[i].Folded + " " + tokens[i + 1].Folded, out var pair))
        {
            return (2, pair);
        }

        return rules.Boosters.TryGetValue(tokens[i].Folded, out var step) && rules.Lexicon.Word(tokens[i].Folded) == 0 ? (1, step) : (0, 0);
    }
}
