namespace OpenCxo.Core.Initiatives;

/// <summary>The days two initiatives run together: from <see cref="From"/> to <see cref="To"/> (null: both still going, no end set).</summary>
public sealed record Overlap(DateOnly From, DateOnly? To);

/// <summary>
/// Two live initiatives of different departments, running at the same time, working on the same thing: the themes,
/// KPIs and journey stages they share.
/// </summary>
public sealed record DuplicateFinding(
    string First, string Second, IReadOnlyList<string> Themes, IReadOnlyList<string> Kpis, IReadOnlyList<InitiativeJourney> Journeys, Overlap Overlap);

/// <summary>
/// A target of a live initiative that the workspace no longer has (a KPI, journey stage or theme deleted since it was
/// saved): <see cref="Field"/> is <c>kpis</c>, <c>journeys</c> or <c>themes</c>. A deleted KPI has no metric, so
/// conflicts on it are found by its key only.
/// </summary>
public sealed record DanglingTarget(string Initiative, string Field, string Target);

public enum ConflictKind
{
    /// <summary>Both push the same KPI, or two KPIs on the same metric, one up and the other down.</summary>
    OppositeDirections,

    /// <summary>Each pushes its own KPI the way it wants, and the catalogue knows the two pull against each other.</summary>
    Tension,
}

/// <summary>Two live initiatives, running at the same time, whose KPI targets pull against each other.</summary>
public sealed record ConflictFinding(
    ConflictKind Kind, string First, InitiativeKpi FirstKpi, string Second, InitiativeKpi SecondKpi, Overlap Overlap, KpiTension? Tension)
{
    public string Reason => Tension?.Reason ?? (FirstKpi.Kpi == SecondKpi.Kpi
        ? $"one pushes {FirstKpi.Kpi} {Name(FirstKpi.Direction)}, the other {Name(SecondKpi.Direction)}"
        : $"one pushes {FirstKpi.Kpi} {Name(FirstKpi.Direction)}, the other {SecondKpi.Kpi} {Name(SecondKpi.Direction)}: both KPIs measure the same metric");

    private static string Name(KpiPush push) => push == KpiPush.Up ? "up" : "down";
}

/// <summary>
/// A known pull between two metrics: pushing <see cref="MetricA"/> <see cref="A"/> tends to move <see cref="MetricB"/>
/// against the way <see cref="B"/> wants it. Metric names are the catalogue's (<c>MetricCatalogue</c>).
/// </summary>
public sealed record KpiTension(string Key, string MetricA, KpiPush A, string MetricB, KpiPush B, string Reason);

/// <summary>The built-in catalogue of KPI tensions, at metric level, each with the one line shown to users (docs/initiatives.md).</summary>
public static class KpiTensions
{
    public static readonly IReadOnlyList<KpiTension> All =
    [
        // The canonical case, DESIGN.md "The problem it solves": service "answers that customer's 3 a.m. call with an
        // agent paid to keep handle time short, not to solve the problem".
        new("aht-fcr", "average_handle_time", KpiPush.Down, "first_contact_resolution", KpiPush.Up,
            "Agents pushed to keep calls short pass problems on instead of solving them: first-contact resolution falls."),
        new("aht-repeat", "average_handle_time", KpiPush.Down, "repeat_contact_7d", KpiPush.Down,
            "Calls cut short send customers back: repeat contacts within 7 days rise."),
        new("aht-csat", "average_handle_time", KpiPush.Down, "csat", KpiPush.Up,
            "Customers hurried off the line rate the contact lower."),
        new("deflection-csat", "contacts_per_customer", KpiPush.Down, "csat", KpiPush.Up,
            "Deflecting contacts to self-service leaves the customers who needed a person less satisfied."),
        new("deflection-ces", "contacts_per_customer", KpiPush.Down, "ces", KpiPush.Up,
            "A person made harder to reach raises the effort customers report."),
        new("conversion-churn", "lead_conversion", KpiPush.Up, "churn_rate", KpiPush.Down,
            "Closing leads who do not fit, to make quota, brings customers who cancel sooner."),
        new("conversion-retention", "lead_conversion", KpiPush.Up, "retention_rate", KpiPush.Up,
            "Closing leads who do not fit, to make quota, brings customers who do not stay."),
        new("speed-to-close-churn", "time_to_convert", KpiPush.Down, "churn_rate", KpiPush.Down,
            "Deals rushed to close skip the qualification that keeps customers."),
        new("acquisition-cost-retention", "cost_per_acquisition", KpiPush.Down, "retention_rate", KpiPush.Up,
            "The cheapest channels to acquire through tend to bring customers who stay less."),
        new("resolve-speed-repeat", "time_to_resolve", KpiPush.Down, "repeat_contact_7d", KpiPush.Down,
            "Tickets closed early to beat the clock come back as repeat contacts."),
    ];
}

/// <summary>
/// Duplicated efforts and conflicting programmes in a portfolio of initiatives (issue 10): what the CX council weeds out.
/// Only live initiatives (not done or stopped) whose dates overlap are compared; an initiative without an end runs on.
/// </summary>
public static class InitiativeFindings
{
    /// <summary>The days both run, or null when they do not meet (or either lacks a start).</summary>
    public static Overlap? OverlapOf(InitiativeDefinition a, InitiativeDefinition b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Start is not { } aStart || b.Start is not { } bStart)
        {
            return null;
        }

        var from = aStart > bStart ? aStart : bStart;
        DateOnly? to = (a.End, b.End) switch
        {
            (null, null) => null,
            (null, var e) => e,
            (var e, null) => e,
            (var x, var y) => x < y ? x : y,
        };
        return to is { } end && end < from ? null : new Overlap(from, to);
    }

    /// <summary>
    /// Pairs of live initiatives of different owner departments, overlapping in time, that share a theme, a KPI (the same
    /// key, or two KPIs on the same metric, <paramref name="kpiMetrics"/>: key → metric; both keys are named) or a
    /// journey stage (the same journey and step; the same journey when either names no step). Initiatives of one
    /// department sharing a target are not reported: one department's several levers on one KPI are usually one
    /// programme, and its head sees them together (docs/initiatives.md).
    /// </summary>
    public static IReadOnlyList<DuplicateFinding> Duplicates(IReadOnlyList<InitiativeDefinition> portfolio, IReadOnlyDictionary<string, string> kpiMetrics)
    {
        ArgumentNullException.ThrowIfNull(portfolio);
        ArgumentNullException.ThrowIfNull(kpiMetrics);
        var found = new List<DuplicateFinding>();
        foreach (var (a, b, overlap) in LivePairs(portfolio))
        {
            if (a.OwnerDepartment == b.OwnerDepartment)
            {
                continue;
            }

            var themes = a.EffectiveThemes.Intersect(b.EffectiveThemes, StringComparer.Ordinal).ToList();
            var kpis = a.EffectiveKpis.SelectMany(x => b.EffectiveKpis.Where(y => SameMeasure(x.Kpi, y.Kpi, kpiMetrics)).SelectMany(y => new[] { x.Kpi, y.Kpi }))
                .Distinct(StringComparer.Ordinal).ToList();
            var journeys = a.EffectiveJourneys
                .Where(x => b.EffectiveJourneys.Any(y => x.Journey == y.Journey && (x.Stage is null || y.Stage is null || x.Stage == y.Stage)))
                .ToList();
            if (themes.Count + kpis.Count + journeys.Count > 0)
            {
                found.Add(new DuplicateFinding(a.Key, b.Key, themes, kpis, journeys, overlap));
            }
        }

        return found;
    }

    /// <summary>
    /// Pairs of live initiatives, overlapping in time, of any departments, that push the same KPI (or two KPIs on the same
    /// metric) opposite ways or push
    /// two KPIs whose metrics (<paramref name="kpiMetrics"/>: KPI key → metric) pull against each other in
    /// <see cref="KpiTensions.All"/>. One finding per pair of targets.
    /// </summary>
    public static IReadOnlyList<ConflictFinding> Conflicts(IReadOnlyList<InitiativeDefinition> portfolio, IReadOnlyDictionary<string, string> kpiMetrics)
    {
        ArgumentNullException.ThrowIfNull(portfolio);
        ArgumentNullException.ThrowIfNull(kpiMetrics);
        var found = new List<ConflictFinding>();
        foreach (var (a, b, overlap) in LivePairs(portfolio))
        {
            foreach (var x in a.EffectiveKpis)
            {
                foreach (var y in b.EffectiveKpis)
                {
                    if (SameMeasure(x.Kpi, y.Kpi, kpiMetrics))
                    {
                        if (x.Direction != y.Direction)
                        {
                            found.Add(new ConflictFinding(ConflictKind.OppositeDirections, a.Key, x, b.Key, y, overlap, null));
                        }

                        continue;
                    }

                    if (kpiMetrics.GetValueOrDefault(x.Kpi) is { } mx && kpiMetrics.GetValueOrDefault(y.Kpi) is { } my
                        && KpiTensions.All.FirstOrDefault(t => Pulls(t, mx, x.Direction, my, y.Direction) || Pulls(t, my, y.Direction, mx, x.Direction)) is { } tension)
                    {
                        found.Add(new ConflictFinding(ConflictKind.Tension, a.Key, x, b.Key, y, overlap, tension));
                    }
                }
            }
        }

        return found;
    }

    /// <summary>
    /// The targets of live initiatives that the workspace no longer has (<paramref name="vocabulary"/>): saved before
    /// the KPI, journey stage or theme was deleted, they are kept (so the initiative can still be saved) and flagged here.
    /// </summary>
    public static IReadOnlyList<DanglingTarget> Dangling(IReadOnlyList<InitiativeDefinition> portfolio, InitiativeVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(portfolio);
        ArgumentNullException.ThrowIfNull(vocabulary);
        return [.. portfolio.Where(i => i.Live).SelectMany(i => Enumerable.Empty<DanglingTarget>()
            .Concat(i.EffectiveKpis.Where(k => !vocabulary.KpiMetrics.ContainsKey(k.Kpi)).Select(k => new DanglingTarget(i.Key, "kpis", k.Kpi)))
            .Concat(i.EffectiveJourneys.Where(j => !vocabulary.JourneyStages.Contains(j.Journey)).Select(j => new DanglingTarget(i.Key, "journeys", j.Journey)).DistinctBy(d => d.Target))
            .Concat(i.EffectiveThemes.Where(t => !vocabulary.Themes.Contains(t)).Select(t => new DanglingTarget(i.Key, "themes", t))))];
    }

    /// <summary>Two KPI keys measure the same thing: the same key, or two KPIs built on the same metric (sliced or not).</summary>
    private static bool SameMeasure(string x, string y, IReadOnlyDictionary<string, string> kpiMetrics) =>
        x == y || (kpiMetrics.GetValueOrDefault(x) is { } mx && kpiMetrics.GetValueOrDefault(y) is { } my && mx == my);

    private static bool Pulls(KpiTension t, string metricA, KpiPush a, string metricB, KpiPush b) =>
        t.MetricA == metricA && t.A == a && t.MetricB == metricB && t.B == b;

    private static IEnumerable<(InitiativeDefinition A, InitiativeDefinition B, Overlap Overlap)> LivePairs(IReadOnlyList<InitiativeDefinition> portfolio)
    {
        var live = portfolio.Where(i => i.Live).ToList();
        for (var i = 0; i < live.Count; i++)
        {
            for (var j = i + 1; j < live.Count; j++)
            {
                if (OverlapOf(live[i], live[j]) is { } overlap)
                {
                    yield return (live[i], live[j], overlap);
                }
            }
        }
    }
}
