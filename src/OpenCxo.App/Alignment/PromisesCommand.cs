using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using OpenCxo.App.Kpis;
using OpenCxo.Core.Alignment;
using OpenCxo.Core.Metrics;

namespace OpenCxo.App.Alignment;

/// <summary><c>cxo promises list|show|set|delete</c>: the promise registry from the terminal, as the API serves it.</summary>
public static class PromisesCommand
{
    public static Command Create()
    {
        var promises = new Command("promises", "Promises marketing made, checked against what service delivers (docs/promises.md)");

        var listWorkspace = Cli.Cli.Workspace();
        var listJson = Cli.Cli.Json();
        var list = new Command("list", "Every promise with its keep rate over its window, target, status and worst slices") { listWorkspace, listJson };
        list.SetAction(WithService(listWorkspace, async (result, service, workspaceId, ct) =>
        {
            var states = new List<PromiseState>();
            foreach (var promise in await service.ListAsync(workspaceId, ct).ConfigureAwait(false))
            {
                states.Add(await service.StateAsync(workspaceId, promise, ct).ConfigureAwait(false));
            }

            if (result.GetValue(listJson))
            {
                Console.Out.WriteLine(new JsonObject { ["promises"] = new JsonArray([.. states.Select(s => (JsonNode)PromiseJson.State(s))]) }.ToJsonString(Cli.Cli.JsonOutput));
                return Cli.Cli.Ok;
            }

            foreach (var state in states)
            {
                Console.Out.WriteLine(Line(state));
            }

            return Cli.Cli.Ok;
        }));
        promises.Subcommands.Add(list);

        var showKey = new Argument<string>("key") { Description = "The promise's key" };
        var showTo = new Option<string?>("--to") { Description = "Last day of the window, yyyy-MM-dd (default today)" };
        var showWorkspace = Cli.Cli.Workspace();
        var showJson = Cli.Cli.Json();
        var show = new Command("show", "One promise's report: keep rate by hour, channel, team and week; the promise gap of the customers it brought; the reps who sold to them")
        {
            showKey, showTo, showWorkspace, showJson,
        };
        show.SetAction(WithService(showWorkspace, async (result, service, workspaceId, ct) =>
        {
            DateOnly? to = null;
            if (result.GetValue(showTo) is { } text)
            {
                if (!SalesQualityEndpoints.TryDay(text, out var day))
                {
                    return Cli.Cli.Usage("--to: must be a day, yyyy-MM-dd");
                }

                to = day;
            }

            if (await service.GetAsync(workspaceId, result.GetValue(showKey)!, ct).ConfigureAwait(false) is not { } promise)
            {
                return Cli.Cli.Fail($"no promise '{result.GetValue(showKey)}'");
            }

            var report = await service.ReportAsync(workspaceId, promise, ct, to).ConfigureAwait(false);
            if (result.GetValue(showJson))
            {
                Console.Out.WriteLine(PromiseJson.Report(report, verbatims: true).ToJsonString(Cli.Cli.JsonOutput));
                return Cli.Cli.Ok;
            }

            Write(report);
            return Cli.Cli.Ok;
        }));
        promises.Subcommands.Add(show);

        var setFile = new Argument<string>("file") { Description = "A JSON file with one promise, as GET /api/v1/promises/{key} prints its definition" };
        var setWorkspace = Cli.Cli.Workspace();
        var set = new Command("set", "Create or replace a promise from a JSON file (checked whole; its owners' alert rules follow)") { setFile, setWorkspace };
        set.SetAction(WithService(setWorkspace, async (result, service, workspaceId, ct) =>
        {
            var path = result.GetValue(setFile)!;
            if (!File.Exists(path))
            {
                return Cli.Cli.Fail($"{path}: no such file");
            }

            var (promise, problem) = KpiEndpoints.Parse<PromiseDefinition>(await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false), PromiseService.Json);
            if (promise is null)
            {
                return Cli.Cli.Fail($"{path}: {problem!.Field}: {problem.Message}");
            }

            var saved = await service.SaveAsync(workspaceId, promise, Environment.UserName, replace: true, ct).ConfigureAwait(false);
            if (!saved.Ok)
            {
                return Cli.Cli.Fail($"{path}: " + string.Join("; ", saved.Errors.Select(e => $"{e.Field}: {e.Message}")));
            }

            Console.Out.WriteLine($"{(saved.Created ? "created" : "replaced")} promise {promise.Key}");
            return Cli.Cli.Ok;
        }));
        promises.Subcommands.Add(set);

        var deleteKey = new Argument<string>("key") { Description = "The promise's key" };
        var deleteWorkspace = Cli.Cli.Workspace();
        var delete = new Command("delete", "Delete a promise with its alert rules") { deleteKey, deleteWorkspace };
        delete.SetAction(WithService(deleteWorkspace, async (result, service, workspaceId, ct) =>
            await service.DeleteAsync(workspaceId, result.GetValue(deleteKey)!, ct).ConfigureAwait(false)
                ? Cli.Cli.Ok
                : Cli.Cli.Fail($"no promise '{result.GetValue(deleteKey)}'")));
        promises.Subcommands.Add(delete);
        return promises;
    }

    private static void Write(PromiseReport report)
    {
        var o = Console.Out;
        o.WriteLine(Line(report.State));
        o.WriteLine($"  \"{report.State.Definition.Claim}\"");
        foreach (var slice in Promises.Slices)
        {
            o.WriteLine($"  by {slice}:");
            foreach (var (_, cell) in report.Cells.Where(c => c.Slice == slice))
            {
                o.WriteLine($"    {cell.Key ?? "(none)",-16} {Share(cell.Rate)}");
            }
        }

        if (report.Gap is { } gap)
        {
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  acquired under it {report.CohortFrom:yyyy-MM-dd} … {report.CohortTo:yyyy-MM-dd}: {gap.Promised.Customers:N0} customers against {gap.Others.Customers:N0} acquired otherwise"));
            o.WriteLine($"    NPS               {Share(gap.PromisedNps.Score)} against {Share(gap.OthersNps.Score)}");
            o.WriteLine($"    churn {report.HorizonDays} days    {Share(gap.PromisedChurn)} against {Share(gap.OthersChurn)}{Verdict(gap.Churn)}");
            o.WriteLine($"    value {report.HorizonDays} days    {Share(gap.PromisedValue)} against {Share(gap.OthersValue)} {report.Currency}{Verdict(gap.Value)}");
            o.WriteLine($"    complained        {Share(gap.PromisedComplaints)} against {Share(gap.OthersComplaints)}{Verdict(gap.Complaints)}");
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    promise gap       {gap.MoneyGap:N0} {report.Currency} [{gap.MoneyGapLow:N0}, {gap.MoneyGapHigh:N0}] in {report.HorizonDays} days; {gap.ExtraChurned:0} customers lost beyond the others' rate"));
        }

        if (report.Reps.Count > 0)
        {
            o.WriteLine("  sold by: " + string.Join(", ", report.Reps.Select(r => $"{r.Rep} ({r.Customers})")));
        }
    }

    private static string Line(PromiseState s) =>
        string.Create(CultureInfo.InvariantCulture, $"{s.Definition.Key,-24} {KpiService.StatusName(s.Status),-9} {Share(s.Whole.Rate)} target {s.Definition.Target:0.#} % ({s.From:yyyy-MM-dd} … {s.To:yyyy-MM-dd})")
        + (s.Shortfalls.Count > 0 ? string.Create(CultureInfo.InvariantCulture, $"; worst {s.Shortfalls[0].Slice} {s.Shortfalls[0].Key}: {s.Shortfalls[0].Rate.Value:0.#} %") : "");

    private static string Share(Estimate e) => e.N == 0 ? "–" : string.Create(CultureInfo.InvariantCulture, $"{e.Value:0.#} [{e.Low:0.#}, {e.High:0.#}] n={e.N}");

    private static string Verdict(Comparison c) => c.Significant ? string.Create(CultureInfo.InvariantCulture, $" (p = {c.PValue:0.####})") : " (no significant difference)";

    private static Func<ParseResult, CancellationToken, Task<int>> WithService(
        Option<string> workspace, Func<ParseResult, PromiseService, long, CancellationToken, Task<int>> verb) =>
        Cli.Cli.WithAnalytics(workspace, (result, factory, store, workspaceId, ct) => verb(result, new PromiseService(factory, store, TimeProvider.System), workspaceId, ct));
}
