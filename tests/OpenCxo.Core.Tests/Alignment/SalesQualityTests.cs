using OpenCxo.Core.Alignment;

namespace OpenCxo.Core.Tests.Alignment;

/// <summary>Kaplan–Meier against the published 6-MP arm of Freireich et al., and customer fit.</summary>
public sealed class SalesQualityTests
{
    [Fact]
    public void Kaplan_meier_matches_the_published_6mp_survival_with_greenwood_log_intervals()
    {
        // Freireich et al. (Blood 21, 1963), 6-MP arm, weeks of remission (+ censored): 6 6 6 6+ 7 9+ 10 10+ 11+ 13 16 17+
        // 19+ 20+ 22 23 25+ 32+ 32+ 34+ 35+. Expected: R survival's survfit(Surv(time, status) ~ 1) on MASS::gehan's 6-MP
        // arm, conf.type "log" — the table printed in Kleinbaum and Klein, "Survival Analysis", 3rd ed., chapter 2.
        (double, long, long)[] weeks =
        [
            (6, 3, 1), (7, 1, 0), (9, 0, 1), (10, 1, 1), (11, 0, 1), (13, 1, 0), (16, 1, 0), (17, 0, 1), (19, 0, 1), (20, 0, 1),
            (22, 1, 0), (23, 1, 0), (25, 0, 1), (32, 0, 2), (34, 0, 1), (35, 0, 1),
        ];
        var steps = KaplanMeier.Estimate(weeks);
        (double Time, long AtRisk, double Survival, double StdErr, double Low, double High)[] published =
        [
            (6, 21, 0.857, 0.0764, 0.720, 1.000),
            (7, 17, 0.807, 0.0869, 0.653, 0.996),
            (10, 15, 0.753, 0.0963, 0.586, 0.968),
            (13, 12, 0.690, 0.1068, 0.510, 0.935),
            (16, 11, 0.627, 0.1141, 0.439, 0.896),
            (22, 7, 0.538, 0.1282, 0.337, 0.858),
            (23, 6, 0.448, 0.1346, 0.249, 0.807),
        ];
        Assert.Equal(published.Length, steps.Count);
        for (var i = 0; i < published.Length; i++)
        {
            var (time, atRisk, survival, stdErr, low, high) = published[i];
            Assert.Equal((time, atRisk), (steps[i].Time, steps[i].AtRisk));
            Assert.Equal(survival, steps[i].Survival, 3);
            Assert.Equal(stdErr, steps[i].StandardError, 4);
            Assert.Equal(low, steps[i].Low, 3);
            Assert.Equal(high, steps[i].High, 3);
        }

        // Read at a time: the step at or before it; after the last observation, nothing.
        Assert.Equal(75.3, KaplanMeier.At(steps, 12, 35, 21)!.Value, 1);
        Assert.Equal((100, 21L), (KaplanMeier.At(steps, 5, 35, 21)!.Value, KaplanMeier.At(steps, 5, 35, 21)!.N));
        Assert.Null(KaplanMeier.At(steps, 36, 35, 21));
    }

    [Fact]
    public void Holm_adjusts_p_values_as_r_does()
    {
        // R: p.adjust(c(0.01, 0.04, 0.03, 0.005), method = "holm") gives 0.03 0.06 0.06 0.02.
        var adjusted = OpenCxo.Core.Metrics.ScoreStatistics.Holm([0.01, 0.04, 0.03, 0.005]);
        Assert.Equal([0.03, 0.06, 0.06, 0.02], adjusted.Select(p => Math.Round(p, 12)));
        Assert.Equal([0.7], OpenCxo.Core.Metrics.ScoreStatistics.Holm([0.7]));
        Assert.Equal([1.0, 1.0], OpenCxo.Core.Metrics.ScoreStatistics.Holm([0.6, 0.6]));
        Assert.Empty(OpenCxo.Core.Metrics.ScoreStatistics.Holm([]));
    }

    [Fact]
    public void Without_censoring_survival_is_the_share_still_there()
    {
        var steps = KaplanMeier.Estimate([(30, 2, 0), (90, 3, 0), (400, 5, 0)]);
        Assert.Equal(0.8, steps[0].Survival, 12);
        Assert.Equal(0.5, steps[1].Survival, 12);
        Assert.Equal(0.0, steps[2].Survival, 12);
        Assert.Equal((0.0, 0.0), (steps[2].Low, steps[2].High));
    }

    [Theory]
    [InlineData(null, 0, 100)]
    [InlineData(0.2, 0, 80)]
    [InlineData(0.2, 1, 55)]
    [InlineData(0.9, 1, 0)]
    [InlineData(null, 2, 50)]
    public void Fit_is_the_chance_of_staying_less_each_unserved_need(double? risk, int needs, int fit) =>
        Assert.Equal(fit, CustomerFit.Score(risk, needs));

    [Fact]
    public void Needs_are_checked_whole_and_named_by_place()
    {
        string[] themes = ["support_availability"];
        Assert.Empty(CustomerFit.Validate(CustomerFit.Defaults, themes.Contains));
        var errors = CustomerFit.Validate(new CustomerNeeds(
        [
            new("Bad Key", "", ["weather"]),
            new("dup", "A", Campaigns: ["x"]),
            new("dup", "B"),
        ]), themes.Contains);
        Assert.Equal(["needs[0].key", "needs[0].name", "needs[0].themes[0]", "needs[2].key", "needs[2].themes"], errors.Select(e => e.Field));
    }
}
