using System.Globalization;
using System.Text.Json.Nodes;
using OpenCxo.App.Text;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Metrics;
using OpenCxo.Data.Analytics;

namespace OpenCxo.App.Metrics;

/// <summary>
/// How a catalogue metric is asked for: the feedback filters (period, surveys, departments, channels, segments,
/// teams), a granularity, and one slice (or a customer attribute).
/// </summary>
public sealed record CatalogueQuery(FeedbackQuery Filters, MetricGranularity Granularity, MetricSlice By, string? Attribute)
{
    public static readonly IReadOnlyDictionary<string, MetricGranularity> Granularities = new Dictionary<string, MetricGranularity>(StringComparer.Ordinal)
    {
        ["none"] = MetricGranularity.None,
        ["day"] = MetricGranularity.Day,
        ["week"] = MetricGranularity.Week,
        ["month"] = MetricGranularity.Month,
        ["quarter"] = MetricGranularity.Quarter,
    };

    public static readonly IReadOnlyDictionary<string, MetricSlice> Slices = new Dictionary<string, MetricSlice>(StringComparer.Ordinal)
    {
        ["all"] = MetricSlice.None,
        ["department"] = MetricSlice.Department,
        ["channel"] = MetricSlice.Channel,
        ["type"] = MetricSlice.Type,
        ["team"] = MetricSlice.Team,
        ["agent"] = MetricSlice.Agent,
        ["campaign"] = MetricSlice.Campaign,
        ["survey"] = MetricSlice.Survey,
        ["segment"] = MetricSlice.Segment,
        ["theme"] = MetricSlice.Theme,
    };

    public static (CatalogueQuery? Query, FieldError? Problem) Parse(
        FeedbackQuery filters, MetricDefinition metric, string? granularity, string? by)
    {
        ArgumentNullException.ThrowIfNull(metric);
        var grain = MetricGranularity.None;
        if (granularity is not null && !Granularities.TryGetValue(granularity, out grain))
        {
            return (null, new FieldError("granularity", $"must be one of {string.Join(", ", Granularities.Keys)}"));
        }

        string? attribute = null;
        var slice = MetricSlice.None;
        if (by is not null && by.StartsWith(MetricsQuery.AttributePrefix, StringComparison.Ordinal))
        {
            attribute = by[MetricsQuery.AttributePrefix.Length..];
            if (attribute.Length is 0 or > 100 || attribute.Any(char.IsControl))
            {
                return (null, new FieldError("by", $"{MetricsQuery.AttributePrefix}NAME needs an attribute name of 1–100 characters"));
            }

            slice = MetricSlice.Attribute;
        }
        else if (by is not null && !Slices.TryGetValue(by, out slice))
        {
            return (null, new FieldError("by", $"must be one of {string.Join(", ", Slices.Keys)} or {MetricsQuery.AttributePrefix}NAME"));
        }

        if (slice == MetricSlice.Theme && metric.Name is not ("sentiment" or "negative_feedback_share"))
        {
            return (null, new FieldError("by", $"{metric.Name} is not read from texts, so it has no themes"));
        }

        return (new CatalogueQuery(filters, grain, slice, attribute), null);
    }

    public string ByName => By == MetricSlice.Attribute ? MetricsQuery.AttributePrefix + Attribute : Slices.First(s => s.Value == By).Key;

    public string GranularityName => Granularities.First(g => g.Value == Granularity).Key;
}

/// <summary>One cell: its bucket (first day) and slice key, the value with its interval where the metric is a statistic, and N.</summary>
public sealed record MetricPoint(DateOnly? Bucket, string? Key, double Value, double? Low, double? High, long N, bool Small);

/// <summary>The catalogue metrics computed on the analytics store from sufficient statistics, by their statistic kind.</summary>
public static class CatalogueMetrics
{
    /// <summary>The catalogue metrics served by the generic engine (NPS, CSAT and CES have their own reports).</summary>
    public static readonly IReadOnlyDictionary<string, MetricBase> Bases = new Dictionary<string, MetricBase>(StringComparer.Ordinal)
    {
        ["sentiment"] = MetricBase.TextSentiment,
        ["negative_feedback_share"] = MetricBase.TextSentiment,
        ["active_customers"] = MetricBase.ActiveCustomers,
        ["repeat_purchase_rate"] = MetricBase.RepeatPurchase,
        ["contacts_per_customer"] = MetricBase.ContactsPerCustomer,
        ["first_contact_resolution"] = MetricBase.FirstContactResolution,
        ["average_handle_time"] = MetricBase.HandleTime,
        ["after_hours_share"] = MetricBase.AfterHours,
    };

    public static async Task<IReadOnlyList<MetricPoint>> ComputeAsync(
        AnalyticsStore store, long workspaceId, MetricDefinition metric, CatalogueQuery query, CancellationToken ct, bool catchUp = true)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(query);
        if (catchUp)
        {
            await store.SyncAsync(ct).ConfigureAwait(false);
        }

        var stats = await store.MetricStatsAsync(
            workspaceId, query.Filters.Period.Filter, query.Filters.Narrowing, Bases[metric.Name], query.Granularity, query.By, query.Attribute, ct).ConfigureAwait(false);
        var confidence = query.Filters.Period.Confidence;
        return [.. stats.Where(s => s.N > 0).Select(s => Point(metric, s, confidence))];
    }

    /// <summary>A cell's value by the metric's kind: a share with Wilson's interval, a mean with the t interval, or a plain count.</summary>
    public static MetricPoint Point(MetricDefinition metric, MetricStats s, double confidence)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(s);
        switch (metric.Kind)
        {
            case StatisticKind.Proportion:
                var share = ScoreStatistics.Proportion(s.Successes, s.N, confidence);
                return new MetricPoint(s.Bucket, s.Key, share.Value, share.Low, share.High, s.N, share.Small);
            case StatisticKind.Mean:
                var mean = ScoreStatistics.Mean(MeanAccumulator.FromSums(s.N, s.Sum, s.SumOfSquares), confidence);
                return new MetricPoint(s.Bucket, s.Key, mean.Value, double.IsNaN(mean.Low) ? null : mean.Low, double.IsNaN(mean.High) ? null : mean.High, s.N, mean.Small);
            default:
                return new MetricPoint(s.Bucket, s.Key, s.N, null, null, s.N, false);
        }
    }

    public static JsonObject ToJson(MetricDefinition metric, CatalogueQuery query, IReadOnlyList<MetricPoint> points)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(query);
        static JsonNode? Round(double? value) => value is { } v ? Math.Round(v, 4) : null;
        return new JsonObject
        {
            ["metric"] = metric.Name,
            ["unit"] = metric.Unit,
            ["from"] = query.Filters.Period.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["to"] = query.Filters.Period.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["granularity"] = query.GranularityName,
            ["by"] = query.ByName,
            ["confidence"] = query.Filters.Period.Confidence,
            ["points"] = new JsonArray([.. points.Select(p => (JsonNode)new JsonObject
            {
                ["bucket"] = p.Bucket?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["key"] = p.Key,
                ["value"] = Round(p.Value),
                ["low"] = Round(p.Low),
                ["high"] = Round(p.High),
                ["n"] = p.N,
                ["small"] = p.Small,
            })]),
        };
    }

    /// <summary>The catalogue as <c>GET /api/v1/metrics</c> lists it.</summary>
    public static JsonArray CatalogueJson() => new([.. MetricCatalogue.All.Select(m => (JsonNode)new JsonObject
    {
        ["name"] = m.Name,
        ["family"] = m.Family.ToString().ToLowerInvariant(),
        ["kind"] = m.Kind.ToString().ToLowerInvariant(),
        ["unit"] = m.Unit,
        ["higherIsBetter"] = m.HigherIsBetter,
        ["title"] = new JsonObject { ["en"] = m.Title.En, ["es"] = m.Title.Es },
        ["formula"] = new JsonObject { ["en"] = m.Formula.En, ["es"] = m.Formula.Es },
        ["sources"] = new JsonObject { ["en"] = m.Sources.En, ["es"] = m.Sources.Es },
        ["caveats"] = new JsonObject { ["en"] = m.Caveats.En, ["es"] = m.Caveats.Es },
        ["url"] = "/api/v1/metrics/" + m.Name,
    })]);
}
