using OpenCxo.App.Campaigns;
using OpenCxo.Core.Campaigns;
using OpenCxo.Core.Metrics;
using OpenCxo.Data.Analytics;

namespace OpenCxo.App.Tests.Analytics;

/// <summary>The plan reads its baselines from the audience's recent weeks; the results compare the groups outcome by outcome.</summary>
public sealed class CampaignPlanTests
{
    [Fact]
    public void The_plan_turns_the_audiences_own_history_into_the_smallest_detectable_rise()
    {
        // 1,000 customers, 50 of whom bought over the baseline weeks: a 5 % repeat-purchase baseline. Fleiss, Levin &
        // Paik (2003): 435 per group detect 5 % → 10 % at α = 0.05 two-sided with 80 % power, so the plan says 5 points.
        var baseline = new CampaignWeek(false, 12, 1000, 100, 50, "EUR", 50 * 40.0, 50 * 40.0 * 40.0, 0, 0, 0);
        var plan = CampaignService.Detectable(baseline, 435, 435);
        var repeat = plan.Single(d => d.Outcome == "repeatPurchase");
        Assert.Equal(5.0, repeat.Baseline!.Value, 9);
        Assert.InRange(repeat.Smallest!.Value, 4.97, 5.0);

        // Retention: 90 % stayed. Value per member: 50 spent 40 EUR, 950 nothing: σ from the sums.
        Assert.Equal(90.0, plan.Single(d => d.Outcome == "retention").Baseline!.Value, 9);
        var value = plan.Single(d => d.Outcome == "valuePerMember");
        var sd = Math.Sqrt(((50 * 1600.0) - (1000 * 2.0 * 2.0)) / 999);
        Assert.Equal(("EUR", 2.0), (value.Unit, value.Baseline!.Value));
        Assert.Equal((1.959964 + 0.841621) * sd * Math.Sqrt(2.0 / 435), value.Smallest!.Value, 4);

        // No NPS answers: no NPS figure, and a reason instead.
        var nps = plan.Single(d => d.Outcome == "nps");
        Assert.Null(nps.Smallest);
        Assert.NotNull(nps.Why);
    }

    [Fact]
    public void Entered_baselines_size_the_test_where_the_audience_has_no_history()
    {
        // No history at all, but a planner who expects 5 % to buy again: Fleiss, Levin & Paik's 435 per group detect
        // 5 % → 10 %, as from a history (the test above). Retention was not entered: it keeps the history's reason.
        var entered = new CampaignBaselines(RepeatPurchase: 5, ValueSd: 30, Currency: "EUR", Promoters: 40, Detractors: 20, NpsResponse: 50);
        var plan = CampaignService.Detectable(null, 435, 435, entered);
        var repeat = plan.Single(d => d.Outcome == "repeatPurchase");
        Assert.True(repeat.Entered);
        Assert.Equal(5.0, repeat.Baseline!.Value, 9);
        Assert.InRange(repeat.Smallest!.Value, 4.97, 5.0);
        var retention = plan.Single(d => d.Outcome == "retention");
        Assert.False(retention.Entered);
        Assert.Null(retention.Smallest);

        // Value: (z₀.₉₇₅ + z₀.₈) σ √(1/n₁ + 1/n₂) with the entered σ, in the entered currency.
        var value = plan.Single(d => d.Outcome == "valuePerMember");
        Assert.Equal(("EUR", true), (value.Unit, value.Entered));
        Assert.Equal((1.959964 + 0.841621) * 30 * Math.Sqrt(2.0 / 435), value.Smallest!.Value, 4);

        // NPS: half the members answer (218 a group); Rocks' variance of a single answer is p + d − (p − d)² = 0.56
        // (B. Rocks, "Interval estimation for the Net Promoter Score", The American Statistician 70(4), 2016), in NPS points.
        var nps = plan.Single(d => d.Outcome == "nps");
        Assert.Equal((20.0, true), (nps.Baseline!.Value, nps.Entered));
        Assert.Equal((1.959964 + 0.841621) * Math.Sqrt(0.56 * 2 / 218) * 100, nps.Smallest!.Value, 2);

        // An entered baseline replaces the history's for its outcome only.
        var history = new CampaignWeek(false, 12, 1000, 100, 50, "EUR", 50 * 40.0, 50 * 40.0 * 40.0, 0, 0, 0);
        var mixed = CampaignService.Detectable(history, 435, 435, new CampaignBaselines(Retention: 80));
        Assert.Equal((80.0, true), (mixed.Single(d => d.Outcome == "retention").Baseline!.Value, mixed.Single(d => d.Outcome == "retention").Entered));
        Assert.Equal((5.0, false), (mixed.Single(d => d.Outcome == "repeatPurchase").Baseline!.Value, mixed.Single(d => d.Outcome == "repeatPurchase").Entered));
    }

    [Fact]
    public void A_baseline_where_everyone_stayed_gives_a_reason_not_a_number()
    {
        var baseline = new CampaignWeek(false, 4, 500, 0, 0, null, 0, 0, 40, 30, 30);
        var plan = CampaignService.Detectable(baseline, 250, 250);
        Assert.All(plan.Where(d => d.Outcome != "nps"), d => Assert.Null(d.Smallest));
        Assert.NotNull(plan.Single(d => d.Outcome == "nps").Smallest);

        // A segment of detractors answered 0–6 to a member, and everyone spent the same: no variance, so no figure.
        var detractors = new CampaignWeek(false, 4, 500, 5, 100, "EUR", 500 * 10.0, 500 * 100.0, 0, 0, 80);
        var chosen = CampaignService.Detectable(detractors, 400, 100);
        Assert.Equal(-100.0, chosen.Single(d => d.Outcome == "nps").Baseline);
        Assert.All(chosen.Where(d => d.Outcome is "nps" or "valuePerMember"), d => Assert.Null(d.Smallest));
        Assert.All(chosen.Where(d => d.Outcome is "nps" or "valuePerMember"), d => Assert.Contains("no variation", d.Why, StringComparison.Ordinal));
    }

    [Fact]
    public void Results_compare_each_outcome_and_adjust_the_p_values_over_the_four()
    {
        var treated = new CampaignWeek(false, 4, 400, 20, 120, "EUR", 400 * 30.0, 400 * 2000.0, 60, 20, 20);
        var control = new CampaignWeek(true, 4, 100, 10, 20, "EUR", 100 * 20.0, 100 * 1500.0, 10, 10, 10);
        var effects = CampaignService.Effects(treated, control);
        Assert.Equal(["retention", "repeatPurchase", "valuePerMember", "nps"], effects.Select(e => e.Outcome));

        // Retention 95 % vs 90 %: the two-proportion comparison of 380/400 against 90/100.
        var retention = effects[0];
        Assert.Equal((95.0, 90.0), (retention.Treated, retention.Control));
        Assert.Equal(ScoreStatistics.CompareProportions(380, 400, 90, 100), retention.Uplift);

        // NPS 40 vs 0.
        Assert.Equal(40.0, effects[3].Treated, 9);
        Assert.Equal(0.0, effects[3].Control, 9);

        // Holm: the smallest p-value times 4, the next times 3 (at least the one before), … capped at 1.
        var sorted = effects.Select(e => e.Uplift.PValue).Order().ToList();
        var adjusted = effects.Select(e => e.AdjustedP).Order().ToList();
        Assert.Equal(Math.Min(1, 4 * sorted[0]), adjusted[0], 12);
        Assert.Equal(Math.Min(1, Math.Max(4 * sorted[0], 3 * sorted[1])), adjusted[1], 12);
    }

    [Fact]
    public void The_uplift_among_those_reached_divides_by_the_share_reached_and_only_when_it_can()
    {
        var uplift = new CampaignEffect("retention", "pp", 92, 90, new Comparison(2, 0.5, 3.5, 2.6, 0.01, true, false), 0.02);
        CampaignResults Results(long reached, long controlReached) => new(
            DateTime.UtcNow, 4, "EUR", reached, controlReached, [new CampaignWeekResult(4, DateTime.UtcNow, true, 1000, 250, [uplift])], null, []);

        // Bloom (1984): 40 % reached, so +2 points over everyone offered is +5 among those reached, the interval likewise.
        var share = Results(400, 0).ReachShare!.Value;
        Assert.Equal(0.4, share, 12);
        var (perReached, low, high) = CampaignResults.PerReached(uplift, share);
        Assert.Equal((5.0, 1.25, 8.75), (Math.Round(perReached, 9), Math.Round(low, 9), Math.Round(high, 9)));

        // Not when everyone or no one was reached, nor when the control group was contacted.
        Assert.Null(Results(1000, 0).ReachShare);
        Assert.Null(Results(0, 0).ReachShare);
        Assert.Null(Results(400, 3).ReachShare);
    }
}
