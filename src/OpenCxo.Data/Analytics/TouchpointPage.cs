using System.Globalization;
using System.Text;
using DuckDB.NET.Data;

namespace OpenCxo.Data.Analytics;

public enum TouchpointSort
{
    OccurredAt,
    Customer,
    Department,
    Channel,
    Type,
    Value,
}

/// <summary>Which touchpoints the explorer lists, in which order, and which slice of them.</summary>
/// <param name="Types">Event types; empty means all.</param>
/// <param name="CustomerId">A live customer: their touchpoints, including those of profiles merged into them.</param>
public sealed record TouchpointSelection(
    DashboardFilter Filter, IReadOnlyList<string> Types, long? CustomerId, TouchpointSort Sort, bool Descending, int Offset, int Limit);

/// <summary>A touchpoint as the analytics store has it; the event id and text come from the system of record by <see cref="Seq"/>.</summary>
public sealed record TouchpointLine(
    long Seq, DateTime OccurredAt, long CustomerId, string Department, string Channel, string Type, decimal Value, string? Currency,
    string? Campaign, string? SalesRep, string? Team, string? Agent, int? HandleSeconds, string? Segment);

public sealed record TouchpointSlice(long Total, IReadOnlyList<TouchpointLine> Lines);

public sealed partial class AnalyticsStore
{
    /// <summary>
    /// One page of touchpoints and the number of all that match. Ties in the sort key are broken by seq in the same
    /// direction, so pages never overlap or skip.
    /// </summary>
    public async Task<TouchpointSlice> TouchpointsAsync(long workspaceId, TouchpointSelection selection, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(selection.Offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(selection.Limit, 1);
        var key = selection.Sort switch
        {
            TouchpointSort.Customer => LiveCustomer,
            TouchpointSort.Department => "i.department",
            TouchpointSort.Channel => "i.channel",
            TouchpointSort.Type => "i.type",
            TouchpointSort.Value => "i.value",
            _ => "i.occurred_at",
        };
        var direction = selection.Descending ? "DESC" : "ASC";
        var customer = selection.CustomerId is null ? "" : $" AND {LiveCustomer} = $customer";
        DuckDBParameter[] extra = selection.CustomerId is { } id ? [new DuckDBParameter("customer", id)] : [];
        var total = await QueryAsync(workspaceId, selection.Filter, selection.Types, where => $"""
            SELECT count(*) FROM interactions i {where}{customer}
            """,
            reader => reader.GetInt64(0), ct, extra).ConfigureAwait(false);
        var lines = await QueryAsync(workspaceId, selection.Filter, selection.Types, where => string.Create(CultureInfo.InvariantCulture, $"""
            SELECT i.seq, i.occurred_at, {LiveCustomer}, i.department, i.channel, i.type, i.value, i.currency,
                   i.campaign, i.sales_rep, i.team, i.agent, i.handle_seconds, i.segment
            FROM interactions i
            {where}{customer}
            ORDER BY {key} {direction}, i.seq {direction}
            LIMIT {selection.Limit} OFFSET {selection.Offset}
            """),
            reader => new TouchpointLine(
                reader.GetInt64(0), reader.GetDateTime(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                reader.GetDecimal(6), NullableString(reader, 7), NullableString(reader, 8), NullableString(reader, 9), NullableString(reader, 10),
                NullableString(reader, 11), reader.IsDBNull(12) ? null : reader.GetInt32(12), NullableString(reader, 13)),
            ct, extra).ConfigureAwait(false);
        return new TouchpointSlice(total[0], lines);
    }

    /// <summary>The distinct event types of the workspace, for the type filter.</summary>
    public Task<IReadOnlyList<string>> TypesAsync(long workspaceId, CancellationToken ct = default) =>
        QueryAsync(workspaceId, DashboardFilter.Period(DateTime.MinValue, DateTime.MaxValue), null, _ => """
            SELECT DISTINCT type FROM interactions WHERE workspace_id = $workspace ORDER BY type
            """,
            reader => reader.GetString(0), ct);

    private static string? NullableString(DuckDBDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
