using OpenCxo.Core.Ingest;
using OpenCxo.Core.Profiles;
using OpenCxo.Data.Storage;

namespace OpenCxo.Data.Ingest;

/// <summary>
/// Stores validated events: drops those whose id the workspace already has, ties each to one customer with the
/// rules of <see cref="IdentityGraph"/>, and writes customers, identities, merges, traits and interactions through
/// the provider's bulk path (SQLite prepared statements, PostgreSQL binary COPY).
/// <para>
/// One instance per database and process, and one writer at a time: in-process by a semaphore, across processes by
/// the database (SQLite's write lock, a PostgreSQL advisory lock), so two requests racing with the same event id
/// store it once. Requests that queue up behind the writer are written together in one transaction (group commit):
/// with random index inserts, what a transaction costs is mostly the index pages it dirties, not its rows. A bulk
/// import opens an <see cref="IngestSession"/>, which keeps one transaction open over many batches.
/// </para>
/// <para>
/// The identity graph of each workspace is cached between transactions and dropped when another writer has
/// committed in between (the ingest generation changed) or when it grows past <see cref="CacheLimit"/> keys.
/// </para>
/// </summary>
public sealed class EventIngestor(CxoDbFactory factory, TimeProvider time) : IAsyncDisposable
{
    /// <summary>Identity keys kept in memory per workspace before the cache is dropped (bounds memory on huge imports).</summary>
    public int CacheLimit { get; init; } = 1_000_000;

    /// <summary>Most events written in one transaction for queued requests.</summary>
    public int GroupLimit { get; init; } = 50_000;

    /// <summary>Most stored event ids read to build or catch up a workspace's filter (about 1 s of reading).</summary>
    public int EventIdFilterLimit { get; init; } = 2_000_000;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _queueLock = new();
    private readonly List<Job> _queue = [];
    private readonly Dictionary<long, CachedGraph> _graphs = [];
    private IIngestStore? _store;

    /// <summary>Stores one batch durably: the outcome is returned once its transaction has committed.</summary>
    public async Task<IngestOutcome> IngestAsync(long workspaceId, IReadOnlyList<CanonicalEvent> events, CancellationToken cancellationToken = default)
    {
        if (events.Count == 0)
        {
            return new IngestOutcome(0, []);
        }

        var job = new Job(workspaceId, events);
        lock (_queueLock)
        {
            _queue.Add(job);
        }

        try
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            lock (_queueLock)
            {
                if (_queue.Remove(job))
                {
                    throw;
                }
            }

            // Another writer has already taken the job into its transaction.
            return await job.Outcome.Task.ConfigureAwait(false);
        }

        try
        {
            // Every queued job of the first job's workspace, in arrival order, up to the group limit; the loop ends
            // because this caller's own job is queued.
            while (!job.Outcome.Task.IsCompleted)
            {
                await WriteGroupAsync(TakeGroup()).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }

        return await job.Outcome.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// Starts a bulk import into one workspace: batches are written into a transaction that is committed every
    /// <paramref name="commitEvery"/> events (sooner when other requests are waiting), and at <see cref="IngestSession.CommitAsync"/>.
    /// </summary>
    public IngestSession BeginSession(long workspaceId, int commitEvery = 250_000) => new(this, workspaceId, commitEvery);

    private List<Job> TakeGroup()
    {
        lock (_queueLock)
        {
            var workspaceId = _queue[0].WorkspaceId;
            var group = new List<Job>();
            var events = 0;
            for (var i = 0; i < _queue.Count && (group.Count == 0 || events + _queue[i].Events.Count <= GroupLimit); i++)
            {
                if (_queue[i].WorkspaceId == workspaceId)
                {
                    group.Add(_queue[i]);
                    events += _queue[i].Events.Count;
                }
            }

            _queue.RemoveAll(group.Contains);
            return group;
        }
    }

    /// <summary>Whether requests are queued for the writer (an import session then commits early to let them in).</summary>
    internal bool HasWaiters
    {
        get
        {
            lock (_queueLock)
            {
                return _queue.Count > 0;
            }
        }
    }

    private async Task WriteGroupAsync(List<Job> group)
    {
        // Queued callers' jobs are in this transaction: one caller's cancellation must not fail the others.
        IngestTransaction transaction;
        try
        {
            transaction = await OpenAsync(group[0].WorkspaceId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            foreach (var job in group)
            {
                job.Outcome.TrySetException(e);
            }

            return;
        }

        try
        {
            var outcomes = new List<IngestOutcome>(group.Count);
            foreach (var job in group)
            {
                outcomes.Add(await transaction.WriteAsync(job.Events, CancellationToken.None).ConfigureAwait(false));
            }

            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            for (var i = 0; i < group.Count; i++)
            {
                group[i].Outcome.TrySetResult(outcomes[i]);
            }
        }
        catch (Exception e)
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            if (group.Count == 1)
            {
                group[0].Outcome.TrySetException(e);
                return;
            }

            // One request's failure must not fail the others it was grouped with: each again, alone.
            foreach (var job in group)
            {
                await WriteGroupAsync([job]).ConfigureAwait(false);
            }

            return;
        }

        await transaction.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Begins a transaction for one workspace; the caller holds the gate.</summary>
    private async Task<IngestTransaction> OpenAsync(long workspaceId, CancellationToken cancellationToken)
    {
        _store ??= factory.Location.Provider == DatabaseProvider.Sqlite
            ? new SqliteIngestStore(factory.Location)
            : new PostgresIngestStore(factory.Location);
        if (!_graphs.TryGetValue(workspaceId, out var cached))
        {
            cached = new CachedGraph();
            _graphs[workspaceId] = cached;
        }

        var batch = await _store.BeginAsync(workspaceId, cancellationToken).ConfigureAwait(false);
        var transaction = new IngestTransaction(batch, cached, time);
        try
        {
            var generation = await batch.ReadGenerationAsync(cancellationToken).ConfigureAwait(false);
            if (generation != cached.Generation || cached.Graph.KeyCount > CacheLimit)
            {
                cached.Graph.Clear();
            }

            await RefreshEventIdsAsync(batch, cached, generation != cached.Generation, cancellationToken).ConfigureAwait(false);

            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync().ConfigureAwait(false);
        }

        _gate.Dispose();
    }

    /// <summary>
    /// Builds the workspace's event-id filter on first use (when it holds at most <see cref="EventIdFilterLimit"/>
    /// events), or adds what other writers stored since it was last read.
    /// </summary>
    private async Task RefreshEventIdsAsync(IIngestBatch batch, CachedGraph cached, bool othersWrote, CancellationToken cancellationToken)
    {
        if (cached.TooManyEventIds || (cached.EventIds is not null && !othersWrote))
        {
            return;
        }

        var filter = cached.EventIds ?? new EventIdFilter();
        cached.EventIds = null;
        if (await batch.LoadEventIdsAsync(filter, EventIdFilterLimit, cancellationToken).ConfigureAwait(false))
        {
            cached.EventIds = filter;
        }
        else
        {
            cached.TooManyEventIds = true;
        }
    }

    private sealed class Job(long workspaceId, IReadOnlyList<CanonicalEvent> events)
    {
        public long WorkspaceId { get; } = workspaceId;
        public IReadOnlyList<CanonicalEvent> Events { get; } = events;
        public TaskCompletionSource<IngestOutcome> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>An import session's way in: the gate, and transactions, without the queue.</summary>
    internal async Task<IngestTransaction> EnterAsync(long workspaceId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await OpenAsync(workspaceId, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _gate.Release();
            throw;
        }
    }

    internal void Leave() => _gate.Release();
}

/// <summary>What the writer keeps of a workspace between transactions, valid while <see cref="Generation"/> is the stored one.</summary>
internal sealed class CachedGraph
{
    public IdentityGraph Graph { get; } = new();
    public long Generation { get; set; } = -1;

    /// <summary>The workspace's stored event ids, or null: not built yet, dropped after a failure, or too many to read.</summary>
    public EventIdFilter? EventIds { get; set; }

    /// <summary>Set once the workspace held more ids than the writer reads to build a filter: it checks storage instead.</summary>
    public bool TooManyEventIds { get; set; }
}

/// <summary>How many events of a batch were stored, and the positions of those that were duplicates.</summary>
public sealed record IngestOutcome(int Accepted, IReadOnlyList<int> Duplicates);

internal sealed record TraitWrite(long CustomerId, string Name, string ValueJson, DateTime ObservedAt)
{
    public bool IsNewerThan(TraitWrite other) => Supersedes(ObservedAt, ValueJson, other);

    /// <summary>Whether a value observed at <paramref name="observedAt"/> replaces <paramref name="current"/> (the rule of <see cref="IngestSql.TraitUpsert"/>).</summary>
    public static bool Supersedes(DateTime observedAt, string valueJson, TraitWrite current) =>
        observedAt > current.ObservedAt || (observedAt == current.ObservedAt && CompareAsUtf8(valueJson, current.ValueJson) > 0);

    /// <summary>Orders strings as SQLite's BINARY and PostgreSQL's "C" collation do: by UTF-8 bytes, i.e. by Unicode scalar value.</summary>
    private static int CompareAsUtf8(string a, string b)
    {
        var left = a.EnumerateRunes();
        var right = b.EnumerateRunes();
        while (true)
        {
            var hasLeft = left.MoveNext();
            var hasRight = right.MoveNext();
            if (!hasLeft || !hasRight)
            {
                return hasLeft.CompareTo(hasRight);
            }

            var order = left.Current.Value.CompareTo(right.Current.Value);
            if (order != 0)
            {
                return order;
            }
        }
    }
}

/// <summary>One batch's rows: new customers, merges and identities (spans in <see cref="IdentityChanges.Spans"/> are not used), and interactions.</summary>
internal sealed record IngestWrite(
    IdentityChanges Changes,
    IReadOnlyList<CanonicalEvent> Events,
    long[] Owners,
    DateTime ReceivedAt);

/// <summary>A transaction's profile changes, one per live customer (and trait): latest traits and widened spans.</summary>
internal sealed record ProfileWrite(IReadOnlyList<TraitWrite> Traits, IReadOnlyList<(long CustomerId, CustomerSpan Span)> Spans);

/// <summary>A provider's bulk path. A store outlives batches (prepared statements, connection); a batch is one transaction.</summary>
internal interface IIngestStore : IAsyncDisposable
{
    Task<IIngestBatch> BeginAsync(long workspaceId, CancellationToken cancellationToken);
}

internal interface IIngestBatch : IAsyncDisposable
{
    Task<long> ReadGenerationAsync(CancellationToken cancellationToken);

    Task<HashSet<string>> ExistingEventIdsAsync(IReadOnlyList<string> eventIds, CancellationToken cancellationToken);

    /// <summary>
    /// Adds to the filter the workspace's event ids stored after <see cref="EventIdFilter.Seq"/> and moves its seq to
    /// the highest stored; false (filter unusable) when there are more than <paramref name="limit"/>.
    /// </summary>
    Task<bool> LoadEventIdsAsync(EventIdFilter filter, int limit, CancellationToken cancellationToken);

    /// <summary>The highest interaction seq of any workspace (seen by this transaction).</summary>
    Task<long> MaxSeqAsync(CancellationToken cancellationToken);

    /// <summary>Remembers in the graph those keys storage knows, with their customer's first and last touchpoint.</summary>
    Task LoadIdentitiesAsync(IReadOnlyCollection<IdentityKey> keys, IdentityGraph graph, CancellationToken cancellationToken);

    Task<long> MaxCustomerIdAsync(CancellationToken cancellationToken);

    Task WriteAsync(IngestWrite write, CancellationToken cancellationToken);

    /// <summary>Upserts traits (latest observation wins) and widens customers' first and last touchpoints.</summary>
    Task WriteProfilesAsync(ProfileWrite write, CancellationToken cancellationToken);

    /// <summary>Bumps and returns the workspace's ingest generation, and commits.</summary>
    Task<long> CommitAsync(CancellationToken cancellationToken);

    Task RollbackAsync(CancellationToken cancellationToken);
}
