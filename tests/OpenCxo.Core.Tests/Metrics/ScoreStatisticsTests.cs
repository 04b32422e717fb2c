using MathNet.Numerics.Distributions;
using OpenCxo.Core.Metrics;

namespace OpenCxo.Core.Tests.Metrics;

public sealed class ScoreStatisticsTests
{
    // Student's sleep data (Cushny and Peebles 1905, as in Student 1908 and R's `sleep`): extra hours of sleep with two drugs.
    private static readonly double[] Drug1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
    private static readonly double[] Drug2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

    [Fact]
    public void Nps_variance_matches_the_worked_example_in_the_shared_data_readme()
    {
        // p = 1/2, d = 1/6: NPS = 1/3 and Var = p + d − (p − d)² = 2/3 − 1/9 = 5/9.
        Assert.Equal(5.0 / 9, ScoreStatistics.NpsVariance(0.5, 1.0 / 6), 12);

        var nps = ScoreStatistics.Nps(promoters: 18, passives: 12, detractors: 6);

        Assert.Equal(36, nps.N);
        Assert.Equal(100.0 / 3, nps.Score.Value, 10);
        var half = 1.959963984540054 * 100 * Math.Sqrt(5.0 / 9 / 36);
        Assert.Equal(100.0 / 3 - half, nps.Score.Low, 9);
        Assert.Equal(100.0 / 3 + half, nps.Score.High, 9);
        Assert.False(nps.Score.Small);
    }

    [Fact]
    public void Nps_interval_is_clipped_to_the_scale_and_all_promoters_have_no_spread()
    {
        var all = ScoreStatistics.Nps(40, 0, 0);
        Assert.Equal((100.0, 100.0, 100.0), (all.Score.Value, all.Score.Low, all.Score.High));

        var nearly = ScoreStatistics.Nps(9, 0, 1);
        Assert.Equal(80, nearly.Score.Value, 10);
        Assert.Equal(100, nearly.Score.High);
        Assert.True(nearly.Score.Small);

        var none = ScoreStatistics.Nps(0, 0, 0);
        Assert.True(double.IsNaN(none.Score.Value));
        Assert.True(none.Score.Small);
    }

    [Fact]
    public void Nps_comparison_is_the_z_test_of_two_independent_scores()
    {
        var spring = ScoreStatistics.Nps(300, 400, 300);   // NPS 0, Var = 0.6
        var summer = ScoreStatistics.Nps(350, 400, 250);   // NPS 10, Var = 0.6 − 0.01 = 0.59

        var change = ScoreStatistics.CompareNps(summer, spring);

        var se = 100 * Math.Sqrt(0.59 / 1000 + 0.6 / 1000);
        Assert.Equal(10, change.Difference, 9);
        Assert.Equal(10 / se, change.Statistic, 9);
        Assert.Equal(2 * (1 - Normal.CDF(0, 1, 10 / se)), change.PValue, 12);
        Assert.True(change.Significant);
        Assert.False(change.Small);

        // The same shares from 20 responses each: flagged, never called significant.
        var few = ScoreStatistics.CompareNps(ScoreStatistics.Nps(7, 8, 5), ScoreStatistics.Nps(6, 8, 6));
        Assert.True(few.Small);
        Assert.False(few.Significant);
    }

    [Theory]
    // R. G. Newcombe, "Two-sided confidence intervals for the single proportion: comparison of seven methods",
    // Statistics in Medicine 17 (1998), Table II, method 3 (Wilson score interval without continuity correction).
    [InlineData(81, 263, 0.2553, 0.3662)]
    [InlineData(15, 148, 0.0624, 0.1605)]
    [InlineData(0, 20, 0.0000, 0.1611)]
    [InlineData(1, 29, 0.0061, 0.1718)]
    public void Wilson_interval_matches_newcombe_1998(long successes, long n, double low, double high)
    {
        var estimate = ScoreStatistics.Proportion(successes, n);

        Assert.Equal(100.0 * successes / n, estimate.Value, 10);
        Assert.Equal(low * 100, estimate.Low, 2);
        Assert.Equal(high * 100, estimate.High, 2);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(3, 7)]
    [InlineData(412, 500)]
    [InlineData(999, 1000)]
    [InlineData(1000, 1000)]
    public void Wilson_interval_is_the_set_of_proportions_the_score_test_does_not_reject(long successes, long n)
    {
        // Independent derivation: Wilson's bounds are the π where |p̂ − π| = z √(π(1 − π)/n); find them by bisection.
        var z = 1.959963984540054;
        var p = (double)successes / n;
        double Excess(double pi) => Math.Abs(p - pi) - z * Math.Sqrt(pi * (1 - pi) / n);
        double Root(double inside, double outside)
        {
            for (var i = 0; i < 200; i++)
            {
                var middle = (inside + outside) / 2;
                if (Excess(middle) <= 0) { inside = middle; } else { outside = middle; }
            }

            return inside;
        }

        var estimate = ScoreStatistics.Proportion(successes, n);

        Assert.Equal(100 * Root(p, 0), estimate.Low, 9);
        Assert.Equal(100 * Root(p, 1), estimate.High, 9);
    }

    [Fact]
    public void Proportion_comparison_agrees_with_pearsons_chi_square_on_the_two_by_two_table()
    {
        // 412 of 500 satisfied this quarter against 371 of 480 last quarter.
        long a = 412, b = 500 - 412, c = 371, d = 480 - 371;
        var comparison = ScoreStatistics.CompareProportions(a, 500, c, 480);

        // Pearson's χ² = N (ad − bc)² / ((a + b)(c + d)(a + c)(b + d)), one degree of freedom, equals z².
        double total = a + b + c + d;
        var chi = total * Math.Pow(a * d - b * c, 2) / ((a + b) * (c + d) * (a + c) * (b + d));
        Assert.Equal(chi, comparison.Statistic * comparison.Statistic, 9);
        Assert.Equal(1 - ChiSquared.CDF(1, chi), comparison.PValue, 9);
        Assert.Equal(100 * (412.0 / 500 - 371.0 / 480), comparison.Difference, 9);
        Assert.True(comparison.Low < comparison.Difference && comparison.Difference < comparison.High);
    }

    [Fact]
    public void Mean_interval_matches_r_on_students_sleep_data()
    {
        // R: with(sleep, t.test(extra[group == 2] - extra[group == 1])): mean 1.58, 95 % CI 0.7001142 … 2.4598858.
        var differences = MeanAccumulator.Of(Drug2.Zip(Drug1, (x, y) => x - y));

        var estimate = ScoreStatistics.Mean(differences);

        Assert.Equal(1.58, estimate.Value, 9);
        Assert.Equal(0.7001142, estimate.Low, 6);
        Assert.Equal(2.4598858, estimate.High, 6);
        Assert.True(estimate.Small);
    }

    [Fact]
    public void Welch_test_matches_r_on_students_sleep_data()
    {
        // R: t.test(extra ~ group, data = sleep): t = −1.8608, df = 17.776, p-value = 0.07939,
        // 95 % CI −3.3654832 … 0.2054832.
        var comparison = ScoreStatistics.CompareMeans(MeanAccumulator.Of(Drug1), MeanAccumulator.Of(Drug2));

        Assert.Equal(-1.58, comparison.Difference, 9);
        Assert.Equal(-1.8608, comparison.Statistic, 4);
        Assert.Equal(0.07939, comparison.PValue, 5);
        Assert.Equal(-3.3654832, comparison.Low, 6);
        Assert.Equal(0.2054832, comparison.High, 6);
        Assert.False(comparison.Significant);
        Assert.True(comparison.Small);
    }

    [Fact]
    public void Means_from_database_sums_equal_means_from_the_values_and_stay_exact_far_from_zero()
    {
        var random = new Random(5);
        var scores = Enumerable.Range(0, 5000).Select(_ => (double)random.Next(1, 8)).ToList();
        var streamed = MeanAccumulator.Of(scores);
        var summed = MeanAccumulator.FromSums(scores.Count, scores.Sum(), scores.Sum(x => x * x));

        var mean = scores.Average();
        var variance = scores.Sum(x => (x - mean) * (x - mean)) / (scores.Count - 1);
        Assert.Equal(mean, streamed.Mean, 12);
        Assert.Equal(variance, streamed.Variance, 10);
        Assert.Equal(mean, summed.Mean, 12);
        Assert.Equal(variance, summed.Variance, 8);

        // Welford keeps the variance of values around 10⁹ (a naive sum of squares loses it to rounding).
        var shifted = MeanAccumulator.Of(scores.Select(x => x + 1e9));
        Assert.Equal(variance, shifted.Variance, 6);
    }

    [Fact]
    public void Bad_arguments_are_refused_with_the_parameter_named()
    {
        Assert.Equal("confidence", Assert.Throws<ArgumentOutOfRangeException>(() => ScoreStatistics.Z(1)).ParamName);
        Assert.Equal("successes", Assert.Throws<ArgumentOutOfRangeException>(() => ScoreStatistics.Proportion(5, 4)).ParamName);
        Assert.Equal("promoters", Assert.Throws<ArgumentOutOfRangeException>(() => ScoreStatistics.Nps(-1, 0, 0)).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => new MeanAccumulator().Add(double.NaN)).ParamName);
    }
}
