using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpenCxo.App.Profiles;
using OpenCxo.App.Security;
using OpenCxo.Core.Actions;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Actions;

/// <summary>The rule set as it travels: <c>{"rules": [...]}</c>.</summary>
public sealed record ActionRuleSet(IReadOnlyList<ActionRuleDocument?>? Rules);

public static class ActionEndpoints
{
    public static IServiceCollection AddNextActions(this IServiceCollection services) => services.AddSingleton<NextActionService>();

    public static IEndpointRouteBuilder MapNextActionsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/customers/{id:long}/next-best-action", GetForCustomerAsync)
            .RequireAuthorization(Scopes.CustomersRead).Audited("customer.view", AuditActors.RouteCustomer, _ => "next best action")
            .WithTags("Next best action").WithName("GetNextBestAction")
            .WithSummary("One customer's next best actions, best first, each with its department, expected value (CLV × (risk × risk reduction + uplift) − cost) "
                + "and reasons; what the rules saw; and why nothing or no offer may be proposed (do not contact, opted out). A merged id answers with its survivor.");
        var group = app.MapGroup("/api/v1/next-best-actions").WithTags("Next best action");
        group.MapGet("", GetWorklistAsync).RequireAuthorization(Scopes.CustomersRead).WithName("GetWorklist")
            .WithSummary("A department's worklist: the customers whose best action is that department's, the most valuable first. "
                + "Query: department (service, marketing, sales; required), offset (default 0), limit (1–500, default 50).");
        group.MapGet("/rules", GetRulesAsync).RequireAuthorization(Scopes.StatsRead).WithName("GetActionRules")
            .WithSummary("The workspace's next-best-action rules (the built-in ones until edited).");
        group.MapPut("/rules", PutRulesAsync).RequireAuthorization(Scopes.KpisWrite).WithName("PutActionRules")
            .Accepts<ActionRuleSet>("application/json")
            .WithSummary("Replace the rules whole. Each: key, name, department (service, marketing, sales), kind (service or offer), when (conditions "
                + "{field, op, value}), riskReduction (0–1), uplift (share of CLV), cost, enabled. Every problem is named by its place; nothing is saved then.");
        return app;
    }

    private static async Task<Results<Ok<CustomerActions>, NotFound>> GetForCustomerAsync(
        long id, HttpContext http, [FromServices] CxoDb db, [FromServices] NextActionService actions, CancellationToken ct)
    {
        var workspace = http.User.WorkspaceId();
        var live = await CustomerProfiles.ResolveIdAsync(db, workspace, id, ct);
        var result = live is null ? null : await actions.ForCustomerAsync(workspace, live.Value, ct);
        return result is null ? TypedResults.NotFound() : TypedResults.Ok(result);
    }

    private static async Task<Results<Ok<Worklist>, ValidationProblem>> GetWorklistAsync(
        string? department, string? offset, string? limit, HttpContext http, [FromServices] NextActionService actions, CancellationToken ct)
    {
        if (department is null || !ActionFields.Departments.Contains(department))
        {
            return Problem("department", $"must be one of {string.Join(", ", ActionFields.Departments)}");
        }

        var skip = 0;
        if (offset is not null && !int.TryParse(offset, NumberStyles.None, CultureInfo.InvariantCulture, out skip))
        {
            return Problem("offset", "must be a whole number from 0");
        }

        var take = 50;
        if (limit is not null && !(int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out take) && take is >= 1 and <= NextActionService.MaxPageSize))
        {
            return Problem("limit", $"must be a whole number from 1 to {NextActionService.MaxPageSize}");
        }

        return TypedResults.Ok(await actions.WorklistAsync(http.User.WorkspaceId(), department, skip, take, ct));
    }

    private static async Task<Ok<ActionRuleSet>> GetRulesAsync(HttpContext http, [FromServices] NextActionService actions, CancellationToken ct) =>
        TypedResults.Ok(new ActionRuleSet([.. (await actions.RulesAsync(http.User.WorkspaceId(), ct)).Select(ActionRuleDocument.From)]));

    private static async Task<Results<Ok<ActionRuleSet>, ValidationProblem>> PutRulesAsync(
        HttpContext http, [FromServices] NextActionService actions, CancellationToken ct)
    {
        // Read here rather than bound, so that a value of the wrong type is named by its place too.
        var (body, unreadable) = await Kpis.KpiEndpoints.ReadJsonAsync<ActionRuleSet>(http, ActionRuleDocument.Json, ct);
        if (body is null)
        {
            return Problem(unreadable!.Field, unreadable.Message);
        }

        var (rules, errors) = ActionRuleDocument.Parse(body.Rules);
        if (rules is null)
        {
            return TypedResults.ValidationProblem(errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()));
        }

        await actions.SaveRulesAsync(http.User.WorkspaceId(), rules, ct);
        return TypedResults.Ok(new ActionRuleSet([.. rules.Select(ActionRuleDocument.From)]));
    }

    private static ValidationProblem Problem(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
