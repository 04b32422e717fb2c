using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpenCxo.App.Security;
using OpenCxo.Core.Ingest;

namespace OpenCxo.App.Kpis;

public static class AlertEndpoints
{
    public static IEndpointRouteBuilder MapAlertApi(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/v1").RequireAuthorization(Scopes.StatsRead).WithTags("Alerts");
        read.MapGet("/alerts", async (HttpContext http, [FromServices] AlertService alerts, CancellationToken ct, string? state = null, int limit = 100) =>
                TypedResults.Ok(new JsonObject { ["alerts"] = new JsonArray([.. (await alerts.AlertsAsync(http.User.WorkspaceId(), state == "open", limit, ct)).Select(a => (JsonNode)Json(a))]) }))
            .WithName("ListAlerts")
            .WithSummary("Alerts raised, newest first (state=open: not yet acknowledged; limit 1–1000, default 100).");

        var write = app.MapGroup("/api/v1").RequireAuthorization(Scopes.KpisWrite).WithTags("Alerts");
        write.MapGet("/alert-rules", async (HttpContext http, [FromServices] AlertService alerts, CancellationToken ct) =>
                TypedResults.Ok(new JsonObject { ["rules"] = new JsonArray([.. (await alerts.RulesAsync(http.User.WorkspaceId(), ct)).Select(r => (JsonNode?)JsonSerializer.SerializeToNode(r.Definition, AlertRuleDefinition.Json))]) }))
            .WithName("ListAlertRules")
            .WithSummary("The workspace's alert rules, with where they deliver (so kpis:write, as their webhook URLs may carry secrets).");
        write.MapPost("/alert-rules", async Task<Results<Created<JsonNode>, ValidationProblem, Conflict<ProblemDetails>>> (HttpContext http, [FromServices] AlertService alerts, CancellationToken ct) =>
            {
                var (rule, problem) = await KpiEndpoints.ReadJsonAsync<AlertRuleDefinition>(http, AlertRuleDefinition.Json, ct);
                var saved = rule is null ? new Saved([problem!]) : await alerts.SaveRuleAsync(http.User.WorkspaceId(), rule, KpiEndpoints.Who(http.User), replace: false, ct);
                return saved.Conflict ? KpiEndpoints.Clash(saved)
                    : !saved.Ok ? KpiEndpoints.Invalid(saved.Errors)
                    : TypedResults.Created("/api/v1/alert-rules/" + rule!.Key, JsonSerializer.SerializeToNode(rule, AlertRuleDefinition.Json)!);
            })
            .WithName("CreateAlertRule")
            .WithSummary("Creates an alert rule (docs/kpis.md): on a KPI's status, or a threshold, significant change or same-weekday anomaly of a KPI or metric. 201; 400 by field; 409 for a key in use.");
        write.MapPut("/alert-rules/{key}", async Task<Results<Ok<JsonNode>, Created<JsonNode>, ValidationProblem, Conflict<ProblemDetails>>> (string key, HttpContext http, [FromServices] AlertService alerts, CancellationToken ct) =>
            {
                var (rule, problem) = await KpiEndpoints.ReadJsonAsync<AlertRuleDefinition>(http, AlertRuleDefinition.Json, ct);
                var saved = rule is null ? new Saved([problem!])
                    : rule.Key != key ? new Saved([new FieldError("key", $"is '{rule.Key}' in the body but '{key}' in the URL")])
                    : await alerts.SaveRuleAsync(http.User.WorkspaceId(), rule, KpiEndpoints.Who(http.User), replace: true, ct);
                if (saved.Conflict)
                {
                    return KpiEndpoints.Clash(saved);
                }

                if (!saved.Ok)
                {
                    return KpiEndpoints.Invalid(saved.Errors);
                }

                var body = JsonSerializer.SerializeToNode(rule, AlertRuleDefinition.Json)!;
                return saved.Created ? TypedResults.Created("/api/v1/alert-rules/" + key, body) : TypedResults.Ok(body);
            })
            .WithName("ReplaceAlertRule")
            .WithSummary("Creates (201) or replaces (200) an alert rule.");
        write.MapDelete("/alert-rules/{key}", async Task<Results<NoContent, NotFound<ProblemDetails>>> (string key, HttpContext http, [FromServices] AlertService alerts, CancellationToken ct) =>
                await alerts.DeleteRuleAsync(http.User.WorkspaceId(), key, ct) ? TypedResults.NoContent() : TypedResults.NotFound(new ProblemDetails
                {
                    Title = "No such alert rule",
                    Detail = $"'{(key.Length > 40 ? key[..40] + "…" : key)}' is not an alert rule of this workspace",
                    Status = StatusCodes.Status404NotFound,
                }))
            .WithName("DeleteAlertRule")
            .WithSummary("Deletes an alert rule with its alerts.");
        write.MapPost("/alerts/{id:long}/acknowledge", async Task<Results<NoContent, NotFound>> (long id, HttpContext http, [FromServices] AlertService alerts, CancellationToken ct) =>
                await alerts.AcknowledgeAsync(http.User.WorkspaceId(), id, KpiEndpoints.Who(http.User), ct) ? TypedResults.NoContent() : TypedResults.NotFound())
            .WithName("AcknowledgeAlert")
            .WithSummary("Marks an alert as seen; the first acknowledgement stays.");
        write.MapPost("/alerts/evaluate", async (HttpContext http, [FromServices] KpiJob job, CancellationToken ct) =>
            {
                var (snapshots, raised, delivered) = await job.RunAsync(http.User.WorkspaceId(), ct);
                return TypedResults.Ok(new JsonObject { ["snapshots"] = snapshots, ["raised"] = raised, ["delivered"] = delivered });
            })
            .WithName("EvaluateAlerts")
            .WithSummary("Runs the KPI job now for this workspace (also where Kpis:Evaluate is off): takes missing snapshots, evaluates its alert rules and delivers its due alerts.");
        return app;
    }

    public static JsonObject Json(AlertView a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new JsonObject
        {
            ["id"] = a.Id,
            ["rule"] = a.Rule,
            ["ruleName"] = a.RuleName,
            ["subject"] = a.Subject,
            ["firedAt"] = a.FiredAt.ToString("O", CultureInfo.InvariantCulture),
            ["summary"] = a.Summary,
            ["detail"] = a.Detail.DeepClone(),
            ["acknowledgedAt"] = a.AcknowledgedAt?.ToString("O", CultureInfo.InvariantCulture),
            ["acknowledgedBy"] = a.AcknowledgedBy,
        };
    }
}
