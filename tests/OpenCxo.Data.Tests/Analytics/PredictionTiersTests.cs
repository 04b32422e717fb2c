using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.Data.Tests.Analytics;

/// <summary>
/// A model run's scores reach the analytics store as tiers that survey scores slice by: ranks worked out by hand, a
/// newer run replacing an older one (also with no scores at all), and a customer scored before a merge counted once,
/// under the survivor's own tier.
/// </summary>
public sealed class PredictionTiersTests : IAsyncLifetime
{
    private static readonly DateTime At = new(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);
    private TemporarySource _source = null!;
    private AnalyticsStore _store = null!;

    public async Task InitializeAsync()
    {
        _source = await TemporarySource.CreateAsync("tiers");
        _store = new AnalyticsStore(_source.StorePath, _source.Factory);
        await using var db = _source.Factory.CreateDbContext();
        for (var id = 1L; id <= 10; id++)
        {
            db.Customers.Add(new CustomerRow { Id = id, WorkspaceId = 1, FirstSeen = At, LastSeen = At, CreatedAt = At });
            // Customer i answers NPS i − 1 (0 … 9): customer 10 is the one promoter.
            db.Interactions.Add(new InteractionRow
            {
                WorkspaceId = 1, EventId = $"nps{id}", CustomerId = id, OccurredAt = At.AddDays(id), ReceivedAt = At, Department = "other",
                Channel = "email", Type = "survey.response", Attributes = $$"""{"survey":"nps","npsScore":{{id - 1}}}""",
            });
        }

        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _source.Dispose();
    }

    /// <summary>A run scoring the customers given, churn risk as given.</summary>
    private async Task RunAsync(params (long Customer, double Risk)[] scores)
    {
        await using var db = _source.Factory.CreateDbContext();
        var run = new ModelRunRow { WorkspaceId = 1, StartedAt = At, FinishedAt = At, AsOf = At, Status = "ok", Customers = scores.Length, ReportJson = "{}" };
        db.ModelRuns.Add(run);
        await db.SaveChangesAsync();
        db.CustomerScores.RemoveRange(db.CustomerScores);
        db.CustomerScores.AddRange(scores.Select(s => new CustomerScoreRow { WorkspaceId = 1, CustomerId = s.Customer, RunId = run.Id, ChurnRisk = s.Risk }));
        await db.SaveChangesAsync();
    }

    private async Task<Dictionary<string, long>> AnswersByTierAsync()
    {
        var slices = await _store.ScoresAsync(1, DashboardFilter.Period(At, At.AddDays(30)), [], ScoreSlice.Attribute, AnalyticsStore.PredictedChurnRisk);
        return slices.ToDictionary(s => s.Key ?? "(none)", s => s.Promoters + s.Passives + s.Detractors);
    }

    [Fact]
    public async Task Tiers_rank_the_scored_customers_and_follow_the_latest_run_and_merges()
    {
        // Risk i / 10 for customer i: 10 is the riskiest. Of ten, rank 0 is the top tenth, ranks 1–2 (shares 0.1, 0.2)
        // the next 15 %, ranks 3–4 the next quarter, ranks 5–9 the lower half.
        await RunAsync([.. Enumerable.Range(1, 10).Select(i => ((long)i, i / 10.0))]);
        await _store.SyncAsync();
        Assert.Equal(new Dictionary<string, long> { ["top 10 %"] = 1, ["10–25 %"] = 2, ["25–50 %"] = 2, ["bottom 50 %"] = 5 }, await AnswersByTierAsync());
        var promoters = await _store.ScoresAsync(1, DashboardFilter.Period(At, At.AddDays(30)), [], ScoreSlice.Attribute, AnalyticsStore.PredictedChurnRisk);
        Assert.Equal(1, promoters.Single(s => s.Key == "top 10 %").Promoters);
        Assert.Contains(AnalyticsStore.PredictedChurnRisk, await _store.CustomerAttributeNamesAsync(1));

        // A newer run scoring two customers replaces every tier: the rest have none.
        await RunAsync((3, 0.9), (4, 0.1));
        var sync = await _store.SyncAsync();
        Assert.True(sync.PredictionsReplaced);
        Assert.Equal(new Dictionary<string, long> { ["top 10 %"] = 1, ["bottom 50 %"] = 1, ["(none)"] = 8 }, await AnswersByTierAsync());
        Assert.False((await _store.SyncAsync()).PredictionsReplaced);

        // Both scored, then 3 is merged into 4: 4 keeps its own tier and 3's answer counts once, under it.
        await using (var db = _source.Factory.CreateDbContext())
        {
            db.CustomerMerges.Add(new CustomerMergeRow { WorkspaceId = 1, AbsorbedId = 3, SurvivorId = 4, EventId = "m", OccurredAt = At, MergedAt = At });
            await db.SaveChangesAsync();
        }

        await _store.SyncAsync();
        Assert.Equal(new Dictionary<string, long> { ["bottom 50 %"] = 2, ["(none)"] = 8 }, await AnswersByTierAsync());

        // A run that scored nobody leaves no tiers, and the answers say so at once.
        await RunAsync();
        Assert.True((await _store.SyncAsync()).PredictionsReplaced);
        Assert.Equal(new Dictionary<string, long> { ["(none)"] = 10 }, await AnswersByTierAsync());
    }

    [Theory]
    [InlineData(20, new[] { 2, 3, 5, 10 })]
    [InlineData(7, new[] { 1, 1, 2, 3 })]
    [InlineData(1, new[] { 1, 0, 0, 0 })]
    public void Tier_sizes_are_the_ceilings_of_10_25_and_50_percent(int count, int[] sizes)
    {
        var tiers = Enumerable.Range(0, count).Select(rank => AnalyticsStore.PredictionTier(rank, count)).ToList();
        Assert.Equal(sizes, AnalyticsStore.PredictionTiers.Select(t => tiers.Count(x => x == t)));
    }
}
