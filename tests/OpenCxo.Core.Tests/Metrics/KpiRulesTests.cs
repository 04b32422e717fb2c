using OpenCxo.Core.Metrics;

namespace OpenCxo.Core.Tests.Metrics;

/// <summary>KPI status on an interval, trends, periods and derived-target statistics, on cases worked by hand.</summary>
public sealed class KpiRulesTests
{
    [Fact]
    public void Status_reads_the_interval_not_the_point()
    {
        // Target 40, higher is better. The whole interval above: on track; straddling: at risk; all below: off track.
        Assert.Equal(KpiStatus.OnTrack, KpiRules.Judge(new KpiReading(45, 41, 49, 200), 40, KpiDirection.AtLeast, 30));
        Assert.Equal(KpiStatus.AtRisk, KpiRules.Judge(new KpiReading(38, 33, 43, 200), 40, KpiDirection.AtLeast, 30));
        Assert.Equal(KpiStatus.AtRisk, KpiRules.Judge(new KpiReading(42, 37, 47, 200), 40, KpiDirection.AtLeast, 30));
        Assert.Equal(KpiStatus.OffTrack, KpiRules.Judge(new KpiReading(30, 25, 35, 200), 40, KpiDirection.AtLeast, 30));

        // Lower is better (handle time at most 300 s): mirrored.
        Assert.Equal(KpiStatus.OnTrack, KpiRules.Judge(new KpiReading(250, 230, 290, 200), 300, KpiDirection.AtMost, 30));
        Assert.Equal(KpiStatus.AtRisk, KpiRules.Judge(new KpiReading(290, 270, 310, 200), 300, KpiDirection.AtMost, 30));
        Assert.Equal(KpiStatus.OffTrack, KpiRules.Judge(new KpiReading(350, 320, 380, 200), 300, KpiDirection.AtMost, 30));
    }

    [Fact]
    public void A_target_exactly_met_counts_as_met()
    {
        // The worse end equal to the target meets it; so does a count (no interval) equal to the target.
        Assert.Equal(KpiStatus.OnTrack, KpiRules.Judge(new KpiReading(45, 40, 50, 100), 40, KpiDirection.AtLeast, 30));
        Assert.Equal(KpiStatus.OnTrack, KpiRules.Judge(new KpiReading(300, 280, 300, 100), 300, KpiDirection.AtMost, 30));
        Assert.Equal(KpiStatus.OnTrack, KpiRules.Judge(new KpiReading(1000, null, null, 1000), 1000, KpiDirection.AtLeast, 1));
        Assert.Equal(KpiStatus.OffTrack, KpiRules.Judge(new KpiReading(999, null, null, 999), 1000, KpiDirection.AtLeast, 1));

        // The better end equal to the target: it may still be met, so at risk rather than off track.
        Assert.Equal(KpiStatus.AtRisk, KpiRules.Judge(new KpiReading(35, 30, 40, 100), 40, KpiDirection.AtLeast, 30));
    }

    [Fact]
    public void No_data_and_tiny_samples_are_states_of_their_own()
    {
        Assert.Equal(KpiStatus.NoData, KpiRules.Judge(null, 40, KpiDirection.AtLeast, 30));
        Assert.Equal(KpiStatus.NoData, KpiRules.Judge(new KpiReading(0, null, null, 0), 40, KpiDirection.AtLeast, 30));
        Assert.Equal(KpiStatus.NoData, KpiRules.Judge(new KpiReading(double.NaN, null, null, 5), 40, KpiDirection.AtLeast, 1));

        // 29 answers far above the target are still too few to judge with a minimum of 30; 30 are enough.
        Assert.Equal(KpiStatus.TooFew, KpiRules.Judge(new KpiReading(90, 80, 99, 29), 40, KpiDirection.AtLeast, 30));
        Assert.Equal(KpiStatus.OnTrack, KpiRules.Judge(new KpiReading(90, 80, 99, 30), 40, KpiDirection.AtLeast, 30));

        // One observation of a mean has an infinite interval: at risk, never on or off track.
        Assert.Equal(KpiStatus.AtRisk, KpiRules.Judge(new KpiReading(5, double.NegativeInfinity, double.PositiveInfinity, 1), 4, KpiDirection.AtLeast, 1));
    }

    [Fact]
    public void Trend_is_the_least_squares_slope_with_its_t_interval()
    {
        // y = 10, 12, 11, 15, 17 at x = 0…4: x̄ = 2, ȳ = 13, Sxx = 10, Sxy = (−2)(−3) + (−1)(−1) + 0 + (1)(2) + (2)(4) = 17,
        // slope 1.7, intercept 9.6; residuals 0.4, 0.7, −2.0, 0.3, 0.6, SSE = 5.1, se = √(5.1 / 3 / 10) = 0.412311,
        // t(3; 0.975) = 3.182446 (Student's table): 1.7 ± 1.312158 → [0.387842, 3.012158], all above 0.
        var trend = KpiRules.Trend([10, 12, 11, 15, 17], KpiDirection.AtLeast)!;
        Assert.Equal(1.7, trend.Slope, 9);
        Assert.Equal(1.7 - (3.182446305 * Math.Sqrt(5.1 / 30)), trend.Low, 5);
        Assert.Equal(1.7 + (3.182446305 * Math.Sqrt(5.1 / 30)), trend.High, 5);
        Assert.True(trend.Improving);

        // Rising handle time is worsening; a flat, noisy series says nothing; under three points, no trend.
        Assert.False(KpiRules.Trend([10, 12, 11, 15, 17], KpiDirection.AtMost)!.Improving);
        Assert.Null(KpiRules.Trend([10, 14, 9, 13, 10], KpiDirection.AtLeast)!.Improving);
        Assert.Null(KpiRules.Trend([10, 12], KpiDirection.AtLeast));

        // A period without data is a gap, not a step: 10, 12 at periods 0 and 1, then 16 at period 3 is a slope of
        // Sxy / Sxx = ((−4/3)(−8/3) + (−1/3)(−2/3) + (5/3)(10/3)) / (16/9 + 1/9 + 25/9) = (84/9) / (42/9) = 2, not 3.
        Assert.Equal(2, KpiRules.Trend([(0.0, 10.0), (1.0, 12.0), (3.0, 16.0)], KpiDirection.AtLeast)!.Slope, 9);
    }

    [Fact]
    public void Periods_are_calendar_weeks_months_and_quarters()
    {
        var day = new DateOnly(2026, 11, 23); // a Monday
        Assert.Equal((new DateOnly(2026, 11, 23), new DateOnly(2026, 11, 29)), KpiRules.PeriodOf(day, KpiPeriod.Week));
        Assert.Equal((new DateOnly(2026, 11, 16), new DateOnly(2026, 11, 22)), KpiRules.PeriodOf(day.AddDays(-1), KpiPeriod.Week));
        Assert.Equal((new DateOnly(2026, 2, 1), new DateOnly(2026, 2, 28)), KpiRules.PeriodOf(new DateOnly(2026, 2, 14), KpiPeriod.Month));
        Assert.Equal((new DateOnly(2026, 10, 1), new DateOnly(2026, 12, 31)), KpiRules.PeriodOf(day, KpiPeriod.Quarter));

        var months = KpiRules.CompletePeriods(day, KpiPeriod.Month, 3);
        Assert.Equal([new DateOnly(2026, 8, 1), new DateOnly(2026, 9, 1), new DateOnly(2026, 10, 1)], months.Select(m => m.From));
        Assert.Equal(new DateOnly(2026, 10, 31), months[^1].To);
        Assert.Equal(["2026-W47", "2026-10", "2026-Q4"],
            [KpiRules.Label(new DateOnly(2026, 11, 16), KpiPeriod.Week), KpiRules.Label(new DateOnly(2026, 10, 1), KpiPeriod.Month), KpiRules.Label(new DateOnly(2026, 10, 1), KpiPeriod.Quarter)]);
        // ISO week 1 of 2026 starts on Monday 29 December 2025.
        Assert.Equal("2026-W01", KpiRules.Label(new DateOnly(2025, 12, 29), KpiPeriod.Week));
        Assert.Equal((new DateOnly(2026, 10, 24), day), KpiRules.Rolling(day, KpiPeriod.Month));
    }

    [Fact]
    public void Derived_target_statistics_follow_R_type_7()
    {
        // R: quantile(c(1, 2, 4, 8, 24), c(.5, .25, .8), type = 7) → 4, 2, 11.2; mean 7.8.
        double[] hours = [24, 1, 8, 2, 4];
        Assert.Equal(4, TargetStatistic.Median.Of(hours));
        Assert.Equal(2, TargetStatistic.Parse("p25")!.Of(hours));
        Assert.Equal(11.2, TargetStatistic.Parse("p80")!.Of(hours)!.Value, 9);
        Assert.Equal(7.8, TargetStatistic.Parse("mean")!.Of(hours)!.Value, 9);
        Assert.Null(TargetStatistic.Median.Of([]));
        Assert.Null(TargetStatistic.Parse("p0"));
        Assert.Null(TargetStatistic.Parse("p100"));
        Assert.Null(TargetStatistic.Parse("average"));
    }

    [Fact]
    public void Significant_change_reads_each_window_s_interval()
    {
        // 50 [40, 60] against 70 [60, 80]: se 10 / 1.96 each, z = −20 / √2·5.1021 = −2.7718, two-sided p = 0.005575.
        var p = KpiRules.ChangePValue(new KpiReading(50, 40, 60, 400), new KpiReading(70, 60, 80, 400), StatisticKind.Proportion)!.Value;
        Assert.Equal(0.0056, p, 4);
        // Counts: 130 against 100, z = 30 / √230 = 1.978, p = 0.0479.
        Assert.Equal(0.0479, KpiRules.ChangePValue(new KpiReading(130, null, null, 130), new KpiReading(100, null, null, 100), StatisticKind.Count)!.Value, 4);
        // A mean of one value has no spread to read.
        Assert.Null(KpiRules.ChangePValue(new KpiReading(5, double.NegativeInfinity, double.PositiveInfinity, 1), new KpiReading(4, 3, 5, 30), StatisticKind.Mean));
    }
}
