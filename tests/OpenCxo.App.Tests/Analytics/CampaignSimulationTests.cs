using OpenCxo.App.Campaigns;
using OpenCxo.Data.Analytics;

namespace OpenCxo.App.Tests.Analytics;

/// <summary>
/// The check of the uplift statistics against simulation, through the code the results use: each simulated
/// campaign's members are summed into the <see cref="CampaignWeek"/> rows the analytics store returns, and
/// <see cref="CampaignService.Effects"/> turns them into the reported uplift and interval.
/// </summary>
public sealed class CampaignSimulationTests
{
    /// <summary>
    /// 2,000 campaigns with a planted effect (fixed seed): the 95 % intervals must cover the true uplift about 95 % of
    /// the time. The coverage's standard error is 0.49 points, so 93.5–96.5 % is ±3 SE.
    /// </summary>
    [Fact]
    public void Uplift_intervals_cover_a_planted_effect_about_95_percent_of_the_time()
    {
        const int campaigns = 2000;
        var random = new Random(20261124);
        var covered = new Dictionary<string, int> { ["retention"] = 0, ["repeatPurchase"] = 0, ["valuePerMember"] = 0, ["nps"] = 0 };
        for (var i = 0; i < campaigns; i++)
        {
            // 2,000 treated, 500 held out. Retention 80 % → 83 % (+3 points); buying again 20 % → 24 % (+4); value per
            // customer skewed (log-normal, mean about 60) and +5 when treated; NPS 5 → 14 (+9) from 30 % of members.
            var treated = Simulate(random, false, 2000, kept: 0.83, bought: 0.24, extra: 5, promoters: 0.36, detractors: 0.22);
            var control = Simulate(random, true, 500, kept: 0.80, bought: 0.20, extra: 0, promoters: 0.30, detractors: 0.25);
            foreach (var effect in CampaignService.Effects(treated, control))
            {
                var truth = effect.Outcome switch { "retention" => 3, "repeatPurchase" => 4, "valuePerMember" => 5, _ => 9 };
                covered[effect.Outcome] += effect.Uplift.Low <= truth && truth <= effect.Uplift.High ? 1 : 0;
            }
        }

        Assert.All(covered, c => Assert.InRange(c.Value / (double)campaigns, 0.935, 0.965));
    }

    private static CampaignWeek Simulate(Random random, bool control, int members, double kept, double bought, double extra, double promoters, double detractors)
    {
        long cancelled = 0, buyers = 0, p = 0, n = 0, d = 0;
        double sum = 0, squares = 0;
        for (var i = 0; i < members; i++)
        {
            cancelled += random.NextDouble() < kept ? 0 : 1;
            buyers += random.NextDouble() < bought ? 1 : 0;
            var value = Math.Exp(3.8 + (0.8 * Gaussian(random))) + extra;
            (sum, squares) = (sum + value, squares + (value * value));
            if (random.NextDouble() < 0.3)
            {
                var u = random.NextDouble();
                (p, n, d) = u < promoters ? (p + 1, n, d) : u < promoters + detractors ? (p, n, d + 1) : (p, n + 1, d);
            }
        }

        return new CampaignWeek(control, 12, members, cancelled, buyers, "EUR", sum, squares, p, n, d);
    }

    private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
