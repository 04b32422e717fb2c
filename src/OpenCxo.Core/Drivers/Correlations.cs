namespace OpenCxo.Core.Drivers;

/// <summary>
/// What key-driver analysis runs on: the correlations among p predictors and of each with the outcome, over
/// <see cref="Count"/> rows. A predictor that never varies has no correlation with anything; it is marked
/// <see cref="Constant"/> and its correlations are zero.
/// </summary>
public sealed class Correlations
{
    public Correlations(double[,] among, double[] withOutcome, long count, bool[] constant)
    {
        var p = withOutcome.Length;
        if (among.GetLength(0) != p || among.GetLength(1) != p || constant.Length != p)
        {
            throw new ArgumentException($"{p} predictors need a {p} × {p} correlation matrix and {p} constancy flags", nameof(among));
        }

        Among = among;
        WithOutcome = withOutcome;
        Count = count;
        Constant = constant;
    }

    public double[,] Among { get; }

    public double[] WithOutcome { get; }

    public long Count { get; }

    public bool[] Constant { get; }

    public int Predictors => WithOutcome.Length;

    /// <summary>
    /// From centred sums of squares and cross-products (index p is the outcome), as both accumulators keep them.
    /// A variance below 1e-12 of the largest is treated as none.
    /// </summary>
    internal static Correlations FromCoMoments(double[,] comoments, long count)
    {
        var p = comoments.GetLength(0) - 1;
        if (count < 2)
        {
            throw new ArgumentException($"{count} rows: correlations need at least 2");
        }

        var scale = new double[p + 1];
        var largest = 0.0;
        for (var j = 0; j <= p; j++)
        {
            largest = Math.Max(largest, comoments[j, j]);
        }

        var constant = new bool[p];
        for (var j = 0; j <= p; j++)
        {
            var flat = !(comoments[j, j] > 1e-12 * largest);
            scale[j] = flat ? 0 : 1 / Math.Sqrt(comoments[j, j]);
            if (j < p)
            {
                constant[j] = flat;
            }
        }

        if (scale[p] == 0)
        {
            throw new ArgumentException("the outcome is the same on every row: there is nothing to explain");
        }

        var among = new double[p, p];
        var withOutcome = new double[p];
        for (var j = 0; j < p; j++)
        {
            for (var k = 0; k < p; k++)
            {
                among[j, k] = j == k ? 1 : Math.Clamp(comoments[j, k] * scale[j] * scale[k], -1, 1);
            }

            withOutcome[j] = Math.Clamp(comoments[j, p] * scale[j] * scale[p], -1, 1);
        }

        return new Correlations(among, withOutcome, count, constant);
    }
}

/// <summary>
/// Centred sums of squares and cross-products of predictors and an outcome, one row at a time, by Welford's update
/// generalised to co-moments (Welford 1962, Technometrics 4:419–420): no cancellation when means are large.
/// </summary>
public sealed class Moments
{
    private readonly double[] _mean;
    private readonly double[,] _comoments;
    private readonly double[] _delta;

    public Moments(int predictors)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(predictors);
        _mean = new double[predictors + 1];
        _comoments = new double[predictors + 1, predictors + 1];
        _delta = new double[predictors + 1];
    }

    public long Count { get; private set; }

    /// <exception cref="ArgumentException">A value that is not a finite number, or the wrong number of predictors.</exception>
    public void Add(ReadOnlySpan<double> predictors, double outcome)
    {
        var p = _mean.Length - 1;
        if (predictors.Length != p)
        {
            throw new ArgumentException($"{predictors.Length} predictor values where {p} are analysed", nameof(predictors));
        }

        for (var j = 0; j <= p; j++)
        {
            var x = j < p ? predictors[j] : outcome;
            if (!double.IsFinite(x))
            {
                throw new ArgumentException($"row {Count + 1}: {(j < p ? $"predictor {j + 1}" : "the outcome")} is {x}, not a number");
            }
        }

        Count++;
        for (var j = 0; j <= p; j++)
        {
            _delta[j] = (j < p ? predictors[j] : outcome) - _mean[j];
            _mean[j] += _delta[j] / Count;
        }

        // C_jk += (x_j − old mean_j)(x_k − new mean_k).
        for (var j = 0; j <= p; j++)
        {
            for (var k = 0; k <= j; k++)
            {
                var xk = k < p ? predictors[k] : outcome;
                _comoments[j, k] += _delta[j] * (xk - _mean[k]);
            }
        }
    }

    public Correlations Correlations()
    {
        var p = _mean.Length - 1;
        var full = new double[p + 1, p + 1];
        for (var j = 0; j <= p; j++)
        {
            for (var k = 0; k <= j; k++)
            {
                full[j, k] = full[k, j] = _comoments[j, k];
            }
        }

        return Drivers.Correlations.FromCoMoments(full, Count);
    }
}

/// <summary>
/// Sums for up to 64 yes/no predictors (a theme mentioned, a team that served, a channel used) and an outcome: a
/// row costs the square of the drivers present in it, not of all drivers, so millions of rows take well under a second.
/// Counts are exact integers; outcome sums are compensated. Not for use from two threads at once.
/// </summary>
public sealed class IndicatorMoments
{
    private readonly long[,] _both;
    private readonly double[] _outcomeWhen;
    private readonly double[] _outcomeWhenCarry;
    private readonly int[] _present = new int[64];
    private double _outcome;
    private double _outcomeSquares;

    public IndicatorMoments(int predictors)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(predictors);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(predictors, 64);
        Predictors = predictors;
        _both = new long[predictors, predictors];
        _outcomeWhen = new double[predictors];
        _outcomeWhenCarry = new double[predictors];
    }

    public int Predictors { get; }

    public long Count { get; private set; }

    /// <summary>How many rows had predictor <paramref name="j"/>.</summary>
    public long Exposed(int j) => _both[j, j];

    /// <summary>The mean outcome over rows with predictor <paramref name="j"/> (NaN when none had it).</summary>
    public double MeanWhen(int j) => _both[j, j] == 0 ? double.NaN : _outcomeWhen[j] / _both[j, j];

    /// <summary>The mean outcome over rows without predictor <paramref name="j"/> (NaN when all had it).</summary>
    public double MeanWithout(int j) => Count == _both[j, j] ? double.NaN : (_outcome - _outcomeWhen[j]) / (Count - _both[j, j]);

    public double Mean => _outcome / Count;

    /// <summary>One row: bit j of <paramref name="present"/> set when predictor j is 1.</summary>
    public void Add(ulong present, double outcome)
    {
        if (!double.IsFinite(outcome))
        {
            throw new ArgumentException($"row {Count + 1}: the outcome is {outcome}, not a number", nameof(outcome));
        }

        if (Predictors < 64 && present >> Predictors != 0)
        {
            throw new ArgumentException($"row {Count + 1}: a predictor beyond the {Predictors} analysed is set", nameof(present));
        }

        Count++;
        _outcome += outcome;
        _outcomeSquares += outcome * outcome;
        var n = 0;
        for (var bits = present; bits != 0; bits &= bits - 1)
        {
            _present[n++] = System.Numerics.BitOperations.TrailingZeroCount(bits);
        }

        for (var a = 0; a < n; a++)
        {
            var j = _present[a];
            // Kahan summation: tens of millions of outcome values add up without drift.
            var y = outcome - _outcomeWhenCarry[j];
            var t = _outcomeWhen[j] + y;
            _outcomeWhenCarry[j] = t - _outcomeWhen[j] - y;
            _outcomeWhen[j] = t;
            for (var b = 0; b <= a; b++)
            {
                _both[j, _present[b]]++;
            }
        }
    }

    public Correlations Correlations()
    {
        var p = Predictors;
        var n = (double)Count;
        var full = new double[p + 1, p + 1];
        for (var j = 0; j < p; j++)
        {
            for (var k = 0; k <= j; k++)
            {
                var both = Both(j, k);
                full[j, k] = full[k, j] = both - (Both(j, j) * (double)Both(k, k) / n);
            }

            full[j, p] = full[p, j] = _outcomeWhen[j] - (Both(j, j) * _outcome / n);
        }

        full[p, p] = _outcomeSquares - (_outcome * _outcome / n);
        return Drivers.Correlations.FromCoMoments(full, Count);
    }

    // Bits are read in increasing order, so a pair is counted once, under [larger, smaller].
    private long Both(int j, int k) => j >= k ? _both[j, k] : _both[k, j];
}
