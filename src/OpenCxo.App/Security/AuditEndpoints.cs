using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpenCxo.App.Hosting;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Security;

public static class AuditEndpoints
{
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/audit").RequireAuthorization(Scopes.AuditRead).WithTags("Audit");
        group.MapGet("", Search).WithName("SearchAudit")
            .WithSummary("Audit entries, newest first: actor, action (a family such as 'config' too), target, from, to (UTC), before (cursor), limit.");
        group.MapGet("/export", Export).WithName("ExportAudit")
            .WithSummary("Every matching entry (up to 100,000) as CSV (format=csv, the default) or JSON (format=json); the export is itself audited.");

        // The UI's download, for a signed-in admin's cookie.
        app.MapGet("/export/audit.csv", (HttpContext http, [FromServices] CxoDb db, [FromServices] CxoDbFactory databases, [FromServices] TimeProvider time, CancellationToken ct) =>
                Export("csv", http, db, databases, time, ct))
            .RequireAuthorization(UiPolicies.Admin)
            .ExcludeFromDescription();
        return app;
    }

    private static async Task<Results<Ok<AuditEntries>, ValidationProblem>> Search(
        string? actor, string? action, string? target, string? from, string? to, string? before, string? limit, HttpContext http, [FromServices] CxoDb db, CancellationToken ct)
    {
        var (query, problem) = AuditQuery.Parse(actor, action, target, from, to, before, limit);
        return problem is { } p
            ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { [p.Field] = [p.Message] })
            : TypedResults.Ok(await AuditSearch.PageAsync(db, http.User.WorkspaceId(), query!, ct));
    }

    private static async Task<Results<FileContentHttpResult, ValidationProblem>> Export(
        string? format, HttpContext http, [FromServices] CxoDb db, [FromServices] CxoDbFactory databases, [FromServices] TimeProvider time, CancellationToken ct)
    {
        if (format is not (null or "csv" or "json"))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["format"] = ["csv or json"] });
        }

        var q = http.Request.Query;
        var (query, problem) = AuditQuery.Parse(q["actor"], q["action"], q["target"], q["from"], q["to"], q["before"], null);
        if (problem is { } p)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [p.Field] = [p.Message] });
        }

        var workspace = http.User.WorkspaceId();
        byte[] body;
        if (format == "json")
        {
            var entries = new List<AuditEntry>();
            await foreach (var entry in AuditSearch.AllAsync(db, workspace, query!, ct))
            {
                entries.Add(entry);
            }

            body = JsonSerializer.SerializeToUtf8Bytes(entries, Json);
        }
        else
        {
            await using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
            await AuditSearch.WriteCsvAsync(text, AuditSearch.AllAsync(db, workspace, query!, ct), ct);
            body = new UTF8Encoding(false).GetBytes(text.ToString());
        }

        await AuditTrail.RecordAsync(databases, AuditActors.Of(http), workspace, "export", "audit", Describe(query!, format ?? "csv"), time.GetUtcNow().UtcDateTime, ct);
        return TypedResults.File(body, format == "json" ? "application/json" : "text/csv; charset=utf-8", "audit." + (format ?? "csv"));
    }

    /// <summary>What an export asked for, for its own audit entry.</summary>
    public static string Describe(AuditQuery query, string format) =>
        $"{format}; actor={query.Actor ?? "*"} action={query.Action ?? "*"} target={query.Target ?? "*"} from={query.From:u} to={query.To:u}";

    private static readonly JsonSerializerOptions Json = CreateJson();

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions();
        OpenCxoHost.ConfigureJson(options);
        return options;
    }
}
