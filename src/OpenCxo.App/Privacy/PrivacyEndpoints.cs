using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpenCxo.App.Security;

namespace OpenCxo.App.Privacy;

/// <summary>A consent answer as the API takes it.</summary>
/// <param name="Granted">True: the customer agrees to the purpose; false: refuses (or withdraws).</param>
/// <param name="Source">Where the answer came from (a form, a call, a letter); default <c>api</c>.</param>
public sealed record ConsentInput(bool? Granted, string? Source);

public static class PrivacyEndpoints
{
    public static IServiceCollection AddPrivacy(this IServiceCollection services)
    {
        services.AddSingleton<CustomerPrivacy>();
        services.AddOptions<RetentionOptions>().BindConfiguration("Retention").ValidateOnStart();
        services.AddSingleton<RetentionService>();
        services.AddHostedService<RetentionJob>();
        return services;
    }

    public static IEndpointRouteBuilder MapPrivacyApi(this IEndpointRouteBuilder app)
    {
        var customers = app.MapGroup("/api/v1/customers/{id:long}").WithTags("Privacy");
        customers.MapGet("/consents", async Task<Results<Ok<IReadOnlyList<ConsentState>>, NotFound>> (long id, HttpContext http, [FromServices] CustomerPrivacy privacy, CancellationToken ct) =>
                await privacy.ConsentsAsync(http.User.WorkspaceId(), id, ct) is { } consents ? TypedResults.Ok(consents) : TypedResults.NotFound())
            .RequireAuthorization(Scopes.CustomersRead)
            .WithName("GetConsents").WithSummary("The consent in force per purpose (surveys, marketing, profiling): granted, refused, or null when none was recorded.");
        customers.MapPut("/consents/{purpose}", RecordConsent)
            .RequireAuthorization(Scopes.PrivacyWrite)
            .WithName("RecordConsent").WithSummary("Records the customer's answer for one purpose; refusing 'surveys' also opts them out of surveys, granting it lifts that.");
        customers.MapGet("/export", Export)
            .RequireAuthorization(Scopes.PrivacyWrite)
            .WithName("ExportCustomerData").WithSummary("Everything held about the customer (GDPR articles 15 and 20), as JSON; audited.");
        customers.MapDelete("", Erase)
            .RequireAuthorization(Scopes.PrivacyWrite)
            .WithName("EraseCustomer").WithSummary("Erases the customer and every profile merged into it (GDPR article 17), leaving an audit entry; ?reason= is recorded with it.");

        // The Customer 360 page's download, for a signed-in person's cookie.
        app.MapGet("/export/customers/{id:long}.json", Export).RequireAuthorization(UiPolicies.Privacy).ExcludeFromDescription();

        var retention = app.MapGroup("/api/v1/retention").WithTags("Privacy").RequireAuthorization(Scopes.PrivacyWrite);
        retention.MapGet("", async (HttpContext http, [FromServices] RetentionService service, CancellationToken ct) =>
                TypedResults.Ok(RetentionPolicies.ToJson(await service.GetAsync(http.User.WorkspaceId(), ct))))
            .WithName("GetRetention").WithSummary("The workspace's retention policies: per kind of data, delete or anonymise what is older than N months.");
        retention.MapPut("", PutRetention)
            .WithName("PutRetention").WithSummary("Replaces the retention policies; the next run (hourly, or POST /run) applies them.");
        retention.MapPost("/run", async (HttpContext http, [FromServices] RetentionService service, CancellationToken ct) =>
                TypedResults.Ok(await service.RunAsync(http.User.WorkspaceId(), AuditActors.Of(http), ct)))
            .WithName("RunRetention").WithSummary("Applies the policies now and says what each removed or anonymised.");
        return app;
    }

    private static async Task<Results<Ok<ConsentState>, NotFound, ValidationProblem>> RecordConsent(
        long id, string purpose, ConsentInput? input, HttpContext http, [FromServices] CustomerPrivacy privacy, CancellationToken ct)
    {
        if (!CustomerPrivacy.Purposes.Contains(purpose))
        {
            return Problem("purpose", $"unknown purpose '{purpose}' (known: {string.Join(", ", CustomerPrivacy.Purposes)})");
        }

        if (input?.Granted is not { } granted)
        {
            return Problem("granted", "say true (the customer agrees) or false (refuses or withdraws)");
        }

        var source = string.IsNullOrWhiteSpace(input.Source) ? "api" : input.Source.Trim();
        if (source.Length > CustomerPrivacy.MaxSourceLength)
        {
            return Problem("source", $"must be at most {CustomerPrivacy.MaxSourceLength} characters");
        }

        return await privacy.RecordAsync(http.User.WorkspaceId(), id, purpose, granted, source, ct) is { } state ? TypedResults.Ok(state) : TypedResults.NotFound();
    }

    private static async Task<Results<Ok<JsonObject>, NotFound>> Export(long id, HttpContext http, [FromServices] CustomerPrivacy privacy, CancellationToken ct)
    {
        if (await privacy.ExportAsync(http.User.WorkspaceId(), id, AuditActors.Of(http), ct) is not { } export)
        {
            return TypedResults.NotFound();
        }

        http.Response.Headers.ContentDisposition = $"attachment; filename=customer-{id.ToString(CultureInfo.InvariantCulture)}.json";
        return TypedResults.Ok(export);
    }

    private static async Task<Results<Ok<ErasureReport>, NotFound, ValidationProblem>> Erase(
        long id, string? reason, HttpContext http, [FromServices] CustomerPrivacy privacy, CancellationToken ct)
    {
        if (reason is { Length: > 500 })
        {
            return Problem("reason", "must be at most 500 characters");
        }

        return await privacy.EraseAsync(http.User.WorkspaceId(), id, AuditActors.Of(http), reason, ct) is { } report ? TypedResults.Ok(report) : TypedResults.NotFound();
    }

    private static async Task<Results<Ok<JsonObject>, ValidationProblem>> PutRetention(
        JsonNode? body, HttpContext http, [FromServices] RetentionService service, CancellationToken ct)
    {
        var (policies, errors) = RetentionPolicies.Parse(body);
        if (policies is null)
        {
            return TypedResults.ValidationProblem(errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()));
        }

        await service.SaveAsync(http.User.WorkspaceId(), policies, ct);
        return TypedResults.Ok(RetentionPolicies.ToJson(policies));
    }

    private static ValidationProblem Problem(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
