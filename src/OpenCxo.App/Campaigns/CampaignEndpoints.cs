using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpenCxo.App.Kpis;
using OpenCxo.App.Security;
using OpenCxo.App.Segments;
using OpenCxo.Core.Campaigns;
using OpenCxo.Core.Ingest;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Campaigns;

public static class CampaignEndpoints
{
    public static IServiceCollection AddCampaigns(this IServiceCollection services)
    {
        services.AddSingleton<CampaignService>();
        return services;
    }

    public static IEndpointRouteBuilder MapCampaignApi(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/v1/campaigns").RequireAuthorization(Scopes.StatsRead).WithTags("Campaigns");
        read.MapGet("", async (HttpContext http, [FromServices] CampaignService campaigns, CancellationToken ct) =>
                TypedResults.Ok(new JsonObject
                {
                    ["campaigns"] = new JsonArray([.. (await campaigns.ListAsync(http.User.WorkspaceId(), ct)).Select(c => (JsonNode)Summary(c.Row, c.Definition, c.Groups))]),
                }))
            .WithName("ListCampaigns")
            .WithSummary("Every campaign with its status and the size of its treated and control groups.");
        read.MapGet("/{key}", async Task<Results<Ok<JsonObject>, NotFound<ProblemDetails>>> (string key, HttpContext http, [FromServices] CampaignService campaigns, CancellationToken ct) =>
                await campaigns.GetAsync(http.User.WorkspaceId(), key, ct) is var (row, definition)
                    ? TypedResults.Ok(Summary(row, definition, await campaigns.GroupSizesAsync(row.Id, ct)))
                    : KpiEndpoints.NotFound(key))
            .WithName("GetCampaign")
            .WithSummary("One campaign: its definition, status, launch and end, and group sizes.");
        read.MapGet("/{key}/plan", async Task<Results<Ok<JsonObject>, NotFound<ProblemDetails>>> (string key, HttpContext http, [FromServices] CampaignService campaigns, CancellationToken ct) =>
            {
                if (await campaigns.GetAsync(http.User.WorkspaceId(), key, ct) is not var (row, definition)
                    || await campaigns.PlanAsync(http.User.WorkspaceId(), definition, row, ct) is not { } plan)
                {
                    return KpiEndpoints.NotFound(key);
                }

                return TypedResults.Ok(Plan(plan));
            })
            .WithName("PlanCampaign")
            .WithSummary("The power calculation: the audience, baselines from its last weeks, and the smallest uplift on each outcome the control share detects (80 % power, 5 % two-sided), with other shares to compare.");
        read.MapPost("/plan", async Task<Results<Ok<JsonObject>, ValidationProblem>> (HttpContext http, [FromServices] CampaignService campaigns, CancellationToken ct) =>
            {
                var (definition, problem) = await KpiEndpoints.ReadJsonAsync<CampaignDefinition>(http, CampaignService.Json, ct);
                if (definition is null)
                {
                    return KpiEndpoints.Invalid([problem!]);
                }

                if (definition.Validate() is { Count: > 0 } errors)
                {
                    return KpiEndpoints.Invalid(errors);
                }

                return await campaigns.PlanAsync(http.User.WorkspaceId(), definition, null, ct) is { } plan
                    ? TypedResults.Ok(Plan(plan))
                    : KpiEndpoints.Invalid([new FieldError("segment", $"no segment '{definition.Segment}' in this workspace")]);
            })
            .WithName("PlanDraftCampaign")
            .WithSummary("The power calculation for a campaign definition that is not saved: to choose the control share before saving.");
        read.MapGet("/{key}/results", async Task<Results<Ok<JsonObject>, NotFound<ProblemDetails>, Conflict<ProblemDetails>>> (string key, HttpContext http, [FromServices] CampaignService campaigns, CancellationToken ct) =>
            {
                if (await campaigns.GetAsync(http.User.WorkspaceId(), key, ct) is not var (row, _))
                {
                    return KpiEndpoints.NotFound(key);
                }

                return await campaigns.ResultsAsync(http.User.WorkspaceId(), row, ct) is { } results
                    ? TypedResults.Ok(Results(results))
                    : TypedResults.Conflict(new ProblemDetails { Title = "Not launched", Detail = $"Campaign '{key}' is a draft: it has results once launched.", Status = 409 });
            })
            .WithName("CampaignResults")
            .WithSummary("The uplift, treated minus control, on retention, repeat purchase, value per member and NPS, week by week from launch, with 95 % intervals, p-values (Holm-adjusted over the outcomes) and warnings.");

        var write = app.MapGroup("/api/v1/campaigns").RequireAuthorization(Scopes.ProgrammeWrite).WithTags("Campaigns");
        write.MapPost("", async Task<Results<Created<JsonObject>, ValidationProblem, Conflict<ProblemDetails>>> (HttpContext http, [FromServices] CampaignService campaigns, CancellationToken ct) =>
                KpiEndpoints.Created(await SaveAsync(http, campaigns, null, ct), "/api/v1/campaigns/"))
            .WithName("CreateCampaign")
            .WithSummary("Saves a new campaign as a draft; 409 if the key is taken.");
        write.MapPut("/{key}", async Task<Results<Ok<JsonObject>, ValidationProblem>> (string key, HttpContext http, [FromServices] CampaignService campaigns, CancellationToken ct) =>
                KpiEndpoints.Replaced(await SaveAsync(http, campaigns, key, ct)))
            .WithName("ReplaceCampaign")
            .WithSummary("Creates or replaces a campaign; once launched, its segment, control share and weeks are fixed.");
        write.MapDelete("/{key}", async Task<Results<NoContent, NotFound<ProblemDetails>, Conflict<ProblemDetails>>> (string key, HttpContext http, [FromServices] CampaignService campaigns, CancellationToken ct) =>
                await campaigns.DeleteAsync(http.User.WorkspaceId(), key, ct) switch
                {
                    (false, _) => KpiEndpoints.NotFound(key),
                    (_, true) => TypedResults.Conflict(new ProblemDetails { Title = "Running", Detail = $"Campaign '{key}' is running: end it first.", Status = 409 }),
                    _ => TypedResults.NoContent(),
                })
            .WithName("DeleteCampaign")
            .WithSummary("Deletes a draft or an ended campaign with its groups; 409 while it runs.");
        write.MapPost("/{key}/launch", async Task<Results<Ok<JsonObject>, NotFound<ProblemDetails>, ValidationProblem, Conflict<ProblemDetails>>> (string key, HttpContext http, [FromServices] CampaignService campaigns, CancellationToken ct) =>
            {
                if (await campaigns.GetAsync(http.User.WorkspaceId(), key, ct) is null)
                {
                    return KpiEndpoints.NotFound(key);
                }

                var launched = await campaigns.LaunchAsync(http.User.WorkspaceId(), key, ct);
                return launched switch
                {
                    { Conflict: true } => TypedResults.Conflict(new ProblemDetails { Title = "Not a draft", Detail = launched.Errors[0].Message, Status = 409 }),
                    { Ok: false } => KpiEndpoints.Invalid(launched.Errors),
                    _ => TypedResults.Ok(new JsonObject { ["key"] = key, ["status"] = CampaignService.Running, ["treated"] = launched.Treated, ["control"] = launched.Control }),
                };
            })
            .WithName("LaunchCampaign")
            .WithSummary("Launches a draft: the segment's audience now is split at random into treated and control. From then on the control group is left out of the segment's exports and webhook.");
        write.MapPost("/{key}/end", async Task<Results<NoContent, NotFound<ProblemDetails>, Conflict<ProblemDetails>>> (string key, HttpContext http, [FromServices] CampaignService campaigns, CancellationToken ct) =>
            {
                if (await campaigns.GetAsync(http.User.WorkspaceId(), key, ct) is null)
                {
                    return KpiEndpoints.NotFound(key);
                }

                return await campaigns.EndAsync(http.User.WorkspaceId(), key, ct)
                    ? TypedResults.NoContent()
                    : TypedResults.Conflict(new ProblemDetails { Title = "Not running", Detail = $"Campaign '{key}' is not running.", Status = 409 });
            })
            .WithName("EndCampaign")
            .WithSummary("Ends a running campaign: the control group may be contacted again; results stay.");

        app.MapGroup("/api/v1/campaigns").RequireAuthorization(Scopes.CustomersRead).WithTags("Campaigns").MapGet("/{key}/export", Export)
            .Audited("export", (http, _) => "campaign:" + Convert.ToString(http.GetRouteValue("key"), CultureInfo.InvariantCulture))
            .WithName("ExportCampaign")
            .WithSummary("The treated group as CSV (customer, email, phone), less who has since refused marketing, opted out or become do-not-contact. Never the control group. Audited.");
        app.MapGet("/export/campaigns/{key}.csv", Export)
            .RequireAuthorization(UiPolicies.CustomerData)
            .Audited("export", (http, _) => "campaign:" + Convert.ToString(http.GetRouteValue("key"), CultureInfo.InvariantCulture))
            .ExcludeFromDescription();
        return app;
    }

    public static JsonObject Summary(CampaignRow row, CampaignDefinition definition, (long Treated, long Control) groups)
    {
        var json = JsonSerializer.SerializeToNode(definition, CampaignService.Json)!.AsObject();
        json["status"] = row.Status;
        json["launchedAt"] = row.LaunchedAt;
        json["endedAt"] = row.EndedAt;
        json["treated"] = groups.Treated;
        json["control"] = groups.Control;
        json["updatedAt"] = row.UpdatedAt;
        json["updatedBy"] = row.UpdatedBy;
        return json;
    }

    public static JsonObject Plan(CampaignPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        static JsonObject Option(CampaignOption o) => new()
        {
            ["controlShare"] = o.ControlShare,
            ["treated"] = o.Treated,
            ["control"] = o.Control,
            ["detectable"] = new JsonArray([.. o.Detectable.Select(d => (JsonNode)new JsonObject
            {
                ["outcome"] = d.Outcome, ["unit"] = d.Unit, ["baseline"] = Finite(d.Baseline), ["smallest"] = Finite(d.Smallest), ["why"] = d.Why, ["entered"] = d.Entered,
            })]),
        };

        return new JsonObject
        {
            ["audience"] = plan.Audience,
            ["weeks"] = plan.Weeks,
            ["baselineFrom"] = plan.BaselineFrom,
            ["currency"] = plan.Currency,
            ["alpha"] = CampaignDesign.DefaultAlpha,
            ["power"] = CampaignDesign.DefaultPower,
            ["chosen"] = Option(plan.Chosen),
            ["alternatives"] = new JsonArray([.. plan.Alternatives.Select(o => (JsonNode)Option(o))]),
        };
    }

    public static JsonObject Results(CampaignResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        return new JsonObject
        {
            ["launchedAt"] = results.LaunchedAt,
            ["weeks"] = results.Weeks,
            ["currency"] = results.Currency,
            ["treatedReached"] = results.TreatedReached,
            ["reachShare"] = Finite(results.ReachShare),
            ["controlReached"] = results.ControlReached,
            ["byWeek"] = new JsonArray([.. results.ByWeek.Select(w => (JsonNode)new JsonObject
            {
                ["week"] = w.Week,
                ["through"] = w.Through,
                ["complete"] = w.Complete,
                ["treated"] = w.Treated,
                ["control"] = w.Control,
                ["effects"] = new JsonArray([.. w.Effects.Select(e => (JsonNode)Effect(e, results.ReachShare))]),
            })]),
            ["lifetimeValue"] = results.LifetimeValue is { } clv ? Effect(clv) : null,
            ["warnings"] = new JsonArray([.. results.Warnings.Select(w => (JsonNode)new JsonObject { ["code"] = w.Code, ["message"] = w.Message })]),
        };
    }

    private static JsonObject Effect(CampaignEffect e, double? reachShare = null)
    {
        var json = Effect(e);
        if (reachShare is { } share)
        {
            var (uplift, low, high) = CampaignResults.PerReached(e, share);
            json["perReached"] = new JsonObject { ["uplift"] = Finite(uplift), ["low"] = Finite(low), ["high"] = Finite(high) };
        }

        return json;
    }

    private static JsonObject Effect(CampaignEffect e) => new()
    {
        ["outcome"] = e.Outcome,
        ["unit"] = e.Unit,
        ["treated"] = Finite(e.Treated),
        ["control"] = Finite(e.Control),
        ["uplift"] = Finite(e.Uplift.Difference),
        ["low"] = Finite(e.Uplift.Low),
        ["high"] = Finite(e.Uplift.High),
        ["pValue"] = Finite(e.Uplift.PValue),
        ["adjustedP"] = Finite(e.AdjustedP),
        ["significant"] = e.Uplift.Significant && e.AdjustedP < 1 - Core.Metrics.ScoreStatistics.DefaultConfidence,
        ["small"] = e.Uplift.Small,
    };

    /// <summary>JSON has no infinity or NaN: an interval with no bound, or no estimate, is null.</summary>
    private static JsonValue? Finite(double? x) => x is { } v && double.IsFinite(v) ? JsonValue.Create(Math.Round(v, 6)) : null;

    private static Task<(Saved Saved, JsonObject? Json)> SaveAsync(HttpContext http, CampaignService campaigns, string? key, CancellationToken ct) =>
        KpiEndpoints.SaveKeyedAsync<CampaignDefinition>(http, CampaignService.Json, key, x => x.Key, campaigns.SaveAsync, async (workspace, saved, ct) =>
        {
            var (row, definition) = (await campaigns.GetAsync(workspace, saved, ct))!.Value;
            return Summary(row, definition, await campaigns.GroupSizesAsync(row.Id, ct));
        }, ct);

    private static async Task<Results<FileStreamHttpResult, NotFound<ProblemDetails>>> Export(string key, HttpContext http, [FromServices] CampaignService campaigns, CancellationToken ct)
    {
        var workspace = http.User.WorkspaceId();
        if (await campaigns.GetAsync(workspace, key, ct) is not var (row, _))
        {
            return KpiEndpoints.NotFound(key);
        }

        var treated = await campaigns.TreatedAsync(workspace, row, ct);
        var file = new MemoryStream();
        await SegmentService.WriteCsvAsync(file, treated, ct);
        file.Position = 0;
        return TypedResults.File(file, "text/csv; charset=utf-8", key + ".csv");
    }
}
