namespace OpenCxo.Core.Clv;

/// <summary>
/// One customer's purchases in a calibration period, in one time unit (weeks for CDNOW), as the buy-till-you-die
/// models read them: <see cref="Frequency"/> x repeat purchases (purchases after the first, same-day ones merged),
/// <see cref="Recency"/> t_x the time of the last repeat purchase after the first purchase (0 without any),
/// <see cref="Age"/> T the time from the first purchase to the end of calibration, and <see cref="MeanValue"/> m̄ the
/// mean value of the repeat purchases (0 without any).
/// </summary>
public readonly record struct RfmSummary(double Frequency, double Recency, double Age, double MeanValue = 0)
{
    /// <summary>Why the summary cannot be fitted (naming the field), or null when it can.</summary>
    public string? Problem()
    {
        if (!double.IsFinite(Frequency) || Frequency < 0 || Frequency != Math.Floor(Frequency))
        {
            return $"frequency must be a whole number ≥ 0, not {Frequency}";
        }

        if (!double.IsFinite(Age) || Age <= 0)
        {
            return $"T must be a number > 0 (the time from the first purchase to the end of calibration), not {Age}";
        }

        if (!double.IsFinite(Recency) || Recency < 0 || Recency > Age)
        {
            return $"recency must be a number from 0 to T ({Age}), not {Recency}";
        }

        if (Frequency == 0 && Recency != 0)
        {
            return $"recency must be 0 when frequency is 0, not {Recency}";
        }

        if (!double.IsFinite(MeanValue) || MeanValue < 0)
        {
            return $"the mean value must be a number ≥ 0, not {MeanValue}";
        }

        return null;
    }
}

/// <summary>What every fit checks of its customers before it starts.</summary>
internal static class Calibration
{
    /// <exception cref="ArgumentException">No customers, or one whose summary is invalid (named by its position).</exception>
    public static void Check(IReadOnlyList<RfmSummary> customers)
    {
        ArgumentNullException.ThrowIfNull(customers);
        if (customers.Count == 0)
        {
            throw new ArgumentException("no customers to fit");
        }

        for (var i = 0; i < customers.Count; i++)
        {
            if (customers[i].Problem() is { } problem)
            {
                throw new ArgumentException($"customer {i + 1}: {problem}");
            }
        }
    }

    /// <summary>
    /// <see cref="Check"/>, that someone repeated a purchase (else drop-out and purchase rates cannot be told apart),
    /// and that there are at least two customers. Returns the mean age over the mean frequency, 1 / (mean purchase rate): the scale the purchase models
    /// start their rate parameter at.
    /// </summary>
    public static double CheckRepeats(IReadOnlyList<RfmSummary> customers)
    {
        Check(customers);
        if (customers.All(c => c.Frequency == 0))
        {
            throw new ArgumentException("no customer made a repeat purchase: the drop-out and purchase rates cannot be told apart");
        }

        if (customers.Count < 2)
        {
            throw new ArgumentException("one customer cannot show how customers differ, which the models' mixing distributions describe: fit at least two customers");
        }

        return 1 / Math.Max(customers.Average(c => c.Frequency) / customers.Average(c => c.Age), 1e-6);
    }
}
