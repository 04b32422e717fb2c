using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenCxo.App.Predict;
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
/// the workspace's rules. Computed when asked, so an edited rule applies at once. A customer is on the worklist of
/// the department that owns their best action only, so two departments never call the same customer about it.
/// </summary>
public sealed class NextActionService(CxoDbFactory databases, AnalyticsStore store, TimeProvider time)
{
    public const int MaxPageSize = 500;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<IReadOnlyList<ActionRule>> RulesAsync(long workspaceId, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var row = await db.ActionRuleSets.AsNoTracking().FirstOrDefaultAsync(r => r.WorkspaceId == workspaceId, ct).ConfigureAwait(false);
        return row is null ? NextBestAction.Defaults : [.. JsonSerializer.Deserialize<List<ActionRuleDocument>>(row.RulesJson, Json)!.Select(r => r.ToRule())];
    }

    /// <summary>Replaces the workspace's rules whole, after <see cref="NextBestAction.Validate"/> found nothing wrong.</summary>
    public async Task SaveRulesAsync(long workspaceId, IReadOnlyList<ActionRule> rules, CancellationToken ct)
    {
        if (NextBestAction.Validate(rules) is { Count: > 0 } errors)
        {
            throw new ArgumentException($"{errors[0].Field}: {errors[0].Message}", nameof(rules));
        }

        await using var db = databases.CreateDbContext();
        var json = JsonSerializer.Serialize(rules.Select(ActionRuleDocument.From), Json);
        var row = await db.ActionRuleSets.FirstOrDefaultAsync(r => r.WorkspaceId == workspaceId, ct).ConfigureAwait(false);
        if (row is null)
        {
            db.ActionRuleSets.Add(new ActionRuleSetRow { WorkspaceId = workspaceId, RulesJson = json, UpdatedAt = time.GetUtcNow().UtcDateTime });
        }
        else
        {
            row.RulesJson = json;
            row.UpdatedAt = time.GetUtcNow().UtcDateTime;
        }

        await db.SaveChangesAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The actions for one live customer, or null when the workspace has no such customer.</summary>
    public async Task<CustomerActions?> ForCustomerAsync(long workspaceId, long liveCustomer, CancellationToken ct)
    {
        var context = await ContextAsync(workspaceId, liveCustomer, ct).ConfigureAwait(false);
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
        var context = await ContextAsync(workspaceId, null, ct).ConfigureAwait(false);
        var items = new List<(CustomerState State, RecommendedAction Action)>();
        foreach (var state in context.States)
        {
            var actions = NextBestAction.Recommend(state, context.Rules, context.Percentiles);
            if (actions.Count > 0 && actions[0].Department == department)
            {
                items.Add((state, actions[0]));
            }
        }

        var page = items.OrderByDescending(i => i.Action.ExpectedValue).ThenBy(i => i.State.Customer).Skip(offset).Take(limit).ToList();
        var ids = page.Select(p => p.State.Customer).ToList();
        await using var db = databases.CreateDbContext();
        var names = await db.CustomerTraits.AsNoTracking()
            .Where(t => t.WorkspaceId == workspaceId && ids.Contains(t.CustomerId) && t.Name == "name")
            .ToDictionaryAsync(t => t.CustomerId, t => CustomerSearch.TextOf(t.ValueJson), ct).ConfigureAwait(false);
        return new Worklist(
            department,
            context.AsOf,
            context.Run,
            items.Count,
            offset,
            [.. page.Select(p => new WorklistItem(p.State.Customer, names.GetValueOrDefault(p.State.Customer), p.Action, p.State.ChurnRisk, p.State.LifetimeValue, p.State.Currency))]);
    }

    /// <summary>Every customer's state (or one's), the rules and the percentiles they are read with.</summary>
    internal async Task<ActionContext> ContextAsync(long workspaceId, long? customer, CancellationToken ct)
    {
        await store.SyncAsync(ct).ConfigureAwait(false);
        var rules = await RulesAsync(workspaceId, ct).ConfigureAwait(false);
        var now = time.GetUtcNow().UtcDateTime;
        var last = await store.LastTouchpointAsync(workspaceId, ct).ConfigureAwait(false);
        var asOf = last is { } l && l < now ? l : now;
        var facts = await store.ActionFactsAsync(workspaceId, asOf, customer, ct).ConfigureAwait(false);

        await using var db = databases.CreateDbContext();
        var run = await db.ModelRuns.AsNoTracking().Where(r => r.WorkspaceId == workspaceId).OrderByDescending(r => r.Id)
            .Select(r => new { r.Id, r.ReportJson }).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        var percentiles = run is null ? null : JsonSerializer.Deserialize<PredictionReport>(run.ReportJson, Json)!.Percentiles;
        var scores = await db.CustomerScores.AsNoTracking()
            .Where(s => s.WorkspaceId == workspaceId && (customer == null || s.CustomerId == customer))
            .Select(s => new { s.CustomerId, s.ChurnRisk, s.LifetimeValue, s.Currency, s.ProbabilityAlive })
            .ToDictionaryAsync(s => s.CustomerId, ct).ConfigureAwait(false);
        var (optedOut, doNotContact) = await PreferencesAsync(db, workspaceId, customer, ct).ConfigureAwait(false);

        var states = new List<CustomerState>(facts.Count);
        foreach (var f in facts)
        {
            var s = scores.GetValueOrDefault(f.Customer);
            states.Add(new CustomerState(
                f.Customer, s?.ChurnRisk, s?.LifetimeValue, s?.Currency, s?.ProbabilityAlive, f.LastNps, f.LastCsat, f.OpenProblems, f.DaysSinceLastTouch,
                f.TenureDays, f.Segment, optedOut.Contains(f.Customer), doNotContact.Contains(f.Customer)));
        }

        return new ActionContext(asOf, run?.Id, rules, percentiles ?? ScorePercentiles.None, states);
    }

    /// <summary>
    /// The live customers who opted out of surveys or withheld marketing consent, and those marked do-not-contact.
    /// Read from the system of record, not the analytics copy, so a preference counts the moment it is accepted; an
    /// opt-out given under a profile since merged counts for the survivor.
    /// </summary>
    private static async Task<(HashSet<long> OptedOut, HashSet<long> DoNotContact)> PreferencesAsync(CxoDb db, long workspaceId, long? customer, CancellationToken ct)
    {
        var merged = db.Customers.AsNoTracking().Where(c => c.WorkspaceId == workspaceId);
        var optOuts = await db.SurveyOptOuts.AsNoTracking().Where(o => o.WorkspaceId == workspaceId)
            .Join(merged, o => o.CustomerId, c => c.Id, (o, c) => c.MergedInto ?? c.Id)
            .Where(live => customer == null || live == customer)
            .ToListAsync(ct).ConfigureAwait(false);
        var flags = await db.CustomerTraits.AsNoTracking()
            .Where(t => t.WorkspaceId == workspaceId && (t.Name == "marketingConsent" || t.Name == "doNotContact"))
            .Join(merged, t => t.CustomerId, c => c.Id, (t, c) => new { Live = c.MergedInto ?? c.Id, t.Name, t.ValueJson })
            .Where(t => customer == null || t.Live == customer)
            .ToListAsync(ct).ConfigureAwait(false);
        var optedOut = optOuts.ToHashSet();
        optedOut.UnionWith(flags.Where(f => f.Name == "marketingConsent" && TraitFlags.Refuses(f.ValueJson)).Select(f => f.Live));
        var doNotContact = flags.Where(f => f.Name == "doNotContact" && TraitFlags.Affirms(f.ValueJson)).Select(f => f.Live).ToHashSet();
        return (optedOut, doNotContact);
    }
}

internal sealed record ActionContext(DateTime AsOf, long? Run, IReadOnlyList<ActionRule> Rules, ScorePercentiles Percentiles, IReadOnlyList<CustomerState> States);
