using System.CommandLine;
using System.Globalization;
using OpenCxo.Core.Metrics;

namespace OpenCxo.App.Alignment;

/// <summary><c>cxo service-balance</c>: handle time weighed against resolution, per agent or team.</summary>
public static class ServiceBalanceCommand
{
    public static Command Create()
    {
        var by = new Option<string>("--by") { Description = "agent or team", DefaultValueFactory = _ => "agent" };
        var from = new Option<string?>("--from") { Description = "First day of the contacts, yyyy-MM-dd (default 179 days before --to)" };
        var to = new Option<string?>("--to") { Description = "Last day of the contacts, yyyy-MM-dd (default today)" };
        var cost = new Option<double>("--hourly-cost") { Description = "What an hour of an agent's time costs, for the cost of repeat contacts", DefaultValueFactory = _ => ServiceBalanceService.DefaultHourlyCost };
        var workspace = Cli.Cli.Workspace();
        var json = Cli.Cli.Json();
        var command = new Command("service-balance", "Handle time weighed against first-contact resolution, repeat contacts, CSAT and churn per agent or team, with flags and a balanced scorecard (docs/service-balance.md)")
        {
            by, from, to, cost, workspace, json,
        };
        command.SetAction(Cli.Cli.WithAnalytics(workspace, async (result, factory, store, workspaceId, ct) =>
        {
            var (query, problem) = ServiceBalanceService.Parse(
                result.GetValue(by), result.GetValue(from), result.GetValue(to), result.GetValue(cost).ToString(CultureInfo.InvariantCulture), Defaults());
            if (query is not { } q)
            {
                return Cli.Cli.Usage($"--{(problem!.Field == "hourlyCost" ? "hourly-cost" : problem.Field)}: {problem.Message}");
            }

            var report = await new ServiceBalanceService(store, TimeProvider.System).ReportAsync(workspaceId, q.ByAgent, q.From, q.To, q.HourlyCost, ct).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                Console.Out.WriteLine(ServiceBalanceService.Json(report).ToJsonString(Cli.Cli.JsonOutput));
                return Cli.Cli.Ok;
            }

            var o = Console.Out;
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"contacts {report.From:yyyy-MM-dd} … {report.To:yyyy-MM-dd}; repeats cost {report.HourlyCost:0.##} per agent hour"));
            o.WriteLine($"{"",-10} {"contacts",9} {"AHT s",6} {"FCR",6} {"repeat",6} {"CSAT",6} {"churn",6} {"cost",9}");
            foreach (var g in report.Groups.Prepend(report.All))
            {
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{(g == report.All ? "(all)" : g.Key ?? "(none)"),-10} {g.Contacts,9:N0} {Value(g.HandleSeconds, "0"),6} {Value(g.Fcr),6} {Value(g.Repeat),6} {Value(g.CsatSatisfied),6} {Value(g.Churn90),6} {g.RepeatCost,9:N0}{(g.Flagged ? "  FLAG: " + string.Join("; ", g.Reasons) : "")}"));
            }

            o.WriteLine("suggested balanced scorecard:");
            foreach (var s in report.Scorecard)
            {
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {s.Metric,-26} {(s.Direction == KpiDirection.AtLeast ? "≥" : "≤")} {s.Target:0.#} (now {s.Current:0.#}): {s.Why}"));
            }

            return Cli.Cli.Ok;
        }));
        return command;
    }

    private static (DateOnly From, DateOnly To) Defaults()
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        return (today.AddDays(-179), today);
    }

    private static string Value(Estimate e, string format = "0.#") => e.N == 0 ? "–" : e.Value.ToString(format, CultureInfo.InvariantCulture);
}
