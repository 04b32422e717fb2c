using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using OpenCxo.App.Kpis;
using OpenCxo.App.Privacy;
using OpenCxo.App.Profiles;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Segments;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Segments;

/// <summary>A segment's size now, as of the analytics store's last sync, and how long counting took.</summary>
public sealed record SegmentCount(long Members, DateTime AsOf, TimeSpan Elapsed);

/// <summary>What one refresh did: the size now, who joined and left, and the member changes queued for the webhook.</summary>
public sealed record SegmentRefresh(string Key, long Members, long Joined, long Left, long Added, long Removed, TimeSpan Elapsed);

/// <summary>One member as exports and webhooks name them: the customer id, their e-mail address and phone number if known.</summary>
public sealed record SegmentContact(long Customer, string? Email, string? Phone);

/// <summary>
/// Saved, dynamic segments: definitions, live counts, membership with its history, exports and webhook sync. A segment's
/// members are everyone its conditions hold for; its <em>audience</em> — what exports and webhooks send — leaves out who
/// refused marketing consent or opted out of surveys (the same "opted out" next best actions read), who is marked
/// do-not-contact, and the control groups of campaigns running on the segment.
/// </summary>
public sealed class SegmentService(CxoDbFactory databases, AnalyticsStore store, TimeProvider time)
{
    public CxoDbFactory Databases => databases;

    /// <summary>Member changes per webhook call.</summary>
    public const int WebhookBatch = 1000;

    public static JsonSerializerOptions Json => Hosting.DocumentJson.Strict;

    public static SegmentDefinition Parse(SegmentRow row) => JsonSerializer.Deserialize<SegmentDefinition>(row.DefinitionJson, Json)!;

    public async Task<IReadOnlyList<(SegmentRow Row, SegmentDefinition Definition)>> ListAsync(long workspaceId, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var rows = await db.Segments.AsNoTracking().Where(s => s.WorkspaceId == workspaceId).OrderBy(s => s.Key).ToListAsync(ct).ConfigureAwait(false);
        return [.. rows.Select(r => (r, Parse(r)))];
    }

    public async Task<(SegmentRow Row, SegmentDefinition Definition)?> GetAsync(long workspaceId, string key, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var row = await db.Segments.AsNoTracking().FirstOrDefaultAsync(s => s.WorkspaceId == workspaceId && s.Key == key, ct).ConfigureAwait(false);
        return row is null ? null : (row, Parse(row));
    }

    /// <summary>
    /// Checks and stores a segment: a new key creates it, an existing one is replaced only when <paramref name="replace"/>.
    /// A replaced definition keeps the membership history; the next refresh moves members in and out.
    /// </summary>
    public async Task<Saved> SaveAsync(long workspaceId, SegmentDefinition segment, string by, bool replace, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(segment);
        if (segment.Validate() is { Count: > 0 } errors)
        {
            return new Saved(errors);
        }

        await using var db = databases.CreateDbContext();
        var now = time.GetUtcNow().UtcDateTime;
        var row = await db.Segments.FirstOrDefaultAsync(s => s.WorkspaceId == workspaceId && s.Key == segment.Key, ct).ConfigureAwait(false);
        if (row is not null && !replace)
        {
            return new Saved([new FieldError("key", $"a segment '{segment.Key}' exists: PUT /api/v1/segments/{segment.Key} replaces it")], Conflict: true);
        }

        var created = row is null;
        if (row is null)
        {
            row = new SegmentRow { WorkspaceId = workspaceId, Key = segment.Key, DefinitionJson = "", UpdatedBy = by, CreatedAt = now };
            db.Segments.Add(row);
        }

        row.DefinitionJson = JsonSerializer.Serialize(segment, Json);
        row.UpdatedAt = now;
        row.UpdatedBy = by;
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException) when (created)
        {
            return new Saved([new FieldError("key", $"a segment '{segment.Key}' was created at the same time: ask again")], Conflict: true);
        }

        return new Saved([], created);
    }

    public async Task<bool> DeleteAsync(long workspaceId, string key, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var row = await db.Segments.FirstOrDefaultAsync(s => s.WorkspaceId == workspaceId && s.Key == key, ct).ConfigureAwait(false);
        if (row is null)
        {
            return false;
        }

        db.Segments.Remove(row);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>How many customers a definition holds now: for live counts while editing. Reads the analytics store as it is (synced within seconds) rather than syncing first.</summary>
    public async Task<SegmentCount> CountAsync(long workspaceId, SegmentDefinition segment, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        var now = time.GetUtcNow().UtcDateTime;
        var consents = await ConsentsAsync(workspaceId, segment, ct).ConfigureAwait(false);
        var members = await store.SegmentCountAsync(workspaceId, segment, now, consents, ct).ConfigureAwait(false);
        return new SegmentCount(members, now, time.GetElapsedTime(started));
    }

    /// <summary>The live customers the definition holds for now, in id order.</summary>
    public async Task<IReadOnlyList<long>> MembersAsync(long workspaceId, SegmentDefinition segment, CancellationToken ct)
    {
        var consents = await ConsentsAsync(workspaceId, segment, ct).ConfigureAwait(false);
        return await store.SegmentMembersAsync(workspaceId, segment, time.GetUtcNow().UtcDateTime, consents, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The members who may be sent to a marketing tool now, with their contact details: members less those who refused
    /// marketing or opted out, or are marked do-not-contact.
    /// </summary>
    public async Task<IReadOnlyList<SegmentContact>> AudienceAsync(long workspaceId, SegmentDefinition segment, CancellationToken ct)
    {
        var eligible = await AudienceIdsAsync(workspaceId, segment, ct).ConfigureAwait(false);
        await using var db = databases.CreateDbContext();
        return await ContactsAsync(db, workspaceId, eligible, ct).ConfigureAwait(false);
    }

    /// <summary>The audience's customer ids, in id order, without looking up their contact details.</summary>
    public async Task<List<long>> AudienceIdsAsync(long workspaceId, SegmentDefinition segment, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(segment);
        var members = await MembersAsync(workspaceId, segment, ct).ConfigureAwait(false);
        await using var db = databases.CreateDbContext();
        var excluded = await ExcludedAsync(db, workspaceId, segment.Key, ct).ConfigureAwait(false);
        return [.. members.Where(m => !excluded.Contains(m))];
    }

    /// <summary>
    /// Brings the stored membership up to the definition: closes the stays of those who left, opens stays for those
    /// who joined, records the size, and queues the audience's changes for the segment's webhook (added: now in the
    /// audience and not sent before; removed: sent before and now out of it, having left or withdrawn consent).
    /// Refreshes of one segment take turns, on any server (see RefreshOnceAsync); one transaction, so a failed refresh
    /// leaves the last one whole.
    /// </summary>
    public async Task<SegmentRefresh> RefreshAsync(long workspaceId, string key, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (await RefreshOnceAsync(workspaceId, key, ct).ConfigureAwait(false) is { } done)
            {
                return done;
            }

            // Each loss means another refresh finished in between: with k callers at once, the last loses k − 1 times.
            if (attempt == 20)
            {
                throw new InvalidOperationException($"Segment '{key}' is being refreshed by others without pause; try again.");
            }
        }
    }

    /// <summary>One refresh; null when another finished meanwhile (this one then starts again on its result).</summary>
    private async Task<SegmentRefresh?> RefreshOnceAsync(long workspaceId, string key, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        var found = await GetAsync(workspaceId, key, ct).ConfigureAwait(false) ?? throw new KeyNotFoundException($"No segment '{key}'.");
        var (row, segment) = found;
        var members = await MembersAsync(workspaceId, segment, ct).ConfigureAwait(false);
        var now = time.GetUtcNow().UtcDateTime;

        await using var db = databases.CreateDbContext();
        var excluded = segment.Webhook is null ? [] : await ExcludedAsync(db, workspaceId, segment.Key, ct).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);

        // Refreshes of one segment take turns: the first statement claims the segment's row (a row lock in PostgreSQL,
        // the write lock in SQLite) only if no other refresh finished since this one read it.
        var previous = row.RefreshedAt;
        if (await db.Segments.Where(s => s.Id == row.Id && s.RefreshedAt == previous)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.RefreshedAt, now), ct).ConfigureAwait(false) == 0)
        {
            await transaction.RollbackAsync(ct).ConfigureAwait(false);
            return null;
        }

        var sequence = await db.Segments.Where(s => s.Id == row.Id).Select(s => s.ChangeSequence).SingleAsync(ct).ConfigureAwait(false);
        var open = await db.SegmentMembers.AsNoTracking().Where(m => m.SegmentId == row.Id && m.LeftAt == null)
            .Select(m => new { m.Id, m.CustomerId, m.Synced }).ToListAsync(ct).ConfigureAwait(false);
        var current = members.ToHashSet();
        var stays = open.ToDictionary(o => o.CustomerId);
        var left = open.Where(o => !current.Contains(o.CustomerId)).ToList();
        var joined = members.Where(m => !stays.ContainsKey(m)).ToList();

        // The audience's changes against what the webhook was sent before: open stays marked synced.
        var audience = segment.Webhook is null ? [] : members.Where(m => !excluded.Contains(m)).ToHashSet();
        var sent = open.Where(o => o.Synced).Select(o => o.CustomerId).ToList();
        var toAdd = segment.Webhook is null ? [] : audience.Where(c => !stays.TryGetValue(c, out var stay) || !stay.Synced).Order().ToList();
        var toRemove = segment.Webhook is null ? [] : sent.Where(c => !audience.Contains(c)).Order().ToList();

        foreach (var chunk in left.Select(o => o.Id).Chunk(500))
        {
            await db.SegmentMembers.Where(m => chunk.Contains(m.Id))
                .ExecuteUpdateAsync(u => u.SetProperty(m => m.LeftAt, now).SetProperty(m => m.Synced, false), ct).ConfigureAwait(false);
        }

        foreach (var (ids, synced) in new[]
        {
            (toAdd.Where(stays.ContainsKey).Select(c => stays[c].Id), true),
            (toRemove.Where(current.Contains).Select(c => stays[c].Id), false),
        })
        {
            foreach (var chunk in ids.Chunk(500))
            {
                await db.SegmentMembers.Where(m => chunk.Contains(m.Id)).ExecuteUpdateAsync(u => u.SetProperty(m => m.Synced, synced), ct).ConfigureAwait(false);
            }
        }

        await InsertStaysAsync(db, row, [.. joined.Where(c => !audience.Contains(c))], synced: false, now, ct).ConfigureAwait(false);
        await InsertStaysAsync(db, row, [.. joined.Where(audience.Contains)], synced: true, now, ct).ConfigureAwait(false);
        db.SegmentSnapshots.Add(new SegmentSnapshotRow { SegmentId = row.Id, TakenAt = now, Members = members.Count, Joined = joined.Count, Left = left.Count });

        if (segment.Webhook is null && open.Any(o => o.Synced))
        {
            // The webhook was taken off: what it was sent no longer counts, so one set again starts from the whole audience.
            await db.SegmentMembers.Where(m => m.SegmentId == row.Id && m.Synced).ExecuteUpdateAsync(u => u.SetProperty(m => m.Synced, false), ct).ConfigureAwait(false);
        }

        if (segment.Webhook is { } hook && toAdd.Count + toRemove.Count > 0)
        {
            var contacts = (await ContactsAsync(db, workspaceId, [.. toAdd, .. toRemove], ct).ConfigureAwait(false)).ToDictionary(c => c.Customer);
            foreach (var (list, field) in new[] { (toAdd, "added"), (toRemove, "removed") })
            {
                foreach (var batch in list.Chunk(WebhookBatch))
                {
                    sequence++;
                    var payload = new JsonObject
                    {
                        ["type"] = "segment.changes",
                        ["segment"] = row.Key,
                        ["sequence"] = sequence,
                        ["at"] = now,
                        [field] = new JsonArray([.. batch.Select(c => (JsonNode)Contact(contacts[c]))]),
                    };
                    db.AlertDeliveries.Add(new AlertDeliveryRow
                    {
                        WorkspaceId = workspaceId, Channel = "webhook", Target = hook, NextAttemptAt = now, PayloadJson = payload.ToJsonString(),
                    });
                }
            }
        }

        await db.Segments.Where(s => s.Id == row.Id)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.RefreshedAt, now).SetProperty(s => s.Members, members.Count).SetProperty(s => s.ChangeSequence, sequence), ct)
            .ConfigureAwait(false);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await transaction.CommitAsync(ct).ConfigureAwait(false);
        return new SegmentRefresh(key, members.Count, joined.Count, left.Count, toAdd.Count, toRemove.Count, time.GetElapsedTime(started));
    }

    /// <summary>The members held out by campaigns running on the segment: they are in it, but not to be contacted.</summary>
    public async Task<HashSet<long>> HeldOutAsync(long workspaceId, string segment, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        return await Campaigns.CampaignService.HeldOutAsync(db, workspaceId, segment, ct).ConfigureAwait(false);
    }

    /// <summary>The segment's size at each refresh, oldest first (at most <paramref name="limit"/>, the latest).</summary>
    public async Task<IReadOnlyList<SegmentSnapshotRow>> HistoryAsync(long segmentId, int limit, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var rows = await db.SegmentSnapshots.AsNoTracking().Where(s => s.SegmentId == segmentId).OrderByDescending(s => s.TakenAt).ThenByDescending(s => s.Id)
            .Take(limit).ToListAsync(ct).ConfigureAwait(false);
        rows.Reverse();
        return rows;
    }

    /// <summary>One customer's stays in the workspace's segments, latest first.</summary>
    public async Task<IReadOnlyList<(string Segment, DateTime Joined, DateTime? Left)>> StaysAsync(long workspaceId, long customer, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var rows = await (from m in db.SegmentMembers.AsNoTracking()
                          join s in db.Segments.AsNoTracking() on m.SegmentId equals s.Id
                          where m.WorkspaceId == workspaceId && m.CustomerId == customer
                          orderby m.JoinedAt descending
                          select new { s.Key, m.JoinedAt, m.LeftAt }).ToListAsync(ct).ConfigureAwait(false);
        return [.. rows.Select(r => (r.Key, r.JoinedAt, r.LeftAt))];
    }

    /// <summary>
    /// For a customer being erased: a "removed" change, reason "erased", to each webhook of a segment they were sent to,
    /// with their contact details so the receiving tool can find them. Added to <paramref name="db"/>, saved with the erasure.
    /// </summary>
    public static async Task QueueErasureNoticesAsync(CxoDb db, long workspaceId, IReadOnlyList<long> family, DateTime now, CancellationToken ct)
    {
        var sent = await (from m in db.SegmentMembers
                          join s in db.Segments on m.SegmentId equals s.Id
                          where m.WorkspaceId == workspaceId && m.LeftAt == null && m.Synced && family.Contains(m.CustomerId)
                          select new { s.Id, m.CustomerId }).ToListAsync(ct).ConfigureAwait(false);
        if (sent.Count == 0)
        {
            return;
        }

        var contacts = (await ContactsAsync(db, workspaceId, [.. sent.Select(x => x.CustomerId).Distinct()], ct).ConfigureAwait(false)).ToDictionary(c => c.Customer);
        foreach (var group in sent.GroupBy(x => x.Id))
        {
            var segment = await db.Segments.SingleAsync(s => s.Id == group.Key, ct).ConfigureAwait(false);
            if (Parse(segment).Webhook is not { } hook)
            {
                continue;
            }

            segment.ChangeSequence++;
            var payload = new JsonObject
            {
                ["type"] = "segment.changes",
                ["segment"] = segment.Key,
                ["sequence"] = segment.ChangeSequence,
                ["at"] = now,
                ["reason"] = "erased",
                ["removed"] = new JsonArray([.. group.Select(x => (JsonNode)Contact(contacts[x.CustomerId]))]),
            };
            db.AlertDeliveries.Add(new AlertDeliveryRow { WorkspaceId = workspaceId, Channel = "webhook", Target = hook, NextAttemptAt = now, PayloadJson = payload.ToJsonString() });
        }

        await db.SaveChangesAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The stored members (open stays) as of the last refresh, by customer id: the total and one page.</summary>
    public async Task<(long Total, IReadOnlyList<(long Customer, DateTime JoinedAt)> Page)> StoredMembersAsync(long segmentId, int limit, int offset, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var open = db.SegmentMembers.AsNoTracking().Where(m => m.SegmentId == segmentId && m.LeftAt == null);
        var total = await open.LongCountAsync(ct).ConfigureAwait(false);
        var page = await open.OrderBy(m => m.CustomerId).Skip(offset).Take(limit).Select(m => new { m.CustomerId, m.JoinedAt }).ToListAsync(ct).ConfigureAwait(false);
        return (total, [.. page.Select(m => (m.CustomerId, m.JoinedAt))]);
    }

    /// <summary>An audience as CSV (RFC 4180, UTF-8): customer, email, phone; a cell that a spreadsheet would run as a formula is quoted off.</summary>
    public static async Task WriteCsvAsync(Stream output, IReadOnlyList<SegmentContact> audience, CancellationToken ct)
    {
        var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            await writer.WriteAsync("customer,email,phone\r\n".AsMemory(), ct).ConfigureAwait(false);
            var line = new StringBuilder();
            foreach (var c in audience)
            {
                line.Clear().Append(c.Customer.ToString(CultureInfo.InvariantCulture)).Append(',')
                    .Append(Touchpoints.TouchpointExplorer.CsvCell(c.Email)).Append(',')
                    .Append(Touchpoints.TouchpointExplorer.CsvCell(c.Phone)).Append("\r\n");
                await writer.WriteAsync(line, ct).ConfigureAwait(false);
            }
        }
    }

    public static JsonObject Contact(SegmentContact c) => new() { ["customer"] = c.Customer, ["email"] = c.Email, ["phone"] = c.Phone };

    /// <summary>
    /// Consent answers as segments test them, only when the definition has a consent condition: recorded answers,
    /// and where none is recorded the profile's marketingConsent and surveyConsent attributes; a survey opt-out is a
    /// refusal of surveys whatever was recorded.
    /// </summary>
    private async Task<IReadOnlyList<ConsentFact>?> ConsentsAsync(long workspaceId, SegmentDefinition segment, CancellationToken ct)
    {
        if (!segment.Uses("consent"))
        {
            return null;
        }

        await using var db = databases.CreateDbContext();
        var answers = (await CustomerPrivacy.LatestAnswersAsync(db, workspaceId, null, ct).ConfigureAwait(false))
            .ToDictionary(a => (a.Customer, a.Purpose), a => a.Granted);
        var merged = db.Customers.AsNoTracking().Where(c => c.WorkspaceId == workspaceId);
        var traits = await db.CustomerTraits.AsNoTracking()
            .Where(t => t.WorkspaceId == workspaceId && (t.Name == "marketingConsent" || t.Name == "surveyConsent"))
            .Join(merged, t => t.CustomerId, c => c.Id, (t, c) => new { Live = c.MergedInto ?? c.Id, t.Name, t.ValueJson })
            .ToListAsync(ct).ConfigureAwait(false);
        foreach (var t in traits)
        {
            var purpose = t.Name == "marketingConsent" ? CustomerPrivacy.Marketing : CustomerPrivacy.Surveys;
            if (!answers.ContainsKey((t.Live, purpose)) && (TraitFlags.Refuses(t.ValueJson) || TraitFlags.Affirms(t.ValueJson)))
            {
                answers[(t.Live, purpose)] = TraitFlags.Affirms(t.ValueJson);
            }
        }

        var optOuts = await db.SurveyOptOuts.AsNoTracking().Where(o => o.WorkspaceId == workspaceId)
            .Join(merged, o => o.CustomerId, c => c.Id, (o, c) => c.MergedInto ?? c.Id).ToListAsync(ct).ConfigureAwait(false);
        foreach (var live in optOuts)
        {
            answers[(live, CustomerPrivacy.Surveys)] = false;
        }

        return [.. answers.Select(a => new ConsentFact(a.Key.Customer, a.Key.Purpose, a.Value))];
    }

    /// <summary>
    /// Who the audience of <paramref name="segment"/> leaves out: opted out (incl. refused marketing), do-not-contact, and
    /// the control groups of campaigns running on the segment, who must not be contacted.
    /// </summary>
    internal static async Task<HashSet<long>> ExcludedAsync(CxoDb db, long workspaceId, string segment, CancellationToken ct)
    {
        var (optedOut, doNotContact) = await ContactPreferences.ReadAsync(db, workspaceId, null, ct).ConfigureAwait(false);
        optedOut.UnionWith(doNotContact);
        optedOut.UnionWith(await Campaigns.CampaignService.HeldOutAsync(db, workspaceId, segment, ct).ConfigureAwait(false));
        return optedOut;
    }

    /// <summary>E-mail and phone of each customer (the first of each kind), in the order given.</summary>
    internal static async Task<IReadOnlyList<SegmentContact>> ContactsAsync(CxoDb db, long workspaceId, List<long> customers, CancellationToken ct)
    {
        var wanted = customers.ToHashSet();
        var found = new Dictionary<long, (string? Email, string? Phone)>(customers.Count);
        var contactable = db.Identities.AsNoTracking().Where(i => i.WorkspaceId == workspaceId && (i.Kind == "email" || i.Kind == "phone"));

        // A few customers (a webhook batch, an erasure) are looked up by id; for many, one pass over the workspace's
        // e-mail and phone identities beats a million look-ups.
        IEnumerable<IQueryable<IdentityRow>> queries = wanted.Count <= 10_000
            ? wanted.Chunk(500).Select(chunk => contactable.Where(i => chunk.Contains(i.CustomerId)))
            : [contactable];
        foreach (var query in queries)
        {
            var identities = query.OrderBy(i => i.CustomerId).ThenBy(i => i.CreatedAt).Select(i => new { i.CustomerId, i.Kind, i.Value }).AsAsyncEnumerable();
            await foreach (var i in identities.WithCancellation(ct).ConfigureAwait(false))
            {
                if (wanted.Contains(i.CustomerId))
                {
                    var had = found.GetValueOrDefault(i.CustomerId);
                    found[i.CustomerId] = i.Kind == "email" ? (had.Email ?? i.Value, had.Phone) : (had.Email, had.Phone ?? i.Value);
                }
            }
        }

        return [.. customers.Select(c => found.TryGetValue(c, out var x) ? new SegmentContact(c, x.Email, x.Phone) : new SegmentContact(c, null, null))];
    }

    private static Task InsertStaysAsync(CxoDb db, SegmentRow row, IReadOnlyList<long> joined, bool synced, DateTime now, CancellationToken ct) =>
        BulkRows.InsertAsync(db, "segment_members", [("segment_id", row.Id), ("workspace_id", row.WorkspaceId), ("joined_at", now), ("synced", synced)], "customer_id", joined, ct);
}
