using MathNet.Numerics;

namespace OpenCxo.Core.Clv;

/// <summary>
/// BG/NBD parameters: purchase rates are gamma(<see cref="R"/>, <see cref="Alpha"/>) across customers, and the
/// probability of dropping out after each purchase is beta(<see cref="A"/>, <see cref="B"/>).
/// </summary>
public sealed record BgNbdParameters(double R, double Alpha, double A, double B);

/// <summary>
/// The beta-geometric/NBD model of Fader, Hardie &amp; Lee (2005), "Counting your customers the easy way: an
/// alternative to the Pareto/NBD model", Marketing Science 24(2): 275–284. Equation numbers below are the paper's.
/// Everything is computed in log space (log-gamma, log-beta) so large frequencies and ages do not overflow.
/// </summary>
public static class BgNbd
{
    /// <summary>Fits by maximum likelihood with the analytic gradient (derived in the comment of <see cref="Customer"/>).</summary>
    /// <exception cref="ArgumentException">A summary is invalid (named by index), there are none, or no one repeated a purchase.</exception>
    public static ModelFit<BgNbdParameters> Fit(IReadOnlyList<RfmSummary> customers)
    {
        // Start where the data point: r = 1 and α = the mean age over the mean frequency (mean rate r/α), a = b = 1.
        var scale = Calibration.CheckRepeats(customers);
        var (fitted, value, iterations, bounded) = MaximumLikelihood.Maximise(
            p => LogLikelihoodAndGradient(new BgNbdParameters(p[0], p[1], p[2], p[3]), customers), [1, scale, 1, 1], customers.Count);
        return new ModelFit<BgNbdParameters>(new BgNbdParameters(fitted[0], fitted[1], fitted[2], fitted[3]), value, customers.Count, iterations, bounded);
    }

    /// <summary>Σ log-likelihood of the customers (equation 6).</summary>
    public static double LogLikelihood(BgNbdParameters parameters, IReadOnlyList<RfmSummary> customers) =>
        LogLikelihoodAndGradient(parameters, customers).Value;

    /// <summary>The probability that a customer with this history is still alive at the end of calibration (equation 12 of the 2005 technical note).</summary>
    public static double ProbabilityAlive(BgNbdParameters parameters, RfmSummary customer)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (customer.Frequency == 0)
        {
            return 1;
        }

        return 1 / (1 + Math.Exp(LogDropOutOdds(parameters, customer)));
    }

    /// <summary>
    /// E[Y(t) | x, t_x, T]: the expected purchases in the next <paramref name="t"/> time units of a customer with this
    /// history (equation 10).
    /// </summary>
    public static double ExpectedPurchases(BgNbdParameters parameters, RfmSummary customer, double t) =>
        ExpectedPurchasesIfAlive(parameters, customer, t) * ProbabilityAlive(parameters, customer);

    /// <summary>Equation 10 without its P(alive) factor, so a caller asking for many horizons computes P(alive) once.</summary>
    /// <exception cref="ArgumentException">a = 1, where the expectation is 0/0 (a limit this formula cannot take).</exception>
    internal static double ExpectedPurchasesIfAlive(BgNbdParameters parameters, RfmSummary customer, double t)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var (r, alpha, a, b) = (parameters.R, parameters.Alpha, parameters.A, parameters.B);
        var (x, T) = (customer.Frequency, customer.Age);
        if (t <= 0)
        {
            return 0;
        }

        if (a == 1)
        {
            throw new ArgumentException("a = 1: the BG/NBD expectation is 0/0 there; refit or move a off 1", nameof(parameters));
        }

        var head = (a + b + x - 1) / (a - 1);
        var tail = 1 - (Math.Exp((r + x) * Math.Log((alpha + T) / (alpha + T + t))) * Hypergeometric.F21(r + x, b + x, a + b + x - 1, t / (alpha + T + t)));
        return head * tail;
    }

    /// <summary>E[X(t)]: the expected purchases of a new customer in their first <paramref name="t"/> time units (equation 9).</summary>
    public static double ExpectedPurchases(BgNbdParameters parameters, double t)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var (r, alpha, a, b) = (parameters.R, parameters.Alpha, parameters.A, parameters.B);
        if (t <= 0)
        {
            return 0;
        }

        return (a + b - 1) / (a - 1) * (1 - (Math.Pow(alpha / (alpha + t), r) * Hypergeometric.F21(r, b, a + b - 1, t / (alpha + t))));
    }

    /// <summary>P(X(t) = x): the probability that a new customer makes exactly x purchases in their first t time units (equation 8).</summary>
    public static double ProbabilityOfPurchases(BgNbdParameters parameters, double t, int x)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfNegative(x);
        var (r, alpha, a, b) = (parameters.R, parameters.Alpha, parameters.A, parameters.B);
        var logBeta = SpecialFunctions.BetaLn(a, b);
        var nbd = SpecialFunctions.GammaLn(r + x) - SpecialFunctions.GammaLn(r) - SpecialFunctions.GammaLn(x + 1)
            + (r * Math.Log(alpha / (alpha + t))) + (x * Math.Log(t / (alpha + t)));
        var alive = Math.Exp(SpecialFunctions.BetaLn(a, b + x) - logBeta + nbd);
        if (x == 0)
        {
            return alive;
        }

        // 1 − P(fewer than x purchases under the NBD) = 1 − Σ_{j<x} Γ(r+j)/(Γ(r) j!) (α/(α+t))^r (t/(α+t))^j.
        var fewer = 0.0;
        for (var j = 0; j < x; j++)
        {
            fewer += Math.Exp(SpecialFunctions.GammaLn(r + j) - SpecialFunctions.GammaLn(r) - SpecialFunctions.GammaLn(j + 1)
                + (r * Math.Log(alpha / (alpha + t))) + (j * Math.Log(t / (alpha + t))));
        }

        return alive + (Math.Exp(SpecialFunctions.BetaLn(a + 1, b + x - 1) - logBeta) * (1 - fewer));
    }

    /// <summary>
    /// ln of the odds that a customer who repeated purchases has dropped out since their last one:
    /// D = ln a − ln(b + x − 1) + (r + x) ln((α + T) / (α + t_x)).
    /// </summary>
    private static double LogDropOutOdds(BgNbdParameters p, RfmSummary c) =>
        Math.Log(p.A) - Math.Log(p.B + c.Frequency - 1) + ((p.R + c.Frequency) * Math.Log((p.Alpha + c.Age) / (p.Alpha + c.Recency)));

    internal static (double Value, double[] Gradient) LogLikelihoodAndGradient(BgNbdParameters parameters, IReadOnlyList<RfmSummary> customers)
    {
        var (r, alpha, a, b) = (parameters.R, parameters.Alpha, parameters.A, parameters.B);

        // The gamma and digamma terms depend on the customer only through x: computed once per frequency, so a
        // customer costs two logarithms and an exponential (a million customers per evaluation in well under a second).
        var terms = new Dictionary<double, (double Value, double R, double A, double B)>();
        var total = 0.0;
        var gradient = new double[4];
        var (lnAlpha, lnA, psiR, psiB, psiAb) = (Math.Log(alpha), Math.Log(a), SpecialFunctions.DiGamma(r), SpecialFunctions.DiGamma(b), SpecialFunctions.DiGamma(a + b));
        var (lnGammaR, lnGammaB, lnGammaAb) = (SpecialFunctions.GammaLn(r), SpecialFunctions.GammaLn(b), SpecialFunctions.GammaLn(a + b));
        foreach (var c in customers)
        {
            var (x, tx, T) = (c.Frequency, c.Recency, c.Age);
            if (!terms.TryGetValue(x, out var term))
            {
                var psiAbx = SpecialFunctions.DiGamma(a + b + x);
                term = (
                    SpecialFunctions.GammaLn(r + x) - lnGammaR + SpecialFunctions.GammaLn(b + x) - lnGammaB - SpecialFunctions.GammaLn(a + b + x) + lnGammaAb,
                    SpecialFunctions.DiGamma(r + x) - psiR,
                    psiAb - psiAbx,
                    SpecialFunctions.DiGamma(b + x) - psiB + psiAb - psiAbx);
                terms[x] = term;
            }

            var lnAge = Math.Log(alpha + T);
            total += term.Value + (r * lnAlpha) - ((r + x) * lnAge);
            gradient[0] += term.R + lnAlpha - lnAge;
            gradient[1] += (r / alpha) - ((r + x) / (alpha + T));
            gradient[2] += term.A;
            gradient[3] += term.B;
            if (x > 0)
            {
                // D, the log-odds of having dropped out after the last purchase; ℓ gains ln(1 + e^D), and w = e^D / (1 + e^D).
                var lnRecent = Math.Log(alpha + tx);
                var d = lnA - Math.Log(b + x - 1) + ((r + x) * (lnAge - lnRecent));
                var e = Math.Exp(-Math.Abs(d));
                total += Math.Max(d, 0) + Math.Log(1 + e);
                var w = d > 0 ? 1 / (1 + e) : e / (1 + e);
                gradient[0] += w * (lnAge - lnRecent);
                gradient[1] += w * (r + x) * ((1 / (alpha + T)) - (1 / (alpha + tx)));
                gradient[2] += w / a;
                gradient[3] -= w / (b + x - 1);
            }
        }

        return (total, gradient);
    }

    /// <summary>
    /// The log-likelihood per customer, written out. With A1 = ln Γ(r+x) − ln Γ(r) + r ln α and
    /// A2 = ln B(a, b+x) − ln B(a, b) − (r+x) ln(α+T), equation 6 is ℓ = A1 + A2 + ln(1 + δ e^D) with δ = [x &gt; 0] and
    /// D as in <see cref="LogDropOutOdds"/>, because B(a+1, b+x−1) = B(a, b+x) · a / (b+x−1). Its derivatives, with ψ
    /// the digamma function and w = δ e^D / (1 + δ e^D):
    /// ∂ℓ/∂r = ψ(r+x) − ψ(r) + ln α − ln(α+T) + w ln((α+T)/(α+t_x));
    /// ∂ℓ/∂α = r/α − (r+x)/(α+T) + w (r+x) (1/(α+T) − 1/(α+t_x));
    /// ∂ℓ/∂a = ψ(a+b) − ψ(a+b+x) + w / a;
    /// ∂ℓ/∂b = ψ(b+x) − ψ(b) + ψ(a+b) − ψ(a+b+x) − w / (b+x−1).
    /// <see cref="LogLikelihoodAndGradient"/> computes the same, sharing the terms of equal x.
    /// </summary>
    internal static double Customer(BgNbdParameters p, RfmSummary c) =>
        SpecialFunctions.GammaLn(p.R + c.Frequency) - SpecialFunctions.GammaLn(p.R) + (p.R * Math.Log(p.Alpha))
        + SpecialFunctions.BetaLn(p.A, p.B + c.Frequency) - SpecialFunctions.BetaLn(p.A, p.B) - ((p.R + c.Frequency) * Math.Log(p.Alpha + c.Age))
        + (c.Frequency > 0 ? Math.Log(1 + Math.Exp(LogDropOutOdds(p, c))) : 0);

    /// <summary>
    /// Draws customers from the model's story: λ ~ gamma(r, α) and p ~ beta(a, b) per customer; purchases come as a
    /// Poisson process of rate λ, and after each one the customer drops out with probability p. Each is observed for
    /// a T drawn uniformly between <paramref name="minimumAge"/> and <paramref name="maximumAge"/> after a first purchase.
    /// </summary>
    public static List<RfmSummary> Simulate(BgNbdParameters parameters, int count, double minimumAge, double maximumAge, Random random)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(random);
        var customers = new List<RfmSummary>(count);
        for (var i = 0; i < count; i++)
        {
            var rate = MathNet.Numerics.Distributions.Gamma.Sample(random, parameters.R, parameters.Alpha);
            var dropOut = MathNet.Numerics.Distributions.Beta.Sample(random, parameters.A, parameters.B);
            var age = minimumAge + ((maximumAge - minimumAge) * random.NextDouble());
            var (time, purchases, last) = (0.0, 0, 0.0);
            while (true)
            {
                time += MathNet.Numerics.Distributions.Exponential.Sample(random, rate);
                if (time > age)
                {
                    break;
                }

                purchases++;
                last = time;
                if (random.NextDouble() < dropOut)
                {
                    break;
                }
            }

            customers.Add(new RfmSummary(purchases, last, age));
        }

        return customers;
    }
}
