using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.Data.Tests.Analytics;

/// <summary>Runs against a real SQLite system of record in a temporary folder, as the embedded deployment does.</summary>
public sealed class AnalyticsStoreTests : IAsyncLifetime
{
    private static readonly DateTime March1 = new(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly StatsGrouping[] Groupings = [StatsGrouping.Department, StatsGrouping.Channel, StatsGrouping.Type, StatsGrouping.Day];

    private TemporarySource _source = null!;
    private CxoDbFactory _factory = null!;
    private string _storePath = null!;

    public async Task InitializeAsync()
    {
        _source = await TemporarySource.CreateAsync("analytics");
        (_factory, _storePath) = (_source.Factory, _source.StorePath);
    }

    public Task DisposeAsync()
    {
        _source.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public void Default_path_is_the_sqlite_file_with_a_duckdb_extension()
    {
        var sqlite = DatabaseLocation.Parse("sqlite:./data/opencxo.db");
        Assert.Equal(Path.GetFullPath("./data/opencxo.duckdb"), AnalyticsStore.DefaultPathFor(sqlite));

        var postgres = DatabaseLocation.Parse("postgres:Host=localhost;Database=opencxo");
        Assert.Equal("./data/opencxo-analytics.duckdb", AnalyticsStore.DefaultPathFor(postgres));
    }

    [Fact]
    public async Task An_empty_store_answers_an_empty_list()
    {
        await using var store = new AnalyticsStore(_storePath, _factory);

        foreach (var grouping in Groupings)
        {
            Assert.Empty(await store.InteractionStatsAsync(1, null, null, grouping));
        }

        var sync = await store.SyncAsync();
        Assert.Equal((0L, 0L, 0L), (sync.InteractionsCopied, sync.MergesCopied, sync.Watermark));
        Assert.Empty(await store.InteractionStatsAsync(1, null, null, StatsGrouping.Day));
    }

    [Fact]
    public async Task Sync_copies_only_rows_above_the_watermark()
    {
        await AddAsync(Enumerable.Range(0, 10).Select(i => Interaction(1, i, March1.AddHours(i))));
        await using var store = new AnalyticsStore(_storePath, _factory);

        var first = await store.SyncAsync();
        var second = await store.SyncAsync();
        await AddAsync([Interaction(1, 1, March1), Interaction(1, 2, March1), Interaction(1, 3, March1)]);
        var third = await store.SyncAsync();

        Assert.Equal(10, first.InteractionsCopied);
        Assert.Equal(0, second.InteractionsCopied);
        Assert.Equal(first.Watermark, second.Watermark);
        Assert.Equal(3, third.InteractionsCopied);
        Assert.Equal(await MaxSeqAsync(), third.Watermark);
        var total = Assert.Single(await store.InteractionStatsAsync(1, null, null, StatsGrouping.Department));
        Assert.Equal(13, total.Count);
    }

    [Fact]
    public async Task The_watermark_survives_closing_the_store()
    {
        await AddAsync(Enumerable.Range(0, 5).Select(i => Interaction(1, i, March1)));
        await using (var store = new AnalyticsStore(_storePath, _factory))
        {
            Assert.Equal(5, (await store.SyncAsync()).InteractionsCopied);
        }

        await AddAsync([Interaction(1, 9, March1)]);
        await using var reopened = new AnalyticsStore(_storePath, _factory);
        Assert.Equal(1, (await reopened.SyncAsync()).InteractionsCopied);
    }

    [Fact]
    public async Task Concurrent_syncs_copy_each_row_once()
    {
        await AddAsync(Enumerable.Range(0, 500).Select(i => Interaction(1, i, March1)));
        await using var store = new AnalyticsStore(_storePath, _factory);

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => store.SyncAsync()));

        Assert.Equal(500, results.Sum(x => x.InteractionsCopied));
        Assert.Equal(500, Assert.Single(await store.InteractionStatsAsync(1, null, null, StatsGrouping.Channel)).Count);
    }

    [Fact]
    public async Task A_large_copy_spans_several_chunks_and_gaps_in_seq()
    {
        // Seq gaps come from rolled-back inserts: these rows fill two chunks, then a few empty ones, then one more.
        var ranges = new[] { (From: 1L, Count: 125_000), (From: 400_001L, Count: 1_000) };
        using (var connection = new SqliteConnection(_factory.Location.ConnectionString))
        {
            connection.Open();
            using var transaction = connection.BeginTransaction();
            using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO interactions (seq, workspace_id, event_id, customer_id, occurred_at, received_at, department, channel, type, value_e4, currency)
                VALUES ($seq, 1, 'e' || $seq, $seq % 1000, $at, $at, 'service', 'phone', 'call.completed', 5, 'EUR')
                """;
            var seq = insert.Parameters.Add("$seq", SqliteType.Integer);
            var at = insert.Parameters.Add("$at", SqliteType.Integer);
            foreach (var (from, count) in ranges)
            {
                for (var i = from; i < from + count; i++)
                {
                    seq.Value = i;
                    at.Value = UnixMicros.From(March1.AddSeconds(i % 86_400));
                    insert.ExecuteNonQuery();
                }
            }

            transaction.Commit();
        }

        await using var store = new AnalyticsStore(_storePath, _factory);
        var sync = await store.SyncAsync();

        Assert.Equal(126_000, sync.InteractionsCopied);
        Assert.Equal(401_000, sync.Watermark);
        var stat = Assert.Single(await store.InteractionStatsAsync(1, null, null, StatsGrouping.Type));
        Assert.Equal((126_000L, 1_000L), (stat.Count, stat.Customers));
        Assert.Equal([new CurrencyValue("EUR", 63m)], stat.Values);
        Assert.Equal(0, (await store.SyncAsync()).InteractionsCopied);
    }

    [Fact]
    public async Task Stats_equal_an_independent_computation_over_the_system_of_record()
    {
        await using var store = new AnalyticsStore(_storePath, _factory);
        var random = new Random(20260301);
        await AddAsync(RandomInteractions(random, 1500));
        await store.SyncAsync();

        // Merges arrive after their rows were copied, and re-point those rows in the system of record only.
        await MergeAsync(1, absorbed: 5, survivor: 6);
        await MergeAsync(1, absorbed: 6, survivor: 7);
        await MergeAsync(1, absorbed: 10, survivor: 11);
        await MergeAsync(2, absorbed: 5, survivor: 9);
        await AddAsync(RandomInteractions(random, 1500));
        var sync = await store.SyncAsync();
        Assert.Equal(4, sync.MergesCopied);

        var (rows, merges) = await SystemOfRecordAsync();
        (DateTime?, DateTime?)[] windows = [(null, null), (March1.AddDays(2), null), (null, March1.AddDays(5)), (March1.AddDays(1).AddHours(7), March1.AddDays(6))];
        foreach (var workspace in new long[] { 1, 2 })
        {
            foreach (var (from, to) in windows)
            {
                foreach (var grouping in Groupings)
                {
                    var expected = Expected(rows, merges, workspace, from, to, grouping);
                    var actual = await store.InteractionStatsAsync(workspace, from, to, grouping);
                    Assert.NotEmpty(expected);
                    Assert.Equal(Describe(expected), Describe(actual));
                }
            }
        }
    }

    [Fact]
    public async Task Customers_are_counted_as_their_live_survivor_through_merge_chains()
    {
        await AddAsync([Interaction(1, 100, March1), Interaction(1, 200, March1), Interaction(1, 300, March1), Interaction(1, 300, March1)]);
        await using var store = new AnalyticsStore(_storePath, _factory);
        await store.SyncAsync();
        Assert.Equal(3, await CustomersAsync(store));

        await MergeAsync(1, absorbed: 100, survivor: 200);
        await store.SyncAsync();
        Assert.Equal(2, await CustomersAsync(store));

        await MergeAsync(1, absorbed: 200, survivor: 300);
        await AddAsync([Interaction(1, 300, March1)]);
        await store.SyncAsync();
        var stat = Assert.Single(await store.InteractionStatsAsync(1, null, null, StatsGrouping.Type));
        Assert.Equal((5L, 1L), (stat.Count, stat.Customers));
    }

    [Fact]
    public async Task Rebuild_gives_the_same_answers_as_incremental_sync()
    {
        var random = new Random(7);
        await using var store = new AnalyticsStore(_storePath, _factory);
        for (var round = 0; round < 3; round++)
        {
            await AddAsync(RandomInteractions(random, 400));
            await MergeAsync(1, absorbed: 20 + round, survivor: 30 + round);
            await store.SyncAsync();
        }

        await MergeAsync(1, absorbed: 30, survivor: 31);
        await store.SyncAsync();
        var incremental = await AllStatsAsync(store);

        var rebuilt = await store.RebuildAsync();

        Assert.Equal(1200, rebuilt.InteractionsCopied);
        Assert.Equal(4, rebuilt.MergesCopied);
        Assert.Equal(await MaxSeqAsync(), rebuilt.Watermark);
        Assert.Equal(incremental, await AllStatsAsync(store));
        Assert.False(File.Exists(_storePath + ".rebuild"));

        // The rebuilt file carries its watermark: later syncs stay incremental, also after reopening.
        await AddAsync([Interaction(1, 1, March1), Interaction(1, 2, March1), Interaction(1, 3, March1)]);
        Assert.Equal(3, (await store.SyncAsync()).InteractionsCopied);
        await store.DisposeAsync();
        await using var reopened = new AnalyticsStore(_storePath, _factory);
        Assert.Equal(0, (await reopened.SyncAsync()).InteractionsCopied);
        Assert.Equal(1203, (await reopened.InteractionStatsAsync(1, null, null, StatsGrouping.Day)).Sum(x => x.Count) +
                           (await reopened.InteractionStatsAsync(2, null, null, StatsGrouping.Day)).Sum(x => x.Count));
    }

    [Fact]
    public async Task A_copy_reports_its_progress_chunk_by_chunk_and_the_store_says_it_is_idle_afterwards()
    {
        await AddAsync(RandomInteractions(new Random(11), 1000));
        await using var store = new AnalyticsStore(_storePath, _factory) { ChunkRows = 300 };
        var synced = new Recorder(store);
        await store.SyncAsync(synced);

        // Four chunks: 300, 600, 900, then the last 100 rows; each report is also what Copying said at that moment.
        var seqs = await MaxSeqAsync();
        Assert.Equal([300L, 600, 900, seqs], synced.Reports.Select(r => r.Copied));
        Assert.All(synced.Reports, r => Assert.Equal((false, seqs), (r.Rebuild, r.Total)));
        Assert.Equal<CopyProgress?>(synced.Reports, synced.Seen);
        Assert.Equal(1.0, synced.Reports[^1].Fraction);
        Assert.Null(store.Copying);

        // A catch-up counts from the store's watermark, not from zero.
        await AddAsync(RandomInteractions(new Random(12), 400));
        var caughtUp = new Recorder(store);
        await store.SyncAsync(caughtUp);
        Assert.Equal([300L, 400], caughtUp.Reports.Select(r => r.Copied));
        Assert.All(caughtUp.Reports, r => Assert.Equal(400, r.Total));

        var rebuilt = new Recorder(store);
        await store.RebuildAsync(rebuilt);
        Assert.Equal([300L, 600, 900, 1200, 1400], rebuilt.Reports.Select(r => r.Copied));
        Assert.All(rebuilt.Reports, r => Assert.True(r.Rebuild));
        Assert.Null(store.Copying);
    }

    /// <summary>Keeps the reports, and what the store's Copying said when each came (they are told on the copying thread).</summary>
    private sealed class Recorder(AnalyticsStore store) : IProgress<CopyProgress>
    {
        public List<CopyProgress> Reports { get; } = [];

        public List<CopyProgress?> Seen { get; } = [];

        public void Report(CopyProgress value)
        {
            Reports.Add(value);
            Seen.Add(store.Copying);
        }
    }

    [Fact]
    public async Task Queries_during_a_rebuild_see_a_complete_store()
    {
        await AddAsync(RandomInteractions(new Random(3), 3000));
        await using var store = new AnalyticsStore(_storePath, _factory);
        await store.SyncAsync();
        var before = await AllStatsAsync(store);

        var rebuild = store.RebuildAsync();
        var answers = new List<string[]>();
        while (!rebuild.IsCompleted)
        {
            answers.Add(await AllStatsAsync(store));
        }

        await rebuild;
        answers.Add(await AllStatsAsync(store));
        Assert.All(answers, answer => Assert.Equal(before, answer));
    }

    [Fact]
    public async Task From_is_inclusive_and_to_is_exclusive()
    {
        var from = March1.AddDays(1);
        var to = March1.AddDays(2);
        await AddAsync(
        [
            Interaction(1, 1, from.AddTicks(-10), department: "before"),
            Interaction(1, 2, from, department: "first"),
            Interaction(1, 3, to.AddTicks(-10), department: "last"),
            Interaction(1, 4, to, department: "after"),
        ]);
        await using var store = new AnalyticsStore(_storePath, _factory);
        await store.SyncAsync();

        var inside = await store.InteractionStatsAsync(1, from, to, StatsGrouping.Department);
        Assert.Equal(["first", "last"], inside.Select(x => x.Key).Order(StringComparer.Ordinal));

        // Unspecified kinds are UTC; the last microsecond of a day belongs to that day.
        var unspecified = await store.InteractionStatsAsync(1, DateTime.SpecifyKind(from, DateTimeKind.Unspecified), null, StatsGrouping.Day);
        Assert.Equal(["2026-03-02", "2026-03-03"], unspecified.Select(x => x.Key));
        var days = await store.InteractionStatsAsync(1, null, null, StatsGrouping.Day);
        Assert.Equal(["2026-03-01", "2026-03-02", "2026-03-03"], days.Select(x => x.Key));
        Assert.Equal([1L, 2L, 1L], days.Select(x => x.Count));
        Assert.Empty(await store.InteractionStatsAsync(1, to.AddDays(1), null, StatsGrouping.Day));
    }

    [Fact]
    public async Task Sums_are_exact_per_currency_and_zero_sums_are_left_out()
    {
        await AddAsync(
        [
            Interaction(1, 1, March1, department: "sales", valueE4: 1, currency: "EUR"),
            Interaction(1, 1, March1, department: "sales", valueE4: 2, currency: "EUR"),
            Interaction(1, 2, March1, department: "sales", valueE4: 1_234_567_890_123, currency: "USD"),
            Interaction(1, 2, March1, department: "sales", valueE4: -5, currency: "USD"),
            Interaction(1, 3, March1, department: "sales", valueE4: 0, currency: "GBP"),
            Interaction(1, 3, March1, department: "sales", valueE4: 77, currency: null),
            Interaction(1, 4, March1, department: "service", valueE4: 12_345, currency: "EUR"),
            Interaction(1, 4, March1, department: "service", valueE4: -12_345, currency: "EUR"),
        ]);
        await using var store = new AnalyticsStore(_storePath, _factory);
        await store.SyncAsync();

        var stats = await store.InteractionStatsAsync(1, null, null, StatsGrouping.Department);

        var sales = stats.Single(x => x.Key == "sales");
        Assert.Equal([new CurrencyValue("EUR", 0.0003m), new CurrencyValue("USD", 123_456_789.0118m)], sales.Values);
        Assert.Empty(stats.Single(x => x.Key == "service").Values);
        Assert.Equal(["sales", "service"], stats.Select(x => x.Key));
    }

    [Fact]
    public async Task Workspaces_are_isolated()
    {
        await AddAsync(
        [
            Interaction(1, 1, March1, department: "sales", valueE4: 10, currency: "EUR"),
            Interaction(2, 1, March1, department: "sales", valueE4: 20, currency: "EUR"),
            Interaction(2, 2, March1, department: "marketing", valueE4: 30, currency: "EUR"),
        ]);
        await MergeAsync(2, absorbed: 1, survivor: 2);
        await using var store = new AnalyticsStore(_storePath, _factory);
        await store.SyncAsync();

        foreach (var grouping in Groupings)
        {
            var stat = Assert.Single(await store.InteractionStatsAsync(1, null, null, grouping));
            Assert.Equal((1L, 1L), (stat.Count, stat.Customers));
            Assert.Equal([new CurrencyValue("EUR", 0.001m)], stat.Values);
        }

        Assert.Equal(["marketing", "sales"], (await store.InteractionStatsAsync(2, null, null, StatsGrouping.Department)).Select(x => x.Key).Order(StringComparer.Ordinal));
        Assert.Equal(1, (await store.InteractionStatsAsync(2, null, null, StatsGrouping.Day)).Single().Customers);
        Assert.Empty(await store.InteractionStatsAsync(3, null, null, StatsGrouping.Day));
    }

    [Fact]
    public async Task Keys_other_than_days_come_by_count_largest_first()
    {
        await AddAsync(
        [
            Interaction(1, 1, March1.AddDays(2), channel: "web"),
            Interaction(1, 1, March1.AddDays(1), channel: "phone"),
            Interaction(1, 1, March1.AddDays(1), channel: "phone"),
            Interaction(1, 1, March1, channel: "email"),
            Interaction(1, 1, March1, channel: "email"),
            Interaction(1, 1, March1, channel: "email"),
        ]);
        await using var store = new AnalyticsStore(_storePath, _factory);
        await store.SyncAsync();

        Assert.Equal(["email", "phone", "web"], (await store.InteractionStatsAsync(1, null, null, StatsGrouping.Channel)).Select(x => x.Key));
        Assert.Equal(["2026-03-01", "2026-03-02", "2026-03-03"], (await store.InteractionStatsAsync(1, null, null, StatsGrouping.Day)).Select(x => x.Key));
    }

    [Fact]
    public async Task A_store_of_another_schema_version_is_copied_again()
    {
        await AddAsync(Enumerable.Range(0, 20).Select(i => Interaction(1, i, March1)));
        await using (var store = new AnalyticsStore(_storePath, _factory))
        {
            await store.SyncAsync();
        }

        using (var connection = new DuckDBConnection("Data Source=" + _storePath))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE sync_state SET schema_version = 0";
            command.ExecuteNonQuery();
        }

        await using var upgraded = new AnalyticsStore(_storePath, _factory);
        Assert.Equal(20, (await upgraded.SyncAsync()).InteractionsCopied);
        Assert.Equal(20, Assert.Single(await upgraded.InteractionStatsAsync(1, null, null, StatsGrouping.Day)).Count);
    }

    [Fact]
    public async Task A_second_store_on_the_same_file_in_one_process_is_refused()
    {
        await using var store = new AnalyticsStore(_storePath, _factory);
        var error = Assert.Throws<InvalidOperationException>(() => new AnalyticsStore(_storePath, _factory));
        Assert.Contains(_storePath, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_held_by_another_process_is_reported_with_its_file()
    {
        // DuckDB takes a POSIX record lock on its file; a child process holding one is what another `cxo serve` is.
        Directory.CreateDirectory(_source.Folder);
        await File.WriteAllBytesAsync(_storePath, []);
        using var holder = Process.Start(new ProcessStartInfo("python3")
        {
            ArgumentList =
            {
                "-c",
                "import fcntl, sys, time\nf = open(sys.argv[1], 'r+')\nfcntl.lockf(f, fcntl.LOCK_EX)\nprint('locked', flush=True)\ntime.sleep(60)",
                _storePath,
            },
            RedirectStandardOutput = true,
        })!;
        try
        {
            Assert.Equal("locked", await holder.StandardOutput.ReadLineAsync());
            await using var store = new AnalyticsStore(_storePath, _factory);

            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.SyncAsync());

            Assert.Contains(_storePath, error.Message, StringComparison.Ordinal);
            Assert.Contains("another OpenCXO process", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            holder.Kill();
            await holder.WaitForExitAsync();
        }
    }

    [Theory]
    [InlineData(20_000)]
    [InlineData(0)]
    public async Task Customer_attributes_follow_new_values_and_merges_and_a_refresh_cut_short_is_redone(int fullCopyAbove)
    {
        // Ingest writes a profile's attributes in the transaction of an event for that profile, and moves them to the
        // survivor on a merge; these writes do the same by hand. fullCopyAbove 0 takes the copy-everything path each time.
        await AddAsync([Interaction(1, 1, March1), Interaction(1, 2, March1), Interaction(2, 3, March1)]);
        await SetTraitsAsync((1, 1, "plan", "\"gold\""), (1, 2, "plan", "\"silver\""), (1, 2, "age", "41"), (2, 3, "plan", "\"gold\""));
        await using (var store = new AnalyticsStore(_storePath, _factory) { FullTraitCopyAbove = fullCopyAbove })
        {
            Assert.Equal(4, (await store.SyncAsync()).TraitsCopied);
            Assert.Equal(["1 1 plan gold", "1 2 age 41", "1 2 plan silver", "2 3 plan gold"], StoredTraits(store));
            Assert.Equal(["age", "plan"], await store.CustomerAttributeNamesAsync(1));
            Assert.Equal(["plan"], await store.CustomerAttributeNamesAsync(2));

            // A new value arrives with an event for customer 2; customer 1 is not looked at again unless all are copied.
            await AddAsync([Interaction(1, 2, March1.AddDays(1))]);
            await SetTraitsAsync((1, 2, "plan", "\"gold\""));
            Assert.Equal(fullCopyAbove == 0 ? 4 : 2, (await store.SyncAsync()).TraitsCopied);
            Assert.Equal(["1 1 plan gold", "1 2 age 41", "1 2 plan gold", "2 3 plan gold"], StoredTraits(store));

            // Customer 1 is absorbed into 2: 1's attributes move to 2 and 1 keeps none.
            await MergeAsync(1, absorbed: 1, survivor: 2);
            await using (var db = _factory.CreateDbContext())
            {
                await db.CustomerTraits.Where(t => t.CustomerId == 1).ExecuteDeleteAsync();
            }

            await SetTraitsAsync((1, 2, "tier", "3"));
            await store.SyncAsync();
            Assert.Equal(["1 2 age 41", "1 2 plan gold", "1 2 tier 3", "2 3 plan gold"], StoredTraits(store));
            Assert.Equal(0, (await store.SyncAsync()).TraitsCopied);

            await AddAsync([Interaction(2, 3, March1.AddDays(2))]);
            await SetTraitsAsync((2, 3, "plan", "\"bronze\""));
            await store.SyncAsync();
            Assert.Equal(["1 2 age 41", "1 2 plan gold", "1 2 tier 3", "2 3 plan bronze"], StoredTraits(store));
        }

        // A sync stopped after copying the last row but before refreshing the attributes of its profile: the watermark
        // says so, and the next sync refreshes that profile although it copies no row.
        using (var connection = new DuckDBConnection(new DuckDBConnectionStringBuilder { DataSource = _storePath }.ConnectionString))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE sync_state SET traits_seq = traits_seq - 1; DELETE FROM customer_traits WHERE customer_id = 3";
            command.ExecuteNonQuery();
        }

        await using (var store = new AnalyticsStore(_storePath, _factory) { FullTraitCopyAbove = fullCopyAbove })
        {
            var copied = await store.SyncAsync();
            Assert.Equal(0, copied.InteractionsCopied);
            Assert.Equal(fullCopyAbove == 0 ? 4 : 1, copied.TraitsCopied);
            Assert.Equal(["1 2 age 41", "1 2 plan gold", "1 2 tier 3", "2 3 plan bronze"], StoredTraits(store));
        }
    }

    [Fact]
    public async Task A_rebuild_copies_every_customer_attribute()
    {
        await AddAsync([Interaction(1, 1, March1), Interaction(1, 2, March1)]);
        await SetTraitsAsync((1, 1, "plan", "\"gold\""), (1, 2, "note", "\"say \\\"hi\\\"\""), (1, 2, "vip", "true"));
        await using var store = new AnalyticsStore(_storePath, _factory);
        await store.SyncAsync();

        var rebuilt = await store.RebuildAsync();

        Assert.Equal(3, rebuilt.TraitsCopied);
        Assert.Equal(["1 1 plan gold", "1 2 note say \"hi\"", "1 2 vip true"], StoredTraits(store));
    }

    private static InteractionRow Interaction(
        long workspace, long customer, DateTime at, string department = "service", string channel = "phone",
        string type = "ticket.opened", long valueE4 = 0, string? currency = null) => new()
    {
        WorkspaceId = workspace,
        EventId = Guid.NewGuid().ToString("N"),
        CustomerId = customer,
        OccurredAt = at,
        ReceivedAt = at,
        Department = department,
        Channel = channel,
        Type = type,
        ValueE4 = valueE4,
        Currency = currency,
    };

    private static IEnumerable<InteractionRow> RandomInteractions(Random random, int count)
    {
        string[] departments = ["marketing", "sales", "service", "product", "other"];
        string[] channels = ["email", "web", "app", "phone", "chat", "store"];
        string[] types = ["campaign.sent", "deal.won", "order.placed", "ticket.opened", "ticket.resolved", "review.posted"];
        string?[] currencies = ["EUR", "EUR", "USD", "GBP", null];
        for (var i = 0; i < count; i++)
        {
            var currency = currencies[random.Next(currencies.Length)];
            yield return Interaction(
                workspace: random.Next(4) == 0 ? 2 : 1,
                customer: random.Next(1, 40),
                at: March1.AddTicks(random.NextInt64(TimeSpan.TicksPerDay * 8) / 10 * 10),
                department: departments[random.Next(departments.Length)],
                channel: channels[random.Next(channels.Length)],
                type: types[random.Next(types.Length)],
                valueE4: random.Next(3) == 0 ? 0 : random.NextInt64(-50_000_000, 500_000_000),
                currency: currency);
        }
    }

    private async Task AddAsync(IEnumerable<InteractionRow> rows)
    {
        await using var db = _factory.CreateDbContext();
        db.Interactions.AddRange(rows);
        await db.SaveChangesAsync();
    }

    /// <summary>Records a merge the way ingest does: a merge row, and the absorbed profile's rows re-pointed.</summary>
    private async Task MergeAsync(long workspace, long absorbed, long survivor)
    {
        await using var db = _factory.CreateDbContext();
        db.CustomerMerges.Add(new CustomerMergeRow
        {
            WorkspaceId = workspace,
            AbsorbedId = absorbed,
            SurvivorId = survivor,
            EventId = Guid.NewGuid().ToString("N"),
            OccurredAt = March1,
            MergedAt = March1,
        });
        await db.SaveChangesAsync();
        await db.Interactions
            .Where(x => x.WorkspaceId == workspace && x.CustomerId == absorbed)
            .ExecuteUpdateAsync(x => x.SetProperty(r => r.CustomerId, survivor));
    }

    /// <summary>Upserts profile attributes (workspace, customer, name, JSON value) as ingest would.</summary>
    private async Task SetTraitsAsync(params (long Workspace, long Customer, string Name, string Json)[] traits)
    {
        await using var db = _factory.CreateDbContext();
        foreach (var (workspace, customer, name, json) in traits)
        {
            var row = await db.CustomerTraits.SingleOrDefaultAsync(t => t.WorkspaceId == workspace && t.CustomerId == customer && t.Name == name);
            if (row is null)
            {
                db.CustomerTraits.Add(new CustomerTraitRow { WorkspaceId = workspace, CustomerId = customer, Name = name, ValueJson = json, ObservedAt = March1 });
            }
            else
            {
                row.ValueJson = json;
            }
        }

        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task The_memory_limit_binds_the_store_database()
    {
        // 256 MB = 256,000,000 bytes = 244.1 MiB, the unit DuckDB reports its setting in; DuckDB's own default would
        // be 80 % of this machine's memory.
        await using var store = new AnalyticsStore(_storePath, _factory, "256mb");
        Assert.Equal("256MB", store.MemoryLimit);
        await store.SyncAsync();

        using var connection = new DuckDBConnection(new DuckDBConnectionStringBuilder { DataSource = store.FilePath }.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT current_setting('memory_limit')";
        Assert.Equal("244.1 MiB", command.ExecuteScalar());
    }

    [Theory]
    [InlineData("1GB", "1GB")]
    [InlineData(" 512 MiB ", "512MiB")]
    [InlineData("2.5gib", "2.5GiB")]
    [InlineData("64MB", "64MB")]
    public void Memory_limits_are_read_as_duckdb_sizes(string written, string read) =>
        Assert.Equal(read, AnalyticsStore.ParseMemoryLimit(written, "Analytics:MemoryLimit"));

    [Theory]
    [InlineData("")]
    [InlineData("1024")]
    [InlineData("1 PB")]
    [InlineData("-1GB")]
    [InlineData("1GB'; DROP TABLE interactions; --")]
    [InlineData("63MB")]
    [InlineData("60MiB")]
    public async Task Memory_limits_that_are_not_sizes_or_too_small_are_refused_naming_the_field(string written)
    {
        var error = Assert.Throws<ArgumentException>(() => AnalyticsStore.ParseMemoryLimit(written, "Analytics:MemoryLimit"));
        Assert.StartsWith("Analytics:MemoryLimit: ", error.Message, StringComparison.Ordinal);
        Assert.False(AnalyticsStore.IsMemoryLimit(written));
        Assert.Throws<ArgumentException>(() => new AnalyticsStore(_storePath, _factory, written));

        // A refused limit leaves the file free for a store with a good one.
        await using var store = new AnalyticsStore(_storePath, _factory, "128MB");
        Assert.Equal("128MB", store.MemoryLimit);
    }

    /// <summary>The store's copy of the attributes as "workspace customer name value", read through the store's own database.</summary>
    private static string[] StoredTraits(AnalyticsStore store)
    {
        using var connection = new DuckDBConnection(new DuckDBConnectionStringBuilder { DataSource = store.FilePath }.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT workspace_id, customer_id, name, value FROM customer_traits ORDER BY ALL";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Create(CultureInfo.InvariantCulture, $"{reader.GetInt64(0)} {reader.GetInt64(1)} {reader.GetString(2)} {reader.GetString(3)}"));
        }

        return [.. rows];
    }

    private async Task<long> MaxSeqAsync()
    {
        await using var db = _factory.CreateDbContext();
        return await db.Interactions.MaxAsync(x => x.Seq);
    }

    private async Task<(List<InteractionRow> Rows, List<CustomerMergeRow> Merges)> SystemOfRecordAsync()
    {
        await using var db = _factory.CreateDbContext();
        return (await db.Interactions.AsNoTracking().ToListAsync(), await db.CustomerMerges.AsNoTracking().ToListAsync());
    }

    private static async Task<long> CustomersAsync(AnalyticsStore store) =>
        Assert.Single(await store.InteractionStatsAsync(1, null, null, StatsGrouping.Department)).Customers;

    private static async Task<string[]> AllStatsAsync(AnalyticsStore store)
    {
        var all = new List<string>();
        foreach (var workspace in new long[] { 1, 2 })
        {
            foreach (var grouping in Groupings)
            {
                all.AddRange(Describe(await store.InteractionStatsAsync(workspace, null, March1.AddDays(6), grouping)).Select(x => $"{workspace} {grouping} {x}"));
            }
        }

        return [.. all];
    }

    /// <summary>The same statistics computed in memory from the system of record, following merges in C#.</summary>
    private static List<InteractionStat> Expected(
        List<InteractionRow> rows, List<CustomerMergeRow> merges, long workspace, DateTime? from, DateTime? to, StatsGrouping grouping)
    {
        var survivorOf = merges
            .Where(x => x.WorkspaceId == workspace)
            .GroupBy(x => x.AbsorbedId)
            .ToDictionary(g => g.Key, g => g.MaxBy(x => x.Seq)!.SurvivorId);
        long Live(long customer)
        {
            while (survivorOf.TryGetValue(customer, out var survivor))
            {
                customer = survivor;
            }

            return customer;
        }

        string Key(InteractionRow row) => grouping switch
        {
            StatsGrouping.Department => row.Department,
            StatsGrouping.Channel => row.Channel,
            StatsGrouping.Type => row.Type,
            _ => row.OccurredAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };

        var stats = rows
            .Where(x => x.WorkspaceId == workspace && (from is null || x.OccurredAt >= from) && (to is null || x.OccurredAt < to))
            .GroupBy(Key)
            .Select(g => new InteractionStat(
                g.Key,
                g.Count(),
                g.Select(x => Live(x.CustomerId)).Distinct().Count(),
                [.. g.Where(x => x.Currency is not null)
                    .GroupBy(x => x.Currency!)
                    .Select(c => new CurrencyValue(c.Key, c.Sum(x => x.ValueE4) / 10_000m))
                    .Where(c => c.Sum != 0)
                    .OrderBy(c => c.Currency, StringComparer.Ordinal)]));
        return grouping == StatsGrouping.Day
            ? [.. stats.OrderBy(x => x.Key, StringComparer.Ordinal)]
            : [.. stats.OrderByDescending(x => x.Count).ThenBy(x => x.Key, StringComparer.Ordinal)];
    }

    private static string[] Describe(IEnumerable<InteractionStat> stats) =>
    [
        .. stats.Select(x => $"{x.Key} n={x.Count} customers={x.Customers} " +
                             string.Join(" ", x.Values.Select(v => v.Currency + "=" + v.Sum.ToString("0.0000", CultureInfo.InvariantCulture)))),
    ];
}
