using System.Globalization;
using Microsoft.EntityFrameworkCore;
using OpenCxo.Core.Feedback;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Metrics;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Metrics;

public enum ScoreMetric
{
    Nps,
    Csat,
    Ces,
}

/// <summary>
/// Which responses a score covers and how it is split: UTC days (both included; default the last 90), surveys,
/// departments, channels, segments, a slice (with the customer attribute's name when split by one), a comparison with
/// the period just before, and the confidence level.
/// </summary>
public sealed record MetricsQuery(
    DateOnly From, DateOnly To, IReadOnlyList<string> Surveys, IReadOnlyList<string> Departments, IReadOnlyList<string> Channels,
    IReadOnlyList<string> Segments, ScoreSlice By, bool ComparePrevious, double Confidence, string? Attribute = null)
{
    public const int DefaultDays = 90;

    /// <summary>How a split by customer attribute is written: <c>customer.attr.NAME</c>, as in the event CSV's columns.</summary>
    public const string AttributePrefix = "customer.attr.";

    public static readonly IReadOnlyDictionary<string, ScoreSlice> Slices = new Dictionary<string, ScoreSlice>(StringComparer.Ordinal)
    {
        ["all"] = ScoreSlice.All,
        ["survey"] = ScoreSlice.Survey,
        ["day"] = ScoreSlice.Day,
        ["week"] = ScoreSlice.Week,
        ["month"] = ScoreSlice.Month,
        ["department"] = ScoreSlice.Department,
        ["channel"] = ScoreSlice.Channel,
        ["team"] = ScoreSlice.Team,
        ["agent"] = ScoreSlice.Agent,
        ["campaign"] = ScoreSlice.Campaign,
        ["salesRep"] = ScoreSlice.SalesRep,
        ["segment"] = ScoreSlice.Segment,
    };

    /// <summary>Reads the query strictly: a value that cannot be used is named, never dropped or guessed.</summary>
    public static (MetricsQuery? Query, FieldError? Problem) Parse(
        string? from, string? to, IReadOnlyList<string> surveys, IReadOnlyList<string> departments, IReadOnlyList<string> channels,
        IReadOnlyList<string> segments, string? by, string? compare, string? confidence, DateOnly today)
    {
        DateOnly? Date(string? text) => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
        if (from is not null && Date(from) is null)
        {
            return (null, new FieldError("from", "must be a date, yyyy-MM-dd"));
        }

        if (to is not null && Date(to) is null)
        {
            return (null, new FieldError("to", "must be a date, yyyy-MM-dd"));
        }

        var end = Date(to) ?? today;
        var start = Date(from) ?? end.AddDays(-(DefaultDays - 1));
        if (start > end)
        {
            return (null, new FieldError("from", "is after to"));
        }

        if (surveys.FirstOrDefault(s => !SurveyRules.SurveyKeyPattern().IsMatch(s)) is { } badSurvey)
        {
            return (null, new FieldError("survey", $"'{Clip(badSurvey)}' is not a survey key"));
        }

        if (departments.FirstOrDefault(d => !Vocabulary.Departments.Contains(d)) is { } badDepartment)
        {
            return (null, new FieldError("department", $"unknown department '{Clip(badDepartment)}' (known: {string.Join(", ", Vocabulary.Departments)})"));
        }

        if (channels.FirstOrDefault(c => !Vocabulary.Channels.Contains(c)) is { } badChannel)
        {
            return (null, new FieldError("channel", $"unknown channel '{Clip(badChannel)}' (known: {string.Join(", ", Vocabulary.Channels)})"));
        }

        if (segments.Any(s => s.Length is 0 or > 100))
        {
            return (null, new FieldError("segment", "is 1–100 characters"));
        }

        var slice = ScoreSlice.All;
        string? attribute = null;
        if (by is not null && by.StartsWith(AttributePrefix, StringComparison.Ordinal))
        {
            attribute = by[AttributePrefix.Length..];
            if (attribute.Length is 0 or > 100 || attribute.Any(char.IsControl))
            {
                return (null, new FieldError("by", $"{AttributePrefix}NAME needs an attribute name of 1–100 characters"));
            }

            slice = ScoreSlice.Attribute;
        }
        else if (by is not null && !Slices.TryGetValue(by, out slice))
        {
            return (null, new FieldError("by", $"must be one of {string.Join(", ", Slices.Keys)} or {AttributePrefix}NAME (a customer attribute)"));
        }

        if (compare is not (null or "previous"))
        {
            return (null, new FieldError("compare", "must be previous (the period of the same length just before)"));
        }

        var level = ScoreStatistics.DefaultConfidence;
        if (confidence is not null && (!double.TryParse(confidence, NumberStyles.Float, CultureInfo.InvariantCulture, out level) || level is <= 0.5 or >= 1))
        {
            return (null, new FieldError("confidence", "must be a level between 0.5 and 1, e.g. 0.95"));
        }

        return (new MetricsQuery(start, end, [.. surveys.Distinct()], [.. departments.Distinct()], [.. channels.Distinct()], [.. segments.Distinct()], slice, compare is not null, level, attribute), null);
    }

    public DashboardFilter Filter => Period(From, To);

    /// <summary>The period of the same length just before this one.</summary>
    public DashboardFilter PreviousFilter
    {
        get
        {
            var days = To.DayNumber - From.DayNumber + 1;
            return Period(From.AddDays(-days), From.AddDays(-1));
        }
    }

    public string SliceName => By == ScoreSlice.Attribute ? AttributePrefix + Attribute : Slices.First(s => s.Value == By).Key;

    private DashboardFilter Period(DateOnly from, DateOnly to) => new(
        from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), to.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), Departments, Channels, Segments);

    private static string Clip(string text) => text.Length > 40 ? text[..40] + "…" : text;
}

/// <summary>One slice's score with its interval; <see cref="Change"/> when compared with the period before.</summary>
/// <param name="Value">NPS (−100 … 100), CSAT as % satisfied (4–5), or mean CES (1–7).</param>
/// <param name="Small">Fewer than 30 responses: show the number, not a trend.</param>
public sealed record ScoreSliceResult(
    string? Key,
    double Value,
    double Low,
    double High,
    long N,
    bool Small,
    long? Promoters = null,
    long? Passives = null,
    long? Detractors = null,
    double? Mean = null,
    double? MeanLow = null,
    double? MeanHigh = null,
    ScoreChange? Change = null);

/// <summary>This period against the one before: the difference (this minus before), its interval, and whether it is more than chance.</summary>
public sealed record ScoreChange(double Previous, long PreviousN, double Difference, double Low, double High, double PValue, bool Significant, bool Small);

/// <summary>Invitations sent in the period and how many were answered, with the Wilson interval of the rate (%).</summary>
public sealed record ResponseRate(long Invited, long Answered, double Rate, double Low, double High);

public sealed record ScoreReport(
    string Metric, DateOnly From, DateOnly To, string By, double Confidence, IReadOnlyList<ScoreSliceResult> Slices, ResponseRate? ResponseRate,
    DateOnly? ComparedFrom, DateOnly? ComparedTo);

/// <summary>
/// NPS, CSAT and CES from survey responses, per slice, each with its confidence interval (NPS: Wald interval with
/// Var = (p + d − (p − d)²)/n; CSAT: Wilson interval on the share of 4–5 answers, and a t interval on the mean; CES:
/// t interval on the mean) and, on request, the change from the period before with its p-value. Read from the
/// analytics store; the arithmetic is <see cref="ScoreStatistics"/>.
/// </summary>
public static class ScoreMetrics
{
    /// <param name="catchUp">Sync the analytics store first; false where the caller has just done so (a page asking several reports).</param>
    public static async Task<ScoreReport> ReportAsync(
        AnalyticsStore store, CxoDbFactory databases, long workspaceId, ScoreMetric metric, MetricsQuery query, CancellationToken ct, bool catchUp = true)
    {
        if (catchUp)
        {
            await store.SyncAsync(ct).ConfigureAwait(false);
        }

        var now = await store.ScoresAsync(workspaceId, query.Filter, query.Surveys, query.By, query.Attribute, ct).ConfigureAwait(false);
        var before = query.ComparePrevious
            ? (await store.ScoresAsync(workspaceId, query.PreviousFilter, query.Surveys, query.By, query.Attribute, ct).ConfigureAwait(false)).ToDictionary(s => s.Key ?? "\0", StringComparer.Ordinal)
            : null;
        var slices = new List<ScoreSliceResult>();
        foreach (var counts in now)
        {
            if (Slice(metric, counts, query.Confidence) is not { } slice)
            {
                continue;
            }

            if (before is not null && before.TryGetValue(counts.Key ?? "\0", out var earlier))
            {
                slice = slice with { Change = Change(metric, counts, earlier, query.Confidence) };
            }

            slices.Add(slice);
        }

        var rate = query.By is ScoreSlice.All or ScoreSlice.Survey && query.Departments.Count == 0 && query.Channels.Count == 0 && query.Segments.Count == 0
            ? await ResponseRateAsync(databases, workspaceId, query, ct).ConfigureAwait(false)
            : null;
        var previous = query.PreviousFilter;
        return new ScoreReport(
            metric.ToString().ToLowerInvariant(), query.From, query.To, query.SliceName, query.Confidence, slices, rate,
            query.ComparePrevious ? DateOnly.FromDateTime(previous.From) : null,
            query.ComparePrevious ? DateOnly.FromDateTime(previous.To).AddDays(-1) : null);
    }

    /// <summary>The slice's score, or null when it has no answer of this kind.</summary>
    public static ScoreSliceResult? Slice(ScoreMetric metric, ScoreCounts counts, double confidence)
    {
        switch (metric)
        {
            case ScoreMetric.Nps:
                var nps = ScoreStatistics.Nps(counts.Promoters, counts.Passives, counts.Detractors, confidence);
                return nps.N == 0 ? null : new ScoreSliceResult(
                    counts.Key, nps.Score.Value, nps.Score.Low, nps.Score.High, nps.N, nps.Score.Small, nps.Promoters, nps.Passives, nps.Detractors);
            case ScoreMetric.Csat:
                if (counts.CsatN == 0)
                {
                    return null;
                }

                var satisfied = ScoreStatistics.Proportion(counts.CsatSatisfied, counts.CsatN, confidence);
                var mean = ScoreStatistics.Mean(MeanAccumulator.FromSums(counts.CsatN, counts.CsatSum, counts.CsatSumOfSquares), confidence);
                return new ScoreSliceResult(
                    counts.Key, satisfied.Value, satisfied.Low, satisfied.High, counts.CsatN, satisfied.Small,
                    Mean: mean.Value, MeanLow: Clamp(mean.Low, 1, 5), MeanHigh: Clamp(mean.High, 1, 5));
            default:
                if (counts.CesN == 0)
                {
                    return null;
                }

                var effort = ScoreStatistics.Mean(MeanAccumulator.FromSums(counts.CesN, counts.CesSum, counts.CesSumOfSquares), confidence);
                return new ScoreSliceResult(counts.Key, effort.Value, Clamp(effort.Low, 1, 7), Clamp(effort.High, 1, 7), counts.CesN, effort.Small);
        }
    }

    private static ScoreChange? Change(ScoreMetric metric, ScoreCounts now, ScoreCounts before, double confidence)
    {
        Comparison comparison;
        double previous;
        long previousN;
        switch (metric)
        {
            case ScoreMetric.Nps:
                var earlier = ScoreStatistics.Nps(before.Promoters, before.Passives, before.Detractors, confidence);
                if (earlier.N == 0)
                {
                    return null;
                }

                comparison = ScoreStatistics.CompareNps(ScoreStatistics.Nps(now.Promoters, now.Passives, now.Detractors, confidence), earlier, confidence);
                (previous, previousN) = (earlier.Score.Value, earlier.N);
                break;
            case ScoreMetric.Csat:
                if (before.CsatN == 0)
                {
                    return null;
                }

                comparison = ScoreStatistics.CompareProportions(now.CsatSatisfied, now.CsatN, before.CsatSatisfied, before.CsatN, confidence);
                (previous, previousN) = (100.0 * before.CsatSatisfied / before.CsatN, before.CsatN);
                break;
            default:
                if (before.CesN < 2 || now.CesN < 2)
                {
                    return null;
                }

                var beforeSample = MeanAccumulator.FromSums(before.CesN, before.CesSum, before.CesSumOfSquares);
                comparison = ScoreStatistics.CompareMeans(MeanAccumulator.FromSums(now.CesN, now.CesSum, now.CesSumOfSquares), beforeSample, confidence);
                (previous, previousN) = (beforeSample.Mean, before.CesN);
                break;
        }

        return double.IsNaN(comparison.PValue)
            ? null
            : new ScoreChange(previous, previousN, comparison.Difference, comparison.Low, comparison.High, comparison.PValue, comparison.Significant, comparison.Small);
    }

    private static async Task<ResponseRate?> ResponseRateAsync(CxoDbFactory databases, long workspaceId, MetricsQuery query, CancellationToken ct)
    {
        var filter = query.Filter;
        await using var db = databases.CreateDbContext();
        var invitations = db.SurveyInvitations.AsNoTracking()
            .Where(i => i.WorkspaceId == workspaceId && i.SentAt >= filter.From && i.SentAt < filter.To);
        if (query.Surveys.Count > 0)
        {
            var ids = await db.Surveys.Where(s => s.WorkspaceId == workspaceId && query.Surveys.Contains(s.Key)).Select(s => s.Id).ToListAsync(ct).ConfigureAwait(false);
            invitations = invitations.Where(i => ids.Contains(i.SurveyId));
        }

        var invited = await invitations.LongCountAsync(ct).ConfigureAwait(false);
        if (invited == 0)
        {
            return null;
        }

        var answered = await invitations.LongCountAsync(i => i.RespondedAt != null, ct).ConfigureAwait(false);
        var rate = ScoreStatistics.Proportion(answered, invited, query.Confidence);
        return new ResponseRate(invited, answered, rate.Value, rate.Low, rate.High);
    }

    /// <summary>A mean's interval stays within its scale; one answer alone (an infinite interval) says only that.</summary>
    private static double Clamp(double value, double low, double high) => Math.Clamp(double.IsNaN(value) ? low : value, low, high);

    /// <summary>
    /// The report as the API and <c>cxo metrics</c> print it: each slice's score under the metric's own name
    /// (<c>nps</c>, <c>csat</c> as % satisfied with its <c>mean</c>, <c>ces</c>), with <c>low</c>, <c>high</c> and <c>n</c>.
    /// </summary>
    public static System.Text.Json.Nodes.JsonObject ToJson(ScoreReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        static double Round(double value) => Math.Round(value, 4);
        var slices = new System.Text.Json.Nodes.JsonArray();
        foreach (var slice in report.Slices)
        {
            var line = new System.Text.Json.Nodes.JsonObject
            {
                ["key"] = slice.Key,
                [report.Metric] = Round(slice.Value),
                ["low"] = Round(slice.Low),
                ["high"] = Round(slice.High),
                ["n"] = slice.N,
            };
            if (slice.Promoters is { } promoters)
            {
                line["promoters"] = promoters;
                line["passives"] = slice.Passives;
                line["detractors"] = slice.Detractors;
            }

            if (slice.Mean is { } mean)
            {
                line["mean"] = Round(mean);
                line["meanLow"] = Round(slice.MeanLow!.Value);
                line["meanHigh"] = Round(slice.MeanHigh!.Value);
            }

            line["small"] = slice.Small;
            if (slice.Change is { } change)
            {
                line["change"] = new System.Text.Json.Nodes.JsonObject
                {
                    ["previous"] = Round(change.Previous),
                    ["previousN"] = change.PreviousN,
                    ["difference"] = Round(change.Difference),
                    ["low"] = Round(change.Low),
                    ["high"] = Round(change.High),
                    ["pValue"] = Math.Round(change.PValue, 6),
                    ["significant"] = change.Significant,
                    ["small"] = change.Small,
                };
            }

            slices.Add(line);
        }

        var json = new System.Text.Json.Nodes.JsonObject
        {
            ["metric"] = report.Metric,
            ["from"] = report.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["to"] = report.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["by"] = report.By,
            ["confidence"] = report.Confidence,
            ["slices"] = slices,
        };
        if (report.ComparedFrom is { } comparedFrom)
        {
            json["comparedWith"] = new System.Text.Json.Nodes.JsonObject
            {
                ["from"] = comparedFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["to"] = report.ComparedTo!.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            };
        }

        if (report.ResponseRate is { } rate)
        {
            json["responseRate"] = new System.Text.Json.Nodes.JsonObject
            {
                ["invited"] = rate.Invited,
                ["answered"] = rate.Answered,
                ["rate"] = Round(rate.Rate),
                ["low"] = Round(rate.Low),
                ["high"] = Round(rate.High),
            };
        }

        return json;
    }
}
