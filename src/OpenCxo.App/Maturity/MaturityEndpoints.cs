using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpenCxo.App.Kpis;
using OpenCxo.App.Security;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Maturity;

namespace OpenCxo.App.Maturity;

public static class MaturityEndpoints
{
    public static IServiceCollection AddMaturity(this IServiceCollection services) => services.AddSingleton<MaturityService>();

    public static IEndpointRouteBuilder MapMaturityApi(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/v1/maturity").RequireAuthorization(Scopes.StatsRead).WithTags("Maturity");
        read.MapGet("/checklist", Results<Ok<JsonObject>, ValidationProblem> (string? lang) =>
                Language(lang) is { } language ? TypedResults.Ok(MaturityJson.Checklist(language)) : BadLanguage())
            .WithName("GetMaturityChecklist")
            .WithSummary("The built-in checklist: the 0–4 levels and each area's practices with evidence, help page and suggested initiative (?lang=en|es, else the request's language).");
        read.MapGet("", async Task<Results<Ok<JsonObject>, ValidationProblem>> (string? lang, HttpContext http, [FromServices] MaturityService maturity, CancellationToken ct) =>
            {
                if (Language(lang) is not { } language)
                {
                    return BadLanguage();
                }

                var standings = await maturity.OverviewAsync(http.User.WorkspaceId(), ct);
                return TypedResults.Ok(MaturityJson.Overview(standings, language));
            })
            .WithName("GetMaturityOverview")
            .WithSummary("Every department's latest assessment and change since the one before: the department × area matrix.");
        read.MapGet("/{department}", async Task<Results<Ok<JsonObject>, ValidationProblem>> (string department, HttpContext http, [FromServices] MaturityService maturity, CancellationToken ct) =>
                MaturityService.CheckDepartment(department) is { } wrong
                    ? KpiEndpoints.Invalid([wrong])
                    : TypedResults.Ok(MaturityJson.Standing(await maturity.StandingAsync(http.User.WorkspaceId(), department, ct))))
            .WithName("GetMaturityOfDepartment")
            .WithSummary("One department's latest assessment with its answers, the change since the one before, and its history oldest first.");
        read.MapGet("/{department}/suggestions", async Task<Results<Ok<JsonObject>, ValidationProblem>> (
                string department, string? lang, HttpContext http, [FromServices] MaturityService maturity, [FromServices] TimeProvider time, CancellationToken ct) =>
            {
                if (MaturityService.CheckDepartment(department) is { } wrong)
                {
                    return KpiEndpoints.Invalid([wrong]);
                }

                if (Language(lang) is not { } language)
                {
                    return BadLanguage();
                }

                var standing = await maturity.StandingAsync(http.User.WorkspaceId(), department, ct);
                return TypedResults.Ok(MaturityJson.Suggestions(standing, language, MaturityJson.Today(time)));
            })
            .WithName("GetMaturitySuggestions")
            .WithSummary("The latest assessment's weakest practices (scored 2 or less, lowest first, at most 5), each as an initiative draft with a link to create it.");

        var write = app.MapGroup("/api/v1/maturity").RequireAuthorization(Scopes.ProgrammeWrite).WithTags("Maturity");
        write.MapPost("/{department}", async Task<Results<Created<JsonObject>, ValidationProblem>> (string department, HttpContext http, [FromServices] MaturityService maturity, CancellationToken ct) =>
            {
                if (MaturityService.CheckDepartment(department) is { } wrong)
                {
                    return KpiEndpoints.Invalid([wrong]);
                }

                var (request, problem) = await KpiEndpoints.ReadJsonAsync<MaturityAssessmentRequest>(http, MaturityService.Json, ct);
                if (request is null)
                {
                    return KpiEndpoints.Invalid([problem!]);
                }

                var workspace = http.User.WorkspaceId();
                var (recorded, errors) = await maturity.RecordAsync(workspace, department, request.Answers, KpiEndpoints.Who(http.User), ct);
                if (recorded is null)
                {
                    return KpiEndpoints.Invalid(errors);
                }

                return TypedResults.Created($"/api/v1/maturity/{department}", MaturityJson.Standing(await maturity.StandingAsync(workspace, department, ct)));
            })
            .WithName("RecordMaturityAssessment")
            .WithSummary("Records an assessment of a department ({\"answers\": {\"practice-key\": {\"score\": 0–4, \"note\": \"…\"}}}); unanswered practices are left out of the means.");
        return app;
    }

    /// <summary>en or es: the one asked for, else the request's language; null when one was asked for that the checklist is not written in.</summary>
    public static string? Language(string? asked) => asked switch
    {
        null or "" => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "es" ? "es" : "en",
        "en" or "es" => asked,
        _ => null,
    };

    private static ValidationProblem BadLanguage() => KpiEndpoints.Invalid([new FieldError("lang", "must be en or es")]);
}

/// <summary>The API's and the CLI's JSON for the checklist, standings and suggestions.</summary>
public static class MaturityJson
{
    /// <summary>The initiative draft exactly as the portfolio takes it: camelCase, every field written, empty lists included.</summary>
    private static readonly JsonSerializerOptions DraftJson = new(JsonSerializerDefaults.Web);

    public static JsonObject Checklist(string language) => new()
    {
        ["language"] = language,
        ["levels"] = new JsonArray([.. MaturityChecklist.Levels.Select(l => (JsonNode)new JsonObject
        {
            ["score"] = l.Score, ["key"] = l.Key, ["name"] = l.Name.In(language), ["meaning"] = l.Meaning.In(language),
        })]),
        ["areas"] = new JsonArray([.. MaturityChecklist.Areas.Select(a => (JsonNode)new JsonObject
        {
            ["key"] = a.Key,
            ["name"] = a.Name.In(language),
            ["practices"] = new JsonArray([.. MaturityChecklist.Practices.Where(p => p.Area == a.Key).Select(p => (JsonNode)new JsonObject
            {
                ["key"] = p.Key,
                ["text"] = p.Text.In(language),
                ["evidence"] = p.Evidence.In(language),
                ["help"] = p.HelpPath,
                ["initiative"] = new JsonObject { ["name"] = p.InitiativeName.In(language), ["description"] = p.InitiativeDescription.In(language) },
            })]),
        })]),
    };

    public static JsonObject Overview(IReadOnlyList<MaturityStanding> standings, string language) => new()
    {
        ["areas"] = new JsonArray([.. MaturityChecklist.Areas.Select(a => (JsonNode)new JsonObject { ["key"] = a.Key, ["name"] = a.Name.In(language) })]),
        ["departments"] = new JsonArray([.. standings.Select(s =>
        {
            var row = s.Latest is { } latest ? Assessment(latest, answers: false) : new JsonObject { ["department"] = s.Department, ["score"] = null, ["areas"] = null };
            row["change"] = Change(s.Change);
            return (JsonNode)row;
        })]),
    };

    public static JsonObject Standing(MaturityStanding standing) => new()
    {
        ["department"] = standing.Department,
        ["latest"] = standing.Latest is { } latest ? Assessment(latest, answers: true) : null,
        ["change"] = Change(standing.Change),
        ["history"] = new JsonArray([.. standing.History.Select(a => (JsonNode)Assessment(a, answers: false))]),
    };

    /// <summary>The day suggested initiatives start: today in UTC, as the server's clock has it.</summary>
    public static DateOnly Today(TimeProvider time) => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public static JsonObject Suggestions(MaturityStanding standing, string language, DateOnly today) => new()
    {
        ["department"] = standing.Department,
        ["assessedAt"] = standing.Latest?.AssessedAt,
        ["suggestions"] = new JsonArray([.. (standing.Latest is { } latest ? MaturitySuggestions.For(standing.Department, latest.Answers, language, today) : [])
            .Select(s => (JsonNode)new JsonObject
            {
                ["practice"] = s.Practice.Key,
                ["area"] = s.Practice.Area,
                ["text"] = s.Practice.Text.In(language),
                ["score"] = s.Score,
                ["note"] = s.Note,
                ["initiative"] = JsonSerializer.SerializeToNode(s.Initiative, DraftJson),
                ["createUrl"] = s.CreateUrl,
            })]),
    };

    private static JsonObject Assessment(MaturityAssessment a, bool answers)
    {
        var json = new JsonObject
        {
            ["id"] = a.Id,
            ["department"] = a.Department,
            ["assessedAt"] = a.AssessedAt,
            ["assessedBy"] = a.AssessedBy,
            ["score"] = a.Scores.Overall is { } overall ? Round(overall) : null,
            ["level"] = a.Scores.Overall is { } mean ? MaturityChecklist.LevelOf(mean).Key : null,
            ["answered"] = a.Scores.Answered,
            ["areas"] = Areas(a.Scores.Areas),
        };
        if (answers)
        {
            json["answers"] = JsonNode.Parse(MaturityAnswers.Write(a.Answers));
        }

        return json;
    }

    private static JsonObject? Change(MaturityChange? change) => change is null ? null : new JsonObject
    {
        ["score"] = change.Overall is { } overall ? Round(overall) : null,
        ["practices"] = change.Practices,
        ["areas"] = Areas(change.Areas),
    };

    private static JsonObject Areas(IReadOnlyDictionary<string, double?> areas) =>
        new(MaturityChecklist.Areas.Select(a => KeyValuePair.Create(a.Key, areas[a.Key] is { } v ? (JsonNode?)Round(v) : null)));

    // Away from zero, as the pages format numbers: 1.125 is 1.13 in both.
    private static double Round(double value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);
}
