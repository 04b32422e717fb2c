using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using OpenCxo.Core.Alignment;

namespace OpenCxo.Data.Analytics;

/// <summary>What a sales report groups the deals by: the rep, the sales team or the campaign written on the deal.</summary>
public enum SalesGrouping
{
    Rep,
    Team,
    Campaign,
}

/// <summary>
/// The customers one rep, team or campaign brought (their first <c>deal.won</c> in the period, made before they ever
/// paid: an existing customer's expansion is not a customer brought), and what followed their first payment (the start
/// of what the deal sold): booked deal value and net revenue within 365 days (in <see cref="SalesCohorts.Currency"/>),
/// NPS answers within 365 days, cancellations within 90 days of the deal of those closed at least 90 days before the
/// newest touchpoint, refunds within 365 days, how many the latest model run puts in the riskiest quarter, and how many had a need their plan can't serve.
/// </summary>
public sealed record SalesGroupRow(
    string? Key, long Customers, double Booked, double Revenue, long Promoters, long Passives, long Detractors,
    long EarlyEligible, long EarlyChurned, long Refunded, double RefundValue, long HighRisk, long Unserved);

/// <summary>Days from deal to cancellation (an event) or to the newest touchpoint (censored), counted per group.</summary>
public readonly record struct SalesSurvivalRow(string? Key, int Days, long Events, long Censored);

public sealed record SalesCohorts(IReadOnlyList<SalesGroupRow> Groups, IReadOnlyList<SalesSurvivalRow> Survival, string? Currency, DateTime? Newest);

public sealed partial class AnalyticsStore
{
    /// <summary>The customers' first deals won from <paramref name="from"/> to <paramref name="to"/>, by <paramref name="by"/>; see <see cref="SalesGroupRow"/>.</summary>
    public async Task<SalesCohorts> SalesCohortsAsync(
        long workspaceId, SalesGrouping by, DateTime from, DateTime to, IReadOnlyList<CustomerNeed> needs, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(needs);
        var parameters = new List<DuckDBParameter>
        {
            new("dealsFrom", AsUtc(from)), new("dealsTo", AsUtc(to)), new("riskTiers0", PredictionTiers[0]), new("riskTiers1", PredictionTiers[1]),
        };
        var (needSql, needParameters) = NeedsSql(needs);
        parameters.AddRange(needParameters);
        var group = by switch
        {
            SalesGrouping.Rep => "d.rep",
            SalesGrouping.Team => "d.team",
            _ => "d.campaign",
        };
        var everything = DashboardFilter.Period(DateTime.MinValue, DateTime.MaxValue);
        var survival = new List<SalesSurvivalRow>();
        // One statement: each group's figures, and (GROUPING SETS) its customers by days from deal to cancellation or now.
        // The facts join on the customer alone; conditions on time sit in the aggregates, so that DuckDB hashes rather
        // than range-joins.
        var groups = (await QueryAsync(workspaceId, everything, null, (where, _) => $"""
            WITH deals AS (
                SELECT i.live_id, arg_min(i.sales_rep, i.occurred_at) AS rep, arg_min(i.team, i.occurred_at) AS team,
                       arg_min(i.campaign, i.occurred_at) AS campaign, min(i.occurred_at) AS deal_at,
                       arg_min(i.value, i.occurred_at) AS deal_value, arg_min(i.currency, i.occurred_at) AS currency, min(i.first_paid) AS first_paid
                FROM interactions i
                {where} AND i.type = 'deal.won'
                GROUP BY i.live_id
            ),
            chosen AS MATERIALIZED (
                SELECT d.*, {group} AS grp FROM deals d
                WHERE d.deal_at >= $dealsFrom AND d.deal_at < $dealsTo AND (d.first_paid IS NULL OR d.first_paid >= d.deal_at)
            ),
            newest AS (SELECT max(i.occurred_at) AS now FROM interactions i {where}),
            main AS (SELECT mode(currency) AS code FROM chosen),
            -- What followed is read against the customer's first payment, the start of what the deal sold, which every row
            -- carries (first_paid): row by row, with no range join, for every customer (cheaper than picking the chosen
            -- ones first), joined to the chosen below.
            outcomes AS (
                SELECT i.live_id, i.occurred_at, i.nps,
                       CASE WHEN i.type = '{CancellationType}' THEN 1 WHEN i.type = '{RefundType}' THEN 2 WHEN i.type IN ({PurchaseTypeList}) THEN 3 ELSE 0 END AS kind,
                       i.occurred_at <= i.first_paid + INTERVAL 365 DAY AS within,
                       CASE WHEN i.currency = (SELECT code FROM main) THEN CAST(i.value AS DOUBLE) ELSE 0 END AS money
                FROM interactions i
                WHERE i.workspace_id = $workspace AND i.occurred_at >= $dealsFrom AND i.occurred_at >= i.first_paid
                  AND (i.nps IS NOT NULL OR i.type IN ('{CancellationType}', '{RefundType}', {PurchaseTypeList}))
            ),
            facts AS (
                SELECT live_id,
                       min(occurred_at) FILTER (WHERE kind = 1) AS cancelled_at,
                       count(*) FILTER (WHERE nps >= 9 AND within) AS promoters,
                       count(*) FILTER (WHERE nps BETWEEN 7 AND 8 AND within) AS passives,
                       count(*) FILTER (WHERE nps <= 6 AND within) AS detractors,
                       count(*) FILTER (WHERE kind = 2 AND within) AS refunds,
                       coalesce(sum(money) FILTER (WHERE kind = 2 AND within), 0) AS refund_value,
                       coalesce(sum(CASE WHEN NOT within OR nps IS NOT NULL THEN 0 WHEN kind = 3 THEN money WHEN kind = 2 THEN -money ELSE 0 END), 0) AS revenue
                FROM outcomes
                GROUP BY live_id
            ),
            risky AS (
                SELECT DISTINCT {MappedCustomer("p")} AS live_id FROM customer_predictions p
                {MapJoin("p")}
                WHERE p.workspace_id = $workspace AND p.name = '{PredictedChurnRisk}' AND p.value IN ($riskTiers0, $riskTiers1)
            ),
            needy AS ({needSql}),
            joined AS (
                SELECT c.*, f.cancelled_at, f.promoters, f.passives, f.detractors, f.refunds, f.refund_value, f.revenue,
                       r.live_id AS risky, n.live_id AS needy,
                       CAST(date_diff('day', c.deal_at, coalesce(f.cancelled_at, newest.now)) AS INTEGER) AS days, newest.now AS now
                FROM chosen c
                CROSS JOIN newest
                LEFT JOIN facts f ON f.live_id = c.live_id
                LEFT JOIN risky r ON r.live_id = c.live_id
                LEFT JOIN (SELECT DISTINCT live_id FROM needy) n ON n.live_id = c.live_id
            )
            SELECT j.grp, GROUPING(j.days) = 0, j.days, count(*),
                   coalesce(sum(CAST(j.deal_value AS DOUBLE)) FILTER (WHERE j.currency = main.code), 0),
                   coalesce(sum(j.revenue), 0),
                   CAST(coalesce(sum(j.promoters), 0) AS BIGINT), CAST(coalesce(sum(j.passives), 0) AS BIGINT), CAST(coalesce(sum(j.detractors), 0) AS BIGINT),
                   count(*) FILTER (WHERE j.deal_at <= j.now - INTERVAL 90 DAY),
                   count(*) FILTER (WHERE j.deal_at <= j.now - INTERVAL 90 DAY AND j.cancelled_at <= j.deal_at + INTERVAL 90 DAY),
                   count(*) FILTER (WHERE j.refunds > 0),
                   coalesce(sum(j.refund_value), 0),
                   count(j.risky), count(j.needy),
                   any_value(main.code), any_value(j.now),
                   count(*) FILTER (WHERE j.cancelled_at IS NOT NULL)
            FROM joined j
            CROSS JOIN main
            GROUP BY GROUPING SETS ((j.grp), (j.grp, j.days))
            ORDER BY GROUPING(j.days) DESC, count(*) DESC, j.grp
            """,
            reader =>
            {
                var key = reader.IsDBNull(0) ? null : reader.GetString(0);
                if (reader.GetBoolean(1))
                {
                    var events = reader.GetInt64(17);
                    return (Group: (SalesGroupRow?)null, Survival: (SalesSurvivalRow?)new SalesSurvivalRow(key, reader.GetInt32(2), events, reader.GetInt64(3) - events),
                        Currency: (string?)null, Newest: (DateTime?)null);
                }

                return (new SalesGroupRow(
                    key, reader.GetInt64(3), reader.GetDouble(4), reader.GetDouble(5),
                    reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9), reader.GetInt64(10), reader.GetInt64(11),
                    reader.GetDouble(12), reader.GetInt64(13), reader.GetInt64(14)), null,
                    reader.IsDBNull(15) ? null : reader.GetString(15), reader.IsDBNull(16) ? null : DateTime.SpecifyKind(reader.GetDateTime(16), DateTimeKind.Utc));
            },
            cache: true, [.. parameters], ct).ConfigureAwait(false)).ToList();
        survival.AddRange(groups.Where(g => g.Survival is not null).Select(g => g.Survival!.Value));
        var first = groups.FirstOrDefault(g => g.Group is not null);
        return new SalesCohorts([.. groups.Where(g => g.Group is not null).Select(g => g.Group!)], survival, first.Currency, first.Newest);
    }

    /// <summary>
    /// The deals from <paramref name="from"/> to <paramref name="to"/> (newest first, at most <paramref name="limit"/>)
    /// of customers with a need their plan can't serve or in the riskiest quarter of the latest model run, with the
    /// indexes of their unserved <paramref name="needs"/>: the candidates of the "right customer" report.
    /// </summary>
    /// <remarks>With <paramref name="customer"/> (a live profile), that customer's first deal whatever its fit, if it falls in the period.</remarks>
    public Task<IReadOnlyList<(long Customer, string? Rep, string? Team, DateTime DealAt, double DealValue, string? Currency, IReadOnlyList<int> Needs)>> PoorFitDealsAsync(
        long workspaceId, DateTime from, DateTime to, IReadOnlyList<CustomerNeed> needs, int limit, long? customer = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(needs);
        var (needSql, parameters) = NeedsSql(needs);
        parameters.AddRange([new("dealsFrom", AsUtc(from)), new("dealsTo", AsUtc(to)), new("riskTiers0", PredictionTiers[0]), new("riskTiers1", PredictionTiers[1]), new("limit", limit)]);
        if (customer is { } one)
        {
            parameters.Add(new DuckDBParameter("customer", one));
        }

        return QueryAsync(workspaceId, DashboardFilter.Period(DateTime.MinValue, DateTime.MaxValue), null, (where, _) => $"""
            WITH chosen AS (
                SELECT i.live_id, arg_min(i.sales_rep, i.occurred_at) AS rep, arg_min(i.team, i.occurred_at) AS team, arg_min(i.campaign, i.occurred_at) AS campaign,
                       min(i.occurred_at) AS deal_at, arg_min(i.value, i.occurred_at) AS deal_value, arg_min(i.currency, i.occurred_at) AS currency
                FROM interactions i
                {where} AND i.type = 'deal.won'{(customer is null ? "" : " AND i.live_id = $customer")}
                GROUP BY i.live_id
                HAVING min(i.occurred_at) >= $dealsFrom AND min(i.occurred_at) < $dealsTo AND (min(i.first_paid) IS NULL OR min(i.first_paid) >= min(i.occurred_at))
            ),
            needy AS ({needSql}),
            risky AS (
                SELECT DISTINCT {MappedCustomer("p")} AS live_id FROM customer_predictions p
                {MapJoin("p")}
                WHERE p.workspace_id = $workspace AND p.name = '{PredictedChurnRisk}' AND p.value IN ($riskTiers0, $riskTiers1)
            )
            SELECT c.live_id, c.rep, c.team, c.deal_at, CAST(c.deal_value AS DOUBLE), c.currency, string_agg(DISTINCT CAST(n.need AS VARCHAR), ',')
            FROM chosen c
            LEFT JOIN needy n ON n.live_id = c.live_id
            LEFT JOIN risky r ON r.live_id = c.live_id
            WHERE {(customer is null ? "n.live_id IS NOT NULL OR r.live_id IS NOT NULL" : "true")}
            GROUP BY c.live_id, c.rep, c.team, c.deal_at, c.deal_value, c.currency
            ORDER BY c.deal_at DESC, c.live_id
            LIMIT $limit
            """,
            reader => (reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                DateTime.SpecifyKind(reader.GetDateTime(3), DateTimeKind.Utc), reader.GetDouble(4), reader.IsDBNull(5) ? null : reader.GetString(5),
                (IReadOnlyList<int>)(reader.IsDBNull(6) ? [] : [.. reader.GetString(6).Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).Order()])),
            cache: false, parameters, ct);
    }

    /// <summary>
    /// (live_id, need: the index in <paramref name="needs"/>) once per need a chosen customer has and their plan can't serve: they came from one of its campaigns,
    /// or wrote about one of its themes before the deal (by the end of the deal's day, so its own notes count).
    /// </summary>
    private static (string Sql, List<DuckDBParameter> Parameters) NeedsSql(IReadOnlyList<CustomerNeed> needs)
    {
        var parameters = new List<DuckDBParameter>();
        if (needs.Count == 0)
        {
            return ("SELECT CAST(NULL AS BIGINT) AS live_id, 0 AS need WHERE false", parameters);
        }

        var parts = new List<string>();
        for (var n = 0; n < needs.Count; n++)
        {
            var need = needs[n];
            var prefix = "nd" + n.ToString(CultureInfo.InvariantCulture);
            var campaigns = new StringBuilder();
            AppendParameters(campaigns, parameters, "c.campaign", prefix + "c", need.Campaigns);
            var themes = new StringBuilder();
            AppendParameters(themes, parameters, "t.theme", prefix + "t", need.Themes);
            var plans = new StringBuilder();
            AppendParameters(plans, parameters, "p.value", prefix + "p", need.ServedByPlans);
            var byCampaign = campaigns.Length > 0 ? "(c.campaign IS NOT NULL" + campaigns + ")" : "false";
            var byText = themes.Length > 0
                ? $"""
                  LEFT JOIN (SELECT {MappedCustomer("t")} AS live_id, min(t.occurred_at) AS first_at
                             FROM text_themes t {MapJoin("t")}
                             WHERE t.workspace_id = $workspace{themes} AND t.occurred_at < $dealsTo + INTERVAL 1 DAY
                             GROUP BY 1) w ON w.live_id = c.live_id AND w.first_at < date_trunc('day', c.deal_at) + INTERVAL 1 DAY
                  """
                : "LEFT JOIN (SELECT CAST(NULL AS BIGINT) AS live_id WHERE false) w ON w.live_id = c.live_id";
            var served = plans.Length > 0 ? $" AND NOT coalesce(p.value IS NOT NULL{plans}, false)" : "";
            parts.Add($"""
                SELECT c.live_id, {n.ToString(CultureInfo.InvariantCulture)} AS need FROM chosen c
                LEFT JOIN customer_traits p ON p.workspace_id = $workspace AND p.customer_id = c.live_id AND p.name = 'plan'
                {byText}
                WHERE ({byCampaign} OR w.live_id IS NOT NULL){served}
                """);
        }

        return (string.Join("\nUNION ALL\n", parts), parameters);
    }
}
