using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using OpenCxo.Core.Ingest;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Feedback;

/// <summary>
/// A rule as the API takes it: invite to the survey when a touchpoint of <c>eventType</c> arrives (kind <c>event</c>,
/// the default), or ask an <c>audience</c> every <c>everyDays</c> days (kind <c>recurring</c>).
/// </summary>
public sealed record TriggerRuleRequest(
    string? EventType, string? Department, string? Channel, int? DelayMinutes, string? Delivery, string? WebhookUrl,
    string? Kind = null, int? EveryDays = null, string? Audience = null);

public sealed record TriggerRule(
    long Id, string Survey, string Kind, string? EventType, string? Department, string? Channel, int DelayMinutes, int? EveryDays, string? Audience,
    string Delivery, string? WebhookUrl, DateTime CreatedAt);

/// <summary>Trigger rules of a survey, and opt-outs: what <see cref="InvitationScheduler"/> follows.</summary>
public static partial class TriggerRules
{
    public const int MaxDelayMinutes = 30 * 24 * 60;

    public static async Task<(TriggerRule? Rule, IReadOnlyList<FieldError> Errors, bool NotFound)> CreateAsync(
        CxoDb db, long workspaceId, string surveyKey, TriggerRuleRequest request, bool emailConfigured, DateTime now, CancellationToken ct)
    {
        var survey = await db.Surveys.AsNoTracking().FirstOrDefaultAsync(s => s.WorkspaceId == workspaceId && s.Key == surveyKey, ct).ConfigureAwait(false);
        if (survey is null)
        {
            return (null, [], true);
        }

        var errors = new List<FieldError>();
        var kind = request.Kind ?? "event";
        if (kind == "recurring")
        {
            if (request.EveryDays is not (>= 1 and <= 3650))
            {
                errors.Add(new FieldError("everyDays", "is how often a customer is asked, 1 to 3,650 days (e.g. 90)"));
            }

            if (request.Audience is not ("activeSubscribers" or "activeCustomers"))
            {
                errors.Add(new FieldError("audience", "must be activeSubscribers (latest subscription touchpoint not a cancellation) or activeCustomers (a touchpoint within everyDays)"));
            }

            foreach (var (field, value) in new[] { ("eventType", request.EventType), ("department", request.Department), ("channel", request.Channel) })
            {
                if (value is not null)
                {
                    errors.Add(new FieldError(field, "is for event rules; a recurring rule asks its audience"));
                }
            }
        }
        else if (kind != "event")
        {
            errors.Add(new FieldError("kind", "must be event (the default) or recurring"));
        }
        else
        {
            if (!EventParser.IsEventType(request.EventType))
            {
                errors.Add(new FieldError("eventType", "is a touchpoint type, namespace.verb in lower case (e.g. ticket.resolved)"));
            }

            if (request.EveryDays is not null || request.Audience is not null)
            {
                errors.Add(new FieldError(request.EveryDays is not null ? "everyDays" : "audience", "is for recurring rules"));
            }
        }

        if (request.Department is not null && !Vocabulary.Departments.Contains(request.Department))
        {
            errors.Add(new FieldError("department", $"must be one of {string.Join(", ", Vocabulary.Departments)}"));
        }

        if (request.Channel is not null && !Vocabulary.Channels.Contains(request.Channel))
        {
            errors.Add(new FieldError("channel", $"must be one of {string.Join(", ", Vocabulary.Channels)}"));
        }

        if (request.DelayMinutes is < 0 or > MaxDelayMinutes)
        {
            errors.Add(new FieldError("delayMinutes", $"must be 0 to {MaxDelayMinutes:N0} (30 days)"));
        }

        if (request.Delivery is not ("email" or "webhook" or "export"))
        {
            errors.Add(new FieldError("delivery", "must be email, webhook (POSTed to webhookUrl) or export (collected as CSV)"));
        }
        else if (request.Delivery == "email" && !emailConfigured)
        {
            errors.Add(new FieldError("delivery", "email needs an SMTP server: set Smtp:Host (e.g. Smtp__Host=mail.example.com)"));
        }
        else if (request.Delivery == "webhook"
            && !(Uri.TryCreate(request.WebhookUrl, UriKind.Absolute, out var hook) && hook.Scheme is "http" or "https" && request.WebhookUrl!.Length <= 2000))
        {
            errors.Add(new FieldError("webhookUrl", "must be an absolute http or https address"));
        }
        else if (request.Delivery != "webhook" && request.WebhookUrl is not null)
        {
            errors.Add(new FieldError("webhookUrl", "is only for delivery by webhook"));
        }

        if (errors.Count > 0)
        {
            return (null, errors, false);
        }

        // Only touchpoints that arrive from now on prompt invitations: a new rule does not survey the past.
        var newest = await db.Interactions.MaxAsync(i => (long?)i.Seq, ct).ConfigureAwait(false) ?? 0;
        var row = new SurveyRuleRow
        {
            WorkspaceId = workspaceId,
            SurveyId = survey.Id,
            Kind = kind,
            EventType = request.EventType,
            EveryDays = request.EveryDays,
            Audience = request.Audience,
            Department = request.Department,
            Channel = request.Channel,
            DelayMinutes = request.DelayMinutes ?? 0,
            Delivery = request.Delivery!,
            WebhookUrl = request.WebhookUrl,
            Enabled = true,
            CreatedAt = now,
            Seq = newest,
        };
        db.SurveyRules.Add(row);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return (ToRule(row, survey.Key), [], false);
    }

    public static async Task<IReadOnlyList<TriggerRule>?> ListAsync(CxoDb db, long workspaceId, string surveyKey, CancellationToken ct)
    {
        var survey = await db.Surveys.AsNoTracking().FirstOrDefaultAsync(s => s.WorkspaceId == workspaceId && s.Key == surveyKey, ct).ConfigureAwait(false);
        if (survey is null)
        {
            return null;
        }

        var rows = await db.SurveyRules.AsNoTracking().Where(r => r.SurveyId == survey.Id && r.Enabled).OrderBy(r => r.Id).ToListAsync(ct).ConfigureAwait(false);
        return [.. rows.Select(r => ToRule(r, survey.Key))];
    }

    /// <summary>Stops a rule; invitations it already made stay. False when there is no such rule.</summary>
    public static async Task<bool> DisableAsync(CxoDb db, long workspaceId, string surveyKey, long id, CancellationToken ct)
    {
        var rule = await db.SurveyRules
            .FirstOrDefaultAsync(r => r.Id == id && r.WorkspaceId == workspaceId && r.Enabled && db.Surveys.Any(s => s.Id == r.SurveyId && s.Key == surveyKey), ct)
            .ConfigureAwait(false);
        if (rule is null)
        {
            return false;
        }

        rule.Enabled = false;
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>Records that the customer (the live profile) is not to be surveyed; true when it is a customer of the workspace.</summary>
    public static async Task<bool> OptOutAsync(CxoDb db, long workspaceId, long customerId, string source, DateTime now, CancellationToken ct)
    {
        var live = await Profiles.CustomerProfiles.ResolveIdAsync(db, workspaceId, customerId, ct).ConfigureAwait(false);
        if (live is null)
        {
            return false;
        }

        if (!await db.SurveyOptOuts.AnyAsync(o => o.WorkspaceId == workspaceId && o.CustomerId == live, ct).ConfigureAwait(false))
        {
            db.SurveyOptOuts.Add(new SurveyOptOutRow { WorkspaceId = workspaceId, CustomerId = live.Value, At = now, Source = source });
            try
            {
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
            }
            catch (DbUpdateException)
            {
                // Recorded a moment ago by another request: the outcome is the same.
            }
        }

        return true;
    }

    private static TriggerRule ToRule(SurveyRuleRow row, string survey) =>
        new(row.Id, survey, row.Kind, row.EventType, row.Department, row.Channel, row.DelayMinutes, row.EveryDays, row.Audience, row.Delivery, row.WebhookUrl, row.CreatedAt);
}
