using OpenCxo.Core.Initiatives;

namespace OpenCxo.Core.Tests.Initiatives;

/// <summary>Before/after impact checked against hand-computed values, and its refusals.</summary>
public sealed class InitiativeImpactTests
{
    private static readonly DateOnly Start = new(2026, 4, 1);

    /// <summary>Monthly periods from <paramref name="first"/>, each value with a 95 % interval of ± 1.96 (standard error 1) unless said otherwise.</summary>
    private static List<KpiPeriodValue> Months(DateOnly first, double?[] values, double halfWidth = 1.959963984540054) =>
        [.. values.Select((v, i) => new KpiPeriodValue(first.AddMonths(i), first.AddMonths(i + 1).AddDays(-1), v, v - halfWidth, v + halfWidth, 100))];

    [Fact]
    public void Equal_windows_either_side_of_the_start_give_the_hand_computed_means_change_and_intervals()
    {
        // Jan–Mar: 10, 12, 14 (before); Apr–Jun: 8, 8, 8 (after); July is not complete by today.
        var periods = Months(new DateOnly(2026, 1, 1), [10, 12, 14, 8, 8, 8]);
        var impact = InitiativeImpacts.Measure(new InitiativeKpi("aht", KpiPush.Down), Start, null, new DateOnly(2026, 7, 15), periods, []);

        Assert.Equal((3, 3), (impact.PeriodsBefore, impact.PeriodsAfter));
        Assert.Equal(12, impact.Before!.Mean, 10);
        Assert.Equal(8, impact.After!.Mean, 10);
        Assert.Equal(-4, impact.Change!.Value, 10);
        Assert.True(impact.Intended);

        // Mean's standard error √3 / 3 = 0.57735; half-width 1.96 × 0.57735 = 1.13159.
        Assert.Equal(10.86841, impact.Before.Low!.Value, 4);
        Assert.Equal(13.13159, impact.Before.High!.Value, 4);
        Assert.Equal(6.86841, impact.After.Low!.Value, 4);
        Assert.Equal(9.13159, impact.After.High!.Value, 4);
        Assert.True(impact.Separate);
        Assert.Equal((new DateOnly(2026, 1, 1), new DateOnly(2026, 3, 31)), (impact.Before.From, impact.Before.To));
        Assert.Equal((new DateOnly(2026, 4, 1), new DateOnly(2026, 6, 30)), (impact.After.From, impact.After.To));
        Assert.Equal([ImpactCaveat.NotAnExperiment, ImpactCaveat.Seasonality, ImpactCaveat.RegressionToTheMean], impact.Caveats);
    }

    [Fact]
    public void The_windows_are_as_long_as_the_shorter_side_and_a_change_the_wrong_way_is_said()
    {
        // Five months before (only the last three count: 20, 21, 22), three after (19, 20, 21); the KPI should go up.
        var periods = Months(new DateOnly(2025, 11, 1), [50, 50, 20, 21, 22, 19, 20, 21], halfWidth: 3.919927969080108);
        var impact = InitiativeImpacts.Measure(new InitiativeKpi("csat", KpiPush.Up), Start, new DateOnly(2026, 6, 30), new DateOnly(2026, 12, 1), periods, []);

        Assert.Equal((5, 3), (impact.PeriodsBefore, impact.PeriodsAfter));
        Assert.Equal(21, impact.Before!.Mean, 10);
        Assert.Equal(20, impact.After!.Mean, 10);
        Assert.Equal(-1, impact.Change!.Value, 10);
        Assert.False(impact.Intended);

        // Each se 2: the mean's √12 / 3 = 1.1547, half-width 2.2632; 21 ± 2.26 and 20 ± 2.26 overlap.
        Assert.Equal(21 - 2.26318, impact.Before.Low!.Value, 4);
        Assert.False(impact.Separate);
    }

    [Fact]
    public void Too_few_periods_give_no_number_but_say_how_many_there_are()
    {
        var periods = Months(new DateOnly(2026, 1, 1), [10, 12, 14, 8, 8]);
        var impact = InitiativeImpacts.Measure(new InitiativeKpi("aht", KpiPush.Down), Start, null, new DateOnly(2026, 6, 10), periods, []);

        Assert.Equal((3, 2), (impact.PeriodsBefore, impact.PeriodsAfter));
        Assert.Null(impact.Before);
        Assert.Null(impact.After);
        Assert.Null(impact.Change);
        Assert.Null(impact.Intended);
        Assert.Contains(ImpactCaveat.TooFewPeriods, impact.Caveats);
        Assert.Contains(ImpactCaveat.NotAnExperiment, impact.Caveats);
    }

    [Fact]
    public void A_period_straddling_the_start_and_periods_without_a_value_count_on_neither_side()
    {
        // Periods of 10 days: 25 Mar–3 Apr straddles the start; one after has no value.
        var periods = new List<KpiPeriodValue>
        {
            new(new DateOnly(2026, 2, 23), new DateOnly(2026, 3, 4), 5),
            new(new DateOnly(2026, 3, 5), new DateOnly(2026, 3, 14), 6),
            new(new DateOnly(2026, 3, 15), new DateOnly(2026, 3, 24), 7),
            new(new DateOnly(2026, 3, 25), new DateOnly(2026, 4, 3), 100),
            new(new DateOnly(2026, 4, 4), new DateOnly(2026, 4, 13), 9),
            new(new DateOnly(2026, 4, 14), new DateOnly(2026, 4, 23), null),
            new(new DateOnly(2026, 4, 24), new DateOnly(2026, 5, 3), 10),
            new(new DateOnly(2026, 5, 4), new DateOnly(2026, 5, 13), 11),
        };
        var impact = InitiativeImpacts.Measure(new InitiativeKpi("active", KpiPush.Up), Start, null, new DateOnly(2026, 6, 1), periods, ["other-push"]);

        Assert.Equal(6, impact.Before!.Mean, 10);
        Assert.Equal(10, impact.After!.Mean, 10);

        // Counts have no interval: nothing said about separation, and the caveats say why and name the other initiative.
        Assert.Null(impact.Separate);
        Assert.Contains(ImpactCaveat.NoInterval, impact.Caveats);
        Assert.Contains(ImpactCaveat.OtherInitiatives, impact.Caveats);
        Assert.Equal(["other-push"], impact.OtherInitiatives);
    }

    [Fact]
    public void Other_initiatives_on_the_same_kpi_are_named_when_their_dates_meet_the_window_whatever_their_status()
    {
        var portfolio = new[]
        {
            new InitiativeDefinition("self", "Self", "service", Start: Start, Kpis: [new("aht", KpiPush.Down)]),
            new InitiativeDefinition("done-in-window", "D", "sales", InitiativeStatus.Done, new DateOnly(2026, 1, 1), new DateOnly(2026, 4, 15), Kpis: [new("aht", KpiPush.Down)]),
            new InitiativeDefinition("ended-before", "E", "sales", Start: new DateOnly(2025, 1, 1), End: new DateOnly(2026, 3, 31), Kpis: [new("aht", KpiPush.Down)]),
            new InitiativeDefinition("other-kpi", "O", "sales", Start: new DateOnly(2026, 1, 1), Kpis: [new("fcr", KpiPush.Up)]),
            new InitiativeDefinition("starts-later", "L", "sales", Start: new DateOnly(2026, 7, 1), Kpis: [new("aht", KpiPush.Up)]),
        };

        Assert.Equal(["done-in-window"], InitiativeImpacts.OthersOn("aht", "self", portfolio, Start, new DateOnly(2026, 6, 30)));
    }
}
