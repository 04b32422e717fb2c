using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using OpenCxo.App.Metrics;
using OpenCxo.Core.Feedback;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Metrics;
using OpenCxo.Core.Text;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Text;

/// <summary>Which texts the feedback views read: the metrics filters (period, surveys, departments, channels, segments) and teams.</summary>
public sealed record FeedbackQuery(MetricsQuery Period, IReadOnlyList<string> Teams)
{
    public static (FeedbackQuery? Query, FieldError? Problem) Parse(
        string? from, string? to, IReadOnlyList<string> surveys, IReadOnlyList<string> departments, IReadOnlyList<string> channels,
        IReadOnlyList<string> segments, IReadOnlyList<string> teams, DateOnly today, string? confidence = null)
    {
        var (period, problem) = MetricsQuery.Parse(from, to, surveys, departments, channels, segments, null, null, confidence, today);
        if (period is null)
        {
            return (null, problem);
        }

        if (teams.Any(t => t.Length is 0 or > 100))
        {
            return (null, new FieldError("team", "is 1–100 characters"));
        }

        return (new FeedbackQuery(period, [.. teams.Distinct()]), null);
    }

    public FeedbackFilter Narrowing => new(Period.Surveys, Teams);
}

/// <param name="Share">% of the period's analysed texts that mention the theme, with its Wilson interval.</param>
/// <param name="Sentiment">Mean sentiment (−1 … 1) of what the texts say of the theme.</param>
/// <param name="Change">Against the period before: the change in share (percentage points), its p-value, and whether it is rising.</param>
public sealed record ThemeResult(
    string Key, LocalizedText Name, long Texts, Estimate Share, double Sentiment, double NegativeShare, double PositiveShare, ThemeChange? Change);

/// <param name="Rising">The share grew, the difference is significant, and neither period is a small sample.</param>
public sealed record ThemeChange(long PreviousTexts, double PreviousShare, double Difference, double PValue, bool Rising, bool Small);

public sealed record ThemesReport(DateOnly From, DateOnly To, long Texts, double Sentiment, double NegativeShare, IReadOnlyList<ThemeResult> Themes, DateOnly ComparedFrom, DateOnly ComparedTo);

/// <summary>
/// Themes by volume and sentiment over a period, and which are rising: the share of texts mentioning a theme against
/// the period of the same length before, compared with the two-proportion z-test (<see cref="ScoreStatistics.CompareProportions"/>).
/// </summary>
public static class FeedbackThemes
{
    /// <summary>Fewer mentions than this now: the theme is shown but never called rising (the normal approximation needs counts).</summary>
    public const int MinimumMentions = 10;

    public static async Task<ThemesReport> ReportAsync(
        AnalyticsStore store, TextAnalyses analyses, CxoDbFactory databases, long workspaceId, FeedbackQuery query, CancellationToken ct, bool catchUp = true)
    {
        if (catchUp)
        {
            await store.SyncAsync(ct).ConfigureAwait(false);
        }

        var (totals, themes) = await store.FeedbackThemesAsync(workspaceId, query.Period.Filter, query.Narrowing, ct).ConfigureAwait(false);
        var (previousTotals, previousThemes) = await store.FeedbackThemesAsync(workspaceId, query.Period.PreviousFilter, query.Narrowing, ct).ConfigureAwait(false);
        var before = previousThemes.ToDictionary(t => t.Theme, StringComparer.Ordinal);
        TextTaxonomy taxonomy;
        await using (var db = databases.CreateDbContext())
        {
            taxonomy = (await analyses.AnalyzerAsync(db, workspaceId, ct).ConfigureAwait(false)).Analyzer.Taxonomy;
        }

        var names = taxonomy.Themes.ToDictionary(t => t.Key, t => t.Name, StringComparer.Ordinal);
        var results = new List<ThemeResult>();
        foreach (var theme in themes.OrderByDescending(t => t.Texts).ThenBy(t => t.Theme, StringComparer.Ordinal))
        {
            var earlier = before.GetValueOrDefault(theme.Theme);
            var comparison = ScoreStatistics.CompareProportions(theme.Texts, totals.Texts, earlier?.Texts ?? 0, previousTotals.Texts, query.Period.Confidence);
            var small = comparison.Small || theme.Texts < MinimumMentions;
            var change = previousTotals.Texts == 0
                ? null
                : new ThemeChange(
                    earlier?.Texts ?? 0, 100.0 * (earlier?.Texts ?? 0) / previousTotals.Texts, comparison.Difference, comparison.PValue,
                    comparison.Significant && !small && comparison.Difference > 0, small);
            results.Add(new ThemeResult(
                theme.Theme,
                names.GetValueOrDefault(theme.Theme) ?? new LocalizedText(theme.Theme, theme.Theme),
                theme.Texts,
                ScoreStatistics.Proportion(theme.Texts, totals.Texts, query.Period.Confidence),
                theme.Sentiment,
                100.0 * theme.Negative / theme.Texts,
                100.0 * theme.Positive / theme.Texts,
                change));
        }

        var previous = query.Period.PreviousFilter;
        return new ThemesReport(
            query.Period.From, query.Period.To, totals.Texts, totals.Sentiment, totals.Texts == 0 ? 0 : 100.0 * totals.Negative / totals.Texts, results,
            DateOnly.FromDateTime(previous.From), DateOnly.FromDateTime(previous.To).AddDays(-1));
    }

    /// <summary>The report as the API and <c>cxo text themes --json</c> print it.</summary>
    public static JsonObject ToJson(ThemesReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        static double Round(double value) => Math.Round(value, 4);
        return new JsonObject
        {
            ["from"] = Day(report.From),
            ["to"] = Day(report.To),
            ["texts"] = report.Texts,
            ["sentiment"] = Round(report.Sentiment),
            ["negativeShare"] = Round(report.NegativeShare),
            ["comparedWith"] = new JsonObject { ["from"] = Day(report.ComparedFrom), ["to"] = Day(report.ComparedTo) },
            ["themes"] = new JsonArray([.. report.Themes.Select(t => (JsonNode)new JsonObject
            {
                ["key"] = t.Key,
                ["name"] = new JsonObject { ["en"] = t.Name.En, ["es"] = t.Name.Es },
                ["texts"] = t.Texts,
                ["share"] = Round(t.Share.Value),
                ["shareLow"] = Round(t.Share.Low),
                ["shareHigh"] = Round(t.Share.High),
                ["sentiment"] = Round(t.Sentiment),
                ["negativeShare"] = Round(t.NegativeShare),
                ["positiveShare"] = Round(t.PositiveShare),
                ["change"] = t.Change is { } c
                    ? new JsonObject
                    {
                        ["previousTexts"] = c.PreviousTexts,
                        ["previousShare"] = Round(c.PreviousShare),
                        ["difference"] = Round(c.Difference),
                        ["pValue"] = Math.Round(c.PValue, 6),
                        ["rising"] = c.Rising,
                        ["small"] = c.Small,
                    }
                    : null,
            })]),
        };
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>One verbatim: the redacted text of a touchpoint with what to highlight, and where it came from.</summary>
public sealed record Verbatim(
    long Seq, string EventId, DateTime OccurredAt, string Department, string Channel, string Type, long CustomerId, string Language, double Sentiment,
    string Text, IReadOnlyList<StoredHit> Themes, IReadOnlyList<StoredHit> Flags);

public static class FeedbackVerbatims
{
    public const int MaxLimit = 200;

    /// <summary>The newest verbatims of the filter (mentioning <paramref name="theme"/> when given), redacted, in time order, newest first.</summary>
    public static async Task<IReadOnlyList<Verbatim>> ListAsync(
        AnalyticsStore store, CxoDbFactory databases, long workspaceId, FeedbackQuery query, string? theme, int? sentimentSign, (DateTime At, long Seq)? before,
        int limit, CancellationToken ct)
    {
        await store.SyncAsync(ct).ConfigureAwait(false);
        var seqs = await store.FeedbackVerbatimsAsync(workspaceId, query.Period.Filter, query.Narrowing, theme, sentimentSign, before, Math.Clamp(limit, 1, MaxLimit), ct).ConfigureAwait(false);
        return await ReadAsync(databases, workspaceId, seqs, ct).ConfigureAwait(false);
    }

    /// <summary>The analysed texts of the touchpoints <paramref name="seqs"/> of the workspace, redacted, in the order given.</summary>
    public static async Task<IReadOnlyList<Verbatim>> ReadAsync(CxoDbFactory databases, long workspaceId, IReadOnlyList<long> seqs, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(databases);
        ArgumentNullException.ThrowIfNull(seqs);
        if (seqs.Count == 0)
        {
            return [];
        }

        await using var db = databases.CreateDbContext();
        // By primary key and unique index alone: a workspace predicate beside them sends SQLite down the wrong index.
        var analyses = await db.TextAnalyses.AsNoTracking().Where(a => seqs.Contains(a.InteractionSeq)).ToDictionaryAsync(a => a.InteractionSeq, ct).ConfigureAwait(false);
        var touchpoints = await db.Interactions.AsNoTracking().Where(i => seqs.Contains(i.Seq))
            .Select(i => new { i.Seq, i.WorkspaceId, i.EventId, i.OccurredAt, i.Department, i.Channel, i.Type, i.CustomerId })
            .ToDictionaryAsync(i => i.Seq, ct).ConfigureAwait(false);
        return [.. seqs
            .Where(s => analyses.ContainsKey(s) && touchpoints.TryGetValue(s, out var t) && t.WorkspaceId == workspaceId)
            .Select(s =>
            {
                var a = analyses[s];
                var t = touchpoints[s];
                return new Verbatim(s, t.EventId, t.OccurredAt, t.Department, t.Channel, t.Type, t.CustomerId, a.Language, a.Sentiment, a.Redacted,
                    TextAnalyses.ReadHits(a.Themes), TextAnalyses.ReadHits(a.Flags));
            })];
    }

    public static JsonObject ToJson(Verbatim v) => new()
    {
        ["seq"] = v.Seq,
        ["eventId"] = v.EventId,
        ["occurredAt"] = v.OccurredAt.ToString("O", CultureInfo.InvariantCulture),
        ["department"] = v.Department,
        ["channel"] = v.Channel,
        ["type"] = v.Type,
        ["customerId"] = v.CustomerId,
        ["language"] = v.Language,
        ["sentiment"] = new JsonObject { ["score"] = v.Sentiment, ["label"] = SentimentScore.Name(SentimentScore.Of(v.Sentiment).Label) },
        ["text"] = v.Text,
        ["themes"] = Hits(v.Themes, v.Text),
        ["flags"] = Hits(v.Flags, v.Text),
    };

    private static JsonArray Hits(IReadOnlyList<StoredHit> hits, string text) => new([.. hits.Select(h => (JsonNode)new JsonObject
    {
        ["key"] = h.Key,
        ["matches"] = new JsonArray([.. h.Spans.Where(s => s.Length == 2 && s[0] >= 0 && s[0] + s[1] <= text.Length).Select(s => (JsonNode)new JsonObject
        {
            ["start"] = s[0],
            ["length"] = s[1],
            ["text"] = text.Substring(s[0], s[1]),
        })]),
    })]);
}
