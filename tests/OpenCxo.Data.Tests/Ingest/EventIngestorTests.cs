using Microsoft.EntityFrameworkCore;
using OpenCxo.Core.Ingest;
using OpenCxo.Data.Ingest;
using OpenCxo.Testing;
using static OpenCxo.Data.Tests.Ingest.IngestTestKit;

namespace OpenCxo.Data.Tests.Ingest;

public class EventIngestorTests(SharedIngestDatabases databases) : IClassFixture<SharedIngestDatabases>
{
    private static DateTime At(int hour) => T0.Date.AddHours(hour);

    private static List<CanonicalEvent> FiveEvents() =>
    [
        Event("e0", At(9), [Ana], Name("Ana")),
        Event("e1", At(10), [Ana, AnaPhone]),
        Event("e2", At(11), [Bob]),
        Event("e3", At(12), [AnaCrm]),
        Event("e4", At(13), [Bob, AnaCrm], Name("Bob")),
    ];

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Batch_is_stored_with_its_customers(string provider)
    {
        var workspace = await databases.NewWorkspaceAsync(provider);
        var events = FiveEvents();

        var outcome = await workspace.IngestAsync(events);

        Assert.Equal(5, outcome.Accepted);
        Assert.Empty(outcome.Duplicates);
        Assert.Equal(Expected(events), await workspace.CanonicalAsync());
        await workspace.AssertConsistentAsync();

        await using var db = workspace.Factory.CreateDbContext();
        var row = await db.Interactions.AsNoTracking().SingleAsync(i => i.WorkspaceId == workspace.Id && i.EventId == "e1");
        Assert.Equal(At(10), row.OccurredAt);
        Assert.Equal("service", row.Department);
        Assert.Equal("phone", row.Channel);
        Assert.Equal("ticket.resolved", row.Type);
        Assert.Equal(125_000L, row.ValueE4);
        Assert.Equal("EUR", row.Currency);
        Assert.Equal("text of e1", row.Text);
        Assert.Equal("""{"agent":"a-12"}""", row.Attributes);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Empty_batch_stores_nothing(string provider)
    {
        var workspace = await databases.NewWorkspaceAsync(provider);

        var outcome = await workspace.IngestAsync([]);

        Assert.Equal(0, outcome.Accepted);
        Assert.Empty(outcome.Duplicates);
        Assert.Empty(await workspace.CanonicalAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Same_batch_again_is_all_duplicates(string provider)
    {
        var workspace = await databases.NewWorkspaceAsync(provider);
        var events = FiveEvents();
        await workspace.IngestAsync(events);
        var before = await workspace.CanonicalAsync();

        var again = await workspace.IngestAsync(events);
        await using var other = workspace.Database.NewIngestor();
        var elsewhere = await other.IngestAsync(workspace.Id, events);

        Assert.Equal(0, again.Accepted);
        Assert.Equal([0, 1, 2, 3, 4], again.Duplicates);
        Assert.Equal(0, elsewhere.Accepted);
        Assert.Equal([0, 1, 2, 3, 4], elsewhere.Duplicates);
        Assert.Equal(before, await workspace.CanonicalAsync());
        await using var db = workspace.Factory.CreateDbContext();
        Assert.Equal(5, await db.Interactions.CountAsync(i => i.WorkspaceId == workspace.Id));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Stored_events_in_a_new_batch_are_reported_by_position(string provider)
    {
        var workspace = await databases.NewWorkspaceAsync(provider);
        var events = FiveEvents();
        await workspace.IngestAsync(events[..3]);

        var outcome = await workspace.IngestAsync([events[3], events[1], events[4], events[0]]);

        Assert.Equal(2, outcome.Accepted);
        Assert.Equal([1, 3], outcome.Duplicates);
        Assert.Equal(Expected(events), await workspace.CanonicalAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Id_repeated_in_one_batch_is_stored_once_as_first_sent(string provider)
    {
        var workspace = await databases.NewWorkspaceAsync(provider);
        CanonicalEvent[] batch =
        [
            Event("e1", At(9), [Ana]),
            Event("e2", At(10), [Bob]),
            Event("e1", At(11), [AnaCrm], Name("Not Ana")),
            Event("e1", At(12), [Ana]),
        ];

        var outcome = await workspace.IngestAsync(batch);

        Assert.Equal(2, outcome.Accepted);
        Assert.Equal([2, 3], outcome.Duplicates);
        Assert.Equal(Expected(batch[..2]), await workspace.CanonicalAsync());
        await workspace.AssertConsistentAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Merged_customers_timeline_moves_to_the_survivor(string provider)
    {
        var workspace = await databases.NewWorkspaceAsync(provider);
        await workspace.IngestAsync([Event("e1", At(10), [Ana], Name("Ana")), Event("e2", At(11), [Ana])]);
        // Seen earlier than Ana's email, though it arrives later: this profile survives.
        await workspace.IngestAsync([Event("e3", At(9), [AnaPhone], Name("Ana P."))]);
        var absorbed = await workspace.CustomerOfAsync("e1");
        var survivor = await workspace.CustomerOfAsync("e3");
        Assert.NotEqual(absorbed, survivor);

        await workspace.IngestAsync([Event("e4", At(12), [Ana, AnaPhone])]);

        var w = workspace.Id;
        await using (var db = workspace.Factory.CreateDbContext())
        {
            var customers = await db.Customers.AsNoTracking().Where(c => c.WorkspaceId == w).ToDictionaryAsync(c => c.Id);
            Assert.Equal(survivor, customers[absorbed].MergedInto);
            Assert.Null(customers[survivor].MergedInto);
            Assert.Equal((At(9), At(12)), (customers[survivor].FirstSeen, customers[survivor].LastSeen));

            var timeline = await db.Interactions.AsNoTracking().Where(i => i.WorkspaceId == w)
                .OrderBy(i => i.OccurredAt).Select(i => new { i.EventId, i.CustomerId }).ToListAsync();
            Assert.Equal(["e3", "e1", "e2", "e4"], timeline.Select(i => i.EventId));
            Assert.All(timeline, i => Assert.Equal(survivor, i.CustomerId));

            var identities = await db.Identities.AsNoTracking().Where(i => i.WorkspaceId == w).ToListAsync();
            Assert.Equal(2, identities.Count);
            Assert.All(identities, i => Assert.Equal(survivor, i.CustomerId));

            // The absorbed profile's name was observed later (10:00) than the survivor's (09:00): it wins.
            var trait = Assert.Single(await db.CustomerTraits.AsNoTracking().Where(t => t.WorkspaceId == w).ToListAsync());
            Assert.Equal((survivor, "name", "\"Ana\"", At(10)), (trait.CustomerId, trait.Name, trait.ValueJson, trait.ObservedAt));

            var merge = Assert.Single(await db.CustomerMerges.AsNoTracking().Where(m => m.WorkspaceId == w).ToListAsync());
            Assert.Equal((survivor, absorbed, "e4", At(12)), (merge.SurvivorId, merge.AbsorbedId, merge.EventId, merge.OccurredAt));
        }

        // Later events for a key of the absorbed profile land on the survivor, with or without a cached graph.
        await workspace.IngestAsync([Event("e5", At(13), [Ana])]);
        await using (var fresh = workspace.Database.NewIngestor())
        {
            await fresh.IngestAsync(w, [Event("e6", At(14), [Ana, AnaCrm])]);
        }

        Assert.Equal(survivor, await workspace.CustomerOfAsync("e5"));
        Assert.Equal(survivor, await workspace.CustomerOfAsync("e6"));
        await workspace.AssertConsistentAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Chain_of_merges_across_batches_leaves_one_live_customer(string provider)
    {
        var workspace = await databases.NewWorkspaceAsync(provider);
        CanonicalEvent[] events =
        [
            Event("e1", At(12), [Ana]),
            Event("e2", At(11), [AnaPhone]),
            Event("e3", At(13), [Ana, AnaPhone]),
            Event("e4", At(10), [AnaCrm]),
            // The pair merged by e3 is absorbed as a whole by the older crm profile.
            Event("e5", At(14), [Ana, AnaCrm]),
        ];
        foreach (var e in events)
        {
            await workspace.IngestAsync([e]);
        }

        var survivor = await workspace.CustomerOfAsync("e4");
        await using var db = workspace.Factory.CreateDbContext();
        var customers = await db.Customers.AsNoTracking().Where(c => c.WorkspaceId == workspace.Id).ToListAsync();
        Assert.Equal(3, customers.Count);
        Assert.Equal([survivor], customers.Where(c => c.MergedInto is null).Select(c => c.Id));
        Assert.All(customers.Where(c => c.Id != survivor), c => Assert.Equal(survivor, c.MergedInto));
        Assert.Equal(2, await db.CustomerMerges.CountAsync(m => m.WorkspaceId == workspace.Id));
        Assert.Equal(Expected(events), await workspace.CanonicalAsync());
        await workspace.AssertConsistentAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Newest_trait_wins_whatever_the_batch_order(string provider)
    {
        var workspace = await databases.NewWorkspaceAsync(provider);

        await workspace.IngestAsync([Event("e1", At(12), [Ana], Name("Ana García"), new("tier", "\"gold\""))]);
        await workspace.IngestAsync([Event("e2", At(10), [Ana], Name("Ana"), new("language", "\"es\""))]);
        // Equal time: the greater JSON text wins, so two senders racing agree.
        await workspace.IngestAsync([Event("e3", At(12), [Ana], new ProfileField("tier", "\"bronze\""))]);
        await workspace.IngestAsync([Event("e4", At(12), [Ana], new ProfileField("language", "\"en\""))]);

        await using var db = workspace.Factory.CreateDbContext();
        var traits = await db.CustomerTraits.AsNoTracking().Where(t => t.WorkspaceId == workspace.Id)
            .OrderBy(t => t.Name).Select(t => new { t.Name, t.ValueJson, t.ObservedAt }).ToListAsync();
        Assert.Equal(
            [("language", "\"en\"", At(12)), ("name", "\"Ana García\"", At(12)), ("tier", "\"gold\"", At(12))],
            traits.Select(t => (t.Name, t.ValueJson, t.ObservedAt)));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Workspaces_do_not_share_customers(string provider)
    {
        var first = await databases.NewWorkspaceAsync(provider);
        var second = await databases.NewWorkspaceAsync(provider);

        await first.IngestAsync([Event("e1", At(9), [Ana]), Event("e2", At(10), [Bob])]);
        var outcome = await second.IngestAsync([Event("e1", At(11), [Ana, Bob])]);

        Assert.Equal(1, outcome.Accepted);
        Assert.Equal(2, (await first.CanonicalAsync()).Count);
        Assert.Single(await second.CanonicalAsync());
        await using var db = first.Factory.CreateDbContext();
        Assert.Equal(0, await db.CustomerMerges.CountAsync(m => m.WorkspaceId == first.Id || m.WorkspaceId == second.Id));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Concurrent_ingestors_store_each_event_once(string provider)
    {
        // Two writers as two processes would have them: separate ingestors, separate connections, one database.
        await using var left = (await databases.DatabaseAsync(provider)).NewIngestor();
        await using var right = (await databases.DatabaseAsync(provider)).NewIngestor();
        for (var round = 0; round < 5; round++)
        {
            var workspace = await databases.NewWorkspaceAsync(provider);
            var events = RandomEvents(new Random(500 + round), 60);
            // 20 events are sent by both, in batches that interleave.
            var leftEvents = events[..40].ToArray();
            var rightEvents = events[20..].ToArray();
            new Random(round).Shuffle(rightEvents);

            var outcomes = await Task.WhenAll(
                Task.Run(() => IngestInBatchesAsync(left, workspace.Id, leftEvents, 5)),
                Task.Run(() => IngestInBatchesAsync(right, workspace.Id, rightEvents, 5)));

            Assert.Equal(60, outcomes.Sum(o => o.Accepted));
            Assert.Equal(20, outcomes.Sum(o => o.Duplicates));
            await using (var db = workspace.Factory.CreateDbContext())
            {
                var ids = await db.Interactions.Where(i => i.WorkspaceId == workspace.Id).Select(i => i.EventId).ToListAsync();
                Assert.Equal(events.Select(e => e.Id).Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
            }

            Assert.Equal(Expected(events), await workspace.CanonicalAsync());
            await workspace.AssertConsistentAsync();
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Same_batch_sent_twice_at_once_is_stored_once(string provider)
    {
        await using var first = (await databases.DatabaseAsync(provider)).NewIngestor();
        await using var second = (await databases.DatabaseAsync(provider)).NewIngestor();
        for (var round = 0; round < 5; round++)
        {
            var workspace = await databases.NewWorkspaceAsync(provider);
            var events = RandomEvents(new Random(700 + round), 30);

            var outcomes = await Task.WhenAll(
                Task.Run(() => first.IngestAsync(workspace.Id, events)),
                Task.Run(() => second.IngestAsync(workspace.Id, events)));

            Assert.Equal([0, 30], outcomes.Select(o => o.Accepted).Order());
            Assert.Equal([0, 30], outcomes.Select(o => o.Duplicates.Count).Order());
            Assert.Equal(Expected(events), await workspace.CanonicalAsync());
            await workspace.AssertConsistentAsync();
        }
    }

    private static async Task<(int Accepted, int Duplicates)> IngestInBatchesAsync(EventIngestor ingestor, long workspaceId, CanonicalEvent[] events, int batchSize)
    {
        var (accepted, duplicates) = (0, 0);
        foreach (var batch in events.Chunk(batchSize))
        {
            var outcome = await ingestor.IngestAsync(workspaceId, batch);
            accepted += outcome.Accepted;
            duplicates += outcome.Duplicates.Count;
        }

        return (accepted, duplicates);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Failed_batch_stores_nothing_and_leaves_the_ingestor_usable(string provider)
    {
        var workspace = await databases.NewWorkspaceAsync(provider);
        await using var ingestor = workspace.Database.NewIngestor();
        var withoutIdentity = Event("e2", At(10), []);

        // An event without identities cannot be resolved (the parser never makes one; a direct caller can).
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ingestor.IngestAsync(workspace.Id, [Event("e1", At(9), [Ana]), withoutIdentity]));
        Assert.Empty(await workspace.CanonicalAsync());

        var outcome = await ingestor.IngestAsync(workspace.Id, [Event("e1", At(9), [Ana])]);

        Assert.Equal(1, outcome.Accepted);
        Assert.Equal(Expected([Event("e1", At(9), [Ana])]), await workspace.CanonicalAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Requests_queued_together_do_not_share_a_failure(string provider)
    {
        var workspace = await databases.NewWorkspaceAsync(provider);
        await using var ingestor = workspace.Database.NewIngestor();
        var good = RandomEvents(new Random(41), 40).Chunk(2).ToArray();
        var bad = new[] { Event("bad-1", At(9), [Ana]), Event("bad-2", At(10), []) };

        // Sent at once, the requests queue behind the writer and are written in groups; the bad one fails alone.
        var requests = good.Select(batch => Task.Run(() => ingestor.IngestAsync(workspace.Id, batch))).ToList();
        var failing = Task.Run(() => ingestor.IngestAsync(workspace.Id, bad));
        var outcomes = await Task.WhenAll(requests);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => failing);
        Assert.All(outcomes, o => Assert.Equal(2, o.Accepted));
        Assert.Equal(Expected([.. good.SelectMany(b => b)]), await workspace.CanonicalAsync());
        await workspace.AssertConsistentAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Session_keeps_what_it_committed_and_rolls_back_the_rest(string provider)
    {
        var workspace = await databases.NewWorkspaceAsync(provider);
        await using var ingestor = workspace.Database.NewIngestor();
        var events = FiveEvents();

        await using (var session = ingestor.BeginSession(workspace.Id, commitEvery: 3))
        {
            await session.IngestAsync(events[..2], CancellationToken.None);
            Assert.Equal(0, session.Accepted);
            await session.IngestAsync(events[2..3], CancellationToken.None);
            Assert.Equal(3, session.Accepted);
            await session.IngestAsync(events[3..], CancellationToken.None);
            Assert.Equal(3, session.Accepted);
        }

        Assert.Equal(Expected(events[..3]), await workspace.CanonicalAsync());
        await workspace.AssertConsistentAsync();

        // The ingestor is free again, and its cached graph holds nothing of what was rolled back.
        var outcome = await ingestor.IngestAsync(workspace.Id, events);
        Assert.Equal(2, outcome.Accepted);
        Assert.Equal(Expected(events), await workspace.CanonicalAsync());
        await workspace.AssertConsistentAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Session_finds_duplicates_in_its_own_open_transaction(string provider)
    {
        var workspace = await databases.NewWorkspaceAsync(provider);
        await using var ingestor = workspace.Database.NewIngestor();
        var events = FiveEvents();

        await using var session = ingestor.BeginSession(workspace.Id);
        await session.IngestAsync(events[..2], CancellationToken.None);
        var outcome = await session.IngestAsync([events[1], events[2]], CancellationToken.None);
        await session.CommitAsync(CancellationToken.None);

        Assert.Equal(1, outcome.Accepted);
        Assert.Equal([0], outcome.Duplicates);
        Assert.Equal(3, session.Accepted);
        Assert.Equal(1, session.Duplicates);
        Assert.Equal(Expected(events[..3]), await workspace.CanonicalAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Session_failure_rolls_back_its_open_transaction_only(string provider)
    {
        var workspace = await databases.NewWorkspaceAsync(provider);
        await using var ingestor = workspace.Database.NewIngestor();
        var events = FiveEvents();

        await using var session = ingestor.BeginSession(workspace.Id, commitEvery: 2);
        await session.IngestAsync(events[..2], CancellationToken.None);
        await session.IngestAsync(events[2..3], CancellationToken.None);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => session.IngestAsync([Event("x", At(20), [])], CancellationToken.None));
        Assert.Equal(2, session.Accepted);

        // The failed transaction took e2 with it; the session goes on with a new one.
        await session.IngestAsync(events[2..], CancellationToken.None);
        await session.CommitAsync(CancellationToken.None);

        Assert.Equal(5, session.Accepted);
        Assert.Equal(Expected(events), await workspace.CanonicalAsync());
        await workspace.AssertConsistentAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Events_stored_by_another_writer_are_duplicates_for_a_writer_with_a_filter(string provider)
    {
        var workspace = await databases.NewWorkspaceAsync(provider);
        await using var first = workspace.Database.NewIngestor();
        await using var second = workspace.Database.NewIngestor();
        var events = FiveEvents();

        // The first writer builds its filter of stored ids; the second (another process, say) then stores more.
        Assert.Equal(2, (await first.IngestAsync(workspace.Id, events[..2])).Accepted);
        Assert.Equal(3, (await second.IngestAsync(workspace.Id, events)).Accepted);

        // The first must catch up by seq, not trust its filter: all five are stored already.
        var again = await first.IngestAsync(workspace.Id, events);

        Assert.Equal(0, again.Accepted);
        Assert.Equal([0, 1, 2, 3, 4], again.Duplicates);
        Assert.Equal(Expected(events), await workspace.CanonicalAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Workspace_with_more_ids_than_the_filter_reads_is_checked_in_storage(string provider)
    {
        var workspace = await databases.NewWorkspaceAsync(provider);
        await using (var writer = workspace.Database.NewIngestor())
        {
            await writer.IngestAsync(workspace.Id, FiveEvents()[..3]);
        }

        await using var limited = new EventIngestor(workspace.Factory, TimeProvider.System) { EventIdFilterLimit = 2 };
        var outcome = await limited.IngestAsync(workspace.Id, FiveEvents());

        Assert.Equal(2, outcome.Accepted);
        Assert.Equal([0, 1, 2], outcome.Duplicates);
        Assert.Equal(Expected(FiveEvents()), await workspace.CanonicalAsync());
    }
}
