using OpenCxo.Core.Campaigns;

namespace OpenCxo.Core.Tests.Campaigns;

public sealed class CampaignDesignTests
{
    [Fact]
    public void The_detectable_rise_matches_fleiss_sample_sizes()
    {
        // Fleiss, Levin & Paik (2003), table of sample sizes: 5 % against 10 %, two-sided α = 0.05, power 0.80, needs
        // 435 per group without the continuity correction (434.5 by the formula). So 435 per group detects a rise of
        // just under 5 points from a 5 % baseline.
        Assert.Equal(5.0, CampaignDesign.DetectableRise(0.05, 435, 435), 1);
        Assert.InRange(CampaignDesign.DetectableRise(0.05, 435, 435), 4.97, 5.0);
        Assert.InRange(CampaignDesign.DetectableRise(0.05, 430, 430), 5.0, 5.05);

        // By hand from the same formula: 50 % against 60 % needs (1.95996·√(2·0.55·0.45) + 0.84162·√(0.25 + 0.24))² / 0.1²
        // = 387.3 per group.
        Assert.InRange(CampaignDesign.DetectableRise(0.5, 388, 388), 9.98, 10.0);
        Assert.InRange(CampaignDesign.DetectableRise(0.5, 387, 387), 10.0, 10.02);
    }

    [Fact]
    public void A_smaller_control_group_detects_only_larger_rises()
    {
        var even = CampaignDesign.DetectableRise(0.8, 5000, 5000);
        var tenth = CampaignDesign.DetectableRise(0.8, 9000, 1000);
        var hundredth = CampaignDesign.DetectableRise(0.8, 9900, 100);
        Assert.True(even < tenth && tenth < hundredth, $"{even} {tenth} {hundredth}");
        // Out of reach: 20 customers cannot show a rise from 99 %.
        Assert.True(double.IsNaN(CampaignDesign.DetectableRise(0.99, 10, 10)));
    }

    [Fact]
    public void The_detectable_difference_of_means_is_the_normal_approximation()
    {
        // (1.959964 + 0.841621) × 1 × √(2/100) = 0.396203 (Chow, Shao & Wang 2008, 3.2.1: n = 2(zα/2 + zβ)²σ²/δ²).
        Assert.Equal(0.396203, CampaignDesign.DetectableDifference(1, 100, 100), 5);
        // NPS with 40 % promoters and 20 % detractors: variance 0.6 − 0.04 = 0.56 per answer.
        Assert.Equal(100 * 2.801585 * Math.Sqrt(0.56) * Math.Sqrt(2.0 / 400), CampaignDesign.DetectableNps(0.4, 0.2, 400, 400), 3);
    }

    [Fact]
    public void The_control_group_is_the_share_asked_for_stable_and_unrelated_to_the_customer_id()
    {
        const int n = 200_000;
        var held = Enumerable.Range(1, n).Select(id => CampaignDesign.IsControl("spring-winback", id, 0.1)).ToArray();
        // A binomial share of 200,000 at 10 % has a standard error of 0.067 points: within ±0.3 points is ±4.5 SE.
        Assert.InRange(held.Count(h => h) / (double)n, 0.097, 0.103);
        Assert.InRange(held.Where((_, i) => i % 2 == 0).Count(h => h) / (n / 2.0), 0.0955, 0.1045);
        Assert.InRange(held.Take(n / 2).Count(h => h) / (n / 2.0), 0.0955, 0.1045);

        // The same seed gives the same group; another seed an independent one (overlap about 10 % × 10 %).
        Assert.Equal(held.Take(1000), Enumerable.Range(1, 1000).Select(id => CampaignDesign.IsControl("spring-winback", id, 0.1)));
        var other = Enumerable.Range(1, n).Select(id => CampaignDesign.IsControl("autumn-winback", id, 0.1)).ToArray();
        Assert.InRange(held.Zip(other).Count(p => p.First && p.Second) / (double)n, 0.008, 0.012);
        Assert.DoesNotContain(true, Enumerable.Range(1, 1000).Select(id => CampaignDesign.IsControl("x", id, 0)));
        Assert.DoesNotContain(false, Enumerable.Range(1, 1000).Select(id => CampaignDesign.IsControl("x", id, 1)));
    }
}
