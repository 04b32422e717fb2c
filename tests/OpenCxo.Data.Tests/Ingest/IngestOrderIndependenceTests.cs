using OpenCxo.Core.Ingest;
using OpenCxo.Data.Ingest;
using OpenCxo.Testing;
using static OpenCxo.Data.Tests.Ingest.IngestTestKit;

namespace OpenCxo.Data.Tests.Ingest;

/// <summary>
/// The property of IdentityGraph, end to end: whatever order events arrive in and however they are split into
/// batches, storage ends with the same customers (identities, timeline, first and last touchpoint, traits).
/// </summary>
public class IngestOrderIndependenceTests
{
    private const int SqliteStreams = 4;

    // A PostgreSQL batch costs about 15 ms against SQLite's 1 ms; two streams still run every SQL path there.
    private const int PostgresStreams = 2;
    private const int EventsPerStream = 50;

    private enum Writers
    {
        /// <summary>One ingestor for the whole stream: its identity graph stays cached between batches.</summary>
        One,

        /// <summary>A new ingestor per batch: every batch resolves from storage alone.</summary>
        OnePerBatch,

        /// <summary>Two ingestors on the same database taking turns: each must notice the other's commits.</summary>
        TwoTakingTurns,

        /// <summary>One ingestor with <see cref="EventIngestor.CacheLimit"/> 0: it drops its graph before every batch.</summary>
        NoCache,

        /// <summary>An import session committing every 10 events: traits and spans are written once per transaction, after merges.</summary>
        Session,

        /// <summary>All batches sent at once to one ingestor: queued requests are written together (group commit).</summary>
        Concurrent,
    }

    private sealed record Arrival(string Name, int BatchSize, Writers Writers, Func<List<CanonicalEvent>, Random, CanonicalEvent[]> Arrange);

    private static readonly Arrival[] Arrivals =
    [
        new("arrival order, one batch", EventsPerStream, Writers.One, (events, _) => [.. events]),
        new("shuffled, batches of 1", 1, Writers.One, Shuffle),
        new("shuffled, batches of 3", 3, Writers.One, Shuffle),
        new("newest first, batches of 3", 3, Writers.One, (events, _) => [.. events.OrderByDescending(e => e.OccurredAt)]),
        new("reversed, halves, new ingestor per half", EventsPerStream / 2, Writers.OnePerBatch, (events, _) => [.. Enumerable.Reverse(events)]),
        new("shuffled, batches of 7, two ingestors taking turns", 7, Writers.TwoTakingTurns, Shuffle),
        new("oldest first, batches of 7, no cache", 7, Writers.NoCache, (events, _) => [.. events.OrderBy(e => e.OccurredAt)]),
        new("shuffled, batches of 3, import session", 3, Writers.Session, Shuffle),
        new("newest first, batches of 2, import session", 2, Writers.Session, (events, _) => [.. events.OrderByDescending(e => e.OccurredAt)]),
        new("shuffled, batches of 2, all at once", 2, Writers.Concurrent, Shuffle),
    ];

    private static CanonicalEvent[] Shuffle(List<CanonicalEvent> events, Random random)
    {
        var array = events.ToArray();
        random.Shuffle(array);
        return array;
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Stored_customers_do_not_depend_on_arrival_order_or_batch_split(string provider)
    {
        // Each random stream goes to its own workspace, so one database per arrival serves all streams.
        var streamCount = provider == "postgres" ? PostgresStreams : SqliteStreams;
        var streams = Enumerable.Range(0, streamCount).Select(seed => RandomEvents(new Random(seed), EventsPerStream)).ToArray();
        var expected = streams.Select(Expected).ToArray();
        Assert.All(expected, e => Assert.InRange(e.Count, 2, EventsPerStream / 3));

        for (var a = 0; a < Arrivals.Length; a++)
        {
            var arrival = Arrivals[a];
            await using var database = await IngestDatabase.CreateAsync(provider);
            await using var first = arrival.Writers == Writers.NoCache
                ? new EventIngestor(database.Factory, TimeProvider.System) { CacheLimit = 0 }
                : database.NewIngestor();
            await using var second = database.NewIngestor();
            for (var s = 0; s < streamCount; s++)
            {
                var workspaceId = s + 1;
                var batches = arrival.Arrange(streams[s], new Random((s * 100) + a)).Chunk(arrival.BatchSize).ToArray();
                if (arrival.Writers == Writers.Session)
                {
                    await using var session = first.BeginSession(workspaceId, commitEvery: 10);
                    foreach (var batch in batches)
                    {
                        var pending = await session.IngestAsync(batch, CancellationToken.None);
                        Assert.Equal(batch.Length, pending.Accepted);
                    }

                    await session.CommitAsync(CancellationToken.None);
                    Assert.Equal(EventsPerStream, session.Accepted);
                    continue;
                }

                if (arrival.Writers == Writers.Concurrent)
                {
                    var outcomes = await Task.WhenAll(batches.Select(batch => Task.Run(() => first.IngestAsync(workspaceId, batch))));
                    Assert.Equal(batches.Select(b => b.Length), outcomes.Select(o => o.Accepted));
                    continue;
                }

                for (var b = 0; b < batches.Length; b++)
                {
                    IngestOutcome outcome;
                    if (arrival.Writers == Writers.OnePerBatch)
                    {
                        await using var fresh = database.NewIngestor();
                        outcome = await fresh.IngestAsync(workspaceId, batches[b]);
                    }
                    else
                    {
                        var ingestor = arrival.Writers == Writers.TwoTakingTurns && b % 2 == 1 ? second : first;
                        outcome = await ingestor.IngestAsync(workspaceId, batches[b]);
                    }

                    Assert.Equal(batches[b].Length, outcome.Accepted);
                    Assert.Empty(outcome.Duplicates);
                }
            }

            Assert.True(await MergeCountAsync(database.Factory) > 0, $"{arrival.Name}: no customers merged");
            for (var s = 0; s < streamCount; s++)
            {
                var actual = await CanonicalAsync(database.Factory, s + 1);
                Assert.True(
                    expected[s].SequenceEqual(actual),
                    $"{provider}, stream {s}, {arrival.Name}:\nexpected\n  {string.Join("\n  ", expected[s])}\nstored\n  {string.Join("\n  ", actual)}");
                await AssertConsistentAsync(database.Factory, s + 1);
            }
        }
    }

    /// <summary>Ingests the same events once per arrival (each a list of batches) into workspaces of one database; returns what each stored.</summary>
    private static async Task<List<string>[]> StoreEachAsync(string provider, params CanonicalEvent[][][] arrivals)
    {
        await using var database = await IngestDatabase.CreateAsync(provider);
        await using var ingestor = database.NewIngestor();
        var stored = new List<string>[arrivals.Length];
        for (var a = 0; a < arrivals.Length; a++)
        {
            foreach (var batch in arrivals[a])
            {
                await ingestor.IngestAsync(a + 1, batch);
            }

            stored[a] = await CanonicalAsync(database.Factory, a + 1);
        }

        return stored;
    }

    private static void AssertAllSame(List<string>[] stored, params string[] arrivals) =>
        Assert.True(
            stored.All(s => s.SequenceEqual(stored[0])),
            string.Join("\n", arrivals.Zip(stored, (name, s) => $"{name}:\n  {string.Join("\n  ", s)}")));

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Newest_trait_does_not_depend_on_batching_below_a_microsecond(string provider)
    {
        // Times carry 100 ns ticks (the parser keeps all seven digits of "2026-03-02T09:00:00.0000001Z"); storage keeps microseconds.
        var newer = Event("e1", T0.AddTicks(1), [Ana], Name("Ana"));
        var older = Event("e2", T0, [Ana], Name("Bob"));

        var stored = await StoreEachAsync(provider, [[newer, older]], [[newer], [older]], [[older], [newer]]);

        AssertAllSame(stored, "one batch", "newer first, two batches", "older first, two batches");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Trait_tie_at_the_same_time_breaks_the_same_way_in_one_batch_and_in_two(string provider)
    {
        // U+FF21 (fullwidth A) sorts after U+1F600 (an emoji) in UTF-16 code units, before it in UTF-8 bytes.
        var fullwidth = Event("e1", T0, [Ana], new ProfileField("name", "\"\uFF21na\""));
        var emoji = Event("e2", T0, [Ana], new ProfileField("name", "\"\U0001F600\""));

        var stored = await StoreEachAsync(provider, [[fullwidth, emoji]], [[fullwidth], [emoji]], [[emoji], [fullwidth]]);

        AssertAllSame(stored, "one batch", "fullwidth first, two batches", "emoji first, two batches");
    }
}
