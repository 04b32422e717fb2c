using System.Diagnostics;
using System.IO.Compression;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using OpenCxo.Core.Ingest;
using OpenCxo.Data.Ingest;

namespace OpenCxo.App.Ingest;

/// <summary>
/// Imports a file of events (<c>cxo import events FILE</c>): JSON Lines or CSV, optionally gzip-compressed.
/// Every line is validated by the same <see cref="EventParser"/> as the HTTP API; good lines are stored, duplicates
/// (by event id) counted, and bad lines written with their errors to <c>FILE.rejected.jsonl</c>.
/// <para>
/// Reading and validation run on one task and storage on another, joined by a bounded channel of a few batches:
/// both cores work, and memory stays bounded whatever the size of the file.
/// </para>
/// </summary>
public sealed class EventFileImporter(EventParser parser, EventIngestor ingestor)
{
    public const string RejectedSuffix = ".rejected.jsonl";

    /// <summary>Events handed from the reader to storage at a time.</summary>
    public int BatchSize { get; init; } = 10_000;

    /// <summary>Events per storage transaction (see <see cref="IngestSession"/>).</summary>
    public int CommitEvery { get; init; } = 250_000;

    /// <summary>
    /// Imports <paramref name="path"/> into the workspace. Bad lines do not stop the import; an
    /// <see cref="ImportException"/> is thrown only when the file as a whole cannot be read (missing, unknown type,
    /// a CSV header with an unknown column, a JSON array instead of JSON Lines, a CSV quote never closed).
    /// </summary>
    public async Task<ImportSummary> ImportAsync(string path, long workspaceId, IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1);
        var (format, compressed) = EventFileFormats.Of(path);
        if (!File.Exists(path))
        {
            throw new ImportException($"{path}: no such file");
        }

        var clock = Stopwatch.StartNew();
        var rejectedPath = path + RejectedSuffix;
        File.Delete(rejectedPath);

        FileStream file;
        try
        {
            // Unbuffered: both readers read in large blocks of their own.
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan | FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImportException($"{path}: cannot be read: {e.Message}", e);
        }

        await using var fileScope = file.ConfigureAwait(false);
        Stream input = compressed ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true) : file;
        await using var inputScope = input.ConfigureAwait(false);
        using var rejected = new RejectedLines(rejectedPath);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);

        var batches = System.Threading.Channels.Channel.CreateBounded<List<CanonicalEvent>>(new BoundedChannelOptions(2)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var run = new ImportRun(new EventValidator(parser), rejected, batches.Writer, BatchSize, progress, file);
        var store = Task.Run(() => StoreAsync(batches.Reader, workspaceId, stop), CancellationToken.None);
        var read = Task.Run(() => ReadAsync(format, input, path, run, batches.Writer, stop.Token), CancellationToken.None);
        try
        {
            await Task.WhenAll(read, store).ConfigureAwait(false);
        }
        catch (Exception) when (store.IsFaulted)
        {
            // Reading then stopped only because storage did: the storage failure is the one to report.
            ExceptionDispatchInfo.Throw(store.Exception!.InnerException!);
        }
        catch (ImportException e) when (store.IsCompletedSuccessfully && store.Result.Imported > 0)
        {
            // A failure part-way through the file: say what was kept, so nobody restores a backup for nothing.
            throw new ImportException(
                $"{e.Message}. Nothing after it was read; the {store.Result.Imported} new events before it were imported, and a re-run after a fix skips them", e);
        }

        var (imported, duplicates) = store.Result;
        return new ImportSummary(
            imported,
            duplicates,
            rejected.Count,
            Math.Round(clock.Elapsed.TotalSeconds, 3),
            rejected.Count > 0 ? rejectedPath : null);
    }

    private static async Task ReadAsync(
        EventFileFormat format, Stream input, string path, ImportRun run, ChannelWriter<List<CanonicalEvent>> batches, CancellationToken ct)
    {
        try
        {
            try
            {
                await ReadEventsAsync(format, input, path, run, ct).ConfigureAwait(false);
            }
            catch (ImportException)
            {
                // Nothing more can be read, but the events validated up to here are still imported.
                await run.CompleteAsync(ct).ConfigureAwait(false);
                throw;
            }

            await run.CompleteAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            // Storage finishes the batches already in the channel, also when reading failed part-way.
            batches.TryComplete();
        }
    }

    private static async Task ReadEventsAsync(EventFileFormat format, Stream input, string path, ImportRun run, CancellationToken ct)
    {
        try
        {
            var reading = format == EventFileFormat.Csv
                ? CsvEventReader.ReadAsync(input, path, run, ct)
                : JsonLinesEventReader.ReadAsync(input, path, run, ct);
            await reading.ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            // GZipStream on a file that is not gzip, or is damaged.
            throw new ImportException($"{path}: {e.Message}", e);
        }
    }

    private async Task<(long Imported, long Duplicates)> StoreAsync(ChannelReader<List<CanonicalEvent>> batches, long workspaceId, CancellationTokenSource stop)
    {
        try
        {
            await using var session = ingestor.BeginSession(workspaceId, CommitEvery);
            await foreach (var batch in batches.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                await session.IngestAsync(batch, stop.Token).ConfigureAwait(false);
            }

            await session.CommitAsync(stop.Token).ConfigureAwait(false);
            return (session.Accepted, session.Duplicates);
        }
        catch
        {
            // Unblock the reader, which may be waiting for room in the channel.
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }
}

/// <summary>What an import did; <see cref="RejectedFile"/> is null when no line was rejected.</summary>
public sealed record ImportSummary(long Imported, long Duplicates, long Rejected, double Seconds, string? RejectedFile);

/// <summary>Bytes of the file read so far (compressed bytes for a .gz file) and lines read, for a progress bar.</summary>
public sealed record ImportProgress(long BytesRead, long TotalBytes, long Lines);

/// <summary>
/// A file that cannot be imported (missing, of an unknown type, a header that would lose data) or cannot be read past
/// some point; the message says which, and what was imported before it.
/// </summary>
public sealed class ImportException : Exception
{
    public ImportException()
    {
    }

    public ImportException(string message)
        : base(message)
    {
    }

    public ImportException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

internal enum EventFileFormat
{
    JsonLines,
    Csv,
}

internal static class EventFileFormats
{
    public static (EventFileFormat Format, bool Compressed) Of(string path)
    {
        var name = Path.GetFileName(path);
        var compressed = name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        if (compressed)
        {
            name = name[..^3];
        }

        var extension = Path.GetExtension(name).ToUpperInvariant();
        return extension switch
        {
            ".JSONL" or ".NDJSON" or ".JSON" => (EventFileFormat.JsonLines, compressed),
            ".CSV" => (EventFileFormat.Csv, compressed),
            _ => throw new ImportException(
                $"{path}: unknown file type {(extension.Length == 0 ? "(no extension)" : $"'{Path.GetExtension(name)}'")}; "
                + "expected .jsonl, .ndjson or .json (JSON Lines) or .csv, optionally followed by .gz"),
        };
    }
}

/// <summary>
/// The reading side of one import: validates records, collects good events into batches for the channel, writes bad
/// ones to the rejected file and reports progress.
/// </summary>
internal sealed class ImportRun(
    EventValidator validator,
    RejectedLines rejected,
    ChannelWriter<List<CanonicalEvent>> batches,
    int batchSize,
    IProgress<ImportProgress>? progress,
    FileStream file)
{
    private const int ProgressIntervalMs = 100;

    private readonly long _totalBytes = file.Length;
    private List<CanonicalEvent> _batch = new(Math.Min(batchSize, 1 << 16));
    private long _nextReport = Environment.TickCount64 + ProgressIntervalMs;
    private long _lines;

    /// <summary>Records that the reader is at <paramref name="line"/>; reports progress every 100 ms.</summary>
    public void Advance(long line)
    {
        _lines = line;
        if (progress is not null && Environment.TickCount64 >= _nextReport)
        {
            _nextReport = Environment.TickCount64 + ProgressIntervalMs;
            progress.Report(new ImportProgress(file.Position, _totalBytes, line));
        }
    }

    /// <summary>
    /// Validates one event in canonical JSON; <paramref name="knownErrors"/> are problems the reader already found
    /// (a CSV cell that is not a number), reported together with the parser's.
    /// </summary>
    public ValueTask AddAsync(long line, ReadOnlyMemory<byte> json, ReadOnlySpan<byte> input, List<FieldError>? knownErrors, CancellationToken ct)
    {
        var valid = validator.TryRead(json, out var parsed, out var errors);
        if (valid && knownErrors is not { Count: > 0 })
        {
            _batch.Add(parsed!);
            return _batch.Count >= batchSize ? FlushAsync(ct) : ValueTask.CompletedTask;
        }

        if (knownErrors is { Count: > 0 })
        {
            errors.InsertRange(0, knownErrors);
        }

        rejected.Add(line, errors, input);
        return ValueTask.CompletedTask;
    }

    public void Reject(long line, IReadOnlyList<FieldError> errors, ReadOnlySpan<byte> input) => rejected.Add(line, errors, input);

    public void Reject(long line, IReadOnlyList<FieldError> errors, string input) => rejected.Add(line, errors, input);

    public async ValueTask CompleteAsync(CancellationToken ct)
    {
        await FlushAsync(ct).ConfigureAwait(false);
        progress?.Report(new ImportProgress(_totalBytes, _totalBytes, _lines));
    }

    private async ValueTask FlushAsync(CancellationToken ct)
    {
        if (_batch.Count == 0)
        {
            return;
        }

        var full = _batch;
        _batch = new List<CanonicalEvent>(full.Count);
        await batches.WriteAsync(full, ct).ConfigureAwait(false);
    }
}
