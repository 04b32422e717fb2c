using OpenCxo.Core.Ingest;
using OpenCxo.Core.Profiles;
using OpenCxo.Data.Storage;

namespace OpenCxo.Data.Ingest;

/// <summary>
/// Stores validated events: drops those whose id the workspace already has, ties each to one customer with the
/// rules of <see cref="IdentityGraph"/>, and writes customers, identities, merges, traits and interactions in one
/// transaction per batch, through the provider's bulk path (SQLite prepared statements, PostgreSQL binary COPY).
/// <para>
/// One instance per database and process. Batches are serialised: in-process by a semaphore, across processes by
/// the database (SQLite's write lock, a PostgreSQL advisory lock), so two requests racing with the same event id
/// store it once. The identity graph of each workspace is cached between batches and dropped when another writer
/// has committed in between (the ingest generation changed) or when it grows past <see cref="CacheLimit"/> keys.
/// </para>
/// </summary>
public sealed class EventIngestor(CxoDbFactory factory, TimeProvider time) : IAsyncDisposable
{
    /// <summary>Identity keys kept in memory per workspace before the cache is dropped (bounds memory on huge imports).</summary>
    public int CacheLimit { get; init; } = 1_000_000;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<long, CachedGraph> _graphs = [];
    private IIngestStore? _store;

    public async Task<IngestOutcome> IngestAsync(long workspaceId, IReadOnlyList<CanonicalEvent> events, CancellationToken cancellationToken = default)
    {
        if (events.Count == 0)
        {
            return new IngestOutcome(0, []);
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _store ??= factory.Location.Provider == DatabaseProvider.Sqlite
                ? new SqliteIngestStore(factory.Location)
                : new PostgresIngestStore(factory.Location);
            return await IngestLockedAsync(_store, workspaceId, events, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<IngestOutcome> IngestLockedAsync(IIngestStore store, long workspaceId, IReadOnlyList<CanonicalEvent> events, CancellationToken cancellationToken)
    {
        if (!_graphs.TryGetValue(workspaceId, out var cached))
        {
            cached = new CachedGraph();
            _graphs[workspaceId] = cached;
        }

        var graph = cached.Graph;
        await using var batch = await store.BeginAsync(workspaceId, cancellationToken).ConfigureAwait(false);
        try
        {
            var generation = await batch.ReadGenerationAsync(cancellationToken).ConfigureAwait(false);
            if (generation != cached.Generation || graph.KeyCount > CacheLimit)
            {
                graph.Clear();
            }

            // Duplicates: an id seen earlier in this batch, or already stored.
            var duplicates = new List<int>();
            var fresh = new List<int>(events.Count);
            var seen = new HashSet<string>(events.Count, StringComparer.Ordinal);
            for (var i = 0; i < events.Count; i++)
            {
                if (seen.Add(events[i].Id))
                {
                    fresh.Add(i);
                }
                else
                {
                    duplicates.Add(i);
                }
            }

            var stored = await batch.ExistingEventIdsAsync([.. fresh.Select(i => events[i].Id)], cancellationToken).ConfigureAwait(false);
            if (stored.Count > 0)
            {
                duplicates.AddRange(fresh.Where(i => stored.Contains(events[i].Id)));
                fresh.RemoveAll(i => stored.Contains(events[i].Id));
                duplicates.Sort();
            }

            if (fresh.Count == 0)
            {
                await batch.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return new IngestOutcome(0, duplicates);
            }

            var unknown = new HashSet<IdentityKey>();
            foreach (var i in fresh)
            {
                foreach (var key in events[i].Identities)
                {
                    if (!graph.Knows(key))
                    {
                        unknown.Add(key);
                    }
                }
            }

            await batch.LoadIdentitiesAsync(unknown, graph, cancellationToken).ConfigureAwait(false);
            var nextCustomerId = await batch.MaxCustomerIdAsync(cancellationToken).ConfigureAwait(false);
            var accepted = new List<CanonicalEvent>(fresh.Count);
            var owners = new long[fresh.Count];
            for (var n = 0; n < fresh.Count; n++)
            {
                var e = events[fresh[n]];
                owners[n] = graph.Resolve(e.Identities, e.OccurredAt, e.Id, () => ++nextCustomerId);
                accepted.Add(e);
            }

            // Owners may have been merged by a later event of the batch: point every row at the live customer.
            for (var n = 0; n < owners.Length; n++)
            {
                owners[n] = graph.Find(owners[n]);
            }

            var changes = graph.TakeChanges();
            var traits = LatestTraits(accepted, owners);
            await batch.WriteAsync(new IngestWrite(changes, accepted, owners, traits, time.GetUtcNow().UtcDateTime), cancellationToken).ConfigureAwait(false);
            cached.Generation = await batch.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new IngestOutcome(accepted.Count, duplicates);
        }
        catch
        {
            // The cache may hold what was just rolled back.
            graph.Clear();
            cached.Generation = -1;
            throw;
        }
    }

    /// <summary>
    /// Per customer and trait, the value observed at the latest event time (ties: the greater JSON text, so arrival order
    /// never matters). Times are compared at the microsecond precision storage keeps.
    /// </summary>
    private static List<TraitWrite> LatestTraits(List<CanonicalEvent> events, long[] owners)
    {
        Dictionary<(long, string), TraitWrite>? latest = null;
        for (var n = 0; n < events.Count; n++)
        {
            foreach (var field in events[n].ProfileFields)
            {
                latest ??= [];
                var candidate = new TraitWrite(owners[n], field.Name, field.ValueJson, UnixMicros.ToDateTime(UnixMicros.From(events[n].OccurredAt)));
                if (!latest.TryGetValue((owners[n], field.Name), out var current) || candidate.IsNewerThan(current))
                {
                    latest[(owners[n], field.Name)] = candidate;
                }
            }
        }

        return latest is null ? [] : [.. latest.Values];
    }

    public async ValueTask DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync().ConfigureAwait(false);
        }

        _gate.Dispose();
    }

    private sealed class CachedGraph
    {
        public IdentityGraph Graph { get; } = new();
        public long Generation { get; set; } = -1;
    }
}

/// <summary>How many events of a batch were stored, and the positions of those that were duplicates.</summary>
public sealed record IngestOutcome(int Accepted, IReadOnlyList<int> Duplicates);

internal sealed record TraitWrite(long CustomerId, string Name, string ValueJson, DateTime ObservedAt)
{
    public bool IsNewerThan(TraitWrite other) =>
        ObservedAt > other.ObservedAt || (ObservedAt == other.ObservedAt && CompareAsUtf8(ValueJson, other.ValueJson) > 0);

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

internal sealed record IngestWrite(
    IdentityChanges Changes,
    IReadOnlyList<CanonicalEvent> Events,
    long[] Owners,
    IReadOnlyList<TraitWrite> Traits,
    DateTime ReceivedAt);

/// <summary>A provider's bulk path. A store outlives batches (prepared statements, connection); a batch is one transaction.</summary>
internal interface IIngestStore : IAsyncDisposable
{
    Task<IIngestBatch> BeginAsync(long workspaceId, CancellationToken cancellationToken);
}

internal interface IIngestBatch : IAsyncDisposable
{
    Task<long> ReadGenerationAsync(CancellationToken cancellationToken);

    Task<HashSet<string>> ExistingEventIdsAsync(IReadOnlyList<string> eventIds, CancellationToken cancellationToken);

    /// <summary>Remembers in the graph those keys storage knows, with their customer's first and last touchpoint.</summary>
    Task LoadIdentitiesAsync(IReadOnlyCollection<IdentityKey> keys, IdentityGraph graph, CancellationToken cancellationToken);

    Task<long> MaxCustomerIdAsync(CancellationToken cancellationToken);

    Task WriteAsync(IngestWrite write, CancellationToken cancellationToken);

    /// <summary>Bumps and returns the workspace's ingest generation, and commits.</summary>
    Task<long> CommitAsync(CancellationToken cancellationToken);

    Task RollbackAsync(CancellationToken cancellationToken);
}
