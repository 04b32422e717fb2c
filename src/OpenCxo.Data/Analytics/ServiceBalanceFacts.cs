using OpenCxo.Core.Alignment;

namespace OpenCxo.Data.Analytics;

public sealed partial class AnalyticsStore
{
    /// <summary>
    /// <see cref="ServiceFigures"/> per agent (<paramref name="byAgent"/>) or team for the handled contacts (service
    /// touchpoints with a handleSeconds) from <paramref name="from"/> to <paramref name="to"/>. A repeat is the customer's
    /// next service touchpoint (not a ticket.resolved or visit.completed, the company's doing) more than 2 hours after the
    /// contact — closer ones count as the same contact — and within 7 days, of contacts at least 7 days before the newest
    /// touchpoint (a younger one has not had its week). A CSAT answer counts
    /// for the customer's last handled contact before it, within 7 days. Churn: a cancellation within 90 days, of contacts
    /// at least 90 days before the newest touchpoint.
    /// </summary>
    public Task<IReadOnlyList<ServiceFigures>> ServiceFiguresAsync(long workspaceId, bool byAgent, DateTime from, DateTime to, CancellationToken ct = default)
    {
        var group = byAgent ? "agent" : "team";
        return QueryAsync(workspaceId, DashboardFilter.Period(from, to), null, (where, scope) => $"""
            WITH contacts AS (
                SELECT i.live_id, i.occurred_at, i.occurred_at + INTERVAL 2 HOUR AS apart, i.{group} AS grp, i.handle_seconds, i.fcr
                FROM interactions i
                {where} AND i.department = 'service' AND i.handle_seconds IS NOT NULL
            ),
            touches AS (
                SELECT i.live_id, i.occurred_at FROM interactions i
                {scope} AND i.department = 'service' AND i.type NOT IN ('ticket.resolved', 'visit.completed')
                  AND i.occurred_at >= $from AND i.occurred_at < $to + INTERVAL 8 DAY
            ),
            cancels AS (
                SELECT i.live_id, i.occurred_at FROM interactions i {scope} AND i.type = '{CancellationType}' AND i.occurred_at >= $from
            ),
            answers AS (
                SELECT i.live_id, i.occurred_at, i.csat FROM interactions i
                {scope} AND i.csat IS NOT NULL AND i.occurred_at >= $from AND i.occurred_at < $to + INTERVAL 7 DAY
            ),
            newest AS (SELECT max(i.occurred_at) AS now FROM interactions i {scope}),
            judged AS (
                SELECT c.grp, c.handle_seconds, c.fcr,
                       c.occurred_at <= newest.now - INTERVAL 7 DAY AS repeat_eligible,
                       n.occurred_at <= c.occurred_at + INTERVAL 7 DAY AS repeated,
                       c.occurred_at <= newest.now - INTERVAL 90 DAY AS eligible,
                       x.occurred_at <= c.occurred_at + INTERVAL 90 DAY AS churned
                FROM contacts c
                CROSS JOIN newest
                ASOF LEFT JOIN touches n ON n.live_id = c.live_id AND n.occurred_at > c.apart
                ASOF LEFT JOIN cancels x ON x.live_id = c.live_id AND x.occurred_at >= c.occurred_at
            ),
            rated AS (
                SELECT c.grp, a.csat
                FROM answers a
                ASOF JOIN contacts c ON c.live_id = a.live_id AND c.occurred_at <= a.occurred_at
                WHERE a.occurred_at <= c.occurred_at + INTERVAL 7 DAY
            ),
            handled AS (
                SELECT grp, count(*) AS contacts, sum(CAST(handle_seconds AS DOUBLE)) AS handle, sum(CAST(handle_seconds AS DOUBLE) * handle_seconds) AS handle2,
                       count(fcr) AS fcr_known, count(*) FILTER (WHERE fcr = 1) AS fcr_yes,
                       count(*) FILTER (WHERE repeat_eligible) AS repeat_eligible,
                       count(*) FILTER (WHERE repeat_eligible AND repeated) AS repeated,
                       count(*) FILTER (WHERE eligible) AS eligible, count(*) FILTER (WHERE eligible AND churned) AS churned
                FROM judged
                GROUP BY grp
            ),
            scores AS (
                SELECT grp, count(*) AS answers, count(*) FILTER (WHERE csat >= 4) AS satisfied, sum(CAST(csat AS DOUBLE)) AS total, sum(CAST(csat AS DOUBLE) * csat) AS total2
                FROM rated
                GROUP BY grp
            )
            SELECT h.grp, h.contacts, h.handle, h.handle2, h.fcr_known, h.fcr_yes, h.repeat_eligible, h.repeated, coalesce(s.answers, 0), coalesce(s.satisfied, 0), coalesce(s.total, 0), coalesce(s.total2, 0), h.eligible, h.churned
            FROM handled h
            LEFT JOIN scores s ON s.grp IS NOT DISTINCT FROM h.grp
            ORDER BY h.contacts DESC, h.grp
            """,
            reader => new ServiceFigures(
                reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetInt64(1), reader.GetDouble(2), reader.GetDouble(3), reader.GetInt64(4), reader.GetInt64(5),
                reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9), reader.GetDouble(10), reader.GetDouble(11), reader.GetInt64(12), reader.GetInt64(13)),
            ct);
    }
}
