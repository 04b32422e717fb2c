using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpenCxo.App.Dashboards;
using OpenCxo.App.Metrics;
using OpenCxo.App.Security;
using OpenCxo.Core.Drivers;
using OpenCxo.Core.Ingest;
using OpenCxo.Data.Analytics;

namespace OpenCxo.App.Drivers;

public static class DriverEndpoints
{
    public static IServiceCollection AddDrivers(this IServiceCollection services) => services.AddSingleton<DriverService>();

    /// <summary><c>GET /api/v1/drivers</c>: what moves NPS, CSAT or churn.</summary>
    public static IEndpointRouteBuilder MapDriversApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/drivers", GetAsync)
            .RequireAuthorization(Scopes.StatsRead).WithTags("Drivers").WithName("GetDrivers")
            .WithSummary("Key drivers of NPS, CSAT or churn: each theme, touchpoint type, team, channel, segment, campaign and attribute's share of the "
                + "explained variance (Shapley decomposition of R², or Johnson's relative weights past 20 drivers), its direction, the outcome where it was met, "
                + "and its quadrant (fix-first, strength, watch, secondary). Query: outcome (nps, csat, churn), from, to (yyyy-MM-dd; default the last 90 days), "
                + "department, channel, segment (repeatable), window (days of history before each answer, 1–730, default 90), method (shapley, relative-weights), "
                + "max (drivers, 2–64, default 20), attribute (repeatable: customer attributes to weigh, by name; read as they are now, so name stable ones).");
        return app;
    }

    /// <summary>Reads the request strictly: a value that cannot be used is named, never dropped or guessed.</summary>
    public static (DriverRequest? Request, FieldError? Problem) Parse(
        string? outcome, string? from, string? to, IReadOnlyList<string> departments, IReadOnlyList<string> channels, IReadOnlyList<string> segments,
        string? window, string? method, string? max, IReadOnlyList<string> attributes, DateOnly today)
    {
        if (Outcome(outcome ?? "nps") is not { } kind)
        {
            return (null, new FieldError("outcome", $"must be nps, csat or churn, not '{Clip(outcome)}'"));
        }

        var (period, problem) = MetricsQuery.Parse(from, to, [], departments, channels, segments, null, null, null, today);
        if (period is null)
        {
            return (null, problem);
        }

        var days = DriverRequest.DefaultWindowDays;
        if (window is not null && !(int.TryParse(window, NumberStyles.None, CultureInfo.InvariantCulture, out days) && days is >= 1 and <= 730))
        {
            return (null, new FieldError("window", $"must be a whole number of days from 1 to 730, not '{Clip(window)}'"));
        }

        if (method is not (null or "shapley" or "relative-weights"))
        {
            return (null, new FieldError("method", $"must be shapley or relative-weights, not '{Clip(method)}'"));
        }

        ImportanceMethod? chosen = method switch
        {
            "shapley" => ImportanceMethod.Shapley,
            "relative-weights" => ImportanceMethod.RelativeWeights,
            _ => null,
        };

        var most = DriverRequest.DefaultMaxDrivers;
        if (max is not null && !(int.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out most) && most is >= 2 and <= 64))
        {
            return (null, new FieldError("max", $"must be a whole number from 2 to 64, not '{Clip(max)}'"));
        }

        if (chosen == ImportanceMethod.Shapley && most > RelativeImportance.MaxShapleyPredictors)
        {
            return (null, new FieldError("max", $"the exact Shapley decomposition takes at most {RelativeImportance.MaxShapleyPredictors} drivers; use method=relative-weights for more"));
        }

        if (attributes.FirstOrDefault(a => a.Length is 0 or > 100) is { } badAttribute)
        {
            return (null, new FieldError("attribute", $"'{Clip(badAttribute)}' is not an attribute name (1–100 characters)"));
        }

        if (kind == DriverOutcome.Churn && attributes.FirstOrDefault(a => a.StartsWith("predicted.", StringComparison.Ordinal)) is { } predicted)
        {
            return (null, new FieldError("attribute", $"{predicted} is scored on the data up to now, the churn window included: it would tell the churn it is meant to explain"));
        }

        if (attributes.Count > 20)
        {
            return (null, new FieldError("attribute", $"{attributes.Count} attributes: at most 20"));
        }

        var query = new DashboardQuery(period.From, period.To, period.Departments, period.Channels, period.Segments);
        return (new DriverRequest(kind, query, days, chosen, most, [.. attributes.Distinct(StringComparer.Ordinal)]), null);
    }

    public static DriverOutcome? Outcome(string text) => text switch
    {
        "nps" => DriverOutcome.Nps,
        "csat" => DriverOutcome.Csat,
        "churn" => DriverOutcome.Churn,
        _ => null,
    };

    private static async Task<Results<Ok<DriverReport>, ValidationProblem>> GetAsync(
        HttpContext http, [FromServices] DriverService drivers, [FromServices] TimeProvider time, CancellationToken ct)
    {
        var q = http.Request.Query;
        var (request, problem) = Parse(
            q["outcome"].FirstOrDefault(), q["from"].FirstOrDefault(), q["to"].FirstOrDefault(), MetricsEndpoints.Values(q["department"]), MetricsEndpoints.Values(q["channel"]), MetricsEndpoints.Values(q["segment"]),
            q["window"].FirstOrDefault(), q["method"].FirstOrDefault(), q["max"].FirstOrDefault(), MetricsEndpoints.Values(q["attribute"]), DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
        if (request is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [problem!.Field] = [problem.Message] });
        }

        return TypedResults.Ok(await drivers.AnalyseAsync(http.User.WorkspaceId(), request, ct));
    }

    private static string Clip(string? text) => text is null ? "" : text.Length > 40 ? text[..40] + "…" : text;
}
