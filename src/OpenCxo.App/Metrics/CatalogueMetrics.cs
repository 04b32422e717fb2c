using System.Globalization;
using System.Text.Json.Nodes;
using OpenCxo.App.Text;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Metrics;
using OpenCxo.Data.Analytics;

namespace OpenCxo.App.Metrics;

/// <summary>
/// How a catalogue metric is asked for: the feedback filters (period, surveys, departments, channels, segments,
/// teams), a granularity, one slice (or a customer attribute), and for money metrics the currency (null: the main one).
/// </summary>
public sealed record CatalogueQuery(FeedbackQuery Filters, MetricGranularity Granularity, MetricSlice By, string? Attribute, string? Currency = null)
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
        FeedbackQuery filters, MetricDefinition metric, string? granularity, string? by, string? currency = null)
    {
        ArgumentNullException.ThrowIfNull(metric);
        var grain = MetricGranularity.None;
        if (granularity is not null && !Granularities.TryGetValue(granularity, out grain))
        {
            return (null, new FieldError("granularity", $"must be one of {string.Join(", ", Granularities.Keys)}"));
        }

        if (metric.Name == CatalogueMetrics.CohortRetention)
        {
            if (granularity is not (null or "month"))
            {
                return (null, new FieldError("granularity", "cohort_retention is always by month (the month of acquisition)"));
            }

            grain = MetricGranularity.Month;
        }

        if (currency is not null && !CatalogueMetrics.Priced.Contains(metric.Name))
        {
            return (null, new FieldError("currency", $"{metric.Name} is not money: only {string.Join(", ", CatalogueMetrics.Priced)} take a currency"));
        }

        if (currency is not null && (currency.Length != 3 || !currency.All(char.IsAsciiLetterUpper)))
        {
            return (null, new FieldError("currency", "must be an ISO 4217 code: three capital letters, e.g. EUR"));
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

        if (CatalogueMetrics.Slices.TryGetValue(metric.Name, out var allowed) && !allowed.Contains(slice))
        {
            var names = Slices.Where(s => allowed.Contains(s.Value)).Select(s => s.Key).ToList();
            if (allowed.Contains(MetricSlice.Attribute))
            {
                names.Add(MetricsQuery.AttributePrefix + "NAME");
            }

            return (null, new FieldError("by", metric.Name == CatalogueMetrics.CohortRetention
                ? "cohort_retention is split by months since acquisition, and by nothing else"
                : $"{metric.Name} cannot be split by {by}: it splits by {string.Join(", ", names)}"));
        }

        return (new CatalogueQuery(filters, grain, slice, attribute, currency), null);
    }

    public string ByName => By == MetricSlice.Attribute ? MetricsQuery.AttributePrefix + Attribute : Slices.First(s => s.Value == By).Key;

    public string GranularityName => Granularities.First(g => g.Value == Granularity).Key;
}

/// <summary>One cell: its bucket (first day) and slice key, the value with its interval where the metric is a statistic, and N.</summary>
/// <param name="Amount">Money metrics: the value exactly.</param>
public sealed record MetricPoint(DateOnly? Bucket, string? Key, double Value, double? Low, double? High, long N, bool Small, decimal? Amount = null);

/// <summary>A metric's cells, and the currency its money is in (money metrics only).</summary>
public sealed record CatalogueAnswer(IReadOnlyList<MetricPoint> Points, string? Currency);

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
        ["retention_rate"] = MetricBase.Retention,
        ["churn_rate"] = MetricBase.Churn,
        [CohortRetention] = MetricBase.CohortRetention,
        ["tenure"] = MetricBase.Tenure,
        ["lifetime_value_to_date"] = MetricBase.LifetimeValue,
        ["referral_volume"] = MetricBase.Referrals,
        ["campaign_reach"] = MetricBase.CampaignReach,
        ["lead_conversion"] = MetricBase.LeadConversion,
        ["time_to_convert"] = MetricBase.TimeToConvert,
        ["cost_per_acquisition"] = MetricBase.CostPerAcquisition,
        ["repeat_contact_7d"] = MetricBase.RepeatContact,
        ["time_to_resolve"] = MetricBase.TimeToResolve,
        ["sla_attainment"] = MetricBase.SlaAttainment,
        ["revenue"] = MetricBase.Revenue,
        ["revenue_at_risk"] = MetricBase.RevenueAtRisk,
    };

    public const string CohortRetention = "cohort_retention";

    /// <summary>The metrics that sum money, and so take one currency.</summary>
    public static readonly IReadOnlySet<string> Priced = new SortedSet<string>(StringComparer.Ordinal)
    {
        "cost_per_acquisition", "lifetime_value_to_date", "revenue", "revenue_at_risk",
    };

    /// <summary>
    /// The slices a metric can be split by, where not every one makes sense (the others take every slice but theme):
    /// customer-level metrics split by what describes the customer or the touchpoint their definition reads.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlySet<MetricSlice>> Slices = new Dictionary<string, IReadOnlySet<MetricSlice>>(StringComparer.Ordinal)
    {
        ["retention_rate"] = Allow(MetricSlice.Department, MetricSlice.Channel, MetricSlice.Type),
        ["churn_rate"] = Allow(),
        [CohortRetention] = new HashSet<MetricSlice> { MetricSlice.None },
        ["referral_volume"] = Allow(MetricSlice.Department, MetricSlice.Channel),
        ["campaign_reach"] = Allow(MetricSlice.Department, MetricSlice.Channel, MetricSlice.Type, MetricSlice.Campaign),
        ["lead_conversion"] = Allow(MetricSlice.Department, MetricSlice.Channel, MetricSlice.Campaign),
        ["time_to_convert"] = Allow(MetricSlice.Department, MetricSlice.Channel, MetricSlice.Campaign),
        ["cost_per_acquisition"] = Allow(MetricSlice.Channel, MetricSlice.Campaign),
        ["repeat_contact_7d"] = Allow(MetricSlice.Channel, MetricSlice.Type, MetricSlice.Team, MetricSlice.Agent),
        ["time_to_resolve"] = Allow(MetricSlice.Channel),
        ["sla_attainment"] = Allow(MetricSlice.Channel),
        ["revenue"] = Allow(MetricSlice.Department, MetricSlice.Channel, MetricSlice.Type),
        ["revenue_at_risk"] = Allow(),
    };

    private static HashSet<MetricSlice> Allow(params MetricSlice[] touchpoint) => [MetricSlice.None, MetricSlice.Segment, MetricSlice.Attribute, .. touchpoint];

    public static async Task<CatalogueAnswer> ComputeAsync(
        AnalyticsStore store, long workspaceId, MetricDefinition metric, CatalogueQuery query, CancellationToken ct, bool catchUp = true)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(query);
        if (catchUp)
        {
            await store.SyncAsync(ct).ConfigureAwait(false);
        }

        var filter = query.Filters.Period.Filter;
        var currency = query.Currency;
        if (Priced.Contains(metric.Name))
        {
            currency ??= await store.MainCurrencyAsync(workspaceId, ct).ConfigureAwait(false);
            if (currency is null)
            {
                return new CatalogueAnswer([], null);
            }
        }
        else
        {
            currency = null;
        }

        var stats = await store.MetricStatsAsync(
            workspaceId, filter, query.Filters.Narrowing, Bases[metric.Name], query.Granularity, query.By, query.Attribute, currency, ct).ConfigureAwait(false);
        var confidence = query.Filters.Period.Confidence;
        return new CatalogueAnswer([.. stats.Where(s => s.N > 0).Select(s => Point(metric, s, confidence))], currency);
    }

    /// <summary>
    /// A cell's value by the metric's kind: a share with Wilson's interval, a mean with the t interval, a plain count,
    /// or money exactly (a sum, or a sum over the count).
    /// </summary>
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
                // One value has no interval (the estimate's is infinite, which JSON cannot say).
                return new MetricPoint(
                    s.Bucket, s.Key, mean.Value, double.IsFinite(mean.Low) ? mean.Low : null, double.IsFinite(mean.High) ? mean.High : null, s.N, mean.Small);
            case StatisticKind.Money:
                return new MetricPoint(s.Bucket, s.Key, (double)s.Amount, null, null, s.N, false, s.Amount);
            case StatisticKind.MoneyPerCount:
                var each = Math.Round(s.Amount / s.N, 4, MidpointRounding.ToEven);
                return new MetricPoint(s.Bucket, s.Key, (double)each, null, null, s.N, false, each);
            default:
                return new MetricPoint(s.Bucket, s.Key, s.N, null, null, s.N, false);
        }
    }

    public static JsonObject ToJson(MetricDefinition metric, CatalogueQuery query, CatalogueAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(answer);
        static JsonNode? Round(double? value) => value is { } v ? Math.Round(v, 4) : null;
        var json = new JsonObject
        {
            ["metric"] = metric.Name,
            ["unit"] = metric.Unit,
            ["from"] = query.Filters.Period.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["to"] = query.Filters.Period.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["granularity"] = query.GranularityName,
            ["by"] = query.ByName,
            ["confidence"] = query.Filters.Period.Confidence,
            ["points"] = new JsonArray([.. answer.Points.Select(p => (JsonNode)new JsonObject
            {
                ["bucket"] = p.Bucket?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["key"] = p.Key,
                ["value"] = p.Amount is { } amount ? JsonValue.Create(amount) : Round(p.Value),
                ["low"] = Round(p.Low),
                ["high"] = Round(p.High),
                ["n"] = p.N,
                ["small"] = p.Small,
            })]),
        };
        if (Priced.Contains(metric.Name))
        {
            json.Insert(2, "currency", answer.Currency);
        }

        return json;
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
