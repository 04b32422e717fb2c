using System.Globalization;
using OpenCxo.Core.Clv;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.Data.Tests.Analytics;

/// <summary>
/// The store's purchase summaries (order.placed of live customers, in one currency) against <see cref="RfmFiles.Summarise"/>
/// run in memory on the same orders, with merges followed in C#: same-day orders, other currencies, orders after the
/// calibration end and first orders on its last day.
/// </summary>
public sealed class PurchaseSummariesTests : IAsyncLifetime
{
    private static readonly DateTime Start = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateOnly End = new(2025, 9, 30);
    private TemporarySource _source = null!;
    private readonly List<InteractionRow> _rows = [];
    private CxoDbFactory _factory = null!;
    private AnalyticsStore _store = null!;

    public async Task InitializeAsync()
    {
        _source = await TemporarySource.CreateAsync("rfm");
        _factory = _source.Factory;
        _store = new AnalyticsStore(_source.StorePath, _factory);
        var random = new Random(11);
        await using var db = _factory.CreateDbContext();
        for (var id = 1L; id <= 40; id++)
        {
            db.Customers.Add(new CustomerRow { Id = id, WorkspaceId = 1, FirstSeen = Start, LastSeen = Start, CreatedAt = Start });
        }

        await db.SaveChangesAsync();
        for (var n = 0; n < 600; n++)
        {
            // Days on a coarse grid so that same-day orders happen; some after the end, some in dollars.
            var at = Start.AddDays(random.Next(0, 330)).AddHours(random.Next(24));
            var type = random.Next(6) == 0 ? "call.completed" : "order.placed";
            _rows.Add(new InteractionRow
            {
                WorkspaceId = 1, EventId = Guid.NewGuid().ToString("N"), CustomerId = random.Next(1, 41), OccurredAt = at, ReceivedAt = at,
                Department = type == "order.placed" ? "sales" : "service", Channel = "web", Type = type,
                ValueE4 = random.NextInt64(10_000, 5_000_000), Currency = random.Next(8) == 0 ? "USD" : "EUR",
            });
        }

        // Customer 40's first order is on the last day: nothing observed (T = 0).
        _rows.RemoveAll(r => r.CustomerId == 40);
        _rows.Add(new InteractionRow
        {
            WorkspaceId = 1, EventId = "last-day", CustomerId = 40, OccurredAt = End.ToDateTime(new TimeOnly(15, 0), DateTimeKind.Utc),
            ReceivedAt = Start, Department = "sales", Channel = "web", Type = "order.placed", ValueE4 = 100_000, Currency = "EUR",
        });
        db.Interactions.AddRange(_rows);
        db.CustomerMerges.Add(new CustomerMergeRow { WorkspaceId = 1, AbsorbedId = 2, SurvivorId = 3, EventId = "m", OccurredAt = Start, MergedAt = Start });
        await db.SaveChangesAsync();
        await _store.SyncAsync();
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _source.Dispose();
    }

    [Fact]
    public async Task Summaries_equal_the_file_summary_of_the_same_orders()
    {
        var purchases = _rows
            .Where(r => r.Type == "order.placed" && r.Currency == "EUR")
            .Select(r => new Purchase((r.CustomerId == 2 ? 3 : r.CustomerId).ToString(CultureInfo.InvariantCulture), DateOnly.FromDateTime(r.OccurredAt), r.ValueE4 / 10_000.0));
        var (expected, unobserved) = RfmFiles.Summarise(purchases, End);
        Assert.Equal(1, unobserved);

        var (actual, actualUnobserved) = await _store.PurchaseSummariesAsync(1, End, "EUR");
        Assert.Equal(unobserved, actualUnobserved);
        Assert.Equal(expected.Count, actual.Count);
        Assert.DoesNotContain(actual, a => a.Customer is 2 or 40);
        var byId = expected.ToDictionary(c => long.Parse(c.Id, CultureInfo.InvariantCulture), c => c.Summary);
        foreach (var (customer, summary) in actual)
        {
            var want = byId[customer];
            Assert.Equal(want.Frequency, summary.Frequency);
            Assert.Equal(want.Recency, summary.Recency, 9);
            Assert.Equal(want.Age, summary.Age, 9);
            Assert.Equal(want.MeanValue, summary.MeanValue, 6);
        }

        Assert.Contains(actual, a => a.Summary.Frequency >= 5);
    }
}
