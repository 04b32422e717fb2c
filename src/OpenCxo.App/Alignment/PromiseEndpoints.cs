using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpenCxo.App.Kpis;
using OpenCxo.App.Security;
using OpenCxo.App.Text;
using OpenCxo.Core.Alignment;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Metrics;

namespace OpenCxo.App.Alignment;

public static class PromiseEndpoints
{
    public static IServiceCollection AddAlignment(this IServiceCollection services)
    {
        services.AddSingleton<PromiseService>();
        services.AddSingleton<SalesQualityService>();
        services.AddSingleton<ServiceBalanceService>();
        services.AddSingleton<DigestService>();
        return services;
    }

    public static IEndpointRouteBuilder MapAlignmentApi(this IEndpointRouteBuilder app)
    {
        app.MapSalesQualityApi();
        ServiceBalanceService.MapServiceBalanceApi(app);
        app.MapDigestApi();
        var read = app.MapGroup("/api/v1/promises").RequireAuthorization(Scopes.StatsRead).WithTags("Promises");
        read.MapGet("", async (HttpContext http, [FromServices] PromiseService promises, [FromServices] IAuthorizationService authorization, CancellationToken ct) =>
            {
                var workspace = http.User.WorkspaceId();
                var recipients = await RecipientsAsync(http, authorization);
                var states = new JsonArray();
                foreach (var promise in await promises.ListAsync(workspace, ct))
                {
                    states.Add(PromiseJson.State(await promises.StateAsync(workspace, promise, ct), recipients));
                }

                return TypedResults.Ok(new JsonObject { ["promises"] = states });
            })
            .WithName("ListPromises")
            .WithSummary("Every promise with where it stands over its window: share of contacts kept with its Wilson interval, target, status "
                + "(onTrack, atRisk, offTrack, tooFew, noData) and the hours, channels and teams that miss the target.");
        read.MapGet("/{key}", async Task<Results<Ok<JsonObject>, NotFound<ProblemDetails>, ValidationProblem>> (
                string key, string? to, HttpContext http, [FromServices] PromiseService promises, [FromServices] IAuthorizationService authorization, CancellationToken ct) =>
            {
                DateOnly? last = null;
                if (to is not null)
                {
                    if (!SalesQualityEndpoints.TryDay(to, out var day))
                    {
                        return KpiEndpoints.Invalid([new FieldError("to", "must be a day, yyyy-MM-dd")]);
                    }

                    last = day;
                }

                var workspace = http.User.WorkspaceId();
                if (await promises.GetAsync(workspace, key, ct) is not { } promise)
                {
                    return NotFound(key);
                }

                var report = await promises.ReportAsync(workspace, promise, ct, last);
                // Customers' own words, even redacted, are customer data.
                var verbatims = (await authorization.AuthorizeAsync(http.User, Scopes.CustomersRead)).Succeeded;
                return TypedResults.Ok(PromiseJson.Report(report, verbatims, await RecipientsAsync(http, authorization)));
            })
            .WithName("GetPromise")
            .WithSummary("One promise's report over its window ending on to (yyyy-MM-dd, default today): keep rate overall, by local hour, channel and team, "
                + "weekly for 26 weeks; the customers acquired under its campaigns against those acquired otherwise in the same span (NPS, churn and net "
                + "revenue within 180 days, complaints about it, each with an interval and a test) and the promise gap in money; the reps who sold to them; "
                + "with customers:read, the newest complaints, redacted.");

        var write = app.MapGroup("/api/v1/promises").RequireAuthorization(Scopes.KpisWrite).WithTags("Promises");
        write.MapPost("", (HttpContext http, [FromServices] PromiseService promises, CancellationToken ct) => SaveAsync(http, null, promises, ct))
            .WithName("CreatePromise").Accepts<PromiseDefinition>("application/json")
            .WithSummary("Creates a promise from its JSON definition (docs/promises.md): 201; each problem is named by its field (400); a key in use is 409.");
        write.MapPut("/{key}", (string key, HttpContext http, [FromServices] PromiseService promises, CancellationToken ct) => SaveAsync(http, key, promises, ct))
            .WithName("ReplacePromise").Accepts<PromiseDefinition>("application/json")
            .WithSummary("Creates (201) or replaces (200) a promise and its owners' alert rules; the whole history is judged by the new rule at once.");
        write.MapDelete("/{key}", async Task<Results<NoContent, NotFound<ProblemDetails>>> (string key, HttpContext http, [FromServices] PromiseService promises, CancellationToken ct) =>
                await promises.DeleteAsync(http.User.WorkspaceId(), key, ct) ? TypedResults.NoContent() : NotFound(key))
            .WithName("DeletePromise")
            .WithSummary("Deletes a promise with its alert rules and their alerts.");
        return app;
    }

    private static async Task<Results<Ok<JsonObject>, Created<JsonObject>, ValidationProblem, Conflict<ProblemDetails>>> SaveAsync(
        HttpContext http, string? key, PromiseService promises, CancellationToken ct)
    {
        var (promise, problem) = await KpiEndpoints.ReadKeyedAsync<PromiseDefinition>(http, PromiseService.Json, key, p => p.Key, ct);
        if (promise is null)
        {
            return KpiEndpoints.Invalid([problem!]);
        }

        var workspace = http.User.WorkspaceId();
        var saved = await promises.SaveAsync(workspace, promise, KpiEndpoints.Who(http.User), replace: key is not null, ct);
        if (saved.Conflict)
        {
            return KpiEndpoints.Clash(saved);
        }

        if (!saved.Ok)
        {
            return KpiEndpoints.Invalid(saved.Errors);
        }

        var state = PromiseJson.State(await promises.StateAsync(workspace, promise, ct));
        return saved.Created ? TypedResults.Created("/api/v1/promises/" + promise.Key, state) : TypedResults.Ok(state);
    }

    // The owners' addresses and webhooks may carry secrets: shown to those who may change them, as alert rules are.
    private static async Task<bool> RecipientsAsync(HttpContext http, IAuthorizationService authorization) =>
        (await authorization.AuthorizeAsync(http.User, Scopes.KpisWrite)).Succeeded;

    private static NotFound<ProblemDetails> NotFound(string key) => TypedResults.NotFound(new ProblemDetails
    {
        Title = "No such promise",
        Detail = $"'{(key.Length > 40 ? key[..40] + "…" : key)}' is not a promise of this workspace: GET /api/v1/promises lists them",
        Status = StatusCodes.Status404NotFound,
    });
}

/// <summary>Promises as the API, the CLI's --json and the alert details write them.</summary>
public static class PromiseJson
{
    /// <param name="recipients">Whether the owners' e-mail addresses and webhooks are shown (to those who may change them).</param>
    public static JsonObject State(PromiseState state, bool recipients = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        var promise = recipients ? state.Definition
            : state.Definition with { MarketingOwner = new PromiseOwner(state.Definition.MarketingOwner.Name), ServiceOwner = new PromiseOwner(state.Definition.ServiceOwner.Name) };
        return new JsonObject
        {
            ["key"] = promise.Key,
            ["name"] = promise.Name,
            ["claim"] = promise.Claim,
            ["status"] = KpiService.StatusName(state.Status),
            ["from"] = Day(state.From),
            ["to"] = Day(state.To),
            ["target"] = promise.Target,
            ["kept"] = Rate(state.Whole.Rate),
            ["pending"] = state.Pending,
            ["shortfalls"] = new JsonArray([.. state.Shortfalls.Select(s => (JsonNode)new JsonObject
            {
                ["slice"] = s.Slice,
                ["key"] = s.Key,
                ["status"] = KpiService.StatusName(s.Status),
                ["kept"] = Rate(s.Rate),
            })]),
            ["marketingOwner"] = promise.MarketingOwner.Name,
            ["serviceOwner"] = promise.ServiceOwner.Name,
            ["definition"] = JsonSerializer.SerializeToNode(promise, PromiseService.Json),
        };
    }

    public static JsonObject Report(PromiseReport report, bool verbatims, bool recipients = true)
    {
        ArgumentNullException.ThrowIfNull(report);
        var json = State(report.State, recipients);
        var slices = new JsonObject();
        foreach (var slice in Promises.Slices)
        {
            slices[slice] = new JsonArray([.. report.Cells.Where(c => c.Slice == slice).Select(c => (JsonNode)Cell(c.Cell))]);
        }

        json["by"] = slices;
        json["weekly"] = new JsonArray([.. report.Weekly.Select(w => (JsonNode)Cell(w))]);
        json["acquired"] = report.Gap is { } gap ? Gap(report, gap) : null;
        json["reps"] = new JsonArray([.. report.Reps.Select(r => (JsonNode)new JsonObject { ["rep"] = r.Rep, ["customers"] = r.Customers })]);
        if (verbatims)
        {
            json["complaints"] = new JsonArray([.. report.Complaints.Select(v => (JsonNode)FeedbackVerbatims.ToJson(v))]);
        }

        return json;
    }

    private static JsonObject Gap(PromiseReport report, PromiseGap gap) => new()
    {
        ["from"] = report.CohortFrom?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["to"] = report.CohortTo?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["horizonDays"] = report.HorizonDays,
        ["currency"] = report.Currency,
        ["promised"] = Group(gap.Promised, gap.PromisedNps, gap.PromisedChurn, gap.PromisedValue, gap.PromisedComplaints),
        ["others"] = Group(gap.Others, gap.OthersNps, gap.OthersChurn, gap.OthersValue, gap.OthersComplaints),
        ["difference"] = new JsonObject
        {
            ["nps"] = Compare(gap.Nps),
            ["churn"] = Compare(gap.Churn),
            ["value"] = Compare(gap.Value),
            ["complaints"] = Compare(gap.Complaints),
        },
        ["moneyGap"] = new JsonObject { ["value"] = KpiJson.Round(gap.MoneyGap), ["low"] = KpiJson.Round(gap.MoneyGapLow), ["high"] = KpiJson.Round(gap.MoneyGapHigh) },
        ["extraChurned"] = KpiJson.Round(gap.ExtraChurned),
    };

    private static JsonObject Group(CohortFigures figures, NpsEstimate nps, Estimate churn, Estimate value, Estimate complaints) => new()
    {
        ["customers"] = figures.Customers,
        ["nps"] = Rate(nps.Score),
        ["churn"] = Rate(churn),
        ["value"] = Rate(value),
        ["complaints"] = Rate(complaints),
    };

    private static JsonObject Cell(PromiseCell cell)
    {
        var json = Rate(cell.Rate);
        json["key"] = cell.Key;
        json["kept"] = cell.Kept;
        return json;
    }

    private static JsonObject Rate(Estimate e) => new() { ["value"] = KpiJson.Round(e.Value), ["low"] = KpiJson.Round(e.Low), ["high"] = KpiJson.Round(e.High), ["n"] = e.N };

    private static JsonObject Compare(Comparison c) => new()
    {
        ["value"] = KpiJson.Round(c.Difference),
        ["low"] = KpiJson.Round(c.Low),
        ["high"] = KpiJson.Round(c.High),
        ["pValue"] = KpiJson.Round(c.PValue),
        ["significant"] = c.Significant,
    };

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
