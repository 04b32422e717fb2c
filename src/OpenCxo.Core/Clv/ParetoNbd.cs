using MathNet.Numerics;

namespace OpenCxo.Core.Clv;

/// <summary>Pareto/NBD parameters: purchase rates gamma(<see cref="R"/>, <see cref="Alpha"/>), drop-out rates gamma(<see cref="S"/>, <see cref="Beta"/>).</summary>
public sealed record ParetoNbdParameters(double R, double Alpha, double S, double Beta);

/// <summary>
/// The Pareto/NBD model of Schmittlein, Morrison &amp; Colombo (1987), in the forms of Fader &amp; Hardie (2005), "A note
/// on deriving the Pareto/NBD model and related expressions": the likelihood (their equation 19, with ₂F₁ in the
/// branch that keeps its argument in [0, 1)), P(alive) and the conditional expectation. The likelihood is summed in
/// log space; its gradient is taken numerically (central differences on the log parameters), since its analytic form
/// needs derivatives of ₂F₁ by its parameters.
/// </summary>
public static class ParetoNbd
{
    /// <exception cref="ArgumentException">A summary is invalid (named by index), there are none, or no one repeated a purchase.</exception>
    public static ModelFit<ParetoNbdParameters> Fit(IReadOnlyList<RfmSummary> customers)
    {
        var scale = Calibration.CheckRepeats(customers);
        var (fitted, value, iterations, bounded) = MaximumLikelihood.Maximise(
            p => NumericalGradient(q => LogLikelihood(new ParetoNbdParameters(q[0], q[1], q[2], q[3]), customers), p),
            [1, scale, 1, scale], customers.Count, gradientTolerance: 1e-6);
        return new ModelFit<ParetoNbdParameters>(new ParetoNbdParameters(fitted[0], fitted[1], fitted[2], fitted[3]), value, customers.Count, iterations, bounded);
    }

    /// <summary>Σ log-likelihood of the customers.</summary>
    public static double LogLikelihood(ParetoNbdParameters parameters, IReadOnlyList<RfmSummary> customers)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(customers);
        var head = -SpecialFunctions.GammaLn(parameters.R) + (parameters.R * Math.Log(parameters.Alpha)) + (parameters.S * Math.Log(parameters.Beta));
        var total = 0.0;
        foreach (var c in customers)
        {
            var (stays, leaves) = Terms(parameters, c);
            total += head + SpecialFunctions.GammaLn(parameters.R + c.Frequency) + LogSum(stays, leaves);
        }

        return total;
    }

    /// <summary>P(alive | x, t_x, T) = 1 / (1 + (s / (r+s+x)) (α+T)^(r+x) (β+T)^s A₀).</summary>
    public static double ProbabilityAlive(ParetoNbdParameters parameters, RfmSummary customer)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var (stays, leaves) = Terms(parameters, customer);
        return double.IsNegativeInfinity(leaves) ? 1 : 1 / (1 + Math.Exp(leaves - stays));
    }

    /// <summary>E[Y(t) | x, t_x, T] = (r+x)(β+T) / ((α+T)(s−1)) · [1 − ((β+T)/(β+T+t))^(s−1)] · P(alive).</summary>
    public static double ExpectedPurchases(ParetoNbdParameters parameters, RfmSummary customer, double t)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (t <= 0)
        {
            return 0;
        }

        var (r, alpha, s, beta) = (parameters.R, parameters.Alpha, parameters.S, parameters.Beta);
        var (x, T) = (customer.Frequency, customer.Age);
        var rate = (r + x) / (alpha + T);
        var horizon = Math.Abs(s - 1) < 1e-9
            ? (beta + T) * Math.Log((beta + T + t) / (beta + T))
            : (beta + T) / (s - 1) * (1 - Math.Pow((beta + T) / (beta + T + t), s - 1));
        return rate * horizon * ProbabilityAlive(parameters, customer);
    }

    /// <summary>
    /// ln of the likelihood's two parts after Γ(r+x) α^r β^s / Γ(r): still alive at T, −(r+x) ln(α+T) − s ln(β+T);
    /// and left between t_x and T, ln(s / (r+s+x)) + ln A₀ (−∞ when t_x = T).
    /// </summary>
    private static (double Stays, double Leaves) Terms(ParetoNbdParameters p, RfmSummary c)
    {
        var (r, alpha, s, beta) = (p.R, p.Alpha, p.S, p.Beta);
        var (x, tx, T) = (c.Frequency, c.Recency, c.Age);
        var stays = (-(r + x) * Math.Log(alpha + T)) - (s * Math.Log(beta + T));
        if (tx >= T)
        {
            return (stays, double.NegativeInfinity);
        }

        // A₀ = F(z(t_x)) / (m+t_x)^(r+s+x) − F(z(T)) / (m+T)^(r+s+x), with m the larger of α and β and F the ₂F₁ of
        // that branch, whose argument (|α−β| / (m + t)) is then in [0, 1).
        var (m, second) = alpha >= beta ? (alpha, s + 1) : (beta, r + x);
        var gap = Math.Abs(alpha - beta);
        var n = r + s + x;
        double Part(double t) => Math.Log(Hypergeometric.F21(n, second, n + 1, gap / (m + t))) - (n * Math.Log(m + t));
        var (early, late) = (Part(tx), Part(T));
        var a0 = early + Math.Log(-SpecialFunctions.Expm1(late - early));
        return (stays, Math.Log(s / n) + a0);
    }

    private static double LogSum(double a, double b) =>
        double.IsNegativeInfinity(b) ? a : Math.Max(a, b) + Math.Log(1 + Math.Exp(-Math.Abs(a - b)));

    /// <summary>The value and its gradient by central differences, each step relative to the parameter (steps on its logarithm).</summary>
    private static (double Value, double[] Gradient) NumericalGradient(Func<double[], double> f, double[] at)
    {
        var value = f(at);
        var gradient = new double[at.Length];
        for (var i = 0; i < at.Length; i++)
        {
            const double Step = 1e-5;
            var up = (double[])at.Clone();
            var down = (double[])at.Clone();
            up[i] *= Math.Exp(Step);
            down[i] *= Math.Exp(-Step);

            // d/dθ with θ = ln p, then ∂/∂p = (d/dθ) / p, as MaximumLikelihood expects.
            gradient[i] = (f(up) - f(down)) / (2 * Step) / at[i];
        }

        return (value, gradient);
    }
}
