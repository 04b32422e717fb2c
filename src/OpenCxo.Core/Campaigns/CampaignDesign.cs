using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MathNet.Numerics.Distributions;

namespace OpenCxo.Core.Campaigns;

/// <summary>
/// The design of a campaign measured against a held-out control group: who is held out, and what uplift a test of
/// that size can detect.
/// </summary>
public static class CampaignDesign
{
    public const double DefaultAlpha = 0.05;
    public const double DefaultPower = 0.8;

    /// <summary>
    /// Whether <paramref name="customer"/> is held out: the first 64 bits of SHA-256("seed:customer") read as a fraction of
    /// 2⁶⁴, below <paramref name="controlShare"/>. Random (uniform and independent of anything about the customer),
    /// stable (the same seed and customer always give the same answer, on any machine) and needing nothing stored
    /// to reproduce.
    /// </summary>
    public static bool IsControl(string seed, long customer, double controlShare)
    {
        ArgumentNullException.ThrowIfNull(seed);
        ArgumentOutOfRangeException.ThrowIfNegative(controlShare);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(controlShare, 1);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(seed + ":" + customer.ToString(CultureInfo.InvariantCulture)), hash);
        var draw = BinaryPrimitives.ReadUInt64BigEndian(hash) / 18446744073709551616.0;
        return draw < controlShare;
    }

    /// <summary>
    /// The smallest rise of a proportion (retention, repeat purchase) from <paramref name="baseline"/> that a two-sided
    /// test at <paramref name="alpha"/> detects with <paramref name="power"/>, with <paramref name="treated"/> and
    /// <paramref name="control"/> customers: the p₂ &gt; p₁ solving
    /// |p₂ − p₁| = z₁₋α/₂ √(p̄q̄ (1/n₁ + 1/n₂)) + z₁₋β √(p₁q₁/n₂ + p₂q₂/n₁), p̄ the allocation-weighted mean
    /// (J. L. Fleiss, B. Levin, M. C. Paik, Statistical Methods for Rates and Proportions, 3rd ed., 2003, chapter 4,
    /// the sample size for unequal groups without the continuity correction; the pooled test OpenCXO reports). In
    /// percentage points; NaN
    /// when even a rise to 100 % would not be detected.
    /// </summary>
    public static double DetectableRise(double baseline, long treated, long control, double alpha = DefaultAlpha, double power = DefaultPower)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(treated);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(control);
        if (baseline is <= 0 or >= 1 || double.IsNaN(baseline))
        {
            throw new ArgumentOutOfRangeException(nameof(baseline), baseline, "a baseline proportion is between 0 and 1 (exclusive)");
        }

        var za = Normal.InvCDF(0, 1, 1 - (alpha / 2));
        var zb = Normal.InvCDF(0, 1, power);
        double Gap(double p2)
        {
            var pooled = ((baseline * control) + (p2 * treated)) / (control + treated);
            var needed = (za * Math.Sqrt(pooled * (1 - pooled) * ((1.0 / treated) + (1.0 / control))))
                + (zb * Math.Sqrt((baseline * (1 - baseline) / control) + (p2 * (1 - p2) / treated)));
            return p2 - baseline - needed;
        }

        var (low, high) = (baseline, 1 - 1e-12);
        if (Gap(high) < 0)
        {
            return double.NaN;
        }

        for (var i = 0; i < 200 && high - low > 1e-12; i++)
        {
            var mid = (low + high) / 2;
            (low, high) = Gap(mid) < 0 ? (mid, high) : (low, mid);
        }

        return 100 * (high - baseline);
    }

    /// <summary>
    /// The smallest difference in a mean (value per customer) a two-sided test detects: (z₁₋α/₂ + z₁₋β) σ √(1/n₁ + 1/n₂)
    /// (the normal approximation; e.g. S.-C. Chow, J. Shao, H. Wang, Sample Size Calculations in Clinical Research,
    /// 2nd ed., 2008, section 3.2.1), σ the outcome's standard deviation.
    /// </summary>
    public static double DetectableDifference(double standardDeviation, long treated, long control, double alpha = DefaultAlpha, double power = DefaultPower)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(standardDeviation);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(treated);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(control);
        return (Normal.InvCDF(0, 1, 1 - (alpha / 2)) + Normal.InvCDF(0, 1, power)) * standardDeviation * Math.Sqrt((1.0 / treated) + (1.0 / control));
    }

    /// <summary>
    /// The smallest NPS difference (points, −100 … 100 scale) a test detects when the groups answer
    /// <paramref name="treatedAnswers"/> and <paramref name="controlAnswers"/> times: the mean difference with the NPS
    /// variance per answer p + d − (p − d)² (Rocks 2016) at the baseline promoter and detractor shares.
    /// </summary>
    public static double DetectableNps(double promoterShare, double detractorShare, long treatedAnswers, long controlAnswers, double alpha = DefaultAlpha, double power = DefaultPower)
    {
        var variance = promoterShare + detractorShare - ((promoterShare - detractorShare) * (promoterShare - detractorShare));
        return 100 * DetectableDifference(Math.Sqrt(Math.Max(0, variance)), treatedAnswers, controlAnswers, alpha, power);
    }
}
