using MathNet.Numerics.Distributions;

namespace OpenCxo.Core.Metrics;

/// <summary>An estimate with its two-sided confidence interval, on the scale the metric is reported on.</summary>
/// <param name="N">Responses the estimate rests on.</param>
/// <param name="Small">Fewer than <see cref="ScoreStatistics.MinimumSample"/> responses: show the number, not a trend.</param>
public sealed record Estimate(double Value, double Low, double High, long N, bool Small);

/// <summary>A difference between two estimates (first minus second) and whether it is more than chance.</summary>
/// <param name="PValue">Two-sided p-value of "no difference".</param>
/// <param name="Significant">p below the significance level and neither side a small sample.</param>
/// <param name="Small">At least one side is a small sample: no verdict either way.</param>
public sealed record Comparison(double Difference, double Low, double High, double Statistic, double PValue, bool Significant, bool Small);

/// <summary>Net Promoter Score on the −100 … 100 scale, with its counts.</summary>
public sealed record NpsEstimate(long Promoters, long Passives, long Detractors, Estimate Score)
{
    public long N => Promoters + Passives + Detractors;
}

/// <summary>
/// Confidence intervals and significance tests for the scores a board reads: NPS, proportions (CSAT as the share of
/// 4–5 answers, response rate) and means (CSAT, CES, ratings). Each one cites where its formula comes from.
/// </summary>
public static class ScoreStatistics
{
    /// <summary>
    /// The <paramref name="p"/> quantile (0–1) of values sorted ascending, by linear interpolation between order
    /// statistics (Hyndman &amp; Fan 1996, definition 7; the default of R and NumPy).
    /// </summary>
    public static double Quantile(IReadOnlyList<double> sorted, double p)
    {
        ArgumentOutOfRangeException.ThrowIfZero(sorted.Count);
        var h = (sorted.Count - 1) * p;
        var low = (int)Math.Floor(h);
        return low + 1 < sorted.Count ? sorted[low] + ((h - low) * (sorted[low + 1] - sorted[low])) : sorted[low];
    }

    /// <summary>
    /// Fewer responses than this are flagged: below about 30 the normal approximations behind the intervals of NPS and
    /// of a difference are poor, and a period-to-period change is mostly noise (Rocks 2016 shows Wald NPS intervals
    /// under-cover at small n).
    /// </summary>
    public const long MinimumSample = 30;

    public const double DefaultConfidence = 0.95;

    /// <summary>
    /// NPS = 100 (p − d) with its Wald interval: Var = (p + d − (p − d)²) / n on the −1 … 1 scale (A. Engelhardt,
    /// "Net Promoter Score confidence intervals", 2016; B. Rocks, "Interval estimation for the Net Promoter Score",
    /// The American Statistician 70(4), 2016). The interval is clipped to −100 … 100.
    /// </summary>
    public static NpsEstimate Nps(long promoters, long passives, long detractors, double confidence = DefaultConfidence)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(promoters);
        ArgumentOutOfRangeException.ThrowIfNegative(passives);
        ArgumentOutOfRangeException.ThrowIfNegative(detractors);
        var n = promoters + passives + detractors;
        if (n == 0)
        {
            return new NpsEstimate(0, 0, 0, Empty);
        }

        var (score, standardError) = NpsMoments(promoters, detractors, n);
        var half = Z(confidence) * standardError;
        return new NpsEstimate(promoters, passives, detractors, new Estimate(
            100 * score, Math.Max(-100, 100 * (score - half)), Math.Min(100, 100 * (score + half)), n, n < MinimumSample));
    }

    /// <summary>The NPS variance per response on the −1 … 1 scale: p + d − (p − d)².</summary>
    public static double NpsVariance(double promoterShare, double detractorShare) =>
        promoterShare + detractorShare - ((promoterShare - detractorShare) * (promoterShare - detractorShare));

    /// <summary>
    /// Two independent NPS (two periods, two segments): z = (NPS₁ − NPS₂) / √(Var₁/n₁ + Var₂/n₂), each variance as in
    /// <see cref="Nps"/> (Rocks 2016, section 4, for the difference of two independent scores).
    /// </summary>
    public static Comparison CompareNps(NpsEstimate first, NpsEstimate second, double confidence = DefaultConfidence)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.N == 0 || second.N == 0)
        {
            return NoComparison(first.Score.Value - second.Score.Value);
        }

        var (a, seA) = NpsMoments(first.Promoters, first.Detractors, first.N);
        var (b, seB) = NpsMoments(second.Promoters, second.Detractors, second.N);
        return NormalComparison(100 * (a - b), 100 * Math.Sqrt((seA * seA) + (seB * seB)), first.N, second.N, confidence);
    }

    /// <summary>
    /// A proportion (e.g. CSAT: the share of 4 and 5 answers) as a percentage with the Wilson score interval
    /// (E. B. Wilson, JASA 22, 1927; recommended over the Wald interval by R. G. Newcombe, Statistics in Medicine 17,
    /// 1998, and by Brown, Cai and DasGupta, Statistical Science 16, 2001).
    /// </summary>
    public static Estimate Proportion(long successes, long n, double confidence = DefaultConfidence)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successes, n);
        if (n == 0)
        {
            return Empty;
        }

        var z = Z(confidence);
        var p = (double)successes / n;
        var z2n = z * z / n;
        var centre = (p + (z2n / 2)) / (1 + z2n);
        var half = z / (1 + z2n) * Math.Sqrt((p * (1 - p) / n) + (z2n / (4 * n)));

        // At 0 or n successes the interval touches the bound exactly; rounding must not move it off.
        var low = successes == 0 ? 0 : centre - half;
        var high = successes == n ? 1 : centre + half;
        return new Estimate(100 * p, 100 * low, 100 * high, n, n < MinimumSample);
    }

    /// <summary>
    /// Two independent proportions, in percentage points: the pooled two-proportion z-test for the p-value (equal to
    /// Pearson's χ² test of the 2×2 table without continuity correction) and the unpooled Wald interval for the
    /// difference.
    /// </summary>
    public static Comparison CompareProportions(long successes1, long n1, long successes2, long n2, double confidence = DefaultConfidence)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successes1, n1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successes2, n2);
        if (n1 == 0 || n2 == 0)
        {
            return NoComparison(0);
        }

        var p1 = (double)successes1 / n1;
        var p2 = (double)successes2 / n2;
        var pooled = (double)(successes1 + successes2) / (n1 + n2);
        var pooledSe = Math.Sqrt(pooled * (1 - pooled) * ((1.0 / n1) + (1.0 / n2)));
        var se = Math.Sqrt((p1 * (1 - p1) / n1) + (p2 * (1 - p2) / n2));
        var difference = p1 - p2;
        var z = pooledSe == 0 ? 0 : difference / pooledSe;
        var pValue = pooledSe == 0 ? 1 : 2 * Normal.CDF(0, 1, -Math.Abs(z));
        var half = Z(confidence) * se;
        var small = n1 < MinimumSample || n2 < MinimumSample;
        return new Comparison(100 * difference, 100 * (difference - half), 100 * (difference + half), z, pValue, !small && pValue < 1 - confidence, small);
    }

    /// <summary>A mean (CSAT 1–5, CES 1–7, a rating) with the Student t interval: x̄ ± t(n−1) s / √n.</summary>
    public static Estimate Mean(MeanAccumulator sample, double confidence = DefaultConfidence)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (sample.N == 0)
        {
            return Empty;
        }

        if (sample.N == 1)
        {
            return new Estimate(sample.Mean, double.NegativeInfinity, double.PositiveInfinity, 1, true);
        }

        var half = StudentT.InvCDF(0, 1, sample.N - 1, 1 - ((1 - confidence) / 2)) * Math.Sqrt(sample.Variance / sample.N);
        return new Estimate(sample.Mean, sample.Mean - half, sample.Mean + half, sample.N, sample.N < MinimumSample);
    }

    /// <summary>
    /// Two independent means: Welch's t-test, which does not assume equal variances (B. L. Welch, Biometrika 34, 1947),
    /// with Welch–Satterthwaite degrees of freedom; the interval is for the difference.
    /// </summary>
    public static Comparison CompareMeans(MeanAccumulator first, MeanAccumulator second, double confidence = DefaultConfidence)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        var difference = first.Mean - second.Mean;
        if (first.N < 2 || second.N < 2)
        {
            return NoComparison(first.N == 0 || second.N == 0 ? 0 : difference);
        }

        var v1 = first.Variance / first.N;
        var v2 = second.Variance / second.N;
        var se = Math.Sqrt(v1 + v2);
        var small = first.N < MinimumSample || second.N < MinimumSample;
        if (se == 0)
        {
            var same = difference == 0;
            return new Comparison(difference, difference, difference, same ? 0 : double.PositiveInfinity, same ? 1 : 0, !small && !same, small);
        }

        var df = (v1 + v2) * (v1 + v2) / ((v1 * v1 / (first.N - 1)) + (v2 * v2 / (second.N - 1)));
        var t = difference / se;
        var pValue = 2 * StudentT.CDF(0, 1, df, -Math.Abs(t));
        var half = StudentT.InvCDF(0, 1, df, 1 - ((1 - confidence) / 2)) * se;
        return new Comparison(difference, difference - half, difference + half, t, pValue, !small && pValue < 1 - confidence, small);
    }

    /// <summary>
    /// Holm's step-down adjustment of p-values for testing many hypotheses at once (S. Holm, Scandinavian Journal of
    /// Statistics 6, 1979): the i-th smallest is multiplied by (m − i + 1), made non-decreasing, capped at 1 — the same as
    /// R's p.adjust(method = "holm"). Returned in the order given.
    /// </summary>
    public static IReadOnlyList<double> Holm(IReadOnlyList<double> pValues)
    {
        ArgumentNullException.ThrowIfNull(pValues);
        var m = pValues.Count;
        var order = Enumerable.Range(0, m).OrderBy(i => pValues[i]).ToArray();
        var adjusted = new double[m];
        var running = 0.0;
        for (var rank = 0; rank < m; rank++)
        {
            running = Math.Max(running, Math.Min(1, (m - rank) * pValues[order[rank]]));
            adjusted[order[rank]] = running;
        }

        return adjusted;
    }

    /// <summary>The two-sided normal quantile for a confidence level (1.959964… for 95 %).</summary>
    public static double Z(double confidence)
    {
        if (confidence is <= 0 or >= 1 || double.IsNaN(confidence))
        {
            throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "a confidence level is between 0 and 1, e.g. 0.95");
        }

        return Normal.InvCDF(0, 1, 1 - ((1 - confidence) / 2));
    }

    private static Estimate Empty { get; } = new(double.NaN, double.NaN, double.NaN, 0, true);

    private static (double Score, double StandardError) NpsMoments(long promoters, long detractors, long n)
    {
        var p = (double)promoters / n;
        var d = (double)detractors / n;
        return (p - d, Math.Sqrt(Math.Max(0, NpsVariance(p, d)) / n));
    }

    private static Comparison NormalComparison(double difference, double standardError, long n1, long n2, double confidence)
    {
        var small = n1 < MinimumSample || n2 < MinimumSample;
        if (standardError == 0)
        {
            var same = difference == 0;
            return new Comparison(difference, difference, difference, same ? 0 : double.PositiveInfinity, same ? 1 : 0, !small && !same, small);
        }

        var z = difference / standardError;
        var pValue = 2 * Normal.CDF(0, 1, -Math.Abs(z));
        var half = Z(confidence) * standardError;
        return new Comparison(difference, difference - half, difference + half, z, pValue, !small && pValue < 1 - confidence, small);
    }

    private static Comparison NoComparison(double difference) =>
        new(difference, double.NaN, double.NaN, double.NaN, double.NaN, false, true);
}

/// <summary>
/// Count, mean and variance of a stream of scores in one pass, numerically stable (Welford's algorithm, Technometrics
/// 4, 1962), and mergeable, so slices can be summed from parts (Chan, Golub and LeVeque, 1979).
/// </summary>
public sealed class MeanAccumulator
{
    private double _m2;

    public long N { get; private set; }

    public double Mean { get; private set; }

    /// <summary>The sample variance (n − 1 in the denominator); 0 below two values.</summary>
    public double Variance => N < 2 ? 0 : _m2 / (N - 1);

    public static MeanAccumulator Of(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sample = new MeanAccumulator();
        foreach (var value in values)
        {
            sample.Add(value);
        }

        return sample;
    }

    /// <summary>From aggregates a database computed: count, sum and sum of squares (fine for scores of a few points).</summary>
    public static MeanAccumulator FromSums(long n, double sum, double sumOfSquares)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var sample = new MeanAccumulator { N = n };
        if (n > 0)
        {
            sample.Mean = sum / n;
            sample._m2 = Math.Max(0, sumOfSquares - (sum * sum / n));
        }

        return sample;
    }

    public void Add(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "a score is a finite number");
        }

        N++;
        var delta = value - Mean;
        Mean += delta / N;
        _m2 += delta * (value - Mean);
    }
}
