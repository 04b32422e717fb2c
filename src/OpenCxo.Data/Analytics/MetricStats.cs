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
public sealed record MetricStats(DateOnly? Bucket, string? Key, long N, double Sum, double SumOfSquares, long Successes);

public sealed partial class AnalyticsStore
{
    /// <summary>
    /// One catalogue metric's sufficient statistics per time bucket and slice key, in bucket then key order (no key
    /// last). The caller turns them into values and intervals by the metric's statistic kind.
    /// </summary>
    public Task<IReadOnlyList<MetricStats>> MetricStatsAsync(
        long workspaceId, DashboardFilter filter, FeedbackFilter narrowing, MetricBase metric, MetricGranularity granularity, MetricSlice slice,
        string? attribute = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(narrowing);
        if ((slice == MetricSlice.Attribute) != (attribute is not null))
        {
            throw new ArgumentException("An attribute is named exactly when splitting by attribute.", nameof(attribute));
        }

        if (slice == MetricSlice.Theme && metric != MetricBase.TextSentiment)
        {
            throw new ArgumentException("Only text metrics split by theme.", nameof(slice));
        }

        var (extra, parameters) = Narrow(narrowing);
        var bucket = granularity switch
        {
            MetricGranularity.None => "CAST(NULL AS DATE)",
            MetricGranularity.Day => "CAST(i.occurred_at AS DATE)",
            MetricGranularity.Week => "CAST(date_trunc('week', i.occurred_at) AS DATE)",
            MetricGranularity.Month => "CAST(date_trunc('month', i.occurred_at) AS DATE)",
            _ => "CAST(date_trunc('quarter', i.occurred_at) AS DATE)",
        };
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
        var joins = "\n" + MapJoin;
        if (attribute is not null)
        {
            joins += "\nLEFT JOIN customer_traits t ON t.workspace_id = i.workspace_id AND t.customer_id = " + LiveCustomer + " AND t.name = $attribute";
            parameters.Add(new DuckDBParameter("attribute", attribute));
        }

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
            MetricBase.ActiveCustomers => ("interactions i", "count(*), 0.0, 0.0, CAST(0 AS BIGINT)", "", true),
            MetricBase.ContactsPerCustomer => (
                "interactions i", "count(*), CAST(sum(e) AS DOUBLE), CAST(sum(e * e) AS DOUBLE), CAST(0 AS BIGINT)", " AND i.department = 'service'", true),
            _ => ("interactions i", "count(*), 0.0, 0.0, count(*) FILTER (WHERE e >= 2)", " AND i.type = 'order.placed'", true),
        };
        Func<string, string> sql = perCustomer
            ? where => $"""
                SELECT b, k, {stats}
                FROM (SELECT {bucket} AS b, {key} AS k, {LiveCustomer} AS c, count(*) AS e
                      FROM {from}{joins}
                      {where}{extra}{condition}
                      GROUP BY b, k, c)
                GROUP BY b, k
                ORDER BY b, k NULLS LAST
                """
            : where => $"""
                SELECT {bucket} AS b, {key} AS k, {stats}
                FROM {from}{joins}
                {where}{extra}{condition}
                GROUP BY b, k
                ORDER BY b, k NULLS LAST
                """;
        return QueryAsync(workspaceId, filter, null, sql,
            reader => new MetricStats(
                reader.IsDBNull(0) ? null : reader.GetFieldValue<DateOnly>(0),
                reader.IsDBNull(1) ? null : Convert.ToString(reader.GetValue(1), CultureInfo.InvariantCulture),
                Convert.ToInt64(reader.GetValue(2), CultureInfo.InvariantCulture),
                reader.IsDBNull(3) ? 0 : Convert.ToDouble(reader.GetValue(3), CultureInfo.InvariantCulture),
                reader.IsDBNull(4) ? 0 : Convert.ToDouble(reader.GetValue(4), CultureInfo.InvariantCulture),
                Convert.ToInt64(reader.GetValue(5), CultureInfo.InvariantCulture)),
            ct, parameters);
    }
}
