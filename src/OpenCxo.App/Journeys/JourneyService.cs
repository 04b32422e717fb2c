using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpenCxo.App.Alignment;
using OpenCxo.App.Kpis;
using OpenCxo.App.Security;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Journeys;
using OpenCxo.Core.Metrics;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Journeys;

/// <summary>One stage of the funnel: who reached it, who came on from the stage before and how long it took, and how satisfied they were there.</summary>
public sealed record JourneyStep(
    JourneyStage Stage, long Customers, Estimate? Conversion, double? MedianDays, NpsEstimate Nps, Estimate Csat);

/// <summary>
/// A journey report: the funnel stage by stage, the most common paths to the last stage (churn, by default) and of
/// promoters, the flows between stages for the Sankey picture, and the sentiment of each touchpoint type's texts.
/// </summary>
public sealed record JourneyReport(
    DateOnly From, DateOnly To, JourneyDefinition Journey, IReadOnlyList<JourneyStep> Steps, long Customers,
    IReadOnlyList<JourneyPath> ToLastStage, IReadOnlyList<JourneyPath> OfPromoters, IReadOnlyList<JourneyFlow> Flows, IReadOnlyList<JourneyTouchpointFacts> Touchpoints);

/// <summary>Journey analytics (issue 8, part 6): stages from touchpoint types, per workspace.</summary>
public sealed class JourneyService(CxoDbFactory databases, AnalyticsStore store, TimeProvider time)
{
    private const int TopPaths = 5;

    public static JsonSerializerOptions Json => PromiseService.Json;

    public async Task<JourneyDefinition> JourneyAsync(long workspaceId, CancellationToken ct) =>
        await WorkspaceDocuments.ReadAsync<JourneySettingsRow>(databases, workspaceId, ct).ConfigureAwait(false) is { } saved
            ? JsonSerializer.Deserialize<JourneyDefinition>(saved.Json, Json) ?? JourneyRules.Defaults
            : JourneyRules.Defaults;

    public async Task<IReadOnlyList<FieldError>> SaveJourneyAsync(long workspaceId, JourneyDefinition journey, CancellationToken ct)
    {
        var errors = JourneyRules.Validate(journey);
        if (errors.Count == 0)
        {
            var json = JsonSerializer.Serialize(journey, Json);
            var now = time.GetUtcNow().UtcDateTime;
            await WorkspaceDocuments.SaveAsync(databases, workspaceId, json, now, () => new JourneySettingsRow { WorkspaceId = workspaceId, JourneyJson = json, UpdatedAt = now }, ct)
                .ConfigureAwait(false);
        }

        return errors;
    }

    /// <summary>The default period: the year to today.</summary>
    public (DateOnly From, DateOnly To) DefaultPeriod()
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        return (today.AddDays(-364), today);
    }

    public async Task<JourneyReport> ReportAsync(long workspaceId, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var journey = await JourneyAsync(workspaceId, ct).ConfigureAwait(false);
        await store.SyncAsync(ct).ConfigureAwait(false);
        var facts = await store.JourneyFactsAsync(
            workspaceId, journey, from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), to.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), ct).ConfigureAwait(false);
        var steps = new List<JourneyStep>();
        for (var i = 0; i < journey.Stages.Count; i++)
        {
            var stage = journey.Stages[i];
            var f = facts.Stages.FirstOrDefault(s => s.Stage == stage.Key);
            steps.Add(new JourneyStep(
                stage, f?.Customers ?? 0,
                i == 0 || steps[i - 1].Customers == 0 ? null : ScoreStatistics.Proportion(f?.FromPrevious ?? 0, Math.Max(f?.FromPrevious ?? 0, steps[i - 1].Customers)),
                f?.MedianDays,
                ScoreStatistics.Nps(f?.Promoters ?? 0, f?.Passives ?? 0, f?.Detractors ?? 0),
                ScoreStatistics.Proportion(f?.CsatSatisfied ?? 0, f?.CsatAnswers ?? 0)));
        }

        var last = journey.Stages[^1].Key;
        var paths = facts.Paths.Select(p => new JourneyPath(p.Stages, p.Customers)).ToList();
        return new JourneyReport(
            from, to, journey, steps, facts.Paths.Sum(p => p.Customers),
            [.. paths.Where(p => p.Stages[^1] == last).Take(TopPaths)],
            [.. facts.Paths.Where(p => p.Promoters > 0).OrderByDescending(p => p.Promoters).Take(TopPaths).Select(p => new JourneyPath(p.Stages, p.Promoters))],
            JourneyRules.Flows(paths), facts.Touchpoints);
    }

    public static IEndpointRouteBuilder MapApi(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/journeys").WithTags("Journeys");
        group.MapGet("", async Task<Results<Ok<JsonObject>, ValidationProblem>> (
                string? from, string? to, HttpContext http, [FromServices] JourneyService journeys, CancellationToken ct) =>
            {
                var (period, problem) = SalesQualityEndpoints.Parse(null, from, to, journeys.DefaultPeriod());
                return period is not { } p
                    ? KpiEndpoints.Invalid([problem!])
                    : TypedResults.Ok(ToJson(await journeys.ReportAsync(http.User.WorkspaceId(), p.From, p.To, ct)));
            })
            .RequireAuthorization(Scopes.StatsRead).WithName("GetJourney")
            .WithSummary("The customer journey over the touchpoints from..to (yyyy-MM-dd, default the last year): per stage the customers who reached it, "
                + "the conversion from the stage before (Wilson) and the median days between, NPS and CSAT given in it; the most common paths to the last "
                + "stage and of promoters; the flows between stages; and each touchpoint type's text sentiment.");
        group.MapGet("/stages", async (HttpContext http, [FromServices] JourneyService journeys, CancellationToken ct) =>
                TypedResults.Ok(await journeys.JourneyAsync(http.User.WorkspaceId(), ct)))
            .RequireAuthorization(Scopes.StatsRead).WithName("GetJourneyStages").WithSummary("The journey's stages (the built-in ones until edited).");
        group.MapPut("/stages", async Task<Results<Ok<JourneyDefinition>, ValidationProblem>> (HttpContext http, [FromServices] JourneyService journeys, CancellationToken ct) =>
            {
                var (journey, problem) = await KpiEndpoints.ReadJsonAsync<JourneyDefinition>(http, Json, ct);
                if (journey is null)
                {
                    return KpiEndpoints.Invalid([problem!]);
                }

                var errors = await journeys.SaveJourneyAsync(http.User.WorkspaceId(), journey, ct);
                return errors.Count > 0 ? KpiEndpoints.Invalid(errors) : TypedResults.Ok(journey);
            })
            .RequireAuthorization(Scopes.KpisWrite).WithName("PutJourneyStages").Accepts<JourneyDefinition>("application/json")
            .WithSummary("Replaces the stages whole: {\"stages\": [{\"key\", \"name\", \"types\": […]}, …]}, 2–12 stages, a touchpoint type in one stage only.");
        return app;
    }

    public static JsonObject ToJson(JourneyReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        static JsonObject? Rate(Estimate? e) => e is null || e.N == 0 ? null
            : new JsonObject { ["value"] = KpiJson.Round(e.Value), ["low"] = KpiJson.Round(e.Low), ["high"] = KpiJson.Round(e.High), ["n"] = e.N };
        static JsonArray Paths(IEnumerable<JourneyPath> paths) =>
            new([.. paths.Select(p => (JsonNode)new JsonObject { ["stages"] = new JsonArray([.. p.Stages.Select(s => (JsonNode)s)]), ["customers"] = p.Customers })]);
        return new JsonObject
        {
            ["from"] = r.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["to"] = r.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["customers"] = r.Customers,
            ["stages"] = new JsonArray([.. r.Steps.Select(s => (JsonNode)new JsonObject
            {
                ["key"] = s.Stage.Key,
                ["name"] = s.Stage.Name,
                ["customers"] = s.Customers,
                ["conversion"] = Rate(s.Conversion),
                ["medianDays"] = KpiJson.Round(s.MedianDays),
                ["nps"] = Rate(s.Nps.Score),
                ["csat"] = Rate(s.Csat),
            })]),
            ["pathsToLastStage"] = Paths(r.ToLastStage),
            ["pathsOfPromoters"] = Paths(r.OfPromoters),
            ["flows"] = new JsonArray([.. r.Flows.Select(f => (JsonNode)new JsonObject { ["from"] = f.From, ["to"] = f.To, ["customers"] = f.Customers })]),
            ["touchpoints"] = new JsonArray([.. r.Touchpoints.Select(t => (JsonNode)new JsonObject
            {
                ["type"] = t.Type, ["stage"] = t.Stage, ["texts"] = t.Texts, ["sentiment"] = KpiJson.Round(t.Sentiment), ["negativeShare"] = KpiJson.Round(t.NegativeShare),
            })]),
        };
    }

    /// <summary><c>cxo journeys [--from] [--to] [--json]</c>.</summary>
    public static Command Command()
    {
        var from = new Option<string?>("--from") { Description = "First day of the touchpoints, yyyy-MM-dd (default 364 days before --to)" };
        var to = new Option<string?>("--to") { Description = "Last day, yyyy-MM-dd (default today)" };
        var workspace = Cli.Cli.Workspace();
        var json = Cli.Cli.Json();
        var command = new Command("journeys", "The customer journey: funnel by stage with conversion and days between, paths to churn and of promoters, satisfaction per stage (docs/journeys.md)")
        {
            from, to, workspace, json,
        };
        command.SetAction(Cli.Cli.WithAnalytics(workspace, async (result, factory, analytics, workspaceId, ct) =>
        {
            var service = new JourneyService(factory, analytics, TimeProvider.System);
            var (period, problem) = SalesQualityEndpoints.Parse(null, result.GetValue(from), result.GetValue(to), service.DefaultPeriod());
            if (period is not { } p)
            {
                return Cli.Cli.Usage($"--{problem!.Field}: {problem.Message}");
            }

            var report = await service.ReportAsync(workspaceId, p.From, p.To, ct).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                Console.Out.WriteLine(ToJson(report).ToJsonString(Cli.Cli.JsonOutput));
                return Cli.Cli.Ok;
            }

            var o = Console.Out;
            var c = CultureInfo.InvariantCulture;
            o.WriteLine(string.Create(c, $"journey of {report.Customers:N0} customers, {report.From:yyyy-MM-dd} … {report.To:yyyy-MM-dd}"));
            foreach (var s in report.Steps)
            {
                o.WriteLine(string.Create(c,
                    $"  {s.Stage.Name,-14} {s.Customers,9:N0}  from previous {(s.Conversion is { N: > 0 } v ? v.Value.ToString("0.#", c) + " %" : "–"),8}  median {(s.MedianDays is { } d ? d.ToString("0.#", c) + " d" : "–"),8}  NPS {(s.Nps.N > 0 ? s.Nps.Score.Value.ToString("0", c) : "–"),4}  CSAT {(s.Csat.N > 0 ? s.Csat.Value.ToString("0.#", c) + " %" : "–")}"));
            }

            o.WriteLine("most common paths to " + report.Journey.Stages[^1].Name + ":");
            foreach (var path in report.ToLastStage)
            {
                o.WriteLine(string.Create(c, $"  {path.Customers,7:N0}  {string.Join(" → ", path.Stages)}"));
            }

            o.WriteLine("most common paths of promoters:");
            foreach (var path in report.OfPromoters)
            {
                o.WriteLine(string.Create(c, $"  {path.Customers,7:N0}  {string.Join(" → ", path.Stages)}"));
            }

            return Cli.Cli.Ok;
        }));
        return command;
    }
}

public static class JourneyExtensions
{
    public static IServiceCollection AddJourneys(this IServiceCollection services) => services.AddSingleton<JourneyService>();

    public static IEndpointRouteBuilder MapJourneysApi(this IEndpointRouteBuilder app) => JourneyService.MapApi(app);
}
