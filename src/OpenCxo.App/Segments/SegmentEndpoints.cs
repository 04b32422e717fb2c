using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpenCxo.App.Kpis;
using OpenCxo.App.Security;
using OpenCxo.App.Touchpoints;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Segments;

namespace OpenCxo.App.Segments;

/// <summary>The conditions, as the live count while editing takes them; a whole definition's other fields are read and left aside.</summary>
public sealed record SegmentDraft(
    IReadOnlyList<SegmentCondition> Conditions, SegmentMatch Match = SegmentMatch.All, string? Key = null, string? Name = null,
    string? Description = null, string? Owner = null, string? Webhook = null)
{
    public SegmentDefinition AsDefinition() => new("draft", "draft", Conditions, Match);
}

public static class SegmentEndpoints
{
    public static IServiceCollection AddSegments(this IServiceCollection services)
    {
        services.AddSingleton<SegmentService>();
        services.AddOptions<SegmentOptions>().BindConfiguration("Segments")
            .Validate(o => o.RefreshInterval >= TimeSpan.FromMinutes(1), "Segments:RefreshInterval must be at least a minute")
            .ValidateOnStart();
        services.AddHostedService<SegmentJob>();
        return services;
    }

    public static IEndpointRouteBuilder MapSegmentApi(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/v1/segments").RequireAuthorization(Scopes.StatsRead).WithTags("Segments");
        read.MapGet("", async (HttpContext http, [FromServices] SegmentService segments, CancellationToken ct) =>
                TypedResults.Ok(new JsonObject { ["segments"] = new JsonArray([.. (await segments.ListAsync(http.User.WorkspaceId(), ct)).Select(s => (JsonNode)Summary(s.Row, s.Definition))]) }))
            .WithName("ListSegments")
            .WithSummary("Every saved segment with its definition, its size at the last refresh and when that was.");
        read.MapGet("/{key}", async Task<Results<Ok<JsonObject>, NotFound<ProblemDetails>>> (string key, HttpContext http, [FromServices] SegmentService segments, CancellationToken ct) =>
            {
                if (await segments.GetAsync(http.User.WorkspaceId(), key, ct) is not var (row, definition))
                {
                    return KpiEndpoints.NotFound(key);
                }

                var json = Summary(row, definition);
                json["history"] = History(await segments.HistoryAsync(row.Id, 366, ct));
                return TypedResults.Ok(json);
            })
            .WithName("GetSegment")
            .WithSummary("One segment: its definition, size, and its history (size, joined and left at each refresh).");
        read.MapPost("/count", async Task<Results<Ok<JsonObject>, ValidationProblem>> (HttpContext http, [FromServices] SegmentService segments, CancellationToken ct) =>
            {
                var (draft, problem) = await KpiEndpoints.ReadJsonAsync<SegmentDraft>(http, SegmentService.Json, ct);
                if (draft is null)
                {
                    return KpiEndpoints.Invalid([problem!]);
                }

                var definition = draft.AsDefinition();
                if (definition.Validate() is { Count: > 0 } errors)
                {
                    return KpiEndpoints.Invalid(errors);
                }

                var count = await segments.CountAsync(http.User.WorkspaceId(), definition, ct);
                return TypedResults.Ok(new JsonObject { ["members"] = count.Members, ["asOf"] = count.AsOf, ["milliseconds"] = Math.Round(count.Elapsed.TotalMilliseconds) });
            })
            .WithName("CountSegment")
            .WithSummary("How many customers a definition ({conditions, match}) holds now, without saving it: the builder's live count.");

        var write = app.MapGroup("/api/v1/segments").RequireAuthorization(Scopes.ProgrammeWrite).WithTags("Segments");
        write.MapPost("", async Task<Results<Created<JsonObject>, ValidationProblem, Conflict<ProblemDetails>>> (HttpContext http, [FromServices] SegmentService segments, CancellationToken ct) =>
                KpiEndpoints.Created(await SaveAsync(http, segments, null, ct), "/api/v1/segments/"))
            .WithName("CreateSegment")
            .WithSummary("Saves a new segment; 409 if the key is taken. Members are filled in at the next refresh (POST …/refresh for now).");
        write.MapPut("/{key}", async Task<Results<Ok<JsonObject>, ValidationProblem>> (string key, HttpContext http, [FromServices] SegmentService segments, CancellationToken ct) =>
                KpiEndpoints.Replaced(await SaveAsync(http, segments, key, ct)))
            .WithName("ReplaceSegment")
            .WithSummary("Creates or replaces a segment; its membership history stays, and the next refresh moves members in and out.");
        write.MapDelete("/{key}", async Task<Results<NoContent, NotFound<ProblemDetails>>> (string key, HttpContext http, [FromServices] SegmentService segments, CancellationToken ct) =>
                await segments.DeleteAsync(http.User.WorkspaceId(), key, ct) ? TypedResults.NoContent() : KpiEndpoints.NotFound(key))
            .WithName("DeleteSegment")
            .WithSummary("Deletes a segment with its membership history.");
        write.MapPost("/{key}/refresh", async Task<Results<Ok<SegmentRefresh>, NotFound<ProblemDetails>>> (string key, HttpContext http, [FromServices] SegmentService segments, CancellationToken ct) =>
                await segments.GetAsync(http.User.WorkspaceId(), key, ct) is null
                    ? KpiEndpoints.NotFound(key)
                    : TypedResults.Ok(await segments.RefreshAsync(http.User.WorkspaceId(), key, ct)))
            .WithName("RefreshSegment")
            .WithSummary("Refreshes the membership now: who joined and left, the size for the history, and the member changes queued for the webhook.");

        var people = app.MapGroup("/api/v1/segments").RequireAuthorization(Scopes.CustomersRead).WithTags("Segments");
        people.MapGet("/{key}/members", Members)
            .WithName("ListSegmentMembers")
            .WithSummary("The members as of the last refresh, with when each joined and whether a running campaign holds them out (limit ≤ 1000, offset).");
        people.MapGet("/{key}/export", Export)
            .Audited("export", (http, _) => "segment:" + Convert.ToString(http.GetRouteValue("key"), CultureInfo.InvariantCulture))
            .WithName("ExportSegment")
            .WithSummary("The segment's audience now as CSV (customer, email, phone): members less who refused marketing, opted out or are do-not-contact. Audited.");

        // The builder's download, for a signed-in person's cookie.
        app.MapGet("/export/segments/{key}.csv", Export)
            .RequireAuthorization(UiPolicies.CustomerData)
            .Audited("export", (http, _) => "segment:" + Convert.ToString(http.GetRouteValue("key"), CultureInfo.InvariantCulture))
            .ExcludeFromDescription();
        return app;
    }

    public static JsonObject Summary(Data.Storage.SegmentRow row, SegmentDefinition definition)
    {
        var json = JsonSerializer.SerializeToNode(definition, SegmentService.Json)!.AsObject();
        json["members"] = row.Members;
        json["refreshedAt"] = row.RefreshedAt;
        json["updatedAt"] = row.UpdatedAt;
        json["updatedBy"] = row.UpdatedBy;
        return json;
    }

    private static JsonArray History(IReadOnlyList<Data.Storage.SegmentSnapshotRow> rows) =>
        [.. rows.Select(s => (JsonNode)new JsonObject { ["at"] = s.TakenAt, ["members"] = s.Members, ["joined"] = s.Joined, ["left"] = s.Left })];

    private static Task<(Saved Saved, JsonObject? Json)> SaveAsync(HttpContext http, SegmentService segments, string? key, CancellationToken ct) =>
        KpiEndpoints.SaveKeyedAsync<SegmentDefinition>(http, SegmentService.Json, key, x => x.Key, segments.SaveAsync, async (workspace, saved, ct) =>
        {
            var (row, definition) = (await segments.GetAsync(workspace, saved, ct))!.Value;
            return Summary(row, definition);
        }, ct);

    private static async Task<Results<Ok<JsonObject>, NotFound<ProblemDetails>, ValidationProblem>> Members(
        string key, HttpContext http, [FromServices] SegmentService segments, CancellationToken ct, int limit = 100, int offset = 0)
    {
        if (limit is < 1 or > 1000 || offset < 0)
        {
            return KpiEndpoints.Invalid([new FieldError(limit is < 1 or > 1000 ? "limit" : "offset", limit is < 1 or > 1000 ? "must be 1–1000" : "must not be negative")]);
        }

        if (await segments.GetAsync(http.User.WorkspaceId(), key, ct) is not var (row, _))
        {
            return KpiEndpoints.NotFound(key);
        }

        var (total, page) = await segments.StoredMembersAsync(row.Id, limit, offset, ct);
        var heldOut = await segments.HeldOutAsync(http.User.WorkspaceId(), key, ct);
        return TypedResults.Ok(new JsonObject
        {
            ["total"] = total,
            ["refreshedAt"] = row.RefreshedAt,
            ["members"] = new JsonArray([.. page.Select(m => (JsonNode)new JsonObject
            {
                ["customer"] = m.Customer, ["joinedAt"] = m.JoinedAt, ["heldOut"] = heldOut.Contains(m.Customer),
            })]),
        });
    }

    private static async Task<Results<FileStreamHttpResult, NotFound<ProblemDetails>>> Export(string key, HttpContext http, [FromServices] SegmentService segments, CancellationToken ct)
    {
        var workspace = http.User.WorkspaceId();
        if (await segments.GetAsync(workspace, key, ct) is not var (_, definition))
        {
            return KpiEndpoints.NotFound(key);
        }

        var audience = await segments.AudienceAsync(workspace, definition, ct);
        var file = new MemoryStream();
        await SegmentService.WriteCsvAsync(file, audience, ct);
        file.Position = 0;
        return TypedResults.File(file, "text/csv; charset=utf-8", key + ".csv");
    }
}
