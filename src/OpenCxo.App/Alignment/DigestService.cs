using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenCxo.App.Hosting;
using OpenCxo.App.Kpis;
using OpenCxo.App.Text;
using OpenCxo.Core.Alignment;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Metrics;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Alignment;

/// <summary>Where one department's digest goes beside the web UI: e-mail addresses and one webhook.</summary>
public sealed record DigestRecipients(IReadOnlyList<string>? Email = null, string? Webhook = null);

/// <summary>Each department's recipients (marketing, sales, service); a department not named gets its digest in the web UI only.</summary>
public sealed record DigestSettings(IReadOnlyDictionary<string, DigestRecipients>? Departments = null);

/// <summary>A stored digest.</summary>
public sealed record DigestEntry(long Id, Digest Digest);

/// <summary>
/// Weekly insight digests (issue 8, part 5): each department's, for the last complete ISO week, generated once from the
/// data by the KPI job (or on request), stored, and sent by e-mail and webhook through the alert deliveries.
/// </summary>
public sealed class DigestService(
    CxoDbFactory databases, AnalyticsStore store, PromiseService promises, SalesQualityService sales, ServiceBalanceService service, TimeProvider time,
    SmtpMailer? mail = null, TextAnalyses? analyses = null)
{
    /// <summary>Themes and agents are read over the four weeks to the digest's Sunday: one week is too few words to rank.</summary>
    public const int WindowDays = 28;

    private const int Themes = 3;

    public static JsonSerializerOptions Json => PromiseService.Json;

    public async Task<DigestSettings> SettingsAsync(long workspaceId, CancellationToken ct) =>
        await WorkspaceDocuments.ReadAsync<DigestSettingsRow>(databases, workspaceId, ct).ConfigureAwait(false) is { } saved
            ? JsonSerializer.Deserialize<DigestSettings>(saved.Json, Json) ?? new DigestSettings()
            : new DigestSettings();

    public async Task<IReadOnlyList<FieldError>> SaveSettingsAsync(long workspaceId, DigestSettings settings, CancellationToken ct)
    {
        var errors = Validate(settings, mail);
        if (errors.Count == 0)
        {
            var json = JsonSerializer.Serialize(settings, Json);
            var now = time.GetUtcNow().UtcDateTime;
            await WorkspaceDocuments.SaveAsync(databases, workspaceId, json, now, () => new DigestSettingsRow { WorkspaceId = workspaceId, SettingsJson = json, UpdatedAt = now }, ct)
                .ConfigureAwait(false);
        }

        return errors;
    }

    /// <summary>Every problem of a settings document, named by its place (<c>departments.sales.email[1]</c>).</summary>
    public static IReadOnlyList<FieldError> Validate(DigestSettings settings, SmtpMailer? mail)
    {
        var errors = new List<FieldError>();
        foreach (var (department, recipients) in settings?.Departments ?? new Dictionary<string, DigestRecipients>())
        {
            var at = "departments." + department;
            if (!Digests.Departments.Contains(department))
            {
                errors.Add(new FieldError(at, "is not a department with a digest: " + string.Join(", ", Digests.Departments)));
                continue;
            }

            AlertRuleDefinition.CheckRecipients(errors, at, recipients?.Email, recipients?.Webhook);
            if (recipients?.Email is { Count: > 0 } && mail is { Configured: false })
            {
                errors.Add(new FieldError(at + ".email", Hosting.SmtpMailer.NotConfigured));
            }
        }

        return errors;
    }

    public async Task<IReadOnlyList<DigestEntry>> ListAsync(long workspaceId, string? department, int limit, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var rows = await db.Digests.AsNoTracking()
            .Where(d => d.WorkspaceId == workspaceId && (department == null || d.Department == department))
            .OrderByDescending(d => d.Week).ThenBy(d => d.Department).Take(Math.Clamp(limit, 1, 200))
            .ToListAsync(ct).ConfigureAwait(false);
        return [.. rows.Select(r => new DigestEntry(r.Id, Parse(r)))];
    }

    public async Task<DigestEntry?> GetAsync(long workspaceId, long id, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var row = await db.Digests.AsNoTracking().FirstOrDefaultAsync(d => d.WorkspaceId == workspaceId && d.Id == id, ct).ConfigureAwait(false);
        return row is null ? null : new DigestEntry(row.Id, Parse(row));
    }

    /// <summary>The digests of the last complete ISO week of every workspace (or one) that are not written yet; answers how many it wrote.</summary>
    public async Task<int> GenerateDueAsync(long? workspaceId, CancellationToken ct)
    {
        var lastWeek = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime).AddDays(-7);
        var week = Digests.WeekOf(lastWeek).Week;
        List<long> workspaces;
        await using (var db = databases.CreateDbContext())
        {
            // Every pass of the KPI job asks; once a workspace's three digests of the week are written, it costs one query.
            workspaces = await db.Workspaces.AsNoTracking()
                .Where(w => (workspaceId == null || w.Id == workspaceId) && db.Digests.Count(d => d.WorkspaceId == w.Id && d.Week == week) < Digests.Departments.Count)
                .Select(w => w.Id).ToListAsync(ct).ConfigureAwait(false);
        }

        var written = 0;
        foreach (var workspace in workspaces)
        {
            // A digest is written once: not before the texts of its week are analysed (after a large import, the next pass).
            if (!await TextsReadAsync(workspace, lastWeek, ct).ConfigureAwait(false))
            {
                continue;
            }

            written += (await GenerateAsync(workspace, lastWeek, ct).ConfigureAwait(false)).Count(d => d.Created);
        }

        return written;
    }

    /// <summary>Whether the text analysis has read every touchpoint of the workspace up to the end of the ISO week holding <paramref name="day"/>.</summary>
    public async Task<bool> TextsReadAsync(long workspaceId, DateOnly day, CancellationToken ct)
    {
        if (analyses is null)
        {
            return true;
        }

        var weekEnd = Digests.WeekOf(day).To.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var watermark = await analyses.WatermarkAsync(ct).ConfigureAwait(false);
        await store.SyncAsync(ct).ConfigureAwait(false);
        return await store.LastSeqBeforeAsync(workspaceId, weekEnd, ct).ConfigureAwait(false) <= watermark;
    }

    /// <summary>
    /// Each department's digest of the ISO week holding <paramref name="day"/>: written once (a second call, or a second
    /// server, finds it), with a delivery to each recipient. Answers the digests and whether this call wrote them.
    /// </summary>
    public async Task<IReadOnlyList<(DigestEntry Entry, bool Created)>> GenerateAsync(long workspaceId, DateOnly day, CancellationToken ct)
    {
        var (week, _, _) = Digests.WeekOf(day);
        var settings = await SettingsAsync(workspaceId, ct).ConfigureAwait(false);
        var results = new List<(DigestEntry, bool)>();
        foreach (var department in Digests.Departments)
        {
            await using var db = databases.CreateDbContext();
            if (await db.Digests.AsNoTracking().FirstOrDefaultAsync(d => d.WorkspaceId == workspaceId && d.Department == department && d.Week == week, ct).ConfigureAwait(false) is { } found)
            {
                results.Add((new DigestEntry(found.Id, Parse(found)), false));
                continue;
            }

            var digest = await BuildAsync(workspaceId, department, day, ct).ConfigureAwait(false);
            var row = new DigestRow { WorkspaceId = workspaceId, Department = department, Week = week, GeneratedAt = digest.GeneratedAt, ContentJson = JsonSerializer.Serialize(digest, Json) };
            await using var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
            db.Digests.Add(row);
            try
            {
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
            }
            catch (DbUpdateException)
            {
                // Another server wrote it first.
                await transaction.RollbackAsync(ct).ConfigureAwait(false);
                await using var again = databases.CreateDbContext();
                var theirs = await again.Digests.AsNoTracking().SingleAsync(d => d.WorkspaceId == workspaceId && d.Department == department && d.Week == week, ct).ConfigureAwait(false);
                results.Add((new DigestEntry(theirs.Id, Parse(theirs)), false));
                continue;
            }

            var now = time.GetUtcNow().UtcDateTime;
            if (settings.Departments?.GetValueOrDefault(department) is { } to)
            {
                foreach (var address in to.Email ?? [])
                {
                    db.AlertDeliveries.Add(new AlertDeliveryRow { DigestId = row.Id, WorkspaceId = workspaceId, Channel = "email", Target = address, NextAttemptAt = now });
                }

                if (to.Webhook is { } hook)
                {
                    db.AlertDeliveries.Add(new AlertDeliveryRow { DigestId = row.Id, WorkspaceId = workspaceId, Channel = "webhook", Target = hook, NextAttemptAt = now });
                }
            }

            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
            results.Add((new DigestEntry(row.Id, digest), true));
        }

        return results;
    }

    /// <summary>One department's digest of the ISO week holding <paramref name="day"/>, from the data as it stands.</summary>
    public async Task<Digest> BuildAsync(long workspaceId, string department, DateOnly day, CancellationToken ct)
    {
        var (week, from, to) = Digests.WeekOf(day);
        await store.SyncAsync(ct).ConfigureAwait(false);
        var end = to.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var start = end.AddDays(-WindowDays);
        var now = time.GetUtcNow().UtcDateTime;
        switch (department)
        {
            case "marketing":
            {
                var (texts, themes) = await ThemesAsync(workspaceId, DigestTexts.Valued, start, end, ct).ConfigureAwait(false);
                var failing = new List<DigestPromiseItem>();
                foreach (var promise in (await promises.ListAsync(workspaceId, ct).ConfigureAwait(false)).Where(p => p.Enabled))
                {
                    var state = await promises.StateAsync(workspaceId, promise, ct, to).ConfigureAwait(false);
                    if (state.Status is KpiStatus.OffTrack or KpiStatus.AtRisk)
                    {
                        var worst = state.Shortfalls.Count > 0
                            ? $"{state.Shortfalls[0].Slice} {(state.Shortfalls[0].Key.Length == 0 ? "(none)" : state.Shortfalls[0].Key)}: {state.Shortfalls[0].Rate.Value.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)} %"
                            : null;
                        failing.Add(new DigestPromiseItem(promise.Key, promise.Name, promise.Claim, KpiService.StatusName(state.Status), state.Whole.Rate.Value, state.Whole.Judged, promise.Target, worst));
                    }
                }

                return new Digest(department, week, from, to, now, themes, texts, Promises: [.. failing.OrderBy(p => p.Status == "offTrack" ? 0 : 1).ThenBy(p => p.Kept)]);
            }

            case "sales":
            {
                var (texts, themes) = await ThemesAsync(workspaceId, DigestTexts.EarlyCancellations, end.AddDays(-90), end, ct).ConfigureAwait(false);
                // Every campaign and team is tested against the rest; Holm's adjustment keeps "beyond chance" true when
                // dozens are tested each week.
                var candidates = new List<(DigestProfileItem Item, Comparison Test)>();
                foreach (var by in new[] { SalesGrouping.Campaign, SalesGrouping.Team })
                {
                    var report = await sales.ReportAsync(workspaceId, by, to.AddDays(-729), to, ct).ConfigureAwait(false);
                    foreach (var g in report.Groups.Where(g => g.Key is not null))
                    {
                        var (eligible, churned) = (g.EarlyChurn.N, (long)Math.Round(g.EarlyChurn.Value * g.EarlyChurn.N / 100));
                        var (allEligible, allChurned) = (report.All.EarlyChurn.N, (long)Math.Round(report.All.EarlyChurn.Value * report.All.EarlyChurn.N / 100));
                        var test = ScoreStatistics.CompareProportions(churned, eligible, allChurned - churned, allEligible - eligible);
                        if (!test.Small && eligible > 0)
                        {
                            candidates.Add((new DigestProfileItem(SalesQualityEndpoints.Groupings[(int)by], g.Key!, g.Customers, g.EarlyChurn.Value,
                                100.0 * (allChurned - churned) / Math.Max(1, allEligible - eligible), test.PValue, g.Unserved.N == 0 ? 0 : g.Unserved.Value), test));
                        }
                    }
                }

                var adjusted = ScoreStatistics.Holm([.. candidates.Select(c => c.Test.PValue)]);
                var profiles = candidates.Select((c, i) => (c.Item with { PValue = adjusted[i] }, c.Test))
                    .Where(c => c.Item2.Difference > 0 && c.Item1.PValue < 0.05)
                    .Select(c => c.Item1);
                return new Digest(department, week, from, to, now, themes, texts, Profiles: [.. profiles.OrderByDescending(p => p.EarlyChurn).Take(5)]);
            }

            default:
            {
                var (texts, themes) = await ThemesAsync(workspaceId, DigestTexts.Repeats, start, end, ct).ConfigureAwait(false);
                // Agents are flagged over 90 days: four weeks give most agents too few contacts to judge.
                var balance = await service.ReportAsync(workspaceId, true, to.AddDays(-89), to, ServiceBalanceService.DefaultHourlyCost, ct).ConfigureAwait(false);
                var agents = balance.Groups.Where(g => g.Flagged && g.Key is not null)
                    .Select(g => new DigestAgentItem(g.Key!, g.Contacts, g.HandleSeconds.Value, g.Repeat.Value, g.Fcr.N == 0 ? null : g.Fcr.Value, g.RepeatCost))
                    .OrderByDescending(a => a.RepeatCost).Take(5).ToList();
                return new Digest(department, week, from, to, now, themes, texts, Agents: agents, RepeatCost: balance.All.RepeatCost);
            }
        }
    }

    private async Task<(long Texts, IReadOnlyList<DigestThemeItem> Themes)> ThemesAsync(long workspaceId, DigestTexts kind, DateTime from, DateTime to, CancellationToken ct)
    {
        var (texts, themes) = await store.DigestThemesAsync(workspaceId, kind, from, to, Themes, ct).ConfigureAwait(false);
        var verbatims = (await FeedbackVerbatims.ReadAsync(databases, workspaceId, [.. themes.SelectMany(t => t.Examples).Distinct()], ct).ConfigureAwait(false))
            .ToDictionary(v => v.Seq);
        await using var db = databases.CreateDbContext();
        var names = (await TextTaxonomies.GetAsync(db, workspaceId, ct).ConfigureAwait(false)).Taxonomy.Themes.ToDictionary(t => t.Key, t => t.Name.En, StringComparer.Ordinal);
        // One quote per theme, the newest not already quoted for another theme: a text about two themes speaks for one.
        var quoted = new HashSet<long>();
        return (texts, [.. themes.Select(t =>
        {
            var quote = t.Examples.Where(verbatims.ContainsKey).FirstOrDefault(quoted.Add, -1);
            return new DigestThemeItem(
                t.Theme, names.GetValueOrDefault(t.Theme, t.Theme), t.Texts, t.Customers, texts == 0 ? 0 : 100.0 * t.Texts / texts,
                verbatims.TryGetValue(quote, out var v) ? [new DigestQuote(v.Seq, v.CustomerId, v.Type, v.OccurredAt, v.Text)] : []);
        })]);
    }

    public static Digest Parse(DigestRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return JsonSerializer.Deserialize<Digest>(row.ContentJson, Json) ?? throw new InvalidOperationException($"Digest {row.Id} has no content.");
    }
}
