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

    /// <summary>A period has no interval (a count of the whole population, or too few answers), so nothing is said about separation.</summary>
    NoInterval,
}

/// <summary>The mean of a KPI over consecutive periods, and the 95 % interval of that mean when every period has one.</summary>
public sealed record ImpactWindow(DateOnly From, DateOnly To, int Periods, double Mean, double? Low, double? High);

/// <summary>
/// The realised impact on one targeted KPI: the mean over equal windows of periods before the start and from it, the
/// change, whether it went the intended way and whether the windows' intervals separate — and what the comparison
/// cannot claim. <see cref="Before"/> and <see cref="After"/> are null when there are too few periods to compare.
/// </summary>
public sealed record KpiImpact(
    InitiativeKpi Target, int PeriodsBefore, int PeriodsAfter, ImpactWindow? Before, ImpactWindow? After, IReadOnlyList<string> OtherInitiatives,
    IReadOnlyList<ImpactCaveat> Caveats)
{
    public double? Change => Before is { } b && After is { } a ? a.Mean - b.Mean : null;

    /// <summary>Moved the way the initiative wanted; null when there is no change to judge.</summary>
    public bool? Intended => Change is { } c ? c != 0 && (c > 0) == (Target.Direction == KpiPush.Up) : null;

    /// <summary>The two windows' intervals do not overlap; null when either lacks one.</summary>
    public bool? Separate => Before is { Low: { } bl, High: { } bh } && After is { Low: { } al, High: { } ah } ? al > bh || ah < bl : null;
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
    /// start belongs to neither. Each window's interval treats its periods as independent estimates: the mean's standard
    /// error is √(Σ seᵢ²) / k, each seᵢ read from the period's 95 % interval as (high − low) / (2 × 1.96).
    /// </summary>
    public static KpiImpact Measure(
        InitiativeKpi target, DateOnly start, DateOnly? end, DateOnly today, IReadOnlyList<KpiPeriodValue> periods, IReadOnlyList<string> otherInitiatives)
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

        var k = Math.Min(Math.Min(before.Count, after.Count), MaximumPeriods);
        if (k < MinimumPeriods)
        {
            caveats.Add(ImpactCaveat.TooFewPeriods);
            return new KpiImpact(target, before.Count, after.Count, null, null, otherInitiatives, caveats);
        }

        var beforeWindow = Window(before.TakeLast(k).ToList());
        var afterWindow = Window(after.Take(k).ToList());
        if (beforeWindow.Low is null || afterWindow.Low is null)
        {
            caveats.Add(ImpactCaveat.NoInterval);
        }

        return new KpiImpact(target, before.Count, after.Count, beforeWindow, afterWindow, otherInitiatives, caveats);
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
        var mean = periods.Average(p => p.Value!.Value);
        double? low = null, high = null;
        if (periods.All(p => p.Low is { } l && p.High is { } h && double.IsFinite(l) && double.IsFinite(h)))
        {
            var se = Math.Sqrt(periods.Sum(p => Math.Pow((p.High!.Value - p.Low!.Value) / (2 * Z95), 2))) / periods.Count;
            (low, high) = (mean - Z95 * se, mean + Z95 * se);
        }

        return new ImpactWindow(periods[0].From, periods[^1].To, periods.Count, mean, low, high);
    }
}
