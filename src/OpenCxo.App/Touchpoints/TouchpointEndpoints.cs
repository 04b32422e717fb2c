using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpenCxo.App.Security;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Touchpoints;

public static class TouchpointEndpoints
{
    public static IEndpointRouteBuilder MapTouchpointsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/interactions", GetInteractions)
            .RequireAuthorization(Scopes.CustomersRead)
            .Audited("export", (http, _) => http.Request.Query["format"] == "csv" ? "interactions.csv" : null, AuditActors.Filters)
            .WithTags("Interactions")
            .WithName("ListInteractions")
            .WithSummary("Touchpoints filtered (from, to, department, channel, segment, type, customer), sorted and paged; format=csv for CSV.");

        // The explorer's "export what is on screen": the same query, for a signed-in person's cookie.
        app.MapGet("/export/touchpoints.csv", ExportCsv)
            .RequireAuthorization(UiPolicies.CustomerData)
            .Audited("export", (_, _) => "touchpoints.csv", AuditActors.Filters)
            .ExcludeFromDescription();
        return app;
    }

    private static async Task<Results<Ok<TouchpointPage>, FileContentHttpResult, ValidationProblem>> GetInteractions(
        string? format, HttpContext http, [FromServices] AnalyticsStore store, [FromServices] CxoDbFactory databases, [FromServices] TimeProvider time, CancellationToken ct)
    {
        if (format is not (null or "json" or "csv"))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["format"] = ["json or csv"] });
        }

        var (query, problem) = TouchpointQuery.Parse(http.Request.Query, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
        if (problem is { } p)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [p.Field] = [p.Message] });
        }

        var page = Text.TextVisibility.Shown(await TouchpointExplorer.LoadAsync(store, databases, http.User.WorkspaceId(), query!, ct), Text.TextVisibility.MaySeeRawText(http.User));
        return format == "csv" ? await CsvAsync(page) : TypedResults.Ok(page);
    }

    private static async Task<Results<FileContentHttpResult, ValidationProblem>> ExportCsv(
        HttpContext http, [FromServices] AnalyticsStore store, [FromServices] CxoDbFactory databases, [FromServices] TimeProvider time, CancellationToken ct)
    {
        var (query, problem) = TouchpointQuery.Parse(http.Request.Query, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
        if (problem is { } p)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [p.Field] = [p.Message] });
        }

        return await CsvAsync(Text.TextVisibility.Shown(await TouchpointExplorer.LoadAsync(store, databases, http.User.WorkspaceId(), query!, ct), Text.TextVisibility.MaySeeRawText(http.User)));
    }

    private static async Task<FileContentHttpResult> CsvAsync(TouchpointPage page)
    {
        await using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        await TouchpointExplorer.WriteCsvAsync(text, page.Items);
        return TypedResults.File(new UTF8Encoding(false).GetBytes(text.ToString()), "text/csv; charset=utf-8", $"touchpoints-page-{page.Page}.csv");
    }
}
