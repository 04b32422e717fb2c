using OpenCxo.Core.Initiatives;
using OpenCxo.Core.Metrics;

namespace OpenCxo.Core.Tests.Initiatives;

/// <summary>Duplicates and conflicts on planted portfolios, with the near misses that must not be flagged.</summary>
public sealed class InitiativeFindingsTests
{
    private static readonly Dictionary<string, string> Metrics = new()
    {
        ["aht"] = "average_handle_time",
        ["fcr"] = "first_contact_resolution",
        ["csat"] = "csat",
        ["churn"] = "churn_rate",
        ["conversion"] = "lead_conversion",
        ["nps"] = "nps",
        ["aht-phone"] = "average_handle_time",
    };

    private static InitiativeDefinition Initiative(
        string key, string department, string start, string? end = null, InitiativeStatus status = InitiativeStatus.Active,
        InitiativeKpi[]? kpis = null, InitiativeJourney[]? journeys = null, string[]? themes = null) =>
        new(key, key, department, status, DateOnly.Parse(start, System.Globalization.CultureInfo.InvariantCulture),
            end is null ? null : DateOnly.Parse(end, System.Globalization.CultureInfo.InvariantCulture), Kpis: kpis, Journeys: journeys, Themes: themes);

    private static InitiativeKpi Up(string kpi) => new(kpi, KpiPush.Up);

    private static InitiativeKpi Down(string kpi) => new(kpi, KpiPush.Down);

    [Fact]
    public void Two_departments_on_one_theme_at_the_same_time_are_a_duplicate_with_the_overlap_named()
    {
        var portfolio = new[]
        {
            Initiative("billing-faq", "marketing", "2026-01-01", "2026-06-30", themes: ["billing", "delivery"]),
            Initiative("billing-callbacks", "service", "2026-03-15", "2026-09-30", themes: ["billing"]),
        };

        var finding = Assert.Single(InitiativeFindings.Duplicates(portfolio, Metrics));
        Assert.Equal(("billing-faq", "billing-callbacks"), (finding.First, finding.Second));
        Assert.Equal(["billing"], finding.Themes);
        Assert.Empty(finding.Kpis);
        Assert.Empty(finding.Journeys);
        Assert.Equal(new Overlap(new DateOnly(2026, 3, 15), new DateOnly(2026, 6, 30)), finding.Overlap);
    }

    [Fact]
    public void A_shared_kpi_and_a_shared_journey_stage_count_and_an_open_end_runs_on()
    {
        var portfolio = new[]
        {
            Initiative("onboarding-calls", "sales", "2026-02-01", kpis: [Up("nps")], journeys: [new("onboarding", "activation")]),
            Initiative("onboarding-app", "product", "2026-05-01", kpis: [Up("nps"), Up("csat")], journeys: [new("onboarding")]),
        };

        var finding = Assert.Single(InitiativeFindings.Duplicates(portfolio, Metrics));
        Assert.Equal(["nps"], finding.Kpis);

        // Journey without a step meets any step of the same journey.
        Assert.Equal([new InitiativeJourney("onboarding", "activation")], finding.Journeys);
        Assert.Equal(new Overlap(new DateOnly(2026, 5, 1), null), finding.Overlap);
    }

    [Fact]
    public void Near_misses_are_not_duplicates()
    {
        var portfolio = new[]
        {
            // Same department, same theme: one department's own programme.
            Initiative("s1", "service", "2026-01-01", "2026-12-31", themes: ["billing"]),
            Initiative("s2", "service", "2026-01-01", "2026-12-31", themes: ["billing"]),

            // Another department, same theme, but over the year before.
            Initiative("m-before", "marketing", "2025-01-01", "2025-12-31", themes: ["billing"]),

            // Done and stopped initiatives no longer compete.
            Initiative("m-done", "marketing", "2026-01-01", "2026-12-31", InitiativeStatus.Done, themes: ["billing"]),
            Initiative("p-stopped", "product", "2026-01-01", null, InitiativeStatus.Stopped, themes: ["billing"]),

            // Another department at the same time on another step of the same journey, another theme and another KPI.
            Initiative("sales-other", "sales", "2026-01-01", "2026-12-31", kpis: [Up("conversion")], journeys: [new("service", "billing-call")], themes: ["delivery"]),
            Initiative("service-other", "service", "2026-06-01", null, kpis: [Up("nps")], journeys: [new("service", "repair-call")]),
        };

        Assert.Empty(InitiativeFindings.Duplicates(portfolio, Metrics));
    }

    [Fact]
    public void Dates_that_touch_on_one_day_overlap_that_day()
    {
        var a = Initiative("a", "sales", "2026-01-01", "2026-03-31", themes: ["billing"]);
        var b = Initiative("b", "service", "2026-03-31", "2026-06-30", themes: ["billing"]);
        var c = Initiative("c", "service", "2026-04-01", "2026-06-30", themes: ["billing"]);
        Assert.Equal(new Overlap(new DateOnly(2026, 3, 31), new DateOnly(2026, 3, 31)), InitiativeFindings.OverlapOf(a, b));
        Assert.Null(InitiativeFindings.OverlapOf(a, c));
    }

    [Fact]
    public void The_same_kpi_pushed_both_ways_is_a_conflict_even_within_one_department()
    {
        var portfolio = new[]
        {
            Initiative("upsell-calls", "service", "2026-01-01", "2026-06-30", kpis: [Up("aht")]),
            Initiative("quick-calls", "service", "2026-04-01", "2026-12-31", kpis: [Down("aht")]),
        };

        var conflict = Assert.Single(InitiativeFindings.Conflicts(portfolio, Metrics));
        Assert.Equal(ConflictKind.OppositeDirections, conflict.Kind);
        Assert.Equal(("upsell-calls", "aht", KpiPush.Up, "quick-calls", KpiPush.Down), (conflict.First, conflict.FirstKpi.Kpi, conflict.FirstKpi.Direction, conflict.Second, conflict.SecondKpi.Direction));
        Assert.Equal(new Overlap(new DateOnly(2026, 4, 1), new DateOnly(2026, 6, 30)), conflict.Overlap);
        Assert.Equal("one pushes aht up, the other down", conflict.Reason);
    }

    [Fact]
    public void Shorter_handle_time_against_first_contact_resolution_is_the_catalogued_tension_either_way_round()
    {
        var portfolio = new[]
        {
            Initiative("fix-first-time", "product", "2026-01-01", null, InitiativeStatus.Approved, kpis: [Up("fcr")]),
            Initiative("short-calls", "service", "2026-02-01", "2026-08-31", kpis: [Down("aht")]),
        };

        var conflict = Assert.Single(InitiativeFindings.Conflicts(portfolio, Metrics));
        Assert.Equal(ConflictKind.Tension, conflict.Kind);
        Assert.Equal("aht-fcr", conflict.Tension!.Key);
        Assert.Equal(("fix-first-time", "fcr", "short-calls", "aht"), (conflict.First, conflict.FirstKpi.Kpi, conflict.Second, conflict.SecondKpi.Kpi));
        Assert.StartsWith("Agents pushed to keep calls short", conflict.Reason, StringComparison.Ordinal);
        Assert.Equal(new Overlap(new DateOnly(2026, 2, 1), new DateOnly(2026, 8, 31)), conflict.Overlap);
    }

    [Fact]
    public void Near_misses_are_not_conflicts()
    {
        var portfolio = new[]
        {
            // Same KPI, same way: a duplicate perhaps, not a conflict.
            Initiative("a1", "service", "2026-01-01", null, kpis: [Down("aht")]),
            Initiative("a2", "sales", "2026-01-01", null, kpis: [Down("aht")]),

            // Resolution up: against a1 and a2's shorter calls, the one conflict planted here.
            Initiative("b1", "product", "2026-01-01", null, kpis: [Up("fcr")]),

            // Opposite ways on a KPI, but over before the others began, or done, or stopped.
            Initiative("c-past", "marketing", "2025-01-01", "2025-12-31", kpis: [Up("aht")]),
            Initiative("c-done", "marketing", "2026-01-01", null, InitiativeStatus.Done, kpis: [Up("aht")]),
            Initiative("c-stopped", "marketing", "2026-01-01", null, InitiativeStatus.Stopped, kpis: [Up("fcr"), Up("aht")]),

            // Sales pushing conversion up while nobody pushes churn.
            Initiative("d1", "sales", "2026-01-01", null, kpis: [Up("conversion")]),
        };

        var conflicts = InitiativeFindings.Conflicts(portfolio, Metrics);

        // The one real conflict planted here: a1/a2 shorten calls while b1 wants resolution up.
        Assert.Equal([("a1", "b1"), ("a2", "b1")], conflicts.Select(c => (c.First, c.Second)));
        Assert.All(conflicts, c => Assert.Equal("aht-fcr", c.Tension!.Key));
    }

    [Fact]
    public void Two_kpis_on_the_same_metric_pushed_opposite_ways_are_a_conflict_and_across_departments_a_duplicate()
    {
        // aht and aht-phone are both average handle time (docs/initiatives.md: the findings work at the level of metrics).
        var portfolio = new[]
        {
            Initiative("short-calls", "service", "2026-01-01", kpis: [Down("aht")]),
            Initiative("phone-care", "product", "2026-02-01", kpis: [Up("aht-phone")]),
        };

        var conflict = Assert.Single(InitiativeFindings.Conflicts(portfolio, Metrics));
        Assert.Equal((ConflictKind.OppositeDirections, "aht", "aht-phone"), (conflict.Kind, conflict.FirstKpi.Kpi, conflict.SecondKpi.Kpi));
        Assert.Contains("same metric", conflict.Reason, StringComparison.Ordinal);
        Assert.Equal(["aht", "aht-phone"], Assert.Single(InitiativeFindings.Duplicates(portfolio, Metrics)).Kpis);

        // Without the metrics known, the two keys are unrelated.
        Assert.Empty(InitiativeFindings.Conflicts(portfolio, new Dictionary<string, string>()));
        Assert.Empty(InitiativeFindings.Duplicates(portfolio, new Dictionary<string, string>()));
    }

    [Fact]
    public void Targets_the_workspace_no_longer_has_are_flagged_for_live_initiatives_and_their_key_conflicts_still_found()
    {
        var vocabulary = new InitiativeVocabulary(
            new Dictionary<string, string> { ["fcr"] = "first_contact_resolution" }, new HashSet<string> { "service" }, new HashSet<string> { "billing" });
        var portfolio = new[]
        {
            Initiative("short-calls", "service", "2026-01-01", kpis: [Down("aht"), Up("fcr")], journeys: [new("onboarding", "a"), new("onboarding", "b")], themes: ["billing", "weather"]),
            Initiative("long-calls", "product", "2026-01-01", kpis: [Up("aht")]),
            Initiative("old", "sales", "2025-01-01", "2025-06-30", InitiativeStatus.Done, kpis: [Up("gone")]),
        };

        Assert.Equal(
            [new("short-calls", "kpis", "aht"), new("short-calls", "journeys", "onboarding"), new("short-calls", "themes", "weather"), new DanglingTarget("long-calls", "kpis", "aht")],
            InitiativeFindings.Dangling(portfolio, vocabulary));

        // The deleted KPI has no metric any more, but the same key pushed both ways is still a conflict.
        var conflict = Assert.Single(InitiativeFindings.Conflicts(portfolio, vocabulary.KpiMetrics));
        Assert.Equal((ConflictKind.OppositeDirections, "aht"), (conflict.Kind, conflict.FirstKpi.Kpi));
    }

    [Fact]
    public void Sales_conversion_against_churn_is_a_tension_and_unknown_kpis_are_ignored()
    {
        var portfolio = new[]
        {
            Initiative("quota-push", "sales", "2026-01-01", null, kpis: [Up("conversion"), Up("unknown")]),
            Initiative("save-desk", "service", "2026-01-01", null, kpis: [Down("churn")]),
        };

        var conflict = Assert.Single(InitiativeFindings.Conflicts(portfolio, Metrics));
        Assert.Equal("conversion-churn", conflict.Tension!.Key);
    }

    [Fact]
    public void Every_tension_names_catalogue_metrics_and_a_reason_and_no_pair_twice()
    {
        foreach (var t in KpiTensions.All)
        {
            Assert.NotNull(MetricCatalogue.Find(t.MetricA));
            Assert.NotNull(MetricCatalogue.Find(t.MetricB));
            Assert.NotEqual(t.MetricA, t.MetricB);
            Assert.EndsWith(".", t.Reason, StringComparison.Ordinal);
        }

        Assert.Equal(KpiTensions.All.Count, KpiTensions.All.Select(t => t.Key).Distinct().Count());
        Assert.Equal(KpiTensions.All.Count, KpiTensions.All.Select(t => string.Join('|', new[] { t.MetricA, t.MetricB }.Order(StringComparer.Ordinal))).Distinct().Count());
    }
}
