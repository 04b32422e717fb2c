namespace OpenCxo.Core.Churn;

/// <summary>Customers whose predicted risk fell in one tenth of [0, 1], with how many of them churned.</summary>
public sealed record CalibrationBin(double From, double To, int Customers, double MeanPredicted, double Observed);

/// <summary>How good predicted probabilities are against what happened. All functions take probabilities and outcomes (true = churned) of equal length.</summary>
public static class ClassifierMetrics
{
    /// <summary>
    /// Area under the ROC curve: the probability that a churner is ranked above a non-churner, ties counting one half —
    /// the Mann-Whitney statistic, computed with mid-ranks (Hanley &amp; McNeil 1982, Radiology 143:29–36).
    /// </summary>
    /// <exception cref="ArgumentException">Only one class present: the area is undefined.</exception>
    public static double Auc(IReadOnlyList<double> predicted, IReadOnlyList<bool> churned)
    {
        Check(predicted, churned);
        var order = Enumerable.Range(0, predicted.Count).OrderBy(i => predicted[i]).ToArray();
        double rankSum = 0;
        long positives = 0;
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && predicted[order[end + 1]] == predicted[order[start]])
            {
                end++;
            }

            var midRank = (start + end + 2) / 2.0;
            for (var k = start; k <= end; k++)
            {
                if (churned[order[k]])
                {
                    rankSum += midRank;
                    positives++;
                }
            }

            start = end + 1;
        }

        long negatives = order.Length - positives;
        if (positives == 0 || negatives == 0)
        {
            throw new ArgumentException("the area under the ROC curve needs customers who churned and customers who did not", nameof(churned));
        }

        return (rankSum - (positives * (positives + 1) / 2.0)) / ((double)positives * negatives);
    }

    /// <summary>Mean negative log-likelihood in nats, with probabilities clipped to [1e-15, 1 − 1e-15] so one certain mistake is costly, not infinite.</summary>
    public static double LogLoss(IReadOnlyList<double> predicted, IReadOnlyList<bool> churned)
    {
        Check(predicted, churned);
        double sum = 0;
        for (var i = 0; i < predicted.Count; i++)
        {
            var p = Math.Clamp(predicted[i], 1e-15, 1 - 1e-15);
            sum -= churned[i] ? Math.Log(p) : Math.Log(1 - p);
        }

        return sum / predicted.Count;
    }

    /// <summary>Share of customers on the right side of <paramref name="threshold"/> (at or above it predicted to churn).</summary>
    public static double Accuracy(IReadOnlyList<double> predicted, IReadOnlyList<bool> churned, double threshold = 0.5)
    {
        Check(predicted, churned);
        var right = 0;
        for (var i = 0; i < predicted.Count; i++)
        {
            right += predicted[i] >= threshold == churned[i] ? 1 : 0;
        }

        return (double)right / predicted.Count;
    }

    /// <summary>Brier score: mean squared difference between probability and outcome (Brier 1950).</summary>
    public static double Brier(IReadOnlyList<double> predicted, IReadOnlyList<bool> churned)
    {
        Check(predicted, churned);
        double sum = 0;
        for (var i = 0; i < predicted.Count; i++)
        {
            var d = predicted[i] - (churned[i] ? 1 : 0);
            sum += d * d;
        }

        return sum / predicted.Count;
    }

    /// <summary>Reliability table: ten equal-width bins of predicted risk, each with the mean prediction and the share that churned. Empty bins are left out.</summary>
    public static IReadOnlyList<CalibrationBin> Calibration(IReadOnlyList<double> predicted, IReadOnlyList<bool> churned, int bins = 10)
    {
        Check(predicted, churned);
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        var count = new int[bins];
        var sum = new double[bins];
        var positives = new int[bins];
        for (var i = 0; i < predicted.Count; i++)
        {
            var b = Math.Clamp((int)(predicted[i] * bins), 0, bins - 1);
            count[b]++;
            sum[b] += predicted[i];
            positives[b] += churned[i] ? 1 : 0;
        }

        return [.. Enumerable.Range(0, bins)
            .Where(b => count[b] > 0)
            .Select(b => new CalibrationBin((double)b / bins, (double)(b + 1) / bins, count[b], sum[b] / count[b], (double)positives[b] / count[b]))];
    }

    /// <summary>Expected calibration error: the customer-weighted mean gap between predicted and observed churn over the bins.</summary>
    public static double CalibrationError(IReadOnlyList<CalibrationBin> bins)
    {
        ArgumentNullException.ThrowIfNull(bins);
        var total = bins.Sum(b => b.Customers);
        return total == 0 ? 0 : bins.Sum(b => b.Customers * Math.Abs(b.MeanPredicted - b.Observed)) / total;
    }

    private static void Check(IReadOnlyList<double> predicted, IReadOnlyList<bool> churned)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(churned);
        if (predicted.Count != churned.Count)
        {
            throw new ArgumentException($"{predicted.Count} predictions for {churned.Count} outcomes", nameof(churned));
        }

        if (predicted.Count == 0)
        {
            throw new ArgumentException("no customers to measure", nameof(predicted));
        }

        for (var i = 0; i < predicted.Count; i++)
        {
            if (!(predicted[i] >= 0 && predicted[i] <= 1))
            {
                throw new ArgumentException($"prediction {i + 1} is {predicted[i]}, not a probability", nameof(predicted));
            }
        }
    }
}
