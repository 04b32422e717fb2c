using Microsoft.EntityFrameworkCore;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Text;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Text;

/// <summary>A workspace's taxonomy: its own if it edited one, else the shipped one (revision 0).</summary>
public sealed record WorkspaceTaxonomy(TextTaxonomy Taxonomy, int Revision, bool Custom, DateTime? UpdatedAt, string? UpdatedBy);

/// <summary>Reading, replacing and resetting a workspace's theme taxonomy; the web UI and the API share this.</summary>
public static class TextTaxonomies
{
    public static async Task<WorkspaceTaxonomy> GetAsync(CxoDb db, long workspaceId, CancellationToken ct)
    {
        var row = await db.TextTaxonomies.AsNoTracking().FirstOrDefaultAsync(t => t.WorkspaceId == workspaceId, ct).ConfigureAwait(false);
        return row is null
            ? new WorkspaceTaxonomy(TextTaxonomy.Default, 0, false, null, null)
            : new WorkspaceTaxonomy(TextTaxonomy.Parse(row.Json), row.Revision, true, row.UpdatedAt, row.UpdatedBy);
    }

    /// <summary>
    /// Checks and stores a workspace's taxonomy as its next revision; new texts use it at once, stored texts when
    /// re-analysed. The four flags stay: their words can change, not their keys.
    /// </summary>
    public static async Task<(int? Revision, IReadOnlyList<FieldError> Errors)> SaveAsync(
        CxoDb db, TextAnalyses analyses, long workspaceId, TextTaxonomy taxonomy, string by, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(taxonomy);
        ArgumentNullException.ThrowIfNull(analyses);
        var errors = taxonomy.Check();
        var flags = taxonomy.Flags?.Select(f => f?.Key).ToList() ?? [];
        var shipped = TextTaxonomy.Default.Flags.Select(f => f.Key).ToList();
        if (!flags.SequenceEqual(shipped))
        {
            errors.Add(new FieldError("flags", $"the flags are {string.Join(", ", shipped)}, in that order: their words can change, not their keys"));
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var row = await db.TextTaxonomies.FirstOrDefaultAsync(t => t.WorkspaceId == workspaceId, ct).ConfigureAwait(false);
        if (row is null)
        {
            row = new TextTaxonomyRow { WorkspaceId = workspaceId, Json = "", UpdatedBy = by };
            db.TextTaxonomies.Add(row);
        }

        row.Json = (taxonomy with { Version = 1 }).ToJson();
        row.Revision++;
        row.UpdatedAt = now;
        row.UpdatedBy = by;
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        analyses.Forget(workspaceId);
        return (row.Revision, []);
    }

    /// <summary>Back to the shipped taxonomy. The revision number is not reused: a later edit continues from it.</summary>
    public static async Task ResetAsync(CxoDb db, TextAnalyses analyses, long workspaceId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(analyses);
        db.TextTaxonomies.RemoveRange(await db.TextTaxonomies.Where(t => t.WorkspaceId == workspaceId).ToListAsync(ct).ConfigureAwait(false));
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        analyses.Forget(workspaceId);
    }
}

/// <summary>Re-analysis of a workspace's stored texts started from the web UI: one at a time per workspace, in the server, with progress.</summary>
public sealed partial class TaxonomyReanalysis(TextAnalyses analyses, TimeProvider time, ILogger<TaxonomyReanalysis> logger)
{
    private readonly Dictionary<long, ReanalysisState> _states = [];

    public ReanalysisState? StateOf(long workspaceId)
    {
        lock (_states)
        {
            return _states.GetValueOrDefault(workspaceId);
        }
    }

    /// <summary>Starts a re-analysis unless one runs for the workspace; returns whether it started.</summary>
    public bool Start(long workspaceId)
    {
        var state = new ReanalysisState();
        lock (_states)
        {
            if (_states.TryGetValue(workspaceId, out var running) && running.Finished is null)
            {
                return false;
            }

            _states[workspaceId] = state;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                state.Progress = await analyses.ReanalyzeAsync(workspaceId, new SynchronousProgress(p => state.Progress = p), time.GetUtcNow().UtcDateTime, default).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidOperationException or System.Data.Common.DbException or IOException)
            {
                state.Error = e.Message;
                LogFailed(logger, e);
            }
            finally
            {
                state.Finished = time.GetUtcNow().UtcDateTime;
            }
        });
        return true;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Re-analysis of stored texts failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);

    private sealed class SynchronousProgress(Action<AnalysisProgress> report) : IProgress<AnalysisProgress>
    {
        public void Report(AnalysisProgress value) => report(value);
    }
}

public sealed class ReanalysisState
{
    public AnalysisProgress Progress { get; set; }
    public DateTime? Finished { get; set; }
    public string? Error { get; set; }
}
