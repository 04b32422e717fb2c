using DuckDB.NET.Data;

namespace OpenCxo.Data.Analytics;

/// <summary>What a customer's touchpoints say for the next-best-action rules, as of one moment.</summary>
/// <param name="OpenProblems">
/// Open tickets, plus NPS 0–6 or CSAT 1–2 answers of the 30 days before that no service contact followed. A contact is
/// a service touchpoint other than a survey answer (which carries the department of the contact that prompted it), a
/// resolution or a field visit.
/// </param>
public sealed record ActionFacts(long Customer, int? LastNps, int? LastCsat, int OpenProblems, int DaysSinceLastTouch, int TenureDays, string? Segment);

public sealed partial class AnalyticsStore
{
    /// <summary>
    /// Every customer seen by <paramref name="at"/> (or the one live <paramref name="customer"/>), with their last NPS
    /// and CSAT answers of the 365 days before, open problems, days since their last touchpoint, tenure and segment.
    /// </summary>
    public Task<IReadOnlyList<ActionFacts>> ActionFactsAsync(long workspaceId, DateTime at, long? customer, CancellationToken ct = default)
    {
        const string At = "CAST($at AS TIMESTAMP)";
        List<DuckDBParameter> parameters = [new("at", at)];
        if (customer is { } id)
        {
            parameters.Add(new DuckDBParameter("customer", id));
        }

        return QueryAsync(workspaceId, DashboardFilter.Period(DateTime.MinValue, DateTime.MaxValue), null, (where, _) => $"""
            WITH past AS (
                SELECT i.live_id AS c, i.occurred_at AS t, i.type, i.department, i.segment, i.nps, i.csat, i.ticket
                FROM interactions i
                {where} AND i.occurred_at <= {At}{(customer is null ? "" : " AND i.live_id = $customer")}
            ),
            base AS (
                SELECT c,
                       date_diff('day', max(t), {At}) AS days_since_last_touch,
                       date_diff('day', min(t), {At}) AS tenure_days,
                       arg_max(nps, t) FILTER (WHERE nps IS NOT NULL AND t > {At} - INTERVAL 365 DAY) AS last_nps,
                       arg_max(csat, t) FILTER (WHERE csat IS NOT NULL AND t > {At} - INTERVAL 365 DAY) AS last_csat,
                       arg_max(segment, t) FILTER (WHERE segment IS NOT NULL) AS segment,
                       max(t) FILTER (WHERE department = 'service' AND type NOT IN ('survey.response', 'ticket.resolved', 'visit.completed')) AS last_contact
                FROM past
                GROUP BY c
            ),
            {OpenTickets},
            unanswered AS (
                SELECT p.c, count(*) AS n
                FROM past p JOIN base b USING (c)
                WHERE (p.nps <= 6 OR p.csat <= 2) AND p.t > {At} - INTERVAL 30 DAY AND (b.last_contact IS NULL OR b.last_contact < p.t)
                GROUP BY p.c
            )
            SELECT b.c, b.last_nps, b.last_csat, CAST(coalesce(k.open_tickets, 0) + coalesce(u.n, 0) AS INTEGER), b.days_since_last_touch, b.tenure_days, b.segment
            FROM base b
            LEFT JOIN tickets k USING (c)
            LEFT JOIN unanswered u USING (c)
            ORDER BY b.c
            """,
            reader => new ActionFacts(
                reader.GetInt64(0),
                reader.IsDBNull(1) ? null : reader.GetInt32(1),
                reader.IsDBNull(2) ? null : reader.GetInt32(2),
                reader.GetInt32(3),
                (int)reader.GetInt64(4),
                (int)reader.GetInt64(5),
                reader.IsDBNull(6) ? null : reader.GetString(6)),
            cache: false,
            parameters,
            ct);
    }
}
