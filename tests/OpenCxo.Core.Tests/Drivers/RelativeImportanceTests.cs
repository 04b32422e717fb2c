using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Statistics;
using OpenCxo.Core.Drivers;

namespace OpenCxo.Core.Tests.Drivers;

/// <summary>
/// Key-driver importance against independent derivations from the raw data: least-squares fits by QR decomposition
/// averaged over every order of entry (the definition of the Shapley value), Johnson's construction through the
/// singular value decomposition of the standardised data, and the closed forms for two or uncorrelated predictors.
/// </summary>
public sealed class RelativeImportanceTests
{
    [Fact]
    public void Two_predictors_share_r_squared_as_the_closed_form_says()
    {
        // Grömping (2006), J. Stat. Software 17(1) §3: with two regressors, lmg₁ = ½ r₁² + ½ (R² − r₂²).
        var (x, y) = Draw(500, 2, 0.6, seed: 3);
        var correlations = Accumulate(x, y);
        var r1 = correlations.WithOutcome[0];
        var r2 = correlations.WithOutcome[1];
        var full = OlsRSquared(x, y, [0, 1]);
        var shapley = RelativeImportance.Shapley(correlations);
        Assert.Equal((0.5 * r1 * r1) + (0.5 * (full - (r2 * r2))), shapley[0], 10);
        Assert.Equal((0.5 * r2 * r2) + (0.5 * (full - (r1 * r1))), shapley[1], 10);
    }

    [Theory]
    [InlineData(4, 11)]
    [InlineData(6, 12)]
    public void Shapley_equals_the_mean_gain_over_every_order_of_entry(int p, int seed)
    {
        var (x, y) = Draw(300, p, 0.5, seed);
        var correlations = Accumulate(x, y);
        var expected = new double[p];
        var orders = Permutations(Enumerable.Range(0, p).ToArray()).ToList();
        var cache = new Dictionary<int, double>();
        double R2(List<int> subset) => subset.Count == 0 ? 0 : cache.TryGetValue(subset.Sum(j => 1 << j), out var v)
            ? v
            : cache[subset.Sum(j => 1 << j)] = OlsRSquared(x, y, subset);
        foreach (var order in orders)
        {
            var entered = new List<int>();
            foreach (var j in order)
            {
                var before = R2(entered);
                entered.Add(j);
                expected[j] += (R2(entered) - before) / orders.Count;
            }
        }

        var shapley = RelativeImportance.Shapley(correlations);
        for (var j = 0; j < p; j++)
        {
            Assert.Equal(expected[j], shapley[j], 10);
        }

        // Efficiency: the shares add up to the R² of the full least-squares fit.
        Assert.Equal(OlsRSquared(x, y, [.. Enumerable.Range(0, p)]), shapley.Sum(), 10);
    }

    [Fact]
    public void Relative_weights_match_johnsons_construction_from_the_data()
    {
        var (x, y) = Draw(400, 5, 0.7, seed: 21);
        var expected = JohnsonFromSvd(x, y);
        var weights = RelativeImportance.RelativeWeights(Accumulate(x, y));
        for (var j = 0; j < 5; j++)
        {
            Assert.Equal(expected[j], weights[j], 10);
        }

        Assert.Equal(OlsRSquared(x, y, [0, 1, 2, 3, 4]), weights.Sum(), 10);
    }

    [Fact]
    public void Uncorrelated_predictors_each_get_their_squared_correlation_by_both_methods()
    {
        // Columns of a 2-level full factorial design are exactly uncorrelated.
        var x = new List<double[]>();
        var y = new List<double>();
        var random = new Random(5);
        for (var row = 0; row < 64; row++)
        {
            var values = Enumerable.Range(0, 3).Select(j => (double)((row >> j) & 1)).ToArray();
            x.Add(values);
            y.Add((2 * values[0]) - values[1] + (0.5 * values[2]) + random.NextDouble());
        }

        var correlations = Accumulate(x, y);
        var shapley = RelativeImportance.Shapley(correlations);
        var weights = RelativeImportance.RelativeWeights(correlations);
        for (var j = 0; j < 3; j++)
        {
            var r = Correlation.Pearson(x.Select(v => v[j]), y);
            Assert.Equal(r * r, shapley[j], 12);
            Assert.Equal(r * r, weights[j], 12);
        }
    }

    [Fact]
    public void A_duplicated_predictor_splits_its_share_and_a_constant_one_gets_none()
    {
        var (x, y) = Draw(300, 3, 0.4, seed: 8);
        var widened = x.Select(v => new[] { v[0], v[1], v[2], v[0], 7.0 }).ToList();
        var correlations = Accumulate(widened, y);
        Assert.Equal([false, false, false, false, true], correlations.Constant);
        var result = RelativeImportance.Analyse(correlations);
        Assert.Equal(ImportanceMethod.Shapley, result.Method);
        // Symmetry: two identical players get the same share; a null player gets none; the copy adds nothing to R².
        Assert.Equal(result.Weights[0], result.Weights[3], 12);
        Assert.True(result.Weights[0] > 0.01);
        Assert.Equal(0, result.Weights[4]);
        Assert.Equal(0, result.Betas[3]);
        Assert.Equal(OlsRSquared(x, y, [0, 1, 2]), result.RSquared, 10);
        Assert.Equal(result.RSquared, result.Weights.Sum(), 10);
        Assert.Equal(result.RSquared, RelativeImportance.RelativeWeights(correlations).Sum(), 8);
    }

    [Fact]
    public void Betas_are_the_standardised_least_squares_coefficients()
    {
        var (x, y) = Draw(250, 4, 0.5, seed: 30);
        var n = x.Count;
        var design = Matrix<double>.Build.Dense(n, 4, (i, j) => Standardised(x.Select(v => v[j]).ToList())[i]);
        var outcome = Vector<double>.Build.DenseOfEnumerable(Standardised(y));
        var expected = design.QR().Solve(outcome);
        var betas = RelativeImportance.Betas(Accumulate(x, y));
        for (var j = 0; j < 4; j++)
        {
            Assert.Equal(expected[j], betas[j], 10);
        }
    }

    [Fact]
    public void Indicator_sums_give_the_same_correlations_as_the_general_ones()
    {
        var random = new Random(17);
        var indicators = new IndicatorMoments(5);
        var general = new Moments(5);
        var columns = new List<double[]>();
        var outcomes = new List<double>();
        for (var row = 0; row < 2000; row++)
        {
            ulong present = 0;
            var values = new double[5];
            for (var j = 0; j < 5; j++)
            {
                if (random.NextDouble() < 0.1 + (0.15 * j) + (j > 0 && values[j - 1] == 1 ? 0.3 : 0))
                {
                    present |= 1UL << j;
                    values[j] = 1;
                }
            }

            double score = random.Next(0, 11);
            indicators.Add(present, score);
            general.Add(values, score);
            columns.Add(values);
            outcomes.Add(score);
        }

        var a = indicators.Correlations();
        var b = general.Correlations();
        for (var j = 0; j < 5; j++)
        {
            Assert.Equal(Correlation.Pearson(columns.Select(v => v[j]), outcomes), a.WithOutcome[j], 12);
            Assert.Equal(b.WithOutcome[j], a.WithOutcome[j], 12);
            for (var k = 0; k < 5; k++)
            {
                Assert.Equal(Correlation.Pearson(columns.Select(v => v[j]), columns.Select(v => v[k])), a.Among[j, k], 12);
            }

            var exposed = Enumerable.Range(0, 2000).Where(i => columns[i][j] == 1).ToList();
            Assert.Equal(exposed.Count, indicators.Exposed(j));
            Assert.Equal(exposed.Average(i => outcomes[i]), indicators.MeanWhen(j), 12);
            Assert.Equal(Enumerable.Range(0, 2000).Except(exposed).Average(i => outcomes[i]), indicators.MeanWithout(j), 12);
        }
    }

    [Fact]
    public void Large_means_do_not_cancel_the_variance_away()
    {
        var (x, y) = Draw(200, 2, 0.3, seed: 2);
        var shifted = x.Select(v => new[] { v[0] + 1e9, v[1] - 1e9 }).ToList();
        var a = Accumulate(x, y);
        var b = Accumulate(shifted, [.. y.Select(v => v + 1e9)]);
        Assert.Equal(a.Among[0, 1], b.Among[0, 1], 6);
        Assert.Equal(a.WithOutcome[1], b.WithOutcome[1], 6);
    }

    [Fact]
    public void Bad_input_is_refused_with_the_row_and_what_is_wrong()
    {
        var moments = new Moments(2);
        moments.Add([1, 2], 3);
        var nan = Assert.Throws<ArgumentException>(() => moments.Add([1, double.NaN], 3));
        Assert.Contains("row 2", nan.Message, StringComparison.Ordinal);
        Assert.Contains("predictor 2", nan.Message, StringComparison.Ordinal);
        Assert.Equal(1, moments.Count);
        Assert.Throws<ArgumentException>(() => moments.Add([1], 3));
        Assert.Contains("at least 2", Assert.Throws<ArgumentException>(moments.Correlations).Message, StringComparison.Ordinal);

        var flat = new IndicatorMoments(2);
        flat.Add(1, 5);
        flat.Add(2, 5);
        Assert.Contains("the same on every row", Assert.Throws<ArgumentException>(flat.Correlations).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => flat.Add(4, 1));
        Assert.Throws<ArgumentException>(() => flat.Add(1, double.PositiveInfinity));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IndicatorMoments(65));

        var (x, y) = Draw(100, 21, 0.1, seed: 4);
        var wide = Accumulate(x, y);
        Assert.Contains("at most 20", Assert.Throws<ArgumentException>(() => RelativeImportance.Shapley(wide)).Message, StringComparison.Ordinal);
        Assert.Equal(ImportanceMethod.RelativeWeights, RelativeImportance.Analyse(wide).Method);
    }

    /// <summary>Rows of p predictors sharing a common factor (pairwise correlation about <paramref name="shared"/>) and an outcome linear in them plus noise.</summary>
    private static (List<double[]> X, List<double> Y) Draw(int n, int p, double shared, int seed)
    {
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var x = new List<double[]>();
        var y = new List<double>();
        for (var i = 0; i < n; i++)
        {
            var common = Normal();
            var row = Enumerable.Range(0, p).Select(_ => (Math.Sqrt(shared) * common) + (Math.Sqrt(1 - shared) * Normal())).ToArray();
            x.Add(row);
            y.Add(row.Select((v, j) => v * (1 + j) * (j % 2 == 0 ? 1 : -0.5)).Sum() + (2 * Normal()));
        }

        return (x, y);
    }

    private static Correlations Accumulate(List<double[]> x, List<double> y)
    {
        var moments = new Moments(x[0].Length);
        for (var i = 0; i < x.Count; i++)
        {
            moments.Add(x[i], y[i]);
        }

        return moments.Correlations();
    }

    /// <summary>R² of an ordinary least-squares fit with intercept, solved by QR on the raw data.</summary>
    private static double OlsRSquared(List<double[]> x, List<double> y, List<int> subset)
    {
        var design = Matrix<double>.Build.Dense(x.Count, subset.Count + 1, (i, j) => j == 0 ? 1 : x[i][subset[j - 1]]);
        var outcome = Vector<double>.Build.DenseOfEnumerable(y);
        var fitted = design * design.QR().Solve(outcome);
        var mean = y.Average();
        var residual = (outcome - fitted).DotProduct(outcome - fitted);
        var total = y.Sum(v => (v - mean) * (v - mean));
        return 1 - (residual / total);
    }

    /// <summary>
    /// Johnson (2000) from the data: the standardised X = P Δ Qᵀ; Z = P Qᵀ is orthonormal; β = Zᵀy; Λ = ZᵀX = Q Δ Qᵀ;
    /// the weight of predictor j is Σ_k Λ_kj² β_k².
    /// </summary>
    private static double[] JohnsonFromSvd(List<double[]> x, List<double> y)
    {
        var p = x[0].Length;
        var design = Matrix<double>.Build.Dense(x.Count, p, (i, j) => Standardised(x.Select(v => v[j]).ToList())[i]);
        var outcome = Vector<double>.Build.DenseOfEnumerable(Standardised(y));
        var svd = design.Svd(computeVectors: true);
        var u = svd.U.SubMatrix(0, x.Count, 0, p);
        var q = svd.VT.Transpose();
        var z = u * q.Transpose();
        var beta = z.Transpose() * outcome;
        var lambda = z.Transpose() * design;
        return [.. Enumerable.Range(0, p).Select(j => Enumerable.Range(0, p).Sum(k => lambda[k, j] * lambda[k, j] * beta[k] * beta[k]))];
    }

    /// <summary>Centred and scaled to unit length, so that XᵀX is the correlation matrix.</summary>
    private static List<double> Standardised(List<double> values)
    {
        var mean = values.Average();
        var length = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)));
        return [.. values.Select(v => (v - mean) / length)];
    }

    private static IEnumerable<int[]> Permutations(int[] items)
    {
        if (items.Length <= 1)
        {
            yield return items;
            yield break;
        }

        for (var i = 0; i < items.Length; i++)
        {
            var rest = items.Where((_, k) => k != i).ToArray();
            foreach (var tail in Permutations(rest))
            {
                yield return [items[i], .. tail];
            }
        }
    }
}
