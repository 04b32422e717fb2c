using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenCxo.App.Analytics;
using OpenCxo.Core.Ingest;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Privacy;

/// <summary>Keep one kind of data for <see cref="Months"/> months, then <see cref="Action"/> it.</summary>
public sealed record RetentionPolicy(string Data, int Months, string Action);

/// <summary>The kinds of data a policy can name, what each action does to them, and the JSON form of a set of policies.</summary>
public static class RetentionPolicies
{
    public const string Delete = "delete";
    public const string Anonymise = "anonymise";
    public const int MaxMonths = 1200;

    /// <summary>Each kind and its actions. "Older" is by when it happened (touchpoints, texts), began (responses), was made (invitations), closed (cases) or was last seen (customers).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Kinds = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        // Touchpoints and their text analyses are deleted, in the analytics store too.
        ["touchpoints"] = [Delete],
        // delete: the text and its analysis go; anonymise: the text (raw and redacted) goes, sentiment, themes and flags stay.
        ["texts"] = [Delete, Anonymise],
        // delete: the response goes; anonymise: it is no longer tied to a customer or an event, its scores and answers stay.
        ["surveyResponses"] = [Delete, Anonymise],
        ["surveyInvitations"] = [Delete],
        // Closed cases and their notes; open ones are never removed.
        ["cases"] = [Delete],
        // Profiles not seen for the period are erased as on request (everything about them).
        ["customers"] = [Delete],
    };

    public static (IReadOnlyList<RetentionPolicy>? Policies, IReadOnlyList<FieldError> Errors) Parse(JsonNode? body)
    {
        var errors = new List<FieldError>();
        if (body is not JsonObject root || root["policies"] is not JsonArray array)
        {
            return (null, [new FieldError("policies", "give {\"policies\": [{\"data\": …, \"months\": …, \"action\": …}, …]}")]);
        }

        if (array.Count > Kinds.Count)
        {
            return (null, [new FieldError("policies", $"at most one policy per kind of data ({Kinds.Count})")]);
        }

        var policies = new List<RetentionPolicy>();
        for (var i = 0; i < array.Count; i++)
        {
            var at = $"policies[{i}]";
            if (array[i] is not JsonObject item)
            {
                errors.Add(new FieldError(at, "must be an object"));
                continue;
            }

            var data = Text(item["data"]);
            var action = Text(item["action"]) ?? Delete;
            int? months = item["months"] is JsonValue v && v.TryGetValue<int>(out var m) ? m : null;
            if (data is null || !Kinds.TryGetValue(data, out var actions))
            {
                errors.Add(new FieldError(at + ".data", $"one of {string.Join(", ", Kinds.Keys)}"));
                continue;
            }

            if (policies.Any(p => p.Data == data))
            {
                errors.Add(new FieldError(at + ".data", $"'{data}' has a policy already"));
            }

            if (months is not { } count || count is < 1 or > MaxMonths)
            {
                errors.Add(new FieldError(at + ".months", $"a whole number of months from 1 to {MaxMonths}"));
            }

            if (!actions.Contains(action))
            {
                errors.Add(new FieldError(at + ".action", $"for {data}: {string.Join(" or ", actions)}"));
            }

            if (months is { } ok)
            {
                policies.Add(new RetentionPolicy(data, ok, action));
            }
        }

        return errors.Count > 0 ? (null, errors) : (policies, []);
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text.Trim() : null;

    public static JsonObject ToJson(IReadOnlyList<RetentionPolicy> policies) => new()
    {
        ["policies"] = new JsonArray([.. policies.Select(p => new JsonObject { ["data"] = p.Data, ["months"] = p.Months, ["action"] = p.Action })]),
    };

    public static IReadOnlyList<RetentionPolicy> FromStored(string json) =>
        Parse(JsonNode.Parse(json)).Policies ?? [];
}

/// <summary><c>Retention</c> configuration: how often the policies are applied.</summary>
public sealed record RetentionOptions
{
    public bool Enabled { get; init; } = true;
    public TimeSpan Interval { get; init; } = TimeSpan.FromHours(1);
}

/// <summary>Stores a workspace's policies and applies them.</summary>
public sealed class RetentionService(CxoDbFactory databases, CustomerPrivacy privacy, AnalyticsSignal analytics, TimeProvider time)
{
    /// <summary>Customers erased per run at most, so that one run stays short; the next run goes on.</summary>
    public const int MaxCustomersPerRun = 1000;

    public async Task<IReadOnlyList<RetentionPolicy>> GetAsync(long workspaceId, CancellationToken ct) =>
        await WorkspaceDocuments.ReadAsync<RetentionSettingsRow>(databases, workspaceId, ct).ConfigureAwait(false) is { } saved
            ? RetentionPolicies.FromStored(saved.Json)
            : [];

    public async Task SaveAsync(long workspaceId, IReadOnlyList<RetentionPolicy> policies, CancellationToken ct)
    {
        var json = RetentionPolicies.ToJson(policies).ToJsonString();
        var now = time.GetUtcNow().UtcDateTime;
        await WorkspaceDocuments.SaveAsync(databases, workspaceId, json, now, () => new RetentionSettingsRow { WorkspaceId = workspaceId, RetentionJson = json, UpdatedAt = now }, ct)
            .ConfigureAwait(false);
    }

    /// <summary>Applies every workspace's policies (the scheduled run).</summary>
    public async Task RunAllAsync(CancellationToken ct)
    {
        List<long> workspaces;
        await using (var db = databases.CreateDbContext())
        {
            workspaces = await db.RetentionSettings.AsNoTracking().Select(r => r.WorkspaceId).ToListAsync(ct).ConfigureAwait(false);
        }

        foreach (var workspace in workspaces)
        {
            await RunAsync(workspace, AuditActor.System, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Applies the workspace's policies now; says, per kind, the cut-off and how many rows were removed or anonymised.</summary>
    public async Task<JsonObject> RunAsync(long workspaceId, AuditActor actor, CancellationToken ct)
    {
        var policies = await GetAsync(workspaceId, ct).ConfigureAwait(false);
        var now = time.GetUtcNow().UtcDateTime;
        var report = new JsonObject();
        foreach (var policy in policies)
        {
            var before = now.AddMonths(-policy.Months);
            var rows = await ApplyAsync(workspaceId, policy, before, actor, ct).ConfigureAwait(false);
            report[policy.Data] = new JsonObject { ["action"] = policy.Action, ["before"] = before, ["rows"] = rows };
        }

        if (policies.Count > 0)
        {
            var detail = string.Join("; ", policies.Select(p => $"{p.Data} {p.Action} {report[p.Data]!["rows"]}"));
            await AuditTrail.RecordAsync(databases, actor, workspaceId, "retention.run", "retention", detail, now, ct).ConfigureAwait(false);
            analytics.Notify();
        }

        return report;
    }

    private async Task<int> ApplyAsync(long workspaceId, RetentionPolicy policy, DateTime before, AuditActor actor, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        switch (policy.Data, policy.Action)
        {
            case ("touchpoints", _):
            {
                var old = db.Interactions.Where(i => i.WorkspaceId == workspaceId && i.OccurredAt < before).Select(i => i.Seq);
                await using var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
                await db.TextAnalyses.Where(a => a.WorkspaceId == workspaceId && old.Contains(a.InteractionSeq)).ExecuteDeleteAsync(ct).ConfigureAwait(false);
                var rows = await db.Interactions.Where(i => i.WorkspaceId == workspaceId && i.OccurredAt < before).ExecuteDeleteAsync(ct).ConfigureAwait(false);
                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return rows;
            }

            case ("texts", var action):
            {
                var old = db.Interactions.Where(i => i.WorkspaceId == workspaceId && i.OccurredAt < before && i.Text != null).Select(i => i.Seq);
                await using var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
                if (action == RetentionPolicies.Delete)
                {
                    await db.TextAnalyses.Where(a => a.WorkspaceId == workspaceId && old.Contains(a.InteractionSeq)).ExecuteDeleteAsync(ct).ConfigureAwait(false);
                }
                else
                {
                    await db.TextAnalyses.Where(a => a.WorkspaceId == workspaceId && old.Contains(a.InteractionSeq) && a.Redacted != "")
                        .ExecuteUpdateAsync(s => s.SetProperty(a => a.Redacted, ""), ct).ConfigureAwait(false);
                }

                var rows = await db.Interactions.Where(i => i.WorkspaceId == workspaceId && i.OccurredAt < before && i.Text != null)
                    .ExecuteUpdateAsync(s => s.SetProperty(i => i.Text, (string?)null), ct).ConfigureAwait(false);
                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return rows;
            }

            case ("surveyResponses", RetentionPolicies.Delete):
                return await db.SurveyResponses.Where(r => r.WorkspaceId == workspaceId && r.StartedAt < before).ExecuteDeleteAsync(ct).ConfigureAwait(false);

            case ("surveyResponses", _):
                return await db.SurveyResponses.Where(r => r.WorkspaceId == workspaceId && r.StartedAt < before && (r.CustomerId != null || r.TriggerEventId != null || r.EventId != null))
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.CustomerId, (long?)null).SetProperty(r => r.TriggerEventId, (string?)null).SetProperty(r => r.EventId, (string?)null), ct)
                    .ConfigureAwait(false);

            case ("surveyInvitations", _):
                return await db.SurveyInvitations.Where(i => i.WorkspaceId == workspaceId && i.CreatedAt < before).ExecuteDeleteAsync(ct).ConfigureAwait(false);

            case ("cases", _):
            {
                var closed = db.Cases.Where(c => c.WorkspaceId == workspaceId && c.ClosedAt != null && c.ClosedAt < before).Select(c => c.Id);
                await using var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
                await db.CaseNotes.Where(n => n.WorkspaceId == workspaceId && closed.Contains(n.CaseId)).ExecuteDeleteAsync(ct).ConfigureAwait(false);
                var rows = await db.Cases.Where(c => c.WorkspaceId == workspaceId && c.ClosedAt != null && c.ClosedAt < before).ExecuteDeleteAsync(ct).ConfigureAwait(false);
                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return rows;
            }

            case ("customers", _):
            {
                var idle = await db.Customers.AsNoTracking()
                    .Where(c => c.WorkspaceId == workspaceId && c.MergedInto == null && c.LastSeen < before)
                    .OrderBy(c => c.LastSeen).Select(c => c.Id).Take(MaxCustomersPerRun).ToListAsync(ct).ConfigureAwait(false);
                var months = policy.Months.ToString(CultureInfo.InvariantCulture);
                foreach (var id in idle)
                {
                    await privacy.EraseAsync(workspaceId, id, actor, $"retention: not seen for {months} months", ct).ConfigureAwait(false);
                }

                return idle.Count;
            }

            default:
                throw new InvalidOperationException($"no retention action '{policy.Action}' for '{policy.Data}'");
        }
    }
}

/// <summary>Applies every workspace's retention policies on a schedule (<see cref="RetentionOptions.Interval"/>).</summary>
public sealed partial class RetentionJob(RetentionService retention, JobLeases leases, IOptions<RetentionOptions> options, ILogger<RetentionJob> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.Interval);
        do
        {
            try
            {
                await leases.RunAsync("retention", JobLeases.TermFor(options.Value.Interval), retention.RunAllAsync, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Failed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Applying the retention policies failed; the next run tries again")]
    private static partial void Failed(ILogger logger, Exception exception);
}
