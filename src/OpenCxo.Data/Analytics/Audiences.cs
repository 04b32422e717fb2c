namespace OpenCxo.Data.Analytics;

/// <summary>Who a recurring survey asks.</summary>
public enum Audience
{
    /// <summary>Customers whose latest subscription touchpoint is a start or a renewal, not a cancellation.</summary>
    ActiveSubscribers,

    /// <summary>Customers with any touchpoint in the last days of the survey's period.</summary>
    ActiveCustomers,
}

public sealed partial class AnalyticsStore
{
    public static readonly string[] SubscriptionTypes = ["subscription.started", "subscription.renewed", CancellationType];

    /// <summary>The live customers of an audience now (as of the store's last sync), in id order.</summary>
    /// <param name="days">For <see cref="Audience.ActiveCustomers"/>: how far back a touchpoint counts.</param>
    public Task<IReadOnlyList<long>> AudienceAsync(long workspaceId, Audience audience, DateTime now, int days, CancellationToken ct = default) =>
        audience == Audience.ActiveSubscribers
            ? QueryAsync(workspaceId, DashboardFilter.Period(DateTime.MinValue, DateTime.MaxValue), SubscriptionTypes, where => $"""
                SELECT c FROM (
                    SELECT {LiveCustomer} AS c, arg_max(i.type, i.occurred_at) AS latest
                    FROM interactions i
                    {where}
                    GROUP BY c)
                WHERE latest <> '{CancellationType}'
                ORDER BY c
                """,
                reader => reader.GetInt64(0), ct)
            : QueryAsync(workspaceId, DashboardFilter.Period(now.AddDays(-days), now), null, where => $"""
                SELECT DISTINCT {LiveCustomer} AS c
                FROM interactions i
                {where}
                ORDER BY c
                """,
                reader => reader.GetInt64(0), ct);
}
