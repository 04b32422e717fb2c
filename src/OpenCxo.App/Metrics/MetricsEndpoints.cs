using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpenCxo.App.Security;
using OpenCxo.Core.Metrics;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Metrics;

public static class MetricsEndpoints
{
    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/metrics").RequireAuthorization(Scopes.StatsRead).WithTags("Metrics");
        foreach (var (path, metric, summary) in new[]
        {
            ("nps", ScoreMetric.Nps, "NPS (−100 … 100) with its 95 % interval, promoters, passives and detractors, per slice."),
            ("csat", ScoreMetric.Csat, "CSAT: % satisfied (4–5) with its Wilson interval and the mean with its t interval, per slice."),
            ("ces", ScoreMetric.Ces, "CES: the mean (1–7) with its t interval, per slice."),
        })
        {
            group.MapGet("/" + path, (HttpContext http, [FromServices] AnalyticsStore store, [FromServices] CxoDbFactory databases, [FromServices] TimeProvider time, CancellationToken ct) =>
                    GetAsync(metric, http, store, databases, time, ct))
                .WithName("Get" + char.ToUpperInvariant(path[0]) + path[1..])
                .WithSummary(summary + " Query: from, to (yyyy-MM-dd, both included; default the last 90 days), survey, department, channel, segment (repeatable), "
                    + "by (all, survey, day, week, month, department, channel, team, agent, campaign, salesRep, segment, or customer.attr.NAME), compare=previous, confidence.");
        }

        group.MapGet("", () => TypedResults.Ok(CatalogueMetrics.CatalogueJson()))
            .WithName("ListMetrics")
            .WithSummary("The metric catalogue: each metric's name, family, statistic kind, unit, direction, and its formula, sources and caveats in English and Spanish.");
        group.MapGet("/{name}", CatalogueAsync)
            .WithName("GetMetric")
            .WithSummary("One catalogue metric per time bucket and slice, with its interval where it is a statistic. Query: from, to, granularity (none, day, week, "
                + "month, quarter), by (all, department, channel, type, team, agent, campaign, survey, segment, theme, or customer.attr.NAME), department, "
                + "channel, segment, survey, team (repeatable), confidence; money metrics: currency (ISO 4217; default the one of most revenue touchpoints).");
        return app;
    }

    private static async Task<Results<Ok<JsonObject>, ValidationProblem, NotFound<ProblemDetails>>> CatalogueAsync(
        string name, HttpContext http, [FromServices] AnalyticsStore store, [FromServices] TimeProvider time, CancellationToken ct)
    {
        if (MetricCatalogue.Find(name) is not { } metric || !CatalogueMetrics.Bases.ContainsKey(name))
        {
            return TypedResults.NotFound(new ProblemDetails
            {
                Title = "No such metric",
                Detail = $"'{(name.Length > 40 ? name[..40] + "…" : name)}' is not in the catalogue: GET /api/v1/metrics lists the metrics",
                Status = StatusCodes.Status404NotFound,
            });
        }

        var q = http.Request.Query;
        var (filters, problem) = Text.FeedbackQuery.Parse(
            q["from"].FirstOrDefault(), q["to"].FirstOrDefault(), Values(q["survey"]), Values(q["department"]), Values(q["channel"]), Values(q["segment"]),
            Values(q["team"]), DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), q["confidence"].FirstOrDefault());
        if (filters is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [problem!.Field] = [problem.Message] });
        }

        var (query, wrong) = CatalogueQuery.Parse(filters, metric, q["granularity"].FirstOrDefault(), q["by"].FirstOrDefault(), q["currency"].FirstOrDefault());
        if (query is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [wrong!.Field] = [wrong.Message] });
        }

        var answer = await CatalogueMetrics.ComputeAsync(store, http.User.WorkspaceId(), metric, query, ct);
        return TypedResults.Ok(CatalogueMetrics.ToJson(metric, query, answer));
    }

    private static async Task<Results<Ok<JsonObject>, ValidationProblem>> GetAsync(
        ScoreMetric metric, HttpContext http, AnalyticsStore store, CxoDbFactory databases, TimeProvider time, CancellationToken ct)
    {
        var q = http.Request.Query;
        var (query, problem) = MetricsQuery.Parse(
            q["from"].FirstOrDefault(), q["to"].FirstOrDefault(), Values(q["survey"]), Values(q["department"]), Values(q["channel"]), Values(q["segment"]),
            q["by"].FirstOrDefault(), q["compare"].FirstOrDefault(), q["confidence"].FirstOrDefault(), DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
        if (query is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [problem!.Field] = [problem.Message] });
        }

        var report = await ScoreMetrics.ReportAsync(store, databases, http.User.WorkspaceId(), metric, query, ct);
        return TypedResults.Ok(ScoreMetrics.ToJson(report));
    }

    /// <summary>A repeatable query parameter's values.</summary>
    internal static string[] Values(Microsoft.Extensions.Primitives.StringValues values) => [.. values.OfType<string>()];
}
