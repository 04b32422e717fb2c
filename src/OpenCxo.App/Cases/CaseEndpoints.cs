using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using OpenCxo.Data.Storage;
using OpenCxo.App.Security;
using OpenCxo.Core.Cases;
using OpenCxo.Core.Ingest;

namespace OpenCxo.App.Cases;

public sealed record CaseOptions : IValidatableObject
{
    /// <summary>How often new answers, texts and model runs are read for cases, and overdue cases escalated.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Off only where another server of the same database runs the opener (running it on several is safe, only wasteful).</summary>
    public bool Run { get; init; } = true;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Interval < TimeSpan.FromSeconds(1) || Interval > TimeSpan.FromDays(1))
        {
            yield return new ValidationResult("Cases:Interval must be between 1 second and 1 day", [nameof(Interval)]);
        }
    }
}

/// <summary>Runs the case opener and SLA escalation every <see cref="CaseOptions.Interval"/>.</summary>
public sealed partial class CaseJob(CaseService cases, JobLeases leases, IOptions<CaseOptions> options, TimeProvider time, ILogger<CaseJob> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Run)
        {
            return;
        }

        // The first pass one interval after start, not during it: a large backlog waits for the server to be up.
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await leases.RunAsync("cases", JobLeases.TermFor(options.Value.Interval), async token =>
                {
                    var pass = await cases.RunAsync(token).ConfigureAwait(false);
                    if (pass.Opened > 0 || pass.Escalated > 0)
                    {
                        LogPass(logger, pass.Opened, pass.Escalated);
                    }
                }, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cases: {Opened} opened, {Escalated} escalated")]
    private static partial void LogPass(ILogger logger, int opened, int escalated);

    [LoggerMessage(Level = LogLevel.Error, Message = "The case opener failed; retrying on the next tick")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

/// <summary>A step on a case: <c>rootCause</c> for resolve; a note with any step, or alone.</summary>
public sealed record CaseStepRequest(string? RootCause = null, string? Note = null);

public static class CaseEndpoints
{
    public static readonly IReadOnlyList<string> Statuses = ["open", "new", "contacted", "resolved", "not-reachable"];

    public static IServiceCollection AddCases(this IServiceCollection services)
    {
        services.AddOptions<CaseOptions>().BindConfiguration("Cases").ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<CaseService>();
        services.AddSingleton<CaseMetrics>();
        services.AddHostedService<CaseJob>();
        return services;
    }

    public static IEndpointRouteBuilder MapCasesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/cases").WithTags("Cases");
        group.MapGet("", ListAsync).RequireAuthorization(Scopes.CustomersRead).WithName("ListCases")
            .WithSummary("Cases, open first by due time. Query: status (open, new, contacted, resolved, not-reachable), department, team, owner, customer, "
                + "overdue=true, offset, limit (1–200, default 50).");
        group.MapGet("/metrics", MetricsAsync).RequireAuthorization(Scopes.StatsRead).WithName("GetCaseMetrics")
            .WithSummary("How the loop closes over the cases opened from..to (yyyy-MM-dd; default the last 90 days): closure rate, SLA met, hours to first "
                + "contact (median, 90th percentile), escalations, and recovery — detractors' next NPS answer and cancellations within 90 days, contacted "
                + "against not contacted, with Wilson intervals and a two-proportion test.");
        group.MapGet("/{id:long}", GetAsync).RequireAuthorization(Scopes.CustomersRead).WithName("GetCase")
            .WithSummary("One case with its notes and history; the customer's 360° profile is /api/v1/customers/{customerId}.");
        foreach (var step in new[] { "contact", "resolve", "not-reachable" })
        {
            group.MapPost("/{id:long}/" + step, (long id, HttpContext http, [FromServices] CaseService cases, CancellationToken ct) => StepAsync(id, step, http, cases, ct))
                .RequireAuthorization(Scopes.CasesWrite).WithName("Case" + string.Concat(step.Split('-').Select(w => char.ToUpperInvariant(w[0]) + w[1..])))
                .Accepts<CaseStepRequest>("application/json")
                .WithSummary(step switch
                {
                    "contact" => "The customer was reached (the first contact stops the SLA clock). Body: {note}.",
                    "resolve" => "Resolved, with a root cause from the workspace's codes. Body: {rootCause, note}.",
                    _ => "Closed: the customer could not be reached. Body: {note}.",
                });
        }

        group.MapPost("/{id:long}/notes", (long id, HttpContext http, [FromServices] CaseService cases, CancellationToken ct) => StepAsync(id, null, http, cases, ct))
            .RequireAuthorization(Scopes.CasesWrite).WithName("AddCaseNote").Accepts<CaseStepRequest>("application/json").WithSummary("Adds a note. Body: {note}.");
        group.MapGet("/settings", async (HttpContext http, [FromServices] CaseService cases, CancellationToken ct) =>
                TypedResults.Ok(await cases.SettingsAsync(http.User.WorkspaceId(), ct)))
            .RequireAuthorization(Scopes.StatsRead).WithName("GetCaseSettings").WithSummary("The rules that open cases and the root-cause codes (the built-in ones until edited).");
        group.MapPut("/settings", PutSettingsAsync).RequireAuthorization(Scopes.KpisWrite).WithName("PutCaseSettings").Accepts<CaseSettings>("application/json")
            .WithSummary("Replaces the case rules and root-cause codes whole (docs/cases.md). Every problem is named by its place; nothing is saved then.");
        group.MapPost("/sweep", async ([FromServices] CaseService cases, CancellationToken ct) => TypedResults.Ok(await cases.RunAsync(ct)))
            .RequireAuthorization(Scopes.Admin).WithName("SweepCases")
            .WithSummary("Opens the cases new answers, texts and model runs of every workspace call for, and escalates overdue ones, now (admin: it works for all workspaces).");
        return app;
    }

    /// <summary>Reads a case list query strictly: a value that cannot be used is named.</summary>
    public static (CaseQuery? Query, int Offset, int Limit, FieldError? Problem) Parse(
        string? status, string? department, string? team, string? owner, string? customer, string? overdue, string? offset, string? limit)
    {
        if (status is not null && !Statuses.Contains(status))
        {
            return (null, 0, 0, new FieldError("status", $"must be one of {string.Join(", ", Statuses)}"));
        }

        if (department is not null && !Vocabulary.Departments.Contains(department))
        {
            return (null, 0, 0, new FieldError("department", $"must be one of {string.Join(", ", Vocabulary.Departments)}"));
        }

        if (team is { Length: 0 or > 100 } || owner is { Length: 0 or > 100 })
        {
            return (null, 0, 0, new FieldError(team is { Length: 0 or > 100 } ? "team" : "owner", "must be 1–100 characters"));
        }

        long? who = null;
        if (customer is not null)
        {
            if (!long.TryParse(customer, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                return (null, 0, 0, new FieldError("customer", "must be a customer number"));
            }

            who = id;
        }

        if (overdue is not (null or "true" or "false"))
        {
            return (null, 0, 0, new FieldError("overdue", "must be true or false"));
        }

        var skip = 0;
        if (offset is not null && !int.TryParse(offset, NumberStyles.None, CultureInfo.InvariantCulture, out skip))
        {
            return (null, 0, 0, new FieldError("offset", "must be a whole number from 0"));
        }

        var take = 50;
        if (limit is not null && !(int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out take) && take is >= 1 and <= CaseService.MaxPageSize))
        {
            return (null, 0, 0, new FieldError("limit", $"must be a whole number from 1 to {CaseService.MaxPageSize}"));
        }

        return (new CaseQuery(status, department, team, owner, who, overdue == "true"), skip, take, null);
    }

    private static async Task<Results<Ok<CasePage>, ValidationProblem>> ListAsync(HttpContext http, [FromServices] CaseService cases, CancellationToken ct)
    {
        var q = http.Request.Query;
        var (query, offset, limit, problem) = Parse(
            q["status"].FirstOrDefault(), q["department"].FirstOrDefault(), q["team"].FirstOrDefault(), q["owner"].FirstOrDefault(), q["customer"].FirstOrDefault(),
            q["overdue"].FirstOrDefault(), q["offset"].FirstOrDefault(), q["limit"].FirstOrDefault());
        return query is null ? Problem(problem!) : TypedResults.Ok(await cases.ListAsync(http.User.WorkspaceId(), query, offset, limit, ct));
    }

    private static async Task<Results<Ok<CaseMetricsReport>, ValidationProblem>> MetricsAsync(
        string? from, string? to, HttpContext http, [FromServices] CaseMetrics metrics, [FromServices] TimeProvider time, CancellationToken ct)
    {
        var (period, problem) = Metrics.MetricsQuery.Parse(from, to, [], [], [], [], null, null, null, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
        return period is null ? Problem(problem!) : TypedResults.Ok(await metrics.ReportAsync(http.User.WorkspaceId(), period.From, period.To, ct));
    }

    private static async Task<Results<Ok<CaseDetail>, NotFound>> GetAsync(long id, HttpContext http, [FromServices] CaseService cases, CancellationToken ct) =>
        await cases.GetAsync(http.User.WorkspaceId(), id, ct) is { } found ? TypedResults.Ok(found) : TypedResults.NotFound();

    private static async Task<Results<Ok<CaseDetail>, NotFound, ValidationProblem, Conflict<ProblemDetails>>> StepAsync(
        long id, string? step, HttpContext http, CaseService cases, CancellationToken ct)
    {
        CaseStepRequest body = new();
        if (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            var (read, unreadable) = await Kpis.KpiEndpoints.ReadJsonAsync<CaseStepRequest>(http, CaseService.Json, ct);
            if (read is null)
            {
                return Problem(unreadable!);
            }

            body = read;
        }

        if (body.Note is { Length: > 4000 })
        {
            return Problem(new FieldError("note", "must be at most 4,000 characters"));
        }

        if (body.RootCause is not null && step != "resolve")
        {
            return Problem(new FieldError("rootCause", "is given when a case is resolved, not with this step"));
        }

        if (step is null && string.IsNullOrWhiteSpace(body.Note))
        {
            return Problem(new FieldError("note", "is required"));
        }

        try
        {
            var author = http.User.Identity?.Name ?? "api";
            return await cases.StepAsync(http.User.WorkspaceId(), id, step, body.RootCause, body.Note, author, ct) is { } done ? TypedResults.Ok(done) : TypedResults.NotFound();
        }
        catch (CaseStateException e)
        {
            return step == "resolve" && e.Message.Contains("root causes", StringComparison.Ordinal)
                ? Problem(new FieldError("rootCause", e.Message))
                : TypedResults.Conflict(new ProblemDetails { Title = "Not possible in the case's state", Detail = e.Message, Status = StatusCodes.Status409Conflict });
        }
    }

    private static async Task<Results<Ok<CaseSettings>, ValidationProblem>> PutSettingsAsync(HttpContext http, [FromServices] CaseService cases, CancellationToken ct)
    {
        var (settings, unreadable) = await Kpis.KpiEndpoints.ReadJsonAsync<CaseSettings>(http, CaseService.Json, ct);
        if (settings is null)
        {
            return Problem(unreadable!);
        }

        var errors = CaseRules.Validate(settings);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()));
        }

        await cases.SaveSettingsAsync(http.User.WorkspaceId(), settings, ct);
        return TypedResults.Ok(settings);
    }

    private static ValidationProblem Problem(FieldError error) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [error.Field] = [error.Message] });
}
