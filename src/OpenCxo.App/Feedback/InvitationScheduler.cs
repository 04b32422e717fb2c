using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenCxo.Core.Feedback;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Feedback;

/// <summary>
/// Makes invitations from trigger rules and hands them over when due. Each rule reads the touchpoints that arrived
/// since it last looked (by seq), so a burst of events is considered once, in order, by one loop: contact fatigue
/// (at most one invitation per customer per <see cref="SurveyOptions.FatigueDays"/> days across all surveys), opt-outs
/// and consent (a customer attribute <c>surveyConsent</c> of <c>false</c>) hold however fast events come.
/// </summary>
public sealed partial class InvitationScheduler(
    CxoDbFactory databases, SurveyLinks links, IHttpClientFactory http, InvitationMail mail, JobLeases leases, IOptions<SurveyOptions> options, TimeProvider time,
    IServiceProvider services, ILogger<InvitationScheduler> logger)
    : BackgroundService
{
    /// <summary>Touchpoints read per rule per pass.</summary>
    private const int Batch = 5_000;

    /// <summary>Delivery attempts before an invitation is marked failed (waits of 1, 2, 4, 8 minutes between).</summary>
    public const int MaxAttempts = 5;

    public const string ScheduledStatus = "scheduled";

    // One pass at a time in this process: two passes over the same rule would both see a customer as not yet invited.
    private readonly SemaphoreSlim _pass = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ScheduleInterval, time);
        do
        {
            try
            {
                await leases.RunAsync("survey-invitations", JobLeases.TermFor(options.Value.ScheduleInterval), RunOnceAsync, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>One pass: every enabled rule of a published survey reads its new touchpoints, then due invitations go out.</summary>
    public async Task RunOnceAsync(CancellationToken ct)
    {
        await _pass.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await PassAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _pass.Release();
        }
    }

    private async Task PassAsync(CancellationToken ct)
    {
        List<SurveyRuleRow> rules;
        await using (var db = databases.CreateDbContext())
        {
            rules = await db.SurveyRules.AsNoTracking()
                .Where(r => r.Enabled && db.Surveys.Any(s => s.Id == r.SurveyId && s.Status == "published"))
                .OrderBy(r => r.Id)
                .ToListAsync(ct).ConfigureAwait(false);
        }

        foreach (var rule in rules)
        {
            if (rule.Kind == "recurring")
            {
                await RecurAsync(rule, ct).ConfigureAwait(false);
                continue;
            }

            while (await InviteAsync(rule, ct).ConfigureAwait(false) == Batch)
            {
            }
        }

        await DeliverAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Considers the rule's next touchpoints; returns how many were read.</summary>
    private async Task<int> InviteAsync(SurveyRuleRow rule, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        var tracked = await db.SurveyRules.SingleAsync(r => r.Id == rule.Id, ct).ConfigureAwait(false);
        var survey = await db.Surveys.AsNoTracking().SingleAsync(s => s.Id == rule.SurveyId, ct).ConfigureAwait(false);

        // By seq and type only: with the workspace in the WHERE clause SQLite would read the workspace's index.
        var after = tracked.Seq;
        var read = await db.Interactions.AsNoTracking()
            .Where(i => i.Seq > after && i.Type == rule.EventType)
            .OrderBy(i => i.Seq)
            .Take(Batch)
            .Select(i => new { i.Seq, i.WorkspaceId, i.CustomerId, i.EventId, i.OccurredAt, i.Department, i.Channel })
            .ToListAsync(ct).ConfigureAwait(false);
        if (read.Count == 0)
        {
            return 0;
        }

        var touchpoints = read
            .Where(i => i.WorkspaceId == rule.WorkspaceId && (rule.Department is null || i.Department == rule.Department) && (rule.Channel is null || i.Channel == rule.Channel))
            .ToList();
        var now = time.GetUtcNow().UtcDateTime;
        var customers = touchpoints.Select(t => t.CustomerId).Distinct().ToList();
        var live = await db.Customers.AsNoTracking()
            .Where(c => c.WorkspaceId == rule.WorkspaceId && customers.Contains(c.Id))
            .ToDictionaryAsync(c => c.Id, c => c.MergedInto ?? c.Id, ct).ConfigureAwait(false);
        var candidates = touchpoints.Select(t =>
        {
            var sendAt = t.OccurredAt.AddMinutes(rule.DelayMinutes);
            return new Candidate(live.GetValueOrDefault(t.CustomerId, t.CustomerId), t.EventId, sendAt < now ? now : sendAt);
        }).ToList();
        await AdmitAsync(db, rule, survey.PublishedVersion!.Value, candidates, now, ct).ConfigureAwait(false);
        tracked.Seq = read[^1].Seq;
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await transaction.CommitAsync(ct).ConfigureAwait(false);
        return read.Count;
    }

    private sealed record Candidate(long Customer, string? TriggerEventId, DateTime SendAt);

    /// <summary>
    /// Makes the invitations the rules allow, in order: not to opted-out or unconsenting customers, and not to anyone
    /// invited to any survey in the last <see cref="SurveyOptions.FatigueDays"/> days or to this one within a recurring
    /// rule's period; a customer is invited once per pass whatever their number of touchpoints.
    /// </summary>
    private async Task AdmitAsync(CxoDb db, SurveyRuleRow rule, int version, List<Candidate> candidates, DateTime now, CancellationToken ct)
    {
        var fatigueSince = now.AddDays(-options.Value.FatigueDays);
        var surveySince = now.AddDays(-(rule.EveryDays ?? 0));
        var since = fatigueSince < surveySince ? fatigueSince : surveySince;
        var ids = candidates.Select(c => c.Customer).Distinct().ToList();
        var resting = (await db.SurveyInvitations.AsNoTracking()
            .Where(i => i.WorkspaceId == rule.WorkspaceId && ids.Contains(i.CustomerId) && i.CreatedAt >= since)
            .Select(i => new { i.CustomerId, i.SurveyId, i.CreatedAt })
            .ToListAsync(ct).ConfigureAwait(false))
            .Where(i => i.CreatedAt >= fatigueSince || (i.SurveyId == rule.SurveyId && i.CreatedAt >= surveySince))
            .Select(i => i.CustomerId)
            .ToHashSet();
        var optedOut = (await db.SurveyOptOuts.AsNoTracking()
            .Where(o => o.WorkspaceId == rule.WorkspaceId && ids.Contains(o.CustomerId))
            .Select(o => o.CustomerId)
            .ToListAsync(ct).ConfigureAwait(false)).ToHashSet();
        var traits = await db.CustomerTraits.AsNoTracking()
            .Where(t => t.WorkspaceId == rule.WorkspaceId && ids.Contains(t.CustomerId) && (t.Name == "surveyConsent" || t.Name == "language"))
            .Select(t => new { t.CustomerId, t.Name, t.ValueJson })
            .ToListAsync(ct).ConfigureAwait(false);
        var refused = traits.Where(t => t.Name == "surveyConsent" && Profiles.TraitFlags.Refuses(t.ValueJson)).Select(t => t.CustomerId).ToHashSet();
        var spanish = traits.Where(t => t.Name == "language" && Profiles.CustomerSearch.TextOf(t.ValueJson).StartsWith("es", StringComparison.OrdinalIgnoreCase))
            .Select(t => t.CustomerId).ToHashSet();
        foreach (var candidate in candidates)
        {
            if (optedOut.Contains(candidate.Customer) || refused.Contains(candidate.Customer) || !resting.Add(candidate.Customer))
            {
                continue;
            }

            db.SurveyInvitations.Add(new SurveyInvitationRow
            {
                WorkspaceId = rule.WorkspaceId,
                SurveyId = rule.SurveyId,
                Version = version,
                CustomerId = candidate.Customer,
                Channel = rule.Delivery,
                Language = spanish.Contains(candidate.Customer) ? "es" : "en",
                TriggerEventId = candidate.TriggerEventId,
                RuleId = rule.Id,
                CreatedAt = now,
                SendAt = candidate.SendAt,
                Status = ScheduledStatus,
            });
        }
    }

    /// <summary>
    /// A recurring rule, at most every <see cref="SurveyOptions.RecurringInterval"/>: its audience, as the analytics store
    /// knows it after catching up, less whoever was asked within the rule's period or is resting.
    /// </summary>
    private async Task RecurAsync(SurveyRuleRow rule, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (rule.LastRunAt is { } last && last > now - options.Value.RecurringInterval)
        {
            return;
        }

        var store = services.GetRequiredService<AnalyticsStore>();
        await store.SyncAsync(ct).ConfigureAwait(false);
        var audience = await store.AudienceAsync(
            rule.WorkspaceId, rule.Audience == "activeSubscribers" ? Audience.ActiveSubscribers : Audience.ActiveCustomers, now, rule.EveryDays ?? 90, ct).ConfigureAwait(false);
        foreach (var chunk in audience.Chunk(2_000))
        {
            await using var db = databases.CreateDbContext();
            var version = await db.Surveys.AsNoTracking().Where(s => s.Id == rule.SurveyId).Select(s => s.PublishedVersion).SingleAsync(ct).ConfigureAwait(false);
            await AdmitAsync(db, rule, version!.Value, [.. chunk.Select(c => new Candidate(c, null, now))], now, ct).ConfigureAwait(false);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }

        await using (var db = databases.CreateDbContext())
        {
            await db.SurveyRules.Where(r => r.Id == rule.Id).ExecuteUpdateAsync(r => r.SetProperty(x => x.LastRunAt, now), ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Invitations due by webhook or e-mail go out, and so do reminders of ones sent <see cref="SurveyOptions.ReminderDays"/>
    /// ago and not answered (once each). A failed delivery waits longer each time and gives up after five attempts.
    /// </summary>
    private async Task DeliverAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var remindBefore = now.AddDays(-options.Value.ReminderDays);
        await using var db = databases.CreateDbContext();
        var due = await db.SurveyInvitations
            .Where(i => i.Status == ScheduledStatus && (i.Channel == "webhook" || i.Channel == "email") && i.SendAt <= now)
            .OrderBy(i => i.SendAt)
            .Take(Batch)
            .ToListAsync(ct).ConfigureAwait(false);
        var reminders = options.Value.ReminderDays <= 0 ? [] : await db.SurveyInvitations
            .Where(i => i.Status == "sent" && i.RuleId != null && i.RespondedAt == null && i.RemindedAt == null && i.SentAt <= remindBefore
                && (i.Channel == "webhook" || i.Channel == "email"))
            .OrderBy(i => i.SentAt)
            .Take(Batch)
            .ToListAsync(ct).ConfigureAwait(false);
        if (due.Count == 0 && reminders.Count == 0)
        {
            return;
        }

        var all = due.Concat(reminders).ToList();
        var optedOut = await OptedOutAsync(db, all, ct).ConfigureAwait(false);
        var batch = await ContextAsync(db, all, ct).ConfigureAwait(false);
        var ruleIds = all.Select(i => i.RuleId).OfType<long>().Distinct().ToList();
        var hooks = await db.SurveyRules.AsNoTracking().Where(r => ruleIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id, r => r.WebhookUrl, ct).ConfigureAwait(false);
        var client = http.CreateClient(nameof(InvitationScheduler));
        var mails = new List<(SurveyInvitationRow Invitation, InvitationMessage Message)>();
        foreach (var invitation in all)
        {
            var reminder = invitation.Status == "sent";
            if (optedOut.Contains((invitation.WorkspaceId, invitation.CustomerId)))
            {
                if (reminder)
                {
                    invitation.RemindedAt = now;
                }
                else
                {
                    invitation.Status = "skipped";
                    invitation.LastError = "the customer opted out before it was sent";
                }

                continue;
            }

            var payload = (await PayloadAsync(batch, invitation, ServerUrl(), ct).ConfigureAwait(false)) with { Reminder = reminder };
            if (invitation.Channel == "email")
            {
                if (payload.Email is null)
                {
                    Settle(invitation, reminder, "the customer has no e-mail address", now, final: true);
                }
                else
                {
                    var title = batch.Definitions[(invitation.SurveyId, invitation.Version)].Title.In(invitation.Language);
                    mails.Add((invitation, new InvitationMessage(invitation.Id, payload.Email, invitation.Language, title, payload.Url, reminder)));
                }

                continue;
            }

            try
            {
                using var response = await client.PostAsJsonAsync(hooks.GetValueOrDefault(invitation.RuleId ?? 0), payload, ct).ConfigureAwait(false);
                response.EnsureSuccessStatusCode();
                Settle(invitation, reminder, null, now, final: false);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException)
            {
                Settle(invitation, reminder, e.Message, now, final: false);
            }
        }

        if (mails.Count > 0)
        {
            Dictionary<long, string?> sent;
            try
            {
                sent = await mail.SendAsync([.. mails.Select(m => m.Message)], ct).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                // The server could not be reached: every message waits for the next attempt.
                sent = mails.ToDictionary(m => m.Invitation.Id, _ => (string?)e.Message);
            }

            foreach (var (invitation, message) in mails)
            {
                Settle(invitation, message.Reminder, sent.GetValueOrDefault(invitation.Id, "not sent"), now, final: false);
            }
        }

        await db.SaveChangesAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Records a delivery: sent, or failed (retried later unless <paramref name="final"/> or out of attempts).</summary>
    private static void Settle(SurveyInvitationRow invitation, bool reminder, string? error, DateTime now, bool final)
    {
        if (reminder)
        {
            // A reminder is tried until it goes, and never twice.
            if (error is null || final)
            {
                invitation.RemindedAt = now;
            }

            return;
        }

        if (error is null)
        {
            invitation.Status = "sent";
            invitation.SentAt = now;
            return;
        }

        invitation.Attempts++;
        invitation.LastError = error.Length > 1000 ? error[..1000] : error;
        if (final || invitation.Attempts >= MaxAttempts)
        {
            invitation.Status = "failed";
        }
        else
        {
            invitation.SendAt = now.AddMinutes(1 << (invitation.Attempts - 1));
        }
    }

    /// <summary>Due invitations delivered by export: the CSV rows to hand over; they count as sent once handed.</summary>
    public async Task<IReadOnlyList<InvitationPayload>> ExportAsync(long workspaceId, long surveyId, string baseUrl, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = databases.CreateDbContext();
        var due = await db.SurveyInvitations
            .Where(i => i.WorkspaceId == workspaceId && i.SurveyId == surveyId && i.Status == ScheduledStatus && i.Channel == "export" && i.SendAt <= now)
            .OrderBy(i => i.Id)
            .Take(50_000)
            .ToListAsync(ct).ConfigureAwait(false);
        var optedOut = await OptedOutAsync(db, due, ct).ConfigureAwait(false);
        var batch = await ContextAsync(db, due, ct).ConfigureAwait(false);
        var rows = new List<InvitationPayload>(due.Count);
        foreach (var invitation in due)
        {
            if (optedOut.Contains((invitation.WorkspaceId, invitation.CustomerId)))
            {
                invitation.Status = "skipped";
                continue;
            }

            rows.Add(await PayloadAsync(batch, invitation, baseUrl, ct).ConfigureAwait(false));
            invitation.Status = "sent";
            invitation.SentAt = now;
        }

        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return rows;
    }

    /// <summary>The address in links this server sends by itself: <c>Surveys:PublicUrl</c>, else the first address it listens on.</summary>
    private string ServerUrl() =>
        options.Value.PublicUrl?.TrimEnd('/')
        ?? services.GetService<Microsoft.AspNetCore.Hosting.Server.IServer>()?.Features
            .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses.FirstOrDefault()?.TrimEnd('/')
        ?? "";

    /// <summary>What the payloads of a batch of invitations need, read once for the batch: e-mail addresses and surveys.</summary>
    private sealed record DeliveryContext(Dictionary<long, string> Emails, Dictionary<long, string> SurveyKeys, Dictionary<(long, int), SurveyDefinition> Definitions);

    private static async Task<DeliveryContext> ContextAsync(CxoDb db, IReadOnlyList<SurveyInvitationRow> invitations, CancellationToken ct)
    {
        var workspaces = invitations.Select(i => i.WorkspaceId).Distinct().ToList();
        var customers = invitations.Select(i => i.CustomerId).Distinct().ToList();
        var surveyIds = invitations.Select(i => i.SurveyId).Distinct().ToList();

        // Workspace and customer together, so the (workspace, customer) index finds them.
        var emails = (await db.Identities.AsNoTracking()
            .Where(i => workspaces.Contains(i.WorkspaceId) && customers.Contains(i.CustomerId) && i.Kind == "email")
            .Select(i => new { i.WorkspaceId, i.CustomerId, i.Value })
            .ToListAsync(ct).ConfigureAwait(false))
            .Where(i => invitations.Any(v => v.WorkspaceId == i.WorkspaceId && v.CustomerId == i.CustomerId))
            .GroupBy(i => i.CustomerId)
            .ToDictionary(g => g.Key, g => g.Select(i => i.Value).Order(StringComparer.Ordinal).First());
        var keys = await db.Surveys.AsNoTracking().Where(s => surveyIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Key, ct).ConfigureAwait(false);
        var definitions = (await db.SurveyVersions.AsNoTracking().Where(v => surveyIds.Contains(v.SurveyId)).ToListAsync(ct).ConfigureAwait(false))
            .ToDictionary(v => (v.SurveyId, v.Version), v => Surveys.Definition(v.DefinitionJson));
        return new DeliveryContext(emails, keys, definitions);
    }

    private async Task<InvitationPayload> PayloadAsync(DeliveryContext batch, SurveyInvitationRow invitation, string baseUrl, CancellationToken ct)
    {
        var token = await links.InvitationTokenAsync(invitation, ct).ConfigureAwait(false);
        return new InvitationPayload(
            invitation.Id, batch.SurveyKeys[invitation.SurveyId], invitation.CustomerId, batch.Emails.GetValueOrDefault(invitation.CustomerId),
            invitation.Language, baseUrl + "/s/" + token, invitation.TriggerEventId, invitation.CreatedAt);
    }

    private static async Task<HashSet<(long, long)>> OptedOutAsync(CxoDb db, List<SurveyInvitationRow> invitations, CancellationToken ct)
    {
        var customers = invitations.Select(i => i.CustomerId).Distinct().ToList();
        return (await db.SurveyOptOuts.AsNoTracking()
            .Where(o => customers.Contains(o.CustomerId))
            .Select(o => new { o.WorkspaceId, o.CustomerId })
            .ToListAsync(ct).ConfigureAwait(false)).Select(o => (o.WorkspaceId, o.CustomerId)).ToHashSet();
    }

    public override void Dispose()
    {
        _pass.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Survey invitation scheduling failed; will retry")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

/// <summary>What is handed to the company's tools for one invitation (webhook body, export row).</summary>
public sealed record InvitationPayload(
    long Invitation, string Survey, long CustomerId, string? Email, string Language, string Url, string? TriggerEventId, DateTime CreatedAt, bool Reminder = false);
