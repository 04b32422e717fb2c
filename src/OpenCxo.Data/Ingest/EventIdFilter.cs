namespace OpenCxo.Data.Ingest;

/// <summary>
/// The event ids a workspace has stored, as a Bloom filter: "not there" is certain, "maybe there" is checked against
/// the event-id index. New events are nearly all "not there", so duplicate checks mostly never reach storage.
/// <para>
/// The filter grows by adding Bloom filters of doubling capacity (each about 1 % false positives), so it never
/// needs the ids again. <see cref="Seq"/> is the highest interaction seq it has seen: rows of other writers are
/// caught up by seq, which grows in commit order because every writer holds the ingest lock (decision 004).
/// </para>
/// </summary>
internal sealed class EventIdFilter
{
    /// <summary>Bits per id of each filter, and probes per id: about 1 % false positives at capacity.</summary>
    private const int BitsPerId = 10;
    private const int Probes = 7;

    private readonly List<Bloom> _blooms = [new(1 << 16)];

    public long Seq { get; set; }

    public long Count { get; private set; }

    public bool MayContain(string id)
    {
        var (h1, h2) = Hash(id);
        foreach (var bloom in _blooms)
        {
            if (bloom.MayContain(h1, h2))
            {
                return true;
            }
        }

        return false;
    }

    public void Add(string id)
    {
        var last = _blooms[^1];
        if (last.Count >= last.Capacity)
        {
            last = new Bloom(last.Capacity * 2);
            _blooms.Add(last);
        }

        var (h1, h2) = Hash(id);
        last.Add(h1, h2);
        Count++;
    }

    /// <summary>Two 32-bit hashes from FNV-1a over the UTF-16 code units (double hashing gives the probes).</summary>
    private static (uint H1, uint H2) Hash(string id)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in id)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        // FNV's low bits mix poorly for short keys; a final avalanche (from MurmurHash3) spreads them.
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        hash *= 0xc4ceb9fe1a85ec53UL;
        hash ^= hash >> 33;
        return ((uint)hash, (uint)(hash >> 32) | 1);
    }

    private sealed class Bloom(int capacity)
    {
        private readonly ulong[] _bits = new ulong[Math.Max(1, (int)(((long)capacity * BitsPerId + 63) / 64))];

        public int Capacity { get; } = capacity;

        public int Count { get; private set; }

        private ulong Size => (ulong)_bits.Length * 64;

        public bool MayContain(uint h1, uint h2)
        {
            for (uint i = 0; i < Probes; i++)
            {
                var bit = (h1 + (i * h2)) % Size;
                if ((_bits[bit >> 6] & (1UL << (int)(bit & 63))) == 0)
                {
                    return false;
                }
            }

            return true;
        }

        public void Add(uint h1, uint h2)
        {
            for (uint i = 0; i < Probes; i++)
            {
                var bit = (h1 + (i * h2)) % Size;
                _bits[bit >> 6] |= 1UL << (int)(bit & 63);
            }

            Count++;
        }
    }
}
