using System.Globalization;
using DuckDB.NET.Data;
using OpenCxo.Core.Churn;

namespace OpenCxo.Data.Analytics;

/// <summary>
/// The customers at risk of churning at one moment, with what was known about them then and, when the moment is far
/// enough back, whether they churned in the window after it. <see cref="Churned"/> is null for a snapshot of now.
/// </summary>
public sealed record ChurnSnapshot(DateTime At, IReadOnlyList<long> Customers, FeatureTable Features, bool[]? Churned);

public sealed partial class AnalyticsStore
{
    /// <summary>The numeric features of a churn snapshot, in column order; each is documented in docs/churn.md.</summary>
    public static readonly IReadOnlyList<string> ChurnNumbers =
    [
        "days_since_last_touch", "days_since_last_purchase", "tenure_days", "purchases_90d", "purchases_365d", "spend_365d",
        "refunds_365d", "last_nps", "last_csat", "last_ces", "survey_answers_365d", "service_contacts_90d",
        "repeat_contacts_90d", "open_tickets", "mean_sentiment_365d", "negative_texts_365d", "churn_intent_365d",
    ];

    /// <summary>
    /// A CTE <c>tickets(c, open_tickets)</c>: per customer, the tickets opened and not resolved among the rows of a CTE
    /// <c>past(c, ticket, type)</c>.
    /// </summary>
    private const string OpenTickets = """
        tickets AS (
            SELECT c, count(*) AS open_tickets FROM (
                SELECT c, ticket, bool_or(type = 'ticket.opened') AS opened, bool_or(type = 'ticket.resolved') AS resolved
                FROM past WHERE ticket IS NOT NULL AND type IN ('ticket.opened', 'ticket.resolved')
                GROUP BY c, ticket)
            WHERE opened AND NOT resolved
            GROUP BY c
        )
        """;

    /// <summary>The category features of a churn snapshot, after the numbers.</summary>
    public static readonly IReadOnlyList<string> ChurnCategories = ["subscriber", "acquisition_campaign", "first_channel", "segment", "complaint_theme"];

    /// <summary>When the workspace's latest touchpoint happened, or null without any.</summary>
    public async Task<DateTime?> LastTouchpointAsync(long workspaceId, CancellationToken ct = default)
    {
        var rows = await QueryAsync(workspaceId, DashboardFilter.Period(DateTime.MinValue, DateTime.MaxValue), null,
            where => $"SELECT max(i.occurred_at) FROM interactions i {where}",
            reader => reader.IsDBNull(0) ? (DateTime?)null : reader.GetDateTime(0), ct).ConfigureAwait(false);
        return rows[0] is { } last ? DateTime.SpecifyKind(last, DateTimeKind.Utc) : null;
    }

    /// <summary>
    /// Every live customer who is a customer at <paramref name="at"/> — a subscription running (started or renewed and
    /// not cancelled since) or a revenue touchpoint in the 365 days before and no subscription that ended (they have
    /// already left) — with features read only from what happened up to <paramref name="at"/>. With <paramref name="until"/>, each is labelled churned when, in
    /// (<paramref name="at"/>, <paramref name="until"/>], a subscriber cancelled, or a customer without a subscription
    /// paid nothing. Money is in <paramref name="currency"/> only.
    /// </summary>
    public async Task<ChurnSnapshot> ChurnSnapshotAsync(long workspaceId, DateTime at, DateTime? until, string? currency, CancellationToken ct = default)
    {
        const string At = "CAST($at AS TIMESTAMP)";
        var contactStart = (1L << CustomerFacts.ContactStartBit).ToString(CultureInfo.InvariantCulture);
        var label = until is null
            ? "NULL"
            : "CASE WHEN s.subscriber THEN s.cancelled ELSE NOT coalesce(f.paid, false) END";
        var future = until is null
            ? "SELECT NULL::BIGINT AS c, NULL::BOOLEAN AS paid WHERE false"
            : $"""
                SELECT DISTINCT i.live_id AS c, true AS paid
                FROM interactions i
                WHERE i.workspace_id = $workspace AND i.type IN ({PurchaseTypeList}) AND i.occurred_at > {At} AND i.occurred_at <= CAST($until AS TIMESTAMP)
                """;
        // Subscriptions as the churn-rate metric reads them: spans from a start or renewal to the next cancellation.
        var cancelled = until is null ? "NULL" : $"coalesce(bool_or(ended > {At} AND ended <= CAST($until AS TIMESTAMP)), false)";
        var rows = await QueryAsync(workspaceId, DashboardFilter.Period(DateTime.MinValue, DateTime.MaxValue), null, where => $"""
            WITH past AS (
                SELECT i.live_id AS c, i.occurred_at AS t, i.type, i.department, i.channel, i.touch_campaign, i.segment, i.nps, i.csat, i.ces,
                       i.ticket, CAST(i.value AS DOUBLE) AS v, i.currency, i.marks
                FROM interactions i
                {where} AND i.occurred_at <= {At}
            ),
            base AS (
                SELECT c,
                       date_diff('day', max(t), {At}) AS days_since_last_touch,
                       date_diff('day', max(t) FILTER (WHERE type IN ({PurchaseTypeList})), {At}) AS days_since_last_purchase,
                       date_diff('day', min(t), {At}) AS tenure_days,
                       count(*) FILTER (WHERE type IN ({PurchaseTypeList}) AND t > {At} - INTERVAL 90 DAY) AS purchases_90d,
                       count(*) FILTER (WHERE type IN ({PurchaseTypeList}) AND t > {At} - INTERVAL 365 DAY) AS purchases_365d,
                       sum(CASE WHEN type = '{RefundType}' THEN -v ELSE v END)
                           FILTER (WHERE type IN ({PurchaseTypeList}, '{RefundType}') AND currency = $currency AND t > {At} - INTERVAL 365 DAY) AS spend_365d,
                       count(*) FILTER (WHERE type = '{RefundType}' AND t > {At} - INTERVAL 365 DAY) AS refunds_365d,
                       arg_max(nps, t) FILTER (WHERE nps IS NOT NULL) AS last_nps,
                       arg_max(csat, t) FILTER (WHERE csat IS NOT NULL) AS last_csat,
                       arg_max(ces, t) FILTER (WHERE ces IS NOT NULL) AS last_ces,
                       count(*) FILTER (WHERE type = 'survey.response' AND t > {At} - INTERVAL 365 DAY) AS survey_answers_365d,
                       count(*) FILTER (WHERE marks & {contactStart} <> 0 AND t > {At} - INTERVAL 90 DAY) AS service_contacts_90d,
                       arg_min(touch_campaign, t) FILTER (WHERE touch_campaign IS NOT NULL) AS acquisition_campaign,
                       arg_min(channel, t) AS first_channel,
                       arg_max(segment, t) FILTER (WHERE segment IS NOT NULL) AS segment
                FROM past
                GROUP BY c
            ),
            subscriptions AS (
                SELECT live_id AS c, bool_or(ended IS NULL OR ended > {At}) AS subscriber, {cancelled} AS cancelled
                FROM subscription_spans
                WHERE workspace_id = $workspace AND started <= {At}
                GROUP BY c
            ),
            contacts AS (
                SELECT c, t, lag(t) OVER (PARTITION BY c ORDER BY t) AS before
                FROM past
                WHERE marks & {contactStart} <> 0 AND t > {At} - INTERVAL 97 DAY
            ),
            repeats AS (
                SELECT c, count(*) AS repeat_contacts_90d FROM contacts
                WHERE t > {At} - INTERVAL 90 DAY AND before >= t - INTERVAL 7 DAY
                GROUP BY c
            ),
            {OpenTickets},
            words AS (
                SELECT {MappedCustomer("x")} AS c, avg(x.sentiment) AS mean_sentiment_365d,
                       count(*) FILTER (WHERE x.sentiment < -0.05) AS negative_texts_365d,
                       count(*) FILTER (WHERE list_contains(string_split(x.flags, ','), 'churn_intent')) AS churn_intent_365d
                FROM texts x
                {MapJoin("x")}
                WHERE x.workspace_id = $workspace AND x.occurred_at <= {At} AND x.occurred_at > {At} - INTERVAL 365 DAY
                GROUP BY 1
            ),
            themes AS (
                SELECT c, arg_max(theme, n) AS complaint_theme FROM (
                    SELECT {MappedCustomer("x")} AS c, x.theme, count(*) AS n
                    FROM text_themes x
                    {MapJoin("x")}
                    WHERE x.workspace_id = $workspace AND x.sentiment < 0 AND x.occurred_at <= {At} AND x.occurred_at > {At} - INTERVAL 365 DAY
                    GROUP BY 1, 2)
                GROUP BY c
            ),
            future AS (
                {future}
            )
            SELECT b.c, b.days_since_last_touch, b.days_since_last_purchase, b.tenure_days, b.purchases_90d, b.purchases_365d, b.spend_365d,
                   b.refunds_365d, b.last_nps, b.last_csat, b.last_ces, b.survey_answers_365d, b.service_contacts_90d,
                   coalesce(r.repeat_contacts_90d, 0), coalesce(k.open_tickets, 0), w.mean_sentiment_365d,
                   coalesce(w.negative_texts_365d, 0), coalesce(w.churn_intent_365d, 0),
                   CASE WHEN s.subscriber THEN 'yes' ELSE 'no' END, b.acquisition_campaign, b.first_channel, b.segment, h.complaint_theme,
                   {label}
            FROM base b
            LEFT JOIN subscriptions s USING (c)
            LEFT JOIN repeats r USING (c)
            LEFT JOIN tickets k USING (c)
            LEFT JOIN words w USING (c)
            LEFT JOIN themes h USING (c)
            LEFT JOIN future f USING (c)
            WHERE s.subscriber OR (b.purchases_365d > 0 AND s.c IS NULL)
            ORDER BY b.c
            """,
            reader =>
            {
                var numbers = new double[ChurnNumbers.Count];
                for (var k = 0; k < numbers.Length; k++)
                {
                    numbers[k] = reader.IsDBNull(k + 1) ? double.NaN : Convert.ToDouble(reader.GetValue(k + 1), CultureInfo.InvariantCulture);
                }

                var categories = new string?[ChurnCategories.Count];
                for (var k = 0; k < categories.Length; k++)
                {
                    var ordinal = 1 + numbers.Length + k;
                    categories[k] = reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
                }

                var last = 1 + numbers.Length + categories.Length;
                return (Customer: reader.GetInt64(0), Numbers: numbers, Categories: categories, Churned: reader.IsDBNull(last) ? (bool?)null : reader.GetBoolean(last));
            },
            ct,
            until is null
                ? [new DuckDBParameter("at", at), new DuckDBParameter("currency", currency ?? "")]
                : [new DuckDBParameter("at", at), new DuckDBParameter("until", until.Value), new DuckDBParameter("currency", currency ?? "")]).ConfigureAwait(false);

        var columns = new List<FeatureColumn>();
        for (var k = 0; k < ChurnNumbers.Count; k++)
        {
            columns.Add(FeatureColumn.Numbers(ChurnNumbers[k], [.. rows.Select(r => r.Numbers[k])]));
        }

        for (var k = 0; k < ChurnCategories.Count; k++)
        {
            columns.Add(FeatureColumn.Categories(ChurnCategories[k], [.. rows.Select(r => r.Categories[k])]));
        }

        var ids = rows.Select(r => r.Customer.ToString(CultureInfo.InvariantCulture)).ToList();
        return new ChurnSnapshot(
            at,
            [.. rows.Select(r => r.Customer)],
            new FeatureTable(ids, columns),
            until is null ? null : [.. rows.Select(r => r.Churned ?? false)]);
    }
}
