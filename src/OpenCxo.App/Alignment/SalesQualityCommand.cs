using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using OpenCxo.App.Kpis;
using OpenCxo.Core.Alignment;
using OpenCxo.Core.Metrics;

namespace OpenCxo.App.Alignment;

/// <summary><c>cxo sales-quality report|fits|needs</c>: sales judged by the customers they bring, from the terminal.</summary>
public static class SalesQualityCommand
{
    public static Command Create()
    {
        var command = new Command("sales-quality", "Sales judged by the customers they bring: retention, NPS, early churn, refunds and fit per rep, team or campaign (docs/sales-quality.md)");

        var by = new Option<string>("--by") { Description = "rep, team or campaign", DefaultValueFactory = _ => "rep" };
        var from = new Option<string?>("--from") { Description = "First day of the deals, yyyy-MM-dd (default two years before --to)" };
        var to = new Option<string?>("--to") { Description = "Last day of the deals, yyyy-MM-dd (default today)" };
        var workspace = Cli.Cli.Workspace();
        var json = Cli.Cli.Json();
        var report = new Command("report", "Per rep, team or campaign: booked and retention-adjusted value, survival at 3, 6 and 12 months, NPS, early churn, refunds, high-risk and unserved-need shares")
        {
            by, from, to, workspace, json,
        };
        report.SetAction(WithService(workspace, async (result, sales, workspaceId, ct) =>
        {
            var (query, problem) = SalesQualityEndpoints.Parse(result.GetValue(by), result.GetValue(from), result.GetValue(to), sales.DefaultPeriod());
            if (query is not { } q)
            {
                return Cli.Cli.Usage($"--{problem!.Field}: {problem.Message}");
            }

            var r = await sales.ReportAsync(workspaceId, q.By, q.From, q.To, ct).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                Console.Out.WriteLine(SalesJson.Report(r).ToJsonString(Cli.Cli.JsonOutput));
                return Cli.Cli.Ok;
            }

            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"deals won {r.From:yyyy-MM-dd} … {r.To:yyyy-MM-dd}, money in {r.Currency ?? "–"}"));
            Console.Out.WriteLine($"{"",-16} {"customers",9} {"booked",12} {"adjusted",12} {"kept 3m",8} {"kept 12m",8} {"NPS",6} {"early",6} {"refund",6} {"risky",6} {"unfit",6}");
            foreach (var g in r.Groups.Prepend(r.All))
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{(g == r.All ? "(all)" : g.Key ?? "(none)"),-16} {g.Customers,9:N0} {g.Booked,12:N0} {Money(g.RetentionAdjusted),12} {Pct(g.Retained3),8} {Pct(g.Retained12),8} {Pct(g.Nps.Score),6} {Pct(g.EarlyChurn),6} {Pct(g.Refunded),6} {Pct(g.HighRisk),6} {Pct(g.Unserved),6}"));
            }

            return Cli.Cli.Ok;
        }));
        command.Subcommands.Add(report);

        var fitsFrom = new Option<string?>("--from") { Description = "First day of the deals, yyyy-MM-dd (default two years before --to)" };
        var fitsTo = new Option<string?>("--to") { Description = "Last day of the deals, yyyy-MM-dd (default today)" };
        var limit = new Option<int>("--limit") { Description = "How many deals, 1–200", DefaultValueFactory = _ => 20 };
        var fitsWorkspace = Cli.Cli.Workspace();
        var fitsJson = Cli.Cli.Json();
        var fits = new Command("fits", "The right-customer report: the deals whose customers fit worst, with churn risk, lifetime value, unserved needs and fit (0–100)")
        {
            fitsFrom, fitsTo, limit, fitsWorkspace, fitsJson,
        };
        fits.SetAction(WithService(fitsWorkspace, async (result, sales, workspaceId, ct) =>
        {
            var (query, problem) = SalesQualityEndpoints.Parse(null, result.GetValue(fitsFrom), result.GetValue(fitsTo), sales.DefaultPeriod());
            if (query is not { } q || result.GetValue(limit) is < 1 or > 200)
            {
                return Cli.Cli.Usage(problem is null ? "--limit: must be from 1 to 200" : $"--{problem.Field}: {problem.Message}");
            }

            var deals = await sales.PoorFitsAsync(workspaceId, q.From, q.To, result.GetValue(limit), ct).ConfigureAwait(false);
            if (result.GetValue(fitsJson))
            {
                Console.Out.WriteLine(new JsonObject { ["deals"] = new JsonArray([.. deals.Select(d => (JsonNode)SalesJson.Fit(d))]) }.ToJsonString(Cli.Cli.JsonOutput));
                return Cli.Cli.Ok;
            }

            foreach (var d in deals)
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"fit {d.Fit,3}  customer #{d.Customer} {d.Name}: won {d.DealAt:yyyy-MM-dd} by {d.Rep ?? "–"}, {d.DealValue:N0} {d.Currency}; churn risk {(d.ChurnRisk is { } p ? p.ToString("P0", CultureInfo.InvariantCulture) : "–")}; {(d.Needs.Count == 0 ? "no unserved need" : string.Join(", ", d.Needs.Select(n => n.Name)))}"));
            }

            return Cli.Cli.Ok;
        }));
        command.Subcommands.Add(fits);

        var set = new Option<string?>("--set") { Description = "Replace the needs with those in this JSON file (as GET /api/v1/sales-quality/needs prints them)" };
        var needsWorkspace = Cli.Cli.Workspace();
        var needs = new Command("needs", "Print the needs that decide customer fit as JSON, or replace them from a file (checked whole)") { set, needsWorkspace };
        needs.SetAction(WithService(needsWorkspace, async (result, sales, workspaceId, ct) =>
        {
            if (result.GetValue(set) is { } path)
            {
                if (!File.Exists(path))
                {
                    return Cli.Cli.Fail($"{path}: no such file");
                }

                var (document, problem) = KpiEndpoints.Parse<CustomerNeeds>(await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false), SalesQualityService.Json);
                if (document is null)
                {
                    return Cli.Cli.Fail($"{path}: {problem!.Field}: {problem.Message}");
                }

                var errors = await sales.SaveNeedsAsync(workspaceId, document, ct).ConfigureAwait(false);
                if (errors.Count > 0)
                {
                    return Cli.Cli.Fail($"{path}: " + string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")));
                }
            }

            Cli.Cli.WriteJson(await sales.NeedsAsync(workspaceId, ct).ConfigureAwait(false));
            return Cli.Cli.Ok;
        }));
        command.Subcommands.Add(needs);
        return command;
    }

    private static string Pct(Estimate? e) => e is null || e.N == 0 ? "–" : e.Value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Money(double? value) => value is { } v ? v.ToString("N0", CultureInfo.InvariantCulture) : "–";

    private static Func<ParseResult, CancellationToken, Task<int>> WithService(
        Option<string> workspace, Func<ParseResult, SalesQualityService, long, CancellationToken, Task<int>> verb) =>
        Cli.Cli.WithAnalytics(workspace, (result, factory, store, workspaceId, ct) => verb(result, new SalesQualityService(factory, store, TimeProvider.System), workspaceId, ct));
}
