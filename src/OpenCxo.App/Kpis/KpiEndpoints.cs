using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpenCxo.App.Security;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Metrics;

namespace OpenCxo.App.Kpis;

public static class KpiEndpoints
{
    /// <summary>A KPI document is small; anything larger is refused before it is read.</summary>
    public const long MaxBodyBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapKpiApi(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/v1/kpis").RequireAuthorization(Scopes.StatsRead).WithTags("KPIs");
        read.MapGet("", async (HttpContext http, [FromServices] KpiService kpis, CancellationToken ct) =>
                TypedResults.Ok(new JsonObject { ["kpis"] = new JsonArray([.. (await kpis.StatesAsync(http.User.WorkspaceId(), ct)).Select(s => (JsonNode)KpiJson.State(s))]) }))
            .WithName("ListKpis")
            .WithSummary("Every KPI with where it stands now: value and interval over the last period, target, status (onTrack, atRisk, offTrack, tooFew, noData), trend and snapshots.");
        read.MapGet("/{key}", async Task<Results<Ok<JsonObject>, NotFound<ProblemDetails>>> (string key, HttpContext http, [FromServices] KpiService kpis, CancellationToken ct) =>
                await kpis.StateAsync(http.User.WorkspaceId(), key, ct) is { } state ? TypedResults.Ok(KpiJson.State(state)) : NotFound(key))
            .WithName("GetKpi")
            .WithSummary("One KPI: its definition, where it stands now, its trend and its snapshots per period.");
        app.MapGet("/api/v1/scorecards", async (HttpContext http, [FromServices] KpiService kpis, CancellationToken ct) =>
                TypedResults.Ok(KpiJson.Scorecards(await kpis.StatesAsync(http.User.WorkspaceId(), ct))))
            .RequireAuthorization(Scopes.StatsRead).WithTags("KPIs")
            .WithName("GetScorecards")
            .WithSummary("The company's scorecard and one per department: each KPI's status, and how many are on track, at risk and off track.");

        app.MapGet("/api/v1/council", async Task<Results<Ok<JsonObject>, ValidationProblem>> (
                HttpContext http, [FromServices] KpiService kpis, [FromServices] AlertService alerts, [FromServices] Data.Analytics.AnalyticsStore store,
                [FromServices] Data.Storage.CxoDbFactory databases, [FromServices] TimeProvider time, CancellationToken ct, string? month = null) =>
            {
                if (CouncilReport.ParseMonth(month, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime)) is not var (from, to))
                {
                    return Invalid([new FieldError("month", "must be a month, yyyy-MM")]);
                }

                return TypedResults.Ok((await CouncilReport.BuildAsync(kpis, alerts, store, databases, http.User.WorkspaceId(), from, to, ct)).ToJson());
            })
            .RequireAuthorization(Scopes.StatsRead).WithTags("KPIs")
            .WithName("GetCouncilReport")
            .WithSummary("The monthly CX council report (month=yyyy-MM, default the last complete month): every KPI by owner department over the month and the one before, "
                + "with target, status, the change and its p-value, the off-track KPIs and the month's alerts. The web UI prints it at /council.");

        var write = app.MapGroup("/api/v1/kpis").RequireAuthorization(Scopes.KpisWrite).WithTags("KPIs");
        write.MapPost("", async Task<Results<Created<JsonObject>, ValidationProblem, Conflict<ProblemDetails>>> (HttpContext http, [FromServices] KpiService kpis, CancellationToken ct) =>
            {
                var (kpi, problems) = await ReadAsync(http, null, ct);
                var saved = problems is null ? await kpis.SaveAsync(http.User.WorkspaceId(), kpi!, Who(http.User), replace: false, ct) : new Saved(problems);
                return saved.Conflict ? Clash(saved)
                    : !saved.Ok ? Invalid(saved.Errors)
                    : TypedResults.Created("/api/v1/kpis/" + kpi!.Key, KpiJson.State((await kpis.StateAsync(http.User.WorkspaceId(), kpi.Key, ct))!));
            })
            .WithName("CreateKpi")
            .WithSummary("Creates a KPI from its JSON definition (docs/kpis.md): 201; each problem is named by its field (400); a key in use is 409.");
        write.MapPut("/{key}", async Task<Results<Ok<JsonObject>, Created<JsonObject>, ValidationProblem, Conflict<ProblemDetails>>> (string key, HttpContext http, [FromServices] KpiService kpis, CancellationToken ct) =>
            {
                var (kpi, problems) = await ReadAsync(http, key, ct);
                var saved = problems is null ? await kpis.SaveAsync(http.User.WorkspaceId(), kpi!, Who(http.User), replace: true, ct) : new Saved(problems);
                if (saved.Conflict)
                {
                    return Clash(saved);
                }

                if (!saved.Ok)
                {
                    return Invalid(saved.Errors);
                }

                var state = KpiJson.State((await kpis.StateAsync(http.User.WorkspaceId(), key, ct))!);
                return saved.Created ? TypedResults.Created("/api/v1/kpis/" + key, state) : TypedResults.Ok(state);
            })
            .WithName("ReplaceKpi")
            .WithSummary("Creates (201) or replaces (200) a KPI; its snapshots start again when what they measured changed (metric, slice, filters, target, direction, period, currency, minimum).");
        write.MapDelete("/{key}", async Task<Results<NoContent, NotFound<ProblemDetails>>> (string key, HttpContext http, [FromServices] KpiService kpis, CancellationToken ct) =>
                await kpis.DeleteAsync(http.User.WorkspaceId(), key, ct) ? TypedResults.NoContent() : NotFound(key))
            .WithName("DeleteKpi")
            .WithSummary("Deletes a KPI and its snapshots.");
        return app;
    }

    internal static string Who(ClaimsPrincipal user) => user.Identity?.Name ?? "api";

    internal static NotFound<ProblemDetails> NotFound(string key) => TypedResults.NotFound(new ProblemDetails
    {
        Title = "No such KPI",
        Detail = $"'{(key.Length > 40 ? key[..40] + "…" : key)}' is not a KPI of this workspace: GET /api/v1/kpis lists them",
        Status = StatusCodes.Status404NotFound,
    });

    internal static Conflict<ProblemDetails> Clash(Saved saved) => TypedResults.Conflict(new ProblemDetails
    {
        Title = "Key in use",
        Detail = saved.Errors[0].Message,
        Status = StatusCodes.Status409Conflict,
    });

    internal static ValidationProblem Invalid(IReadOnlyList<FieldError> problems) =>
        TypedResults.ValidationProblem(problems.GroupBy(p => p.Field).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()));

    /// <summary>Reads a KPI document: size-limited, strict JSON (unknown fields refused), its key matching the URL's.</summary>
    private static async Task<(KpiDefinition? Kpi, IReadOnlyList<FieldError>? Problems)> ReadAsync(HttpContext http, string? key, CancellationToken ct)
    {
        var (kpi, problem) = await ReadKeyedAsync<KpiDefinition>(http, KpiDefinition.Json, key, k => k.Key, ct);
        return kpi is null ? (null, [problem!]) : (kpi, null);
    }

    /// <summary>
    /// A keyed document (KPI, segment, campaign, initiative, promise) as <see cref="ReadJsonAsync"/> reads it, refused when a
    /// PUT's <paramref name="key"/> (null for a POST) is not the key in the body.
    /// </summary>
    internal static async Task<(T? Value, FieldError? Problem)> ReadKeyedAsync<T>(HttpContext http, JsonSerializerOptions options, string? key, Func<T, string> keyOf, CancellationToken ct)
        where T : class
    {
        var (value, problem) = await ReadJsonAsync<T>(http, options, ct);
        return value is not null && key is not null && keyOf(value) != key
            ? (null, new FieldError("key", $"is '{keyOf(value)}' in the body but '{key}' in the URL"))
            : (value, problem);
    }

    /// <summary>
    /// Creates or replaces a keyed document (segment, campaign, initiative) from the request body: read as
    /// <see cref="ReadKeyedAsync"/> does, handed to <paramref name="save"/> (workspace, document, who, replace), and,
    /// once saved, <paramref name="describe"/>d as it is now stored (workspace, key).
    /// </summary>
    internal static async Task<(Saved Saved, JsonObject? Json)> SaveKeyedAsync<T>(
        HttpContext http, JsonSerializerOptions options, string? key, Func<T, string> keyOf,
        Func<long, T, string, bool, CancellationToken, Task<Saved>> save, Func<long, string, CancellationToken, Task<JsonObject>> describe, CancellationToken ct)
        where T : class
    {
        var (document, problem) = await ReadKeyedAsync(http, options, key, keyOf, ct);
        if (document is null)
        {
            return (new Saved([problem!]), null);
        }

        var workspace = http.User.WorkspaceId();
        var saved = await save(workspace, document, Who(http.User), key is not null, ct);
        return saved.Ok ? (saved, await describe(workspace, keyOf(document), ct)) : (saved, null);
    }

    /// <summary>The answer to a POST that creates a keyed document under <paramref name="collection"/> (ending in '/').</summary>
    internal static Results<Created<JsonObject>, ValidationProblem, Conflict<ProblemDetails>> Created((Saved Saved, JsonObject? Json) result, string collection) => result switch
    {
        (var saved, _) when saved.Conflict => Clash(saved),
        (var saved, _) when !saved.Ok => Invalid(saved.Errors),
        (_, var json) => TypedResults.Created(collection + json!["key"], json),
    };

    /// <summary>The answer to a PUT that creates or replaces a keyed document.</summary>
    internal static Results<Ok<JsonObject>, ValidationProblem> Replaced((Saved Saved, JsonObject? Json) result) =>
        result.Saved.Ok ? TypedResults.Ok(result.Json!) : Invalid(result.Saved.Errors);

    /// <summary>A JSON document of at most <see cref="MaxBodyBytes"/>; a problem names the JSON path where it could not be read.</summary>
    internal static async Task<(T? Value, FieldError? Problem)> ReadJsonAsync<T>(HttpContext http, JsonSerializerOptions options, CancellationToken ct)
        where T : class
    {
        if (http.Request.ContentLength > MaxBodyBytes)
        {
            return (null, new FieldError("body", $"is larger than {MaxBodyBytes / 1024} KB"));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return (null, new FieldError("body", $"is larger than {MaxBodyBytes / 1024} KB"));
            }

            buffer.Write(chunk, 0, read);
        }

        return Parse<T>(buffer.ToArray(), options);
    }

    /// <summary>A document from JSON; a problem names the JSON path where it could not be read.</summary>
    public static (T? Value, FieldError? Problem) Parse<T>(ReadOnlySpan<byte> json, JsonSerializerOptions options)
        where T : class
    {
        try
        {
            var value = JsonSerializer.Deserialize<T>(json, options);
            return value is null ? (null, new FieldError("body", "must be a JSON object")) : (value, null);
        }
        catch (JsonException e)
        {
            var path = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "body" : e.Path.TrimStart('$', '.');
            return (null, new FieldError(path, "cannot be read: " + (e.Message.Length > 300 ? e.Message[..300] : e.Message)));
        }
    }
}

/// <summary>KPIs and scorecards as the API, the CLI and the council report print them.</summary>
public static class KpiJson
{
    public static JsonObject State(KpiState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var kpi = state.Definition;
        var metric = kpi.MetricDefinition;
        var (last, before) = state.LastTwo;
        return new JsonObject
        {
            ["key"] = kpi.Key,
            ["name"] = kpi.Name,
            ["description"] = kpi.Description,
            ["metric"] = kpi.Metric,
            ["unit"] = metric.Unit,
            ["by"] = kpi.By,
            ["slice"] = kpi.Slice,
            ["owner"] = kpi.Owner,
            ["horizon"] = Name(kpi.Horizon),
            ["direction"] = Name(kpi.EffectiveDirection),
            ["period"] = Name(kpi.EffectivePeriod),
            ["minimumN"] = kpi.EffectiveMinimumN,
            ["raci"] = JsonSerializer.SerializeToNode(kpi.EffectiveRaci, KpiDefinition.Json),
            ["filters"] = JsonSerializer.SerializeToNode(kpi.EffectiveFilters, KpiDefinition.Json),
            ["definition"] = JsonSerializer.SerializeToNode(kpi, KpiDefinition.Json),
            ["from"] = Day(state.From),
            ["to"] = Day(state.To),
            ["value"] = Round(state.Reading?.Value),
            ["low"] = Round(state.Reading?.Low),
            ["high"] = Round(state.Reading?.High),
            ["n"] = state.Reading?.N ?? 0,
            ["target"] = Round(state.Target.Value),
            ["targetSource"] = state.Target.Source,
            ["status"] = KpiService.StatusName(state.Status),
            ["problem"] = state.Problem,
            ["trend"] = state.Trend is { } t
                ? new JsonObject { ["slope"] = Round(t.Slope), ["low"] = Round(t.Low), ["high"] = Round(t.High), ["points"] = t.Points, ["improving"] = t.Improving }
                : null,
            ["lastPeriod"] = last is null ? null : Snapshot(last),
            ["change"] = last?.Value is { } now && before?.Value is { } then ? Round(now - then) : null,
            ["history"] = new JsonArray([.. state.History.Select(s => (JsonNode)Snapshot(s))]),
            ["updatedAt"] = state.UpdatedAt.ToString("O", CultureInfo.InvariantCulture),
            ["updatedBy"] = state.UpdatedBy,
        };
    }

    public static JsonObject Snapshot(KpiSnapshot s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new JsonObject
        {
            ["period"] = s.Label,
            ["from"] = Day(s.From),
            ["to"] = Day(s.To),
            ["value"] = Round(s.Value),
            ["low"] = Round(s.Low),
            ["high"] = Round(s.High),
            ["n"] = s.N,
            ["target"] = Round(s.Target),
            ["status"] = KpiService.StatusName(s.Status),
        };
    }

    /// <summary>The company's scorecard (every KPI) and one per owner department, each with its status counts.</summary>
    public static JsonObject Scorecards(IReadOnlyList<KpiState> states)
    {
        ArgumentNullException.ThrowIfNull(states);
        JsonObject Card(string name, IEnumerable<KpiState> kpis)
        {
            var list = kpis.ToList();

            return new JsonObject
            {
                ["name"] = name,
                ["counts"] = Counts(list.Select(s => s.Status)),
                ["kpis"] = new JsonArray([.. list.Select(s => (JsonNode)new JsonObject
                {
                    ["key"] = s.Definition.Key,
                    ["name"] = s.Definition.Name,
                    ["metric"] = s.Definition.Metric,
                    ["owner"] = s.Definition.Owner,
                    ["accountable"] = s.Definition.EffectiveRaci.Accountable is [var accountable, ..] ? accountable : null,
                    ["value"] = Round(s.Reading?.Value),
                    ["low"] = Round(s.Reading?.Low),
                    ["high"] = Round(s.Reading?.High),
                    ["target"] = Round(s.Target.Value),
                    ["status"] = KpiService.StatusName(s.Status),
                    ["improving"] = s.Trend?.Improving,
                })]),
            };
        }

        return new JsonObject
        {
            ["company"] = Card("company", states),
            ["departments"] = new JsonArray([.. Vocabulary.Departments
                .Where(d => states.Any(s => s.Definition.Owner == d))
                .Select(d => (JsonNode)Card(d, states.Where(s => s.Definition.Owner == d)))]),
        };
    }

    private static string Name<T>(T value) where T : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>How many KPIs stand at each status, every status named (0 included).</summary>
    public static JsonObject Counts(IEnumerable<KpiStatus> statuses)
    {
        var all = statuses.ToList();
        var counts = new JsonObject();
        foreach (var status in Enum.GetValues<KpiStatus>())
        {
            counts[KpiService.StatusName(status)] = all.Count(s => s == status);
        }

        return counts;
    }

    /// <summary>A figure as the KPI and alert JSON carries it: four decimals, null when missing or not finite.</summary>
    public static JsonNode? Round(double? value) => value is { } v && double.IsFinite(v) ? Math.Round(v, 4) : null;
}
