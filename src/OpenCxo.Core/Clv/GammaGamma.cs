using MathNet.Numerics;

namespace OpenCxo.Core.Clv;

/// <summary>Gamma-Gamma parameters: each purchase's value is gamma(<see cref="P"/>, ν) with ν gamma(<see cref="Q"/>, <see cref="Gamma"/>) across customers.</summary>
public sealed record GammaGammaParameters(double P, double Q, double Gamma);

/// <summary>
/// The Gamma-Gamma model of spend per purchase: Fader &amp; Hardie (2013), "The Gamma-Gamma model of monetary value"
/// (note), after Colombo &amp; Jiang (1999). Fitted on repeat buyers' number of repeat purchases x and their mean
/// value m̄; assumes spend is independent of the purchase process.
/// </summary>
public static class GammaGamma
{
    /// <summary>Fits on the customers with repeat purchases (x &gt; 0), by maximum likelihood with the analytic gradient.</summary>
    /// <exception cref="ArgumentException">A summary is invalid (named by index), fewer than two repeat buyers, or a repeat buyer's mean value is not positive.</exception>
    public static ModelFit<GammaGammaParameters> Fit(IReadOnlyList<RfmSummary> customers)
    {
        ArgumentNullException.ThrowIfNull(customers);
        Calibration.Check(customers);
        var buyers = new List<RfmSummary>();
        for (var i = 0; i < customers.Count; i++)
        {
            if (customers[i].Frequency > 0)
            {
                if (customers[i].MeanValue <= 0)
                {
                    throw new ArgumentException($"customer {i + 1}: a repeat buyer's mean value must be > 0, not {customers[i].MeanValue}");
                }

                buyers.Add(customers[i]);
            }
        }

        if (buyers.Count < 2)
        {
            throw new ArgumentException($"the spend model needs at least two customers with repeat purchases, not {buyers.Count}");
        }

        // Start from the method of moments' neighbourhood: p = 1, q = 2 and γ the mean of the mean values (so that the
        // population mean spend pγ/(q−1) matches it).
        var mean = buyers.Average(c => c.MeanValue);
        var (fitted, value, iterations, bounded) = MaximumLikelihood.Maximise(
            p => LogLikelihoodAndGradient(new GammaGammaParameters(p[0], p[1], p[2]), buyers), [1, 2, mean], buyers.Count);
        return new ModelFit<GammaGammaParameters>(new GammaGammaParameters(fitted[0], fitted[1], fitted[2]), value, buyers.Count, iterations, bounded);
    }

    /// <summary>
    /// E[M | p, q, γ, m̄, x]: the expected value of this customer's future purchases, (γ + m̄x) p / (px + q − 1) (equation 5
    /// of the note); for a customer without repeat purchases, the population mean pγ / (q − 1).
    /// </summary>
    /// <exception cref="ArgumentException">px + q ≤ 1: the mean is infinite (a customer without repeat purchases when q ≤ 1).</exception>
    public static double ExpectedSpend(GammaGammaParameters parameters, RfmSummary customer)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var (p, q, gamma) = (parameters.P, parameters.Q, parameters.Gamma);
        var x = customer.Frequency;
        var denominator = (p * x) + q - 1;
        return denominator > 0
            ? (gamma + (customer.MeanValue * x)) * p / denominator
            : throw new ArgumentException($"q = {q:0.####}: with {x} repeat purchases the Gamma-Gamma mean spend is infinite (it needs px + q > 1)", nameof(parameters));
    }

    /// <summary>
    /// Σ of ℓ = ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln m̄ + px ln x − (px+q) ln(γ + m̄x), and its gradient:
    /// ∂ℓ/∂p = x (ψ(px+q) − ψ(px) + ln m̄ + ln x − ln(γ + m̄x)); ∂ℓ/∂q = ψ(px+q) − ψ(q) + ln γ − ln(γ + m̄x);
    /// ∂ℓ/∂γ = q/γ − (px+q)/(γ + m̄x).
    /// </summary>
    internal static (double Value, double[] Gradient) LogLikelihoodAndGradient(GammaGammaParameters parameters, IReadOnlyList<RfmSummary> buyers)
    {
        var (p, q, gamma) = (parameters.P, parameters.Q, parameters.Gamma);
        var total = 0.0;
        var gradient = new double[3];
        var psiQ = SpecialFunctions.DiGamma(q);
        var lnQ = SpecialFunctions.GammaLn(q);
        var lnGamma = Math.Log(gamma);
        foreach (var c in buyers)
        {
            var (x, m) = (c.Frequency, c.MeanValue);
            var px = p * x;
            var (lnM, lnX) = (Math.Log(m), Math.Log(x));
            var spent = Math.Log(gamma + (m * x));
            total += SpecialFunctions.GammaLn(px + q) - SpecialFunctions.GammaLn(px) - lnQ + (q * lnGamma)
                + ((px - 1) * lnM) + (px * lnX) - ((px + q) * spent);
            var psiPxq = SpecialFunctions.DiGamma(px + q);
            gradient[0] += x * (psiPxq - SpecialFunctions.DiGamma(px) + lnM + lnX - spent);
            gradient[1] += psiPxq - psiQ + lnGamma - spent;
            gradient[2] += (q / gamma) - ((px + q) / (gamma + (m * x)));
        }

        return (total, gradient);
    }
}
