using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpenCxo.App.Security;
using OpenCxo.Core.Ingest;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Text;

public static class FeedbackEndpoints
{
    public static IEndpointRouteBuilder MapFeedbackApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/feedback").WithTags("Feedback");
        group.MapGet("/themes", ThemesAsync).RequireAuthorization(Scopes.StatsRead)
            .WithName("GetFeedbackThemes")
            .WithSummary("Themes of the period's analysed texts by volume, share (with its interval) and sentiment, each against the period before (rising: "
                + "significantly more of the texts). Query: from, to, survey, department, channel, segment, team (repeatable).");
        group.MapGet("/verbatims", VerbatimsAsync).RequireAuthorization(Scopes.CustomersRead)
            .WithName("GetFeedbackVerbatims")
            .WithSummary("The newest texts (redacted) with their themes and flags to highlight. Query: the themes filters, theme, sentiment "
                + "(negative, neutral, positive), limit (1–200, default 50), cursor (from the previous page's next).");
        return app;
    }

    private static async Task<Results<Ok<JsonObject>, ValidationProblem>> ThemesAsync(
        HttpContext http, [FromServices] AnalyticsStore store, [FromServices] TextAnalyses analyses, [FromServices] CxoDbFactory databases,
        [FromServices] TimeProvider time, CancellationToken ct)
    {
        var (query, problem) = Parse(http, time);
        if (query is null)
        {
            return Invalid(problem!);
        }

        var report = await FeedbackThemes.ReportAsync(store, analyses, databases, http.User.WorkspaceId(), query, ct);
        return TypedResults.Ok(FeedbackThemes.ToJson(report));
    }

    private static async Task<Results<Ok<JsonObject>, ValidationProblem>> VerbatimsAsync(
        HttpContext http, [FromServices] AnalyticsStore store, [FromServices] CxoDbFactory databases, [FromServices] TimeProvider time, CancellationToken ct)
    {
        var (query, problem) = Parse(http, time);
        if (query is null)
        {
            return Invalid(problem!);
        }

        var q = http.Request.Query;
        var theme = q["theme"].FirstOrDefault();
        if (theme is not null && (theme.Length is 0 or > 40 || !theme.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_')))
        {
            return Invalid(new FieldError("theme", "is a theme key: a-z, 0-9 and _"));
        }

        int? sign = q["sentiment"].FirstOrDefault() switch
        {
            null => null,
            "negative" => -1,
            "neutral" => 0,
            "positive" => 1,
            _ => int.MinValue,
        };
        if (sign == int.MinValue)
        {
            return Invalid(new FieldError("sentiment", "must be negative, neutral or positive"));
        }

        var limit = 50;
        if (q["limit"].FirstOrDefault() is { } text && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > FeedbackVerbatims.MaxLimit))
        {
            return Invalid(new FieldError("limit", $"must be a whole number from 1 to {FeedbackVerbatims.MaxLimit}"));
        }

        (DateTime, long)? before = null;
        if (q["cursor"].FirstOrDefault() is { } cursor)
        {
            if (ParseCursor(cursor) is not { } parsed)
            {
                return Invalid(new FieldError("cursor", "is not a cursor this API gave"));
            }

            before = parsed;
        }

        var verbatims = await FeedbackVerbatims.ListAsync(store, databases, http.User.WorkspaceId(), query, theme, sign, before, limit, ct);
        return TypedResults.Ok(new JsonObject
        {
            ["verbatims"] = new JsonArray([.. verbatims.Select(v => (JsonNode)FeedbackVerbatims.ToJson(v))]),
            ["next"] = verbatims.Count == limit ? Cursor(verbatims[^1]) : null,
        });
    }

    private static (FeedbackQuery? Query, FieldError? Problem) Parse(HttpContext http, TimeProvider time)
    {
        var q = http.Request.Query;
        return FeedbackQuery.Parse(
            q["from"].FirstOrDefault(), q["to"].FirstOrDefault(), Metrics.MetricsEndpoints.Values(q["survey"]), Metrics.MetricsEndpoints.Values(q["department"]), Metrics.MetricsEndpoints.Values(q["channel"]), Metrics.MetricsEndpoints.Values(q["segment"]),
            Metrics.MetricsEndpoints.Values(q["team"]), DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
    }

    private static string Cursor(Verbatim last) => last.OccurredAt.Ticks.ToString(CultureInfo.InvariantCulture) + "_" + last.Seq.ToString(CultureInfo.InvariantCulture);

    private static (DateTime, long)? ParseCursor(string cursor)
    {
        var parts = cursor.Split('_');
        return parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && ticks <= DateTime.MaxValue.Ticks
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var seq)
            ? (new DateTime(ticks, DateTimeKind.Utc), seq)
            : null;
    }

    private static ValidationProblem Invalid(FieldError problem) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [problem.Field] = [problem.Message] });

}
