using OpenCxo.Core.Profiles;

namespace OpenCxo.Core.Tests.Profiles;

public class IdentityGraphTests
{
    private static readonly DateTime T0 = new(2026, 3, 2, 9, 0, 0, DateTimeKind.Utc);

    private static readonly IdentityKey Ana = IdentityKey.Email("ana@example.com");
    private static readonly IdentityKey AnaPhone = IdentityKey.Phone("+34600111222");
    private static readonly IdentityKey AnaCrm = IdentityKey.External("crm", "C-1001");
    private static readonly IdentityKey Bob = IdentityKey.Email("bob@example.com");

    private static DateTime At(int minutes) => T0.AddMinutes(minutes);

    /// <summary>Hands out customer ids 1, 2, 3… as storage would.</summary>
    private sealed class Ids
    {
        public long Last { get; private set; }

        public long Next() => ++Last;
    }

    [Fact]
    public void Unknown_keys_make_a_new_customer()
    {
        var graph = new IdentityGraph();
        var ids = new Ids();

        var customer = graph.Resolve([Ana, AnaPhone], At(0), "e1", ids.Next);

        Assert.Equal(1, customer);
        Assert.Equal(2, graph.KeyCount);
        Assert.True(graph.Knows(Ana));
        Assert.False(graph.Knows(Bob));
        Assert.Equal(new CustomerSpan(At(0), At(0)), graph.SpanOf(customer));
        var changes = graph.TakeChanges();
        Assert.Equal([new NewCustomer(1, null, new CustomerSpan(At(0), At(0)))], changes.NewCustomers);
        Assert.Equal([(Ana, 1L), (AnaPhone, 1L)], changes.NewIdentities);
        Assert.Empty(changes.Merges);
        Assert.Equal([(1L, new CustomerSpan(At(0), At(0)))], changes.Spans);
    }

    [Fact]
    public void Same_key_is_the_same_customer()
    {
        var graph = new IdentityGraph();
        var ids = new Ids();

        var first = graph.Resolve([Ana], At(10), "e1", ids.Next);
        var second = graph.Resolve([Ana], At(5), "e2", ids.Next);
        var third = graph.Resolve([Ana, AnaPhone], At(20), "e3", ids.Next);

        Assert.Equal(first, second);
        Assert.Equal(first, third);
        Assert.Equal(1, ids.Last);
        Assert.Equal(new CustomerSpan(At(5), At(20)), graph.SpanOf(first));
    }

    [Fact]
    public void Different_keys_are_different_customers()
    {
        var graph = new IdentityGraph();
        var ids = new Ids();

        Assert.Equal(1, graph.Resolve([Ana], At(0), "e1", ids.Next));
        Assert.Equal(2, graph.Resolve([Bob], At(0), "e2", ids.Next));
    }

    [Fact]
    public void Event_with_keys_of_two_customers_merges_them_into_the_one_seen_first()
    {
        var graph = new IdentityGraph();
        var ids = new Ids();
        // Customer 1 arrives first but was first seen later than customer 2: the touchpoint time decides, not the id.
        var late = graph.Resolve([Ana], At(60), "e1", ids.Next);
        var early = graph.Resolve([AnaPhone], At(0), "e2", ids.Next);
        _ = graph.TakeChanges();

        var survivor = graph.Resolve([Ana, AnaPhone], At(90), "e3", ids.Next);

        Assert.Equal((1L, 2L), (late, early));
        Assert.Equal(early, survivor);
        Assert.Equal(early, graph.Find(late));
        Assert.Equal(new CustomerSpan(At(0), At(90)), graph.SpanOf(late));
        var changes = graph.TakeChanges();
        Assert.Equal([new CustomerMerge(early, late, "e3", At(90))], changes.Merges);
        Assert.Empty(changes.NewCustomers);
        Assert.Empty(changes.NewIdentities);
        Assert.Equal([(early, new CustomerSpan(At(0), At(90)))], changes.Spans);
    }

    [Fact]
    public void Merge_of_customers_first_seen_at_the_same_time_keeps_the_lowest_id()
    {
        var graph = new IdentityGraph();
        var ids = new Ids();
        graph.Resolve([Bob], At(0), "e1", ids.Next);
        graph.Resolve([Ana], At(0), "e2", ids.Next);

        Assert.Equal(1, graph.Resolve([Ana, Bob], At(1), "e3", ids.Next));
        Assert.Equal(1, graph.Find(2));
    }

    [Fact]
    public void Survivor_does_not_depend_on_the_order_of_keys_in_the_event()
    {
        var forward = new IdentityGraph();
        var backward = new IdentityGraph();
        foreach (var graph in new[] { forward, backward })
        {
            var ids = new Ids();
            graph.Resolve([Ana], At(30), "e1", ids.Next);
            graph.Resolve([Bob], At(10), "e2", ids.Next);
            graph.Resolve([AnaCrm], At(20), "e3", ids.Next);
        }

        Assert.Equal(2, forward.Resolve([Ana, Bob, AnaCrm], At(40), "e4", () => 99));
        Assert.Equal(2, backward.Resolve([AnaCrm, Bob, Ana], At(40), "e4", () => 99));
    }

    [Fact]
    public void Event_with_keys_of_three_customers_records_two_merges()
    {
        var graph = new IdentityGraph();
        var ids = new Ids();
        graph.Resolve([Ana], At(30), "e1", ids.Next);
        graph.Resolve([Bob], At(10), "e2", ids.Next);
        graph.Resolve([AnaCrm], At(20), "e3", ids.Next);
        _ = graph.TakeChanges();

        var survivor = graph.Resolve([Ana, AnaPhone, Bob, AnaCrm], At(40), "e4", ids.Next);

        Assert.Equal(2, survivor);
        var changes = graph.TakeChanges();
        Assert.Equal(
            [new CustomerMerge(2, 1, "e4", At(40)), new CustomerMerge(2, 3, "e4", At(40))],
            changes.Merges);
        Assert.Equal([(AnaPhone, 2L)], changes.NewIdentities);
        Assert.Equal([(2L, new CustomerSpan(At(10), At(40)))], changes.Spans);
    }

    [Fact]
    public void Merged_customers_merge_again_as_one()
    {
        var graph = new IdentityGraph();
        var ids = new Ids();
        var a = graph.Resolve([Ana], At(10), "e1", ids.Next);
        var b = graph.Resolve([AnaPhone], At(20), "e2", ids.Next);
        graph.Resolve([Ana, AnaPhone], At(30), "e3", ids.Next);
        var c = graph.Resolve([AnaCrm], At(0), "e4", ids.Next);
        _ = graph.TakeChanges();

        // C was seen before A and B: the pair merges into C, and the old survivor A is what C absorbs.
        var survivor = graph.Resolve([AnaPhone, AnaCrm], At(40), "e5", ids.Next);

        Assert.Equal(c, survivor);
        Assert.Equal(c, graph.Find(a));
        Assert.Equal(c, graph.Find(b));
        Assert.Equal(new CustomerSpan(At(0), At(40)), graph.SpanOf(b));
        Assert.Equal([new CustomerMerge(c, a, "e5", At(40))], graph.TakeChanges().Merges);

        // Any key of the group, through any absorbed id, resolves to C.
        Assert.Equal(c, graph.Resolve([Ana], At(50), "e6", ids.Next));
        Assert.Equal(3, ids.Last);
    }

    [Fact]
    public void Long_chain_of_merges_finds_the_live_customer()
    {
        var graph = new IdentityGraph();
        var ids = new Ids();
        var keys = Enumerable.Range(0, 50).Select(i => IdentityKey.External("crm", "C-" + i)).ToArray();
        for (var i = 0; i < keys.Length; i++)
        {
            // Each new customer is older than all before it, so each merge makes the newcomer the survivor.
            graph.Resolve([keys[i]], At(-i), "new-" + i, ids.Next);
            if (i > 0)
            {
                graph.Resolve([keys[i - 1], keys[i]], At(100), "link-" + i, ids.Next);
            }
        }

        var live = graph.Find(1);
        Assert.Equal(50, live);
        Assert.All(Enumerable.Range(1, 50), id => Assert.Equal(live, graph.Find(id)));
        Assert.Equal(new CustomerSpan(At(-49), At(100)), graph.SpanOf(1));
        var changes = graph.TakeChanges();
        Assert.Equal(49, changes.Merges.Count);
        Assert.Equal([live], changes.Spans.Select(s => s.CustomerId));
    }

    [Fact]
    public void Changes_point_at_the_customer_that_is_live_at_the_end_of_the_batch()
    {
        var graph = new IdentityGraph();
        var ids = new Ids();
        var first = graph.Resolve([Ana], At(50), "e1", ids.Next);
        graph.Resolve([Ana, AnaPhone], At(55), "e2", ids.Next);
        var second = graph.Resolve([Bob], At(10), "e3", ids.Next);
        var survivor = graph.Resolve([AnaPhone, Bob], At(60), "e4", ids.Next);

        var changes = graph.TakeChanges();

        Assert.Equal(second, survivor);
        // Customer 1 was created and absorbed in the same batch: it is written with where it went and the span it had.
        Assert.Equal(
            [new NewCustomer(first, second, new CustomerSpan(At(50), At(55))), new NewCustomer(second, null, new CustomerSpan(At(10), At(60)))],
            changes.NewCustomers);
        Assert.Equal([(Ana, second), (AnaPhone, second), (Bob, second)], changes.NewIdentities);
        Assert.Equal([new CustomerMerge(second, first, "e4", At(60))], changes.Merges);
        Assert.Equal([(second, new CustomerSpan(At(10), At(60)))], changes.Spans);
    }

    [Fact]
    public void Changes_are_taken_once()
    {
        var graph = new IdentityGraph();
        var ids = new Ids();
        graph.Resolve([Ana], At(0), "e1", ids.Next);
        _ = graph.TakeChanges();

        var empty = graph.TakeChanges();

        Assert.Empty(empty.NewCustomers);
        Assert.Empty(empty.NewIdentities);
        Assert.Empty(empty.Merges);
        Assert.Empty(empty.Spans);
    }

    [Fact]
    public void Remembered_customer_is_extended_not_created()
    {
        var graph = new IdentityGraph();
        graph.Remember(Ana, 7, At(-100), At(-50));
        graph.Remember(AnaPhone, 7, At(-100), At(-50));

        var customer = graph.Resolve([Ana, AnaCrm], At(0), "e1", () => 8);

        Assert.Equal(7, customer);
        var changes = graph.TakeChanges();
        Assert.Empty(changes.NewCustomers);
        Assert.Equal([(AnaCrm, 7L)], changes.NewIdentities);
        Assert.Equal([(7L, new CustomerSpan(At(-100), At(0)))], changes.Spans);
    }

    [Fact]
    public void New_customer_seen_earlier_absorbs_a_remembered_one()
    {
        var graph = new IdentityGraph();
        graph.Remember(Ana, 7, At(-100), At(-50));
        var fresh = graph.Resolve([Bob], At(-200), "e1", () => 8);

        var survivor = graph.Resolve([Ana, Bob], At(0), "e2", () => 9);

        // The new customer's first touchpoint (-200) is earlier than the stored one's (-100).
        Assert.Equal(fresh, survivor);
        var changes = graph.TakeChanges();
        Assert.Equal([new CustomerMerge(8, 7, "e2", At(0))], changes.Merges);
        Assert.Equal([(8L, new CustomerSpan(At(-200), At(0)))], changes.Spans);
    }

    [Fact]
    public void Resolve_without_keys_throws()
    {
        var graph = new IdentityGraph();

        Assert.Throws<ArgumentOutOfRangeException>(() => graph.Resolve([], At(0), "e1", () => 1));
    }

    [Fact]
    public void Clear_forgets_everything()
    {
        var graph = new IdentityGraph();
        var ids = new Ids();
        graph.Resolve([Ana], At(0), "e1", ids.Next);
        graph.Resolve([Bob], At(0), "e2", ids.Next);
        graph.Resolve([Ana, Bob], At(0), "e3", ids.Next);
        _ = graph.TakeChanges();

        graph.Clear();

        Assert.Equal(0, graph.KeyCount);
        Assert.False(graph.Knows(Ana));
        Assert.Equal(2, graph.Find(2));
        Assert.Equal(3, graph.Resolve([Ana], At(0), "e4", ids.Next));
    }

    [Fact]
    public void Clear_drops_changes_not_yet_taken()
    {
        // The ingestor clears the graph when a batch fails part-way (rolled back): what was resolved must go too.
        var graph = new IdentityGraph();
        var ids = new Ids();
        graph.Resolve([Ana], At(0), "e1", ids.Next);
        graph.Resolve([Bob], At(5), "e2", ids.Next);
        graph.Resolve([Ana, Bob], At(10), "e3", ids.Next);

        graph.Clear();

        Assert.Equal(0, graph.KeyCount);
        var changes = graph.TakeChanges();
        Assert.Empty(changes.NewCustomers);
        Assert.Empty(changes.NewIdentities);
        Assert.Empty(changes.Merges);
        Assert.Empty(changes.Spans);
    }

    [Fact]
    public void Span_including_and_union()
    {
        var span = new CustomerSpan(At(10), At(20));

        Assert.Equal(new CustomerSpan(At(5), At(20)), span.Including(At(5)));
        Assert.Equal(new CustomerSpan(At(10), At(25)), span.Including(At(25)));
        Assert.Equal(span, span.Including(At(15)));
        Assert.Equal(new CustomerSpan(At(0), At(20)), span.Union(new CustomerSpan(At(0), At(12))));
        Assert.Equal(new CustomerSpan(At(0), At(30)), span.Union(new CustomerSpan(At(0), At(30))));
    }

    // ---- Property: the customers that result do not depend on the order events arrive in ----

    private sealed record GraphEvent(string Id, IdentityKey[] Keys, DateTime OccurredAt);

    /// <summary>A random stream over a small pool of keys, so that customers collide and merge often.</summary>
    private static List<GraphEvent> RandomEvents(Random random)
    {
        var pool = new List<IdentityKey>();
        for (var i = 0; i < 15; i++)
        {
            pool.Add((i % 3) switch
            {
                0 => IdentityKey.Email($"c{i}@example.com"),
                1 => IdentityKey.Phone($"+3460011{i:D4}"),
                _ => IdentityKey.External(i % 2 == 0 ? "crm" : "helpdesk", "C-" + i),
            });
        }

        var count = random.Next(30, 81);
        var events = new List<GraphEvent>(count);
        for (var n = 0; n < count; n++)
        {
            // Mostly one key, as most sources send one: a mix of lone customers and chains that merge.
            var keys = pool.OrderBy(_ => random.Next()).Take(random.Next(10) switch { < 7 => 1, < 9 => 2, _ => 3 }).ToArray();
            // Whole minutes over a few days: ties in time happen, and must not matter either.
            events.Add(new GraphEvent("e" + n, keys, T0.AddMinutes(random.Next(0, 5_000))));
        }

        return events;
    }

    private static T[] Shuffled<T>(IEnumerable<T> items, Random random)
    {
        var array = items.ToArray();
        random.Shuffle(array);
        return array;
    }

    /// <summary>One group per final customer: its sorted event ids and the span the graph reports for it.</summary>
    private static List<string> PartitionAfter(IEnumerable<GraphEvent> events)
    {
        var graph = new IdentityGraph();
        var ids = new Ids();
        var owners = new List<(GraphEvent Event, long Customer)>();
        foreach (var e in events)
        {
            owners.Add((e, graph.Resolve(e.Keys, e.OccurredAt, e.Id, ids.Next)));
        }

        var changes = graph.TakeChanges();
        var live = owners.Select(o => graph.Find(o.Customer)).ToHashSet();
        Assert.All(changes.NewIdentities, x => Assert.Contains(x.CustomerId, live));
        Assert.Equal(live.Order(), changes.Spans.Select(s => s.CustomerId).Order());
        Assert.Equal(ids.Last - live.Count, changes.Merges.Count);
        Assert.Equal(ids.Last, changes.NewCustomers.Count);
        Assert.Equal(live.Order(), changes.NewCustomers.Where(c => c.MergedInto is null).Select(c => c.Id).Order());
        Assert.All(changes.NewCustomers.Where(c => c.MergedInto is not null), c => Assert.Contains(c.MergedInto!.Value, live));

        return [.. owners
            .GroupBy(o => graph.Find(o.Customer))
            .Select(g => Describe(g.Select(o => o.Event.Id), graph.SpanOf(g.Key)))
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>The same groups by an independent derivation: connected components of "keys share an event".</summary>
    private static List<string> ConnectedComponents(IReadOnlyList<GraphEvent> events)
    {
        var eventsOfKey = new Dictionary<IdentityKey, List<int>>();
        for (var i = 0; i < events.Count; i++)
        {
            foreach (var key in events[i].Keys)
            {
                if (!eventsOfKey.TryGetValue(key, out var list))
                {
                    eventsOfKey[key] = list = [];
                }

                list.Add(i);
            }
        }

        var visited = new bool[events.Count];
        var groups = new List<string>();
        for (var start = 0; start < events.Count; start++)
        {
            if (visited[start])
            {
                continue;
            }

            var component = new List<GraphEvent>();
            var queue = new Queue<int>([start]);
            visited[start] = true;
            while (queue.TryDequeue(out var i))
            {
                component.Add(events[i]);
                foreach (var key in events[i].Keys)
                {
                    foreach (var j in eventsOfKey[key].Where(j => !visited[j]))
                    {
                        visited[j] = true;
                        queue.Enqueue(j);
                    }
                }
            }

            groups.Add(Describe(
                component.Select(e => e.Id),
                new CustomerSpan(component.Min(e => e.OccurredAt), component.Max(e => e.OccurredAt))));
        }

        groups.Sort(StringComparer.Ordinal);
        return groups;
    }

    private static string Describe(IEnumerable<string> eventIds, CustomerSpan span) =>
        string.Join(",", eventIds.Order(StringComparer.Ordinal)) + $" [{span.FirstSeen:O} .. {span.LastSeen:O}]";

    [Fact]
    public void Resolution_does_not_depend_on_arrival_order()
    {
        var merging = 0;
        var several = 0;
        for (var seed = 0; seed < 200; seed++)
        {
            var random = new Random(seed);
            var events = RandomEvents(random);
            var expected = ConnectedComponents(events);
            merging += expected.Count < events.Count ? 1 : 0;
            several += expected.Count > 1 ? 1 : 0;

            Assert.True(expected.SequenceEqual(PartitionAfter(events)), $"seed {seed}, arrival order");
            Assert.True(expected.SequenceEqual(PartitionAfter(Enumerable.Reverse(events))), $"seed {seed}, reversed");
            for (var shuffle = 0; shuffle < 4; shuffle++)
            {
                Assert.True(expected.SequenceEqual(PartitionAfter(Shuffled(events, random))), $"seed {seed}, shuffle {shuffle}");
            }

            // In time order merges are rarest; keep it as one of the orders.
            Assert.True(expected.SequenceEqual(PartitionAfter(events.OrderBy(e => e.OccurredAt))), $"seed {seed}, time order");
        }

        // The generator is only a test if streams both merge customers and keep some apart.
        Assert.True(merging > 150, $"only {merging} of 200 streams merged any customers");
        Assert.True(several > 100, $"only {several} of 200 streams had more than one customer");
    }

    [Fact]
    public void Resolution_across_batches_with_a_cleared_cache_matches_one_pass()
    {
        // The ingestor keeps the graph between batches or drops it and reloads from storage; both must agree.
        for (var seed = 0; seed < 50; seed++)
        {
            var random = new Random(1_000 + seed);
            var events = Shuffled(RandomEvents(random), random);
            var expected = ConnectedComponents(events);

            var graph = new IdentityGraph();
            var ids = new Ids();
            var stored = new Dictionary<IdentityKey, long>();
            var spans = new Dictionary<long, CustomerSpan>();
            var absorbedBy = new Dictionary<long, long>();
            var ownerOf = new Dictionary<string, long>();
            foreach (var batch in events.Chunk(7))
            {
                // A minimal storage: remember what the batch needs, then apply the changes as the stores do.
                graph.Clear();
                foreach (var key in batch.SelectMany(e => e.Keys).Distinct().Where(stored.ContainsKey))
                {
                    graph.Remember(key, stored[key], spans[stored[key]].FirstSeen, spans[stored[key]].LastSeen);
                }

                foreach (var e in batch)
                {
                    ownerOf[e.Id] = graph.Resolve(e.Keys, e.OccurredAt, e.Id, ids.Next);
                }

                var changes = graph.TakeChanges();
                foreach (var c in changes.NewCustomers)
                {
                    spans[c.Id] = c.Span;
                }

                foreach (var m in changes.Merges)
                {
                    absorbedBy[m.AbsorbedId] = m.SurvivorId;
                    foreach (var key in stored.Where(x => x.Value == m.AbsorbedId).Select(x => x.Key).ToList())
                    {
                        stored[key] = m.SurvivorId;
                    }
                }

                foreach (var (key, customer) in changes.NewIdentities)
                {
                    stored[key] = customer;
                }

                foreach (var (customer, span) in changes.Spans)
                {
                    spans[customer] = span;
                }
            }

            long Live(long id)
            {
                while (absorbedBy.TryGetValue(id, out var next))
                {
                    id = next;
                }

                return id;
            }

            var actual = events
                .GroupBy(e => Live(ownerOf[e.Id]))
                .Select(g => Describe(g.Select(e => e.Id), spans[g.Key]))
                .Order(StringComparer.Ordinal)
                .ToList();
            Assert.True(expected.SequenceEqual(actual), $"seed {seed}");
        }
    }
}
