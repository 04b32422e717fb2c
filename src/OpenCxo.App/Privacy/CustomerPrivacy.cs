using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using OpenCxo.App.Analytics;
using OpenCxo.App.Profiles;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Privacy;

/// <summary>A purpose's consent in force: the latest answer recorded, or none.</summary>
public sealed record ConsentState(string Purpose, bool? Granted, DateTime? RecordedAt, string? Source);

/// <summary>What an erasure removed, by kind (counts only: what they were is gone).</summary>
public sealed record ErasureReport(long CustomerId, IReadOnlyList<long> CustomerIds, IReadOnlyDictionary<string, int> Removed);

/// <summary>
/// Data-subject rights (GDPR articles 7, 15, 17 and 20): consent per purpose, an export of everything held about a
/// customer, and erasure. A customer is the live profile and every profile merged into it.
/// </summary>
public sealed class CustomerPrivacy(CxoDbFactory databases, AnalyticsSignal analytics, TimeProvider time)
{
    public const string Surveys = "surveys";
    public const string Marketing = "marketing";
    public const string Profiling = "profiling";

    public static readonly string[] Purposes = [Surveys, Marketing, Profiling];

    public const int MaxSourceLength = 200;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The consent in force for each purpose; null when the workspace has no such customer.</summary>
    public async Task<IReadOnlyList<ConsentState>?> ConsentsAsync(long workspaceId, long customerId, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        if (await CustomerProfiles.ResolveIdAsync(db, workspaceId, customerId, ct).ConfigureAwait(false) is not { } live)
        {
            return null;
        }

        var latest = (await db.Consents.AsNoTracking().Where(c => c.WorkspaceId == workspaceId && c.CustomerId == live)
                .ToListAsync(ct).ConfigureAwait(false))
            .GroupBy(c => c.Purpose)
            .ToDictionary(g => g.Key, g => g.OrderBy(c => c.RecordedAt).ThenBy(c => c.Id).Last());
        return [.. Purposes.Select(p => latest.TryGetValue(p, out var c) ? new ConsentState(p, c.Granted, DateTime.SpecifyKind(c.RecordedAt, DateTimeKind.Utc), c.Source) : new ConsentState(p, null, null, null))];
    }

    /// <summary>
    /// Records an answer for a purpose. Refusing <see cref="Surveys"/> also opts the customer out of surveys (no
    /// invitation is made or sent); granting it again lifts that opt-out. Null when there is no such customer.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown purpose or a source that is too long.</exception>
    public async Task<ConsentState?> RecordAsync(long workspaceId, long customerId, string purpose, bool granted, string source, CancellationToken ct)
    {
        purpose = purpose.Trim().ToLowerInvariant();
        if (!Purposes.Contains(purpose))
        {
            throw new ArgumentException($"unknown purpose '{purpose}' (known: {string.Join(", ", Purposes)})", nameof(purpose));
        }

        if (string.IsNullOrWhiteSpace(source) || source.Length > MaxSourceLength)
        {
            throw new ArgumentException($"the source is 1 to {MaxSourceLength} characters", nameof(source));
        }

        await using var db = databases.CreateDbContext();
        if (await CustomerProfiles.ResolveIdAsync(db, workspaceId, customerId, ct).ConfigureAwait(false) is not { } live)
        {
            return null;
        }

        var now = time.GetUtcNow().UtcDateTime;
        db.Consents.Add(new ConsentRow { WorkspaceId = workspaceId, CustomerId = live, Purpose = purpose, Granted = granted, RecordedAt = now, Source = source.Trim() });
        if (purpose == Profiling && !granted)
        {
            // No score is kept for someone who refused profiling; the next model run leaves them out too.
            var family = await FamilyAsync(db, workspaceId, live, ct).ConfigureAwait(false);
            db.CustomerScores.RemoveRange(await db.CustomerScores.Where(s => s.WorkspaceId == workspaceId && family.Contains(s.CustomerId)).ToListAsync(ct).ConfigureAwait(false));
        }

        if (purpose == Surveys)
        {
            var optOut = await db.SurveyOptOuts.FirstOrDefaultAsync(o => o.WorkspaceId == workspaceId && o.CustomerId == live, ct).ConfigureAwait(false);
            if (!granted && optOut is null)
            {
                db.SurveyOptOuts.Add(new SurveyOptOutRow { WorkspaceId = workspaceId, CustomerId = live, At = now, Source = "consent" });
            }
            else if (granted && optOut is not null)
            {
                db.SurveyOptOuts.Remove(optOut);
            }
        }

        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return new ConsentState(purpose, granted, now, source.Trim());
    }

    /// <summary>The live customers of the workspace whose latest answer for <paramref name="purpose"/> is a refusal.</summary>
    public static async Task<HashSet<long>> RefusedAsync(CxoDb db, long workspaceId, string purpose, CancellationToken ct) =>
        [.. (await LatestAnswersAsync(db, workspaceId, purpose, ct).ConfigureAwait(false)).Where(a => !a.Granted).Select(a => a.Customer)];

    /// <summary>
    /// Each live customer's latest recorded answer per purpose (of one <paramref name="purpose"/>, or all); an answer
    /// given under a profile since merged counts for the survivor.
    /// </summary>
    public static async Task<IReadOnlyList<ConsentFact>> LatestAnswersAsync(CxoDb db, long workspaceId, string? purpose, CancellationToken ct)
    {
        var answers = await db.Consents.AsNoTracking().Where(c => c.WorkspaceId == workspaceId && (purpose == null || c.Purpose == purpose))
            .Join(db.Customers.AsNoTracking(), c => c.CustomerId, m => m.Id, (c, m) => new { Live = m.MergedInto ?? m.Id, c.Purpose, c.Id, c.RecordedAt, c.Granted })
            .ToListAsync(ct).ConfigureAwait(false);
        return [.. answers.GroupBy(a => (a.Live, a.Purpose)).Select(g => new ConsentFact(g.Key.Live, g.Key.Purpose, g.OrderBy(a => a.RecordedAt).ThenBy(a => a.Id).Last().Granted))];
    }

    /// <summary>The live profile and every profile merged into it, directly or along a chain.</summary>
    private static async Task<List<long>> FamilyAsync(CxoDb db, long workspaceId, long live, CancellationToken ct)
    {
        var family = new List<long> { live };
        var frontier = new List<long> { live };
        while (frontier.Count > 0 && family.Count < 100_000)
        {
            var next = frontier;
            frontier = await db.Customers.AsNoTracking()
                .Where(c => c.WorkspaceId == workspaceId && c.MergedInto != null && next.Contains(c.MergedInto.Value))
                .Select(c => c.Id).ToListAsync(ct).ConfigureAwait(false);
            frontier = [.. frontier.Where(id => !family.Contains(id))];
            family.AddRange(frontier);
        }

        return family;
    }

    /// <summary>
    /// Everything held about the customer, as JSON (article 15 and 20): profile, identities, attributes, merges,
    /// touchpoints with their texts and attributes, text analyses, survey answers and invitations, cases with their
    /// notes, model scores, consents and opt-outs; the export is written to the audit log. Null when there is no such customer.
    /// </summary>
    public async Task<JsonObject?> ExportAsync(long workspaceId, long customerId, AuditActor actor, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        if (await CustomerProfiles.ResolveIdAsync(db, workspaceId, customerId, ct).ConfigureAwait(false) is not { } live)
        {
            return null;
        }

        var ids = await FamilyAsync(db, workspaceId, live, ct).ConfigureAwait(false);
        var profile = await CustomerProfiles.GetAsync(db, workspaceId, live, ct).ConfigureAwait(false);
        var workspace = await db.Workspaces.AsNoTracking().Where(w => w.Id == workspaceId).Select(w => w.Slug).SingleAsync(ct).ConfigureAwait(false);

        var identities = await db.Identities.AsNoTracking().Where(i => i.WorkspaceId == workspaceId && ids.Contains(i.CustomerId))
            .OrderBy(i => i.Kind).ThenBy(i => i.Value)
            .Select(i => new { i.Kind, i.Value, i.CustomerId, i.CreatedAt }).ToListAsync(ct).ConfigureAwait(false);
        var traits = await db.CustomerTraits.AsNoTracking().Where(t => t.WorkspaceId == workspaceId && ids.Contains(t.CustomerId))
            .OrderBy(t => t.Name).ToListAsync(ct).ConfigureAwait(false);
        var merges = await db.CustomerMerges.AsNoTracking()
            .Where(m => m.WorkspaceId == workspaceId && (ids.Contains(m.SurvivorId) || ids.Contains(m.AbsorbedId)))
            .OrderBy(m => m.Seq).Select(m => new { m.SurvivorId, m.AbsorbedId, m.EventId, m.OccurredAt, m.MergedAt }).ToListAsync(ct).ConfigureAwait(false);
        var touchpoints = await db.Interactions.AsNoTracking().Where(i => i.WorkspaceId == workspaceId && ids.Contains(i.CustomerId))
            .OrderBy(i => i.OccurredAt).ThenBy(i => i.Seq).ToListAsync(ct).ConfigureAwait(false);
        var seqs = touchpoints.Select(t => t.Seq).ToList();
        var events = touchpoints.ToDictionary(t => t.Seq, t => t.EventId);
        var analyses = await db.TextAnalyses.AsNoTracking().Where(a => a.WorkspaceId == workspaceId && seqs.Contains(a.InteractionSeq))
            .OrderBy(a => a.InteractionSeq).ToListAsync(ct).ConfigureAwait(false);
        var surveys = await db.Surveys.AsNoTracking().Where(s => s.WorkspaceId == workspaceId).ToDictionaryAsync(s => s.Id, s => s.Key, ct).ConfigureAwait(false);
        var responses = await db.SurveyResponses.AsNoTracking().Where(r => r.WorkspaceId == workspaceId && r.CustomerId != null && ids.Contains(r.CustomerId.Value))
            .OrderBy(r => r.StartedAt).ToListAsync(ct).ConfigureAwait(false);
        var invitations = await db.SurveyInvitations.AsNoTracking().Where(i => i.WorkspaceId == workspaceId && ids.Contains(i.CustomerId))
            .OrderBy(i => i.CreatedAt).ToListAsync(ct).ConfigureAwait(false);
        var optOuts = await db.SurveyOptOuts.AsNoTracking().Where(o => o.WorkspaceId == workspaceId && ids.Contains(o.CustomerId)).ToListAsync(ct).ConfigureAwait(false);
        var cases = await db.Cases.AsNoTracking().Where(c => c.WorkspaceId == workspaceId && ids.Contains(c.CustomerId)).OrderBy(c => c.OpenedAt).ToListAsync(ct).ConfigureAwait(false);
        var caseIds = cases.Select(c => c.Id).ToList();
        var notes = (await db.CaseNotes.AsNoTracking().Where(n => n.WorkspaceId == workspaceId && caseIds.Contains(n.CaseId)).OrderBy(n => n.At).ToListAsync(ct).ConfigureAwait(false))
            .ToLookup(n => n.CaseId);
        var scores = await db.CustomerScores.AsNoTracking().Where(s => s.WorkspaceId == workspaceId && ids.Contains(s.CustomerId)).OrderBy(s => s.RunId).ToListAsync(ct).ConfigureAwait(false);
        var consents = await db.Consents.AsNoTracking().Where(c => c.WorkspaceId == workspaceId && ids.Contains(c.CustomerId)).OrderBy(c => c.RecordedAt).ThenBy(c => c.Id).ToListAsync(ct).ConfigureAwait(false);
        db.AuditLog.Add(AuditTrail.Entry(actor, workspaceId, "customer.export", "customer:" + live.ToString(CultureInfo.InvariantCulture), "GDPR export", time.GetUtcNow().UtcDateTime));
        await db.SaveChangesAsync(ct).ConfigureAwait(false);

        return new JsonObject
        {
            ["format"] = "opencxo.customer-export/1",
            ["exportedAt"] = time.GetUtcNow().UtcDateTime,
            ["workspace"] = workspace,
            ["customerId"] = live,
            ["customerIds"] = new JsonArray([.. ids.Order().Select(i => JsonValue.Create(i))]),
            ["profile"] = JsonSerializer.SerializeToNode(profile, Json),
            ["identities"] = JsonSerializer.SerializeToNode(identities, Json),
            ["attributes"] = new JsonArray([.. traits.Select(t => new JsonObject
            {
                ["name"] = t.Name, ["value"] = JsonNode.Parse(t.ValueJson), ["observedAt"] = Utc(t.ObservedAt), ["customerId"] = t.CustomerId,
            })]),
            ["merges"] = JsonSerializer.SerializeToNode(merges, Json),
            ["touchpoints"] = new JsonArray([.. touchpoints.Select(t => new JsonObject
            {
                ["eventId"] = t.EventId, ["occurredAt"] = Utc(t.OccurredAt), ["receivedAt"] = Utc(t.ReceivedAt), ["department"] = t.Department,
                ["channel"] = t.Channel, ["type"] = t.Type, ["value"] = t.ValueE4 / 10_000m, ["currency"] = t.Currency, ["text"] = t.Text,
                ["attributes"] = t.Attributes is null ? null : JsonNode.Parse(t.Attributes), ["customerId"] = t.CustomerId,
            })]),
            ["textAnalyses"] = new JsonArray([.. analyses.Select(a => new JsonObject
            {
                ["eventId"] = events[a.InteractionSeq], ["analyzer"] = a.Analyzer, ["language"] = a.Language, ["sentiment"] = a.Sentiment,
                ["themes"] = a.Themes, ["flags"] = a.Flags, ["analyzedAt"] = Utc(a.AnalyzedAt),
            })]),
            ["surveyResponses"] = new JsonArray([.. responses.Select(r => new JsonObject
            {
                ["survey"] = surveys.GetValueOrDefault(r.SurveyId), ["version"] = r.Version, ["language"] = r.Language, ["source"] = r.Source,
                ["startedAt"] = Utc(r.StartedAt), ["answeredAt"] = r.AnsweredAt is { } at ? Utc(at) : null, ["completed"] = r.Completed,
                ["nps"] = r.Nps, ["csat"] = r.Csat, ["ces"] = r.Ces, ["answers"] = JsonNode.Parse(r.AnswersJson),
            })]),
            ["surveyInvitations"] = new JsonArray([.. invitations.Select(i => new JsonObject
            {
                ["survey"] = surveys.GetValueOrDefault(i.SurveyId), ["channel"] = i.Channel, ["language"] = i.Language, ["status"] = i.Status,
                ["createdAt"] = Utc(i.CreatedAt), ["sentAt"] = i.SentAt is { } sent ? Utc(sent) : null,
                ["respondedAt"] = i.RespondedAt is { } responded ? Utc(responded) : null,
            })]),
            ["surveyOptOut"] = optOuts.Count == 0 ? null : new JsonObject { ["at"] = Utc(optOuts.Min(o => o.At)), ["source"] = optOuts[0].Source },
            ["cases"] = new JsonArray([.. cases.Select(c => new JsonObject
            {
                ["id"] = c.Id, ["trigger"] = c.Trigger, ["reason"] = c.Reason, ["department"] = c.Department, ["team"] = c.Team, ["owner"] = c.Owner,
                ["priority"] = c.Priority, ["status"] = c.Status, ["openedAt"] = Utc(c.OpenedAt), ["closedAt"] = c.ClosedAt is { } closed ? Utc(closed) : null,
                ["rootCause"] = c.RootCause,
                ["notes"] = new JsonArray([.. notes[c.Id].Select(n => new JsonObject { ["at"] = Utc(n.At), ["author"] = n.Author, ["kind"] = n.Kind, ["text"] = n.Text })]),
            })]),
            ["scores"] = new JsonArray([.. scores.Select(s => new JsonObject
            {
                ["runId"] = s.RunId, ["churnRisk"] = s.ChurnRisk, ["churnReasons"] = s.ChurnReasonsJson is null ? null : JsonNode.Parse(s.ChurnReasonsJson),
                ["probabilityAlive"] = s.ProbabilityAlive, ["expectedPurchases"] = s.ExpectedPurchases, ["expectedSpend"] = s.ExpectedSpend,
                ["lifetimeValue"] = s.LifetimeValue, ["currency"] = s.Currency,
            })]),
            ["consents"] = new JsonArray([.. consents.Select(c => new JsonObject
            {
                ["purpose"] = c.Purpose, ["granted"] = c.Granted, ["recordedAt"] = Utc(c.RecordedAt), ["source"] = c.Source,
            })]),
        };
    }

    /// <summary>
    /// Erases the customer (article 17): every profile of the family, its identities, attributes, merges,
    /// touchpoints, text analyses, survey answers, invitations and opt-out, cases and their notes, model scores,
    /// consents and segment stays (a segment webhook that was sent the customer is told to remove them), and the customer's quotes in digests and alerts — in one transaction, which also records the
    /// erasure (internal ids only) for the analytics stores and an audit entry. The analytics store forgets the
    /// customer at its next sync, which this asks for at once. Null when there is no such customer.
    /// </summary>
    public async Task<ErasureReport?> EraseAsync(long workspaceId, long customerId, AuditActor actor, string? reason, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        if (db.Provider == DatabaseProvider.Sqlite)
        {
            // Freed pages are overwritten with zeros, so the deleted rows cannot be read back from the file.
            await db.Database.OpenConnectionAsync(ct).ConfigureAwait(false);
            await db.Database.ExecuteSqlRawAsync("PRAGMA secure_delete = ON", ct).ConfigureAwait(false);
        }

        var removed = new Dictionary<string, int>(StringComparer.Ordinal);
        List<long> ids;
        long live;
        await using (var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false))
        {
            if (await CustomerProfiles.ResolveIdAsync(db, workspaceId, customerId, ct).ConfigureAwait(false) is not { } found)
            {
                return null;
            }

            live = found;
            ids = await FamilyAsync(db, workspaceId, live, ct).ConfigureAwait(false);
            // Marketing tools the customer was sent to are told to forget them (article 19) before the contact details go.
            await Segments.SegmentService.QueueErasureNoticesAsync(db, workspaceId, ids, time.GetUtcNow().UtcDateTime, ct).ConfigureAwait(false);
            removed["segmentStays"] = await db.SegmentMembers.Where(m => m.WorkspaceId == workspaceId && ids.Contains(m.CustomerId)).ExecuteDeleteAsync(ct).ConfigureAwait(false);
            removed["campaignMemberships"] = await db.CampaignMembers.Where(m => m.WorkspaceId == workspaceId && ids.Contains(m.CustomerId)).ExecuteDeleteAsync(ct).ConfigureAwait(false);
            var mine = db.Interactions.Where(i => i.WorkspaceId == workspaceId && ids.Contains(i.CustomerId)).Select(i => i.Seq);
            removed["textAnalyses"] = await db.TextAnalyses.Where(a => a.WorkspaceId == workspaceId && mine.Contains(a.InteractionSeq)).ExecuteDeleteAsync(ct).ConfigureAwait(false);
            removed["touchpoints"] = await db.Interactions.Where(i => i.WorkspaceId == workspaceId && ids.Contains(i.CustomerId)).ExecuteDeleteAsync(ct).ConfigureAwait(false);
            removed["surveyResponses"] = await db.SurveyResponses.Where(r => r.WorkspaceId == workspaceId && r.CustomerId != null && ids.Contains(r.CustomerId.Value)).ExecuteDeleteAsync(ct).ConfigureAwait(false);
            removed["surveyInvitations"] = await db.SurveyInvitations.Where(i => i.WorkspaceId == workspaceId && ids.Contains(i.CustomerId)).ExecuteDeleteAsync(ct).ConfigureAwait(false);
            removed["surveyOptOuts"] = await db.SurveyOptOuts.Where(o => o.WorkspaceId == workspaceId && ids.Contains(o.CustomerId)).ExecuteDeleteAsync(ct).ConfigureAwait(false);
            var cases = db.Cases.Where(c => c.WorkspaceId == workspaceId && ids.Contains(c.CustomerId)).Select(c => c.Id);
            removed["caseNotes"] = await db.CaseNotes.Where(n => n.WorkspaceId == workspaceId && cases.Contains(n.CaseId)).ExecuteDeleteAsync(ct).ConfigureAwait(false);
            removed["cases"] = await db.Cases.Where(c => c.WorkspaceId == workspaceId && ids.Contains(c.CustomerId)).ExecuteDeleteAsync(ct).ConfigureAwait(false);
            removed["scores"] = await db.CustomerScores.Where(s => s.WorkspaceId == workspaceId && ids.Contains(s.CustomerId)).ExecuteDeleteAsync(ct).ConfigureAwait(false);
            removed["consents"] = await db.Consents.Where(c => c.WorkspaceId == workspaceId && ids.Contains(c.CustomerId)).ExecuteDeleteAsync(ct).ConfigureAwait(false);
            removed["attributes"] = await db.CustomerTraits.Where(t => t.WorkspaceId == workspaceId && ids.Contains(t.CustomerId)).ExecuteDeleteAsync(ct).ConfigureAwait(false);
            removed["identities"] = await db.Identities.Where(i => i.WorkspaceId == workspaceId && ids.Contains(i.CustomerId)).ExecuteDeleteAsync(ct).ConfigureAwait(false);
            removed["merges"] = await db.CustomerMerges.Where(m => m.WorkspaceId == workspaceId && (ids.Contains(m.SurvivorId) || ids.Contains(m.AbsorbedId))).ExecuteDeleteAsync(ct).ConfigureAwait(false);
            removed["quotes"] = await ScrubDocumentsAsync(db, workspaceId, ids, ct).ConfigureAwait(false);
            removed["profiles"] = await db.Customers.Where(c => c.WorkspaceId == workspaceId && ids.Contains(c.Id)).ExecuteDeleteAsync(ct).ConfigureAwait(false);

            var now = time.GetUtcNow().UtcDateTime;
            db.Erasures.AddRange(ids.Select(id => new ErasureRow { WorkspaceId = workspaceId, CustomerId = id, ErasedAt = now }));
            var counts = string.Join(", ", removed.Where(p => p.Value > 0).Select(p => $"{p.Key} {p.Value}"));
            var why = string.IsNullOrWhiteSpace(reason) ? "" : "; reason: " + reason.Trim();
            db.AuditLog.Add(AuditTrail.Entry(actor, workspaceId, "customer.erase", "customer:" + live.ToString(CultureInfo.InvariantCulture),
                $"profiles {string.Join(' ', ids.Order())}; removed {counts}{why}", now));
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }

        if (db.Provider == DatabaseProvider.Sqlite)
        {
            // The write-ahead log still holds the pages as they were: write them back (zeroed) and empty it.
            await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE)", ct).ConfigureAwait(false);
        }

        analytics.Notify();
        return new ErasureReport(live, [.. ids.Order()], removed);
    }

    /// <summary>Removes the customers' quotes (any object with their <c>customerId</c>) from stored digests and alerts.</summary>
    private static async Task<int> ScrubDocumentsAsync(CxoDb db, long workspaceId, List<long> ids, CancellationToken ct)
    {
        var marks = ids.Select(id => "\"customerId\":" + id.ToString(CultureInfo.InvariantCulture)).ToList();
        var scrubbed = 0;
        foreach (var digest in await db.Digests.Where(d => d.WorkspaceId == workspaceId).ToListAsync(ct).ConfigureAwait(false))
        {
            if (marks.Any(m => digest.ContentJson.Contains(m, StringComparison.Ordinal)) && JsonNode.Parse(digest.ContentJson) is { } content)
            {
                scrubbed += Scrub(content, ids);
                digest.ContentJson = content.ToJsonString();
            }
        }

        foreach (var alert in await db.Alerts.Where(a => a.WorkspaceId == workspaceId).ToListAsync(ct).ConfigureAwait(false))
        {
            if (marks.Any(m => alert.DetailJson.Contains(m, StringComparison.Ordinal)) && JsonNode.Parse(alert.DetailJson) is { } detail)
            {
                scrubbed += Scrub(detail, ids);
                alert.DetailJson = detail.ToJsonString();
            }
        }

        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return scrubbed;
    }

    /// <summary>Removes from every array the objects that name one of <paramref name="ids"/> as <c>customerId</c>.</summary>
    internal static int Scrub(JsonNode node, IReadOnlyCollection<long> ids)
    {
        var removed = 0;
        switch (node)
        {
            case JsonArray array:
                for (var i = array.Count - 1; i >= 0; i--)
                {
                    if (array[i] is JsonObject item && item["customerId"] is JsonValue value && value.TryGetValue<long>(out var id) && ids.Contains(id))
                    {
                        array.RemoveAt(i);
                        removed++;
                    }
                    else if (array[i] is { } child)
                    {
                        removed += Scrub(child, ids);
                    }
                }

                break;
            case JsonObject obj:
                foreach (var (_, child) in obj.ToList())
                {
                    if (child is not null)
                    {
                        removed += Scrub(child, ids);
                    }
                }

                break;
        }

        return removed;
    }

    private static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);
}
