using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace OpenCxo.Core.Clv;

/// <summary>A fitted model: its parameters, the log-likelihood at them, and how the optimiser got there.</summary>
/// <param name="AtBound">
/// Parameters (by position) that ended at the search's bound (10⁻⁶ or 10⁶): the likelihood still grows that way, so the
/// data say only that the parameter is very small or very large (e.g. purchase rates with no heterogeneity send r and
/// α up together). The other parameters and the predictions remain usable.
/// </param>
public sealed record ModelFit<TParameters>(TParameters Parameters, double LogLikelihood, int Customers, int Iterations, IReadOnlyList<int> AtBound);

/// <summary>
/// Maximum likelihood over positive parameters, searched on their logarithms so every step stays positive, and on the
/// mean log-likelihood per customer so tolerances do not depend on the sample size: unbounded L-BFGS first; when it
/// fails or leaves 10⁻⁶..10⁶, BFGS with those bounds (Math.NET's BfgsBMinimizer, an L-BFGS-B relative) from the start.
/// </summary>
internal static class MaximumLikelihood
{
    /// <param name="logLikelihood">Σ log-likelihood and its gradient by each parameter (not by its logarithm).</param>
    /// <param name="start">Positive starting values.</param>
    /// <exception cref="ArgumentException">The optimiser did not converge, or the likelihood is not finite at the start.</exception>
    /// <param name="gradientTolerance">When the mean log-likelihood's gradient is this flat, stop (looser for numerical gradients).</param>
    public static (double[] Parameters, double LogLikelihood, int Iterations, IReadOnlyList<int> AtBound) Maximise(
        Func<double[], (double Value, double[] Gradient)> logLikelihood, double[] start, int customers, double gradientTolerance = 1e-9)
    {
        var (first, _) = logLikelihood(start);
        if (!double.IsFinite(first))
        {
            throw new ArgumentException("the likelihood is not finite at the starting values: the data cannot be fitted");
        }

        // The best point the bounded search has seen: BFGS can stop with "not a descent direction" once rounding
        // dominates, or run into a flat ridge; from there one fresh start (new curvature memory) usually finishes, and
        // a point whose gradient is flat to rounding is the answer.
        var best = (Value: double.MaxValue, Theta: Vector<double>.Build.Dense([.. start.Select(v => Math.Log(v))]), Gradient: double.MaxValue);
        var objective = ObjectiveFunction.Gradient(theta =>
        {
            var parameters = theta.Select(v => Math.Exp(v)).ToArray();
            double value;
            double[] gradient;
            try
            {
                (value, gradient) = logLikelihood(parameters);
            }
            catch (ArithmeticException)
            {
                (value, gradient) = (double.NaN, []);
            }

            if (!double.IsFinite(value) || gradient.Any(g => !double.IsFinite(g)))
            {
                // Outside where the likelihood can be computed: a wall the line search backs away from.
                return (double.MaxValue / 4, Vector<double>.Build.Dense(parameters.Length));
            }

            var scaled = Vector<double>.Build.Dense(parameters.Length, i => -gradient[i] * parameters[i] / customers);
            if (-value / customers < best.Value)
            {
                best = (-value / customers, theta.Clone(), scaled.L2Norm());
            }

            return (-value / customers, scaled);
        });
        // Unbounded L-BFGS first: on data that identify the model it ends inside the bounds, in fewer evaluations
        // (Pareto/NBD on CDNOW: 0.24 s against 3.6 s with bounds). Bounded BFGS when it fails or leaves them.
        try
        {
            var free = new LimitedMemoryBfgsMinimizer(gradientTolerance, 1e-12, 1e-15, 10, 2000).FindMinimum(objective, best.Theta);
            if (free.MinimizingPoint.All(v => Math.Abs(v) < Limit) && At(free.MinimizingPoint) is { } found)
            {
                return (found.Parameters, found.LogLikelihood, free.Iterations, []);
            }
        }
        catch (Exception e) when (e is MaximumIterationsException or OptimizationException or ArgumentException)
        {
            // The bounded search below takes over.
        }

        // The bounded search starts again from the starting values (where the free one went may not be computable)
        // and keeps its own best point.
        best = (double.MaxValue, Vector<double>.Build.Dense([.. start.Select(v => Math.Clamp(Math.Log(v), -Limit + 1e-6, Limit - 1e-6))]), double.MaxValue);

        var iterations = 0;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                var minimizer = new BfgsBMinimizer(gradientTolerance, 1e-12, 1e-15, 2000);
                var result = minimizer.FindMinimum(objective, Lower(start.Length), Upper(start.Length), best.Theta);
                if (At(result.MinimizingPoint) is { } found)
                {
                    return (found.Parameters, found.LogLikelihood, iterations + result.Iterations, Bounded(result.MinimizingPoint));
                }

                iterations += result.Iterations;
            }
            catch (Exception e) when (e is MaximumIterationsException or OptimizationException or ArgumentException)
            {
                iterations += 2000;
                if (best.Gradient < Math.Max(gradientTolerance * 1000, 1e-6) && At(best.Theta) is { } found)
                {
                    return (found.Parameters, found.LogLikelihood, iterations, Bounded(best.Theta));
                }

                if (attempt == 2)
                {
                    throw new ArgumentException($"the fit did not converge ({e.Message}); the data may not identify the model", e);
                }
            }
        }

        throw new ArgumentException("the fit did not converge: the likelihood cannot be computed where the optimiser ends; the data may not identify the model");

        // The parameters at a point and their log-likelihood, or null where it cannot be computed.
        (double[] Parameters, double LogLikelihood)? At(Vector<double> theta)
        {
            var parameters = theta.Select(v => Math.Exp(v)).ToArray();
            try
            {
                var value = logLikelihood(parameters).Value;
                return double.IsFinite(value) ? (parameters, value) : null;
            }
            catch (ArithmeticException)
            {
                return null;
            }
        }
    }

    /// <summary>ln 10⁶: the parameters are searched between 10⁻⁶ and 10⁶.</summary>
    private static readonly double Limit = Math.Log(1e6);

    private static Vector<double> Lower(int count) => Vector<double>.Build.Dense(count, -Limit);

    private static Vector<double> Upper(int count) => Vector<double>.Build.Dense(count, Limit);

    private static int[] Bounded(Vector<double> theta) => [.. Enumerable.Range(0, theta.Count).Where(i => Math.Abs(theta[i]) > Limit - 1e-3)];
}
