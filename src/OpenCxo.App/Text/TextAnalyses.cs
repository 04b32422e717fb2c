using System.Collections.Concurrent;
using System.Data.Common;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenCxo.Core.Text;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Text;

/// <summary>How far a pass over stored texts got: interactions looked at (by seq), texts analysed, and the last seq.</summary>
public readonly record struct AnalysisProgress(long Through, long Texts, long Total);

/// <summary>
/// Analyses stored touchpoint texts and writes their analyses: the job that follows ingest, and <c>cxo text reanalyze</c>,
/// share this. Each batch replaces the analyses of its seq range in one transaction, so a pass can be repeated or
/// interrupted without leaving two analyses of one text.
/// </summary>
public sealed class TextAnalyses(CxoDbFactory databases)
{
    /// <summary>Interactions read per batch.</summary>
    public const int Batch = 20_000;

    private readonly ConcurrentDictionary<long, (int Revision, TextAnalyzer Analyzer)> _analyzers = new();

    /// <summary>The analyser of a workspace: its own taxonomy if it has one, else the shipped one; cached per revision.</summary>
    public async Task<(TextAnalyzer Analyzer, int Revision)> AnalyzerAsync(CxoDb db, long workspaceId, CancellationToken ct)
    {
        var revision = await db.TextTaxonomies.AsNoTracking().Where(t => t.WorkspaceId == workspaceId).Select(t => (int?)t.Revision).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (revision is null)
        {
            return (TextAnalyzer.Default, 0);
        }

        if (_analyzers.TryGetValue(workspaceId, out var cached) && cached.Revision == revision)
        {
            return (cached.Analyzer, cached.Revision);
        }

        var json = await db.TextTaxonomies.AsNoTracking().Where(t => t.WorkspaceId == workspaceId).Select(t => t.Json).FirstAsync(ct).ConfigureAwait(false);
        var analyzer = new TextAnalyzer(TextTaxonomy.Parse(json));
        _analyzers[workspaceId] = (revision.Value, analyzer);
        return (analyzer, revision.Value);
    }

    /// <summary>Forgets a workspace's cached analyser (its taxonomy changed).</summary>
    public void Forget(long workspaceId) => _analyzers.TryRemove(workspaceId, out _);

    /// <summary>
    /// Analyses the texts of interactions with <paramref name="after"/> &lt; seq, up to <see cref="Batch"/> interactions,
    /// and returns the last seq read (equal to <paramref name="after"/> when there was none) and the texts analysed.
    /// With <paramref name="moveWatermark"/> the job's watermark moves in the same transaction.
    /// </summary>
    public async Task<(long Through, int Texts)> AnalyzeBatchAsync(long after, long? through, bool moveWatermark, long? workspaceId, DateTime now, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var query = db.Interactions.AsNoTracking().Where(i => i.Seq > after);
        if (through is { } last)
        {
            query = query.Where(i => i.Seq <= last);
        }

        var rows = await query.OrderBy(i => i.Seq).Take(Batch)
            .Select(i => new { i.Seq, i.WorkspaceId, i.Text })
            .ToListAsync(ct).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            return (after, 0);
        }

        var texts = rows.Where(r => !string.IsNullOrWhiteSpace(r.Text) && (workspaceId is null || r.WorkspaceId == workspaceId)).ToList();
        var analyzers = new Dictionary<long, (TextAnalyzer Analyzer, int Revision)>();
        foreach (var workspace in texts.Select(t => t.WorkspaceId).Distinct())
        {
            analyzers[workspace] = await AnalyzerAsync(db, workspace, ct).ConfigureAwait(false);
        }

        var analyses = new TextAnalysisRow[texts.Count];
        Parallel.For(0, texts.Count, new ParallelOptions { CancellationToken = ct }, n =>
        {
            var (analyzer, revision) = analyzers[texts[n].WorkspaceId];
            analyses[n] = Row(texts[n].Seq, texts[n].WorkspaceId, analyzer.Analyze(texts[n].Text), revision, now);
        });

        var first = rows[0].Seq;
        var end = rows[^1].Seq;
        await using var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        var replaced = db.TextAnalyses.Where(a => a.InteractionSeq >= first && a.InteractionSeq <= end);
        if (workspaceId is { } only)
        {
            replaced = replaced.Where(a => a.WorkspaceId == only);
        }

        await replaced.ExecuteDeleteAsync(ct).ConfigureAwait(false);
        db.TextAnalyses.AddRange(analyses);
        if (moveWatermark)
        {
            var state = await db.TextAnalysisStates.FirstOrDefaultAsync(s => s.Id == 1, ct).ConfigureAwait(false);
            if (state is null)
            {
                db.TextAnalysisStates.Add(new TextAnalysisState { Id = 1, InteractionSeq = end });
            }
            else
            {
                state.InteractionSeq = Math.Max(state.InteractionSeq, end);
            }
        }

        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await transaction.CommitAsync(ct).ConfigureAwait(false);
        return (end, analyses.Length);
    }

    /// <summary>The job's watermark: every interaction up to it has been looked at.</summary>
    public async Task<long> WatermarkAsync(CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        return await db.TextAnalysisStates.AsNoTracking().Where(s => s.Id == 1).Select(s => (long?)s.InteractionSeq).FirstOrDefaultAsync(ct).ConfigureAwait(false) ?? 0;
    }

    /// <summary>Analyses every text that arrived since the job's watermark, moving it; returns how many texts.</summary>
    public async Task<long> CatchUpAsync(DateTime now, CancellationToken ct)
    {
        var after = await WatermarkAsync(ct).ConfigureAwait(false);
        var total = 0L;
        while (true)
        {
            var (through, texts) = await AnalyzeBatchAsync(after, null, moveWatermark: true, null, now, ct).ConfigureAwait(false);
            total += texts;
            if (through == after)
            {
                return total;
            }

            after = through;
        }
    }

    /// <summary>Analyses every stored text again (after a lexicon or taxonomy change), telling <paramref name="progress"/> as it goes.</summary>
    public async Task<AnalysisProgress> ReanalyzeAsync(long? workspaceId, IProgress<AnalysisProgress>? progress, DateTime now, CancellationToken ct)
    {
        long newest;
        await using (var db = databases.CreateDbContext())
        {
            newest = await db.Interactions.MaxAsync(i => (long?)i.Seq, ct).ConfigureAwait(false) ?? 0;
        }

        var done = new AnalysisProgress(0, 0, newest);
        while (done.Through < newest)
        {
            var (through, texts) = await AnalyzeBatchAsync(done.Through, newest, moveWatermark: false, workspaceId, now, ct).ConfigureAwait(false);
            if (through == done.Through)
            {
                break;
            }

            done = done with { Through = through, Texts = done.Texts + texts };
            progress?.Report(done);
        }

        return done;
    }

    internal static TextAnalysisRow Row(long seq, long workspaceId, TextAnalysis analysis, int revision, DateTime now) => new()
    {
        InteractionSeq = seq,
        WorkspaceId = workspaceId,
        Analyzer = $"v{TextAnalyzer.Version}/t{revision}",
        Language = analysis.Language,
        Sentiment = Math.Round(analysis.Sentiment.Score, 4),
        Themes = JsonSerializer.Serialize(analysis.Themes.Select(t => new StoredHit(t.Key, Math.Round(t.Sentiment.Score, 4), Spans(t.Matches)))),
        Flags = JsonSerializer.Serialize(analysis.Flags.Select(f => new StoredHit(f.Key, null, Spans(f.Matches)))),
        Redacted = analysis.Redacted,
        Redactions = analysis.Redactions.Count,
        AnalyzedAt = now,
    };

    public static IReadOnlyList<StoredHit> ReadHits(string json) => JsonSerializer.Deserialize<List<StoredHit>>(json) ?? [];

    private static int[][] Spans(IReadOnlyList<TextSpan> spans) => [.. spans.Select(s => new[] { s.Start, s.Length })];
}

/// <summary>A theme or flag as stored: its key, the sentiment of what was said of it (themes only), and its spans as [start, length].</summary>
public sealed record StoredHit(
    [property: System.Text.Json.Serialization.JsonPropertyName("key")] string Key,
    [property: System.Text.Json.Serialization.JsonPropertyName("sentiment"), System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] double? Sentiment,
    [property: System.Text.Json.Serialization.JsonPropertyName("spans")] int[][] Spans);
