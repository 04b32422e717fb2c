using System.Globalization;
using Microsoft.EntityFrameworkCore;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.Data.Tests.Analytics;

/// <summary>
/// The dashboards' and explorer's queries against the same figures computed independently, in memory, from the
/// system of record (a real SQLite file), following merges in C#.
/// </summary>
public sealed class DashboardQueryTests : IAsyncLifetime
{
    private static readonly DateTime Start = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly string[] Types =
    [
        "campaign.sent", "campaign.opened", "lead.created", "order.placed", "subscription.started", "subscription.renewed",
        "subscription.cancelled", "refund.issued", "deal.won", "deal.lost", "call.completed", "chat.completed", "ticket.opened",
    ];

    private static readonly string[] Segments = ["consumer", "smb", "enterprise"];

    private TemporarySource _source = null!;
    private CxoDbFactory _factory = null!;
    private AnalyticsStore _store = null!;
    private List<InteractionRow> _rows = [];
    private Dictionary<long, long> _survivorOf = [];
    private Dictionary<long, string> _segmentOf = [];

    public async Task InitializeAsync()
    {
        _source = await TemporarySource.CreateAsync("dashboards");
        _factory = _source.Factory;
        _store = new AnalyticsStore(_source.StorePath, _factory);

        var random = new Random(20260101);
        await using var db = _factory.CreateDbContext();
        for (var id = 1L; id <= 60; id++)
        {
            db.Customers.Add(new CustomerRow { Id = id, WorkspaceId = 1, FirstSeen = Start, LastSeen = Start, CreatedAt = Start });
            if (id % 7 != 0)
            {
                var segment = Segments[random.Next(Segments.Length)];
                _segmentOf[id] = segment;
                db.CustomerTraits.Add(new CustomerTraitRow { WorkspaceId = 1, CustomerId = id, Name = "segment", ValueJson = $"\"{segment}\"", ObservedAt = Start });
            }
        }

        db.Customers.Add(new CustomerRow { Id = 1000, WorkspaceId = 2, FirstSeen = Start, LastSeen = Start, CreatedAt = Start });
        await db.SaveChangesAsync();

        _rows = [.. Enumerable.Range(0, 4000).Select(_ => RandomRow(random, workspace: 1, customer: random.Next(1, 61)))];
        _rows.AddRange(Enumerable.Range(0, 200).Select(_ => RandomRow(random, workspace: 2, customer: 1000)));
        db.Interactions.AddRange(_rows);
        await db.SaveChangesAsync();
        await _store.SyncAsync();

        // Profile 5 merged into 6 and 6 into 7 after their rows were copied: the store must follow the chain.
        foreach (var (absorbed, survivor) in new[] { (5L, 6L), (6L, 7L) })
        {
            db.CustomerMerges.Add(new CustomerMergeRow { WorkspaceId = 1, AbsorbedId = absorbed, SurvivorId = survivor, EventId = Guid.NewGuid().ToString("N"), OccurredAt = Start, MergedAt = Start });
            await db.SaveChangesAsync();
            _survivorOf[absorbed] = survivor;
        }

        await _store.SyncAsync();
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _source.Dispose();
    }

    public static TheoryData<TimeBucket> Buckets => [TimeBucket.Day, TimeBucket.Week, TimeBucket.Month];

    [Theory]
    [MemberData(nameof(Buckets))]
    public async Task Volume_per_bucket_equals_an_independent_count(TimeBucket bucket)
    {
        foreach (var filter in Filters())
        {
            foreach (var split in new[] { VolumeSplit.Department, VolumeSplit.Channel, VolumeSplit.Type })
            {
                var actual = await _store.VolumeAsync(1, filter, bucket, split);
                var expected = Matching(1, filter)
                    .GroupBy(r => (Bucket: BucketOf(r.OccurredAt, bucket), Key: split switch
                    {
                        VolumeSplit.Department => r.Department,
                        VolumeSplit.Channel => r.Channel,
                        _ => r.Type,
                    }))
                    .Select(g => new VolumePoint(g.Key.Bucket, g.Key.Key, g.Count()))
                    .OrderBy(p => p.Bucket).ThenBy(p => p.Key, StringComparer.Ordinal);
                Assert.Equal(expected, actual);
            }
        }
    }

    [Fact]
    public async Task Business_figures_equal_an_independent_computation_for_the_period_and_per_month()
    {
        foreach (var filter in Filters())
        {
            var total = Assert.Single(await _store.BusinessAsync(1, filter, null));
            Assert.Equal(Figures(Matching(1, filter)), Describe(total.Figures));

            var monthly = await _store.BusinessAsync(1, filter, TimeBucket.Month);
            var expected = Matching(1, filter).GroupBy(r => BucketOf(r.OccurredAt, TimeBucket.Month)).OrderBy(g => g.Key)
                .Select(g => $"{g.Key:yyyy-MM-dd} {Figures(g)}");
            Assert.Equal(expected, monthly.Select(p => $"{p.Bucket:yyyy-MM-dd} {Describe(p.Figures)}"));
        }
    }

    [Fact]
    public async Task Handle_time_statistics_per_team_equal_hyndman_fan_type_7_quantiles()
    {
        string[] contacts = ["call.completed", "chat.completed"];
        var filter = DashboardFilter.Period(Start, Start.AddMonths(3));
        var actual = await _store.BreakdownAsync(1, filter, BreakdownKey.Team, contacts);
        var expected = Matching(1, filter)
            .Where(r => contacts.Contains(r.Type) && Attribute(r, "team") is not null)
            .GroupBy(r => (Team: Attribute(r, "team")!, r.Type))
            .OrderBy(g => g.Key.Team, StringComparer.Ordinal).ThenBy(g => g.Key.Type, StringComparer.Ordinal)
            .ToList();
        Assert.Equal(expected.Count, actual.Count);
        Assert.True(expected.Count >= 4);
        foreach (var (group, row) in expected.Zip(actual))
        {
            var seconds = group.Select(r => HandleSeconds(r)).OfType<double>().Order().ToArray();
            Assert.Equal((group.Key.Team, group.Key.Type, (long)group.Count()), (row.Key, row.Type, row.Count));
            Assert.Equal(group.Select(r => Live(r.CustomerId)).Distinct().Count(), row.Customers);
            Assert.Equal(seconds.Average(), row.AverageSeconds!.Value, 9);
            Assert.Equal(Quantile7(seconds, 0.5), row.MedianSeconds!.Value, 9);
            Assert.Equal(Quantile7(seconds, 0.9), row.P90Seconds!.Value, 9);
        }
    }

    [Fact]
    public async Task Revenue_by_rep_sums_won_deal_values_per_currency()
    {
        var filter = DashboardFilter.Period(Start, Start.AddMonths(3));
        var actual = await _store.BreakdownAsync(1, filter, BreakdownKey.SalesRep, ["deal.won"]);
        var expected = Matching(1, filter)
            .Where(r => r.Type == "deal.won" && Attribute(r, "salesRep") is not null)
            .GroupBy(r => Attribute(r, "salesRep")!)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} n={g.Count()} " + string.Join(" ", g.Where(r => r.Currency is not null).GroupBy(r => r.Currency!)
                .Select(c => (c.Key, Sum: c.Sum(r => r.ValueE4) / 10_000m)).Where(c => c.Sum != 0).OrderBy(c => c.Key, StringComparer.Ordinal)
                .Select(c => c.Key + "=" + c.Sum.ToString("0.0000", CultureInfo.InvariantCulture))));
        Assert.Equal(expected, actual.Select(r => $"{r.Key} n={r.Count} " + string.Join(" ", r.Values.Select(v => v.Currency + "=" + v.Sum.ToString("0.0000", CultureInfo.InvariantCulture)))));
    }

    [Fact]
    public async Task Lead_conversion_counts_leads_whose_first_purchase_came_after_their_first_lead()
    {
        var answers = new List<LeadConversion>();
        foreach (var filter in Filters())
        {
            var leads = Matching(1, filter).Where(r => r.Type == "lead.created")
                .GroupBy(r => Live(r.CustomerId)).ToDictionary(g => g.Key, g => g.Min(r => r.OccurredAt));
            var firstPurchase = _rows.Where(r => r.WorkspaceId == 1 && r.Type is "order.placed" or "subscription.started")
                .GroupBy(r => Live(r.CustomerId)).ToDictionary(g => g.Key, g => g.Min(r => r.OccurredAt));
            var converted = leads.Count(l => firstPurchase.TryGetValue(l.Key, out var at) && at >= l.Value);

            var actual = await _store.LeadConversionAsync(1, filter);
            Assert.Equal(new LeadConversion(leads.Count, converted), actual);
            answers.Add(actual);
        }

        // The data has both kinds, so the comparison above saw conversions and non-conversions.
        Assert.Contains(answers, a => a.Converted > 0 && a.Converted < a.Leads);
    }

    [Fact]
    public async Task Segments_come_from_the_customer_trait_and_filter_like_it()
    {
        Assert.Equal(Segments.Order(StringComparer.Ordinal), await _store.SegmentsAsync(1));
        var filter = DashboardFilter.Period(Start, Start.AddMonths(3)) with { Segments = ["smb", "enterprise"] };
        var total = Assert.Single(await _store.BusinessAsync(1, filter, null));
        Assert.Equal(Matching(1, filter).Count(), total.Figures.Touchpoints);
        Assert.True(total.Figures.Touchpoints > 0);
    }

    [Fact]
    public async Task Touchpoint_pages_in_any_order_cover_every_match_once_in_that_order()
    {
        var filter = DashboardFilter.Period(Start.AddDays(10), Start.AddDays(40)) with { Channels = ["email", "phone"] };
        var all = Matching(1, filter).ToList();
        foreach (var (sort, descending) in new[] { (TouchpointSort.OccurredAt, true), (TouchpointSort.Value, false), (TouchpointSort.Customer, true), (TouchpointSort.Type, false) })
        {
            var seen = new List<long>();
            for (var offset = 0; ; offset += 97)
            {
                var slice = await _store.TouchpointsAsync(1, new TouchpointSelection(filter, [], null, sort, descending, offset, 97));
                Assert.Equal(all.Count, slice.Total);
                seen.AddRange(slice.Lines.Select(l => l.Seq));
                if (slice.Lines.Count < 97)
                {
                    break;
                }
            }

            IOrderedEnumerable<InteractionRow> ordered = sort switch
            {
                TouchpointSort.Value => descending ? all.OrderByDescending(r => r.ValueE4) : all.OrderBy(r => r.ValueE4),
                TouchpointSort.Customer => descending ? all.OrderByDescending(r => Live(r.CustomerId)) : all.OrderBy(r => Live(r.CustomerId)),
                TouchpointSort.Type => descending ? all.OrderByDescending(r => r.Type, StringComparer.Ordinal) : all.OrderBy(r => r.Type, StringComparer.Ordinal),
                _ => descending ? all.OrderByDescending(r => r.OccurredAt) : all.OrderBy(r => r.OccurredAt),
            };
            var expected = (descending ? ordered.ThenByDescending(r => r.Seq) : ordered.ThenBy(r => r.Seq)).Select(r => r.Seq);
            Assert.Equal(expected, seen);
        }
    }

    [Fact]
    public async Task A_customers_touchpoints_include_those_of_profiles_merged_into_them()
    {
        var filter = DashboardFilter.Period(DateTime.MinValue, DateTime.MaxValue);
        var slice = await _store.TouchpointsAsync(1, new TouchpointSelection(filter, [], 7, TouchpointSort.OccurredAt, true, 0, 10_000));
        var expected = _rows.Where(r => r.WorkspaceId == 1 && r.CustomerId is 5 or 6 or 7).Select(r => r.Seq).Order();
        Assert.Equal(expected, slice.Lines.Select(l => l.Seq).Order());
        Assert.All(slice.Lines, l => Assert.Equal(7, l.CustomerId));
        Assert.Contains(slice.Lines, l => _rows.Single(r => r.Seq == l.Seq).CustomerId == 5);
    }

    [Fact]
    public async Task Workspaces_never_see_each_others_touchpoints()
    {
        var filter = DashboardFilter.Period(DateTime.MinValue, DateTime.MaxValue);
        var other = await _store.TouchpointsAsync(2, new TouchpointSelection(filter, [], null, TouchpointSort.OccurredAt, true, 0, 1000));
        Assert.Equal(200, other.Total);
        Assert.All(other.Lines, l => Assert.Equal(1000, l.CustomerId));
        Assert.Equal(200, Assert.Single(await _store.BusinessAsync(2, filter, null)).Figures.Touchpoints);
    }

    [Fact]
    public async Task A_repeated_question_gets_the_new_answer_once_a_sync_brought_new_rows()
    {
        var filter = DashboardFilter.Period(Start, Start.AddMonths(3));
        var before = Assert.Single(await _store.BusinessAsync(1, filter, null)).Figures;
        Assert.Equal(Describe(before), Describe(Assert.Single(await _store.BusinessAsync(1, filter, null)).Figures));
        Assert.Equal(0, (await _store.SyncAsync()).InteractionsCopied);
        Assert.Equal(before.Touchpoints, Assert.Single(await _store.BusinessAsync(1, filter, null)).Figures.Touchpoints);

        await using (var db = _factory.CreateDbContext())
        {
            var row = RandomRow(new Random(7), workspace: 1, customer: 3);
            row.Type = "subscription.cancelled";
            db.Interactions.Add(row);
            await db.SaveChangesAsync();
        }

        Assert.Equal(1, (await _store.SyncAsync()).InteractionsCopied);
        var after = Assert.Single(await _store.BusinessAsync(1, filter, null)).Figures;
        Assert.Equal((before.Touchpoints + 1, before.Cancellations + 1), (after.Touchpoints, after.Cancellations));
    }

    private static IEnumerable<DashboardFilter> Filters()
    {
        yield return DashboardFilter.Period(Start, Start.AddMonths(3));
        yield return DashboardFilter.Period(Start.AddDays(17).AddHours(5), Start.AddDays(61));
        yield return DashboardFilter.Period(Start, Start.AddMonths(3)) with { Departments = ["sales", "service"], Channels = ["phone", "chat", "email"] };
        yield return DashboardFilter.Period(Start, Start.AddMonths(2)) with { Segments = ["consumer"] };
    }

    private IEnumerable<InteractionRow> Matching(long workspace, DashboardFilter filter) => _rows.Where(r =>
        r.WorkspaceId == workspace && r.OccurredAt >= filter.From && r.OccurredAt < filter.To
        && (filter.Departments.Count == 0 || filter.Departments.Contains(r.Department))
        && (filter.Channels.Count == 0 || filter.Channels.Contains(r.Channel))
        && (filter.Segments.Count == 0 || (SegmentAtCopy(r) is { } s && filter.Segments.Contains(s))));

    // Rows were copied before the merges, so their segment is that of the profile they had then.
    private string? SegmentAtCopy(InteractionRow row) => _segmentOf.GetValueOrDefault(row.CustomerId);

    private long Live(long customer)
    {
        while (_survivorOf.TryGetValue(customer, out var survivor))
        {
            customer = survivor;
        }

        return customer;
    }

    private string Figures(IEnumerable<InteractionRow> rows)
    {
        var list = rows.ToList();
        var purchases = new[] { "order.placed", "subscription.started", "subscription.renewed" };
        var revenue = list.Where(r => r.Currency is not null && (purchases.Contains(r.Type) || r.Type == "refund.issued"))
            .GroupBy(r => r.Currency!).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.Key + "=" + (g.Sum(r => r.Type == "refund.issued" ? -r.ValueE4 : r.ValueE4) / 10_000m).ToString("0.0000", CultureInfo.InvariantCulture));
        return $"n={list.Count} active={list.Select(r => Live(r.CustomerId)).Distinct().Count()} purchases={list.Count(r => purchases.Contains(r.Type))} " +
               $"cancellations={list.Count(r => r.Type == "subscription.cancelled")} {string.Join(" ", revenue)}";
    }

    private static string Describe(BusinessFigures f) =>
        $"n={f.Touchpoints} active={f.ActiveCustomers} purchases={f.Purchases} cancellations={f.Cancellations} " +
        string.Join(" ", f.NetRevenue.Select(v => v.Currency + "=" + v.Sum.ToString("0.0000", CultureInfo.InvariantCulture)));

    private static DateOnly BucketOf(DateTime at, TimeBucket bucket)
    {
        var day = DateOnly.FromDateTime(at);
        return bucket switch
        {
            TimeBucket.Day => day,
            TimeBucket.Week => day.AddDays(-(((int)day.DayOfWeek + 6) % 7)), // ISO weeks start on Monday
            _ => new DateOnly(day.Year, day.Month, 1),
        };
    }

    /// <summary>Sample quantile, type 7 of Hyndman and Fan (1996), "Sample quantiles in statistical packages", The American Statistician 50(4): linear interpolation between order statistics, h = (n − 1)p.</summary>
    private static double Quantile7(double[] sorted, double p)
    {
        var h = (sorted.Length - 1) * p;
        var low = (int)Math.Floor(h);
        return low + 1 < sorted.Length ? sorted[low] + ((h - low) * (sorted[low + 1] - sorted[low])) : sorted[low];
    }

    private static string? Attribute(InteractionRow row, string name) =>
        row.Attributes is null ? null : System.Text.Json.JsonDocument.Parse(row.Attributes).RootElement.TryGetProperty(name, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.String ? v.GetString() : null;

    private static double? HandleSeconds(InteractionRow row) =>
        row.Attributes is not null && System.Text.Json.JsonDocument.Parse(row.Attributes).RootElement.TryGetProperty("handleSeconds", out var v)
        && v.ValueKind == System.Text.Json.JsonValueKind.Number ? Math.Round(v.GetDouble()) : null;

    private static InteractionRow RandomRow(Random random, long workspace, long customer)
    {
        var type = Types[random.Next(Types.Length)];
        var department = type.Split('.')[0] switch
        {
            "campaign" or "lead" => "marketing",
            "deal" or "order" or "subscription" => "sales",
            _ => random.Next(5) == 0 ? "other" : "service",
        };
        string[] channels = ["email", "web", "phone", "chat", "store"];
        string[] teams = ["L1", "L2", "night"];
        string[] reps = ["ana", "bruno", "carla"];
        var at = Start.AddTicks(random.NextInt64(TimeSpan.TicksPerDay * 85) / 10 * 10);
        string? currency = random.Next(4) switch { 0 => null, 1 => "USD", _ => "EUR" };
        var attributes = type switch
        {
            "call.completed" or "chat.completed" => random.Next(10) == 0
                ? """{"team":"L1","note":{"nested":[1,2,{"handleSeconds":5}]}}"""
                : $$"""{"team":"{{teams[random.Next(teams.Length)]}}","agent":"a-{{random.Next(9)}}","handleSeconds":{{random.Next(30, 3000)}}.{{random.Next(10)}}}""",
            "deal.won" or "deal.lost" => $$"""{"salesRep":"{{reps[random.Next(reps.Length)]}}","team":"inside-sales"}""",
            "campaign.sent" or "campaign.opened" => $$"""{"campaign":"spring-{{random.Next(3)}}"}""",
            _ => random.Next(3) == 0 ? """{"other":"x","handleSeconds":"not a number"}""" : null,
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
            ValueE4 = currency is null ? 0 : random.NextInt64(1, 2_000_000_000),
            Currency = currency,
            Attributes = attributes,
        };
    }
}
