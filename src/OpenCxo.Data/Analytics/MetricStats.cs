using System.Globalization;
using DuckDB.NET.Data;

namespace OpenCxo.Data.Analytics;

/// <summary>The touchpoints a catalogue metric reads, and what it sums of them.</summary>
public enum MetricBase
{
    /// <summary>Analysed texts: N texts, Σ and Σ² of their sentiment, and the negative ones as successes.</summary>
    TextSentiment,

    /// <summary>Every touchpoint: N distinct live customers.</summary>
    ActiveCustomers,

    /// <summary>Touchpoints with a handle time: N, Σ and Σ² of the seconds.</summary>
    HandleTime,

    /// <summary>Service touchpoints: N, and those after hours (before 08:00 or from 20:00 UTC, or at the weekend) as successes.</summary>
    AfterHours,

    /// <summary>Customers with a service touchpoint: N customers, Σ and Σ² of their service touchpoints.</summary>
    ContactsPerCustomer,

    /// <summary>Customers with an order: N customers, and those with two or more orders as successes.</summary>
    RepeatPurchase,

    /// <summary>Contacts that say whether they were resolved at first contact: N, and the resolved ones as successes.</summary>
    FirstContactResolution,

    /// <summary>Customers with revenue in the bucket before: N, and those with revenue again in this bucket as successes.</summary>
    Retention,

    /// <summary>Customers subscribed at the bucket's start: N, and those who cancel within it as successes.</summary>
    Churn,

    /// <summary>Per acquisition month (bucket) and month since (key): N the cohort, successes those with revenue that month.</summary>
    CohortRetention,

    /// <summary>Customers active in the bucket: N, Σ and Σ² of the days from their first touchpoint to the bucket's end.</summary>
    Tenure,

    /// <summary>Customers active in the bucket with revenue in the currency: N, Σ and Σ² of their net revenue to the bucket's end.</summary>
    LifetimeValue,

    /// <summary>referral.made touchpoints: N.</summary>
    Referrals,

    /// <summary>Customers with a campaign.sent or a touchpoint with a campaign: N distinct live customers.</summary>
    CampaignReach,

    /// <summary>Customers with a lead.created: N, and those whose first revenue followed within 90 days as successes; Σ and Σ² of those days.</summary>
    LeadConversion,

    /// <summary>Converted leads (as <see cref="LeadConversion"/>): N, Σ and Σ² of the days from lead to first revenue.</summary>
    TimeToConvert,

    /// <summary>N customers acquired (first revenue) in the currency, and the marketing costs in it as the amount.</summary>
    CostPerAcquisition,

    /// <summary>Service contacts: N, and those followed by another contact of the customer within 7 days as successes.</summary>
    RepeatContact,

    /// <summary>Tickets opened and resolved: N, Σ and Σ² of the hours from opening to the last resolution.</summary>
    TimeToResolve,

    /// <summary>Tickets opened, resolved or past their SLA: N, and those resolved within it as successes.</summary>
    SlaAttainment,

    /// <summary>Revenue and refund touchpoints in the currency: N, and their net value as the amount.</summary>
    Revenue,

    /// <summary>Customers who cancelled or were detractors in the bucket, with revenue in the currency: N, and their trailing-365-day net revenue as the amount.</summary>
    RevenueAtRisk,
}

/// <summary>What a catalogue metric is split by, beside time.</summary>
public enum MetricSlice
{
    None,
    Department,
    Channel,
    Type,
    Team,
    Agent,
    Campaign,
    Survey,
    Segment,

    /// <summary>Text metrics only: each theme's texts (and, for sentiment, what they say of it).</summary>
    Theme,

    /// <summary>A customer attribute, named beside the slice: the live profile's current value.</summary>
    Attribute,
}

/// <summary>Time buckets of a metric: none (the whole period), or days, ISO weeks, months, quarters.</summary>
public enum MetricGranularity
{
    None,
    Day,
    Week,
    Month,
    Quarter,
}

/// <summary>The sufficient statistics of one (bucket, slice) cell; <see cref="Bucket"/> is the bucket's first day.</summary>
/// <param name="Amount">Money metrics: the exact sum, in the one currency asked for.</param>
public sealed record MetricStats(DateOnly? Bucket, string? Key, long N, double Sum, double SumOfSquares, long Successes, decimal Amount = 0);

public sealed partial class AnalyticsStore
{
    /// <summary>Touchpoints that bring revenue; deal.won is left out (its value is the contract the subscription and order then bill).</summary>

    /// <summary>
    /// Whether the per-customer metrics read <see cref="CustomerFacts"/> where they can. Off only in tests, which
    /// check each such metric against the same one computed from the touchpoints alone.
    /// </summary>
    internal bool UseFacts { get; set; } = true;

    /// <summary>
    /// One catalogue metric's sufficient statistics per time bucket and slice key, in bucket then key order (no key
    /// last). The caller turns them into values and intervals by the metric's statistic kind.
    /// </summary>
    /// <param name="currency">Money metrics (revenue, revenue at risk, lifetime value, cost per acquisition): the one currency summed.</param>
    public async Task<IReadOnlyList<MetricStats>> MetricStatsAsync(
        long workspaceId, DashboardFilter filter, FeedbackFilter narrowing, MetricBase metric, MetricGranularity granularity, MetricSlice slice,
        string? attribute = null, string? currency = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(narrowing);
        if ((slice == MetricSlice.Attribute) != (attribute is not null))
        {
            throw new ArgumentException("An attribute is named exactly when splitting by attribute.", nameof(attribute));
        }

        if (slice == MetricSlice.Theme && metric != MetricBase.TextSentiment)
        {
            throw new ArgumentException("Only text metrics split by theme.", nameof(slice));
        }

        var priced = metric is MetricBase.LifetimeValue or MetricBase.CostPerAcquisition or MetricBase.Revenue or MetricBase.RevenueAtRisk;
        if (priced != (currency is not null))
        {
            throw new ArgumentException("A currency is named exactly for money metrics.", nameof(currency));
        }

        var question = new MetricQuery(workspaceId, filter, narrowing, metric, granularity, slice, attribute, currency);
        var unfiltered = filter.Departments.Count + filter.Channels.Count + filter.Segments.Count + narrowing.Surveys.Count + narrowing.Teams.Count == 0;
        if (!UseFacts || !unfiltered || granularity == MetricGranularity.None || filter.From == DateTime.MinValue || filter.To == DateTime.MaxValue ||
            metric is not (MetricBase.ActiveCustomers or MetricBase.Tenure or MetricBase.LifetimeValue or MetricBase.Retention))
        {
            // Cohorts read the facts unless filtered: a filter applies to the customer's first revenue touchpoint.
            return await StatsAsync(question, UseFacts && unfiltered && metric == MetricBase.CohortRetention ? Source.Facts : Source.Touchpoints, ct)
                .ConfigureAwait(false);
        }

        // A customer's marks are for whole periods: the whole buckets read them. A bucket the period cuts at either
        // end (a few days at most by week) reads its own rows: per customer with their facts for tenure and lifetime
        // value, from the touchpoints for the others. Lifetime value of customers paying in several currencies reads
        // the touchpoints for the whole period.
        var from = AsUtc(filter.From);
        var to = AsUtc(filter.To);
        var first = BucketStart(from, granularity) is var start && start < from ? Shift(start, granularity, 1) : start;
        var last = BucketStart(to, granularity);
        if (first >= last)
        {
            return await StatsAsync(question, Source.Touchpoints, ct).ConfigureAwait(false);
        }

        var edge = metric is MetricBase.Tenure or MetricBase.LifetimeValue ? Source.CutBucket : Source.Touchpoints;
        var parts = new List<MetricStats>();
        if (from < first)
        {
            parts.AddRange(await StatsAsync(question with { Filter = filter with { To = first } }, edge, ct).ConfigureAwait(false));
        }

        parts.AddRange(await StatsAsync(question with { Filter = filter with { From = first, To = last } }, Source.Facts, ct).ConfigureAwait(false));
        if (metric == MetricBase.LifetimeValue)
        {
            parts.AddRange(await StatsAsync(question, Source.SeveralCurrencies, ct).ConfigureAwait(false));
        }

        if (last < to)
        {
            parts.AddRange(await StatsAsync(question with { Filter = filter with { From = last } }, edge, ct).ConfigureAwait(false));
        }

        return [.. parts
            .GroupBy(p => (p.Bucket, p.Key))
            .Select(g => new MetricStats(g.Key.Bucket, g.Key.Key, g.Sum(p => p.N), g.Sum(p => p.Sum), g.Sum(p => p.SumOfSquares), g.Sum(p => p.Successes), g.Sum(p => p.Amount)))
            .OrderBy(p => p.Bucket)
            .ThenBy(p => p.Key is null)
            .ThenBy(p => p.Key, StringComparer.Ordinal)];
    }

    /// <summary>Where a per-customer metric reads its customers from.</summary>
    private enum Source
    {
        /// <summary>The touchpoints alone, grouped per customer.</summary>
        Touchpoints,

        /// <summary>The facts on the touchpoints (<see cref="CustomerFacts"/>); for metrics without any, as <see cref="Touchpoints"/>.</summary>
        Facts,

        /// <summary>Lifetime value from the touchpoints, of the customers who paid in several currencies only.</summary>
        SeveralCurrencies,

        /// <summary>Tenure and lifetime value in a bucket the period cuts: its rows grouped per customer, with their facts.</summary>
        CutBucket,
    }

    private sealed record MetricQuery(
        long WorkspaceId, DashboardFilter Filter, FeedbackFilter Narrowing, MetricBase Metric, MetricGranularity Granularity, MetricSlice Slice,
        string? Attribute, string? Currency);

    private Task<IReadOnlyList<MetricStats>> StatsAsync(MetricQuery question, Source source, CancellationToken ct)
    {
        var (filter, metric, granularity, slice) = (question.Filter, question.Metric, question.Granularity, question.Slice);
        var (extra, parameters) = Narrow(question.Narrowing);
        var key = slice switch
        {
            MetricSlice.None => "CAST(NULL AS VARCHAR)",
            MetricSlice.Department => "i.department",
            MetricSlice.Channel => "i.channel",
            MetricSlice.Type => "i.type",
            MetricSlice.Team => "i.team",
            MetricSlice.Agent => "i.agent",
            MetricSlice.Campaign => "i.campaign",
            MetricSlice.Survey => "i.survey",
            MetricSlice.Segment => "i.segment",
            MetricSlice.Theme => "i.theme",
            _ => "t.value",
        };
        var joins = "";
        if (question.Attribute is not null)
        {
            // Text tables carry their touchpoint's customer as copied, not the live profile.
            var customer = LiveCustomer;
            if (metric == MetricBase.TextSentiment)
            {
                joins += "\n" + MapJoin("i");
                customer = MappedCustomer("i");
            }

            joins += "\n" + AttributeJoin(customer);
            parameters.Add(new DuckDBParameter("attribute", question.Attribute));
        }

        if (question.Currency is not null)
        {
            parameters.Add(new DuckDBParameter("currency", question.Currency));
        }

        if (source == Source.SeveralCurrencies)
        {
            extra += " AND i.worth_currency = '*'";
        }

        var cell = new Cell(Bucket(granularity, "i.occurred_at"), key, joins, extra, granularity, slice);
        var facts = source == Source.Facts;
        var (query, period) = metric switch
        {
            MetricBase.Tenure or MetricBase.LifetimeValue when source == Source.CutBucket => (CutBucketSql(cell, metric), filter),
            MetricBase.ActiveCustomers when facts => (ActiveFromFactsSql(cell), filter),
            MetricBase.Tenure when facts => (TenureFromFactsSql(cell), filter),
            MetricBase.LifetimeValue when facts => (LifetimeValueFromFactsSql(cell), filter),
            MetricBase.Retention when facts => (RetentionFromFactsSql(cell), RetentionSubjects(filter, granularity)),
            MetricBase.CohortRetention when facts => (CohortFromFactsSql(), filter),
            MetricBase.Retention => (RetentionSql(cell), RetentionSubjects(filter, granularity)),
            MetricBase.Churn => (ChurnSql(cell), filter),
            MetricBase.CohortRetention => (CohortSql(cell), filter),
            MetricBase.Tenure => (TenureSql(cell), filter),
            MetricBase.LifetimeValue => (LifetimeValueSql(cell, source == Source.SeveralCurrencies), filter),
            MetricBase.LeadConversion or MetricBase.TimeToConvert => (LeadSql(cell, metric == MetricBase.TimeToConvert), filter),
            MetricBase.CostPerAcquisition => (CostPerAcquisitionSql(cell, slice), filter),
            MetricBase.RepeatContact => (RepeatContactSql(cell), filter),
            MetricBase.TimeToResolve or MetricBase.SlaAttainment => (TicketSql(cell, metric == MetricBase.SlaAttainment), filter),
            MetricBase.RevenueAtRisk => (RevenueAtRiskSql(cell), filter),
            _ => (RowSql(cell, metric, slice), filter),
        };
        if (metric == MetricBase.Retention)
        {
            // The subjects are last bucket's customers; the period itself bounds the buckets they are retained in.
            parameters.Add(new DuckDBParameter("start", AsUtc(filter.From)));
            parameters.Add(new DuckDBParameter("end", AsUtc(filter.To)));
        }

        return QueryAsync(question.WorkspaceId, period, null, query,
            reader => new MetricStats(
                reader.IsDBNull(0) ? null : reader.GetFieldValue<DateOnly>(0),
                reader.IsDBNull(1) ? null : Convert.ToString(reader.GetValue(1), CultureInfo.InvariantCulture),
                Convert.ToInt64(reader.GetValue(2), CultureInfo.InvariantCulture),
                reader.IsDBNull(3) ? 0 : Convert.ToDouble(reader.GetValue(3), CultureInfo.InvariantCulture),
                reader.IsDBNull(4) ? 0 : Convert.ToDouble(reader.GetValue(4), CultureInfo.InvariantCulture),
                Convert.ToInt64(reader.GetValue(5), CultureInfo.InvariantCulture),
                reader.FieldCount > 6 && !reader.IsDBNull(6) ? Convert.ToDecimal(reader.GetValue(6), CultureInfo.InvariantCulture) : 0),
            ct, parameters);
    }

    /// <summary>The start of the bucket <paramref name="time"/> falls in (weeks start on Monday, as DuckDB's).</summary>
    private static DateTime BucketStart(DateTime time, MetricGranularity granularity) => granularity switch
    {
        MetricGranularity.Day => time.Date,
        MetricGranularity.Week => time.Date.AddDays(-(((int)time.DayOfWeek + 6) % 7)),
        MetricGranularity.Month => new DateTime(time.Year, time.Month, 1, 0, 0, 0, time.Kind),
        _ => new DateTime(time.Year, ((time.Month - 1) / 3 * 3) + 1, 1, 0, 0, 0, time.Kind),
    };

    /// <summary>The start of the bucket <paramref name="by"/> buckets after (or before) the one starting at <paramref name="start"/>.</summary>
    private static DateTime Shift(DateTime start, MetricGranularity granularity, int by) => granularity switch
    {
        MetricGranularity.Day => start.AddDays(by),
        MetricGranularity.Week => start.AddDays(7 * by),
        MetricGranularity.Month => start.AddMonths(by),
        _ => start.AddMonths(3 * by),
    };

    /// <summary>
    /// The currency of most revenue touchpoints: what money metrics sum when not told, the same for every period (a
    /// chart does not change currency when its period does); null when the workspace has no revenue. Cached with the
    /// store's answers until the next copy.
    /// </summary>
    public async Task<string?> MainCurrencyAsync(long workspaceId, CancellationToken ct = default)
    {
        var found = await QueryAsync(workspaceId, DashboardFilter.Period(DateTime.MinValue, DateTime.MaxValue), PurchaseTypes, where => $"""
            SELECT i.currency, count(*) AS n
            FROM interactions i
            {where} AND i.currency IS NOT NULL
            GROUP BY i.currency
            ORDER BY n DESC, i.currency
            LIMIT 1
            """,
            reader => reader.GetString(0), ct).ConfigureAwait(false);
        return found.Count > 0 ? found[0] : null;
    }

    /// <summary>How one metric's SQL buckets, slices and narrows its subject touchpoints (alias i).</summary>
    private sealed record Cell(string Bucket, string Key, string Joins, string Narrowing, MetricGranularity Granularity, MetricSlice Slice)
    {
        /// <summary>Rows that are a customer's first of their bucket and slice value (<see cref="CustomerFacts.Mark"/>).</summary>
        public string Firsts(string column = "i.marks") => $" AND ({column} & {CustomerFacts.Mark(Granularity, Slice).ToString(CultureInfo.InvariantCulture)}) <> 0";

        /// <summary>The end of the bucket starting at <paramref name="bucket"/> (a DATE), cut at the period's end.</summary>
        public string End(string bucket) => Granularity == MetricGranularity.None ? "CAST($to AS TIMESTAMP)" : $"least(CAST({bucket} AS TIMESTAMP) + {Step(Granularity)}, $to)";

        /// <summary>The cells' subjects: one row per (bucket, key, live customer) with a touchpoint there (meeting <paramref name="condition"/>).</summary>
        public string Subjects(string where, string condition = "") => $"""
            SELECT {Bucket} AS b, {Key} AS k, {LiveCustomer} AS c
                FROM interactions i{Joins}
                {where}{Narrowing}{condition}
                GROUP BY b, k, c
            """;
    }

    private static string Bucket(MetricGranularity granularity, string time) => granularity switch
    {
        MetricGranularity.None => "CAST(NULL AS DATE)",
        MetricGranularity.Day => $"CAST({time} AS DATE)",
        _ => $"CAST(date_trunc('{Unit(granularity)}', {time}) AS DATE)",
    };

    private static string Unit(MetricGranularity granularity) => granularity switch
    {
        MetricGranularity.Day => "day",
        MetricGranularity.Week => "week",
        MetricGranularity.Month => "month",
        _ => "quarter",
    };

    private static string Step(MetricGranularity granularity) => granularity switch
    {
        MetricGranularity.Day => "INTERVAL 1 DAY",
        MetricGranularity.Week => "INTERVAL 7 DAY",
        MetricGranularity.Month => "INTERVAL 1 MONTH",
        _ => "INTERVAL 3 MONTH",
    };

    /// <summary>
    /// Retention's subjects: revenue in the bucket before each bucket, so from the start of the one before the first;
    /// for no buckets, the period of the same length just before.
    /// </summary>
    private static DashboardFilter RetentionSubjects(DashboardFilter filter, MetricGranularity granularity)
    {
        var from = filter.From;
        var start = granularity == MetricGranularity.None ? from - (filter.To - from) : Shift(BucketStart(from, granularity), granularity, -1);
        return filter with { From = start, To = granularity == MetricGranularity.None ? from : filter.To };
    }

    /// <summary>Metrics of single touchpoints (N rows) or of the customers among them (N distinct live customers).</summary>
    private static Func<string, string, string> RowSql(Cell cell, MetricBase metric, MetricSlice slice)
    {
        // Per-touchpoint metrics aggregate rows; per-customer metrics first count each customer's rows in a cell, then
        // aggregate those counts (a plain GROUP BY per customer, which DuckDB runs in parallel where a grouped
        // count(DISTINCT) does not: 0.60 s against 0.84 s by week and channel over a year of 10 M touchpoints).
        var (from, stats, condition, perCustomer) = metric switch
        {
            // Text tables carry their touchpoint's columns under the same names: "i" filters and slices them directly.
            MetricBase.TextSentiment => (
                slice == MetricSlice.Theme ? "text_themes i" : "texts i",
                "count(*), sum(i.sentiment), sum(i.sentiment * i.sentiment), count(*) FILTER (WHERE i.sentiment <= -0.05)",
                "", false),
            MetricBase.HandleTime => (
                "interactions i",
                "count(*), CAST(sum(i.handle_seconds) AS DOUBLE), sum(CAST(i.handle_seconds AS DOUBLE) * i.handle_seconds), CAST(0 AS BIGINT)",
                " AND i.handle_seconds IS NOT NULL", false),
            MetricBase.AfterHours => (
                "interactions i",
                "count(*), 0.0, 0.0, count(*) FILTER (WHERE hour(i.occurred_at) < 8 OR hour(i.occurred_at) >= 20 OR isodow(i.occurred_at) >= 6)",
                " AND i.department = 'service'", false),
            MetricBase.FirstContactResolution => ("interactions i", "count(*), 0.0, 0.0, count(*) FILTER (WHERE i.fcr = 1)", " AND i.fcr IS NOT NULL", false),
            MetricBase.Referrals => ("interactions i", "count(*), 0.0, 0.0, CAST(0 AS BIGINT)", " AND i.type = 'referral.made'", false),
            MetricBase.Revenue => (
                "interactions i",
                $"count(*), 0.0, 0.0, CAST(0 AS BIGINT), sum(CASE WHEN i.type = '{RefundType}' THEN -i.value ELSE i.value END)",
                $" AND i.type IN ({PurchaseTypeList}, '{RefundType}') AND i.currency = $currency", false),
            MetricBase.ActiveCustomers => ("interactions i", "count(*), 0.0, 0.0, CAST(0 AS BIGINT)", "", true),
            MetricBase.CampaignReach => ("interactions i", "count(*), 0.0, 0.0, CAST(0 AS BIGINT)", " AND (i.type = 'campaign.sent' OR i.campaign IS NOT NULL)", true),
            MetricBase.ContactsPerCustomer => (
                "interactions i", "count(*), CAST(sum(e) AS DOUBLE), CAST(sum(e * e) AS DOUBLE), CAST(0 AS BIGINT)", " AND i.department = 'service'", true),
            MetricBase.RepeatPurchase => ("interactions i", "count(*), 0.0, 0.0, count(*) FILTER (WHERE e >= 2)", " AND i.type = 'order.placed'", true),
            _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "not a touchpoint metric"),
        };
        return perCustomer
            ? (where, _) => $"""
                SELECT b, k, {stats}
                FROM (SELECT {cell.Bucket} AS b, {cell.Key} AS k, {LiveCustomer} AS c, count(*) AS e
                      FROM {from}{cell.Joins}
                      {where}{cell.Narrowing}{condition}
                      GROUP BY b, k, c)
                GROUP BY b, k
                ORDER BY b, k NULLS LAST
                """
            : (where, _) => $"""
                SELECT {cell.Bucket} AS b, {cell.Key} AS k, {stats}
                FROM {from}{cell.Joins}
                {where}{cell.Narrowing}{condition}
                GROUP BY b, k
                ORDER BY b, k NULLS LAST
                """;
    }

    /// <summary>
    /// Customers with a revenue touchpoint in a bucket (the subjects, sliced by that touchpoint) are counted in the
    /// next bucket, retained if they have revenue in it; the next bucket is cut to the period ($start, $end).
    /// </summary>
    private static Func<string, string, string> RetentionSql(Cell cell)
    {
        var next = cell.Granularity == MetricGranularity.None
            ? "CAST(NULL AS DATE)"
            : $"CAST(date_trunc('{Unit(cell.Granularity)}', i.occurred_at) + {Step(cell.Granularity)} AS DATE)";
        var inPeriod = cell.Granularity == MetricGranularity.None ? "" : $" AND {next} < CAST($end AS DATE)";
        return (where, _) => $"""
            WITH earlier AS (
                SELECT {next} AS b, {cell.Key} AS k, {LiveCustomer} AS c
                FROM interactions i{cell.Joins}
                {where}{cell.Narrowing} AND i.type IN ({PurchaseTypeList}){inPeriod}
                GROUP BY b, k, c
            ),
            again AS (
                SELECT DISTINCT {Bucket(cell.Granularity, "i.occurred_at")} AS b, {LiveCustomer} AS c
                FROM interactions i
                WHERE i.workspace_id = $workspace AND i.type IN ({PurchaseTypeList}) AND i.occurred_at >= $start AND i.occurred_at < $end
            )
            SELECT e.b, e.k, count(*), 0.0, 0.0, count(a.c)
            FROM earlier e
            LEFT JOIN again a ON a.c = e.c AND a.b IS NOT DISTINCT FROM e.b
            GROUP BY e.b, e.k
            ORDER BY e.b, e.k NULLS LAST
            """;
    }

    /// <summary>
    /// <see cref="RetentionSql"/> from the facts, for whole buckets: each customer's first revenue row of a bucket and
    /// slice value is a subject of the next bucket, and says whether they had revenue in it.
    /// </summary>
    private static Func<string, string, string> RetentionFromFactsSql(Cell cell) => (where, _) => $"""
        SELECT CAST(date_trunc('{Unit(cell.Granularity)}', i.occurred_at) + {Step(cell.Granularity)} AS DATE) AS b, {cell.Key} AS k, count(*), 0.0, 0.0,
               count(*) FILTER (WHERE (i.paid_marks & {CustomerFacts.Retained(cell.Granularity)}) <> 0)
        FROM interactions i{cell.Joins}
        {where}{cell.Narrowing}{cell.Firsts("i.paid_marks")} AND i.occurred_at < CAST($end AS TIMESTAMP) - {Step(cell.Granularity)}
        GROUP BY b, k
        ORDER BY b, k NULLS LAST
        """;

    /// <summary>
    /// Subscription spans (<see cref="CustomerFacts"/>: from a subscription.started or .renewed after a cancellation,
    /// or nothing, to the next subscription.cancelled), filtered and sliced by their opening touchpoint. A span counts
    /// in a bucket when it was open at the bucket's start; it churned when it ended within the bucket. A range join
    /// pairs spans and buckets.
    /// </summary>
    private static Func<string, string, string> ChurnSql(Cell cell)
    {
        var buckets = cell.Granularity == MetricGranularity.None
            ? "SELECT CAST(NULL AS DATE) AS b, CAST($from AS TIMESTAMP) AS lo, CAST($to AS TIMESTAMP) AS hi"
            : $"""
                SELECT CAST(r.s AS DATE) AS b, greatest(r.s, $from) AS lo, least(r.s + {Step(cell.Granularity)}, $to) AS hi
                FROM range(date_trunc('{Unit(cell.Granularity)}', CAST($from AS TIMESTAMP)), CAST($to AS TIMESTAMP), {Step(cell.Granularity)}) r(s)
                """;
        // The spans take their slice key before they meet the buckets: a customer attribute is joined once per span,
        // not once per span and bucket.
        return (_, scope) => $"""
            WITH buckets AS (
                {buckets}
            ),
            spans AS MATERIALIZED (
                SELECT i.started, coalesce(i.ended, CAST('infinity' AS TIMESTAMP)) AS ended, {cell.Key} AS k
                FROM subscription_spans i{cell.Joins}
                {scope}{cell.Narrowing} AND i.started < $to
            )
            SELECT bk.b, s.k, count(*), 0.0, 0.0, count(*) FILTER (WHERE s.ended < bk.hi)
            FROM spans s
            JOIN buckets bk ON s.started < bk.lo AND s.ended >= bk.lo
            GROUP BY bk.b, s.k
            ORDER BY bk.b, s.k NULLS LAST
            """;
    }

    /// <summary>
    /// Cohorts by the month of each live customer's first revenue touchpoint (which takes the filters); per cohort and
    /// month since (0, 1, …, up to the period's end) the cohort's size and how many had revenue that month.
    /// </summary>
    private static Func<string, string, string> CohortSql(Cell cell) => (where, _) => $"""
        WITH cohort AS (
            SELECT DISTINCT CAST(date_trunc('month', i.occurred_at) AS DATE) AS b, {LiveCustomer} AS c
            FROM interactions i{cell.Joins}
            {where}{cell.Narrowing} AND i.type IN ({PurchaseTypeList}) AND i.occurred_at = i.first_paid
        ),
        paying AS (
            SELECT DISTINCT {LiveCustomer} AS c, CAST(date_trunc('month', i.occurred_at) AS DATE) AS month
            FROM interactions i
            WHERE i.workspace_id = $workspace AND i.type IN ({PurchaseTypeList}) AND i.occurred_at >= date_trunc('month', CAST($from AS TIMESTAMP)) AND i.occurred_at < $to
        ),
        retained AS (
            SELECT co.b, date_diff('month', co.b, p.month) AS k, count(*) AS r
            FROM cohort co JOIN paying p ON p.c = co.c AND p.month >= co.b
            GROUP BY co.b, k
        )
        {CohortGrid}
        """;

    /// <summary>
    /// <see cref="CohortSql"/> unfiltered, from the facts: the cohort is the customers whose first revenue touchpoint
    /// falls in the period, and each month's first revenue touchpoint of theirs carries its cohort in first_paid.
    /// </summary>
    private static Func<string, string, string> CohortFromFactsSql() => (where, _) => $"""
        WITH cohort AS (
            SELECT CAST(date_trunc('month', i.occurred_at) AS DATE) AS b, i.live_id AS c
            FROM interactions i
            {where} AND (i.paid_marks & {1L << CustomerFacts.FirstPaymentBit}) <> 0
        ),
        retained AS (
            SELECT CAST(date_trunc('month', i.first_paid) AS DATE) AS b, date_diff('month', date_trunc('month', i.first_paid), date_trunc('month', i.occurred_at)) AS k,
                   count(*) AS r
            FROM interactions i
            WHERE i.workspace_id = $workspace AND (i.paid_marks & {CustomerFacts.Mark(MetricGranularity.Month, MetricSlice.None)}) <> 0
              AND i.occurred_at >= date_trunc('month', CAST($from AS TIMESTAMP)) AND i.occurred_at < $to AND i.first_paid >= $from AND i.first_paid < $to
            GROUP BY b, k
        )
        {CohortGrid}
        """;

    /// <summary>Every cohort (b, size n from cohort) and month since it (k), with those retained then (r from retained).</summary>
    private const string CohortGrid = """
        , grid AS (
            SELECT b, n, unnest(range(0, date_diff('month', b, CAST($to - INTERVAL 1 MICROSECOND AS DATE)) + 1)) AS k
            FROM (SELECT b, count(*) AS n FROM cohort GROUP BY b)
        )
        SELECT g.b, CAST(g.k AS VARCHAR), g.n, 0.0, 0.0, coalesce(r.r, CAST(0 AS BIGINT))
        FROM grid g LEFT JOIN retained r ON r.b = g.b AND r.k = g.k
        ORDER BY g.b, g.k
        """;

    /// <summary>Customers active in a cell (the subjects): per customer, the days from their first touchpoint ever to the bucket's end.</summary>
    private static Func<string, string, string> TenureSql(Cell cell) => (where, _) => $"""
        WITH cells AS (
            {cell.Subjects(where)}
        ),
        first_seen AS (
            SELECT {LiveCustomer} AS c, min(i.occurred_at) AS ts
            FROM interactions i
            WHERE i.workspace_id = $workspace AND {LiveCustomer} IN (SELECT c FROM cells)
            GROUP BY c
        ),
        days AS (
            SELECT cells.b, cells.k, (epoch_us({cell.End("cells.b")}) - epoch_us(f.ts)) / 86400000000.0 AS d
            FROM cells JOIN first_seen f ON f.c = cells.c
        )
        SELECT b, k, count(*), sum(d), sum(d * d), CAST(0 AS BIGINT)
        FROM days
        GROUP BY b, k
        ORDER BY b, k NULLS LAST
        """;

    /// <summary>
    /// <see cref="TenureSql"/> from the facts: each customer's first row of a cell, and their first touchpoint ever
    /// beside it. In days from the period's start, a customer's tenure is E − f (E the cell's end, f their first
    /// touchpoint), so the sums are n·E − Σf and n·E² − 2E·Σf + Σf², with E computed once per cell, not per row.
    /// </summary>
    private static Func<string, string, string> TenureFromFactsSql(Cell cell) => (where, _) => $"""
        SELECT b, k, n, n * e - sf, n * e * e - 2 * e * sf + sff, CAST(0 AS BIGINT)
        FROM (SELECT b, k, count(*) AS n, sum(f) AS sf, sum(f * f) AS sff,
                     (epoch_us({cell.End("b")}) - epoch_us(CAST($from AS TIMESTAMP))) / 86400000000.0 AS e
              FROM (SELECT {cell.Bucket} AS b, {cell.Key} AS k, (epoch_us(i.first_seen) - epoch_us(CAST($from AS TIMESTAMP))) / 86400000000.0 AS f
                    FROM interactions i{cell.Joins}
                    {where}{cell.Narrowing}{cell.Firsts()})
              GROUP BY b, k)
        ORDER BY b, k NULLS LAST
        """;

    /// <summary>
    /// Tenure, or lifetime value of the customers who paid in the currency alone, in a bucket the period cuts: its
    /// rows per customer, whose facts are the same on each: the first touchpoint ever; the worth to the bucket's
    /// natural end, less what they paid from the cell's end to it (nothing when only the start is cut).
    /// </summary>
    private static Func<string, string, string> CutBucketSql(Cell cell, MetricBase metric) => (where, _) => metric == MetricBase.Tenure
        ? $"""
            SELECT b, k, count(*), sum(d), sum(d * d), CAST(0 AS BIGINT)
            FROM (SELECT b, k, (epoch_us({cell.End("b")}) - epoch_us(min(first_seen))) / 86400000000.0 AS d
                  FROM (SELECT {cell.Bucket} AS b, {cell.Key} AS k, i.live_id AS c, i.first_seen
                        FROM interactions i{cell.Joins}
                        {where}{cell.Narrowing})
                  GROUP BY b, k, c)
            GROUP BY b, k
            ORDER BY b, k NULLS LAST
            """
        : $"""
            WITH cells AS (
                SELECT {cell.Bucket} AS b, {cell.Key} AS k, i.live_id AS c, min({CustomerFacts.Worth(cell.Granularity)}) AS w
                FROM interactions i{cell.Joins}
                {where}{cell.Narrowing} AND i.worth_currency = $currency AND i.first_money < $to
                GROUP BY b, k, c
            ),
            later AS (
                SELECT i.live_id AS c, CAST(sum(CASE WHEN i.type = '{RefundType}' THEN -i.value ELSE i.value END) AS DOUBLE) AS v
                FROM interactions i
                WHERE i.workspace_id = $workspace AND i.type IN ({PurchaseTypeList}, '{RefundType}') AND i.currency = $currency
                  AND i.occurred_at >= $to AND i.occurred_at < date_trunc('{Unit(cell.Granularity)}', CAST($from AS TIMESTAMP)) + {Step(cell.Granularity)}
                GROUP BY c
            )
            SELECT b, k, count(*), sum(w - coalesce(v, 0.0)), sum((w - coalesce(v, 0.0)) * (w - coalesce(v, 0.0))), CAST(0 AS BIGINT)
            FROM cells LEFT JOIN later USING (c)
            GROUP BY b, k
            ORDER BY b, k NULLS LAST
            """;

    /// <summary>Active customers from the facts: each customer's first row of a cell.</summary>
    private static Func<string, string, string> ActiveFromFactsSql(Cell cell) => (where, _) => $"""
        SELECT {cell.Bucket} AS b, {cell.Key} AS k, count(*), 0.0, 0.0, CAST(0 AS BIGINT)
        FROM interactions i{cell.Joins}
        {where}{cell.Narrowing}{cell.Firsts()}
        GROUP BY b, k
        ORDER BY b, k NULLS LAST
        """;

    /// <summary>
    /// Customers active in a cell: per customer, net revenue in the currency up to the bucket's end. One stream per
    /// customer holds their revenue touchpoints and their cells' ends (a cell sorting before revenue at the same
    /// instant, which is after its end); a running sum read at each cell is the value then. Customers without revenue
    /// by then are not counted. (An ASOF join said the same, but DuckDB planned it inside this query in minutes, not
    /// seconds, over 10 M touchpoints.)
    /// </summary>
    /// <param name="severalCurrencies">Only the customers who paid in several currencies (their revenue rows too, so that a store without any skips the scan).</param>
    private static Func<string, string, string> LifetimeValueSql(Cell cell, bool severalCurrencies) => (where, _) => $"""
        WITH cells AS (
            {cell.Subjects(where)}
        ),
        stream AS (
            SELECT {LiveCustomer} AS c, i.occurred_at AS t, 1 AS kind, CAST(NULL AS DATE) AS b, CAST(NULL AS VARCHAR) AS k,
                   CAST(CASE WHEN i.type = '{RefundType}' THEN -i.value ELSE i.value END AS DOUBLE) AS v
            FROM interactions i
            WHERE i.workspace_id = $workspace AND i.type IN ({PurchaseTypeList}, '{RefundType}') AND i.currency = $currency AND i.occurred_at < $to
              AND {LiveCustomer} IN (SELECT c FROM cells){(severalCurrencies ? " AND i.worth_currency = '*'" : "")}
            UNION ALL
            SELECT c, {cell.End("b")}, 0, b, k, 0.0 FROM cells
        ),
        running AS (
            SELECT kind, b, k,
                   sum(v) OVER (PARTITION BY c ORDER BY t, kind ROWS UNBOUNDED PRECEDING) AS worth,
                   sum(kind) OVER (PARTITION BY c ORDER BY t, kind ROWS UNBOUNDED PRECEDING) AS paid
            FROM stream
        )
        SELECT b, k, count(*), sum(worth), sum(worth * worth), CAST(0 AS BIGINT)
        FROM running
        WHERE kind = 0 AND paid > 0
        GROUP BY b, k
        ORDER BY b, k NULLS LAST
        """;

    /// <summary>
    /// <see cref="LifetimeValueSql"/> from the facts, for the customers who paid in the currency alone: each
    /// customer's first row of a cell carries their net revenue to the end of its bucket (none if they had not paid
    /// by then).
    /// </summary>
    private static Func<string, string, string> LifetimeValueFromFactsSql(Cell cell) => (where, _) => $"""
        SELECT b, k, count(*), sum(w), sum(w * w), CAST(0 AS BIGINT)
        FROM (SELECT {cell.Bucket} AS b, {cell.Key} AS k, {CustomerFacts.Worth(cell.Granularity)} AS w
              FROM interactions i{cell.Joins}
              {where}{cell.Narrowing}{cell.Firsts()} AND i.worth_currency = $currency AND {CustomerFacts.Worth(cell.Granularity)} IS NOT NULL)
        GROUP BY b, k
        ORDER BY b, k NULLS LAST
        """;

    /// <summary>
    /// Customers with a lead.created in a cell (its first there): converted when their first revenue touchpoint ever
    /// came at or after the lead and within 90 days; customers whose first revenue came before the lead are not leads.
    /// </summary>
    private static Func<string, string, string> LeadSql(Cell cell, bool converted) => (where, _) => $"""
        WITH leads AS (
            SELECT {cell.Bucket} AS b, {cell.Key} AS k, {LiveCustomer} AS c, min(i.occurred_at) AS ts, min(i.first_paid) AS paid
            FROM interactions i{cell.Joins}
            {where}{cell.Narrowing} AND i.type = 'lead.created'
            GROUP BY b, k, c
        ),
        outcomes AS (
            SELECT b, k, paid <= ts + INTERVAL 90 DAY AS won, date_diff('second', ts, paid) / 86400.0 AS d
            FROM leads
            WHERE paid IS NULL OR paid >= ts
        )
        SELECT b, k, {(converted
            ? "count(*) FILTER (WHERE won), sum(d) FILTER (WHERE won), sum(d * d) FILTER (WHERE won), count(*) FILTER (WHERE won)"
            : "count(*), 0.0, 0.0, count(*) FILTER (WHERE won)")}
        FROM outcomes
        GROUP BY b, k
        ORDER BY b, k NULLS LAST
        """;

    /// <summary>
    /// Costs (attributes.cost of marketing touchpoints in the currency) and acquisitions (live customers whose first
    /// revenue touchpoint ever, in the currency, falls in the cell) per cell. By campaign or channel, an acquisition
    /// goes to the last marketing touchpoint with a campaign in the 30 days before it (last touch, which the facts
    /// keep on the first revenue touchpoint).
    /// </summary>
    private static Func<string, string, string> CostPerAcquisitionSql(Cell cell, MetricSlice slice)
    {
        var acquiredKey = slice switch
        {
            MetricSlice.Campaign => "i.touch_campaign",
            MetricSlice.Channel => "i.touch_channel",
            _ => cell.Key,
        };
        return (where, _) => $"""
            WITH costs AS (
                SELECT {cell.Bucket} AS b, {cell.Key} AS k, sum(i.cost) AS amount
                FROM interactions i{cell.Joins}
                {where}{cell.Narrowing} AND i.department = 'marketing' AND i.cost IS NOT NULL AND i.currency = $currency
                GROUP BY b, k
            ),
            acquisitions AS (
                SELECT {cell.Bucket} AS b, {acquiredKey} AS k, count(*) AS n
                FROM interactions i{cell.Joins}
                {where}{cell.Narrowing} AND (i.paid_marks & {1L << CustomerFacts.FirstPaymentBit}) <> 0 AND i.currency = $currency
                GROUP BY b, k
            )
            SELECT * FROM (
                SELECT coalesce(a.b, co.b) AS b, coalesce(a.k, co.k) AS k, coalesce(a.n, CAST(0 AS BIGINT)) AS n, 0.0, 0.0, CAST(0 AS BIGINT),
                       coalesce(co.amount, CAST(0 AS DECIMAL(18, 4)))
                FROM acquisitions a
                FULL JOIN costs co ON co.b IS NOT DISTINCT FROM a.b AND co.k IS NOT DISTINCT FROM a.k)
            ORDER BY b, k NULLS LAST
            """;
    }

    /// <summary>
    /// Contacts: service touchpoints other than ticket.resolved and visit.completed, of one live customer, where
    /// touchpoints less than 2 hours after the one before are the same contact (a ticket and the call that opened
    /// it). Each contact in the period (its first touchpoint, the subject) is repeated when the customer's next one
    /// starts within 7 days; the facts mark both on the contact's first touchpoint.
    /// </summary>
    private static Func<string, string, string> RepeatContactSql(Cell cell) => (where, _) => $"""
        SELECT {cell.Bucket} AS b, {cell.Key} AS k, count(*), 0.0, 0.0, count(*) FILTER (WHERE (i.marks & {1L << CustomerFacts.RepeatedContactBit}) <> 0)
        FROM interactions i{cell.Joins}
        {where}{cell.Narrowing} AND (i.marks & {1L << CustomerFacts.ContactStartBit}) <> 0
        GROUP BY b, k
        ORDER BY b, k NULLS LAST
        """;

    /// <summary>
    /// Tickets (attributes.ticketId) opened in a cell, and their last ticket.resolved at or after the opening, at any
    /// time. Time to resolve: the resolved ones' hours. SLA: the customer's slaHours trait when it is a positive
    /// number, else 24; an unresolved ticket counts (as missed) once its SLA ended before the newest touchpoint copied.
    /// </summary>
    private static Func<string, string, string> TicketSql(Cell cell, bool sla) => (where, _) => $"""
        WITH opened AS (
            SELECT {cell.Bucket} AS b, {cell.Key} AS k, i.ticket, {LiveCustomer} AS c, min(i.occurred_at) AS ts
            FROM interactions i{cell.Joins}
            {where}{cell.Narrowing} AND i.type = 'ticket.opened' AND i.ticket IS NOT NULL
            GROUP BY b, k, i.ticket, c
        ),
        resolved AS (
            SELECT i.ticket, max(i.occurred_at) AS ts
            FROM interactions i
            WHERE i.workspace_id = $workspace AND i.type = 'ticket.resolved' AND i.ticket IS NOT NULL
            GROUP BY i.ticket
        ),
        tickets AS (
            SELECT o.b, o.k, date_diff('second', o.ts, r.ts) / 3600.0 AS h,
                   date_diff('second', o.ts, (SELECT max(occurred_at) FROM interactions WHERE workspace_id = $workspace)) / 3600.0 AS age,
                   coalesce(CASE WHEN TRY_CAST(s.value AS DOUBLE) > 0 THEN TRY_CAST(s.value AS DOUBLE) END, 24.0) AS sla
            FROM opened o
            LEFT JOIN resolved r ON r.ticket = o.ticket AND r.ts >= o.ts
            LEFT JOIN customer_traits s ON s.workspace_id = $workspace AND s.customer_id = o.c AND s.name = 'slaHours'
        )
        SELECT b, k, {(sla
            ? "count(*) FILTER (WHERE h IS NOT NULL OR age > sla), 0.0, 0.0, count(*) FILTER (WHERE h <= sla)"
            : "count(h), sum(h), sum(h * h), count(h)")}
        FROM tickets
        GROUP BY b, k
        ORDER BY b, k NULLS LAST
        """;

    /// <summary>
    /// Live customers who cancelled (subscription.cancelled) or answered as detractors (NPS 0–6, CSAT 1–2) in a cell,
    /// with their net revenue in the currency over the 365 days to the bucket's end; those without any are left out.
    /// </summary>
    private static Func<string, string, string> RevenueAtRiskSql(Cell cell) => (where, _) => $"""
        WITH risky AS (
            {cell.Subjects(where, $" AND (i.type = '{CancellationType}' OR i.nps BETWEEN 0 AND 6 OR i.csat BETWEEN 1 AND 2)")}
        ),
        ends AS (
            SELECT b, k, c, {cell.End("b")} AS hi FROM risky
        ),
        worth AS (
            SELECT e.b, e.k, e.c, sum(r.v) AS v
            FROM ends e
            JOIN (SELECT {LiveCustomer} AS c, i.occurred_at AS ts, CASE WHEN i.type = '{RefundType}' THEN -i.value ELSE i.value END AS v
                  FROM interactions i
                  WHERE i.workspace_id = $workspace AND i.type IN ({PurchaseTypeList}, '{RefundType}') AND i.currency = $currency) r
              ON r.c = e.c AND r.ts >= e.hi - INTERVAL 365 DAY AND r.ts < e.hi
            GROUP BY e.b, e.k, e.c
        )
        SELECT b, k, count(*), 0.0, 0.0, CAST(0 AS BIGINT), sum(v)
        FROM worth
        GROUP BY b, k
        ORDER BY b, k NULLS LAST
        """;
}
