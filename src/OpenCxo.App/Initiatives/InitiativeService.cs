using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenCxo.App.Journeys;
using OpenCxo.App.Kpis;
using OpenCxo.App.Text;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Initiatives;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Initiatives;

/// <summary>The portfolio with what the council weeds out: duplicated efforts, conflicting KPI pushes, and targets deleted since.</summary>
public sealed record Portfolio(
    IReadOnlyList<(InitiativeRow Row, InitiativeDefinition Definition)> Initiatives, IReadOnlyList<DuplicateFinding> Duplicates, IReadOnlyList<ConflictFinding> Conflicts,
    IReadOnlyList<DanglingTarget> Dangling)
{
    public IEnumerable<DanglingTarget> DanglingOf(string key) => Dangling.Where(d => d.Initiative == key);

    public IEnumerable<DuplicateFinding> DuplicatesOf(string key) => Duplicates.Where(d => d.First == key || d.Second == key);

    public IEnumerable<ConflictFinding> ConflictsOf(string key) => Conflicts.Where(c => c.First == key || c.Second == key);

    public string NameOf(string key) => Initiatives.FirstOrDefault(i => i.Row.Key == key).Definition?.Name ?? key;
}

/// <summary>A targeted KPI's impact, with the KPI as it is defined now (null: it was deleted since).</summary>
public sealed record TargetImpact(KpiImpact Impact, KpiDefinition? Kpi);

/// <summary>
/// The CX initiatives portfolio (issue 10): definitions checked against the workspace's KPIs, journey stages and
/// themes; duplicates and conflicts across the portfolio; realised impact from the targeted KPIs' snapshots.
/// </summary>
public sealed class InitiativeService(CxoDbFactory databases, JourneyService journeys, TimeProvider time)
{
    public static JsonSerializerOptions Json => Hosting.DocumentJson.Strict;

    public static InitiativeDefinition Parse(InitiativeRow row) =>
        JsonSerializer.Deserialize<InitiativeDefinition>((row ?? throw new ArgumentNullException(nameof(row))).DefinitionJson, Json)
        ?? throw new InvalidOperationException($"Initiative {row.Key} has no definition.");

    public DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public async Task<IReadOnlyList<(InitiativeRow Row, InitiativeDefinition Definition)>> ListAsync(long workspaceId, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var rows = await db.Initiatives.AsNoTracking().Where(i => i.WorkspaceId == workspaceId).OrderBy(i => i.Key).ToListAsync(ct).ConfigureAwait(false);
        return [.. rows.Select(r => (r, Parse(r)))];
    }

    public async Task<(InitiativeRow Row, InitiativeDefinition Definition)?> GetAsync(long workspaceId, string key, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var row = await db.Initiatives.AsNoTracking().FirstOrDefaultAsync(i => i.WorkspaceId == workspaceId && i.Key == key, ct).ConfigureAwait(false);
        return row is null ? null : (row, Parse(row));
    }

    /// <summary>What an initiative may name here: the workspace's KPIs with their metrics, its journey's stages, its taxonomy's themes.</summary>
    public async Task<InitiativeVocabulary> VocabularyAsync(long workspaceId, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var kpis = await KpiMetricsAsync(db, workspaceId, ct).ConfigureAwait(false);
        var stages = (await journeys.JourneyAsync(workspaceId, ct).ConfigureAwait(false)).Stages.Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
        var themes = (await TextTaxonomies.GetAsync(db, workspaceId, ct).ConfigureAwait(false)).Taxonomy.Themes.Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
        return new InitiativeVocabulary(kpis, stages, themes);
    }

    /// <summary>
    /// Checks and stores an initiative: a new key creates it, an existing one is replaced only when <paramref name="replace"/>.
    /// Targets the stored version already names are kept even if the workspace deleted them since (the findings flag them).
    /// <paramref name="mayChange"/>, when given, says which owner departments the person saving may change: both the stored
    /// owner and the new one must pass (the web UI's per-department rights; API keys and the CLI pass none).
    /// </summary>
    public async Task<Saved> SaveAsync(
        long workspaceId, InitiativeDefinition initiative, string by, bool replace, CancellationToken ct, Func<string, FieldError?>? mayChange = null)
    {
        ArgumentNullException.ThrowIfNull(initiative);
        await using var db = databases.CreateDbContext();
        var now = time.GetUtcNow().UtcDateTime;
        var row = await db.Initiatives.FirstOrDefaultAsync(i => i.WorkspaceId == workspaceId && i.Key == initiative.Key, ct).ConfigureAwait(false);
        if (row is not null && !replace)
        {
            return new Saved([new FieldError("key", $"an initiative '{initiative.Key}' exists: PUT /api/v1/initiatives/{initiative.Key} replaces it")], Conflict: true);
        }

        var stored = row is null ? null : Parse(row);
        if (mayChange is not null)
        {
            var refused = (stored is null ? null : mayChange(stored.OwnerDepartment)) ?? mayChange(initiative.OwnerDepartment);
            if (refused is not null)
            {
                return new Saved([refused]);
            }
        }

        if (initiative.Validate(await VocabularyAsync(workspaceId, ct).ConfigureAwait(false), stored) is { Count: > 0 } errors)
        {
            return new Saved(errors);
        }

        var created = row is null;
        if (row is null)
        {
            row = new InitiativeRow { WorkspaceId = workspaceId, Key = initiative.Key, OwnerDepartment = "", DefinitionJson = "", UpdatedBy = by, CreatedAt = now };
            db.Initiatives.Add(row);
        }

        row.OwnerDepartment = initiative.OwnerDepartment;
        row.DefinitionJson = JsonSerializer.Serialize(initiative, Json);
        row.UpdatedAt = now;
        row.UpdatedBy = by;
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // Another request created the same key between the check and the insert, or deleted the row being replaced.
            return new Saved([new FieldError("key", $"the initiative '{initiative.Key}' was {(created ? "created" : "changed or deleted")} at the same time: ask again")], Conflict: true);
        }

        return new Saved([], created);
    }

    public async Task<bool> DeleteAsync(long workspaceId, string key, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var row = await db.Initiatives.FirstOrDefaultAsync(i => i.WorkspaceId == workspaceId && i.Key == key, ct).ConfigureAwait(false);
        if (row is null)
        {
            return false;
        }

        // A tracked delete, so the audit log records it.
        db.Initiatives.Remove(row);
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Another request deleted it between the read and the delete: it is gone either way.
            return false;
        }

        return true;
    }

    /// <summary>Every initiative with the duplicates and conflicts among them, the KPIs' metrics read as they are defined now.</summary>
    public async Task<Portfolio> PortfolioAsync(long workspaceId, CancellationToken ct)
    {
        var all = await ListAsync(workspaceId, ct).ConfigureAwait(false);
        await using var db = databases.CreateDbContext();
        var metrics = await KpiMetricsAsync(db, workspaceId, ct).ConfigureAwait(false);
        var definitions = all.Select(i => i.Definition).ToList();
        var vocabulary = await VocabularyAsync(workspaceId, ct).ConfigureAwait(false);
        return new Portfolio(
            all, InitiativeFindings.Duplicates(definitions, metrics), InitiativeFindings.Conflicts(definitions, metrics), InitiativeFindings.Dangling(definitions, vocabulary));
    }

    /// <summary>
    /// The realised impact on each KPI the initiative targets, from the KPI's stored snapshots (one per complete period),
    /// naming the other initiatives that targeted the same KPI over the compared window. Null when there is no such initiative.
    /// </summary>
    public async Task<IReadOnlyList<TargetImpact>?> ImpactAsync(long workspaceId, string key, CancellationToken ct)
    {
        var all = await ListAsync(workspaceId, ct).ConfigureAwait(false);
        if (all.FirstOrDefault(i => i.Row.Key == key).Definition is not { Start: { } start } initiative)
        {
            return null;
        }

        var today = Today;
        var portfolio = all.Select(i => i.Definition).ToList();
        var impacts = new List<TargetImpact>();
        await using var db = databases.CreateDbContext();
        foreach (var target in initiative.EffectiveKpis)
        {
            var row = await db.Kpis.AsNoTracking().FirstOrDefaultAsync(k => k.WorkspaceId == workspaceId && k.Key == target.Kpi, ct).ConfigureAwait(false);
            var kpi = row is null ? null : KpiService.Parse(row);
            var snapshots = row is null ? [] : await KpiService.HistoryAsync(db, row.Id, kpi!.EffectivePeriod, ct).ConfigureAwait(false);
            var periods = snapshots.Select(s => new KpiPeriodValue(s.From, s.To, s.Value, s.Low, s.High, s.N)).ToList();
            var measured = InitiativeImpacts.Measure(target, initiative.Status, start, initiative.End, today, periods, []);

            // Others are looked for over the after window compared, or, with no number, over the initiative's days so far.
            var (from, to) = measured.After is { } after ? (after.From, after.To) : (start, initiative.End is { } end && end < today ? end : today);
            var others = InitiativeImpacts.OthersOn(target.Kpi, key, portfolio, from, to);
            impacts.Add(new TargetImpact(InitiativeImpacts.Measure(target, initiative.Status, start, initiative.End, today, periods, others), kpi));
        }

        return impacts;
    }

    private static async Task<Dictionary<string, string>> KpiMetricsAsync(CxoDb db, long workspaceId, CancellationToken ct)
    {
        var rows = await db.Kpis.AsNoTracking().Where(k => k.WorkspaceId == workspaceId).ToListAsync(ct).ConfigureAwait(false);
        return rows.ToDictionary(r => r.Key, r => KpiService.Parse(r).Metric, StringComparer.Ordinal);
    }
}
