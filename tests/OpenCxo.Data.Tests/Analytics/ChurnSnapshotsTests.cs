using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.Data.Tests.Analytics;

/// <summary>
/// Churn snapshots on hand-written histories: who is a customer at the moment, features worked out by hand, labels
/// from the window after, merges followed — and nothing after the moment changes a feature (the future never leaks).
/// </summary>
public sealed class ChurnSnapshotsTests : IAsyncLifetime
{
    private static readonly DateTime At = new(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc);
    private TemporarySource _source = null!;
    private AnalyticsStore _store = null!;

    public async Task InitializeAsync()
    {
        _source = await TemporarySource.CreateAsync("churn");
        _store = new AnalyticsStore(_source.StorePath, _source.Factory);
        await using var db = _source.Factory.CreateDbContext();
        for (var id = 1L; id <= 7; id++)
        {
            db.Customers.Add(new CustomerRow { Id = id, WorkspaceId = 1, FirstSeen = At, LastSeen = At, CreatedAt = At });
        }

        await db.SaveChangesAsync();
        var n = 0;
        void Add(long customer, double days, string type, string department = "sales", decimal value = 0, int? nps = null, string? ticket = null) =>
            db.Interactions.Add(new InteractionRow
            {
                WorkspaceId = 1, EventId = $"e{++n}", CustomerId = customer, OccurredAt = At.AddDays(days), ReceivedAt = At,
                Department = department, Channel = "web", Type = type, ValueE4 = (long)(value * 10_000), Currency = value == 0 ? null : "EUR",
                Attributes = nps is { } score ? $$"""{"npsScore":{{score}}}""" : ticket is null ? null : $$"""{"ticketId":"{{ticket}}"}""",
            });

        // 1: bought 40 and 10 days before, a detractor with an open ticket; buys again after: stays.
        Add(1, -40, "order.placed", value: 30);
        Add(1, -10, "order.placed", value: 20);
        Add(1, -5, "survey.response", "service", nps: 3);
        Add(1, -3, "ticket.opened", "service", ticket: "T1");
        Add(1, 20, "order.placed", value: 25);
        // …and what happens after the moment must not change the features: a promoter answer, the ticket resolved.
        Add(1, 1, "survey.response", "service", nps: 10);
        Add(1, 2, "ticket.resolved", "service", ticket: "T1");

        // 2: a subscriber who cancels within the window: churned, though paying nothing would not say so.
        Add(2, -100, "subscription.started", value: 15);
        Add(2, 30, "subscription.cancelled");

        // 3: bought 200 days before and never again: churned. 4: last bought 400 days before: not a customer any more.
        Add(3, -200, "order.placed", value: 50);
        Add(4, -400, "order.placed", value: 50);

        // 5: first seen after the moment: not in the snapshot.
        Add(5, 5, "order.placed", value: 10);

        // 6 is merged into 7: 6 bought 50 days before, 7 twenty; 6's identity buys after: the live customer 7 stays.
        Add(6, -50, "order.placed", value: 10);
        Add(7, -20, "order.placed", value: 10);
        Add(6, 10, "order.placed", value: 10);
        db.CustomerMerges.Add(new CustomerMergeRow { WorkspaceId = 1, AbsorbedId = 6, SurvivorId = 7, EventId = "m", OccurredAt = At, MergedAt = At });
        await db.SaveChangesAsync();
        await _store.SyncAsync();
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _source.Dispose();
    }

    [Fact]
    public async Task A_snapshot_holds_the_customers_of_the_moment_with_features_and_labels_worked_out_by_hand()
    {
        var snapshot = await _store.ChurnSnapshotAsync(1, At, At.AddDays(90), "EUR");
        Assert.Equal([1L, 2L, 3L, 7L], snapshot.Customers);
        Assert.Equal([false, true, true, false], snapshot.Churned!);

        double Number(long customer, string feature) =>
            snapshot.Features.Columns.Single(c => c.Name == feature).Number(Index(snapshot, customer));
        string? Category(long customer, string feature) =>
            snapshot.Features.Columns.Single(c => c.Name == feature).Category(Index(snapshot, customer));

        Assert.Equal(10, Number(1, "days_since_last_purchase"));
        Assert.Equal(3, Number(1, "days_since_last_touch"));
        Assert.Equal(40, Number(1, "tenure_days"));
        Assert.Equal(2, Number(1, "purchases_365d"));
        Assert.Equal(2, Number(1, "purchases_90d"));
        Assert.Equal(2, Number(7, "purchases_90d"));
        Assert.Equal(50, Number(1, "spend_365d"));
        Assert.Equal(3, Number(1, "last_nps"));
        Assert.Equal(1, Number(1, "open_tickets"));
        Assert.Equal("no", Category(1, "subscriber"));
        Assert.True(double.IsNaN(Number(1, "last_csat")));

        Assert.Equal("yes", Category(2, "subscriber"));
        Assert.Equal(200, Number(3, "days_since_last_purchase"));
        Assert.Equal(50, Number(7, "tenure_days"));
        Assert.Equal(2, Number(7, "purchases_365d"));

        // The snapshot of now has no labels, and the same features for the same moment.
        var unlabelled = await _store.ChurnSnapshotAsync(1, At, null, "EUR");
        Assert.Null(unlabelled.Churned);
        foreach (var column in snapshot.Features.Columns)
        {
            var same = unlabelled.Features.Columns.Single(c => c.Name == column.Name);
            Assert.Equal(
                Enumerable.Range(0, snapshot.Features.Count).Select(column.Describe),
                Enumerable.Range(0, unlabelled.Features.Count).Select(same.Describe));
        }
    }

    [Fact]
    public async Task A_later_snapshot_sees_what_happened_since()
    {
        var later = await _store.ChurnSnapshotAsync(1, At.AddDays(3), null, "EUR");
        var index = Index(later, 1);
        Assert.Equal(10, later.Features.Columns.Single(c => c.Name == "last_nps").Number(index));
        Assert.Equal(0, later.Features.Columns.Single(c => c.Name == "open_tickets").Number(index));
        Assert.Contains(5L, (await _store.ChurnSnapshotAsync(1, At.AddDays(6), null, "EUR")).Customers);
        Assert.Equal(At.AddDays(30), await _store.LastTouchpointAsync(1));
    }

    private static int Index(ChurnSnapshot snapshot, long customer) => snapshot.Customers.ToList().IndexOf(customer);
}
