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

public static class SalesQualityEndpoints
{
    public static readonly IReadOnlyList<string> Groupings = ["rep", "team", "campaign"];

    public static IEndpointRouteBuilder MapSalesQualityApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/sales-quality").WithTags("Sales quality");
        group.MapGet("", async Task<Results<Ok<JsonObject>, ValidationProblem>> (
                string? by, string? from, string? to, HttpContext http, [FromServices] SalesQualityService sales, CancellationToken ct) =>
            {
                var (query, problem) = Parse(by, from, to, sales.DefaultPeriod());
                return query is not { } q
                    ? KpiEndpoints.Invalid([problem!])
                    : TypedResults.Ok(SalesJson.Report(await sales.ReportAsync(http.User.WorkspaceId(), q.By, q.From, q.To, ct)));
            })
            .RequireAuthorization(Scopes.StatsRead).WithName("GetSalesQuality")
            .WithSummary("Sales judged by the customers they bring, per rep, team or campaign (by=rep|team|campaign) for the deals won from..to "
                + "(yyyy-MM-dd, default the last two years): booked value, retention-adjusted value (booked × Kaplan–Meier survival at 12 months), "
                + "net revenue within a year, survival at 3, 6 and 12 months with Greenwood intervals, NPS, cancellations within 90 days, refunds, and the "
                + "shares in the riskiest quarter of the latest model run or with a need their plan can't serve.");
        group.MapGet("/fits", async Task<Results<Ok<JsonObject>, ValidationProblem>> (
                string? from, string? to, string? limit, HttpContext http, [FromServices] SalesQualityService sales, CancellationToken ct) =>
            {
                var (query, problem) = Parse(null, from, to, sales.DefaultPeriod());
                var take = 50;
                if (query is not { } q || (limit is not null && !(int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out take) && take is >= 1 and <= 200)))
                {
                    return KpiEndpoints.Invalid([problem ?? new FieldError("limit", "must be a whole number from 1 to 200")]);
                }

                var fits = await sales.PoorFitsAsync(http.User.WorkspaceId(), q.From, q.To, take, ct);
                return TypedResults.Ok(new JsonObject { ["deals"] = new JsonArray([.. fits.Select(f => (JsonNode)SalesJson.Fit(f))]) });
            })
            .RequireAuthorization(Scopes.CustomersRead).WithName("GetPoorFitDeals")
            .WithSummary("The right-customer report: the deals won from..to whose customers fit worst — a need their plan can't serve, or in the riskiest "
                + "quarter of the latest model run — with the model's churn risk and lifetime value and the fit score (0–100), lowest first.");
        app.MapGet("/api/v1/customers/{id:long}/fit", async Task<Results<Ok<JsonObject>, NotFound>> (
                long id, HttpContext http, [FromServices] SalesQualityService sales, CancellationToken ct) =>
                await sales.FitAsync(http.User.WorkspaceId(), id, ct) is { } fit ? TypedResults.Ok(SalesJson.Fit(fit)) : TypedResults.NotFound())
            .RequireAuthorization(Scopes.CustomersRead).Audited("customer.view", AuditActors.RouteCustomer, _ => "fit")
            .WithTags("Sales quality").WithName("GetCustomerFit")
            .WithSummary("The customer's fit at their first deal (0–100): the latest model run's churn risk and lifetime value and the needs their plan can't serve; 404 when they won no deal before paying.");
        group.MapGet("/needs", async (HttpContext http, [FromServices] SalesQualityService sales, CancellationToken ct) =>
                TypedResults.Ok(await sales.NeedsAsync(http.User.WorkspaceId(), ct)))
            .RequireAuthorization(Scopes.StatsRead).WithName("GetCustomerNeeds")
            .WithSummary("The needs that decide customer fit (the built-in one until edited).");
        group.MapPut("/needs", async Task<Results<Ok<CustomerNeeds>, ValidationProblem>> (HttpContext http, [FromServices] SalesQualityService sales, CancellationToken ct) =>
            {
                var (needs, problem) = await KpiEndpoints.ReadJsonAsync<CustomerNeeds>(http, SalesQualityService.Json, ct);
                if (needs is null)
                {
                    return KpiEndpoints.Invalid([problem!]);
                }

                var errors = await sales.SaveNeedsAsync(http.User.WorkspaceId(), needs, ct);
                return errors.Count > 0 ? KpiEndpoints.Invalid(errors) : TypedResults.Ok(needs);
            })
            .RequireAuthorization(Scopes.KpisWrite).WithName("PutCustomerNeeds").Accepts<CustomerNeeds>("application/json")
            .WithSummary("Replaces the needs whole (docs/sales-quality.md); every problem is named by its place and nothing is saved then.");
        return app;
    }

    /// <summary>A day as the reports take it, yyyy-MM-dd from 1900 to 2200: far enough that a window's days can be added to it.</summary>
    public static bool TryDay(string? text, out DateOnly day) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day) && day.Year is >= 1900 and <= 2200;

    /// <summary>A report query read strictly (sales, service, journeys: each with its default period); a value that cannot be used is named.</summary>
    public static ((SalesGrouping By, DateOnly From, DateOnly To)? Query, FieldError? Problem) Parse(string? by, string? from, string? to, (DateOnly From, DateOnly To) defaults)
    {
        var grouping = SalesGrouping.Rep;
        if (by is not null)
        {
            var index = Groupings.ToList().IndexOf(by);
            if (index < 0)
            {
                return (null, new FieldError("by", "must be rep, team or campaign"));
            }

            grouping = (SalesGrouping)index;
        }

        var (first, last) = defaults;
        if (from is not null && !TryDay(from, out first))
        {
            return (null, new FieldError("from", "must be a day, yyyy-MM-dd, from 1900 to 2200"));
        }

        if (to is not null && !TryDay(to, out last))
        {
            return (null, new FieldError("to", "must be a day, yyyy-MM-dd, from 1900 to 2200"));
        }

        // One end given: the other keeps the default span (two years of deals, 180 days of contacts, a year of journeys).
        var span = defaults.To.DayNumber - defaults.From.DayNumber;
        if (from is not null && to is null)
        {
            last = first.AddDays(span) < defaults.To ? first.AddDays(span) : defaults.To;
        }
        else if (to is not null && from is null)
        {
            first = last.AddDays(-span);
        }

        if (first.Year < 1900)
        {
            return (null, new FieldError("from", "must be a day from 1900 to 2200"));
        }

        return last < first ? (null, new FieldError("to", "is before from")) : ((grouping, first, last), null);
    }
}

/// <summary>Sales quality as the API and the CLI's --json write it.</summary>
public static class SalesJson
{
    public static JsonObject Report(SalesQualityReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new JsonObject
        {
            ["by"] = SalesQualityEndpoints.Groupings[(int)report.By],
            ["from"] = report.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["to"] = report.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["currency"] = report.Currency,
            ["newest"] = report.Newest?.ToString("O", CultureInfo.InvariantCulture),
            ["all"] = Group(report.All),
            ["groups"] = new JsonArray([.. report.Groups.Select(g => (JsonNode)Group(g))]),
        };
    }

    public static JsonObject Group(SalesGroupQuality g)
    {
        ArgumentNullException.ThrowIfNull(g);
        return new JsonObject
        {
            ["key"] = g.Key,
            ["customers"] = g.Customers,
            ["booked"] = KpiJson.Round(g.Booked),
            ["retentionAdjusted"] = KpiJson.Round(g.RetentionAdjusted),
            ["revenue12Months"] = KpiJson.Round(g.Revenue),
            ["retained3Months"] = Rate(g.Retained3),
            ["retained6Months"] = Rate(g.Retained6),
            ["retained12Months"] = Rate(g.Retained12),
            ["nps"] = Rate(g.Nps.Score),
            ["earlyChurn"] = Rate(g.EarlyChurn),
            ["refunded"] = Rate(g.Refunded),
            ["refundValue"] = KpiJson.Round(g.RefundValue),
            ["highRisk"] = Rate(g.HighRisk),
            ["unservedNeed"] = Rate(g.Unserved),
        };
    }

    public static JsonObject Fit(DealFit f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return new JsonObject
        {
            ["customerId"] = f.Customer,
            ["name"] = f.Name,
            ["rep"] = f.Rep,
            ["team"] = f.Team,
            ["dealAt"] = f.DealAt.ToString("O", CultureInfo.InvariantCulture),
            ["dealValue"] = KpiJson.Round(f.DealValue),
            ["currency"] = f.Currency,
            ["churnRisk"] = KpiJson.Round(f.ChurnRisk),
            ["lifetimeValue"] = KpiJson.Round(f.LifetimeValue),
            ["needs"] = new JsonArray([.. f.Needs.Select(n => (JsonNode)new JsonObject { ["key"] = n.Key, ["name"] = n.Name })]),
            ["fit"] = f.Fit,
        };
    }

    private static JsonObject? Rate(Estimate? e) => e is null ? null
        : new JsonObject { ["value"] = KpiJson.Round(e.Value), ["low"] = KpiJson.Round(e.Low), ["high"] = KpiJson.Round(e.High), ["n"] = e.N };
}
