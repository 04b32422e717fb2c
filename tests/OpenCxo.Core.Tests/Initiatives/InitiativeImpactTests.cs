using OpenCxo.Core.Initiatives;

namespace OpenCxo.Core.Tests.Initiatives;

/// <summary>Before/after impact checked against hand-computed values, and its refusals.</summary>
public sealed class InitiativeImpactTests
{
    private static readonly DateOnly Start = new(2026, 4, 1);

    /// <summary>Monthly periods from <paramref name="first"/>, each value with a 95 % interval of ± 1.96 (standard error 1) unless said otherwise.</summary>
    private static List<KpiPeriodValue> Months(DateOnly first, double?[] values, double halfWidth = 1.959963984540054) =>
        [.. values.Select((v, i) => new KpiPeriodValue(first.AddMonths(i), first.AddMonths(i + 1).AddDays(-1), v, v - halfWidth, v + halfWidth, 100))];

    // Student's t quantiles for a 95 % two-sided interval, from the NIST/SEMATECH e-Handbook of Statistical Methods,
    // 1.3.6.7.2 "Critical Values of the Student's t Distribution": t(0.975, 2) = 4.303, t(0.975, 4) = 2.776.
    private const double T2 = 4.302652729749464;
    private const double T4 = 2.7764451051977987;

    private static KpiImpact Measure(InitiativeKpi target, IReadOnlyList<KpiPeriodValue> periods, DateOnly today, DateOnly? end = null, InitiativeStatus status = InitiativeStatus.Active) =>
        InitiativeImpacts.Measure(target, status, Start, end, today, periods, []);

    [Fact]
    public void Equal_windows_either_side_of_the_start_give_the_hand_computed_means_change_and_welch_interval()
    {
        // Jan–Mar: 20, 22, 21 (before); Apr–Jun: 10, 12, 11 (after); July is not complete by today.
        var periods = Months(new DateOnly(2026, 1, 1), [20, 22, 21, 10, 12, 11]);
        var impact = Measure(new InitiativeKpi("aht", KpiPush.Down), periods, new DateOnly(2026, 7, 15));

        Assert.Equal((3, 3), (impact.PeriodsBefore, impact.PeriodsAfter));
        Assert.Equal(21, impact.Before!.Mean, 10);
        Assert.Equal(11, impact.After!.Mean, 10);
        Assert.Equal(-10, impact.Change!.Value, 10);
        Assert.True(impact.Intended);

        // Each window: within-period error √3 / 3 = 0.57735; spread s = 1, s / √3 = 0.57735; the larger is 0.57735.
        // Window interval 21 ± t(2) × 0.57735 = 21 ± 2.48414.
        Assert.Equal(0.57735, impact.Before.StandardError!.Value, 5);
        Assert.Equal(21 - 2.48414, impact.Before.Low!.Value, 4);
        Assert.Equal(11 + 2.48414, impact.After.High!.Value, 4);

        // Welch (1947): se of the change √(2 × 0.57735²) = 0.81650; Welch–Satterthwaite df (2a)² / (2a² / 2) = 4 with a = 1/3;
        // half-width t(4) × 0.81650 = 2.26695.
        Assert.Equal(4, impact.Interval!.DegreesOfFreedom, 6);
        Assert.Equal(-10 - (T4 * 0.816497), impact.Interval.Low, 4);
        Assert.Equal(-10 + (T4 * 0.816497), impact.Interval.High, 4);

        // The before slope is +0.5 a period (least squares on 20, 22, 21), the other way from the change: no trend caveat;
        // the change less the trend carried on, −10 − 1.5, is still beyond the half-width.
        Assert.Equal(0.5, impact.SlopeBefore!.Value, 10);
        Assert.True(impact.Real);
        Assert.Equal((new DateOnly(2026, 1, 1), new DateOnly(2026, 3, 31)), (impact.Before.From, impact.Before.To));
        Assert.Equal((new DateOnly(2026, 4, 1), new DateOnly(2026, 6, 30)), (impact.After.From, impact.After.To));
        Assert.Equal([ImpactCaveat.NotAnExperiment, ImpactCaveat.Seasonality, ImpactCaveat.RegressionToTheMean], impact.Caveats);
    }

    [Fact]
    public void The_windows_are_as_long_as_the_shorter_side_and_a_change_within_the_noise_is_not_called_real()
    {
        // Five months before (only the last three count: 20, 21, 22), three after (19, 20, 21); the KPI should go up.
        var periods = Months(new DateOnly(2025, 11, 1), [50, 50, 20, 21, 22, 19, 20, 21], halfWidth: 3.919927969080108);
        var impact = Measure(new InitiativeKpi("csat", KpiPush.Up), periods, new DateOnly(2026, 12, 1), end: new DateOnly(2026, 6, 30));

        Assert.Equal((5, 3), (impact.PeriodsBefore, impact.PeriodsAfter));
        Assert.Equal(21, impact.Before!.Mean, 10);
        Assert.Equal(20, impact.After!.Mean, 10);
        Assert.Equal(-1, impact.Change!.Value, 10);
        Assert.False(impact.Intended);

        // Each se 2: within-period √12 / 3 = 1.1547 beats the spread 1 / √3; window 21 ± t(2) × 1.1547 = 21 ± 4.96828.
        Assert.Equal(21 - 4.96828, impact.Before.Low!.Value, 4);

        // Change −1 ± t(4) × √(2 × 1.1547²) = −1 ± 4.53390: includes 0.
        Assert.Equal(-1 - 4.53390, impact.Interval!.Low, 4);
        Assert.Equal(-1 + 4.53390, impact.Interval.High, 4);
        Assert.False(impact.Interval.ExcludesZero);
        Assert.False(impact.Real);
    }

    [Fact]
    public void A_drift_from_period_to_period_is_noise_even_when_every_period_is_measured_on_many_answers()
    {
        // Every period's own interval is ± 0.196 (se 0.1: thousands of answers), but the values wander by ±5 around 100.
        var periods = Months(new DateOnly(2026, 1, 1), [95, 105, 100, 100, 110, 105], halfWidth: 0.1959963984540054);
        var impact = Measure(new InitiativeKpi("csat", KpiPush.Up), periods, new DateOnly(2026, 7, 15));

        // Within-period error √(3 × 0.01) / 3 = 0.05774 would call +5 certain; the spread s = 5, 5 / √3 = 2.88675, rules.
        Assert.Equal(2.88675, impact.Before!.StandardError!.Value, 5);
        Assert.Equal(5, impact.Change!.Value, 10);

        // se of the change √(2 × 2.88675²) = 4.08248, df 4: 5 ± 11.33473 includes 0.
        Assert.Equal(5 - (T4 * 4.082483), impact.Interval!.Low, 4);
        Assert.False(impact.Real);
    }

    [Fact]
    public void A_before_window_already_trending_is_not_called_a_real_change_however_large_n_is()
    {
        // 300, 320, 340 then 360, 380, 400, each measured to ± 0.196: the KPI just kept climbing 20 a period.
        var periods = Months(new DateOnly(2026, 1, 1), [300, 320, 340, 360, 380, 400], halfWidth: 0.1959963984540054);
        var impact = Measure(new InitiativeKpi("csat", KpiPush.Up), periods, new DateOnly(2026, 7, 15));

        // Spread s = 20 each side: se 20 / √3 = 11.54701; change 60 ± t(4) × 16.32993 = 60 ± 45.33902, which excludes 0 ...
        Assert.Equal(60, impact.Change!.Value, 10);
        Assert.Equal(60 - (T4 * 16.329932), impact.Interval!.Low, 4);
        Assert.True(impact.Interval.ExcludesZero);

        // ... but the slope before is 20 a period, and carried on 3 periods (from the middle of one window to the other's) it
        // gives 60: nothing is left to credit the initiative with.
        Assert.Equal(20, impact.SlopeBefore!.Value, 10);
        Assert.Equal(60, impact.TrendCarriedOn!.Value, 10);
        Assert.False(impact.Real);
        Assert.Contains(ImpactCaveat.TrendBefore, impact.Caveats);
    }

    [Theory]
    [InlineData(InitiativeStatus.Proposed)]
    [InlineData(InitiativeStatus.Approved)]
    public void An_initiative_that_has_not_run_gets_no_number(InitiativeStatus status)
    {
        var periods = Months(new DateOnly(2026, 1, 1), [20, 22, 21, 10, 12, 11]);
        var impact = Measure(new InitiativeKpi("aht", KpiPush.Down), periods, new DateOnly(2026, 7, 15), status: status);

        Assert.Null(impact.Before);
        Assert.Null(impact.Change);
        Assert.Null(impact.Real);
        Assert.Equal((3, 3), (impact.PeriodsBefore, impact.PeriodsAfter));
        Assert.Contains(ImpactCaveat.NotStarted, impact.Caveats);
    }

    [Fact]
    public void Too_few_periods_give_no_number_but_say_how_many_there_are()
    {
        var periods = Months(new DateOnly(2026, 1, 1), [10, 12, 14, 8, 8]);
        var impact = Measure(new InitiativeKpi("aht", KpiPush.Down), periods, new DateOnly(2026, 6, 10));

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
        var impact = InitiativeImpacts.Measure(new InitiativeKpi("active", KpiPush.Up), InitiativeStatus.Active, Start, null, new DateOnly(2026, 6, 1), periods, ["other-push"]);

        Assert.Equal(6, impact.Before!.Mean, 10);
        Assert.Equal(10, impact.After!.Mean, 10);

        // Counts have no interval: nothing said about the noise, and the caveats say why and name the other initiative.
        Assert.Null(impact.Interval);
        Assert.Null(impact.Real);
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
