using System.Globalization;
using Microsoft.EntityFrameworkCore;
using OpenCxo.App.Metrics;
using OpenCxo.App.Text;
using OpenCxo.Core.Feedback;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Metrics;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Kpis;

/// <summary>A KPI's target in a period: the number, and what it was derived from (how many answers or profiles).</summary>
public sealed record ResolvedTarget(double? Value, string Source);

/// <summary>
/// Reads a KPI's metric over a period through the one metric engine (the catalogue's sufficient statistics; NPS,
/// CSAT and CES through their score counts), and resolves its target.
/// </summary>
public static class KpiReadings
{
    /// <summary>The score metrics, read from survey answers rather than the catalogue's engine.</summary>
    public static readonly IReadOnlyDictionary<string, ScoreMetric> Scores = new Dictionary<string, ScoreMetric>(StringComparer.Ordinal)
    {
        ["nps"] = ScoreMetric.Nps,
        ["csat"] = ScoreMetric.Csat,
        ["ces"] = ScoreMetric.Ces,
    };

    /// <summary>How many days of survey answers a target derived from them reads, up to the period's end.</summary>
    public const int TargetAnswerDays = 365;

    /// <summary>
    /// The metric over [<paramref name="from"/>, <paramref name="to"/>] (UTC days, both included) in the KPI's slice and
    /// filters; null when the slice had nothing. Throws <see cref="ArgumentException"/> for a slice the metric lacks.
    /// </summary>
    public static async Task<KpiReading?> ReadAsync(
        AnalyticsStore store, long workspaceId, KpiDefinition kpi, DateOnly from, DateOnly to, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(kpi);
        var cells = await CellsAsync(store, workspaceId, kpi.Metric, kpi.By, kpi.EffectiveFilters, from, to, ct, kpi.Currency).ConfigureAwait(false);
        return cells.FirstOrDefault(c => c.Key == kpi.Slice).Reading;
    }

    /// <summary>
    /// The metric over [<paramref name="from"/>, <paramref name="to"/>] per key of <paramref name="by"/> (one cell with
    /// a null key when not split). Throws <see cref="ArgumentException"/> for a slice or filter the metric lacks.
    /// </summary>
    public static async Task<IReadOnlyList<(string? Key, KpiReading Reading)>> CellsAsync(
        AnalyticsStore store, long workspaceId, string metricName, string? by, KpiFilters f, DateOnly from, DateOnly to, CancellationToken ct, string? currency = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(f);
        var (fromText, toText) = (from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        if (Scores.TryGetValue(metricName, out var score))
        {
            var (period, problem) = MetricsQuery.Parse(fromText, toText, f.Survey ?? [], f.Department ?? [], f.Channel ?? [], f.Segment ?? [], by, null, null, to);
            if (period is null)
            {
                throw new ArgumentException($"{problem!.Field}: {problem.Message}");
            }

            var counts = await store.ScoresAsync(workspaceId, period.Filter, period.Surveys, period.By, period.Attribute, ct).ConfigureAwait(false);
            // Unsplit, the score counts carry the key "all"; a KPI without a slice reads the null key.
            return [.. counts
                .Select(c => (Key: by is null ? null : c.Key, Slice: Metrics.ScoreMetrics.Slice(score, c, ScoreStatistics.DefaultConfidence)))
                .Where(c => c.Slice is not null)
                .Select(c => (c.Key, new KpiReading(c.Slice!.Value, c.Slice.Low, c.Slice.High, c.Slice.N)))];
        }

        var (filters, wrong) = FeedbackQuery.Parse(fromText, toText, f.Survey ?? [], f.Department ?? [], f.Channel ?? [], f.Segment ?? [], f.Team ?? [], to);
        if (filters is null)
        {
            throw new ArgumentException($"{wrong!.Field}: {wrong.Message}");
        }

        var metric = MetricCatalogue.Find(metricName) ?? throw new ArgumentException($"metric: {metricName} is not in the catalogue");
        var (query, bad) = CatalogueQuery.Parse(filters, metric, "none", by, currency);
        if (query is null)
        {
            throw new ArgumentException($"{bad!.Field}: {bad.Message}");
        }

        var points = (await CatalogueMetrics.ComputeAsync(store, workspaceId, metric, query, ct, catchUp: false).ConfigureAwait(false)).Points;
        // A statistic without an interval (a mean of one value) could be anything: an infinite interval, not its point.
        var statistic = metric.Kind is StatisticKind.Mean or StatisticKind.Proportion or StatisticKind.Nps;
        return [.. points.Select(p => (p.Key, new KpiReading(
            p.Value, p.Low ?? (statistic ? double.NegativeInfinity : null), p.High ?? (statistic ? double.PositiveInfinity : null), p.N)))];
    }

    /// <summary>
    /// Whether a metric takes this slice, these filters and this currency, asked of the same parsers that read them:
    /// null when it does, else the problem, filters named <c>filters.NAME</c>.
    /// </summary>
    public static FieldError? CheckQuery(string metric, string? by, KpiFilters filters, string? currency)
    {
        ArgumentNullException.ThrowIfNull(filters);
        foreach (var (name, values) in new[] { ("department", filters.Department), ("channel", filters.Channel), ("segment", filters.Segment), ("survey", filters.Survey), ("team", filters.Team) })
        {
            if (values is not null && values.Any(v => v is null))
            {
                return new FieldError("filters." + name, "holds a null: give names");
            }
        }

        static FieldError? Named(FieldError? problem) => problem is null ? null
            : problem.Field is "department" or "channel" or "segment" or "survey" or "team" ? problem with { Field = "filters." + problem.Field } : problem;
        var day = DateOnly.MinValue.AddDays(100);
        if (Scores.ContainsKey(metric))
        {
            if (currency is not null)
            {
                return new FieldError("currency", $"{metric} is not money");
            }

            if (filters.Team is { Count: > 0 })
            {
                return new FieldError("filters.team", $"{metric} is filtered by survey, department, channel and segment; read one team with by: team");
            }

            var (query, problem) = MetricsQuery.Parse(null, null, filters.Survey ?? [], filters.Department ?? [], filters.Channel ?? [], filters.Segment ?? [], by, null, null, day);
            return query is null ? Named(problem) : null;
        }

        var (parsed, wrong) = FeedbackQuery.Parse(null, null, filters.Survey ?? [], filters.Department ?? [], filters.Channel ?? [], filters.Segment ?? [], filters.Team ?? [], day);
        if (parsed is null)
        {
            return Named(wrong);
        }

        var (_, bad) = CatalogueQuery.Parse(parsed, MetricCatalogue.Find(metric)!, "none", by, currency);
        return Named(bad);
    }

    /// <summary>
    /// The target for a period ending <paramref name="to"/>: the typed value, or the statistic of customers' numeric
    /// answers to the survey question over the year before, or of the numeric customer attribute over live profiles,
    /// times the scale. Null (with the reason in <c>Source</c>) when there is nothing to derive it from.
    /// </summary>
    public static async Task<ResolvedTarget> TargetAsync(
        CxoDb db, AnalyticsStore store, long workspaceId, KpiTarget target, DateOnly to, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(target);
        if (target.Value is { } typed)
        {
            return new ResolvedTarget(typed, "typed");
        }

        var statistic = TargetStatistic.Parse(target.Statistic) ?? TargetStatistic.Median;
        var scale = target.Scale ?? 1;
        if (target.Attribute is { } attribute)
        {
            var (value, n) = await store.TraitStatisticAsync(workspaceId, attribute, statistic.Percentile, ct).ConfigureAwait(false);
            return new ResolvedTarget(value * scale, $"{statistic.Name} of customer attribute {attribute} over {n} profiles");
        }

        var survey = await db.Surveys.AsNoTracking().Where(s => s.WorkspaceId == workspaceId && s.Key == target.Survey).Select(s => (long?)s.Id)
            .FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (survey is null)
        {
            return new ResolvedTarget(null, $"survey {target.Survey} does not exist");
        }

        var end = to.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var start = end.AddDays(-TargetAnswerDays);
        var answers = await db.SurveyResponses.AsNoTracking()
            .Where(r => r.WorkspaceId == workspaceId && r.SurveyId == survey && r.Final && r.AnsweredAt >= start && r.AnsweredAt < end)
            .Select(r => r.AnswersJson)
            .ToListAsync(ct).ConfigureAwait(false);
        var numbers = new List<double>();
        foreach (var json in answers)
        {
            var parsed = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, Answer>>(json, Feedback.Surveys.Json);
            if (parsed is null || !parsed.TryGetValue(target.Question!, out var answer))
            {
                continue;
            }

            if (answer.Score is { } s)
            {
                numbers.Add(s);
            }
            else if (answer.Choice is { } choice && Number(target, choice) is { } x)
            {
                numbers.Add(x);
            }
        }

        var derived = statistic.Of(numbers);
        return new ResolvedTarget(derived * scale,
            $"{statistic.Name} of {numbers.Count} answers to {target.Survey}/{target.Question} in the {TargetAnswerDays} days to {to:yyyy-MM-dd}");
    }

    /// <summary>A choice's number: its entry in the target's map, or the choice key itself when it is a number.</summary>
    private static double? Number(KpiTarget target, string choice) =>
        target.Choices?.TryGetValue(choice, out var mapped) == true ? mapped
        : double.TryParse(choice, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && double.IsFinite(x) ? x
        : null;
}
