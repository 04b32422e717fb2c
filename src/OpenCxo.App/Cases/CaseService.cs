using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenCxo.App.Predict;
using OpenCxo.Core.Actions;
using OpenCxo.Core.Cases;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Profiles;
using OpenCxo.Data.Ingest;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Cases;

/// <summary>A case as the API shows it.</summary>
public sealed record CaseView(
    long Id, long CustomerId, string Rule, string Trigger, string Reason, long? SourceSeq, string Department, string? Team, string? Owner, string Priority,
    CaseStatus Status, DateTime OpenedAt, DateTime DueAt, bool Overdue, DateTime? FirstContactAt, DateTime? ClosedAt, DateTime? EscalatedAt,
    string? EscalatedTo, string? RootCause)
{
    public static CaseView Of(CaseRow row, DateTime now)
    {
        var state = CaseService.StateOf(row);
        return new(row.Id, row.CustomerId, row.RuleKey, row.Trigger, row.Reason, row.SourceSeq, row.Department, row.Team, row.Owner, row.Priority,
            state.Status, row.OpenedAt, row.DueAt, state.IsOverdue(now), row.FirstContactAt, row.ClosedAt, row.EscalatedAt, row.EscalatedTo, row.RootCause);
    }
}

public sealed record CaseNoteView(DateTime At, string Author, string Kind, string Text);

public sealed record CaseDetail(CaseView Case, IReadOnlyList<CaseNoteView> Notes);

public sealed record CasePage(long Total, int Offset, IReadOnlyList<CaseView> Items);

/// <summary>Which cases to list: by status (open = new or contacted), department, team, owner, customer, overdue only.</summary>
public sealed record CaseQuery(string? Status = null, string? Department = null, string? Team = null, string? Owner = null, long? Customer = null, bool OverdueOnly = false);

/// <summary>What one pass of the opener did.</summary>
public sealed record OpenerPass(int Opened, int Escalated, long InteractionSeq, long TextAnalysisId, long ModelRunId);

/// <summary>
/// Closed-loop cases: the rules that open them, the opener that reads new survey answers, text analyses and model
/// runs and opens one case per trigger (a unique key, so a re-sent event or a second server never opens two), SLA
/// escalation, and the steps people take on a case.
/// </summary>
public sealed class CaseService(CxoDbFactory databases, TimeProvider time, EventIngestor? ingestor = null)
{
    /// <summary>The touchpoint a closed case adds to the customer's timeline; a survey rule on it sends the follow-up survey.</summary>
    public const string ResolvedType = "case.resolved";

    public const int MaxPageSize = 200;
    private const int Batch = 5_000;

    /// <summary>Text analyses below the watermark read again each pass (see the text loop).</summary>
    private const long TrailingAnalyses = 2_000;

    /// <summary>
    /// Answers and texts older than this, counted back from the workspace's latest touchpoint (or now, if earlier), open
    /// no case: importing years of history must not fill the inbox with detractors from long ago.
    /// </summary>
    public static readonly TimeSpan MaxTriggerAge = TimeSpan.FromDays(14);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    public static CaseState StateOf(CaseRow row) => new(
        CaseStatuses.Parse(row.Status),
        row.OpenedAt, row.DueAt, row.FirstContactAt, row.ClosedAt, row.EscalatedAt, row.RootCause);

    public async Task<CaseSettings> SettingsAsync(long workspaceId, CancellationToken ct) =>
        await WorkspaceDocuments.ReadAsync<CaseSettingsRow>(databases, workspaceId, ct).ConfigureAwait(false) is { } saved
            ? JsonSerializer.Deserialize<CaseSettings>(saved.Json, Json)!
            : CaseRules.Defaults;

    /// <summary>Replaces the workspace's case rules and root causes whole; they must have passed <see cref="CaseRules.Validate"/>.</summary>
    public async Task SaveSettingsAsync(long workspaceId, CaseSettings settings, CancellationToken ct)
    {
        if (CaseRules.Validate(settings) is { Count: > 0 } errors)
        {
            throw new ArgumentException($"{errors[0].Field}: {errors[0].Message}", nameof(settings));
        }

        var json = JsonSerializer.Serialize(settings, Json);
        var now = time.GetUtcNow().UtcDateTime;
        await WorkspaceDocuments.SaveAsync(databases, workspaceId, json, now, () => new CaseSettingsRow { WorkspaceId = workspaceId, SettingsJson = json, UpdatedAt = now }, ct)
            .ConfigureAwait(false);
    }

    public async Task<CasePage> ListAsync(long workspaceId, CaseQuery query, int offset, int limit, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = databases.CreateDbContext();
        var rows = db.Cases.AsNoTracking().Where(c => c.WorkspaceId == workspaceId);
        rows = query.Status switch
        {
            null => rows,
            "open" => rows.Where(c => c.Status == "new" || c.Status == "contacted"),
            var status => rows.Where(c => c.Status == status),
        };
        if (query.Department is { } department)
        {
            rows = rows.Where(c => c.Department == department);
        }

        if (query.Team is { } team)
        {
            rows = rows.Where(c => c.Team == team);
        }

        if (query.Owner is { } owner)
        {
            rows = rows.Where(c => c.Owner == owner);
        }

        if (query.Customer is { } customer)
        {
            rows = rows.Where(c => c.CustomerId == customer);
        }

        if (query.OverdueOnly)
        {
            rows = rows.Where(c => c.Status == "new" && c.DueAt < now);
        }

        var total = await rows.LongCountAsync(ct).ConfigureAwait(false);
        var page = await rows.OrderBy(c => c.Status == "new" || c.Status == "contacted" ? 0 : 1).ThenBy(c => c.DueAt).ThenBy(c => c.Id)
            .Skip(offset).Take(limit).ToListAsync(ct).ConfigureAwait(false);
        return new CasePage(total, offset, [.. page.Select(c => CaseView.Of(c, now))]);
    }

    public async Task<CaseDetail?> GetAsync(long workspaceId, long id, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var row = await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.WorkspaceId == workspaceId && c.Id == id, ct).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }

        var notes = await db.CaseNotes.AsNoTracking().Where(n => n.WorkspaceId == workspaceId && n.CaseId == id).OrderBy(n => n.At).ThenBy(n => n.Id)
            .Select(n => new CaseNoteView(n.At, n.Author, n.Kind, n.Text)).ToListAsync(ct).ConfigureAwait(false);
        return new CaseDetail(CaseView.Of(row, time.GetUtcNow().UtcDateTime), notes);
    }

    /// <summary>
    /// A step on a case: <c>contact</c>, <c>resolve</c> (with a root cause from the workspace's codes) or
    /// <c>not-reachable</c>, with an optional note; or just a note (<paramref name="step"/> null). Null when there is no
    /// such case. A step the case's state does not allow throws <see cref="CaseStateException"/>.
    /// </summary>
    public async Task<CaseDetail?> StepAsync(long workspaceId, long id, string? step, string? rootCause, string? note, string author, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using (var db = databases.CreateDbContext())
        {
            var row = await db.Cases.FirstOrDefaultAsync(c => c.WorkspaceId == workspaceId && c.Id == id, ct).ConfigureAwait(false);
            if (row is null)
            {
                return null;
            }

            if (step is not null)
            {
                var state = StateOf(row);
                if (step == "resolve")
                {
                    var codes = (await SettingsAsync(workspaceId, ct).ConfigureAwait(false)).RootCauses;
                    if (rootCause is null || !codes.Contains(rootCause))
                    {
                        throw new CaseStateException($"a case is resolved with one of the root causes {string.Join(", ", codes)}");
                    }
                }

                state = step switch
                {
                    "contact" => state.Contact(now),
                    "resolve" => state.Resolve(now, rootCause!),
                    _ => state.NotReachable(now),
                };
                Apply(row, state, now);
                db.CaseNotes.Add(new CaseNoteRow { WorkspaceId = workspaceId, CaseId = id, At = now, Author = author, Kind = "status", Text = row.Status + (rootCause is null ? "" : ": " + rootCause) });
            }

            if (!string.IsNullOrWhiteSpace(note))
            {
                db.CaseNotes.Add(new CaseNoteRow { WorkspaceId = workspaceId, CaseId = id, At = now, Author = author, Kind = "note", Text = note.Trim() });
                row.UpdatedAt = now;
            }

            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            if (step is "resolve" or "not-reachable")
            {
                await TouchpointAsync(db, row, ct).ConfigureAwait(false);
            }
        }

        return await GetAsync(workspaceId, id, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// One pass: opens the cases new survey answers, text analyses and model runs call for, then escalates overdue
    /// cases. Safe to run from several servers at once: each trigger opens one case, whoever gets there first.
    /// </summary>
    public async Task<OpenerPass> RunAsync(CancellationToken ct)
    {
        var opened = 0;
        await using var db = databases.CreateDbContext();
        var state = await db.CaseOpenerStates.FirstOrDefaultAsync(s => s.Id == 1, ct).ConfigureAwait(false);
        if (state is null)
        {
            state = new CaseOpenerStateRow { Id = 1 };
            db.CaseOpenerStates.Add(state);
            try
            {
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
            }
            catch (DbUpdateException)
            {
                // Another server made the row first.
                db.ChangeTracker.Clear();
                state = await db.CaseOpenerStates.FirstAsync(s => s.Id == 1, ct).ConfigureAwait(false);
            }
        }

        var now = time.GetUtcNow().UtcDateTime;
        var fresh = new Dictionary<long, DateTime>();
        async Task<DateTime> FreshSinceAsync(long workspace)
        {
            if (!fresh.TryGetValue(workspace, out var since))
            {
                // The latest touchpoint among the 1,000 ingested last, read from the top of the seq key rather than by a scan
                // (a batch may end with an older event).
                var latest = await db.Interactions.Where(i => i.WorkspaceId == workspace).OrderByDescending(i => i.Seq).Take(1_000)
                    .MaxAsync(i => (DateTime?)i.OccurredAt, ct).ConfigureAwait(false) ?? now;
                fresh[workspace] = since = (latest < now ? latest : now) - MaxTriggerAge;
            }

            return since;
        }

        var settings = new Dictionary<long, CaseSettings>();
        async Task<CaseSettings> SettingsOf(long workspace) =>
            settings.TryGetValue(workspace, out var s) ? s : settings[workspace] = await SettingsAsync(workspace, ct).ConfigureAwait(false);

        // Survey answers, up to the newest touchpoint at the start (later ones are the next pass's).
        var horizon = await db.Interactions.MaxAsync(i => (long?)i.Seq, ct).ConfigureAwait(false) ?? 0;
        while (state.InteractionSeq < horizon)
        {
            var after = state.InteractionSeq;
            var rows = await db.Interactions.AsNoTracking().Where(i => i.Seq > after && i.Seq <= horizon && i.Type == "survey.response").OrderBy(i => i.Seq).Take(Batch)
                .Select(i => new { i.Seq, i.WorkspaceId, i.CustomerId, i.Type, i.Channel, i.Attributes, i.OccurredAt }).ToListAsync(ct).ConfigureAwait(false);

            var candidates = new List<Candidate>();
            foreach (var row in rows.Where(r => r.Type == "survey.response" && r.Attributes is not null))
            {
                if (row.OccurredAt < await FreshSinceAsync(row.WorkspaceId).ConfigureAwait(false))
                {
                    continue;
                }

                var (nps, csat) = Scores(row.Attributes!);
                if (nps is null && csat is null)
                {
                    continue;
                }

                foreach (var rule in (await SettingsOf(row.WorkspaceId).ConfigureAwait(false)).Rules.Where(r => CaseRules.Opens(r, nps, csat)))
                {
                    var (kind, score) = rule.Trigger == "detractor" ? ("nps", nps!.Value) : ("csat", csat!.Value);
                    candidates.Add(new Candidate(row.WorkspaceId, row.CustomerId, rule, $"{rule.Key}:{kind}:{row.Seq}",
                        string.Create(CultureInfo.InvariantCulture, $"{kind.ToUpperInvariant()} {score} by {row.Channel}"), row.Seq));
                }
            }

            opened += await OpenAsync(db, candidates, ct).ConfigureAwait(false);
            state.InteractionSeq = rows.Count < Batch ? horizon : rows[^1].Seq;
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }

        // Flags in analysed texts. On PostgreSQL an id is taken at insert and may become visible after a higher one, so
        // each pass reads again a trailing window below the watermark: trigger keys make a second reading harmless.
        var reread = true;
        while (true)
        {
            var after = reread ? Math.Max(0, state.TextAnalysisId - TrailingAnalyses) : state.TextAnalysisId;
            reread = false;
            var rows = await db.TextAnalyses.AsNoTracking().Where(a => a.Id > after).OrderBy(a => a.Id).Take(Batch)
                .Select(a => new { a.Id, a.WorkspaceId, a.InteractionSeq, a.Flags }).ToListAsync(ct).ConfigureAwait(false);
            if (rows.Count == 0)
            {
                break;
            }

            var flagged = rows.Where(r => r.Flags.Length > 2).ToList();
            var seqs = flagged.Select(r => r.InteractionSeq).ToList();
            var touchpoints = await db.Interactions.AsNoTracking().Where(i => seqs.Contains(i.Seq))
                .ToDictionaryAsync(i => i.Seq, i => new { i.CustomerId, i.Channel, i.Type, i.OccurredAt }, ct).ConfigureAwait(false);
            var candidates = new List<Candidate>();
            foreach (var row in flagged)
            {
                if (!touchpoints.TryGetValue(row.InteractionSeq, out var touchpoint) || touchpoint.OccurredAt < await FreshSinceAsync(row.WorkspaceId).ConfigureAwait(false))
                {
                    continue;
                }

                var flags = FlagsOf(row.Flags);
                foreach (var rule in (await SettingsOf(row.WorkspaceId).ConfigureAwait(false)).Rules.Where(r => r.Enabled && r.Trigger == "text-flag"))
                {
                    // One case per text and rule, whichever of the rule's flags it carries.
                    var matched = rule.Flags!.Where(flags.Contains).ToList();
                    if (matched.Count > 0)
                    {
                        candidates.Add(new Candidate(row.WorkspaceId, touchpoint.CustomerId, rule, $"{rule.Key}:text:{row.InteractionSeq}",
                            $"{string.Join(" and ", matched.Select(f => f.Replace('_', ' ')))} in {touchpoint.Type} by {touchpoint.Channel}", row.InteractionSeq));
                    }
                }
            }

            opened += await OpenAsync(db, candidates, ct).ConfigureAwait(false);
            state.TextAnalysisId = Math.Max(state.TextAnalysisId, rows[^1].Id);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            if (rows[^1].Id <= state.TextAnalysisId && rows.Count < Batch)
            {
                break;
            }
        }

        // Valuable customers at high risk, by each new model run.
        var runs = await db.ModelRuns.AsNoTracking().Where(r => r.Id > state.ModelRunId).OrderBy(r => r.Id)
            .Select(r => new { r.Id, r.WorkspaceId, r.ReportJson }).ToListAsync(ct).ConfigureAwait(false);
        foreach (var run in runs)
        {
            var rules = (await SettingsOf(run.WorkspaceId).ConfigureAwait(false)).Rules.Where(r => r.Enabled && r.Trigger == "churn-risk").ToList();
            var percentiles = JsonSerializer.Deserialize<PredictionReport>(run.ReportJson, Json)?.Percentiles;
            var candidates = new List<Candidate>();
            foreach (var rule in rules)
            {
                if (percentiles is null || !percentiles.ChurnRisk.TryGetValue(rule.RiskPercentile!.Value, out var risk))
                {
                    continue;
                }

                double? value = rule.ValuePercentile is { } v ? percentiles.LifetimeValue.TryGetValue(v, out var level) ? level : double.PositiveInfinity : null;
                // Scores by the profile they belong to now (a customer scored before a merge is the survivor), once each.
                var scored = (await db.CustomerScores.AsNoTracking()
                    .Where(s => s.WorkspaceId == run.WorkspaceId && s.RunId == run.Id && s.ChurnRisk >= risk && (value == null || s.LifetimeValue >= value))
                    .Join(db.Customers, s => s.CustomerId, c => c.Id, (s, c) => new { CustomerId = c.MergedInto ?? c.Id, s.ChurnRisk, s.LifetimeValue, s.Currency })
                    .ToListAsync(ct).ConfigureAwait(false))
                    .GroupBy(s => s.CustomerId).Select(g => g.OrderByDescending(s => s.ChurnRisk).First()).ToList();
                // One open case per customer and rule: a customer still at risk in the next run keeps the case they have.
                var open = (await db.Cases.AsNoTracking()
                    .Where(c => c.WorkspaceId == run.WorkspaceId && c.RuleKey == rule.Key && (c.Status == "new" || c.Status == "contacted"))
                    .Join(db.Customers, c => c.CustomerId, x => x.Id, (c, x) => x.MergedInto ?? x.Id).ToListAsync(ct).ConfigureAwait(false)).ToHashSet();
                candidates.AddRange(scored.Where(s => !open.Contains(s.CustomerId)).Select(s => new Candidate(
                    run.WorkspaceId, s.CustomerId, rule, $"{rule.Key}:risk:{run.Id}:{s.CustomerId}",
                    string.Create(CultureInfo.InvariantCulture, $"churn risk {s.ChurnRisk * 100:0} %{(s.LifetimeValue is { } clv ? $", lifetime value {clv:N0} {s.Currency}" : "")}"),
                    null)));
            }

            opened += await OpenAsync(db, candidates, ct).ConfigureAwait(false);
            state.ModelRunId = Math.Max(state.ModelRunId, run.Id);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }

        var escalated = await EscalateAsync(db, ct).ConfigureAwait(false);
        return new OpenerPass(opened, escalated, state.InteractionSeq, state.TextAnalysisId, state.ModelRunId);
    }

    /// <summary>
    /// Records the closing on the customer's timeline as a <see cref="ResolvedType"/> touchpoint (event id
    /// <c>case-ID-closed</c>, so once) of the case's department, with the outcome and root cause: a survey rule on
    /// that type sends the follow-up survey, and journeys and metrics see the loop closed.
    /// </summary>
    private async Task TouchpointAsync(CxoDb db, CaseRow row, CancellationToken ct)
    {
        if (ingestor is null)
        {
            return;
        }

        var identity = (await Profiles.CustomerProfiles.IdentityOfAsync(db, row.WorkspaceId, [row.CustomerId], ct).ConfigureAwait(false))[row.CustomerId];
        if (identity is not { } key || !Enum.TryParse<Department>(row.Department, ignoreCase: true, out var department))
        {
            return;
        }

        var attributes = JsonSerializer.Serialize(new { caseId = row.Id, outcome = row.Status, rootCause = row.RootCause, rule = row.RuleKey, team = row.Team }, Json);
        await ingestor.IngestAsync(row.WorkspaceId, [new CanonicalEvent(
            $"case-{row.Id.ToString(CultureInfo.InvariantCulture)}-closed", [key], row.ClosedAt ?? row.UpdatedAt, department, Channel.Other,
            ResolvedType, 0, null, null, attributes, [])], ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Marks every case still new past its due time escalated, once, with a note saying to whom. Each case is claimed by
    /// a conditional update, so two passes at once, or a contact recorded meanwhile, never escalate it twice or wrongly.
    /// </summary>
    private async Task<int> EscalateAsync(CxoDb db, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var overdue = await db.Cases.AsNoTracking().Where(c => c.Status == "new" && c.EscalatedAt == null && c.DueAt < now).OrderBy(c => c.Id).Take(Batch)
            .Select(c => new { c.Id, c.WorkspaceId, c.RuleKey, c.Department, c.DueAt }).ToListAsync(ct).ConfigureAwait(false);
        var settings = new Dictionary<long, CaseSettings>();
        var escalated = 0;
        foreach (var row in overdue)
        {
            if (!settings.TryGetValue(row.WorkspaceId, out var rules))
            {
                settings[row.WorkspaceId] = rules = await SettingsAsync(row.WorkspaceId, ct).ConfigureAwait(false);
            }

            var to = Clip(rules.Rules.FirstOrDefault(r => r.Key == row.RuleKey)?.EscalateTo ?? $"{row.Department} lead");
            var claimed = await db.Cases
                .Where(c => c.Id == row.Id && c.Status == "new" && c.EscalatedAt == null)
                .ExecuteUpdateAsync(c => c.SetProperty(x => x.EscalatedAt, now).SetProperty(x => x.EscalatedTo, to).SetProperty(x => x.UpdatedAt, now), ct).ConfigureAwait(false);
            if (claimed == 0)
            {
                continue;
            }

            db.CaseNotes.Add(new CaseNoteRow
            {
                WorkspaceId = row.WorkspaceId, CaseId = row.Id, At = now, Author = "opencxo", Kind = "escalation",
                Text = string.Create(CultureInfo.InvariantCulture, $"no contact within the SLA (due {row.DueAt:yyyy-MM-dd HH:mm} UTC): escalated to {to}"),
            });
            escalated++;
        }

        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return escalated;
    }

    /// <summary>At most 100 characters, as team, owner and escalation columns hold.</summary>
    private static string Clip(string text) => text.Length <= 100 ? text : text[..100];

    /// <summary>Whether an insert failed on a unique key (the same trigger, inserted by another pass), not for another reason.</summary>
    private static bool IsDuplicate(DbUpdateException e) => e.InnerException switch
    {
        Npgsql.PostgresException postgres => postgres.SqlState == "23505",
        Microsoft.Data.Sqlite.SqliteException sqlite => sqlite.SqliteExtendedErrorCode == 2067,
        _ => false,
    };

    /// <summary>
    /// Opens the candidates not opened before, in one transaction; when another server inserted one of the keys
    /// meanwhile, they are opened one by one and that key is skipped.
    /// </summary>
    private async Task<int> OpenAsync(CxoDb db, List<Candidate> candidates, CancellationToken ct)
    {
        var fresh = new List<Candidate>();
        foreach (var workspace in candidates.GroupBy(c => c.Workspace))
        {
            var keys = workspace.Select(c => c.Key).ToList();
            var existing = (await db.Cases.AsNoTracking().Where(c => c.WorkspaceId == workspace.Key && keys.Contains(c.TriggerKey))
                .Select(c => c.TriggerKey).ToListAsync(ct).ConfigureAwait(false)).ToHashSet();
            fresh.AddRange(workspace.Where(c => existing.Add(c.Key)));
        }

        if (fresh.Count == 0)
        {
            return 0;
        }

        var rows = new List<CaseRow>(fresh.Count);
        var turns = new Dictionary<(long, string), long>();
        foreach (var candidate in fresh)
        {
            // Round robin: the rule's cases so far, and those before this one in the batch.
            var turn = 0L;
            if (candidate.Rule.Routing == "round-robin")
            {
                var key = (candidate.Workspace, candidate.Rule.Key);
                turn = turns.TryGetValue(key, out var next)
                    ? next
                    : await db.Cases.LongCountAsync(x => x.WorkspaceId == candidate.Workspace && x.RuleKey == candidate.Rule.Key, ct).ConfigureAwait(false);
                turns[key] = turn + 1;
            }

            rows.Add(await CaseOfAsync(db, candidate, turn, ct).ConfigureAwait(false));
        }

        db.Cases.AddRange(rows);
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException e) when (IsDuplicate(e))
        {
            foreach (var row in rows)
            {
                db.Entry(row).State = EntityState.Detached;
            }

            var saved = new List<CaseRow>();
            foreach (var row in rows)
            {
                row.Id = 0;
                db.Cases.Add(row);
                try
                {
                    await db.SaveChangesAsync(ct).ConfigureAwait(false);
                    saved.Add(row);
                }
                catch (DbUpdateException one) when (IsDuplicate(one))
                {
                    // The same trigger was opened by another pass a moment ago.
                    db.Entry(row).State = EntityState.Detached;
                }
            }

            rows = saved;
        }

        db.CaseNotes.AddRange(rows.Select(row => new CaseNoteRow { WorkspaceId = row.WorkspaceId, CaseId = row.Id, At = row.OpenedAt, Author = "opencxo", Kind = "status", Text = "new: " + row.Reason }));
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return rows.Count;
    }

    /// <summary>The case for a candidate: its live customer, and its team or owner by the rule's routing.</summary>
    private async Task<CaseRow> CaseOfAsync(CxoDb db, Candidate c, long turn, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var live = await db.Customers.AsNoTracking().Where(x => x.Id == c.Customer).Select(x => x.MergedInto ?? x.Id).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        live = live == 0 ? c.Customer : live;
        string? team = null;
        string? owner = null;
        switch (c.Rule.Routing)
        {
            case "team":
                var profiles = await db.Customers.AsNoTracking().Where(x => x.Id == live || x.MergedInto == live).Select(x => x.Id).ToListAsync(ct).ConfigureAwait(false);
                var recent = await db.Interactions.AsNoTracking()
                    .Where(i => i.WorkspaceId == c.Workspace && profiles.Contains(i.CustomerId) && i.Department == "service" && i.Type != "survey.response" && i.Attributes != null)
                    .OrderByDescending(i => i.OccurredAt).Take(20).Select(i => i.Attributes!).ToListAsync(ct).ConfigureAwait(false);
                team = recent.Select(TeamOf).FirstOrDefault(t => t is not null);
                break;
            case "account-owner":
                var trait = await db.CustomerTraits.AsNoTracking().Where(t => t.WorkspaceId == c.Workspace && t.CustomerId == live && t.Name == "accountOwner")
                    .Select(t => t.ValueJson).FirstOrDefaultAsync(ct).ConfigureAwait(false);
                owner = trait is null ? null : Profiles.CustomerSearch.TextOf(trait);
                break;
            case "round-robin":
                owner = CaseRules.RoundRobin(c.Rule, turn);
                break;
        }

        var state = CaseState.Open(now, c.Rule.Sla);
        return new CaseRow
        {
            WorkspaceId = c.Workspace, CustomerId = live, TriggerKey = c.Key, RuleKey = c.Rule.Key, Trigger = c.Rule.Trigger, Reason = c.Reason, SourceSeq = c.SourceSeq,
            Department = c.Rule.Department, Team = team is null ? null : Clip(team), Owner = string.IsNullOrWhiteSpace(owner) ? null : Clip(owner), Priority = c.Rule.Priority,
            Status = "new", OpenedAt = state.OpenedAt, DueAt = state.DueAt, UpdatedAt = now,
        };
    }

    private static void Apply(CaseRow row, CaseState state, DateTime now)
    {
        row.Status = CaseStatuses.Name(state.Status);
        row.FirstContactAt = state.FirstContactAt;
        row.ClosedAt = state.ClosedAt;
        row.EscalatedAt = state.EscalatedAt;
        row.RootCause = state.RootCause;
        row.UpdatedAt = now;
    }

    private static (int? Nps, int? Csat) Scores(string attributes)
    {
        try
        {
            using var json = JsonDocument.Parse(attributes);
            int? Score(string name) => json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty(name, out var v) && v.TryGetInt32(out var n) ? n : null;
            return (Score("npsScore"), Score("csatScore"));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static string? TeamOf(string attributes)
    {
        using var json = JsonDocument.Parse(attributes);
        return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("team", out var team) && team.ValueKind == JsonValueKind.String
            ? team.GetString()
            : null;
    }

    private static HashSet<string> FlagsOf(string flags)
    {
        using var json = JsonDocument.Parse(flags);
        return [.. json.RootElement.EnumerateArray().Select(f => f.GetProperty("key").GetString()!)];
    }

    private sealed record Candidate(long Workspace, long Customer, CaseRule Rule, string Key, string Reason, long? SourceSeq);
}
