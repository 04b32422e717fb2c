using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Metrics;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Kpis;

/// <summary>What saving a KPI or an alert rule did: the problems (none when saved), whether it was new, whether the key clashed.</summary>
public sealed record Saved(IReadOnlyList<FieldError> Errors, bool Created = false, bool Conflict = false)
{
    public bool Ok => Errors.Count == 0;
}

/// <summary>A KPI's value, interval, target and status over one complete period, as stored.</summary>
public sealed record KpiSnapshot(DateOnly From, DateOnly To, string Label, double? Value, double? Low, double? High, long N, double? Target, KpiStatus Status);

/// <summary>
/// Where a KPI stands now: its metric over the rolling span of one period ending today, the target for it, the
/// status judged on the interval, the trend over the stored snapshots, and those snapshots (oldest first).
/// </summary>
public sealed record KpiState(
    KpiDefinition Definition, DateOnly From, DateOnly To, KpiReading? Reading, ResolvedTarget Target, KpiStatus Status, KpiTrend? Trend,
    IReadOnlyList<KpiSnapshot> History, DateTime UpdatedAt, string UpdatedBy, string? Problem = null)
{
    /// <summary>The last complete period's snapshot and the one before it: what changed since the last report.</summary>
    public (KpiSnapshot? Last, KpiSnapshot? Before) LastTwo => (History.Count > 0 ? History[^1] : null, History.Count > 1 ? History[^2] : null);
}

/// <summary>KPIs of a workspace: stored definitions, their status now, and their snapshots per complete period.</summary>
public sealed class KpiService(CxoDbFactory databases, AnalyticsStore store, TimeProvider time)
{
    /// <summary>How many complete periods of snapshots a KPI keeps filled in (a year of months, three of quarters, a quarter of weeks).</summary>
    public const int HistoryPeriods = 12;

    public static string StatusName(KpiStatus status) => JsonNamingPolicy.CamelCase.ConvertName(status.ToString());

    public static KpiStatus ParseStatus(string name) => Enum.Parse<KpiStatus>(name, ignoreCase: true);

    public async Task<IReadOnlyList<(KpiRow Row, KpiDefinition Definition)>> ListAsync(long workspaceId, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var rows = await db.Kpis.AsNoTracking().Where(k => k.WorkspaceId == workspaceId).OrderBy(k => k.OwnerDepartment).ThenBy(k => k.Key)
            .ToListAsync(ct).ConfigureAwait(false);
        return [.. rows.Select(r => (r, Parse(r)))];
    }

    public async Task<(KpiRow Row, KpiDefinition Definition)?> GetAsync(long workspaceId, string key, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var row = await db.Kpis.AsNoTracking().FirstOrDefaultAsync(k => k.WorkspaceId == workspaceId && k.Key == key, ct).ConfigureAwait(false);
        return row is null ? null : (row, Parse(row));
    }

    /// <summary>
    /// Checks and stores a KPI: a new key creates it, an existing one is replaced only when <paramref name="replace"/>
    /// (its snapshots go, since they measured the old definition). Answers the problems, each naming its field.
    /// </summary>
    public async Task<Saved> SaveAsync(long workspaceId, KpiDefinition kpi, string by, bool replace, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(kpi);
        await using var db = databases.CreateDbContext();
        var users = (await db.Users.AsNoTracking().Where(u => u.WorkspaceId == workspaceId).Select(u => u.Name).ToListAsync(ct).ConfigureAwait(false))
            .ToHashSet(StringComparer.Ordinal);
        var errors = kpi.Check(users);
        if (errors.All(e => e.Field != "metric") && KpiReadings.CheckQuery(kpi.Metric, kpi.By, kpi.EffectiveFilters, kpi.Currency) is { } query)
        {
            errors.Add(query);
        }

        if (errors.Count > 0)
        {
            return new Saved(errors);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var row = await db.Kpis.FirstOrDefaultAsync(k => k.WorkspaceId == workspaceId && k.Key == kpi.Key, ct).ConfigureAwait(false);
        if (row is not null && !replace)
        {
            return new Saved([new FieldError("key", $"a KPI '{kpi.Key}' exists: PUT /api/v1/kpis/{kpi.Key} replaces it")], Conflict: true);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        var created = row is null;
        if (row is null)
        {
            row = new KpiRow { WorkspaceId = workspaceId, Key = kpi.Key, OwnerDepartment = kpi.Owner, DefinitionJson = "", UpdatedBy = by, CreatedAt = now };
            db.Kpis.Add(row);
        }
        else if (Measure(Parse(row)) != Measure(kpi))
        {
            // The snapshots measured the old definition; a new name, owner or RACI keeps them.
            await db.KpiSnapshots.Where(s => s.KpiId == row.Id).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        }

        row.OwnerDepartment = kpi.Owner;
        row.DefinitionJson = JsonSerializer.Serialize(kpi, KpiDefinition.Json);
        row.UpdatedAt = now;
        row.UpdatedBy = by;
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException) when (created)
        {
            // Another request created the same key between the check and the insert.
            return new Saved([new FieldError("key", $"a KPI '{kpi.Key}' was created at the same time: ask again")], Conflict: true);
        }

        return new Saved([], created);
    }

    /// <summary>What a KPI's snapshots depend on: everything but its name, description, owner and RACI.</summary>
    private static string Measure(KpiDefinition kpi) => JsonSerializer.Serialize(new
    {
        kpi.Metric, kpi.By, kpi.Slice, Filters = kpi.EffectiveFilters, kpi.Target, Direction = kpi.EffectiveDirection, Period = kpi.EffectivePeriod,
        kpi.Currency, MinimumN = kpi.EffectiveMinimumN,
    }, KpiDefinition.Json);

    public async Task<bool> DeleteAsync(long workspaceId, string key, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var row = await db.Kpis.FirstOrDefaultAsync(k => k.WorkspaceId == workspaceId && k.Key == key, ct).ConfigureAwait(false);
        if (row is null)
        {
            return false;
        }

        // Its snapshots go with it (ON DELETE CASCADE); a tracked delete, so the audit log records it.
        db.Kpis.Remove(row);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>Every KPI's state now, in owner then key order; the analytics store is caught up once first.</summary>
    public async Task<IReadOnlyList<KpiState>> StatesAsync(long workspaceId, CancellationToken ct)
    {
        await store.SyncAsync(ct).ConfigureAwait(false);
        var states = new List<KpiState>();
        foreach (var (row, kpi) in await ListAsync(workspaceId, ct).ConfigureAwait(false))
        {
            states.Add(await StateAsync(workspaceId, row, kpi, ct).ConfigureAwait(false));
        }

        return states;
    }

    public async Task<KpiState?> StateAsync(long workspaceId, string key, CancellationToken ct)
    {
        if (await GetAsync(workspaceId, key, ct).ConfigureAwait(false) is not var (row, kpi))
        {
            return null;
        }

        await store.SyncAsync(ct).ConfigureAwait(false);
        return await StateAsync(workspaceId, row, kpi, ct).ConfigureAwait(false);
    }

    private async Task<KpiState> StateAsync(long workspaceId, KpiRow row, KpiDefinition kpi, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var (from, to) = KpiRules.Rolling(today, kpi.EffectivePeriod);
        await using var db = databases.CreateDbContext();
        var history = await HistoryAsync(db, row.Id, kpi.EffectivePeriod, ct).ConfigureAwait(false);
        var trend = TrendOf(history, kpi.EffectiveDirection);
        try
        {
            var (reading, target, status) = await JudgeAsync(db, workspaceId, kpi, from, to, ct).ConfigureAwait(false);
            return new KpiState(kpi, from, to, reading, target, status, trend, history, row.UpdatedAt, row.UpdatedBy);
        }
        catch (ArgumentException e)
        {
            // A definition the engine no longer accepts (a metric's slices changed): shown, not thrown.
            return new KpiState(kpi, from, to, null, new ResolvedTarget(null, "not read"), KpiStatus.NoData, trend, history, row.UpdatedAt, row.UpdatedBy, e.Message);
        }
    }

    private async Task<(KpiReading? Reading, ResolvedTarget Target, KpiStatus Status)> JudgeAsync(
        CxoDb db, long workspaceId, KpiDefinition kpi, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var reading = await KpiReadings.ReadAsync(store, workspaceId, kpi, from, to, ct).ConfigureAwait(false);
        var target = await KpiReadings.TargetAsync(db, store, workspaceId, kpi.Target, to, ct).ConfigureAwait(false);
        return (reading, target, Judge(reading, target, kpi));
    }

    /// <summary>The status of a reading against a resolved target; a target that could not be derived judges nothing.</summary>
    public static KpiStatus Judge(KpiReading? reading, ResolvedTarget target, KpiDefinition kpi)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(kpi);
        return target.Value is { } t ? KpiRules.Judge(reading, t, kpi.EffectiveDirection, kpi.EffectiveMinimumN)
            : reading is null ? KpiStatus.NoData : KpiStatus.TooFew;
    }

    /// <summary>The trend over the snapshots that measured something, the last <see cref="HistoryPeriods"/> of them.</summary>
    public static KpiTrend? TrendOf(IReadOnlyList<KpiSnapshot> history, KpiDirection direction)
    {
        ArgumentNullException.ThrowIfNull(history);
        var recent = history.TakeLast(HistoryPeriods).ToList();
        // x is each snapshot's place among the periods, so a period without data leaves a gap rather than closing up.
        var points = recent.Select((s, i) => (X: (double)i, s.Value, s.Status)).Where(p => p.Value is not null && p.Status != KpiStatus.NoData)
            .Select(p => (p.X, p.Value!.Value)).ToList();
        return KpiRules.Trend(points, direction);
    }

    public static async Task<IReadOnlyList<KpiSnapshot>> HistoryAsync(CxoDb db, long kpiId, KpiPeriod period, CancellationToken ct)
    {
        var rows = await db.KpiSnapshots.AsNoTracking().Where(s => s.KpiId == kpiId).OrderBy(s => s.PeriodFrom).ToListAsync(ct).ConfigureAwait(false);
        return [.. rows.Select(s => new KpiSnapshot(s.PeriodFrom, s.PeriodTo, KpiRules.Label(s.PeriodFrom, period), s.Value, s.Low, s.High, s.N, s.Target, ParseStatus(s.Status)))];
    }

    /// <summary>
    /// Takes each KPI's missing snapshots for its last <see cref="HistoryPeriods"/> complete periods (a new KPI gets
    /// its history at once); a snapshot once taken stays, as the record of what was known. Answers how many it took.
    /// Safe to run on several servers at once: (KPI, period) is unique and a loser's insert is dropped.
    /// </summary>
    public async Task<int> SnapshotAsync(long? workspaceId, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        await store.SyncAsync(ct).ConfigureAwait(false);
        await using var db = databases.CreateDbContext();
        var kpis = await db.Kpis.AsNoTracking().Where(k => workspaceId == null || k.WorkspaceId == workspaceId).ToListAsync(ct).ConfigureAwait(false);
        var taken = 0;
        foreach (var row in kpis)
        {
            var kpi = Parse(row);
            var periods = KpiRules.CompletePeriods(today, kpi.EffectivePeriod, HistoryPeriods);
            var first = periods[0].From;
            var have = (await db.KpiSnapshots.AsNoTracking().Where(s => s.KpiId == row.Id && s.PeriodFrom >= first).Select(s => s.PeriodFrom).ToListAsync(ct).ConfigureAwait(false))
                .ToHashSet();
            foreach (var (from, to) in periods.Where(p => !have.Contains(p.From)))
            {
                KpiReading? reading;
                ResolvedTarget target;
                KpiStatus status;
                try
                {
                    (reading, target, status) = await JudgeAsync(db, row.WorkspaceId, kpi, from, to, ct).ConfigureAwait(false);
                }
                catch (ArgumentException)
                {
                    break;
                }

                // A KPI redefined since this pass read it measures something else now: leave its snapshots to the next pass.
                if (!await db.Kpis.AnyAsync(k => k.Id == row.Id && k.UpdatedAt == row.UpdatedAt, ct).ConfigureAwait(false))
                {
                    break;
                }

                db.KpiSnapshots.Add(new KpiSnapshotRow
                {
                    KpiId = row.Id,
                    WorkspaceId = row.WorkspaceId,
                    PeriodFrom = from,
                    PeriodTo = to,
                    Value = reading?.Value,
                    Low = reading?.Low,
                    High = reading?.High,
                    N = reading?.N ?? 0,
                    Target = target.Value,
                    Status = StatusName(status),
                    TakenAt = time.GetUtcNow().UtcDateTime,
                });
                try
                {
                    await db.SaveChangesAsync(ct).ConfigureAwait(false);
                    taken++;
                }
                catch (DbUpdateException)
                {
                    // Another server took it first.
                    db.ChangeTracker.Clear();
                }
            }
        }

        return taken;
    }

    public static KpiDefinition Parse(KpiRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return JsonSerializer.Deserialize<KpiDefinition>(row.DefinitionJson, KpiDefinition.Json)
            ?? throw new InvalidOperationException($"KPI {row.Key} has no definition.");
    }
}
