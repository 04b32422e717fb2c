namespace OpenCxo.Core.Clv;

/// <summary>Customer lifetime value from a purchase model and a spend model.</summary>
public static class LifetimeValue
{
    /// <summary>Weeks in a month (365.25 / 12 / 7): the step of the discounting below.</summary>
    public const double WeeksPerMonth = 365.25 / 12 / 7;

    /// <summary>
    /// The discounted value of a customer's purchases over the next <paramref name="horizonWeeks"/>: month by month,
    /// the purchases expected in that month (from the cumulative expectation) times the expected spend per purchase,
    /// discounted at <paramref name="annualDiscount"/> a year to the month's end — the discrete form lifetimes uses.
    /// </summary>
    /// <param name="expectedPurchasesWithin">E[Y(t)]: expected purchases within the next t weeks.</param>
    public static double Discounted(Func<double, double> expectedPurchasesWithin, double spendPerPurchase, double horizonWeeks, double annualDiscount)
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

        return value;
    }
}
