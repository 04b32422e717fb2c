using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenCxo.App.Predict;
using OpenCxo.App.Privacy;
using OpenCxo.App.Profiles;
using OpenCxo.Core.Actions;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Actions;

/// <summary>One customer's next best actions: what the rules saw, and what they recommend, best first.</summary>
/// <param name="Blocked">Why nothing or no offer may be proposed (do not contact, opted out), or null.</param>
public sealed record CustomerActions(long Customer, DateTime AsOf, long? ModelRun, CustomerState State, string? Blocked, IReadOnlyList<RecommendedAction> Actions);

/// <summary>A customer on a department's worklist: their next best action is that department's.</summary>
public sealed record WorklistItem(long Customer, string? Name, RecommendedAction Action, double? ChurnRisk, double? LifetimeValue, string? Currency);

public sealed record Worklist(string Department, DateTime AsOf, long? ModelRun, long Total, int Offset, IReadOnlyList<WorklistItem> Items);

/// <summary>
/// Next best actions from the latest model run's scores, each customer's touchpoints, their contact preferences and
/// the workspace's rules. A customer is on the worklist of the department that owns their best action only, so two
/// departments never call the same customer about it. Worklists are ranked once per model run, rule set and
/// analytics copy (and at most every five minutes); every page served reads its customers' contact preferences
/// afresh, so an opt-out counts the moment it is accepted.
/// </summary>
public sealed class NextActionService(CxoDbFactory databases, AnalyticsStore store, TimeProvider time)
{
    public const int MaxPageSize = 500;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan RankingLifetime = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<long, Ranking> _rankings = new();

    public async Task<IReadOnlyList<ActionRule>> RulesAsync(long workspaceId, CancellationToken ct) =>
        (await RuleSetAsync(workspaceId, ct).ConfigureAwait(false)).Rules;

    /// <summary>Replaces the workspace's rules whole, after <see cref="NextBestAction.Validate"/> found nothing wrong.</summary>
    public async Task SaveRulesAsync(long workspaceId, IReadOnlyList<ActionRule> rules, CancellationToken ct)
    {
        if (NextBestAction.Validate(rules) is { Count: > 0 } errors)
        {
            throw new ArgumentException($"{errors[0].Field}: {errors[0].Message}", nameof(rules));
        }

        var json = JsonSerializer.Serialize(rules.Select(ActionRuleDocument.From), Json);
        var now = time.GetUtcNow().UtcDateTime;
        await WorkspaceDocuments.SaveAsync(databases, workspaceId, json, now, () => new ActionRuleSetRow { WorkspaceId = workspaceId, RulesJson = json, UpdatedAt = now }, ct)
            .ConfigureAwait(false);
        _rankings.TryRemove(workspaceId, out _);
    }

    /// <summary>
    /// The actions for one live customer, or null when the workspace has no such customer. The analytics copy is
    /// brought up to date first unless a copy is already under way (a rebuild or a large import can take minutes):
    /// then it is read as it stands, so a profile page never waits on one.
    /// </summary>
    public async Task<CustomerActions?> ForCustomerAsync(long workspaceId, long liveCustomer, CancellationToken ct)
    {
        if (store.Copying is null)
        {
            await store.SyncAsync(ct).ConfigureAwait(false);
        }

        var context = await ContextAsync(workspaceId, liveCustomer, await RulesAsync(workspaceId, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
        if (context.States.Count == 0)
        {
            return null;
        }

        var state = context.States[0];
        return new CustomerActions(
            state.Customer,
            context.AsOf,
            context.Run,
            state,
            state.DoNotContact ? "do not contact" : state.OptedOut ? "opted out: service actions only, no offers" : null,
            NextBestAction.Recommend(state, context.Rules, context.Percentiles));
    }

    /// <summary>The customers whose best action is <paramref name="department"/>'s, the most valuable first.</summary>
    public async Task<Worklist> WorklistAsync(long workspaceId, string department, int offset, int limit, CancellationToken ct)
    {
        var ranking = await RankingAsync(workspaceId, ct).ConfigureAwait(false);
        var ranked = ranking.Lists.GetValueOrDefault(department) ?? [];
        var page = ranked.Skip(offset).Take(limit).ToList();

        // Preferences as they are now: anyone who opted out or asked not to be contacted since the ranking is left out
        // of this page, or keeps only what they may still be offered if that is still this department's.
        var ids = page.Select(p => p.State.Customer).ToList();
        await using var db = databases.CreateDbContext();
        var (optedOut, doNotContact) = await ContactPreferences.ReadAsync(db, workspaceId, ids, ct).ConfigureAwait(false);
        var items = new List<WorklistItem>(page.Count);
        foreach (var (state, action) in page)
        {
            var now = state with { OptedOut = optedOut.Contains(state.Customer), DoNotContact = doNotContact.Contains(state.Customer) };
            var fresh = now == state ? [action] : NextBestAction.Recommend(now, ranking.Rules, ranking.Percentiles);
            var best = fresh.Count > 0 ? fresh[0] : null;
            if (best is not null && best.Department == department)
            {
                items.Add(new WorklistItem(state.Customer, null, best, state.ChurnRisk, state.LifetimeValue, state.Currency));
            }
        }

        var names = await db.CustomerTraits.AsNoTracking()
            .Where(t => t.WorkspaceId == workspaceId && ids.Contains(t.CustomerId) && t.Name == "name")
            .ToDictionaryAsync(t => t.CustomerId, t => CustomerSearch.TextOf(t.ValueJson), ct).ConfigureAwait(false);
        return new Worklist(
            department,
            ranking.AsOf,
            ranking.Run,
            ranked.Count,
            offset,
            [.. items.Select(i => i with { Name = names.GetValueOrDefault(i.Customer) })]);
    }

    /// <summary>Every customer's best action, by department, ranked; reused while nothing it read has changed.</summary>
    private async Task<Ranking> RankingAsync(long workspaceId, CancellationToken ct)
    {
        var sync = await store.SyncAsync(ct).ConfigureAwait(false);
        var (rules, version) = await RuleSetAsync(workspaceId, ct).ConfigureAwait(false);
        long? run;
        await using (var db = databases.CreateDbContext())
        {
            run = await db.ModelRuns.AsNoTracking().Where(r => r.WorkspaceId == workspaceId).MaxAsync(r => (long?)r.Id, ct).ConfigureAwait(false);
        }

        var key = (run, version, sync.Watermark);
        var now = time.GetUtcNow();
        if (_rankings.TryGetValue(workspaceId, out var cached) && cached.Key == key && now - cached.Made < RankingLifetime)
        {
            return cached;
        }

        var context = await ContextAsync(workspaceId, null, rules, ct).ConfigureAwait(false);
        var lists = new Dictionary<string, List<(CustomerState, RecommendedAction)>>();
        foreach (var state in context.States)
        {
            var actions = NextBestAction.Recommend(state, context.Rules, context.Percentiles);
            if (actions.Count > 0)
            {
                (lists.TryGetValue(actions[0].Department, out var list) ? list : lists[actions[0].Department] = []).Add((state, actions[0]));
            }
        }

        var ranking = new Ranking(
            key,
            now,
            context.AsOf,
            context.Run,
            context.Rules,
            context.Percentiles,
            lists.ToDictionary(l => l.Key, l => (IReadOnlyList<(CustomerState State, RecommendedAction Action)>)[.. l.Value.OrderByDescending(i => i.Item2.ExpectedValue).ThenBy(i => i.Item1.Customer)]));
        _rankings[workspaceId] = ranking;
        return ranking;
    }

    private async Task<(IReadOnlyList<ActionRule> Rules, long Version)> RuleSetAsync(long workspaceId, CancellationToken ct) =>
        await WorkspaceDocuments.ReadAsync<ActionRuleSetRow>(databases, workspaceId, ct).ConfigureAwait(false) is { } saved
            ? ([.. JsonSerializer.Deserialize<List<ActionRuleDocument>>(saved.Json, Json)!.Select(r => r.ToRule())], saved.UpdatedAt.Ticks)
            : (NextBestAction.Defaults, 0);

    /// <summary>Every customer's state (or one's), with the rules and the percentiles they are read with.</summary>
    private async Task<ActionContext> ContextAsync(long workspaceId, long? customer, IReadOnlyList<ActionRule> rules, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var last = await store.LastTouchpointAsync(workspaceId, ct).ConfigureAwait(false);
        var asOf = last is { } l && l < now ? l : now;
        var facts = await store.ActionFactsAsync(workspaceId, asOf, customer, ct).ConfigureAwait(false);

        await using var db = databases.CreateDbContext();
        var run = await db.ModelRuns.AsNoTracking().Where(r => r.WorkspaceId == workspaceId).OrderByDescending(r => r.Id)
            .Select(r => new { r.Id, r.ReportJson }).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        var percentiles = run is null ? null : JsonSerializer.Deserialize<PredictionReport>(run.ReportJson, Json)!.Percentiles;
        var ids = customer is { } one ? await ProfilesOfAsync(db, workspaceId, one, ct).ConfigureAwait(false) : null;

        // The run's scores by the profile they belong to now: a customer scored before a merge counts for the
        // survivor, whose own score wins when both were scored.
        var scores = new Dictionary<long, (double? ChurnRisk, double? LifetimeValue, string? Currency, double? ProbabilityAlive, bool Own)>();
        if (run is not null)
        {
            var rows = await db.CustomerScores.AsNoTracking()
                .Where(s => s.WorkspaceId == workspaceId && s.RunId == run.Id && (ids == null || ids.Contains(s.CustomerId)))
                .Join(db.Customers, s => s.CustomerId, c => c.Id, (s, c) => new { Live = c.MergedInto ?? c.Id, s.CustomerId, s.ChurnRisk, s.LifetimeValue, s.Currency, s.ProbabilityAlive })
                .ToListAsync(ct).ConfigureAwait(false);
            foreach (var r in rows)
            {
                var own = r.Live == r.CustomerId;
                if (own || !scores.TryGetValue(r.Live, out var had) || !had.Own)
                {
                    scores[r.Live] = (r.ChurnRisk, r.LifetimeValue, r.Currency, r.ProbabilityAlive, own);
                }
            }
        }

        var (optedOut, doNotContact) = await ContactPreferences.ReadAsync(db, workspaceId, ids, ct).ConfigureAwait(false);
        var states = new List<CustomerState>(facts.Count);
        foreach (var f in facts)
        {
            var s = scores.TryGetValue(f.Customer, out var found) ? found : default;
            states.Add(new CustomerState(
                f.Customer, s.ChurnRisk, s.LifetimeValue, s.Currency, s.ProbabilityAlive, f.LastNps, f.LastCsat, f.OpenProblems, f.DaysSinceLastTouch,
                f.TenureDays, f.Segment, optedOut.Contains(f.Customer), doNotContact.Contains(f.Customer)));
        }

        return new ActionContext(asOf, run?.Id, rules, percentiles ?? ScorePercentiles.None, states);
    }

    /// <summary>A live customer and every profile merged into it.</summary>
    private static async Task<List<long>> ProfilesOfAsync(CxoDb db, long workspaceId, long live, CancellationToken ct) =>
        [live, .. await db.Customers.AsNoTracking().Where(c => c.WorkspaceId == workspaceId && c.MergedInto == live).Select(c => c.Id).ToListAsync(ct).ConfigureAwait(false)];

    private sealed record Ranking(
        (long? Run, long Rules, long Watermark) Key,
        DateTimeOffset Made,
        DateTime AsOf,
        long? Run,
        IReadOnlyList<ActionRule> Rules,
        ScorePercentiles Percentiles,
        IReadOnlyDictionary<string, IReadOnlyList<(CustomerState State, RecommendedAction Action)>> Lists);
}

internal sealed record ActionContext(DateTime AsOf, long? Run, IReadOnlyList<ActionRule> Rules, ScorePercentiles Percentiles, IReadOnlyList<CustomerState> States);
