using DuckDB.NET.Data;

namespace OpenCxo.Data.Analytics;

/// <summary>Which texts a digest reads themes from.</summary>
public enum DigestTexts
{
    /// <summary>Positive survey comments and reviews (sentiment 0.05 or more): what customers value, in their own words.</summary>
    Valued,

    /// <summary>The texts of cancellations within 90 days of the customer's first payment: why customers leave early.</summary>
    EarlyCancellations,

    /// <summary>
    /// The customers' own words when they came back: texts of tickets opened or reopened 2 hours to 7 days after another
    /// of their service touchpoints (agents' call notes are the company's words, not the customer's).
    /// </summary>
    Repeats,
}

/// <summary>A theme in a digest's texts: how many texts and customers mention it, and the three newest such texts (by seq).</summary>
public sealed record DigestTheme(string Theme, long Texts, long Customers, IReadOnlyList<long> Examples);

public sealed partial class AnalyticsStore
{
    /// <summary>The newest seq of the workspace's touchpoints that happened before <paramref name="before"/> (0 when none).</summary>
    public async Task<long> LastSeqBeforeAsync(long workspaceId, DateTime before, CancellationToken ct = default) =>
        (await QueryAsync(workspaceId, DashboardFilter.Period(DateTime.MinValue, before), null, (where, _) => $"SELECT coalesce(max(i.seq), 0) FROM interactions i {where}",
            reader => reader.GetInt64(0), cache: false, [], ct).ConfigureAwait(false))[0];

    /// <summary>The <paramref name="limit"/> themes most mentioned in the <paramref name="texts"/> from <paramref name="from"/> to <paramref name="to"/>, and how many such texts there were in all.</summary>
    public async Task<(long Texts, IReadOnlyList<DigestTheme> Themes)> DigestThemesAsync(
        long workspaceId, DigestTexts texts, DateTime from, DateTime to, int limit, CancellationToken ct = default)
    {
        var chosen = texts switch
        {
            DigestTexts.Valued => "SELECT i.seq FROM texts i {where} AND i.sentiment >= 0.05 AND i.type IN ('survey.response', 'review.posted')",
            DigestTexts.EarlyCancellations => $"""
                SELECT t.seq FROM texts t
                JOIN interactions i ON i.seq = t.seq
                {"{where}"} AND t.workspace_id = $workspace AND i.type = '{CancellationType}' AND i.first_paid IS NOT NULL
                  AND i.occurred_at >= i.first_paid AND i.occurred_at <= i.first_paid + INTERVAL 90 DAY
                """,
            _ => """
                SELECT t.seq FROM (
                    SELECT i.seq, i.live_id, i.occurred_at, i.occurred_at - INTERVAL 2 HOUR AS apart FROM interactions i
                    {where} AND i.type IN ('ticket.opened', 'ticket.reopened')
                ) t
                JOIN texts x ON x.seq = t.seq
                ASOF JOIN (SELECT i.live_id, i.occurred_at FROM interactions i
                           {scope} AND i.department = 'service' AND i.type NOT IN ('ticket.resolved', 'visit.completed')
                             AND i.occurred_at >= $from - INTERVAL 8 DAY AND i.occurred_at < $to) p
                    ON p.live_id = t.live_id AND p.occurred_at < t.apart
                WHERE p.occurred_at >= t.occurred_at - INTERVAL 7 DAY
                """,
        };
        var rows = await QueryAsync(workspaceId, DashboardFilter.Period(from, to), null, (where, scope) => $"""
            WITH chosen AS ({chosen.Replace("{where}", where, StringComparison.Ordinal).Replace("{scope}", scope, StringComparison.Ordinal)}),
            themed AS (
                SELECT t.theme, t.seq, {MappedCustomer("t")} AS live_id, t.occurred_at
                FROM text_themes t
                {MapJoin("t")}
                WHERE t.workspace_id = $workspace AND t.seq IN (SELECT seq FROM chosen)
            )
            SELECT theme, count(DISTINCT seq), count(DISTINCT live_id), arg_max(seq, occurred_at, 3), (SELECT count(*) FROM chosen)
            FROM themed
            GROUP BY theme
            ORDER BY 2 DESC, theme
            LIMIT $limit
            """,
            reader => (Theme: new DigestTheme(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), [.. reader.GetFieldValue<List<long>>(3)]), Total: reader.GetInt64(4)),
            cache: false, [new DuckDBParameter("limit", limit)], ct).ConfigureAwait(false);
        return (rows.Count == 0 ? 0 : rows[0].Total, [.. rows.Select(r => r.Theme)]);
    }
}
