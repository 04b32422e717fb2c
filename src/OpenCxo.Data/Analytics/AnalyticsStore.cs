using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using Microsoft.EntityFrameworkCore;
using OpenCxo.Data.Storage;

namespace OpenCxo.Data.Analytics;

/// <summary>
/// The columnar copy of the system of record that serves heavy aggregation (DESIGN.md, analytics store): a DuckDB
/// file kept current by seq and rebuildable from scratch, so losing it loses nothing.
/// </summary>
/// <remarks>
/// One instance per file per process (register it as a singleton): DuckDB lets one process write a file, and the
/// instance holds that file from first use until it is disposed. Interactions are copied once and never updated;
/// merges are copied too and <c>customer_map</c> resolves any customer id to its live survivor, so a merge that
/// re-points old rows in the system of record needs no rewrite here.
/// </remarks>
public sealed partial class AnalyticsStore : IAsyncDisposable
{
    public const string DefaultPostgresPath = "./data/opencxo-analytics.duckdb";

    /// <summary>
    /// Rows per read and per DuckDB transaction: a resumable unit that keeps memory flat. One DuckDB row group
    /// (122,880 rows): a commit of whole row groups is written compressed straight to the file, where smaller ones
    /// go through the WAL and are rewritten at checkpoint, which made appending twice as slow.
    /// </summary>
    internal const int ChunkSize = 122_880;

    /// <summary>Chunks read ahead of the one being appended.</summary>
    private const int ReadAhead = 2;

    private static readonly HashSet<string> OpenFiles = new(StringComparer.Ordinal);

    private readonly CxoDbFactory _source;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SwapGate _swapGate = new();
    private readonly AnswerCache _answers = new();
    private readonly Lock _connectionLock = new();
    private readonly CancellationTokenSource _disposing = new();
    private DuckDBConnection? _connection;
    private volatile CopyProgress? _copying;
    private int _disposed;

    /// <param name="memoryLimit">See <see cref="MemoryLimit"/>.</param>
    public AnalyticsStore(string path, CxoDbFactory source, string memoryLimit = DefaultMemoryLimit)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(source);
        MemoryLimit = ParseMemoryLimit(memoryLimit, nameof(memoryLimit));
        FilePath = Path.GetFullPath(path);
        _source = source;
        lock (OpenFiles)
        {
            if (!OpenFiles.Add(FilePath))
            {
                throw new InvalidOperationException(
                    $"The analytics store {FilePath} is already open in this process; share one AnalyticsStore per file.");
            }
        }
    }

    public string FilePath { get; }

    /// <summary>
    /// The most memory DuckDB may hold for this file: its cache of blocks and the working state of queries, which
    /// beyond it spill to a folder beside the file (<c>FILE.tmp</c>). DuckDB's own default is 80 % of the machine's
    /// memory, which a long-running server fills block by block as the store grows; a fixed limit keeps the
    /// process's memory flat. A DuckDB size such as <c>512MB</c> or <c>2GB</c>; see <see cref="ParseMemoryLimit"/>.
    /// </summary>
    public string MemoryLimit { get; }

    public const string DefaultMemoryLimit = "1GB";

    /// <summary>Interaction rows per chunk; smaller only in tests, to see a copy of a few rows go chunk by chunk.</summary>
    internal int ChunkRows { get; init; } = ChunkSize;

    /// <summary>The sync or rebuild under way, if any, for a progress bar; null when the store is idle.</summary>
    public CopyProgress? Copying => _copying;

    /// <summary>SQLite: the database file with extension .duckdb (./data/opencxo.db → ./data/opencxo.duckdb); PostgreSQL: <see cref="DefaultPostgresPath"/>.</summary>
    public static string DefaultPathFor(DatabaseLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return location.SqlitePath is { } sqlite ? Path.ChangeExtension(sqlite, ".duckdb") : DefaultPostgresPath;
    }

    /// <summary>
    /// Copies merges and interactions with seq above the store's watermarks. Each chunk and its watermark commit
    /// together, so an interrupted sync resumes where it stopped and a repeated one copies nothing. Calls are
    /// serialized.
    /// </summary>
    public Task<SyncResult> SyncAsync(CancellationToken ct = default) => SyncAsync(null, ct);

    /// <inheritdoc cref="SyncAsync(CancellationToken)"/>
    /// <param name="progress">Told after each chunk how far the copy got (<see cref="Copying"/> says the same).</param>
    public async Task<SyncResult> SyncAsync(IProgress<CopyProgress>? progress, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct, _disposing.Token);
        await _writeLock.WaitAsync(cancel.Token).ConfigureAwait(false);
        try
        {
            var started = Stopwatch.GetTimestamp();
            SyncResult copy;
            try
            {
                copy = await CopyAsync(Connection(), rebuild: false, progress, cancel.Token).ConfigureAwait(false);
            }
            catch
            {
                // Some chunks may have been committed before the failure.
                _answers.Invalidate();
                throw;
            }

            if (copy.InteractionsCopied > 0 || copy.MergesCopied > 0 || copy.TraitsCopied > 0 || copy.TextsCopied > 0 || copy.PredictionsReplaced || copy.CustomersErased > 0 || copy.RowsExpired > 0)
            {
                _answers.Invalidate();
            }

            return copy with { Elapsed = Stopwatch.GetElapsedTime(started) };
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Copies everything into a new file beside the store and then renames it over the store, so that queries
    /// see the old store until the new one is complete. Needs free disk space for a second copy.
    /// </summary>
    public Task<SyncResult> RebuildAsync(CancellationToken ct = default) => RebuildAsync(null, ct);

    /// <inheritdoc cref="RebuildAsync(CancellationToken)"/>
    /// <param name="progress">Told after each chunk how far the copy got (<see cref="Copying"/> says the same).</param>
    public async Task<SyncResult> RebuildAsync(IProgress<CopyProgress>? progress, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct, _disposing.Token);
        await _writeLock.WaitAsync(cancel.Token).ConfigureAwait(false);
        try
        {
            var started = Stopwatch.GetTimestamp();

            // Holding the store while building keeps another process from opening it meanwhile.
            _ = Connection();
            var building = FilePath + ".rebuild";
            DeleteDatabaseFiles(building);
            SyncResult copy;
            try
            {
                using (var fresh = Open(building))
                {
                    copy = await CopyAsync(fresh, rebuild: true, progress, cancel.Token).ConfigureAwait(false);
                }

                await ReplaceStoreAsync(building).ConfigureAwait(false);
                _answers.Invalidate();
            }
            catch
            {
                DeleteDatabaseFiles(building);
                throw;
            }

            return copy with { Elapsed = Stopwatch.GetElapsedTime(started) };
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            using (await _swapGate.EnterExclusiveAsync().ConfigureAwait(false))
            {
                lock (_connectionLock)
                {
                    _connection?.Dispose();
                    _connection = null;
                }
            }
        }
        finally
        {
            _writeLock.Release();
            lock (OpenFiles)
            {
                OpenFiles.Remove(FilePath);
            }
        }

        _disposing.Dispose();
        _swapGate.Dispose();
        _writeLock.Dispose();
    }

    private DuckDBConnection Connection()
    {
        lock (_connectionLock)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0 && _connection is null, this);
            return _connection ??= Open(FilePath);
        }
    }

    /// <summary>
    /// A connection of its own for one query. DuckDB.NET shares one database per data source string among a
    /// process's connections (Duplicate() is only for in-memory databases), so this attaches to the instance the
    /// store holds, by the same full path; another spelling of the path would open a second, unsynchronized one.
    /// </summary>
    private DuckDBConnection OpenReader()
    {
        _ = Connection();
        var connection = new DuckDBConnection(ConnectionString(FilePath));
        connection.Open();
        return connection;
    }

    private static string ConnectionString(string path) => new DuckDBConnectionStringBuilder { DataSource = path }.ConnectionString;

    /// <summary>
    /// A memory size as DuckDB's <c>memory_limit</c> takes it: a number and a unit (KB, MB, GB, TB or KiB, MiB, GiB,
    /// TiB), at least 64 MB, below which DuckDB cannot run the store's queries. Returns it normalised ("2 gb" → "2GB").
    /// </summary>
    /// <exception cref="ArgumentException">Names <paramref name="field"/> and says what is accepted.</exception>
    public static string ParseMemoryLimit(string? value, string field)
    {
        var match = value is null ? null : MemorySize().Match(value.Trim());
        if (match is not { Success: true })
        {
            throw new ArgumentException($"{field}: '{value}' is not a memory size; write a number and a unit, e.g. 512MB or 2GB.", field);
        }

        var number = double.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
        var unit = match.Groups["u"].Value.ToUpperInvariant();
        var power = "KMGT".IndexOf(unit[0], StringComparison.Ordinal) + 1;
        var bytes = number * Math.Pow(unit.Contains('I', StringComparison.Ordinal) ? 1024 : 1000, power);
        if (bytes < 64e6)
        {
            throw new ArgumentException($"{field}: {value} is too little for the analytics store; give it at least 64MB.", field);
        }

        return match.Groups["n"].Value + unit.Replace("IB", "iB", StringComparison.Ordinal);
    }

    /// <summary>Whether <see cref="ParseMemoryLimit"/> takes <paramref name="value"/>.</summary>
    public static bool IsMemoryLimit(string? value)
    {
        try
        {
            ParseMemoryLimit(value, "value");
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^(?<n>[0-9]{1,6}(\.[0-9]{1,3})?)\s*(?<u>[KMGT]i?B)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MemorySize();

    private DuckDBConnection Open(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var connection = new DuckDBConnection(ConnectionString(path));
        try
        {
            connection.Open();
            using (var limit = connection.CreateCommand())
            {
                // A setting of the database, not of this connection: it also binds the readers that attach to it.
                limit.CommandText = $"SET memory_limit = '{MemoryLimit}'";
                limit.ExecuteNonQuery();
            }

            AnalyticsSchema.Ensure(connection);
            return connection;
        }
        catch (DuckDBException e) when (e.Message.Contains("Could not set lock on file", StringComparison.Ordinal))
        {
            connection.Dispose();
            throw new InvalidOperationException(
                $"The analytics store {path} is locked: another OpenCXO process (e.g. `cxo serve`) holds it. " +
                "Run the command through that process, or stop it first.", e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Renames a complete store over ours once no query is using ours; readers see one or the other.</summary>
    private async Task ReplaceStoreAsync(string built)
    {
        using (await _swapGate.EnterExclusiveAsync().ConfigureAwait(false))
        {
            lock (_connectionLock)
            {
                // Closing the last connection closes the DuckDB database, which checkpoints its WAL into the file.
                _connection?.Dispose();
                _connection = null;
                File.Delete(FilePath + ".wal");
                File.Move(built, FilePath, overwrite: true);
                _connection = Open(FilePath);
            }
        }
    }

    private static void DeleteDatabaseFiles(string path)
    {
        File.Delete(path);
        File.Delete(path + ".wal");
    }

    private async Task<SyncResult> CopyAsync(DuckDBConnection store, bool rebuild, IProgress<CopyProgress>? progress, CancellationToken ct)
    {
        var erased = await Task.Run(() => ApplyErasures(store, ct), ct).ConfigureAwait(false);
        var expired = await Task.Run(() => ApplyRetention(store, ct), ct).ConfigureAwait(false);
        var state = AnalyticsSchema.ReadState(store);
        var merges = 0L;
        while (true)
        {
            var after = state.MergesSeq;
            var chunk = await Task.Run(() => ReadMerges(after), ct).ConfigureAwait(false);
            if (chunk.Count == 0)
            {
                break;
            }

            state = state with { MergesSeq = chunk[^1].Seq };
            AppendMerges(store, chunk, state);
            merges += chunk.Count;
        }

        if (state.CustomerMapSeq != state.MergesSeq)
        {
            state = AnalyticsSchema.RefreshCustomerMap(store, state);
        }

        var interactions = 0L;
        var pending = new Queue<(long Through, Task<InteractionChunk> Chunk)>();

        // Chunks are reused: a fresh 7 MB row list per chunk would land on the large object heap each time.
        var spare = new ConcurrentBag<InteractionChunk>();
        try
        {
            // Copy up to the newest seq at the start; later rows are the next sync's. Seq ranges rather than
            // "next N after the last row" let two reads run ahead while this thread appends: reading is about
            // three quarters of the work, so on two cores the copy is bound by neither side alone.
            var horizon = await Task.Run(NewestInteractionSeq, ct).ConfigureAwait(false);
            var next = state.InteractionsSeq;
            var start = next;
            _copying = new CopyProgress(rebuild, 0, horizon - start);
            while (true)
            {
                while (pending.Count < ReadAhead && next < horizon)
                {
                    var through = Math.Min(horizon, next + ChunkRows);
                    pending.Enqueue((through, ReadInteractionsAsync(next, through, spare, ct)));
                    next = through;
                }

                if (!pending.TryDequeue(out var read))
                {
                    break;
                }

                var chunk = await read.Chunk.ConfigureAwait(false);
                state = state with { InteractionsSeq = read.Through };
                AppendInteractions(store, chunk, state);
                interactions += chunk.Rows.Count;
                _copying = new CopyProgress(rebuild, read.Through - start, horizon - start);
                progress?.Report(_copying);
                chunk.Clear();
                spare.Add(chunk);
                ct.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            _copying = null;
            foreach (var (_, chunk) in pending)
            {
                await ((Task)chunk).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        state = await Task.Run(() => CustomerFacts.Refresh(store, state), ct).ConfigureAwait(false);
        (state, var traits) = await Task.Run(() => RefreshTraits(store, state, ct), ct).ConfigureAwait(false);
        var (_, texts) = await Task.Run(() => CopyTexts(store, state, ct), ct).ConfigureAwait(false);
        var (predictions, replaced) = await Task.Run(() => CopyPredictions(store, ct), ct).ConfigureAwait(false);
        return new SyncResult(interactions, merges, state.InteractionsSeq, TimeSpan.Zero, traits)
        {
            TextsCopied = texts, PredictionsCopied = predictions, PredictionsReplaced = replaced, CustomersErased = erased, RowsExpired = expired,
        };
    }

    private long NewestInteractionSeq()
    {
        using var db = _source.CreateDbContext();
        return db.Interactions.Max(x => (long?)x.Seq) ?? 0;
    }

    /// <summary>
    /// Reads the rows with <paramref name="after"/> &lt; seq &lt;= <paramref name="through"/> with plain ADO.NET on the
    /// context's own connection: EF's materializer took about two thirds of the read time, and reading is most of a
    /// sync. The SQL is the same for both providers; only the time column differs (SQLite: UTC microseconds, see
    /// <see cref="UnixMicrosConverter"/>; PostgreSQL: timestamptz).
    /// </summary>
    private Task<InteractionChunk> ReadInteractionsAsync(
        long after, long through, ConcurrentBag<InteractionChunk> spare, CancellationToken ct) =>
        Task.Run(
            () =>
            {
                using var db = _source.CreateDbContext();
                db.Database.OpenConnection();
                using var command = db.Database.GetDbConnection().CreateCommand();
                command.CommandText = """
                    SELECT i.seq, i.workspace_id, i.customer_id, i.occurred_at, i.department, i.channel, i.type, i.value_e4, i.currency,
                           i.attributes,
                           (SELECT t.value_json FROM customer_traits t
                            WHERE t.workspace_id = i.workspace_id AND t.customer_id = coalesce(c.merged_into, i.customer_id) AND t.name = 'segment')
                    FROM interactions i
                    LEFT JOIN customers c ON c.id = i.customer_id
                    WHERE i.seq > @after AND i.seq <= @through
                    ORDER BY i.seq
                    """;
                AddParameter(command, "@after", after);
                AddParameter(command, "@through", through);
                var microseconds = db.Provider == DatabaseProvider.Sqlite;
                var chunk = spare.TryTake(out var reused) ? reused : new InteractionChunk();
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var promoted = PromotedAttributes.Read(reader.IsDBNull(9) ? null : reader.GetString(9), chunk);
                    chunk.Rows.Add(new InteractionChunk.Row(
                        reader.GetInt64(0),
                        reader.GetInt64(1),
                        reader.GetInt64(2),
                        microseconds ? UnixMicros.ToDateTime(reader.GetInt64(3)) : reader.GetDateTime(3),
                        chunk.TextId(reader.GetString(4)),
                        chunk.TextId(reader.GetString(5)),
                        chunk.TextId(reader.GetString(6)),
                        reader.GetInt64(7),
                        chunk.TextId(reader.IsDBNull(8) ? null : reader.GetString(8)),
                        promoted.Campaign,
                        promoted.SalesRep,
                        promoted.Team,
                        promoted.Agent,
                        promoted.HandleSeconds,
                        chunk.TextId(reader.IsDBNull(10) ? null : PromotedAttributes.TraitText(reader.GetString(10))),
                        promoted.Survey,
                        promoted.Nps,
                        promoted.Csat,
                        promoted.Ces,
                        promoted.FirstContactResolution,
                        promoted.Ticket,
                        promoted.CostE4,
                        promoted.WaitSeconds,
                        promoted.Resolved));
                }

                return chunk;
            },
            ct);

    private static void AddParameter(DbCommand command, string name, long value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private List<SourceMerge> ReadMerges(long after)
    {
        using var db = _source.CreateDbContext();
        return db.CustomerMerges.AsNoTracking()
            .Where(x => x.Seq > after)
            .OrderBy(x => x.Seq)
            .Take(ChunkSize)
            .Select(x => new SourceMerge(x.Seq, x.WorkspaceId, x.SurvivorId, x.AbsorbedId, x.OccurredAt))
            .ToList();
    }

    private static void AppendInteractions(DuckDBConnection store, InteractionChunk chunk, SyncState state)
    {
        using var transaction = store.BeginTransaction();
        using (var appender = store.CreateAppender("interactions"))
        {
            foreach (var row in chunk.Rows)
            {
                // The appender writes a DateTime's wall clock as is; TIMESTAMP columns hold UTC.
                appender.CreateRow()
                    .AppendValue(row.Seq)
                    .AppendValue(row.WorkspaceId)
                    .AppendValue(row.CustomerId)
                    .AppendValue(AsUtc(row.OccurredAt))
                    .AppendValue(chunk.Text(row.Department))
                    .AppendValue(chunk.Text(row.Channel))
                    .AppendValue(chunk.Text(row.Type))
                    .AppendValue(row.ValueE4 / 10_000m)
                    .AppendValue(chunk.Text(row.Currency))
                    .AppendValue(chunk.Text(row.Campaign))
                    .AppendValue(chunk.Text(row.SalesRep))
                    .AppendValue(chunk.Text(row.Team))
                    .AppendValue(chunk.Text(row.Agent))
                    .AppendValue(Number(row.HandleSeconds))
                    .AppendValue(chunk.Text(row.Segment))
                    .AppendValue(chunk.Text(row.Survey))
                    .AppendValue(Number(row.Nps))
                    .AppendValue(Number(row.Csat))
                    .AppendValue(Number(row.Ces))
                    .AppendValue(Number(row.FirstContactResolution))
                    .AppendValue(chunk.Text(row.Ticket))
                    .AppendValue(row.CostE4 == InteractionChunk.NoAmount ? (decimal?)null : row.CostE4 / 10_000m)
                    .AppendValue(Number(row.WaitSeconds))
                    .AppendValue(Number(row.Resolved))
                    .AppendValue(row.CustomerId)
                    .AppendValue((DateTime?)null)
                    .AppendValue((DateTime?)null)
                    .AppendValue((DateTime?)null)
                    .AppendValue(0L)
                    .AppendValue(0L)
                    .AppendValue((string?)null)
                    .AppendValue((double?)null)
                    .AppendValue((double?)null)
                    .AppendValue((double?)null)
                    .AppendValue((double?)null)
                    .AppendValue((string?)null)
                    .AppendValue((string?)null)
                    .EndRow();
            }
        }

        AnalyticsSchema.SaveState(store, transaction, state);
        transaction.Commit();
    }

    private static int? Number(int value) => value == InteractionChunk.NoNumber ? null : value;

    private static void AppendMerges(DuckDBConnection store, List<SourceMerge> rows, SyncState state)
    {
        using var transaction = store.BeginTransaction();
        using (var appender = store.CreateAppender("customer_merges"))
        {
            foreach (var row in rows)
            {
                appender.CreateRow()
                    .AppendValue(row.Seq)
                    .AppendValue(row.WorkspaceId)
                    .AppendValue(row.SurvivorId)
                    .AppendValue(row.AbsorbedId)
                    .AppendValue(AsUtc(row.OccurredAt))
                    .EndRow();
            }
        }

        AnalyticsSchema.SaveState(store, transaction, state);
        transaction.Commit();
    }

    /// <summary>Stored times are UTC; an unspecified kind is taken as UTC, a local one is converted.</summary>
    internal static DateTime AsUtc(DateTime time) => time.Kind switch
    {
        DateTimeKind.Utc => time,
        DateTimeKind.Local => time.ToUniversalTime(),
        _ => DateTime.SpecifyKind(time, DateTimeKind.Utc),
    };

    private readonly record struct SourceMerge(long Seq, long WorkspaceId, long SurvivorId, long AbsorbedId, DateTime OccurredAt);
}
