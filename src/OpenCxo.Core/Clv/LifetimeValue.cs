namespace OpenCxo.Core.Clv;

/// <summary>
/// One customer's predictions: probability alive and purchases expected over the horizon (BG/NBD), and, with a spend
/// model, the expected spend per purchase and the discounted lifetime value (null without one).
/// </summary>
public readonly record struct CustomerValue(double ProbabilityAlive, double ExpectedPurchases, double? ExpectedSpend, double? Value);

/// <summary>Customer lifetime value from a purchase model and a spend model.</summary>
public static class LifetimeValue
{
    /// <summary>
    /// A customer's predictions over <paramref name="horizonWeeks"/>, discounted at <paramref name="annualDiscount"/> a
    /// year as <see cref="Discounted"/> does; P(alive) is computed once for every month's expectation.
    /// </summary>
    /// <exception cref="ArgumentException">Parameters where an expectation is undefined (BG/NBD a = 1; Gamma-Gamma px + q ≤ 1).</exception>
    public static CustomerValue Predict(BgNbdParameters purchases, GammaGammaParameters? spend, RfmSummary customer, double horizonWeeks, double annualDiscount)
    {
        var alive = BgNbd.ProbabilityAlive(purchases, customer);
        double? each = spend is null ? null : GammaGamma.ExpectedSpend(spend, customer);
        var (value, within) = Discount(t => BgNbd.ExpectedPurchasesIfAlive(purchases, customer, t) * alive, each ?? 0, horizonWeeks, annualDiscount);
        return new CustomerValue(alive, within, each, each is null ? null : value);
    }

    /// <summary>Weeks in a month (365.25 / 12 / 7): the step of the discounting below.</summary>
    public const double WeeksPerMonth = 365.25 / 12 / 7;

    /// <summary>
    /// The discounted value of a customer's purchases over the next <paramref name="horizonWeeks"/>: month by month,
    /// the purchases expected in that month (from the cumulative expectation) times the expected spend per purchase,
    /// discounted at <paramref name="annualDiscount"/> a year to the month's end — the discrete form lifetimes uses.
    /// </summary>
    /// <param name="expectedPurchasesWithin">E[Y(t)]: expected purchases within the next t weeks.</param>
    public static double Discounted(Func<double, double> expectedPurchasesWithin, double spendPerPurchase, double horizonWeeks, double annualDiscount) =>
        Discount(expectedPurchasesWithin, spendPerPurchase, horizonWeeks, annualDiscount).Value;

    /// <summary>The discounted value, and the purchases expected over the whole horizon (the last month's cumulative expectation).</summary>
    private static (double Value, double Within) Discount(Func<double, double> expectedPurchasesWithin, double spendPerPurchase, double horizonWeeks, double annualDiscount)
    {
        ArgumentNullException.ThrowIfNull(expectedPurchasesWithin);
        if (!(horizonWeeks >= 0) || !double.IsFinite(horizonWeeks))
        {
            throw new ArgumentOutOfRangeException(nameof(horizonWeeks), horizonWeeks, "the horizon must be a number of weeks ≥ 0");
        }

        if (!(annualDiscount > -1) || !double.IsFinite(annualDiscount))
        {
            throw new ArgumentOutOfRangeException(nameof(annualDiscount), annualDiscount, "the annual discount rate must be a number > −1 (0.1 for 10 %)");
        }

        var monthly = Math.Pow(1 + annualDiscount, 1 / 12.0) - 1;
        var value = 0.0;
        var before = 0.0;
        var months = (int)Math.Ceiling(horizonWeeks / WeeksPerMonth - 1e-9);
        for (var month = 1; month <= months; month++)
        {
            var within = expectedPurchasesWithin(Math.Min(month * WeeksPerMonth, horizonWeeks));
            value += (within - before) * spendPerPurchase / Math.Pow(1 + monthly, month);
            before = within;
        }

        return (value, before);
    }
}
