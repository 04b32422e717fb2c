using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.Data.Tests.Analytics;

/// <summary>
/// The per-customer metrics read from the customer facts against the same metrics computed from the touchpoints
/// alone (grouping each customer's rows at query time), on a random history with merges before and after copying,
/// customers paying in one or two currencies, and periods that cut buckets; after an incremental refresh of the facts
/// (a few customers) and after a full one (a rebuild).
/// </summary>
public sealed class CustomerFactsTests : IAsyncLifetime
{
    private static readonly DateTime Start = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly string[] Types =
    [
        "campaign.sent", "lead.created", "order.placed", "order.placed", "subscription.started", "subscription.renewed",
        "subscription.cancelled", "refund.issued", "call.completed", "chat.completed", "ticket.opened", "web.visit",
    ];

    private static readonly string[] Segments = ["consumer", "smb", "enterprise"];

    private TemporarySource _source = null!;
    private CxoDbFactory _factory = null!;
    private AnalyticsStore _store = null!;

    public async Task InitializeAsync()
    {
        _source = await TemporarySource.CreateAsync("facts");
        _factory = _source.Factory;
        _store = new AnalyticsStore(_source.StorePath, _factory);

        var random = new Random(20250101);
        await using var db = _factory.CreateDbContext();
        for (var id = 1L; id <= 80; id++)
        {
            db.Customers.Add(new CustomerRow { Id = id, WorkspaceId = 1, FirstSeen = Start, LastSeen = Start, CreatedAt = Start });
            if (id % 6 != 0)
            {
                db.CustomerTraits.Add(new CustomerTraitRow
                {
                    WorkspaceId = 1, CustomerId = id, Name = "segment", ValueJson = $"\"{Segments[random.Next(Segments.Length)]}\"", ObservedAt = Start,
                });
            }
        }

        db.Customers.Add(new CustomerRow { Id = 1000, WorkspaceId = 2, FirstSeen = Start, LastSeen = Start, CreatedAt = Start });
        await db.SaveChangesAsync();

        db.Interactions.AddRange(Enumerable.Range(0, 5000).Select(_ => RandomRow(random, 1, random.Next(1, 81))));
        db.Interactions.AddRange(Enumerable.Range(0, 300).Select(_ => RandomRow(random, 2, 1000)));
        db.CustomerMerges.Add(Merge(3, 4));
        await db.SaveChangesAsync();
        await _store.SyncAsync();

        // After the first copy: a merge chain (5 into 6, 6 into 7) and new rows of a few customers, some of them
        // earlier than rows already copied; the facts of those customers alone are refreshed.
        db.CustomerMerges.Add(Merge(5, 6));
        db.CustomerMerges.Add(Merge(6, 7));
        db.Interactions.AddRange(Enumerable.Range(0, 120).Select(_ => RandomRow(random, 1, random.Next(8, 11))));
        await db.SaveChangesAsync();
        await _store.SyncAsync();
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _source.Dispose();
    }

    [Fact]
    public async Task Facts_after_an_incremental_refresh_give_what_the_touchpoints_give() => await AssertFactsMatchTouchpointsAsync();

    [Fact]
    public async Task Facts_after_a_rebuild_give_what_the_touchpoints_give()
    {
        await _store.RebuildAsync();
        await AssertFactsMatchTouchpointsAsync();
    }

    [Fact]
    public async Task A_filter_reads_the_touchpoints_and_agrees_with_the_facts_when_it_keeps_every_row()
    {
        // A filter on every channel there is keeps every row but sends the question to the touchpoints; without it the
        // same question reads the facts. Both must give the same cells.
        var period = DashboardFilter.Period(Start, Start.AddMonths(11));
        var everyChannel = period with { Channels = ["email", "web", "phone", "chat"] };
        var compared = 0;
        foreach (var metric in new[] { MetricBase.ActiveCustomers, MetricBase.Retention, MetricBase.CohortRetention })
        {
            var slice = metric == MetricBase.CohortRetention ? MetricSlice.None : MetricSlice.Team;
            compared += await SameAsync(
                $"{metric} by month and {slice}, every channel against no filter",
                () => _store.MetricStatsAsync(1, everyChannel, FeedbackFilter.None, metric, MetricGranularity.Month, slice, null, null),
                () => _store.MetricStatsAsync(1, period, FeedbackFilter.None, metric, MetricGranularity.Month, slice, null, null));
        }

        // Cohorts over a whole period read the facts too.
        compared += await CompareAsync(period, MetricBase.CohortRetention, MetricGranularity.None, MetricSlice.None, null, null);
        Assert.True(compared > 20, $"only {compared} cells compared");
    }

    private async Task AssertFactsMatchTouchpointsAsync()
    {
        // Aligned to months and quarters (not weeks); cutting every kind of bucket; aligned to weeks.
        DashboardFilter[] periods =
        [
            DashboardFilter.Period(new DateTime(2025, 4, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc)),
            DashboardFilter.Period(new DateTime(2025, 2, 13, 7, 0, 0, DateTimeKind.Utc), new DateTime(2025, 11, 20, 15, 30, 0, DateTimeKind.Utc)),
            DashboardFilter.Period(new DateTime(2025, 3, 3, 0, 0, 0, DateTimeKind.Utc), new DateTime(2025, 12, 29, 0, 0, 0, DateTimeKind.Utc)),
        ];
        var compared = 0;
        foreach (var period in periods)
        {
            foreach (var granularity in new[] { MetricGranularity.Day, MetricGranularity.Week, MetricGranularity.Month, MetricGranularity.Quarter })
            {
                foreach (var (slice, attribute) in new (MetricSlice, string?)[]
                         {
                             (MetricSlice.None, null), (MetricSlice.Channel, null), (MetricSlice.Team, null), (MetricSlice.Campaign, null),
                             (MetricSlice.Segment, null), (MetricSlice.Type, null), (MetricSlice.Attribute, "segment"),
                         })
                {
                    foreach (var metric in new[] { MetricBase.ActiveCustomers, MetricBase.Tenure, MetricBase.Retention })
                    {
                        compared += await CompareAsync(period, metric, granularity, slice, attribute, null);
                    }

                    foreach (var currency in new[] { "EUR", "USD" })
                    {
                        compared += await CompareAsync(period, MetricBase.LifetimeValue, granularity, slice, attribute, currency);
                    }
                }
            }

        }

        // Most customers first paid in the first months.
        foreach (var period in new[] { DashboardFilter.Period(Start, periods[0].To), periods[1] with { From = Start.AddDays(9.5) } })
        {
            compared += await CompareAsync(period, MetricBase.CohortRetention, MetricGranularity.Month, MetricSlice.None, null, null);
        }

        // Thousands of cells, so that a wrong bit or period would show.
        Assert.True(compared > 5000, $"only {compared} cells compared");
    }

    /// <summary>Asserts both ways give the same cells; returns how many.</summary>
    private async Task<int> CompareAsync(
        DashboardFilter period, MetricBase metric, MetricGranularity granularity, MetricSlice slice, string? attribute, string? currency)
    {
        async Task<IReadOnlyList<MetricStats>> Read(bool facts)
        {
            _store.UseFacts = facts;
            try
            {
                return await _store.MetricStatsAsync(1, period, FeedbackFilter.None, metric, granularity, slice, attribute, currency);
            }
            finally
            {
                _store.UseFacts = true;
            }
        }

        return await SameAsync($"{metric} by {granularity} and {slice} from {period.From:O} to {period.To:O} in {currency}", () => Read(false), () => Read(true));
    }

    /// <summary>Asserts that two ways of asking give the same cells; returns how many.</summary>
    private static async Task<int> SameAsync(string context, Func<Task<IReadOnlyList<MetricStats>>> expectedWay, Func<Task<IReadOnlyList<MetricStats>>> actualWay)
    {
        var touchpoints = await expectedWay();
        var facts = await actualWay();
        Assert.True(touchpoints.Count > 0, "no cells: " + context);
        Assert.Equal(touchpoints.Count, facts.Count);
        for (var i = 0; i < facts.Count; i++)
        {
            var (expected, actual) = (touchpoints[i], facts[i]);
            var where = $"{context}, cell {expected.Bucket} {expected.Key}";
            Assert.True(expected.Bucket == actual.Bucket && expected.Key == actual.Key, $"{where}: got cell {actual.Bucket} {actual.Key}");
            Assert.True(expected.N == actual.N && expected.Successes == actual.Successes, $"{where}: N {expected.N}/{actual.N}, successes {expected.Successes}/{actual.Successes}");
            Assert.True(Close(expected.Sum, actual.Sum) && Close(expected.SumOfSquares, actual.SumOfSquares), $"{where}: sums {expected.Sum}/{actual.Sum}, {expected.SumOfSquares}/{actual.SumOfSquares}");
        }

        return facts.Count;
    }

    private static bool Close(double expected, double actual) => Math.Abs(expected - actual) <= 1e-9 * Math.Max(1, Math.Abs(expected));

    private static CustomerMergeRow Merge(long absorbed, long survivor) => new()
    {
        WorkspaceId = 1, AbsorbedId = absorbed, SurvivorId = survivor, EventId = Guid.NewGuid().ToString("N"), OccurredAt = Start, MergedAt = Start,
    };

    private static InteractionRow RandomRow(Random random, long workspace, long customer)
    {
        var type = Types[random.Next(Types.Length)];
        var department = type.Split('.')[0] switch
        {
            "campaign" or "lead" => "marketing",
            "order" or "subscription" or "refund" => "sales",
            "web" => "digital",
            _ => "service",
        };
        string[] channels = ["email", "web", "phone", "chat"];
        string[] teams = ["L1", "L2", "night"];

        // Fifteen months; a customer pays in euros, in dollars, or (every eleventh) in both.
        var at = Start.AddTicks(random.NextInt64(TimeSpan.TicksPerDay * 455) / 10 * 10);
        var currency = customer % 11 == 0 ? (random.Next(2) == 0 ? "EUR" : "USD") : customer % 9 == 0 ? "USD" : "EUR";
        var attributes = department switch
        {
            "service" => $$"""{"team":"{{teams[random.Next(teams.Length)]}}"}""",
            "marketing" => $$"""{"campaign":"spring-{{random.Next(3)}}"}""",
            _ => null,
        };
        return new InteractionRow
        {
            WorkspaceId = workspace,
            EventId = Guid.NewGuid().ToString("N"),
            CustomerId = customer,
            OccurredAt = at,
            ReceivedAt = at,
            Department = department,
            Channel = channels[random.Next(channels.Length)],
            Type = type,
            ValueE4 = department == "sales" ? random.NextInt64(1, 2_000_000_000) : 0,
            Currency = department == "sales" ? currency : null,
            Attributes = attributes,
        };
    }
}
