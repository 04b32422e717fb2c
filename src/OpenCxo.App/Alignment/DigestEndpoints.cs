using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpenCxo.App.Kpis;
using OpenCxo.App.Security;
using OpenCxo.Core.Alignment;
using OpenCxo.Core.Ingest;

namespace OpenCxo.App.Alignment;

public static class DigestEndpoints
{
    public static IEndpointRouteBuilder MapDigestApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/digests").WithTags("Digests");
        group.MapGet("", async Task<Results<Ok<JsonObject>, ValidationProblem>> (
                string? department, string? limit, HttpContext http, [FromServices] DigestService digests, [FromServices] IAuthorizationService authorization, CancellationToken ct) =>
            {
                if (department is not null && !Digests.Departments.Contains(department))
                {
                    return KpiEndpoints.Invalid([new FieldError("department", "must be marketing, sales or service")]);
                }

                var take = 20;
                if (limit is not null && !(int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out take) && take is >= 1 and <= 200))
                {
                    return KpiEndpoints.Invalid([new FieldError("limit", "must be a whole number from 1 to 200")]);
                }

                var quotes = await CustomerWordsAsync(http, authorization);
                var list = await digests.ListAsync(http.User.WorkspaceId(), department, take, ct);
                return TypedResults.Ok(new JsonObject { ["digests"] = new JsonArray([.. list.Select(d => (JsonNode)Json(d, quotes))]) });
            })
            .RequireAuthorization(Scopes.StatsRead).WithName("ListDigests")
            .WithSummary("The weekly insight digests, newest week first (department=marketing|sales|service, limit 1–200, default 20); the customers' words in them only with customers:read.");
        group.MapGet("/{id:long}", async Task<Results<Ok<JsonObject>, NotFound>> (
                long id, HttpContext http, [FromServices] DigestService digests, [FromServices] IAuthorizationService authorization, CancellationToken ct) =>
                await digests.GetAsync(http.User.WorkspaceId(), id, ct) is { } entry ? TypedResults.Ok(Json(entry, await CustomerWordsAsync(http, authorization))) : TypedResults.NotFound())
            .RequireAuthorization(Scopes.StatsRead).WithName("GetDigest").WithSummary("One digest.");
        group.MapPost("/generate", async Task<Results<Ok<JsonObject>, ValidationProblem, Conflict<ProblemDetails>>> (
                string? week, HttpContext http, [FromServices] DigestService digests, [FromServices] IAuthorizationService authorization,
                [FromServices] TimeProvider time, CancellationToken ct) =>
            {
                var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
                var day = today.AddDays(-7);
                if (week is not null && !SalesQualityEndpoints.TryDay(week, out day))
                {
                    return KpiEndpoints.Invalid([new FieldError("week", "must be a day of the week wanted, yyyy-MM-dd")]);
                }

                if (Digests.WeekOf(day).To >= today)
                {
                    return KpiEndpoints.Invalid([new FieldError("week", "is not over yet: a digest is written once, for a complete week")]);
                }

                if (!await digests.TextsReadAsync(http.User.WorkspaceId(), day, ct))
                {
                    return TypedResults.Conflict(new ProblemDetails
                    {
                        Title = "Texts still being analysed",
                        Detail = "The week's texts are not all analysed yet; a digest is written once, so ask again in a moment.",
                        Status = StatusCodes.Status409Conflict,
                    });
                }

                var quotes = await CustomerWordsAsync(http, authorization);
                var written = await digests.GenerateAsync(http.User.WorkspaceId(), day, ct);
                return TypedResults.Ok(new JsonObject
                {
                    ["created"] = written.Count(w => w.Created),
                    ["digests"] = new JsonArray([.. written.Select(w => (JsonNode)Json(w.Entry, quotes))]),
                });
            })
            .RequireAuthorization(Scopes.KpisWrite).WithName("GenerateDigests")
            .WithSummary("Writes each department's digest of the ISO week holding week (yyyy-MM-dd; default last week) unless written already, and queues its e-mails and webhooks; the KPI job does it every week by itself.");
        group.MapGet("/settings", async (HttpContext http, [FromServices] DigestService digests, CancellationToken ct) =>
                TypedResults.Ok(await digests.SettingsAsync(http.User.WorkspaceId(), ct)))
            .RequireAuthorization(Scopes.KpisWrite).WithName("GetDigestSettings")
            .WithSummary("Who receives each department's digest by e-mail and webhook (kpis:write: webhook addresses may carry secrets).");
        group.MapPut("/settings", async Task<Results<Ok<DigestSettings>, ValidationProblem>> (HttpContext http, [FromServices] DigestService digests, CancellationToken ct) =>
            {
                var (settings, problem) = await KpiEndpoints.ReadJsonAsync<DigestSettings>(http, DigestService.Json, ct);
                if (settings is null)
                {
                    return KpiEndpoints.Invalid([problem!]);
                }

                var errors = await digests.SaveSettingsAsync(http.User.WorkspaceId(), settings, ct);
                return errors.Count > 0 ? KpiEndpoints.Invalid(errors) : TypedResults.Ok(settings);
            })
            .RequireAuthorization(Scopes.KpisWrite).WithName("PutDigestSettings").Accepts<DigestSettings>("application/json")
            .WithSummary("Replaces the recipients: {\"departments\": {\"marketing\": {\"email\": […], \"webhook\": …}, …}}; every problem named by its place.");
        return app;
    }

    // Customers' own words, even redacted, are customer data.
    private static async Task<bool> CustomerWordsAsync(HttpContext http, IAuthorizationService authorization) =>
        (await authorization.AuthorizeAsync(http.User, Scopes.CustomersRead)).Succeeded;

    public static JsonObject Json(DigestEntry entry, bool quotes)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var digest = quotes ? entry.Digest : entry.Digest with { Themes = [.. entry.Digest.Themes.Select(t => t with { Quotes = [] })] };
        var json = JsonSerializer.SerializeToNode(digest, DigestService.Json)!.AsObject();
        json["id"] = entry.Id;
        return json;
    }
}
