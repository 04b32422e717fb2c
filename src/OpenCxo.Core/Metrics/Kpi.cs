using System.Globalization;
using MathNet.Numerics.Distributions;

namespace OpenCxo.Core.Metrics;

/// <summary>Which side of the target is good: at least the target (NPS, retention) or at most (handle time, churn).</summary>
public enum KpiDirection
{
    AtLeast,
    AtMost,
}

/// <summary>How far ahead a KPI looks: short term (conversion, handle time) or long term (retention, lifetime value).</summary>
public enum KpiHorizon
{
    ShortTerm,
    LongTerm,
}

/// <summary>The calendar period a KPI is judged on: its status reads the last such span, its snapshots one per period.</summary>
public enum KpiPeriod
{
    Week,
    Month,
    Quarter,
}

/// <summary>Where a KPI stands, judged on the metric's interval rather than its point.</summary>
public enum KpiStatus
{
    /// <summary>Nothing measured in the period.</summary>
    NoData,

    /// <summary>Measured, but on fewer observations than the KPI's minimum: no judgement.</summary>
    TooFew,

    /// <summary>The whole interval meets the target.</summary>
    OnTrack,

    /// <summary>The interval straddles the target: it may be met or missed.</summary>
    AtRisk,

    /// <summary>The whole interval misses the target.</summary>
    OffTrack,
}

/// <summary>The metric's value in a period: the point, its interval where the metric is a statistic, and N.</summary>
public sealed record KpiReading(double Value, double? Low, double? High, long N);

/// <summary>A straight line through a KPI's last snapshots: the change per period with its interval, and what it means.</summary>
/// <param name="Improving">True when the slope's whole interval points the good way, false when it points the bad way, null when it includes no change.</param>
public sealed record KpiTrend(double Slope, double Low, double High, int Points, bool? Improving);

/// <summary>KPI judgements: status on an interval, trend over snapshots, and periods. Pure functions, tested on edge cases.</summary>
public static class KpiRules
{
    /// <summary>Below this many observations a statistic's KPI reads "too few" unless the KPI sets its own minimum.</summary>
    public const int DefaultMinimumN = 30;

    /// <summary>
    /// On track when the interval's worse end meets the target, off track when its better end misses it, at risk in
    /// between, so a dip that chance explains is never "off track". A metric without an interval (a count, money) is
    /// judged on its value. A target exactly met counts as met.
    /// </summary>
    public static KpiStatus Judge(KpiReading? reading, double target, KpiDirection direction, int minimumN)
    {
        if (reading is null || reading.N == 0 || double.IsNaN(reading.Value))
        {
            return KpiStatus.NoData;
        }

        if (reading.N < minimumN)
        {
            return KpiStatus.TooFew;
        }

        var low = reading.Low ?? reading.Value;
        var high = reading.High ?? reading.Value;
        var (worse, better) = direction == KpiDirection.AtLeast ? (low, high) : (high, low);
        bool Meets(double x) => direction == KpiDirection.AtLeast ? x >= target : x <= target;
        return Meets(worse) ? KpiStatus.OnTrack : Meets(better) ? KpiStatus.AtRisk : KpiStatus.OffTrack;
    }

    /// <summary>
    /// The least-squares slope of the values against their period number, with its t interval (n − 2 degrees of
    /// freedom); null under three points. <c>Improving</c> says which way the whole interval points.
    /// </summary>
    public static KpiTrend? Trend(IReadOnlyList<double> values, KpiDirection direction, double confidence = ScoreStatistics.DefaultConfidence)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Trend([.. values.Select((y, i) => ((double)i, y))], direction, confidence);
    }

    /// <summary>The same on (period number, value) points, for a history with gaps.</summary>
    public static KpiTrend? Trend(IReadOnlyList<(double X, double Y)> points, KpiDirection direction, double confidence = ScoreStatistics.DefaultConfidence)
    {
        ArgumentNullException.ThrowIfNull(points);
        var n = points.Count;
        if (n < 3)
        {
            return null;
        }

        var meanX = points.Average(p => p.X);
        var meanY = points.Average(p => p.Y);
        double sxx = 0, sxy = 0;
        foreach (var (x, y) in points)
        {
            sxx += (x - meanX) * (x - meanX);
            sxy += (x - meanX) * (y - meanY);
        }

        if (sxx == 0)
        {
            return null;
        }

        var slope = sxy / sxx;
        var intercept = meanY - (slope * meanX);
        var residuals = 0.0;
        foreach (var (x, y) in points)
        {
            var r = y - (intercept + (slope * x));
            residuals += r * r;
        }

        var se = Math.Sqrt(residuals / (n - 2) / sxx);
        var half = StudentT.InvCDF(0, 1, n - 2, 1 - ((1 - confidence) / 2)) * se;
        var (low, high) = (slope - half, slope + half);
        bool? improving = low > 0 || high < 0
            ? (low > 0) == (direction == KpiDirection.AtLeast)
            : null;
        return new KpiTrend(slope, low, high, n, improving);
    }

    /// <summary>
    /// Two-sided p-value of the difference between two windows: a z test on the difference of two independent
    /// estimates, each standard error read from its interval (half-width / z), or √count for a count (Poisson).
    /// Null when either has no spread to read.
    /// </summary>
    public static double? ChangePValue(KpiReading now, KpiReading before, StatisticKind kind)
    {
        ArgumentNullException.ThrowIfNull(now);
        ArgumentNullException.ThrowIfNull(before);
        double? Se(KpiReading r) => kind == StatisticKind.Count ? Math.Sqrt(r.Value)
            : r.Low is { } low && r.High is { } high && double.IsFinite(high - low) ? (high - low) / (2 * ScoreStatistics.Z(ScoreStatistics.DefaultConfidence)) : null;
        if (Se(now) is not { } a || Se(before) is not { } b || a + b == 0)
        {
            return null;
        }

        var z = (now.Value - before.Value) / Math.Sqrt((a * a) + (b * b));
        return 2 * Normal.CDF(0, 1, -Math.Abs(z));
    }

    /// <summary>
    /// (x − median) / (1.4826 × MAD), the MAD scaled to estimate σ under normality (Rousseeuw &amp; Croux 1993; the
    /// 3.5 cut-off is Iglewicz &amp; Hoaglin 1993). With a MAD of 0 (references all alike) any difference is infinite.
    /// Null under three references.
    /// </summary>
    public static double? RobustZ(double x, IReadOnlyList<double> references)
    {
        ArgumentNullException.ThrowIfNull(references);
        if (references.Count < 3)
        {
            return null;
        }

        var median = TargetStatistic.Median.Of(references)!.Value;
        var mad = TargetStatistic.Median.Of([.. references.Select(r => Math.Abs(r - median))])!.Value;
        var d = x - median;
        return mad == 0 ? (d == 0 ? 0 : double.CopySign(double.PositiveInfinity, d)) : d / (1.4826 * mad);
    }

    /// <summary>The calendar period holding <paramref name="day"/>: its first and last day (weeks from Monday).</summary>
    public static (DateOnly From, DateOnly To) PeriodOf(DateOnly day, KpiPeriod period)
    {
        switch (period)
        {
            case KpiPeriod.Week:
                var monday = day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
                return (monday, monday.AddDays(6));
            case KpiPeriod.Month:
                var first = new DateOnly(day.Year, day.Month, 1);
                return (first, first.AddMonths(1).AddDays(-1));
            default:
                var quarter = new DateOnly(day.Year, (((day.Month - 1) / 3) * 3) + 1, 1);
                return (quarter, quarter.AddMonths(3).AddDays(-1));
        }
    }

    /// <summary>The last <paramref name="count"/> complete periods before the one holding <paramref name="today"/>, oldest first.</summary>
    public static IReadOnlyList<(DateOnly From, DateOnly To)> CompletePeriods(DateOnly today, KpiPeriod period, int count)
    {
        var periods = new List<(DateOnly, DateOnly)>();
        var (from, _) = PeriodOf(today, period);
        for (var i = 0; i < count; i++)
        {
            var previous = PeriodOf(from.AddDays(-1), period);
            periods.Add(previous);
            from = previous.From;
        }

        periods.Reverse();
        return periods;
    }

    /// <summary>The rolling span of one period's length ending today: what the current status reads.</summary>
    public static (DateOnly From, DateOnly To) Rolling(DateOnly today, KpiPeriod period) => period switch
    {
        KpiPeriod.Week => (today.AddDays(-6), today),
        KpiPeriod.Month => (today.AddMonths(-1).AddDays(1), today),
        _ => (today.AddMonths(-3).AddDays(1), today),
    };

    /// <summary>A period's label: 2026-W14, 2026-04, 2026-Q2.</summary>
    public static string Label(DateOnly from, KpiPeriod period) => period switch
    {
        KpiPeriod.Week => string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(from.ToDateTime(TimeOnly.MinValue))}-W{ISOWeek.GetWeekOfYear(from.ToDateTime(TimeOnly.MinValue)):D2}"),
        KpiPeriod.Month => from.ToString("yyyy-MM", CultureInfo.InvariantCulture),
        _ => string.Create(CultureInfo.InvariantCulture, $"{from.Year}-Q{((from.Month - 1) / 3) + 1}"),
    };
}

/// <summary>How a derived target summarises what customers said or signed: the median, the mean, or a percentile.</summary>
public sealed record TargetStatistic(string Name, double? Percentile)
{
    public static readonly TargetStatistic Median = new("median", 50);

    /// <summary><c>median</c>, <c>mean</c> or <c>p1</c>…<c>p99</c>; null when it is none of these.</summary>
    public static TargetStatistic? Parse(string? text)
    {
        if (text is null or "median")
        {
            return Median;
        }

        if (text == "mean")
        {
            return new("mean", null);
        }

        return text.Length is 2 or 3 && text[0] == 'p' && int.TryParse(text.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 99
            ? new(text, p)
            : null;
    }

    /// <summary>The statistic of the values (percentiles interpolate linearly, as R's type 7); null for none.</summary>
    public double? Of(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return null;
        }

        if (Percentile is not { } p)
        {
            return values.Average();
        }

        var sorted = values.Order().ToArray();
        var h = (sorted.Length - 1) * p / 100.0;
        var below = (int)Math.Floor(h);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + ((h - below) * (sorted[above] - sorted[below]));
    }
}
