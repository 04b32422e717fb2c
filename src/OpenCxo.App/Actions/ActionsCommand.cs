using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OpenCxo.App.Profiles;
using OpenCxo.Core.Actions;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Actions;

/// <summary><c>cxo actions</c>: next best actions per customer, department worklists, and the rules behind them.</summary>
public static class ActionsCommand
{
    public static Command Create() => new("actions", "Next best action: per customer, as a department's worklist, and the editable rules (docs/next-best-action.md)")
    {
        Worklist(), Show(), Rules(),
    };

    private static Command Worklist()
    {
        var workspace = Cli.Cli.Workspace();
        var department = new Option<string>("--department") { Description = "service, marketing or sales", Required = true };
        var limit = new Option<int>("--limit") { Description = "How many customers, 1–500", DefaultValueFactory = _ => 20 };
        var json = Cli.Cli.Json();
        var command = new Command("worklist", "The customers whose best action is the department's, the most valuable first") { workspace, department, limit, json };
        command.SetAction((result, ct) => WithServiceAsync(result, workspace, async (actions, workspaceId, _) =>
        {
            var name = result.GetValue(department)!;
            if (!ActionFields.Departments.Contains(name))
            {
                return Cli.Cli.Usage($"--department: one of {string.Join(", ", ActionFields.Departments)}, not '{name}'");
            }

            var take = result.GetValue(limit);
            if (take is < 1 or > NextActionService.MaxPageSize)
            {
                return Cli.Cli.Usage($"--limit: between 1 and {NextActionService.MaxPageSize}, not {take}");
            }

            var list = await actions.WorklistAsync(workspaceId, name, 0, take, ct).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                Cli.Cli.WriteJson(list);
                return Cli.Cli.Ok;
            }

            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{list.Department}: {list.Total:N0} customers, as of {list.AsOf:yyyy-MM-dd HH:mm}{(list.ModelRun is null ? " (no model run yet: cxo churn train)" : "")}"));
            foreach (var item in list.Items)
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  #{item.Customer} {item.Name}: {item.Action.Name}, worth {item.Action.ExpectedValue:N2} {item.Currency} — {string.Join(", ", item.Action.Reasons)}"));
            }

            return Cli.Cli.Ok;
        }, ct));
        return command;
    }

    private static Command Show()
    {
        var workspace = Cli.Cli.Workspace();
        var customer = new Argument<long>("customer") { Description = "Customer number (a merged one answers with its survivor)" };
        var json = Cli.Cli.Json();
        var command = new Command("show", "One customer's next best actions, best first, with reasons and expected value") { workspace, customer, json };
        command.SetAction((result, ct) => WithServiceAsync(result, workspace, async (actions, workspaceId, factory) =>
        {
            long? live;
            await using (var db = factory.CreateDbContext())
            {
                live = await CustomerProfiles.ResolveIdAsync(db, workspaceId, result.GetValue(customer), ct).ConfigureAwait(false);
            }

            var found = live is null ? null : await actions.ForCustomerAsync(workspaceId, live.Value, ct).ConfigureAwait(false);
            if (found is null)
            {
                return Cli.Cli.Fail($"no customer {result.GetValue(customer)}");
            }

            if (result.GetValue(json))
            {
                Cli.Cli.WriteJson(found);
                return Cli.Cli.Ok;
            }

            Console.Out.WriteLine($"customer #{found.Customer}{(found.Blocked is { } why ? ": " + why : "")}");
            if (found.Actions.Count == 0)
            {
                Console.Out.WriteLine("  no action");
            }

            foreach (var a in found.Actions)
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {a.Department}: {a.Name}, worth {a.ExpectedValue:N2} {a.Currency} — {string.Join(", ", a.Reasons)}"));
            }

            return Cli.Cli.Ok;
        }, ct));
        return command;
    }

    private static Command Rules()
    {
        var workspace = Cli.Cli.Workspace();
        var set = new Option<string?>("--set") { Description = "Replace the rules with those in this JSON file ({\"rules\": [...]}, as GET /api/v1/next-best-actions/rules prints them)" };
        var command = new Command("rules", "Print the workspace's rules as JSON, or replace them from a file (checked whole: nothing is saved if any rule is wrong)") { workspace, set };
        command.SetAction((result, ct) => WithServiceAsync(result, workspace, async (actions, workspaceId, _) =>
        {
            if (result.GetValue(set) is { } path)
            {
                if (!File.Exists(path))
                {
                    return Cli.Cli.Fail($"{path}: no such file");
                }

                ActionRuleSet? body;
                try
                {
                    body = JsonSerializer.Deserialize<ActionRuleSet>(await File.ReadAllTextAsync(path, ct).ConfigureAwait(false), ActionRuleDocument.Json);
                }
                catch (JsonException e)
                {
                    return Cli.Cli.Fail($"{path}: not a rule set: {(string.IsNullOrEmpty(e.Path) ? "" : e.Path.TrimStart('$', '.') + ": ")}{e.Message}");
                }

                var (rules, errors) = ActionRuleDocument.Parse(body?.Rules);
                if (rules is null)
                {
                    return Cli.Cli.Fail($"{path}: " + string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")));
                }

                await actions.SaveRulesAsync(workspaceId, rules, ct).ConfigureAwait(false);
            }

            Cli.Cli.WriteJson(new ActionRuleSet([.. (await actions.RulesAsync(workspaceId, ct).ConfigureAwait(false)).Select(ActionRuleDocument.From)]));
            return Cli.Cli.Ok;
        }, ct));
        return command;
    }

    private static Task<int> WithServiceAsync(
        ParseResult result, Option<string> workspace, Func<NextActionService, long, CxoDbFactory, Task<int>> verb, CancellationToken ct) =>
        Cli.Cli.RunAsync(async () =>
        {
            var (location, factory, found) = await Cli.Cli.WorkspaceAsync(result, workspace, ct).ConfigureAwait(false);
            if (found is not { } workspaceId)
            {
                return Cli.Cli.Fail($"no workspace '{result.GetValue(workspace)}'");
            }

            await using var store = new AnalyticsStore(AnalyticsStore.DefaultPathFor(location), factory);
            return await verb(new NextActionService(factory, store, TimeProvider.System), workspaceId, factory).ConfigureAwait(false);
        });
}
