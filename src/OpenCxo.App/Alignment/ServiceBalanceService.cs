using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpenCxo.App.Kpis;
using OpenCxo.App.Security;
using OpenCxo.Core.Alignment;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Metrics;
using OpenCxo.Data.Analytics;

namespace OpenCxo.App.Alignment;

public sealed record ServiceBalanceReport(
    bool ByAgent, DateOnly From, DateOnly To, double HourlyCost, ServiceBalanceRow All, IReadOnlyList<ServiceBalanceRow> Groups, IReadOnlyList<ScorecardSuggestion> Scorecard);

/// <summary>Handle time weighed against resolution, per agent or team (issue 8, part 4).</summary>
public sealed class ServiceBalanceService(AnalyticsStore store, TimeProvider time)
{
    /// <summary>What an hour of an agent's time costs when the caller does not say.</summary>
    public const double DefaultHourlyCost = 30;

    /// <summary>The default contacts: the 180 days to today, so that churn within 90 days has contacts to read.</summary>
    public (DateOnly From, DateOnly To) DefaultPeriod()
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        return (today.AddDays(-179), today);
    }

    public async Task<ServiceBalanceReport> ReportAsync(long workspaceId, bool byAgent, DateOnly from, DateOnly to, double hourlyCost, CancellationToken ct)
    {
        await store.SyncAsync(ct).ConfigureAwait(false);
        var (start, end) = (from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), to.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
        var figures = await store.ServiceFiguresAsync(workspaceId, byAgent, start, end, ct).ConfigureAwait(false);
        var agents = byAgent ? figures : await store.ServiceFiguresAsync(workspaceId, true, start, end, ct).ConfigureAwait(false);
        var all = Sum(figures);
        var allRow = ServiceBalance.Balance(all, all, hourlyCost);
        var agentRows = agents.Select(a => ServiceBalance.Balance(a, all, hourlyCost)).ToList();
        return new ServiceBalanceReport(
            byAgent, from, to, hourlyCost, allRow,
            byAgent ? agentRows : [.. figures.Select(g => ServiceBalance.Balance(g, all, hourlyCost))],
            ServiceBalance.Scorecard(agentRows, allRow));
    }

    private static ServiceFigures Sum(IEnumerable<ServiceFigures> figures) =>
        figures.Aggregate(new ServiceFigures(null, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), (a, b) => a + b);

    public static IEndpointRouteBuilder MapServiceBalanceApi(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/service-balance", async Task<Results<Ok<JsonObject>, ValidationProblem>> (
                string? by, string? from, string? to, string? hourlyCost, HttpContext http, [FromServices] ServiceBalanceService service, CancellationToken ct) =>
            {
                var (query, problem) = Parse(by, from, to, hourlyCost, service.DefaultPeriod());
                return query is not { } q
                    ? KpiEndpoints.Invalid([problem!])
                    : TypedResults.Ok(Json(await service.ReportAsync(http.User.WorkspaceId(), q.ByAgent, q.From, q.To, q.HourlyCost, ct)));
            })
            .RequireAuthorization(Scopes.StatsRead).WithTags("Service balance").WithName("GetServiceBalance")
            .WithSummary("Handle time weighed against resolution per agent or team (by=agent|team) for the contacts from..to (yyyy-MM-dd, default the last 180 "
                + "days): average handle time, first-contact resolution, repeat contacts within 7 days, satisfied CSAT answers after the contact, churn within "
                + "90 days, the cost of the repeats at hourlyCost per agent hour (default 30), flags where short handle time comes with repeats and unresolved "
                + "or unhappy customers, and a balanced scorecard with targets the best quarter of agents already reach.");
        return app;
    }

    /// <summary>A service balance query read strictly: a value that cannot be used is named.</summary>
    public static ((bool ByAgent, DateOnly From, DateOnly To, double HourlyCost)? Query, FieldError? Problem) Parse(
        string? by, string? from, string? to, string? hourlyCost, (DateOnly From, DateOnly To) defaults)
    {
        if (by is not (null or "agent" or "team"))
        {
            return (null, new FieldError("by", "must be agent or team"));
        }

        var cost = DefaultHourlyCost;
        if (hourlyCost is not null && !(double.TryParse(hourlyCost, NumberStyles.Float, CultureInfo.InvariantCulture, out cost) && double.IsFinite(cost) && cost is >= 0 and <= 100_000))
        {
            return (null, new FieldError("hourlyCost", "must be a number from 0 to 100000"));
        }

        var (period, problem) = SalesQualityEndpoints.Parse(null, from, to, defaults);
        return period is not { } p ? (null, problem) : ((by != "team", p.From, p.To, cost), null);
    }

    public static JsonObject Json(ServiceBalanceReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new JsonObject
        {
            ["by"] = report.ByAgent ? "agent" : "team",
            ["from"] = report.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["to"] = report.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["hourlyCost"] = report.HourlyCost,
            ["all"] = Row(report.All),
            ["groups"] = new JsonArray([.. report.Groups.Select(g => (JsonNode)Row(g))]),
            ["scorecard"] = new JsonArray([.. report.Scorecard.Select(s => (JsonNode)new JsonObject
            {
                ["metric"] = s.Metric,
                ["direction"] = s.Direction == KpiDirection.AtLeast ? "atLeast" : "atMost",
                ["current"] = KpiJson.Round(s.Current),
                ["target"] = KpiJson.Round(s.Target),
                ["why"] = s.Why,
            })]),
        };
    }

    private static JsonObject Row(ServiceBalanceRow r) => new()
    {
        ["key"] = r.Key,
        ["contacts"] = r.Contacts,
        ["handleSeconds"] = Rate(r.HandleSeconds),
        ["firstContactResolution"] = Rate(r.Fcr),
        ["repeat7Days"] = Rate(r.Repeat),
        ["csatSatisfied"] = Rate(r.CsatSatisfied),
        ["churn90Days"] = Rate(r.Churn90),
        ["repeatHours"] = KpiJson.Round(r.RepeatHours),
        ["repeatCost"] = KpiJson.Round(r.RepeatCost),
        ["flagged"] = r.Flagged,
        ["reasons"] = new JsonArray([.. r.Reasons.Select(x => (JsonNode)x)]),
    };

    private static JsonObject Rate(Estimate e) =>
        new() { ["value"] = KpiJson.Round(e.N == 0 ? null : e.Value), ["low"] = KpiJson.Round(e.N == 0 ? null : e.Low), ["high"] = KpiJson.Round(e.N == 0 ? null : e.High), ["n"] = e.N };
}
