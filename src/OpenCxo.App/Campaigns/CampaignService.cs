using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenCxo.App.Kpis;
using OpenCxo.App.Segments;
using OpenCxo.Core.Campaigns;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Metrics;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Campaigns;

/// <summary>
/// The smallest effect on one outcome a design detects (80 % power, 5 % two-sided), from its baseline; null with
/// <see cref="Why"/> when it cannot say. <see cref="Entered"/>: the baseline was entered with the campaign, not taken
/// from the audience's history.
/// </summary>
public sealed record CampaignDetectable(string Outcome, string Unit, double? Baseline, double? Smallest, string? Why, bool Entered = false);

/// <summary>One split of the audience and what it can detect.</summary>
public sealed record CampaignOption(double ControlShare, long Treated, long Control, IReadOnlyList<CampaignDetectable> Detectable);

/// <summary>
/// A power calculation: the audience now, baselines from the same customers over the <see cref="Weeks"/> weeks before
/// (from <see cref="BaselineFrom"/>), and what the chosen control share — and a few others — can detect.
/// </summary>
public sealed record CampaignPlan(long Audience, int Weeks, DateTime BaselineFrom, string? Currency, CampaignOption Chosen, IReadOnlyList<CampaignOption> Alternatives);

/// <summary>
/// The uplift on one outcome, treated minus control: retention and repeat purchase in percentage points, value per
/// member in the currency, NPS in points. <see cref="AdjustedP"/> is Holm's adjustment over the outcomes of the same week.
/// </summary>
public sealed record CampaignEffect(string Outcome, string Unit, double Treated, double Control, Comparison Uplift, double AdjustedP);

/// <summary>The outcomes from launch to the end of week <see cref="Week"/> (<see cref="Complete"/>: that week is over).</summary>
public sealed record CampaignWeekResult(int Week, DateTime Through, bool Complete, long Treated, long Control, IReadOnlyList<CampaignEffect> Effects);

/// <summary>Something the reader of the results must know: <see cref="Code"/> and <see cref="Args"/> for the UI's text, <see cref="Message"/> in English.</summary>
public sealed record CampaignWarning(string Code, string Message, IReadOnlyList<object> Args);

/// <summary>A campaign's uplift by week after launch, the predicted lifetime value of both groups, and what to beware of.</summary>
public sealed record CampaignResults(
    DateTime LaunchedAt, int Weeks, string? Currency, long TreatedReached, long ControlReached, IReadOnlyList<CampaignWeekResult> ByWeek,
    CampaignEffect? LifetimeValue, IReadOnlyList<CampaignWarning> Warnings)
{
    /// <summary>
    /// The share of the treated group the campaign's touchpoints reached, when it can rescale the uplift: some were
    /// reached, not all, and no control member was (otherwise null).
    /// </summary>
    public double? ReachShare =>
        ByWeek.Count > 0 && ByWeek[^1].Treated > 0 && TreatedReached > 0 && TreatedReached < ByWeek[^1].Treated && ControlReached == 0
            ? (double)TreatedReached / ByWeek[^1].Treated
            : null;

    /// <summary>
    /// The uplift among the treated members the campaign reached, and its interval: the uplift over everyone offered the
    /// campaign divided by the share reached (H. S. Bloom, Evaluation Review 8, 1984). It assumes the campaign did
    /// nothing for those it never reached, and that no control member was reached.
    /// </summary>
    public static (double Uplift, double Low, double High) PerReached(CampaignEffect effect, double reachShare)
    {
        ArgumentNullException.ThrowIfNull(effect);
        return (effect.Uplift.Difference / reachShare, effect.Uplift.Low / reachShare, effect.Uplift.High / reachShare);
    }
}

/// <summary>What a launch did, or why it did not.</summary>
public sealed record Launched(IReadOnlyList<FieldError> Errors, bool Conflict = false, long Treated = 0, long Control = 0)
{
    public bool Ok => Errors.Count == 0;
}

/// <summary>
/// Campaigns measured against a held-out control group: a draft names a segment and a control share; its launch takes
/// the segment's audience at that moment (those who may be contacted), holds out a random share of it
/// (<see cref="CampaignDesign.IsControl"/>), and stores who is in which group. From then on the control group is left
/// out of the segment's exports and webhook, the campaign's export holds only the treated group, and the results
/// compare both groups' retention, repeat purchase, value and NPS week by week.
/// </summary>
public sealed class CampaignService(CxoDbFactory databases, AnalyticsStore store, SegmentService segments, TimeProvider time)
{
    public const string Draft = "draft";
    public const string Running = "running";
    public const string Ended = "ended";

    /// <summary>The control shares a plan compares with the chosen one.</summary>
    public static readonly IReadOnlyList<double> Shares = [0.05, 0.1, 0.2, 0.3, 0.5];

    public CxoDbFactory Databases => databases;

    public static JsonSerializerOptions Json => Hosting.DocumentJson.Strict;

    public static CampaignDefinition Parse(CampaignRow row) => JsonSerializer.Deserialize<CampaignDefinition>(row.DefinitionJson, Json)!;

    /// <summary>Every campaign of the workspace with the size of its groups (counted in one query).</summary>
    public async Task<IReadOnlyList<(CampaignRow Row, CampaignDefinition Definition, (long Treated, long Control) Groups)>> ListAsync(long workspaceId, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var rows = await db.Campaigns.AsNoTracking().Where(c => c.WorkspaceId == workspaceId).OrderBy(c => c.Key).ToListAsync(ct).ConfigureAwait(false);
        var sizes = (await db.CampaignMembers.AsNoTracking().Where(m => m.WorkspaceId == workspaceId).GroupBy(m => new { m.CampaignId, m.Control })
                .Select(g => new { g.Key.CampaignId, g.Key.Control, Count = g.LongCount() }).ToListAsync(ct).ConfigureAwait(false))
            .ToDictionary(s => (s.CampaignId, s.Control), s => s.Count);
        return [.. rows.Select(r => (r, Parse(r), (sizes.GetValueOrDefault((r.Id, false)), sizes.GetValueOrDefault((r.Id, true)))))];
    }

    public async Task<(CampaignRow Row, CampaignDefinition Definition)?> GetAsync(long workspaceId, string key, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var row = await db.Campaigns.AsNoTracking().FirstOrDefaultAsync(c => c.WorkspaceId == workspaceId && c.Key == key, ct).ConfigureAwait(false);
        return row is null ? null : (row, Parse(row));
    }

    /// <summary>Members per group: (treated, control).</summary>
    public async Task<(long Treated, long Control)> GroupSizesAsync(long campaignId, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var sizes = await db.CampaignMembers.AsNoTracking().Where(m => m.CampaignId == campaignId).GroupBy(m => m.Control)
            .Select(g => new { Control = g.Key, Count = g.LongCount() }).ToListAsync(ct).ConfigureAwait(false);
        return (sizes.FirstOrDefault(s => !s.Control)?.Count ?? 0, sizes.FirstOrDefault(s => s.Control)?.Count ?? 0);
    }

    /// <summary>
    /// Checks and stores a campaign. A new key creates a draft; an existing one is replaced only when
    /// <paramref name="replace"/>, and once launched only its name, kind, description and owner may change.
    /// </summary>
    public async Task<Saved> SaveAsync(long workspaceId, CampaignDefinition campaign, string by, bool replace, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        var errors = campaign.Validate().ToList();
        await using var db = databases.CreateDbContext();
        if (errors.TrueForAll(e => e.Field != "segment") && !await db.Segments.AnyAsync(s => s.WorkspaceId == workspaceId && s.Key == campaign.Segment, ct).ConfigureAwait(false))
        {
            errors.Add(new FieldError("segment", $"no segment '{campaign.Segment}' in this workspace"));
        }

        if (errors.Count > 0)
        {
            return new Saved(errors);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var row = await db.Campaigns.FirstOrDefaultAsync(c => c.WorkspaceId == workspaceId && c.Key == campaign.Key, ct).ConfigureAwait(false);
        if (row is not null && !replace)
        {
            return new Saved([new FieldError("key", $"a campaign '{campaign.Key}' exists: PUT /api/v1/campaigns/{campaign.Key} replaces it")], Conflict: true);
        }

        if (row is not null && row.Status != Draft && campaign.ChangesAfterLaunch(Parse(row)) is { Count: > 0 } fixedFields)
        {
            return new Saved(fixedFields);
        }

        var created = row is null;
        if (row is null)
        {
            row = new CampaignRow { WorkspaceId = workspaceId, Key = campaign.Key, DefinitionJson = "", Status = Draft, UpdatedBy = by, CreatedAt = now };
            db.Campaigns.Add(row);
        }

        row.DefinitionJson = JsonSerializer.Serialize(campaign, Json);
        row.UpdatedAt = now;
        row.UpdatedBy = by;
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateConcurrencyException)
        {
            return new Saved([new FieldError("status", $"campaign '{campaign.Key}' was launched or ended meanwhile: read it again")], Conflict: true);
        }
        catch (DbUpdateException) when (created)
        {
            return new Saved([new FieldError("key", $"a campaign '{campaign.Key}' was created at the same time: ask again")], Conflict: true);
        }

        return new Saved([], created);
    }

    /// <summary>Deletes a draft or an ended campaign with its members; a running one must be ended first (false, "running").</summary>
    public async Task<(bool Found, bool Running)> DeleteAsync(long workspaceId, string key, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var row = await db.Campaigns.FirstOrDefaultAsync(c => c.WorkspaceId == workspaceId && c.Key == key, ct).ConfigureAwait(false);
        if (row is null || row.Status == Running)
        {
            return (row is not null, row is not null);
        }

        db.Campaigns.Remove(row);
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Launched meanwhile (or deleted: then the next read says so).
            return (true, true);
        }

        return (true, false);
    }

    /// <summary>
    /// The power calculation for <paramref name="campaign"/> as it would launch now (or, once launched, with its real
    /// groups): baselines are what the audience did over the same number of weeks before today (before the launch).
    /// </summary>
    public async Task<CampaignPlan?> PlanAsync(long workspaceId, CampaignDefinition campaign, CampaignRow? launched, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        if (await segments.GetAsync(workspaceId, campaign.Segment, ct).ConfigureAwait(false) is not var (_, segment))
        {
            return null;
        }

        var now = time.GetUtcNow().UtcDateTime;
        IReadOnlyList<long> audience;
        (long Treated, long Control)? groups = null;
        if (launched is { Status: not Draft })
        {
            audience = await MemberIdsAsync(launched.Id, ct).ConfigureAwait(false);
            groups = await GroupSizesAsync(launched.Id, ct).ConfigureAwait(false);
        }
        else
        {
            audience = await segments.AudienceIdsAsync(workspaceId, segment, ct).ConfigureAwait(false);
        }

        // Baselines are the weeks before launch (before today for a draft), so the campaign's own effect is not in them.
        var until = launched?.LaunchedAt ?? now;
        var from = until.AddDays(-7 * campaign.Weeks);
        var history = await store.CampaignOutcomesAsync(
            workspaceId, campaign.Key, [.. (await LiveAsync(workspaceId, audience, ct).ConfigureAwait(false)).Select(c => new CampaignMember(c, false))],
            from, campaign.Weeks, until, ct).ConfigureAwait(false);
        var baseline = history.Weeks.LastOrDefault(w => !w.Control);

        CampaignOption Option(double share, long treated, long control) => new(share, treated, control, Detectable(baseline, treated, control, campaign.Baselines));
        var chosen = groups is { } g
            ? Option(campaign.ControlShare, g.Treated, g.Control)
            : Option(campaign.ControlShare, audience.Count - Split(audience.Count, campaign.ControlShare), Split(audience.Count, campaign.ControlShare));
        var alternatives = groups is null
            ? Shares.Where(s => !s.Equals(campaign.ControlShare)).Select(s => Option(s, audience.Count - Split(audience.Count, s), Split(audience.Count, s))).ToList()
            : [];
        return new CampaignPlan(audience.Count, campaign.Weeks, from, campaign.Baselines?.Currency ?? baseline?.Currency, chosen, alternatives);
    }

    private static long Split(long audience, double share) => (long)Math.Round(audience * share);

    private const string NoVariation = "every member did the same over the baseline weeks (as a segment chosen by this outcome will): no variation to size the test from";

    /// <summary>
    /// What a design detects on each outcome: from the baselines entered with the campaign where there are, otherwise
    /// from the audience's own recent history.
    /// </summary>
    internal static IReadOnlyList<CampaignDetectable> Detectable(CampaignWeek? baseline, long treated, long control, CampaignBaselines? entered = null)
    {
        var history = History(baseline, treated, control);
        if (entered is null || treated < 2 || control < 2)
        {
            return history;
        }

        return [.. history.Select(d => d.Outcome switch
        {
            "retention" when entered.Retention is { } r => Rise("retention", r / 100, treated, control, entered: true),
            "repeatPurchase" when entered.RepeatPurchase is { } r => Rise("repeatPurchase", r / 100, treated, control, entered: true),
            "valuePerMember" when entered is { ValueSd: { } sd, Currency: { } currency } =>
                new("valuePerMember", currency, null, CampaignDesign.DetectableDifference(sd, treated, control), null, Entered: true),
            "nps" when entered is { Promoters: { } p, Detractors: { } x, NpsResponse: { } response } =>
                Nps(p / 100, x / 100, response / 100, treated, control, entered: true),
            _ => d,
        })];
    }

    /// <summary>What a design detects on each outcome, from the audience's own recent history.</summary>
    private static IReadOnlyList<CampaignDetectable> History(CampaignWeek? baseline, long treated, long control)
    {
        const string noGroups = "a group would be empty";
        if (treated < 2 || control < 2 || baseline is null || baseline.Members == 0)
        {
            return [.. new[] { ("retention", "pp"), ("repeatPurchase", "pp"), ("valuePerMember", "currency"), ("nps", "points") }
                .Select(o => new CampaignDetectable(o.Item1, o.Item2, null, null, baseline is null || baseline.Members == 0 ? "no audience to take a baseline from" : noGroups))];
        }

        var m = baseline.Members;
        var value = MeanAccumulator.FromSums(m, baseline.RevenueSum, baseline.RevenueSumOfSquares);
        var answers = baseline.Promoters + baseline.Passives + baseline.Detractors;
        CampaignDetectable nps;
        if (answers < 2)
        {
            nps = new("nps", "points", null, null, "fewer than two NPS answers from the audience over the baseline weeks");
        }
        else
        {
            // Each group is expected to answer at the audience's past rate (answers per member over the same weeks).
            nps = Nps((double)baseline.Promoters / answers, (double)baseline.Detractors / answers, (double)answers / m, treated, control, entered: false);
        }

        return
        [
            Rise("retention", 1 - ((double)baseline.Cancelled / m), treated, control, entered: false),
            Rise("repeatPurchase", (double)baseline.Bought / m, treated, control, entered: false),
            baseline.Currency is null ? new("valuePerMember", "currency", null, null, "no purchases over the baseline weeks")
                : value.Variance <= 0 ? new("valuePerMember", baseline.Currency, value.Mean, null, NoVariation)
                : new("valuePerMember", baseline.Currency, value.Mean, CampaignDesign.DetectableDifference(Math.Sqrt(value.Variance), treated, control), null),
            nps,
        ];
    }

    /// <summary>The smallest rise of a proportion <paramref name="p"/> the groups detect, in percentage points.</summary>
    private static CampaignDetectable Rise(string outcome, double p, long treated, long control, bool entered)
    {
        if (p is <= 0 or >= 1)
        {
            return new(outcome, "pp", 100 * p, null, NoVariation, entered);
        }

        var rise = CampaignDesign.DetectableRise(p, treated, control);
        return double.IsNaN(rise) ? new(outcome, "pp", 100 * p, null, "too few members to detect even a rise to 100 %", entered) : new(outcome, "pp", 100 * p, rise, null, entered);
    }

    /// <summary>The smallest NPS change the groups detect when a share <paramref name="rate"/> of each answers, promoters and detractors as given.</summary>
    private static CampaignDetectable Nps(double promoters, double detractors, double rate, long treated, long control, bool entered)
    {
        var baseline = 100 * (promoters - detractors);
        var (nt, nc) = ((long)Math.Round(rate * treated), (long)Math.Round(rate * control));
        return nt < 2 || nc < 2 ? new("nps", "points", baseline, null, "too few NPS answers expected in a group", entered)
            : ScoreStatistics.NpsVariance(promoters, detractors) <= 0 ? new("nps", "points", baseline, null, NoVariation, entered)
            : new("nps", "points", baseline, CampaignDesign.DetectableNps(promoters, detractors, nt, nc), null, entered);
    }

    /// <summary>
    /// Launches a draft: the segment's audience now is split at random into treated and control, and both groups are
    /// stored. Two launches at once: one wins, the other gets a conflict.
    /// </summary>
    public async Task<Launched> LaunchAsync(long workspaceId, string key, CancellationToken ct)
    {
        if (await GetAsync(workspaceId, key, ct).ConfigureAwait(false) is not var (row, campaign))
        {
            throw new KeyNotFoundException($"No campaign '{key}'.");
        }

        if (row.Status != Draft)
        {
            return new Launched([new FieldError("status", $"is {row.Status}: only a draft can be launched")], Conflict: true);
        }

        if (await segments.GetAsync(workspaceId, campaign.Segment, ct).ConfigureAwait(false) is not var (_, segment))
        {
            return new Launched([new FieldError("segment", $"no segment '{campaign.Segment}' in this workspace")]);
        }

        var audience = await segments.AudienceIdsAsync(workspaceId, segment, ct).ConfigureAwait(false);
        if (audience.Count == 0)
        {
            return new Launched([new FieldError("segment", $"'{campaign.Segment}' has no one who may be contacted now")]);
        }

        var seed = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var control = audience.Where(c => CampaignDesign.IsControl(seed, c, campaign.ControlShare)).ToList();
        var held = control.ToHashSet();
        var treated = audience.Where(c => !held.Contains(c)).ToList();
        if (treated.Count < 2 || control.Count < 2)
        {
            return new Launched([new FieldError("controlShare", string.Create(CultureInfo.InvariantCulture,
                $"holds out {control.Count} of {audience.Count} customers, leaving {treated.Count}: each group needs at least 2 (30 for a verdict); choose another share or a larger segment"))]);
        }

        var now = time.GetUtcNow().UtcDateTime;

        await using (var db = databases.CreateDbContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);

            // The draft as read above, unchanged since: an edit in between would change what is launched.
            if (await db.Campaigns.Where(c => c.Id == row.Id && c.Status == Draft && c.UpdatedAt == row.UpdatedAt)
                    .ExecuteUpdateAsync(u => u.SetProperty(c => c.Status, Running).SetProperty(c => c.Seed, seed).SetProperty(c => c.LaunchedAt, now), ct)
                    .ConfigureAwait(false) == 0)
            {
                await transaction.RollbackAsync(ct).ConfigureAwait(false);
                return new Launched([new FieldError("status", "the campaign was launched or changed at the same time: read it again")], Conflict: true);
            }

            foreach (var (ids, isControl) in new[] { (treated, false), (control, true) })
            {
                await BulkRows.InsertAsync(db, "campaign_members", [("campaign_id", row.Id), ("workspace_id", workspaceId), ("control", isControl)], "customer_id", ids, ct)
                    .ConfigureAwait(false);
            }

            db.AuditLog.Add(AuditTrail.Entry(AuditContext.Current ?? AuditActor.System, workspaceId, "campaign.launch", "campaign:" + key,
                string.Create(CultureInfo.InvariantCulture, $"segment {campaign.Segment}; treated {treated.Count}, control {control.Count} (share {campaign.ControlShare})"), now));
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }

        // The marketing tool the segment syncs to hears at once that the control group left its audience, rather than
        // at the next scheduled refresh, when the campaign may already have been sent.
        if (segment.Webhook is not null)
        {
            await segments.RefreshAsync(workspaceId, segment.Key, ct).ConfigureAwait(false);
        }

        return new Launched([], Treated: treated.Count, Control: control.Count);
    }

    /// <summary>Ends a running campaign: its control group may be contacted again; its results stay.</summary>
    public async Task<bool> EndAsync(long workspaceId, string key, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var now = time.GetUtcNow().UtcDateTime;
        if (await db.Campaigns.Where(c => c.WorkspaceId == workspaceId && c.Key == key && c.Status == Running)
                .ExecuteUpdateAsync(u => u.SetProperty(c => c.Status, Ended).SetProperty(c => c.EndedAt, now), ct).ConfigureAwait(false) == 0)
        {
            return false;
        }

        db.AuditLog.Add(AuditTrail.Entry(AuditContext.Current ?? AuditActor.System, workspaceId, "campaign.end", "campaign:" + key, null, now));
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// The treated group as contacts, for the marketing tool that runs the campaign: never the control group, and never
    /// anyone who has since refused marketing, opted out or been marked do-not-contact.
    /// </summary>
    public async Task<IReadOnlyList<SegmentContact>> TreatedAsync(long workspaceId, CampaignRow row, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(row);
        await using var db = databases.CreateDbContext();
        var treated = await db.CampaignMembers.AsNoTracking().Where(m => m.CampaignId == row.Id && !m.Control).OrderBy(m => m.CustomerId)
            .Select(m => m.CustomerId).ToListAsync(ct).ConfigureAwait(false);
        var live = await LiveAsync(workspaceId, treated, ct).ConfigureAwait(false);
        var excluded = await SegmentService.ExcludedAsync(db, workspaceId, Parse(row).Segment, ct).ConfigureAwait(false);
        return await SegmentService.ContactsAsync(db, workspaceId, [.. live.Where(c => !excluded.Contains(c))], ct).ConfigureAwait(false);
    }

    /// <summary>The live customers held out by the campaigns running on <paramref name="segment"/>: segment exports and webhooks leave them out.</summary>
    internal static async Task<HashSet<long>> HeldOutAsync(CxoDb db, long workspaceId, string segment, CancellationToken ct)
    {
        var running = await db.Campaigns.AsNoTracking().Where(c => c.WorkspaceId == workspaceId && c.Status == Running).ToListAsync(ct).ConfigureAwait(false);
        var ids = running.Where(c => Parse(c).Segment == segment).Select(c => c.Id).ToList();
        if (ids.Count == 0)
        {
            return [];
        }

        var held = await db.CampaignMembers.AsNoTracking().Where(m => ids.Contains(m.CampaignId) && m.Control).Select(m => m.CustomerId).ToListAsync(ct).ConfigureAwait(false);
        var merged = await MergedAsync(db, workspaceId, ct).ConfigureAwait(false);
        return [.. held.Select(c => merged.GetValueOrDefault(c, c))];
    }

    /// <summary>
    /// The uplift by week since launch, through the planned weeks or to today. Members are followed into the profiles
    /// they were merged into since; someone in both groups that way counts in neither.
    /// </summary>
    public async Task<CampaignResults?> ResultsAsync(long workspaceId, CampaignRow row, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (row.LaunchedAt is not { } launchedAt)
        {
            return null;
        }

        var campaign = Parse(row);
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = databases.CreateDbContext();
        var stored = await db.CampaignMembers.AsNoTracking().Where(m => m.CampaignId == row.Id).Select(m => new { m.CustomerId, m.Control })
            .ToListAsync(ct).ConfigureAwait(false);
        var merged = await MergedAsync(db, workspaceId, ct).ConfigureAwait(false);
        var members = stored.GroupBy(m => merged.GetValueOrDefault(m.CustomerId, m.CustomerId))
            .Where(g => g.Select(m => m.Control).Distinct().Count() == 1)
            .Select(g => new CampaignMember(g.Key, g.First().Control)).ToList();

        var end = row.EndedAt is { } ended && ended < now ? ended : now;
        var elapsed = Math.Clamp((int)Math.Ceiling((end - launchedAt).TotalDays / 7), 1, campaign.Weeks);
        var outcomes = await store.CampaignOutcomesAsync(workspaceId, row.Key, members, launchedAt, elapsed, end, ct).ConfigureAwait(false);
        var byWeek = new List<CampaignWeekResult>();
        foreach (var week in outcomes.Weeks.Where(w => !w.Control))
        {
            var control = outcomes.Weeks.SingleOrDefault(w => w.Control && w.Week == week.Week)
                ?? new CampaignWeek(true, week.Week, 0, 0, 0, week.Currency, 0, 0, 0, 0, 0);
            var through = launchedAt.AddDays(7 * week.Week);
            byWeek.Add(new CampaignWeekResult(week.Week, through, through <= end, week.Members, control.Members, Effects(week, control)));
        }

        // Predicted lifetime value is a fifth outcome of the latest look: Holm's adjustment is taken over all five.
        CampaignEffect? lifetime = null;
        if (await LifetimeValueAsync(db, workspaceId, launchedAt, row.EndedAt, members, ct).ConfigureAwait(false) is { } clv && byWeek.Count > 0)
        {
            var latest = byWeek[^1];
            var family = Adjust([.. latest.Effects.Select(e => (e.Outcome, e.Unit, e.Treated, e.Control, e.Uplift)), (clv.Outcome, clv.Unit, clv.Treated, clv.Control, clv.Uplift)]);
            byWeek[^1] = latest with { Effects = family[..^1] };
            lifetime = family[^1];
        }

        return new CampaignResults(launchedAt, campaign.Weeks, outcomes.Weeks.Count > 0 ? outcomes.Weeks[0].Currency : null, outcomes.TreatedReached, outcomes.ControlReached,
            byWeek, lifetime, Warnings(row, campaign, outcomes, byWeek, now));
    }

    /// <summary>Treated minus control on each outcome up to one week, with Holm's adjustment over the four.</summary>
    internal static IReadOnlyList<CampaignEffect> Effects(CampaignWeek treated, CampaignWeek control)
    {
        var comparisons = new List<(string Outcome, string Unit, double T, double C, Comparison Uplift)>
        {
            ("retention", "pp", Share(treated.Members - treated.Cancelled, treated.Members), Share(control.Members - control.Cancelled, control.Members),
                ScoreStatistics.CompareProportions(treated.Members - treated.Cancelled, treated.Members, control.Members - control.Cancelled, control.Members)),
            ("repeatPurchase", "pp", Share(treated.Bought, treated.Members), Share(control.Bought, control.Members),
                ScoreStatistics.CompareProportions(treated.Bought, treated.Members, control.Bought, control.Members)),
        };
        if (treated.Currency is { } currency)
        {
            var (t, c) = (MeanAccumulator.FromSums(treated.Members, treated.RevenueSum, treated.RevenueSumOfSquares),
                MeanAccumulator.FromSums(control.Members, control.RevenueSum, control.RevenueSumOfSquares));
            comparisons.Add(("valuePerMember", currency, t.Mean, c.Mean, ScoreStatistics.CompareMeans(t, c)));
        }

        if (treated.Promoters + treated.Passives + treated.Detractors > 0 && control.Promoters + control.Passives + control.Detractors > 0)
        {
            var (t, c) = (ScoreStatistics.Nps(treated.Promoters, treated.Passives, treated.Detractors), ScoreStatistics.Nps(control.Promoters, control.Passives, control.Detractors));
            comparisons.Add(("nps", "points", t.Score.Value, c.Score.Value, ScoreStatistics.CompareNps(t, c)));
        }

        return Adjust(comparisons);
    }

    /// <summary>
    /// The effects with Holm's adjustment over those that have a p-value: an outcome with none (a group too small to
    /// compare) neither counts in the family nor spreads its NaN to the others.
    /// </summary>
    private static List<CampaignEffect> Adjust(List<(string Outcome, string Unit, double T, double C, Comparison Uplift)> comparisons)
    {
        var tested = comparisons.Select((x, i) => (x.Uplift.PValue, i)).Where(x => double.IsFinite(x.PValue)).ToList();
        var adjusted = ScoreStatistics.Holm([.. tested.Select(x => x.PValue)]);
        var byIndex = tested.Select((x, j) => (x.i, adjusted[j])).ToDictionary(x => x.i, x => x.Item2);
        return [.. comparisons.Select((x, i) => new CampaignEffect(x.Outcome, x.Unit, x.T, x.C, x.Uplift, byIndex.GetValueOrDefault(i, double.NaN)))];
    }

    private static double Share(long part, long whole) => whole == 0 ? 0 : 100.0 * part / whole;

    private static long Respondents(CampaignWeek w) => w.Promoters + w.Passives + w.Detractors;

    /// <summary>
    /// Predicted lifetime value of both groups from the latest model run, when it looked from a moment after launch and,
    /// for an ended campaign, not after the end (before launch it describes the customers as they were; after the end
    /// the control group may have been contacted too). In the currency most of the members' scores are in.
    /// </summary>
    private static async Task<CampaignEffect?> LifetimeValueAsync(
        CxoDb db, long workspaceId, DateTime launchedAt, DateTime? endedAt, IReadOnlyList<CampaignMember> members, CancellationToken ct)
    {
        // A model run replaces the workspace's scores whole: the scores there are of one run.
        var runId = await db.CustomerScores.AsNoTracking().Where(s => s.WorkspaceId == workspaceId).Select(s => (long?)s.RunId).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        var run = runId is null ? null : await db.ModelRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, ct).ConfigureAwait(false);
        if (run is null || run.AsOf <= launchedAt || run.AsOf > endedAt)
        {
            return null;
        }

        var group = members.ToDictionary(m => m.Customer, m => m.Control);
        var scores = new List<(bool Control, double Value, string? Currency)>();
        var rows = db.CustomerScores.AsNoTracking().Where(s => s.WorkspaceId == workspaceId && s.LifetimeValue != null)
            .Select(s => new { s.CustomerId, s.LifetimeValue, s.Currency }).AsAsyncEnumerable();
        await foreach (var s in rows.WithCancellation(ct).ConfigureAwait(false))
        {
            if (group.TryGetValue(s.CustomerId, out var control))
            {
                scores.Add((control, s.LifetimeValue!.Value, s.Currency));
            }
        }

        var currency = scores.GroupBy(s => s.Currency).OrderByDescending(g => g.Count()).FirstOrDefault()?.Key;
        var t = MeanAccumulator.Of(scores.Where(s => !s.Control && s.Currency == currency).Select(s => s.Value));
        var c = MeanAccumulator.Of(scores.Where(s => s.Control && s.Currency == currency).Select(s => s.Value));
        if (t.N < 2 || c.N < 2)
        {
            return null;
        }

        var uplift = ScoreStatistics.CompareMeans(t, c);
        return new CampaignEffect("lifetimeValue", currency ?? "", t.Mean, c.Mean, uplift, uplift.PValue);
    }

    private static List<CampaignWarning> Warnings(CampaignRow row, CampaignDefinition campaign, CampaignOutcomes outcomes, List<CampaignWeekResult> weeks, DateTime now)
    {
        var warnings = new List<CampaignWarning>();
        void Warn(string code, string template, params object[] args) =>
            warnings.Add(new(code, string.Format(CultureInfo.InvariantCulture, template, args), args));

        if (outcomes.ControlReached > 0)
        {
            Warn("controlContacted", "{0} members of the control group have touchpoints of this campaign: they were contacted, so the uplift is understated.", outcomes.ControlReached);
        }

        if (outcomes.TreatedReached == 0 && now - row.LaunchedAt > TimeSpan.FromDays(2))
        {
            Warn("noTouchpoints", "No touchpoint carries campaign '{0}' yet: send the campaign's contacts as events with campaign = {0}, so reach can be checked.", row.Key);
        }

        if (weeks.Count > 0 && (weeks[^1].Week < campaign.Weeks || !weeks[^1].Complete))
        {
            Warn("interim", "Week {0} of {1}: an interim look. The verdict is at week {1}; stopping at the first significant week raises the chance of a false positive.",
                weeks[^1].Week, campaign.Weeks);
        }

        if (weeks.Count > 0 && (weeks[^1].Treated < ScoreStatistics.MinimumSample || weeks[^1].Control < ScoreStatistics.MinimumSample))
        {
            Warn("small", "A group has fewer than {0} members: no verdict either way.", ScoreStatistics.MinimumSample);
        }

        if (row.Status == Running && now > row.LaunchedAt!.Value.AddDays(7 * campaign.Weeks))
        {
            Warn("overdue", "The planned {0} weeks are over and the control group is still held out of the segment's exports: end the campaign.", campaign.Weeks);
        }

        if (outcomes.OtherCurrencyPurchases > 0)
        {
            Warn("mixedCurrency", "{0} of the members' purchases are in another currency than the one value is counted in, and are left out of value per customer.",
                outcomes.OtherCurrencyPurchases);
        }

        // NPS compares those who answered: if the campaign changed who answers (it asked them, say), the groups differ.
        if (weeks.Count > 0 && weeks[^1].Effects.Any(e => e.Outcome == "nps")
            && outcomes.Weeks.Where(w => w.Week == weeks[^1].Week).OrderBy(w => w.Control).ToList() is [var t, var c]
            && ScoreStatistics.CompareProportions(Respondents(t), t.Members, Respondents(c), c.Members) is { Significant: true })
        {
            Warn("npsResponse", "{0:0.#} % of the treated group answered NPS against {1:0.#} % of the control group: the campaign changed who answers, so the NPS difference is not a randomised comparison.",
                Share(Respondents(t), t.Members), Share(Respondents(c), c.Members));
        }

        return warnings;
    }

    private async Task<IReadOnlyList<long>> MemberIdsAsync(long campaignId, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        return await db.CampaignMembers.AsNoTracking().Where(m => m.CampaignId == campaignId).Select(m => m.CustomerId).ToListAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The live profiles of <paramref name="customers"/>, each once.</summary>
    private async Task<IReadOnlyList<long>> LiveAsync(long workspaceId, IReadOnlyList<long> customers, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var merged = await MergedAsync(db, workspaceId, ct).ConfigureAwait(false);
        return [.. customers.Select(c => merged.GetValueOrDefault(c, c)).Distinct()];
    }

    /// <summary>Each merged-away profile of the workspace and the live profile it is now part of (few, next to all customers).</summary>
    private static async Task<Dictionary<long, long>> MergedAsync(CxoDb db, long workspaceId, CancellationToken ct) =>
        await db.Customers.AsNoTracking().Where(c => c.WorkspaceId == workspaceId && c.MergedInto != null)
            .ToDictionaryAsync(c => c.Id, c => c.MergedInto!.Value, ct).ConfigureAwait(false);
}
