using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace OpenCxo.Core.Clv;

/// <summary>A fitted model: its parameters, the log-likelihood at them, and how the optimiser got there.</summary>
public sealed record ModelFit<TParameters>(TParameters Parameters, double LogLikelihood, int Customers, int Iterations);

/// <summary>
/// Maximum likelihood over positive parameters: L-BFGS (Math.NET) on their logarithms, so every step stays positive
/// without bounds, on the mean log-likelihood per customer, so that tolerances do not depend on the sample size.
/// </summary>
internal static class MaximumLikelihood
{
    /// <param name="logLikelihood">Σ log-likelihood and its gradient by each parameter (not by its logarithm).</param>
    /// <param name="start">Positive starting values.</param>
    /// <exception cref="ArgumentException">The optimiser did not converge, or the likelihood is not finite at the start.</exception>
    /// <param name="gradientTolerance">When the mean log-likelihood's gradient is this flat, stop (looser for numerical gradients).</param>
    public static (double[] Parameters, double LogLikelihood, int Iterations) Maximise(
        Func<double[], (double Value, double[] Gradient)> logLikelihood, double[] start, int customers, double gradientTolerance = 1e-9)
    {
        var (first, _) = logLikelihood(start);
        if (!double.IsFinite(first))
        {
            throw new ArgumentException("the likelihood is not finite at the starting values: the data cannot be fitted");
        }

        var objective = ObjectiveFunction.Gradient(theta =>
        {
            var parameters = theta.Select(v => Math.Exp(v)).ToArray();
            var (value, gradient) = logLikelihood(parameters);
            if (!double.IsFinite(value) || gradient.Any(g => !double.IsFinite(g)))
            {
                // Outside where the likelihood can be computed: a wall the line search backs away from.
                return (double.MaxValue / 4, Vector<double>.Build.Dense(parameters.Length));
            }

            return (-value / customers, Vector<double>.Build.Dense(parameters.Length, i => -gradient[i] * parameters[i] / customers));
        });
        try
        {
            var minimizer = new LimitedMemoryBfgsMinimizer(gradientTolerance, 1e-12, 1e-15, 10, 2000);
            var result = minimizer.FindMinimum(objective, Vector<double>.Build.Dense([.. start.Select(v => Math.Log(v))]));
            var fitted = result.MinimizingPoint.Select(v => Math.Exp(v)).ToArray();
            return (fitted, logLikelihood(fitted).Value, result.Iterations);
        }
        catch (Exception e) when (e is MaximumIterationsException or OptimizationException or ArgumentException)
        {
            throw new ArgumentException($"the fit did not converge ({e.Message}); the data may not identify the model", e);
        }
    }
}
