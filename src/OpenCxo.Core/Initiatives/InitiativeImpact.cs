using MathNet.Numerics.Distributions;
using OpenCxo.Core.Metrics;

namespace OpenCxo.Core.Initiatives;

/// <summary>A KPI's value over one complete period, with its interval where the metric has one (a stored KPI snapshot).</summary>
public sealed record KpiPeriodValue(DateOnly From, DateOnly To, double? Value, double? Low = null, double? High = null, long N = 0);

/// <summary>What a before/after comparison cannot rule out, or why it gives no number.</summary>
public enum ImpactCaveat
{
    /// <summary>Always: nothing was held out, so the comparison shows that the KPI moved, not what moved it.</summary>
    NotAnExperiment,

    /// <summary>Always: the two windows are different times of the year.</summary>
    Seasonality,

    /// <summary>Always: an initiative started because a KPI was bad would see it come back towards its usual level anyway.</summary>
    RegressionToTheMean,

    /// <summary>Other initiatives targeted the same KPI while the after window ran (named in the result).</summary>
    OtherInitiatives,

    /// <summary>Fewer than <see cref="InitiativeImpacts.MinimumPeriods"/> measured periods on one side: no number is given.</summary>
    TooFewPeriods,

    /// <summary>A period has no interval (a count of the whole population, or too few answers), so nothing is said about the noise.</summary>
    NoInterval,

    /// <summary>The initiative is proposed or approved: it has not run, so no number is given.</summary>
    NotStarted,

    /// <summary>The KPI was already moving the way it changed over the before window: the trend going on can explain the change.</summary>
    TrendBefore,
}

/// <summary>The mean of a KPI over consecutive periods, and its 95 % interval when every period has one.</summary>
public sealed record ImpactWindow(DateOnly From, DateOnly To, int Periods, double Mean, double? Low, double? High, double? StandardError);

/// <summary>The 95 % interval of the change (after less before), with the Welch–Satterthwaite degrees of freedom of its t.</summary>
public sealed record ChangeInterval(double Low, double High, double DegreesOfFreedom)
{
    public bool ExcludesZero => Low > 0 || High < 0;
}

/// <summary>
/// The realised impact on one targeted KPI: the mean over equal windows of periods before the start and from it, the
/// change with its interval, whether it went the intended way and whether it is larger than the noise and the trend
/// before the start — and what the comparison cannot claim. <see cref="Before"/> and <see cref="After"/> are null when
/// there is no number (too few periods, or the initiative has not started).
/// </summary>
public sealed record KpiImpact(
    InitiativeKpi Target, int PeriodsBefore, int PeriodsAfter, ImpactWindow? Before, ImpactWindow? After, ChangeInterval? Interval, double? SlopeBefore,
    IReadOnlyList<string> OtherInitiatives, IReadOnlyList<ImpactCaveat> Caveats)
{
    public double? Change => Before is { } b && After is { } a ? a.Mean - b.Mean : null;

    /// <summary>Moved the way the initiative wanted; null when there is no change to judge.</summary>
    public bool? Intended => Change is { } c ? c != 0 && (c > 0) == (Target.Direction == KpiPush.Up) : null;

    /// <summary>The before window's trend carried on over the distance between the windows' middles: <c>slope × k</c>.</summary>
    public double? TrendCarriedOn => SlopeBefore is { } s && Before is { } b ? s * b.Periods : null;

    /// <summary>
    /// Larger than the noise: the change's interval excludes 0, and so does the change less the before trend carried on
    /// (with the same half-width, on the same side). Null when the periods have no interval to judge by.
    /// </summary>
    public bool? Real => Interval is { } i && Change is { } c
        ? i.ExcludesZero && (c - (TrendCarriedOn ?? 0)) is var net && Math.Sign(net) == Math.Sign(c) && Math.Abs(net) > (i.High - i.Low) / 2
        : null;
}

/// <summary>Before/after comparison of the KPIs an initiative targets (docs/initiatives.md, "Realised impact").</summary>
public static class InitiativeImpacts
{
    /// <summary>Periods needed on each side: with fewer, one unusual month decides the answer.</summary>
    public const int MinimumPeriods = 3;

    /// <summary>Periods compared on each side at most: a year of months.</summary>
    public const int MaximumPeriods = 12;

    private const double Z95 = 1.959963984540054;

    /// <summary>
    /// Compares the last <c>k</c> measured periods ending before <paramref name="start"/> with the first <c>k</c> that begin
    /// on or after it and end by <paramref name="end"/> (or <paramref name="today"/>), <c>k</c> the smaller count on either
    /// side (at most <see cref="MaximumPeriods"/>): equal windows either side of the start. A period that straddles the
    /// start belongs to neither. A proposed or approved initiative has not run: no number.
    /// <para>
    /// Each window's mean has the standard error max(√(Σ seᵢ²) / k, s / √k): the larger of the periods' own sampling
    /// error (each seᵢ read from its 95 % interval as (high − low) / (2 × 1.96)) and the spread s of the k values from
    /// period to period, so that a large N cannot hide the month-to-month drift. The change's interval is Welch's
    /// (Welch 1947): t at the Welch–Satterthwaite degrees of freedom (seB² + seA²)² / ((seB⁴ + seA⁴) / (k − 1)) times
    /// √(seB² + seA²). The before window's least-squares slope is reported; when it points the way of the change the
    /// <see cref="ImpactCaveat.TrendBefore"/> caveat is added.
    /// </para>
    /// </summary>
    public static KpiImpact Measure(
        InitiativeKpi target, InitiativeStatus status, DateOnly start, DateOnly? end, DateOnly today, IReadOnlyList<KpiPeriodValue> periods, IReadOnlyList<string> otherInitiatives)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(periods);
        ArgumentNullException.ThrowIfNull(otherInitiatives);
        var last = end is { } e && e < today ? e : today;
        var measured = periods.Where(p => p.Value is { } v && double.IsFinite(v)).OrderBy(p => p.From).ToList();
        var before = measured.Where(p => p.To < start).ToList();
        var after = measured.Where(p => p.From >= start && p.To <= last).ToList();
        var caveats = new List<ImpactCaveat> { ImpactCaveat.NotAnExperiment, ImpactCaveat.Seasonality, ImpactCaveat.RegressionToTheMean };
        if (otherInitiatives.Count > 0)
        {
            caveats.Add(ImpactCaveat.OtherInitiatives);
        }

        if (status is InitiativeStatus.Proposed or InitiativeStatus.Approved)
        {
            caveats.Add(ImpactCaveat.NotStarted);
            return new KpiImpact(target, before.Count, after.Count, null, null, null, null, otherInitiatives, caveats);
        }

        var k = Math.Min(Math.Min(before.Count, after.Count), MaximumPeriods);
        if (k < MinimumPeriods)
        {
            caveats.Add(ImpactCaveat.TooFewPeriods);
            return new KpiImpact(target, before.Count, after.Count, null, null, null, null, otherInitiatives, caveats);
        }

        var beforeWindow = Window(before.TakeLast(k).ToList());
        var afterWindow = Window(after.Take(k).ToList());
        var slope = KpiRules.Trend([.. before.TakeLast(k).Select((p, i) => ((double)i, p.Value!.Value))], KpiDirection.AtLeast)?.Slope ?? 0;
        var change = afterWindow.Mean - beforeWindow.Mean;
        if (slope != 0 && Math.Sign(slope) == Math.Sign(change))
        {
            caveats.Add(ImpactCaveat.TrendBefore);
        }

        ChangeInterval? interval = null;
        if (beforeWindow.StandardError is { } seB && afterWindow.StandardError is { } seA)
        {
            var variance = (seB * seB) + (seA * seA);
            var df = variance == 0 ? 2 * (k - 1) : variance * variance / ((Math.Pow(seB, 4) + Math.Pow(seA, 4)) / (k - 1));
            var half = StudentT.InvCDF(0, 1, df, 0.975) * Math.Sqrt(variance);
            interval = new ChangeInterval(change - half, change + half, df);
        }
        else
        {
            caveats.Add(ImpactCaveat.NoInterval);
        }

        return new KpiImpact(target, before.Count, after.Count, beforeWindow, afterWindow, interval, slope, otherInitiatives, caveats);
    }

    /// <summary>The other initiatives that target <paramref name="kpi"/> and whose dates meet [<paramref name="from"/>, <paramref name="to"/>], whatever their status: any of them may have moved it.</summary>
    public static IReadOnlyList<string> OthersOn(string kpi, string self, IEnumerable<InitiativeDefinition> portfolio, DateOnly from, DateOnly to)
    {
        ArgumentNullException.ThrowIfNull(portfolio);
        return [.. portfolio
            .Where(i => i.Key != self && i.Start is { } s && s <= to && (i.End is not { } e || e >= from) && i.EffectiveKpis.Any(k => k.Kpi == kpi))
            .Select(i => i.Key)];
    }

    private static ImpactWindow Window(List<KpiPeriodValue> periods)
    {
        var k = periods.Count;
        var mean = periods.Average(p => p.Value!.Value);
        if (!periods.All(p => p.Low is { } l && p.High is { } h && double.IsFinite(l) && double.IsFinite(h)))
        {
            return new ImpactWindow(periods[0].From, periods[^1].To, k, mean, null, null, null);
        }

        var within = Math.Sqrt(periods.Sum(p => Math.Pow((p.High!.Value - p.Low!.Value) / (2 * Z95), 2))) / k;
        var spread = Math.Sqrt(periods.Sum(p => Math.Pow(p.Value!.Value - mean, 2)) / (k - 1));
        var se = Math.Max(within, spread / Math.Sqrt(k));
        var half = StudentT.InvCDF(0, 1, k - 1, 0.975) * se;
        return new ImpactWindow(periods[0].From, periods[^1].To, k, mean, mean - half, mean + half, se);
    }
}
