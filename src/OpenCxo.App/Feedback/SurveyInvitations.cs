using Microsoft.EntityFrameworkCore;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Profiles;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Feedback;

/// <summary>Who to invite: a customer number, or one identity (email, phone, or <c>system:value</c>).</summary>
public sealed record InvitationRequest(long? CustomerId, string? Email, string? Phone, string? ExternalId, string? Language, string? TriggerEventId);

/// <summary>An invitation made for the caller to deliver: its personal link.</summary>
public sealed record InvitationLink(long Id, long CustomerId, int Version, string Language, string Token, string Url);

public sealed record PublicLink(string Token, string Url);

/// <summary>Invitations made through the API (the company's own tools deliver the link).</summary>
public static class SurveyInvitations
{
    public static async Task<(InvitationLink? Link, IReadOnlyList<FieldError> Errors, string? Conflict, bool NotFound)> CreateAsync(
        CxoDb db, SurveyLinks links, IdentityNormalizer normalizer, long workspaceId, string key, InvitationRequest request, string baseUrl, DateTime now, CancellationToken ct)
    {
        var survey = await db.Surveys.AsNoTracking().FirstOrDefaultAsync(s => s.WorkspaceId == workspaceId && s.Key == key, ct).ConfigureAwait(false);
        if (survey is null)
        {
            return (null, [], null, true);
        }

        if (survey.Status != "published" || survey.PublishedVersion is not { } version)
        {
            return (null, [], survey.Status == "closed" ? "the survey is closed" : "the survey is a draft; publish it before inviting anyone", false);
        }

        if (request.Language is not (null or "en" or "es"))
        {
            return (null, [new FieldError("language", "must be en or es")], null, false);
        }

        var (customer, errors) = await CustomerAsync(db, normalizer, workspaceId, request, ct).ConfigureAwait(false);
        if (customer is null)
        {
            return (null, errors, null, false);
        }

        if (request.TriggerEventId is { Length: > EventParser.MaxIdLength })
        {
            return (null, [new FieldError("triggerEventId", $"is longer than {EventParser.MaxIdLength} characters")], null, false);
        }

        var language = request.Language ?? await LanguageOfAsync(db, workspaceId, customer.Value, ct).ConfigureAwait(false);
        var invitation = new SurveyInvitationRow
        {
            WorkspaceId = workspaceId,
            SurveyId = survey.Id,
            Version = version,
            CustomerId = customer.Value,
            Channel = "api",
            Language = language,
            TriggerEventId = request.TriggerEventId,
            CreatedAt = now,
            SendAt = now,
            SentAt = now,
            Status = "sent",
        };
        db.SurveyInvitations.Add(invitation);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        var token = await links.InvitationTokenAsync(invitation, ct).ConfigureAwait(false);
        return (new InvitationLink(invitation.Id, customer.Value, version, language, token, $"{baseUrl}/s/{token}"), [], null, false);
    }

    public static async Task<PublicLink?> PublicLinkAsync(CxoDb db, SurveyLinks links, long workspaceId, string key, string baseUrl, CancellationToken ct)
    {
        var survey = await db.Surveys.AsNoTracking().FirstOrDefaultAsync(s => s.WorkspaceId == workspaceId && s.Key == key, ct).ConfigureAwait(false);
        if (survey is null)
        {
            return null;
        }

        var token = await links.PublicTokenAsync(workspaceId, survey.Id, ct).ConfigureAwait(false);
        return new PublicLink(token, $"{baseUrl}/s/{token}");
    }

    /// <summary>The customer's <c>language</c> attribute when it is Spanish or English; English otherwise.</summary>
    public static async Task<string> LanguageOfAsync(CxoDb db, long workspaceId, long customerId, CancellationToken ct)
    {
        var stored = await db.CustomerTraits.AsNoTracking()
            .Where(t => t.WorkspaceId == workspaceId && t.CustomerId == customerId && t.Name == "language")
            .Select(t => t.ValueJson)
            .FirstOrDefaultAsync(ct).ConfigureAwait(false);
        return stored is not null && Profiles.CustomerSearch.TextOf(stored).StartsWith("es", StringComparison.OrdinalIgnoreCase) ? "es" : "en";
    }

    private static async Task<(long? Customer, IReadOnlyList<FieldError> Errors)> CustomerAsync(
        CxoDb db, IdentityNormalizer normalizer, long workspaceId, InvitationRequest request, CancellationToken ct)
    {
        if (request.CustomerId is { } id)
        {
            if (request.Email is not null || request.Phone is not null || request.ExternalId is not null)
            {
                return (null, [new FieldError("customer", "give exactly one of customerId, email, phone or externalId")]);
            }

            var live = await Profiles.CustomerProfiles.ResolveIdAsync(db, workspaceId, id, ct).ConfigureAwait(false);
            return live is null ? (null, [new FieldError("customerId", $"no customer {id} in this workspace")]) : (live, []);
        }

        var (key, problem) = Profiles.CustomerProfiles.ParseLookup(normalizer, request.Email, request.Phone, request.ExternalId, "customer");
        if (key is null)
        {
            return (null, [problem! with { Message = problem.Field == "customer" ? "give exactly one of customerId, email, phone or externalId" : problem.Message }]);
        }

        var field = request.Email is not null ? "email" : request.Phone is not null ? "phone" : "externalId";
        var found = await Profiles.CustomerProfiles.FindByIdentityAsync(db, workspaceId, key.Value, ct).ConfigureAwait(false);
        return found is null ? (null, [new FieldError(field, "no customer has it in this workspace")]) : (found, []);
    }
}
