using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpenCxo.App.Kpis;
using OpenCxo.App.Security;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Initiatives;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Initiatives;

public static class InitiativeEndpoints
{
    public static IServiceCollection AddInitiatives(this IServiceCollection services) => services.AddSingleton<InitiativeService>();

    public static IEndpointRouteBuilder MapInitiativeApi(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/v1/initiatives").RequireAuthorization(Scopes.StatsRead).WithTags("Initiatives");
        read.MapGet("", async (HttpContext http, [FromServices] InitiativeService initiatives, CancellationToken ct) =>
                TypedResults.Ok(InitiativeJson.Portfolio(await initiatives.PortfolioAsync(http.User.WorkspaceId(), ct), withInitiatives: true)))
            .WithName("ListInitiatives")
            .WithSummary("The portfolio: every initiative, each with the keys of the initiatives it duplicates or conflicts with, those findings, and the budgets by department and currency (in play and done).");
        read.MapGet("/findings", async (HttpContext http, [FromServices] InitiativeService initiatives, CancellationToken ct) =>
                TypedResults.Ok(InitiativeJson.Portfolio(await initiatives.PortfolioAsync(http.User.WorkspaceId(), ct), withInitiatives: false)))
            .WithName("InitiativeFindings")
            .WithSummary("Duplicated efforts (departments working on one theme, journey stage or KPI at once), conflicts (KPIs pushed against each other), and targets deleted since.");
        read.MapGet("/{key}", async Task<Results<Ok<JsonObject>, NotFound<ProblemDetails>>> (string key, HttpContext http, [FromServices] InitiativeService initiatives, CancellationToken ct) =>
                await initiatives.GetAsync(http.User.WorkspaceId(), key, ct) is var (row, definition)
                    ? TypedResults.Ok(InitiativeJson.Summary(row, definition))
                    : KpiEndpoints.NotFound(key))
            .WithName("GetInitiative")
            .WithSummary("One initiative's definition, with who changed it last and when.");
        read.MapGet("/{key}/impact", async Task<Results<Ok<JsonObject>, NotFound<ProblemDetails>>> (string key, HttpContext http, [FromServices] InitiativeService initiatives, CancellationToken ct) =>
                await initiatives.ImpactAsync(http.User.WorkspaceId(), key, ct) is { } impacts
                    ? TypedResults.Ok(InitiativeJson.Impact(key, impacts))
                    : KpiEndpoints.NotFound(key))
            .WithName("InitiativeImpact")
            .WithSummary("Each targeted KPI before and after the start (equal windows of complete periods), the change, and what a before/after comparison cannot claim.");

        var write = app.MapGroup("/api/v1/initiatives").RequireAuthorization(Scopes.ProgrammeWrite).WithTags("Initiatives");
        write.MapPost("", async Task<Results<Created<JsonObject>, ValidationProblem, Conflict<ProblemDetails>>> (HttpContext http, [FromServices] InitiativeService initiatives, CancellationToken ct) =>
                KpiEndpoints.Created(await SaveAsync(http, initiatives, null, ct), "/api/v1/initiatives/"))
            .WithName("CreateInitiative")
            .WithSummary("Adds an initiative to the portfolio; 409 if the key is taken.");
        write.MapPut("/{key}", async Task<Results<Ok<JsonObject>, Created<JsonObject>, ValidationProblem, Conflict<ProblemDetails>>> (string key, HttpContext http, [FromServices] InitiativeService initiatives, CancellationToken ct) =>
                await SaveAsync(http, initiatives, key, ct) switch
                {
                    (var saved, _) when saved.Conflict => KpiEndpoints.Clash(saved),
                    (var saved, _) when !saved.Ok => KpiEndpoints.Invalid(saved.Errors),
                    (var saved, var json) when saved.Created => TypedResults.Created("/api/v1/initiatives/" + key, json!),
                    (_, var json) => TypedResults.Ok(json!),
                })
            .WithName("ReplaceInitiative")
            .WithSummary("Creates (201) or replaces (200) an initiative; 409 when another request changed the same key at the same time.");
        write.MapDelete("/{key}", async Task<Results<NoContent, NotFound<ProblemDetails>>> (string key, HttpContext http, [FromServices] InitiativeService initiatives, CancellationToken ct) =>
                await initiatives.DeleteAsync(http.User.WorkspaceId(), key, ct) ? TypedResults.NoContent() : KpiEndpoints.NotFound(key))
            .WithName("DeleteInitiative")
            .WithSummary("Takes an initiative out of the portfolio.");
        return app;
    }

    private static Task<(Saved Saved, JsonObject? Json)> SaveAsync(HttpContext http, InitiativeService initiatives, string? key, CancellationToken ct) =>
        KpiEndpoints.SaveKeyedAsync<InitiativeDefinition>(http, InitiativeService.Json, key, x => x.Key,
            (workspace, initiative, by, replace, ct) => initiatives.SaveAsync(workspace, initiative, by, replace, ct), async (workspace, saved, ct) =>
            {
                var (row, definition) = (await initiatives.GetAsync(workspace, saved, ct))!.Value;
                return InitiativeJson.Summary(row, definition);
            }, ct);
}

/// <summary>Initiatives, findings and impact as the API and the CLI print them.</summary>
public static class InitiativeJson
{
    public static JsonObject Summary(InitiativeRow row, InitiativeDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(row);
        var json = JsonSerializer.SerializeToNode(definition, InitiativeService.Json)!.AsObject();
        json["updatedAt"] = row.UpdatedAt;
        json["updatedBy"] = row.UpdatedBy;
        return json;
    }

    public static JsonObject Portfolio(Portfolio portfolio, bool withInitiatives)
    {
        ArgumentNullException.ThrowIfNull(portfolio);
        var json = new JsonObject();
        if (withInitiatives)
        {
            json["initiatives"] = new JsonArray([.. portfolio.Initiatives.Select(i =>
            {
                var summary = Summary(i.Row, i.Definition);
                summary["duplicates"] = Keys(portfolio.DuplicatesOf(i.Row.Key).Select(d => d.First == i.Row.Key ? d.Second : d.First));
                summary["conflicts"] = Keys(portfolio.ConflictsOf(i.Row.Key).Select(c => c.First == i.Row.Key ? c.Second : c.First));
                return (JsonNode)summary;
            })]);
        }

        json["duplicates"] = new JsonArray([.. portfolio.Duplicates.Select(d => (JsonNode)Duplicate(d))]);
        json["conflicts"] = new JsonArray([.. portfolio.Conflicts.Select(c => (JsonNode)Conflict(c))]);
        json["dangling"] = new JsonArray([.. portfolio.Dangling.Select(d => (JsonNode)new JsonObject { ["initiative"] = d.Initiative, ["field"] = d.Field, ["target"] = d.Target })]);
        if (withInitiatives)
        {
            json["budgets"] = new JsonArray([.. InitiativeBudgets.ByDepartment(portfolio.Initiatives.Select(i => i.Definition)).Select(b => (JsonNode)new JsonObject
            {
                ["department"] = b.Department, ["currency"] = b.Currency, ["inPlay"] = b.InPlay, ["done"] = b.Done, ["initiatives"] = b.Initiatives,
            })]);
        }

        return json;
    }

    public static JsonObject Duplicate(DuplicateFinding d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return new JsonObject
        {
            ["first"] = d.First,
            ["second"] = d.Second,
            ["themes"] = Keys(d.Themes),
            ["kpis"] = Keys(d.Kpis),
            ["journeys"] = JsonSerializer.SerializeToNode(d.Journeys, InitiativeService.Json),
            ["overlap"] = Overlap(d.Overlap),
        };
    }

    public static JsonObject Conflict(ConflictFinding c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new JsonObject
        {
            ["kind"] = c.Kind == ConflictKind.Tension ? "tension" : "oppositeDirections",
            ["first"] = new JsonObject { ["initiative"] = c.First, ["kpi"] = c.FirstKpi.Kpi, ["direction"] = Direction(c.FirstKpi.Direction) },
            ["second"] = new JsonObject { ["initiative"] = c.Second, ["kpi"] = c.SecondKpi.Kpi, ["direction"] = Direction(c.SecondKpi.Direction) },
            ["tension"] = c.Tension?.Key,
            ["reason"] = c.Reason,
            ["overlap"] = Overlap(c.Overlap),
        };
    }

    public static JsonObject Impact(string key, IReadOnlyList<TargetImpact> impacts)
    {
        ArgumentNullException.ThrowIfNull(impacts);
        JsonObject? Window(ImpactWindow? w) => w is null ? null : new JsonObject
        {
            ["from"] = Day(w.From), ["to"] = Day(w.To), ["periods"] = w.Periods,
            ["mean"] = KpiJson.Round(w.Mean), ["low"] = KpiJson.Round(w.Low), ["high"] = KpiJson.Round(w.High),
        };
        return new JsonObject
        {
            ["initiative"] = key,
            ["kpis"] = new JsonArray([.. impacts.Select(t => (JsonNode)new JsonObject
            {
                ["kpi"] = t.Impact.Target.Kpi,
                ["name"] = t.Kpi?.Name,
                ["metric"] = t.Kpi?.Metric,
                ["unit"] = t.Kpi?.MetricDefinition.Unit,
                ["period"] = t.Kpi is null ? null : JsonNamingPolicy.CamelCase.ConvertName(t.Kpi.EffectivePeriod.ToString()),
                ["exists"] = t.Kpi is not null,
                ["direction"] = Direction(t.Impact.Target.Direction),
                ["expected"] = t.Impact.Target.Expected,
                ["periodsBefore"] = t.Impact.PeriodsBefore,
                ["periodsAfter"] = t.Impact.PeriodsAfter,
                ["before"] = Window(t.Impact.Before),
                ["after"] = Window(t.Impact.After),
                ["change"] = KpiJson.Round(t.Impact.Change),
                ["intended"] = t.Impact.Intended,
                ["changeInterval"] = t.Impact.Interval is { } ci
                    ? new JsonObject { ["low"] = KpiJson.Round(ci.Low), ["high"] = KpiJson.Round(ci.High), ["degreesOfFreedom"] = Math.Round(ci.DegreesOfFreedom, 2) }
                    : null,
                ["slopeBefore"] = KpiJson.Round(t.Impact.SlopeBefore),
                ["real"] = t.Impact.Real,
                ["otherInitiatives"] = Keys(t.Impact.OtherInitiatives),
                ["caveats"] = new JsonArray([.. t.Impact.Caveats.Select(c => (JsonNode)new JsonObject
                {
                    ["code"] = JsonNamingPolicy.CamelCase.ConvertName(c.ToString()),
                    ["text"] = CaveatText(c, t.Impact),
                })]),
            })]),
        };
    }

    /// <summary>What each caveat says, in English (the web UI reads the same from its resources).</summary>
    public static string CaveatText(ImpactCaveat caveat, KpiImpact impact)
    {
        ArgumentNullException.ThrowIfNull(impact);
        return caveat switch
        {
            ImpactCaveat.NotAnExperiment => "A before/after comparison is not a controlled experiment: it shows that the KPI moved, not that the initiative moved it.",
            ImpactCaveat.Seasonality => "The two windows are different times of the year: a seasonal swing can produce the change. Compare the after window with the same months a year earlier.",
            ImpactCaveat.RegressionToTheMean => "If the initiative started because the KPI was bad, the KPI would likely have come back towards its usual level anyway (regression to the mean).",
            ImpactCaveat.OtherInitiatives => $"Other initiatives targeted this KPI over the same time and may have moved it: {string.Join(", ", impact.OtherInitiatives)}.",
            ImpactCaveat.TooFewPeriods => string.Create(CultureInfo.InvariantCulture,
                $"Only {impact.PeriodsBefore} measured periods before the start and {impact.PeriodsAfter} from it: at least {InitiativeImpacts.MinimumPeriods} on each side are needed to give a number."),
            ImpactCaveat.NoInterval => "A period has no interval (a count of the whole population, or too few answers): nothing is said about whether the change is larger than the noise.",
            ImpactCaveat.NotStarted => "The initiative is proposed or approved, so it has not run: there is no impact to measure yet.",
            ImpactCaveat.TrendBefore => string.Create(CultureInfo.InvariantCulture,
                $"The KPI was already moving this way before the start ({impact.SlopeBefore:+0.###;-0.###} a period): the trend going on can produce the change."),
            _ => throw new ArgumentOutOfRangeException(nameof(caveat)),
        };
    }

    public static string Direction(KpiPush push) => push == KpiPush.Up ? "up" : "down";

    private static JsonArray Keys(IEnumerable<string> keys) => [.. keys.Distinct().Select(k => (JsonNode)k)];

    private static JsonObject Overlap(Overlap o) => new() { ["from"] = Day(o.From), ["to"] = o.To is { } to ? Day(to) : null };

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
