using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using OpenCxo.App.Kpis;
using OpenCxo.App.Text;
using OpenCxo.Core.Alignment;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Metrics;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Alignment;

/// <summary>Where a promise stands over its window: the status, the whole window's cell and the slices that miss the target.</summary>
public sealed record PromiseState(
    PromiseDefinition Definition, KpiStatus Status, DateOnly From, DateOnly To, PromiseCell Whole, long Pending, IReadOnlyList<PromiseShortfall> Shortfalls);

/// <summary>A promise's whole report: its state, the keep rate by slice and week, the promise gap, the reps who sold under it and complaints about it.</summary>
public sealed record PromiseReport(
    PromiseState State,
    IReadOnlyList<(string Slice, PromiseCell Cell)> Cells,
    IReadOnlyList<PromiseCell> Weekly,
    PromiseGap? Gap,
    DateTime? CohortFrom,
    DateTime? CohortTo,
    string? Currency,
    int HorizonDays,
    IReadOnlyList<(string Rep, long Customers)> Reps,
    IReadOnlyList<Verbatim> Complaints);

/// <summary>
/// The promise registry: stored definitions, checked against the analytics store on every read (so an edited rule
/// applies to the whole history at once), and the two alert rules per promise — one for its marketing owner, one for
/// its service owner — that the KPI job evaluates with every other rule.
/// </summary>
public sealed class PromiseService(CxoDbFactory databases, AnalyticsStore store, TimeProvider time, Hosting.SmtpMailer? mail = null)
{
    /// <summary>How long after acquisition churn and revenue are compared.</summary>
    public const int HorizonDays = 180;

    /// <summary>Weeks of keep-rate history a report shows.</summary>
    public const int TrendWeeks = 26;

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        NumberHandling = JsonNumberHandling.Strict,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The alert rule that tells one owner of a promise that it is off track.</summary>
    public static string AlertRuleKey(string promise, string owner) => $"promise-{promise}-{owner}";

    public async Task<IReadOnlyList<PromiseDefinition>> ListAsync(long workspaceId, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var rows = await db.Promises.AsNoTracking().Where(p => p.WorkspaceId == workspaceId).OrderBy(p => p.Key).ToListAsync(ct).ConfigureAwait(false);
        return [.. rows.Select(Parse)];
    }

    public async Task<PromiseDefinition?> GetAsync(long workspaceId, string key, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var row = await db.Promises.AsNoTracking().FirstOrDefaultAsync(p => p.WorkspaceId == workspaceId && p.Key == key, ct).ConfigureAwait(false);
        return row is null ? null : Parse(row);
    }

    /// <summary>Every problem of a promise in this workspace (its themes are the workspace's taxonomy's), named by its place.</summary>
    public async Task<IReadOnlyList<FieldError>> ValidateAsync(long workspaceId, PromiseDefinition promise, CancellationToken ct)
    {
        var zones = (await store.TimeZoneNamesAsync(ct).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        await using var db = databases.CreateDbContext();
        var taxonomy = await TextTaxonomies.GetAsync(db, workspaceId, ct).ConfigureAwait(false);
        var themes = taxonomy.Taxonomy.Themes.Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
        var errors = Promises.Validate(promise, zones.Contains, themes.Contains).ToList();
        foreach (var (field, owner) in new[] { ("marketingOwner", promise?.MarketingOwner), ("serviceOwner", promise?.ServiceOwner) })
        {
            if (owner?.Email is { Count: > 0 } && mail is { Configured: false })
            {
                errors.Add(new FieldError(field + ".email", Hosting.SmtpMailer.NotConfigured));
            }
        }

        if (promise?.Key is { Length: > 40 })
        {
            errors.Add(new FieldError("key", "is at most 40 characters: its alert rules are named after it"));
        }

        return errors;
    }

    /// <summary>Stores a promise (creating it, or replacing it when <paramref name="replace"/>) with its owners' alert rules.</summary>
    public async Task<Saved> SaveAsync(long workspaceId, PromiseDefinition promise, string by, bool replace, CancellationToken ct)
    {
        var errors = await ValidateAsync(workspaceId, promise, ct).ConfigureAwait(false);
        if (errors.Count > 0)
        {
            return new Saved(errors);
        }

        var now = time.GetUtcNow().UtcDateTime;
        await using var db = databases.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        var row = await db.Promises.FirstOrDefaultAsync(p => p.WorkspaceId == workspaceId && p.Key == promise.Key, ct).ConfigureAwait(false);
        if (row is not null && !replace)
        {
            return new Saved([new FieldError("key", $"a promise '{promise.Key}' exists: PUT /api/v1/promises/{promise.Key} replaces it")], Conflict: true);
        }

        var created = row is null;
        if (row is null)
        {
            row = new PromiseRow { WorkspaceId = workspaceId, Key = promise.Key, DefinitionJson = "", UpdatedBy = by, CreatedAt = now };
            db.Promises.Add(row);
        }

        row.DefinitionJson = JsonSerializer.Serialize(promise, Json);
        row.Enabled = promise.Enabled;
        row.UpdatedAt = now;
        row.UpdatedBy = by;
        foreach (var (owner, who) in new[] { ("marketing", promise.MarketingOwner), ("service", promise.ServiceOwner) })
        {
            var key = AlertRuleKey(promise.Key, owner);
            var rule = new AlertRuleDefinition(
                key, $"{promise.Name} ({owner} owner: {who.Name})", new AlertCondition(AlertKind.Status, [KpiStatus.OffTrack]),
                Promise: promise.Key, Notify: new AlertNotify(who.Email, who.Webhook), QuietHours: 24 * 7, Enabled: promise.Enabled);
            var alertRow = await db.AlertRules.FirstOrDefaultAsync(r => r.WorkspaceId == workspaceId && r.Key == key, ct).ConfigureAwait(false);
            if (alertRow is null)
            {
                alertRow = new AlertRuleRow { WorkspaceId = workspaceId, Key = key, DefinitionJson = "", UpdatedBy = by, CreatedAt = now };
                db.AlertRules.Add(alertRow);
            }

            alertRow.DefinitionJson = JsonSerializer.Serialize(rule, AlertRuleDefinition.Json);
            alertRow.Enabled = rule.Enabled;
            alertRow.UpdatedAt = now;
            alertRow.UpdatedBy = by;
        }

        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException) when (created)
        {
            return new Saved([new FieldError("key", $"a promise '{promise.Key}' was created at the same time: ask again")], Conflict: true);
        }

        return new Saved([], created);
    }

    /// <summary>Deletes a promise and its owners' alert rules (and so their alerts).</summary>
    public async Task<bool> DeleteAsync(long workspaceId, string key, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var promise = await db.Promises.FirstOrDefaultAsync(p => p.WorkspaceId == workspaceId && p.Key == key, ct).ConfigureAwait(false);
        if (promise is null)
        {
            return false;
        }

        // Tracked deletes in one transaction, so the audit log records the promise and its rules.
        var rules = new[] { AlertRuleKey(key, "marketing"), AlertRuleKey(key, "service") };
        db.Promises.Remove(promise);
        db.AlertRules.RemoveRange(await db.AlertRules.Where(r => r.WorkspaceId == workspaceId && rules.Contains(r.Key)).ToListAsync(ct).ConfigureAwait(false));
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>The window a promise is judged on: its last <see cref="PromiseDefinition.WindowDays"/> days up to <paramref name="to"/> (today by default).</summary>
    public (DateOnly From, DateOnly To) Window(PromiseDefinition promise, DateOnly? to = null)
    {
        ArgumentNullException.ThrowIfNull(promise);
        var last = to ?? DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        return (last.AddDays(1 - promise.WindowDays), last);
    }

    public async Task<PromiseState> StateAsync(long workspaceId, PromiseDefinition promise, CancellationToken ct, DateOnly? to = null) =>
        State(promise, Window(promise, to), await CellsAsync(workspaceId, promise, Window(promise, to), ct).ConfigureAwait(false));

    public async Task<PromiseReport> ReportAsync(long workspaceId, PromiseDefinition promise, CancellationToken ct, DateOnly? to = null)
    {
        ArgumentNullException.ThrowIfNull(promise);
        var window = Window(promise, to);
        await store.SyncAsync(ct).ConfigureAwait(false);
        var now = time.GetUtcNow().UtcDateTime;
        var weeklyFrom = KpiRules.PeriodOf(window.To, KpiPeriod.Week).From.AddDays(-7 * (TrendWeeks - 1));
        var campaigns = promise.Campaigns ?? [];
        var themes = promise.Themes ?? [];
        // Independent statements, each on its own connection: run together, they share the two cores better than in turn.
        var cellsTask = store.PromiseCellsAsync(workspaceId, promise, Start(window.From), Start(window.To.AddDays(1)), now, weekly: false, ct);
        var weeklyTask = store.PromiseCellsAsync(workspaceId, promise, Start(weeklyFrom), Start(window.To.AddDays(1)), now, weekly: true, ct);
        var cohortsTask = store.PromiseCohortsAsync(workspaceId, campaigns, themes, HorizonDays, ct);
        var repsTask = campaigns.Count == 0 ? Task.FromResult<IReadOnlyList<(string, long)>>([]) : store.PromiseRepsAsync(workspaceId, campaigns, 10, ct);
        var complaintsTask = campaigns.Count == 0 || themes.Count == 0 ? Task.FromResult<IReadOnlyList<long>>([]) : store.PromiseComplaintsAsync(workspaceId, campaigns, themes, 5, ct);
        await Task.WhenAll(cellsTask, weeklyTask, cohortsTask, repsTask, complaintsTask).ConfigureAwait(false);
        var cells = await cellsTask.ConfigureAwait(false);
        var weekly = await weeklyTask.ConfigureAwait(false);
        var cohorts = await cohortsTask.ConfigureAwait(false);
        var reps = await repsTask.ConfigureAwait(false);
        var complaints = await FeedbackVerbatims.ReadAsync(databases, workspaceId, await complaintsTask.ConfigureAwait(false), ct).ConfigureAwait(false);
        var state = State(promise, window, cells);
        var promised = cohorts.Groups.FirstOrDefault(g => g.Promised)?.Figures;
        var others = cohorts.Groups.FirstOrDefault(g => !g.Promised)?.Figures;
        var gap = promised is null ? null : Promises.Gap(promised, others ?? new CohortFigures(0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        return new PromiseReport(
            state,
            [.. cells.Where(c => c.Slice != "all").Select(c => (c.Slice, new PromiseCell(c.Key, c.Kept, c.Judged)))
                .OrderBy(c => Promises.Slices.ToList().IndexOf(c.Slice)).ThenBy(c => c.Slice == "hour" ? int.Parse(c.Item2.Key!, System.Globalization.CultureInfo.InvariantCulture) : 0)
                .ThenByDescending(c => c.Item2.Judged)],
            [.. weekly.Select(w => new PromiseCell(w.Key, w.Kept, w.Judged))],
            gap, cohorts.From, cohorts.To, cohorts.Currency, HorizonDays, reps, complaints);
    }

    /// <summary>The window's cells, once the analytics store has caught up with the system of record.</summary>
    private async Task<IReadOnlyList<PromiseCellRow>> CellsAsync(long workspaceId, PromiseDefinition promise, (DateOnly From, DateOnly To) window, CancellationToken ct)
    {
        await store.SyncAsync(ct).ConfigureAwait(false);
        return await store.PromiseCellsAsync(workspaceId, promise, Start(window.From), Start(window.To.AddDays(1)), time.GetUtcNow().UtcDateTime, weekly: false, ct)
            .ConfigureAwait(false);
    }

    private static PromiseState State(PromiseDefinition promise, (DateOnly From, DateOnly To) window, IReadOnlyList<PromiseCellRow> cells)
    {
        var all = cells.FirstOrDefault(c => c.Slice == "all");
        var whole = new PromiseCell(null, all.Kept, all.Judged);
        var (status, shortfalls) = Promises.Judge(promise, whole, cells.Where(c => c.Slice != "all").Select(c => (c.Slice, new PromiseCell(c.Key, c.Kept, c.Judged))));
        return new PromiseState(promise, status, window.From, window.To, whole, all.Pending, shortfalls);
    }

    private static DateTime Start(DateOnly day) => day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    public static PromiseDefinition Parse(PromiseRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return JsonSerializer.Deserialize<PromiseDefinition>(row.DefinitionJson, Json)
            ?? throw new InvalidOperationException($"Promise {row.Key} has no definition.");
    }
}
