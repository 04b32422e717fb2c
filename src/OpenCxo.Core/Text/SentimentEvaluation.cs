using System.Globalization;
using MathNet.Numerics.Statistics;

namespace OpenCxo.Core.Text;

/// <summary>One labelled text: its human label and, where raters gave one, their mean rating (VADER's −4 … +4 scale).</summary>
public sealed record LabelledText(string Text, SentimentLabel Label, double? Rating = null, IReadOnlyList<string>? Themes = null, IReadOnlyList<string>? Flags = null);

/// <summary>How well predicted labels agree with human ones.</summary>
/// <param name="MacroF1">The mean of the per-class F1 over the classes present in the gold labels.</param>
/// <param name="WeightedF1">Per-class F1 weighted by each class's share of the gold labels.</param>
/// <param name="Correlation">Pearson's r between the predicted score and the human mean rating, where ratings exist.</param>
public sealed record SentimentAgreement(int N, double Accuracy, double MacroF1, double WeightedF1, double? Correlation, IReadOnlyDictionary<SentimentLabel, double> F1ByClass);

/// <summary>
/// Reading the labelled sets in ../shared/data and tests, and scoring an analyser against them. Readers take lines, so
/// they stay free of file access.
/// </summary>
public static class SentimentEvaluation
{
    /// <summary>
    /// VADER's gold standards (Hutto &amp; Gilbert 2014): <c>id TAB mean rating TAB text</c>. The class is the sign of the
    /// mean rating with VADER's ±0.05 neutral band, the same thresholds as for the compound score.
    /// </summary>
    public static List<LabelledText> ReadVaderGold(IEnumerable<string> lines) =>
        [.. lines.Where(l => l.Length > 0).Select((line, n) =>
        {
            var fields = line.Split('\t', 3);
            if (fields.Length != 3 || !double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var rating))
            {
                throw new FormatException($"line {n + 1}: expected 'id<TAB>rating<TAB>text'");
            }

            return new LabelledText(fields[2], SentimentScore.Of(rating).Label, rating);
        })];

    /// <summary>Kotzias et al. 2015 (UCI "Sentiment Labelled Sentences"): <c>sentence TAB 0|1</c>, two classes.</summary>
    public static List<LabelledText> ReadUci(IEnumerable<string> lines) =>
        [.. lines.Where(l => l.Trim().Length > 0).Select((line, n) =>
        {
            var tab = line.LastIndexOf('\t');
            var label = tab < 0 ? "" : line[(tab + 1)..].Trim();
            if (label is not ("0" or "1"))
            {
                throw new FormatException($"line {n + 1}: expected 'sentence<TAB>0|1'");
            }

            return new LabelledText(line[..tab], label == "1" ? SentimentLabel.Positive : SentimentLabel.Negative);
        })];

    /// <summary>The project's Spanish set: a header, then <c>id rating label themes flags text</c>, tab-separated.</summary>
    public static List<LabelledText> ReadProjectSet(IEnumerable<string> lines) =>
        [.. lines.Skip(1).Where(l => l.Length > 0).Select((line, n) =>
        {
            var fields = line.Split('\t');
            if (fields.Length != 6 || !double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var rating))
            {
                throw new FormatException($"line {n + 2}: expected 'id<TAB>rating<TAB>label<TAB>themes<TAB>flags<TAB>text'");
            }

            var label = fields[2] switch
            {
                "negative" => SentimentLabel.Negative,
                "positive" => SentimentLabel.Positive,
                "neutral" => SentimentLabel.Neutral,
                _ => throw new FormatException($"line {n + 2}: label '{fields[2]}' is not negative, neutral or positive"),
            };
            return new LabelledText(fields[5], label, rating, List(fields[3]), List(fields[4]));
        })];

    /// <summary>Agreement of (gold label, predicted label) pairs, and the correlation of scores with ratings where given.</summary>
    public static SentimentAgreement Agreement(IReadOnlyList<(LabelledText Gold, SentimentScore Predicted)> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var classes = results.Select(r => r.Gold.Label).Distinct().Order().ToList();
        var f1 = new Dictionary<SentimentLabel, double>();
        foreach (var label in classes)
        {
            var truePositive = results.Count(r => r.Gold.Label == label && r.Predicted.Label == label);
            var predicted = results.Count(r => r.Predicted.Label == label);
            var actual = results.Count(r => r.Gold.Label == label);
            var precision = predicted == 0 ? 0 : (double)truePositive / predicted;
            var recall = actual == 0 ? 0 : (double)truePositive / actual;
            f1[label] = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        }

        var rated = results.Where(r => r.Gold.Rating is not null).ToList();
        return new SentimentAgreement(
            results.Count,
            results.Count == 0 ? 0 : (double)results.Count(r => r.Gold.Label == r.Predicted.Label) / results.Count,
            f1.Count == 0 ? 0 : f1.Values.Average(),
            results.Count == 0 ? 0 : classes.Sum(c => f1[c] * results.Count(r => r.Gold.Label == c)) / results.Count,
            rated.Count < 3 ? null : Correlation.Pearson(rated.Select(r => r.Predicted.Score), rated.Select(r => r.Gold.Rating!.Value)),
            f1);
    }

    /// <summary>For two-class sets: a score above zero is positive, anything else negative (neutral is not an answer there).</summary>
    public static SentimentScore TwoClass(SentimentScore score) =>
        new(score.Score, score.Score > 0 ? SentimentLabel.Positive : SentimentLabel.Negative);

    private static List<string> List(string field) => [.. field.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
