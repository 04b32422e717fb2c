using System.Runtime.InteropServices;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Profiles;
using OpenCxo.Data.Storage;

namespace OpenCxo.Data.Ingest;

/// <summary>
/// One open transaction of the ingest writer, for one workspace: any number of batches are written into it, each
/// deduplicated against what is stored (including earlier batches of the same transaction) and resolved with the
/// workspace's cached identity graph. Disposing without <see cref="CommitAsync"/> rolls back, and drops the cached
/// graph, which may then hold what was rolled back.
/// </summary>
internal sealed class IngestTransaction(IIngestBatch batch, CachedGraph cached, TimeProvider time) : IAsyncDisposable
{
    /// <summary>Gathered traits and customers after which they are written before the commit.</summary>
    private const int ProfileWriteThreshold = 100_000;

    private readonly Dictionary<(long CustomerId, string Name), TraitWrite> _traits = [];
    private readonly HashSet<long> _touched = [];
    private bool _wrote;
    private bool _ended;

    public async Task<IngestOutcome> WriteAsync(IReadOnlyList<CanonicalEvent> events, CancellationToken cancellationToken)
    {
        var graph = cached.Graph;

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

        // Ids the filter has never seen are new for certain; only the others are looked up.
        var filter = cached.EventIds;
        var unsureIds = fresh.Select(i => events[i].Id).Where(id => filter?.MayContain(id) != false).ToList();
        var stored = unsureIds.Count == 0
            ? []
            : await batch.ExistingEventIdsAsync(unsureIds, cancellationToken).ConfigureAwait(false);
        if (stored.Count > 0)
        {
            duplicates.AddRange(fresh.Where(i => stored.Contains(events[i].Id)));
            fresh.RemoveAll(i => stored.Contains(events[i].Id));
            duplicates.Sort();
        }

        if (fresh.Count == 0)
        {
            return new IngestOutcome(0, duplicates);
        }

        _wrote = true;
        if (filter is not null)
        {
            foreach (var i in fresh)
            {
                filter.Add(events[i].Id);
            }
        }

        var unknown = new HashSet<IdentityKey>();
        foreach (var i in fresh)
        {
            var keys = events[i].Identities;
            for (var k = 0; k < keys.Count; k++)
            {
                if (!graph.Knows(keys[k]))
                {
                    unknown.Add(keys[k]);
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
        foreach (var (customerId, _) in changes.Spans)
        {
            _touched.Add(customerId);
        }

        CollectTraits(accepted, owners);
        await batch.WriteAsync(new IngestWrite(changes, accepted, owners, time.GetUtcNow().UtcDateTime), cancellationToken).ConfigureAwait(false);
        if (_traits.Count + _touched.Count > ProfileWriteThreshold)
        {
            // Bounds memory in long transactions (after the batch's customers and merges are stored); upserts keep
            // the latest value whenever they are written.
            await batch.WriteProfilesAsync(Profiles(), cancellationToken).ConfigureAwait(false);
            _traits.Clear();
            _touched.Clear();
        }

        return new IngestOutcome(accepted.Count, duplicates);
    }

    /// <summary>
    /// Writes the profile changes gathered over the transaction (latest traits, first and last touchpoints: once per
    /// customer, not once per batch) and commits; a transaction that stored nothing new is rolled back instead,
    /// leaving the ingest generation as it was.
    /// </summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (_wrote)
        {
            await batch.WriteProfilesAsync(Profiles(), cancellationToken).ConfigureAwait(false);
        }

        if (_wrote && cached.EventIds is { } filter)
        {
            // Nobody else writes while this transaction holds the writer lock: the filter has every id up to here.
            filter.Seq = await batch.MaxSeqAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_wrote)
        {
            cached.Generation = await batch.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await batch.RollbackAsync(cancellationToken).ConfigureAwait(false);
        }

        // Only now: a failed commit leaves the cache to be dropped by DisposeAsync.
        _ended = true;
    }

    /// <summary>
    /// Keeps, per customer and trait, the value observed at the latest event time (ties: the greater JSON text, so
    /// arrival order never matters). Times are compared at the microsecond precision storage keeps.
    /// </summary>
    private void CollectTraits(List<CanonicalEvent> events, long[] owners)
    {
        for (var n = 0; n < events.Count; n++)
        {
            var fields = events[n].ProfileFields;
            if (fields.Count == 0)
            {
                continue;
            }

            var observedAt = UnixMicros.ToDateTime(UnixMicros.From(events[n].OccurredAt));
            foreach (var field in fields)
            {
                ref var current = ref CollectionsMarshal.GetValueRefOrAddDefault(_traits, (owners[n], field.Name), out _);
                if (current is null || TraitWrite.Supersedes(observedAt, field.ValueJson, current))
                {
                    current = new TraitWrite(owners[n], field.Name, field.ValueJson, observedAt);
                }
            }
        }
    }

    /// <summary>The gathered traits and spans, each moved to the live customer: some may have been merged since.</summary>
    private ProfileWrite Profiles()
    {
        var graph = cached.Graph;
        var traits = new Dictionary<(long, string), TraitWrite>(_traits.Count);
        foreach (var trait in _traits.Values)
        {
            var live = graph.Find(trait.CustomerId);
            var candidate = live == trait.CustomerId ? trait : trait with { CustomerId = live };
            ref var current = ref CollectionsMarshal.GetValueRefOrAddDefault(traits, (live, trait.Name), out _);
            if (current is null || candidate.IsNewerThan(current))
            {
                current = candidate;
            }
        }

        var spans = _touched.Select(graph.Find).Distinct().Select(id => (id, graph.SpanOf(id))).ToList();
        return new ProfileWrite([.. traits.Values], spans);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_ended)
        {
            cached.Graph.Clear();
            cached.Generation = -1;
            cached.EventIds = null;
        }

        await batch.DisposeAsync().ConfigureAwait(false);
    }
}
