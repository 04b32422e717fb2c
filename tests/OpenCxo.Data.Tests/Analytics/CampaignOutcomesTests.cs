using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.Data.Tests.Analytics;

/// <summary>
/// A campaign's outcomes by week on a fixture whose answer is known by construction: five treated and five held-out
/// customers with purchases, a refund, cancellations, NPS answers and campaign touchpoints planted in given weeks, plus
/// touchpoints before the launch and after the window that must not count.
/// </summary>
public sealed class CampaignOutcomesTests() : SeededStoreTest("campaigns")
{
    private static readonly DateTime Launch = new(2026, 3, 2, 0, 0, 0, DateTimeKind.Utc);

    protected override async Task SeedAsync(CxoDb db)
    {
        for (var id = 1L; id <= 11; id++)
        {
            db.Customers.Add(new CustomerRow { Id = id, WorkspaceId = 1, FirstSeen = Launch, LastSeen = Launch, CreatedAt = Launch });
        }

        await db.SaveChangesAsync();
        Add(db, 1, 2, "order.placed", 10);
        Add(db, 2, 3, "order.placed", 20);
        Add(db, 3, 4, "order.placed", 30);
        Add(db, 4, 16, "order.placed", 40);
        Add(db, 1, 9, "refund.issued", 5);
        Add(db, 5, 10, "subscription.cancelled", 0);
        Add(db, 7, 1, "subscription.cancelled", 0);
        Add(db, 6, 8, "order.placed", 50);
        Add(db, 1, 3, "survey.response", 0, """{"survey":"relational","npsScore":10}""");
        Add(db, 1, 15, "survey.response", 0, """{"survey":"relational","npsScore":0}""");
        Add(db, 4, 1, "subscription.renewed", 25);
        Add(db, 2, 5, "order.placed", 70, currency: "USD");
        Add(db, 6, 2, "survey.response", 0, """{"survey":"relational","npsScore":3}""");
        Add(db, 1, 1, "campaign.sent", 0, """{"campaign":"spring"}""");
        Add(db, 2, 1, "campaign.sent", 0, """{"campaign":"spring"}""");
        Add(db, 9, 1, "campaign.sent", 0, """{"campaign":"spring"}""");

        // Half a second into week 2 from a launch at midnight; in week 1 from a launch at 00:00:00.7.
        Add(db, 10, 7, "order.placed", 7, at: Launch.AddDays(7).AddMilliseconds(500));

        // Outside: before the launch, after the three weeks, and a customer who is not a member.
        Add(db, 2, -3, "order.placed", 999);
        Add(db, 3, 25, "order.placed", 999);
        Add(db, 11, 2, "order.placed", 999);
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task Each_groups_cumulative_outcomes_by_week_are_the_planted_ones()
    {
        CampaignMember[] members = [.. Enumerable.Range(1, 10).Select(id => new CampaignMember(id, id > 5))];
        var outcomes = await Store.CampaignOutcomesAsync(1, "spring", members, Launch, 3, Launch.AddDays(30));

        CampaignWeek Week(bool control, int week) => outcomes.Weeks.Single(w => w.Control == control && w.Week == week);

        // Treated: 1, 2, 3 buy in week 1 (10, 20, 30) and 4 renews for 25 (revenue, not a decision to buy again); 1 is
        // refunded 5 in week 2, 5 cancels in week 2, 4 buys 40 in week 3. 2's order in USD is not EUR revenue.
        Assert.Equal((5L, 0L, 3L, 85.0, 100.0 + 400 + 900 + 625, 1L), Row(Week(false, 1)));
        Assert.Equal((5L, 1L, 3L, 80.0, 25.0 + 400 + 900 + 625, 1L), Row(Week(false, 2)));
        Assert.Equal((5L, 1L, 4L, 120.0, 25.0 + 400 + 900 + (65 * 65), 0L), Row(Week(false, 3)));

        // 1 answered 10 in week 1 and 0 in week 3: one member, counted by the latest answer.
        Assert.Equal((1L, 0L, 0L), (Week(false, 2).Promoters, Week(false, 2).Passives, Week(false, 2).Detractors));
        Assert.Equal((0L, 0L, 1L), (Week(false, 3).Promoters, Week(false, 3).Passives, Week(false, 3).Detractors));

        // Held out: 7 cancels in week 1; 6 answers 3 in week 1 and buys 50 in week 2; 10 buys 7 in week 2.
        Assert.Equal((5L, 1L, 0L, 0.0, 0.0, 0L), Row(Week(true, 1)));
        Assert.Equal((5L, 1L, 2L, 57.0, 2500.0 + 49, 0L), Row(Week(true, 3)));
        Assert.Equal(1L, Week(true, 1).Detractors);
        Assert.Equal("EUR", Week(false, 1).Currency);
        Assert.Equal(6, outcomes.Weeks.Count);
        Assert.Equal(1L, outcomes.OtherCurrencyPurchases);

        // Two treated members and one held-out member carried the campaign's touchpoints.
        Assert.Equal((2L, 1L), (outcomes.TreatedReached, outcomes.ControlReached));
    }

    [Fact]
    public async Task Weeks_are_counted_from_the_launch_to_the_microsecond()
    {
        CampaignMember[] members = [.. Enumerable.Range(1, 10).Select(id => new CampaignMember(id, id > 5))];
        var outcomes = await Store.CampaignOutcomesAsync(1, "spring", members, Launch.AddMilliseconds(700), 3, Launch.AddDays(30));
        Assert.Equal(1L, outcomes.Weeks.Single(w => w.Control && w.Week == 1).Bought);
    }

    private static (long, long, long, double, double, long) Row(CampaignWeek w) => (w.Members, w.Cancelled, w.Bought, w.RevenueSum, w.RevenueSumOfSquares, w.Promoters);

    private static void Add(CxoDb db, long customer, int daysAfterLaunch, string type, decimal value, string? attributes = null, string currency = "EUR", DateTime? at = null)
    {
        var department = type.StartsWith("campaign", StringComparison.Ordinal) ? "marketing" : type == "survey.response" ? "service" : "sales";
        db.Interactions.Add(new InteractionRow
        {
            WorkspaceId = 1, EventId = Guid.NewGuid().ToString("N"), CustomerId = customer, OccurredAt = at ?? Launch.AddDays(daysAfterLaunch).AddHours(12),
            ReceivedAt = Launch, Department = department, Channel = "web", Type = type, ValueE4 = (long)(value * 10_000), Currency = value == 0 ? null : currency,
            Attributes = attributes,
        });
    }
}
