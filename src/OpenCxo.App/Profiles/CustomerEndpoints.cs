using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpenCxo.App.Security;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Profiles;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Profiles;

public static class CustomerEndpoints
{
    public static IEndpointRouteBuilder MapCustomersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/customers")
            .RequireAuthorization(Scopes.CustomersRead)
            .WithTags("Customers");
        group.MapGet("/{id:long}", GetCustomer).Audited("customer.view", AuditActors.RouteCustomer).WithName("GetCustomer").WithSummary("The 360° profile of one customer (a merged id answers with its survivor).");
        group.MapGet("/", FindCustomer).Audited("customer.view", (_, found) => found is CustomerProfile p ? "customer:" + p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null).WithName("FindCustomer").WithSummary("Find a customer by email, phone or externalId=system:value.");
        group.MapGet("/search", SearchCustomers).WithName("SearchCustomers")
            .WithSummary("Customers by email, phone, system:value or bare external id, customer number, or part of a name or company.");
        group.MapGet("/{id:long}/timeline", GetTimeline).Audited("customer.view", AuditActors.RouteCustomer, _ => "timeline").WithName("GetCustomerTimeline").WithSummary("Every touchpoint, newest first, cursor-paged.");
        return app;
    }

    private static async Task<Results<Ok<CustomerProfile>, NotFound>> GetCustomer(long id, HttpContext http, [FromServices] CxoDb db, CancellationToken cancellationToken)
    {
        var profile = await CustomerProfiles.GetAsync(db, http.User.WorkspaceId(), id, cancellationToken);
        return profile is null ? TypedResults.NotFound() : TypedResults.Ok(profile);
    }

    private static async Task<Results<Ok<CustomerProfile>, NotFound, ValidationProblem>> FindCustomer(
        string? email, string? phone, string? externalId, HttpContext http, [FromServices] CxoDb db, [FromServices] IdentityNormalizer normalizer, CancellationToken cancellationToken)
    {
        var (key, problem) = CustomerProfiles.ParseLookup(normalizer, email, phone, externalId, "query");
        if (key is null)
        {
            return Problem(problem!.Field, problem.Message);
        }

        var workspace = http.User.WorkspaceId();
        var id = await CustomerProfiles.FindByIdentityAsync(db, workspace, key.Value, cancellationToken);
        var profile = id is null ? null : await CustomerProfiles.GetAsync(db, workspace, id.Value, cancellationToken);
        return profile is null ? TypedResults.NotFound() : TypedResults.Ok(profile);
    }

    private static async Task<Results<Ok<IReadOnlyList<CustomerMatch>>, ValidationProblem>> SearchCustomers(
        string? q, int? limit, HttpContext http, [FromServices] CxoDb db, [FromServices] IdentityNormalizer normalizer, CancellationToken cancellationToken)
    {
        var size = limit ?? CustomerSearch.DefaultLimit;
        if (size is < 1 or > 100)
        {
            return Problem("limit", "must be between 1 and 100");
        }

        if (string.IsNullOrWhiteSpace(q) || q.Trim().Length > CustomerSearch.MaxQueryLength)
        {
            return Problem("q", $"give 1 to {CustomerSearch.MaxQueryLength} characters to search for");
        }

        return TypedResults.Ok(await CustomerSearch.SearchAsync(db, normalizer, http.User.WorkspaceId(), q, size, cancellationToken));
    }

    /// <param name="department">Repeat to show several: <c>?department=sales&amp;department=service</c>.</param>
    /// <param name="channel">Repeat to show several.</param>
    private static async Task<Results<Ok<TimelinePage>, NotFound, ValidationProblem>> GetTimeline(
        long id, int? limit, string? cursor, string[]? department, string[]? channel, HttpContext http, [FromServices] CxoDb db, CancellationToken cancellationToken)
    {
        var size = limit ?? CustomerProfiles.DefaultPageSize;
        if (size is < 1 or > CustomerProfiles.MaxPageSize)
        {
            return Problem("limit", $"must be between 1 and {CustomerProfiles.MaxPageSize}");
        }

        if (cursor is not null)
        {
            try
            {
                _ = CustomerProfiles.DecodeCursor(cursor);
            }
            catch (FormatException e)
            {
                return Problem("cursor", e.Message);
            }
        }

        var unknown = (department ?? []).FirstOrDefault(d => !Vocabulary.Departments.Contains(d));
        if (unknown is not null)
        {
            return Problem("department", $"unknown department '{unknown}' (known: {string.Join(", ", Vocabulary.Departments)})");
        }

        unknown = (channel ?? []).FirstOrDefault(c => !Vocabulary.Channels.Contains(c));
        if (unknown is not null)
        {
            return Problem("channel", $"unknown channel '{unknown}' (known: {string.Join(", ", Vocabulary.Channels)})");
        }

        var filter = new TimelineFilter(department ?? [], channel ?? []);
        var page = await CustomerProfiles.TimelineAsync(db, http.User.WorkspaceId(), id, size, cursor, filter, cancellationToken);
        return page is null ? TypedResults.NotFound() : TypedResults.Ok(Text.TextVisibility.Shown(page, Text.TextVisibility.MaySeeRawText(http.User)));
    }

    private static ValidationProblem Problem(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
