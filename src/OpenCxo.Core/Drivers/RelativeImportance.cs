using MathNet.Numerics.LinearAlgebra;

namespace OpenCxo.Core.Drivers;

public enum ImportanceMethod
{
    /// <summary>Exact Shapley value decomposition of R² (LMG): every order of entering the regression, averaged.</summary>
    Shapley,

    /// <summary>Johnson's relative weights: R² split through the closest orthogonal predictors.</summary>
    RelativeWeights,
}

/// <summary>
/// How much of the outcome's variance each predictor accounts for. <see cref="Weights"/> sum to <see cref="RSquared"/>;
/// <see cref="Betas"/> are the standardised coefficients of the full regression (zero for a predictor the others
/// already determine), whose signs say which way each predictor moves the outcome with the others held fixed.
/// </summary>
public sealed record DriverImportance(ImportanceMethod Method, double RSquared, double[] Weights, double[] Betas);

/// <summary>
/// Relative importance of correlated predictors in a linear regression: how R² is shared when predictors overlap, as
/// they do in customer experience (the customers who call at night are the ones who wait longest).
/// </summary>
public static class RelativeImportance
{
    /// <summary>The largest number of predictors the exact Shapley decomposition takes (2^p regressions).</summary>
    public const int MaxShapleyPredictors = 20;

    // A predictor whose variance left after the ones before it is below this share adds nothing (it is collinear).
    private const double Collinear = 1e-10;

    /// <summary>Shapley when there are at most <see cref="MaxShapleyPredictors"/> predictors, relative weights beyond, or the method asked for.</summary>
    /// <exception cref="ArgumentException">Shapley asked for more than <see cref="MaxShapleyPredictors"/> predictors.</exception>
    public static DriverImportance Analyse(Correlations correlations, ImportanceMethod? method = null)
    {
        var chosen = method ?? (correlations.Predictors <= MaxShapleyPredictors ? ImportanceMethod.Shapley : ImportanceMethod.RelativeWeights);
        var weights = chosen == ImportanceMethod.Shapley ? Shapley(correlations) : RelativeWeights(correlations);
        var full = Full(correlations);
        return new DriverImportance(chosen, full.RSquared, weights, full.Solve());
    }

    /// <summary>R² of the regression of the outcome on the predictors in <paramref name="subset"/>.</summary>
    public static double RSquared(Correlations correlations, IReadOnlyList<int> subset)
    {
        var factor = new Cholesky(correlations, subset.Count);
        foreach (var j in subset)
        {
            factor.Push(j);
        }

        return factor.RSquared;
    }

    /// <summary>
    /// The Shapley value of each predictor in the game "R² of a subset": its gain in R² when it enters, averaged over
    /// all p! orders (Lindeman, Merenda &amp; Gold 1980; Grömping 2006, J. Stat. Software 17(1), the "lmg" metric).
    /// R² of all 2^p subsets comes from one depth-first walk that extends a Cholesky factor by a row per step.
    /// </summary>
    /// <exception cref="ArgumentException">More than <see cref="MaxShapleyPredictors"/> predictors.</exception>
    public static double[] Shapley(Correlations correlations)
    {
        var p = correlations.Predictors;
        if (p > MaxShapleyPredictors)
        {
            throw new ArgumentException($"{p} predictors: the exact Shapley decomposition takes at most {MaxShapleyPredictors} (2^p regressions); use relative weights");
        }

        var r2 = new double[1 << p];
        var factor = new Cholesky(correlations, p);
        Walk(0, 0);

        // φ_j = Σ over S without j of |S|! (p − |S| − 1)! / p! · (R²(S ∪ {j}) − R²(S)).
        var weight = new double[p];
        for (var s = 0; s < p; s++)
        {
            weight[s] = Math.Exp(LogFactorial(s) + LogFactorial(p - s - 1) - LogFactorial(p));
        }

        var shapley = new double[p];
        for (var mask = 0; mask < r2.Length; mask++)
        {
            var size = System.Numerics.BitOperations.PopCount((uint)mask);
            for (var j = 0; j < p; j++)
            {
                if ((mask & (1 << j)) == 0)
                {
                    shapley[j] += weight[size] * (r2[mask | (1 << j)] - r2[mask]);
                }
            }
        }

        return shapley;

        void Walk(int mask, int from)
        {
            r2[mask] = factor.RSquared;
            for (var j = from; j < p; j++)
            {
                factor.Push(j);
                Walk(mask | (1 << j), j + 1);
                factor.Pop();
            }
        }
    }

    /// <summary>
    /// Johnson's relative weights (Johnson 2000, Multivariate Behavioral Research 35(1):1–19): the predictors are
    /// replaced by their closest orthonormal counterparts Z = X R^(−1/2); the outcome's R² on Z splits exactly, and
    /// each Z's share goes back to the predictors by the squared loadings Λ = R^(1/2). Weights sum to R².
    /// </summary>
    public static double[] RelativeWeights(Correlations correlations)
    {
        var p = correlations.Predictors;
        var among = Matrix<double>.Build.DenseOfArray(correlations.Among);
        var evd = among.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric);
        var vectors = evd.EigenVectors;
        var values = evd.EigenValues.Select(v => Math.Max(v.Real, 0)).ToArray();
        var largest = values.Max();
        var root = vectors * Matrix<double>.Build.DiagonalOfDiagonalArray([.. values.Select(Math.Sqrt)]) * vectors.Transpose();
        // Directions with no variance (collinear predictors) carry nothing: a pseudo-inverse root.
        var inverseRoot = vectors * Matrix<double>.Build.DiagonalOfDiagonalArray([.. values.Select(v => v > Collinear * largest ? 1 / Math.Sqrt(v) : 0)]) * vectors.Transpose();
        var beta = inverseRoot * Vector<double>.Build.DenseOfArray(correlations.WithOutcome);
        var weights = new double[p];
        for (var j = 0; j < p; j++)
        {
            for (var k = 0; k < p; k++)
            {
                weights[j] += root[j, k] * root[j, k] * beta[k] * beta[k];
            }
        }

        return weights;
    }

    /// <summary>Standardised coefficients of the full regression; a predictor the earlier ones determine gets zero.</summary>
    public static double[] Betas(Correlations correlations) => Full(correlations).Solve();

    /// <summary>The factor of all predictors, in order.</summary>
    private static Cholesky Full(Correlations correlations)
    {
        var factor = new Cholesky(correlations, correlations.Predictors);
        for (var j = 0; j < correlations.Predictors; j++)
        {
            factor.Push(j);
        }

        return factor;
    }

    private static double LogFactorial(int n) => MathNet.Numerics.SpecialFunctions.FactorialLn(n);

    /// <summary>
    /// The Cholesky factor L of the correlations among a growing list of predictors, and z with L z = r (their
    /// correlations with the outcome), so that R² = z·z. A predictor that is (numerically) a combination of those
    /// before it gets a zero row: it adds nothing, as in a least-squares fit that drops it.
    /// </summary>
    private sealed class Cholesky(Correlations correlations, int capacity)
    {
        private readonly double[,] _l = new double[capacity, capacity];
        private readonly double[] _z = new double[capacity];
        private readonly int[] _columns = new int[capacity];
        private readonly double[] _r2 = new double[capacity + 1];
        private int _size;

        public double RSquared => _r2[_size];

        public void Push(int column)
        {
            var i = _size;
            _columns[i] = column;
            var among = correlations.Among;
            double diagonal = among[column, column];
            double z = correlations.WithOutcome[column];
            for (var k = 0; k < i; k++)
            {
                var lkk = _l[k, k];
                var lik = lkk == 0 ? 0 : (among[column, _columns[k]] - Dot(i, k, k)) / lkk;
                _l[i, k] = lik;
                diagonal -= lik * lik;
                z -= lik * _z[k];
            }

            if (correlations.Constant[column] || diagonal <= Collinear)
            {
                _l[i, i] = 0;
                _z[i] = 0;
            }
            else
            {
                _l[i, i] = Math.Sqrt(diagonal);
                _z[i] = z / _l[i, i];
            }

            _r2[i + 1] = _r2[i] + (_z[i] * _z[i]);
            _size++;
        }

        public void Pop() => _size--;

        /// <summary>β with R β = r over the pushed predictors, by back substitution of Lᵀ β = z.</summary>
        public double[] Solve()
        {
            var beta = new double[correlations.Predictors];
            var solved = new double[_size];
            for (var i = _size - 1; i >= 0; i--)
            {
                if (_l[i, i] == 0)
                {
                    continue;
                }

                var sum = _z[i];
                for (var k = i + 1; k < _size; k++)
                {
                    sum -= _l[k, i] * solved[k];
                }

                solved[i] = sum / _l[i, i];
                beta[_columns[i]] = solved[i];
            }

            return beta;
        }

        private double Dot(int i, int k, int length)
        {
            double sum = 0;
            for (var m = 0; m < length; m++)
            {
                sum += _l[i, m] * _l[k, m];
            }

            return sum;
        }
    }
}
