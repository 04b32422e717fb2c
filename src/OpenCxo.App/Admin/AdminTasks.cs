using System.Text.Json;
using OpenCxo.App.Analytics;
using OpenCxo.App.Ingest;
using OpenCxo.Core.Ingest;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Ingest;

namespace OpenCxo.App.Admin;

public enum AdminTaskKind
{
    Import,
    Rebuild,
}

/// <summary>A rejected line of an uploaded file, for the admin page: its number and what was wrong with it.</summary>
public sealed record RejectedSample(long Line, string Errors);

/// <summary>
/// Where the admin task stands. <see cref="Fraction"/> is null while the share done is unknown; <see cref="FinishedAt"/>
/// is set once the task ended, with either <see cref="Error"/> or an outcome (<see cref="Import"/> or <see cref="Rebuild"/>).
/// </summary>
public sealed record AdminTaskState(
    AdminTaskKind Kind,
    string Subject,
    string StartedBy,
    DateTime StartedAt,
    double? Fraction,
    long Lines,
    DateTime? FinishedAt,
    string? Error,
    ImportSummary? Import,
    IReadOnlyList<RejectedSample> Rejected,
    SyncResult? Rebuild);

/// <summary>
/// Long-running work started from the admin page (importing an uploaded event file, rebuilding the analytics store),
/// one at a time per process. It runs apart from the page that started it, so leaving the page does not stop it, and
/// whoever opens the admin page sees its progress and, afterwards, its outcome.
/// </summary>
public sealed partial class AdminTasks(
    AnalyticsStore store,
    AnalyticsSignal signal,
    EventParser parser,
    EventIngestor ingestor,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<AdminTasks> logger)
{
    /// <summary>Rejected lines shown on the page; the count covers them all.</summary>
    public const int RejectedShown = 20;

    private readonly Lock _lock = new();
    private AdminTaskState? _state;

    /// <summary>The task under way, or the last one to finish; null when none ran since the process started.</summary>
    public AdminTaskState? State
    {
        get
        {
            AdminTaskState? state;
            lock (_lock)
            {
                state = _state;
            }

            // A rebuild's progress lives in the store, which knows how far its copy got.
            return state is { Kind: AdminTaskKind.Rebuild, FinishedAt: null } && store.Copying is { Rebuild: true } copying
                ? state with { Fraction = copying.Fraction, Lines = copying.Copied }
                : state;
        }
    }

    public bool Busy
    {
        get
        {
            lock (_lock)
            {
                return _state is { FinishedAt: null };
            }
        }
    }

    /// <summary>Starts rebuilding the analytics store; false when another task is under way.</summary>
    public bool TryStartRebuild(string user) =>
        TryStart(AdminTaskKind.Rebuild, store.FilePath, user, async ct =>
        {
            var result = await store.RebuildAsync(ct).ConfigureAwait(false);
            Update(s => s with { Rebuild = result, Fraction = 1, Lines = result.InteractionsCopied });
        });

    /// <summary>
    /// Starts importing <paramref name="file"/>, an uploaded copy of <paramref name="name"/>, into the workspace, and
    /// deletes the copy's folder afterwards; false when another task is under way (the caller then deletes it).
    /// </summary>
    public bool TryStartImport(string user, string file, string name, long workspaceId) =>
        TryStart(AdminTaskKind.Import, name, user, async ct =>
        {
            try
            {
                var importer = new EventFileImporter(parser, ingestor);
                var progress = new Reporter(p => Update(s => s with
                {
                    Fraction = p.TotalBytes > 0 ? (double)p.BytesRead / p.TotalBytes : null,
                    Lines = p.Lines,
                }));
                ImportSummary summary;
                try
                {
                    summary = await importer.ImportAsync(file, workspaceId, progress, ct).ConfigureAwait(false);
                }
                catch (ImportException e)
                {
                    // The message names the uploaded copy; the person knows the file by its own name.
                    throw new ImportException(e.Message.Replace(file, name, StringComparison.Ordinal), e);
                }

                var rejected = summary.RejectedFile is { } path ? ReadRejected(path) : [];
                Update(s => s with { Import = summary with { RejectedFile = null }, Rejected = rejected, Fraction = 1 });
            }
            finally
            {
                signal.Notify();
                Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
            }
        });

    /// <summary>
    /// The extension an upload of <paramref name="name"/> is saved with, which tells the importer its format
    /// (".csv", ".jsonl.gz"): the name itself is the user's and is not used as a path.
    /// </summary>
    /// <exception cref="ImportException">Not a file type the importer reads; the message says which ones are.</exception>
    public static string UploadExtension(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        _ = EventFileFormats.Of(name);
        var compressed = name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        return Path.GetExtension(compressed ? name[..^3] : name).ToLowerInvariant() + (compressed ? ".gz" : "");
    }

    private bool TryStart(AdminTaskKind kind, string subject, string user, Func<CancellationToken, Task> work)
    {
        lock (_lock)
        {
            if (_state is { FinishedAt: null })
            {
                return false;
            }

            _state = new AdminTaskState(kind, subject, user, time.GetUtcNow().UtcDateTime, null, 0, null, null, null, [], null);
        }

        _ = Task.Run(async () =>
        {
            string? error = null;
            try
            {
                await work(lifetime.ApplicationStopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
            {
                error = "stopped because the server is shutting down";
            }
            catch (ImportException e)
            {
                error = e.Message;
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or System.Data.Common.DbException)
            {
                LogFailed(logger, e, kind);
                error = e.Message;
            }

            Update(s => s with { FinishedAt = time.GetUtcNow().UtcDateTime, Error = error });
        });
        return true;
    }

    private void Update(Func<AdminTaskState, AdminTaskState> change)
    {
        lock (_lock)
        {
            _state = change(_state!);
        }
    }

    private static List<RejectedSample> ReadRejected(string path)
    {
        var samples = new List<RejectedSample>();
        foreach (var line in File.ReadLines(path).Take(RejectedShown))
        {
            using var json = JsonDocument.Parse(line);
            var errors = json.RootElement.GetProperty("errors").EnumerateArray()
                .Select(e => $"{e.GetProperty("field").GetString()}: {e.GetProperty("message").GetString()}");
            samples.Add(new RejectedSample(json.RootElement.GetProperty("line").GetInt64(), string.Join("; ", errors)));
        }

        return samples;
    }

    /// <summary>Reports on the importer's thread, so no report can land after the outcome (Progress&lt;T&gt; posts them).</summary>
    private sealed class Reporter(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Admin task {Kind} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, AdminTaskKind kind);
}
