namespace OpenCxo.Data.Analytics;

public enum StatsGrouping
{
    Department,
    Channel,
    Type,

    /// <summary>The UTC calendar day of <c>occurred_at</c>, keyed "yyyy-MM-dd".</summary>
    Day,
}

/// <param name="Key">The department, channel, type or UTC day ("yyyy-MM-dd").</param>
/// <param name="Count">Interactions in the group.</param>
/// <param name="Customers">Distinct live customers: absorbed profiles count as their survivor.</param>
/// <param name="Values">Sum of value per currency, exact; currencies whose sum is zero are left out.</param>
public sealed record InteractionStat(string Key, long Count, long Customers, IReadOnlyList<CurrencyValue> Values);

public sealed record CurrencyValue(string Currency, decimal Sum);

/// <param name="Watermark">The highest interaction seq the store holds.</param>
/// <param name="TraitsCopied">Customer attribute rows written for the profiles the copied rows changed.</param>
public sealed record SyncResult(long InteractionsCopied, long MergesCopied, long Watermark, TimeSpan Elapsed, long TraitsCopied = 0)
{
    /// <summary>Text analyses copied (new or replacing an earlier analysis of the same text).</summary>
    public long TextsCopied { get; init; }

    /// <summary>Prediction tier rows copied from a newer model run.</summary>
    public long PredictionsCopied { get; init; }

    /// <summary>Whether a newer model run replaced some workspace's tiers (perhaps with none).</summary>
    public bool PredictionsReplaced { get; init; }

    /// <summary>Customer ids forgotten because they were erased in the system of record.</summary>
    public long CustomersErased { get; init; }

    /// <summary>Rows dropped because a retention policy removed them from the system of record.</summary>
    public long RowsExpired { get; init; }
}

/// <summary>
/// A copy into the analytics store under way, for a progress bar. Counted in sequence numbers, which are dense but
/// for rolled-back inserts, so <see cref="Copied"/> of <see cref="Total"/> is a close estimate of rows.
/// </summary>
/// <param name="Rebuild">A rebuild from scratch rather than a catch-up.</param>
public sealed record CopyProgress(bool Rebuild, long Copied, long Total)
{
    public double Fraction => Total <= 0 ? 1 : Math.Clamp((double)Copied / Total, 0, 1);
}
