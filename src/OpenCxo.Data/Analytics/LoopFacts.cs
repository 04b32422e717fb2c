using DuckDB.NET.Data;

namespace OpenCxo.Data.Analytics;

/// <summary>An NPS answer or a cancellation of a live customer, for judging what followed a case.</summary>
public readonly record struct LoopFact(long Customer, DateTime At, string Type, int? Nps);

public sealed partial class AnalyticsStore
{
    /// <summary>The workspace's NPS answers and subscription cancellations from <paramref name="from"/> on, by live customer and time.</summary>
    public Task<IReadOnlyList<LoopFact>> LoopFactsAsync(long workspaceId, DateTime from, CancellationToken ct = default) =>
        QueryAsync(workspaceId, DashboardFilter.Period(DateTime.MinValue, DateTime.MaxValue), null, (where, _) => $"""
            SELECT i.live_id, i.occurred_at, i.type, i.nps
            FROM interactions i
            {where} AND i.occurred_at >= CAST($since AS TIMESTAMP)
              AND ((i.type = '{SurveyResponseType}' AND i.nps IS NOT NULL) OR i.type = '{CancellationType}')
            ORDER BY i.live_id, i.occurred_at
            """,
            reader => new LoopFact(
                reader.GetInt64(0), DateTime.SpecifyKind(reader.GetDateTime(1), DateTimeKind.Utc), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetInt32(3)),
            cache: false,
            [new DuckDBParameter("since", from)],
            ct);
}
