using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpenCxo.App.Security;
using OpenCxo.Data.Analytics;

namespace OpenCxo.App.Analytics;

public static class StatsEndpoint
{
    public sealed record InteractionStatsResponse(DateTime? From, DateTime? To, string GroupBy, IReadOnlyList<InteractionStat> Groups);

    public static IEndpointRouteBuilder MapStatsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/stats/interactions", GetInteractionStats)
            .RequireAuthorization(Scopes.StatsRead)
            .WithTags("Stats")
            .WithName("GetInteractionStats")
            .WithSummary("Counts, distinct customers and value sums of touchpoints, from the analytics store; from inclusive, to exclusive.");
        return app;
    }

    private static async Task<Results<Ok<InteractionStatsResponse>, ValidationProblem>> GetInteractionStats(
        DateTimeOffset? from, DateTimeOffset? to, string? groupBy, HttpContext http, [FromServices] AnalyticsStore store, CancellationToken cancellationToken)
    {
        var grouping = (groupBy ?? "department").ToLowerInvariant() switch
        {
            "department" => StatsGrouping.Department,
            "channel" => StatsGrouping.Channel,
            "type" => StatsGrouping.Type,
            "day" => StatsGrouping.Day,
            _ => (StatsGrouping?)null,
        };
        if (grouping is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["groupBy"] = ["must be one of department, channel, type, day"] });
        }

        if (from is not null && to is not null && from >= to)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["to"] = ["must be after from"] });
        }

        // Catch up first, so an answer never misses events accepted before the request.
        await store.SyncAsync(cancellationToken);
        var stats = await store.InteractionStatsAsync(http.User.WorkspaceId(), from?.UtcDateTime, to?.UtcDateTime, grouping.Value, cancellationToken);
        return TypedResults.Ok(new InteractionStatsResponse(from?.UtcDateTime, to?.UtcDateTime, grouping.Value.ToString().ToLowerInvariant(), stats));
    }
}
