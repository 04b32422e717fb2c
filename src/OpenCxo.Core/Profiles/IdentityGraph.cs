namespace OpenCxo.Core.Profiles;

/// <summary>
/// The identity-resolution rules, with no storage: identity keys point to customers; an event whose keys point
/// to several customers merges them into the one seen first (earliest first touchpoint, then lowest id), and
/// the others are absorbed. Because merging is a union of connected identities and "first seen" is a minimum,
/// the customers that result do not depend on the order events arrive in.
/// <para>
/// A storage engine loads the keys a batch needs (<see cref="Remember"/>), calls <see cref="Resolve"/> for each
/// new event and writes what <see cref="TakeChanges"/> returns. The graph can be kept between batches as a cache
/// and dropped at any time (<see cref="Clear"/>): the storage holds the truth.
/// </para>
/// </summary>
public sealed class IdentityGraph
{
    private readonly Dictionary<IdentityKey, long> _owners = [];
    private readonly Dictionary<long, CustomerSpan> _spans = [];
    private readonly Dictionary<long, long> _absorbedBy = [];

    private readonly List<long> _newCustomers = [];
    private readonly List<(IdentityKey Key, long CustomerId)> _newIdentities = [];
    private readonly List<CustomerMerge> _merges = [];
    private readonly HashSet<long> _touched = [];

    public int KeyCount => _owners.Count;

    public bool Knows(IdentityKey key) => _owners.ContainsKey(key);

    /// <summary>Loads what storage already knows: this key belongs to this live customer.</summary>
    public void Remember(IdentityKey key, long customerId, DateTime firstSeen, DateTime lastSeen)
    {
        _owners[key] = customerId;
        _spans.TryAdd(customerId, new CustomerSpan(firstSeen, lastSeen));
    }

    /// <summary>The live customer a (possibly absorbed) customer id now belongs to.</summary>
    public long Find(long customerId)
    {
        var root = customerId;
        while (_absorbedBy.TryGetValue(root, out var parent))
        {
            root = parent;
        }

        // Path compression keeps later look-ups short after chains of merges.
        while (customerId != root && _absorbedBy.TryGetValue(customerId, out var parent))
        {
            _absorbedBy[customerId] = root;
            customerId = parent;
        }

        return root;
    }

    public CustomerSpan SpanOf(long customerId) => _spans[Find(customerId)];

    /// <summary>
    /// Ties an event to one customer, creating or merging customers as the rules say. Every key must already be
    /// remembered if storage knows it; an unknown key is a new identity.
    /// </summary>
    public long Resolve(IReadOnlyList<IdentityKey> keys, DateTime occurredAt, string eventId, Func<long> newCustomerId)
    {
        ArgumentOutOfRangeException.ThrowIfZero(keys.Count);
        long survivor = 0;
        List<long>? others = null;
        // Indexed loops: foreach over an IReadOnlyList boxes an enumerator, twice per event on the writer's hot path.
        for (var k = 0; k < keys.Count; k++)
        {
            if (!_owners.TryGetValue(keys[k], out var owner))
            {
                continue;
            }

            owner = Find(owner);
            if (survivor == 0)
            {
                survivor = owner;
            }
            else if (owner != survivor)
            {
                others ??= [];
                if (!others.Contains(owner))
                {
                    others.Add(owner);
                }
            }
        }

        if (survivor == 0)
        {
            survivor = newCustomerId();
            _spans[survivor] = new CustomerSpan(occurredAt, occurredAt);
            _newCustomers.Add(survivor);
        }
        else if (others is not null)
        {
            survivor = Merge(survivor, others, eventId, occurredAt);
        }

        for (var k = 0; k < keys.Count; k++)
        {
            if (_owners.TryAdd(keys[k], survivor))
            {
                _newIdentities.Add((keys[k], survivor));
            }
        }

        _spans[survivor] = _spans[survivor].Including(occurredAt);
        _touched.Add(survivor);
        return survivor;
    }

    private long Merge(long first, List<long> others, string eventId, DateTime occurredAt)
    {
        others.Add(first);
        var survivor = others.MinBy(id => (_spans[id].FirstSeen, id));
        foreach (var absorbed in others.Where(id => id != survivor).OrderBy(id => id))
        {
            _absorbedBy[absorbed] = survivor;
            _spans[survivor] = _spans[survivor].Union(_spans[absorbed]);
            _merges.Add(new CustomerMerge(survivor, absorbed, eventId, occurredAt));
            _touched.Remove(absorbed);
        }

        return survivor;
    }

    /// <summary>What changed since the last call, with every customer id already pointing at the live customer.</summary>
    public IdentityChanges TakeChanges()
    {
        var changes = new IdentityChanges(
            [.. _newCustomers.Select(id => new NewCustomer(id, Find(id) == id ? null : Find(id), _spans[id]))],
            [.. _newIdentities.Select(x => (x.Key, Find(x.CustomerId)))],
            [.. _merges],
            [.. _touched.Select(Find).Distinct().Select(id => (id, _spans[id]))]);
        _newCustomers.Clear();
        _newIdentities.Clear();
        _merges.Clear();
        _touched.Clear();
        return changes;
    }

    /// <summary>Forgets everything cached (after another writer changed storage, or to bound memory).</summary>
    public void Clear()
    {
        _owners.Clear();
        _spans.Clear();
        _absorbedBy.Clear();
        _newCustomers.Clear();
        _newIdentities.Clear();
        _merges.Clear();
        _touched.Clear();
    }
}

/// <summary>The first and last touchpoint of a customer.</summary>
public readonly record struct CustomerSpan(DateTime FirstSeen, DateTime LastSeen)
{
    public CustomerSpan Including(DateTime time) =>
        new(time < FirstSeen ? time : FirstSeen, time > LastSeen ? time : LastSeen);

    public CustomerSpan Union(CustomerSpan other) => Including(other.FirstSeen).Including(other.LastSeen);
}

/// <summary>Customer <see cref="AbsorbedId"/> became part of <see cref="SurvivorId"/> because of event <see cref="EventId"/>.</summary>
public sealed record CustomerMerge(long SurvivorId, long AbsorbedId, string EventId, DateTime OccurredAt);

/// <summary>
/// A customer created in this batch; <see cref="MergedInto"/> is set when it was absorbed before the batch ended,
/// and then <see cref="Span"/> is what it had when absorbed.
/// </summary>
public sealed record NewCustomer(long Id, long? MergedInto, CustomerSpan Span);

public sealed record IdentityChanges(
    IReadOnlyList<NewCustomer> NewCustomers,
    IReadOnlyList<(IdentityKey Key, long CustomerId)> NewIdentities,
    IReadOnlyList<CustomerMerge> Merges,
    IReadOnlyList<(long CustomerId, CustomerSpan Span)> Spans);
