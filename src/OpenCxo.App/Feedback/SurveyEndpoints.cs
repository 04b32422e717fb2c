using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpenCxo.App.Security;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Profiles;
using Microsoft.EntityFrameworkCore;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Feedback;

public static class SurveyEndpoints
{
    public static IEndpointRouteBuilder MapSurveysApi(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/v1/surveys").RequireAuthorization(Scopes.SurveysRead).WithTags("Surveys");
        read.MapGet("/", List).WithName("ListSurveys").WithSummary("The workspace's surveys, by key.");
        read.MapGet("/{key}", Get).WithName("GetSurvey").WithSummary("A survey with the questions of its latest version, or of ?version=N.");
        read.MapGet("/{key}/rules", ListRules).WithName("ListSurveyRules").WithSummary("The survey's trigger rules.");
        read.MapGet("/{key}/link", PublicLink).WithName("GetSurveyPublicLink").WithSummary("The survey's anonymous link: anyone may answer, once per visit.");

        var write = app.MapGroup("/api/v1/surveys").RequireAuthorization(Scopes.SurveysWrite).WithTags("Surveys");
        write.MapPost("/", Create).WithName("CreateSurvey").WithSummary("Create a draft survey: {key, title, intro?, thanks?, questions}.");
        write.MapPut("/{key}", Edit).WithName("EditSurvey")
            .WithSummary("Replace the draft's questions; after a published version this starts the next version as a draft.");
        write.MapPost("/{key}/publish", Publish).WithName("PublishSurvey").WithSummary("Publish the draft version; it asks from now on.");
        write.MapPost("/{key}/close", Close).WithName("CloseSurvey").WithSummary("Stop asking; answers stay.");
        write.MapPost("/{key}/reopen", Reopen).WithName("ReopenSurvey").WithSummary("Ask again with the published version.");
        write.MapPost("/{key}/invitations", Invite).WithName("InviteToSurvey")
            .WithSummary("Invite one customer (customerId, email, phone or externalId) and get the personal link to deliver yourself.");
        write.MapPost("/{key}/rules", CreateRule).WithName("CreateSurveyRule")
            .WithSummary("Invite customers when a touchpoint of eventType arrives (optionally in a department or channel), after delayMinutes; "
                + "deliver by email, webhook or export. Fatigue, opt-outs and consent apply; a reminder goes once.");
        write.MapDelete("/{key}/rules/{id:long}", DeleteRule).WithName("DeleteSurveyRule").WithSummary("Stop a rule; its invitations stay.");
        write.MapPost("/{key}/invitations/export", Export)
            .Audited("export", (http, _) => "survey-invitations:" + Convert.ToString(http.GetRouteValue("key"), System.Globalization.CultureInfo.InvariantCulture))
            .WithName("ExportSurveyInvitations")
            .WithSummary("The due invitations of rules that deliver by export, as CSV; handing them over marks them sent.");
        app.MapPost("/api/v1/customers/{id:long}/survey-opt-out", OptOut).RequireAuthorization(Scopes.SurveysWrite).WithTags("Surveys")
            .WithName("OptOutOfSurveys").WithSummary("The customer is not to be surveyed again (no invitation is made or sent).");
        write.MapDelete("/{key}", Delete).WithName("DeleteSurvey").WithSummary("Delete a survey that was never published.");
        return app;
    }

    private static async Task<Ok<IReadOnlyList<SurveySummary>>> List(HttpContext http, [FromServices] CxoDb db, CancellationToken ct) =>
        TypedResults.Ok(await Surveys.ListAsync(db, http.User.WorkspaceId(), ct));

    private static async Task<Results<Ok<SurveyDetail>, NotFound>> Get(string key, int? version, HttpContext http, [FromServices] CxoDb db, CancellationToken ct) =>
        await Surveys.GetAsync(db, http.User.WorkspaceId(), key, version, ct) is { } survey ? TypedResults.Ok(survey) : TypedResults.NotFound();

    private static async Task<Results<Created<SurveyDetail>, ValidationProblem, Conflict<ProblemDetails>, NotFound>> Create(
        JsonElement body, HttpContext http, [FromServices] CxoDb db, [FromServices] TimeProvider time, CancellationToken ct)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("key", out var keyJson) || keyJson.ValueKind != JsonValueKind.String)
        {
            return Invalid([new FieldError("key", "is required: 2–60 characters of a-z, 0-9 and -")]);
        }

        // The key sits beside the definition's fields in the body; the definition is the rest.
        var definition = JsonSerializer.SerializeToElement(body.EnumerateObject().Where(p => p.Name != "key").ToDictionary(p => p.Name, p => p.Value));
        var change = await Surveys.CreateAsync(db, http.User.WorkspaceId(), keyJson.GetString()!, definition, time.GetUtcNow().UtcDateTime, ct);
        return Respond(change, c => TypedResults.Created($"/api/v1/surveys/{c.Survey!.Key}", c.Survey));
    }

    private static async Task<Results<Ok<SurveyDetail>, ValidationProblem, Conflict<ProblemDetails>, NotFound>> Edit(
        string key, JsonElement body, HttpContext http, [FromServices] CxoDb db, [FromServices] TimeProvider time, CancellationToken ct)
    {
        if (body.ValueKind == JsonValueKind.Object && body.TryGetProperty("key", out var keyJson))
        {
            if (keyJson.ValueKind != JsonValueKind.String || keyJson.GetString() != key)
            {
                return Invalid([new FieldError("key", "a survey's key cannot change; leave it out or repeat the one in the URL")]);
            }

            body = JsonSerializer.SerializeToElement(body.EnumerateObject().Where(p => p.Name != "key").ToDictionary(p => p.Name, p => p.Value));
        }

        return Result(await Surveys.EditAsync(db, http.User.WorkspaceId(), key, body, time.GetUtcNow().UtcDateTime, ct));
    }

    private static async Task<Results<Ok<SurveyDetail>, ValidationProblem, Conflict<ProblemDetails>, NotFound>> Publish(
        string key, HttpContext http, [FromServices] CxoDb db, [FromServices] TimeProvider time, CancellationToken ct) =>
        Result(await Surveys.PublishAsync(db, http.User.WorkspaceId(), key, time.GetUtcNow().UtcDateTime, ct));

    private static async Task<Results<Ok<SurveyDetail>, ValidationProblem, Conflict<ProblemDetails>, NotFound>> Close(
        string key, HttpContext http, [FromServices] CxoDb db, [FromServices] TimeProvider time, CancellationToken ct) =>
        Result(await Surveys.CloseAsync(db, http.User.WorkspaceId(), key, time.GetUtcNow().UtcDateTime, ct));

    private static async Task<Results<Ok<SurveyDetail>, ValidationProblem, Conflict<ProblemDetails>, NotFound>> Reopen(
        string key, HttpContext http, [FromServices] CxoDb db, [FromServices] TimeProvider time, CancellationToken ct) =>
        Result(await Surveys.ReopenAsync(db, http.User.WorkspaceId(), key, time.GetUtcNow().UtcDateTime, ct));

    private static async Task<Results<NoContent, ValidationProblem, Conflict<ProblemDetails>, NotFound>> Delete(
        string key, HttpContext http, [FromServices] CxoDb db, CancellationToken ct)
    {
        return Respond(await Surveys.DeleteAsync(db, http.User.WorkspaceId(), key, ct), _ => TypedResults.NoContent());
    }

    private static async Task<Results<Ok<PublicLink>, NotFound>> PublicLink(string key, HttpContext http, [FromServices] CxoDb db, [FromServices] SurveyLinks links, CancellationToken ct) =>
        await SurveyInvitations.PublicLinkAsync(db, links, http.User.WorkspaceId(), key, BaseUrl(http), ct) is { } link ? TypedResults.Ok(link) : TypedResults.NotFound();

    private static async Task<Results<Created<InvitationLink>, ValidationProblem, Conflict<ProblemDetails>, NotFound>> Invite(
        string key, InvitationRequest request, HttpContext http, [FromServices] CxoDb db, [FromServices] SurveyLinks links,
        [FromServices] IdentityNormalizer normalizer, [FromServices] TimeProvider time, CancellationToken ct)
    {
        var (link, errors, conflict, notFound) = await SurveyInvitations.CreateAsync(
            db, links, normalizer, http.User.WorkspaceId(), key, request, BaseUrl(http), time.GetUtcNow().UtcDateTime, ct);
        return Respond(new SurveyChange(null, errors, conflict, notFound), _ => TypedResults.Created(link!.Url, link));
    }

    private static async Task<Results<Ok<IReadOnlyList<TriggerRule>>, NotFound>> ListRules(string key, HttpContext http, [FromServices] CxoDb db, CancellationToken ct) =>
        await TriggerRules.ListAsync(db, http.User.WorkspaceId(), key, ct) is { } rules ? TypedResults.Ok(rules) : TypedResults.NotFound();

    private static async Task<Results<Created<TriggerRule>, ValidationProblem, Conflict<ProblemDetails>, NotFound>> CreateRule(
        string key, TriggerRuleRequest request, HttpContext http, [FromServices] CxoDb db, [FromServices] InvitationMail mail, [FromServices] TimeProvider time, CancellationToken ct)
    {
        var (rule, errors, notFound) = await TriggerRules.CreateAsync(db, http.User.WorkspaceId(), key, request, mail.Configured, time.GetUtcNow().UtcDateTime, ct);
        return Respond(new SurveyChange(null, errors, null, notFound), _ => TypedResults.Created($"/api/v1/surveys/{key}/rules/{rule!.Id}", rule));
    }

    private static async Task<Results<NoContent, NotFound>> DeleteRule(string key, long id, HttpContext http, [FromServices] CxoDb db, CancellationToken ct) =>
        await TriggerRules.DisableAsync(db, http.User.WorkspaceId(), key, id, ct) ? TypedResults.NoContent() : TypedResults.NotFound();

    private static async Task<IResult> Export(string key, HttpContext http, [FromServices] CxoDb db, [FromServices] InvitationScheduler scheduler, CancellationToken ct)
    {
        var survey = await db.Surveys.AsNoTracking().FirstOrDefaultAsync(s => s.WorkspaceId == http.User.WorkspaceId() && s.Key == key, ct);
        if (survey is null)
        {
            return TypedResults.NotFound();
        }

        var rows = await scheduler.ExportAsync(survey.WorkspaceId, survey.Id, BaseUrl(http), ct);
        var csv = new System.Text.StringBuilder("invitation,survey,customerId,email,language,url,triggerEventId,createdAt\r\n");
        foreach (var row in rows)
        {
            csv.Append(string.Join(',', new[]
            {
                row.Invitation.ToString(System.Globalization.CultureInfo.InvariantCulture), row.Survey, row.CustomerId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Touchpoints.TouchpointExplorer.CsvCell(row.Email ?? ""), row.Language, row.Url, Touchpoints.TouchpointExplorer.CsvCell(row.TriggerEventId ?? ""),
                row.CreatedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            })).Append("\r\n");
        }

        return TypedResults.Text(csv.ToString(), "text/csv; charset=utf-8");
    }

    private static async Task<Results<NoContent, NotFound>> OptOut(long id, HttpContext http, [FromServices] CxoDb db, [FromServices] TimeProvider time, CancellationToken ct) =>
        await TriggerRules.OptOutAsync(db, http.User.WorkspaceId(), id, "api", time.GetUtcNow().UtcDateTime, ct) ? TypedResults.NoContent() : TypedResults.NotFound();

    /// <summary>Links point at the server the caller reached, unless <c>Surveys:PublicUrl</c> names the address customers use.</summary>
    internal static string BaseUrl(HttpContext http) =>
        http.RequestServices.GetRequiredService<IConfiguration>()["Surveys:PublicUrl"]?.TrimEnd('/') is { Length: > 0 } configured
            ? configured
            : $"{http.Request.Scheme}://{http.Request.Host}";

    private static Results<Ok<SurveyDetail>, ValidationProblem, Conflict<ProblemDetails>, NotFound> Result(SurveyChange change) =>
        Respond(change, c => TypedResults.Ok(c.Survey!));

    /// <summary>404, 400 with the fields at fault, or 409 with the reason when the change did not happen; else <paramref name="success"/>.</summary>
    private static Results<T, ValidationProblem, Conflict<ProblemDetails>, NotFound> Respond<T>(SurveyChange change, Func<SurveyChange, T> success)
        where T : IResult
    {
        if (change.NotFound)
        {
            return TypedResults.NotFound();
        }

        if (change.Errors.Count > 0)
        {
            return Invalid(change.Errors);
        }

        return change.Conflict is { } reason
            ? TypedResults.Conflict(new ProblemDetails { Status = StatusCodes.Status409Conflict, Title = "Not allowed in the survey's state", Detail = reason })
            : success(change);
    }

    private static ValidationProblem Invalid(IEnumerable<FieldError> errors) =>
        TypedResults.ValidationProblem(errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()));
}
