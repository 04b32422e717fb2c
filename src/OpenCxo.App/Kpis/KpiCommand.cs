using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using OpenCxo.Core.Metrics;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Kpis;

/// <summary><c>cxo kpi list|show|set|delete|scorecard|snapshot</c>: KPIs from the terminal, as the API serves them.</summary>
public static class KpiCommand
{
    public static Command Create()
    {
        var kpi = new Command("kpi", "KPIs: targets, owners and where each one stands (docs/kpis.md)");

        var listJson = Cli.Cli.Json();
        var listWorkspace = Cli.Cli.Workspace();
        var list = new Command("list", "Every KPI with its value, interval, target and status now") { listWorkspace, listJson };
        list.SetAction(WithService(listWorkspace, async (result, kpis, workspaceId, ct) =>
        {
            var states = await kpis.StatesAsync(workspaceId, ct).ConfigureAwait(false);
            if (result.GetValue(listJson))
            {
                Console.Out.WriteLine(new JsonObject { ["kpis"] = new JsonArray([.. states.Select(s => (JsonNode)KpiJson.State(s))]) }.ToJsonString(Cli.Cli.JsonOutput));
                return Cli.Cli.Ok;
            }

            foreach (var s in states)
            {
                Console.Out.WriteLine(Line(s));
            }

            return Cli.Cli.Ok;
        }));
        kpi.Subcommands.Add(list);

        var showKey = new Argument<string>("key") { Description = "The KPI's key" };
        var showJson = Cli.Cli.Json();
        var showWorkspace = Cli.Cli.Workspace();
        var show = new Command("show", "One KPI: where it stands, its trend and its snapshots per period") { showKey, showWorkspace, showJson };
        show.SetAction(WithService(showWorkspace, async (result, kpis, workspaceId, ct) =>
        {
            if (await kpis.StateAsync(workspaceId, result.GetValue(showKey)!, ct).ConfigureAwait(false) is not { } state)
            {
                return Cli.Cli.Fail($"no KPI '{result.GetValue(showKey)}'");
            }

            if (result.GetValue(showJson))
            {
                Console.Out.WriteLine(KpiJson.State(state).ToJsonString(Cli.Cli.JsonOutput));
                return Cli.Cli.Ok;
            }

            Console.Out.WriteLine(Line(state));
            Console.Out.WriteLine($"  target: {state.Target.Source}");
            if (state.Trend is { } t)
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  trend: {t.Slope:0.###} per period [{t.Low:0.###}, {t.High:0.###}] over {t.Points} periods"));
            }

            foreach (var s in state.History)
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {s.Label,-9} {Number(s.Value),9} [{Number(s.Low)}, {Number(s.High)}] n={s.N} target {Number(s.Target)} {KpiService.StatusName(s.Status)}"));
            }

            return Cli.Cli.Ok;
        }));
        kpi.Subcommands.Add(show);

        var file = new Option<FileInfo>("--file") { Description = "The KPI's JSON definition (docs/kpis.md); an existing key is replaced", Required = true };
        var setWorkspace = Cli.Cli.Workspace();
        var set = new Command("set", "Creates or replaces a KPI from a JSON file") { file, setWorkspace };
        set.SetAction(WithService(setWorkspace, async (result, kpis, workspaceId, ct) =>
        {
            var path = result.GetValue(file)!;
            if (!path.Exists || path.Length > KpiEndpoints.MaxBodyBytes)
            {
                return Cli.Cli.Usage($"--file: {path.FullName} {(path.Exists ? "is larger than 64 KB" : "does not exist")}");
            }

            var (definition, problem) = KpiEndpoints.Parse<KpiDefinition>(await File.ReadAllBytesAsync(path.FullName, ct).ConfigureAwait(false), KpiDefinition.Json);
            var problems = definition is null ? [problem!] : (await kpis.SaveAsync(workspaceId, definition, Environment.UserName, replace: true, ct).ConfigureAwait(false)).Errors;
            foreach (var p in problems)
            {
                Console.Error.WriteLine($"cxo: {p.Field}: {p.Message}");
            }

            if (problems.Count > 0)
            {
                return Cli.Cli.BadUsage;
            }

            Console.Out.WriteLine($"KPI {definition!.Key} saved");
            return Cli.Cli.Ok;
        }));
        kpi.Subcommands.Add(set);

        var deleteKey = new Argument<string>("key") { Description = "The KPI's key" };
        var deleteWorkspace = Cli.Cli.Workspace();
        var delete = new Command("delete", "Deletes a KPI and its snapshots") { deleteKey, deleteWorkspace };
        delete.SetAction(WithService(deleteWorkspace, async (result, kpis, workspaceId, ct) =>
            await kpis.DeleteAsync(workspaceId, result.GetValue(deleteKey)!, ct).ConfigureAwait(false) ? Cli.Cli.Ok : Cli.Cli.Fail($"no KPI '{result.GetValue(deleteKey)}'")));
        kpi.Subcommands.Add(delete);

        var cardJson = Cli.Cli.Json();
        var cardWorkspace = Cli.Cli.Workspace();
        var scorecard = new Command("scorecard", "The company's scorecard and one per department") { cardWorkspace, cardJson };
        scorecard.SetAction(WithService(cardWorkspace, async (result, kpis, workspaceId, ct) =>
        {
            var states = await kpis.StatesAsync(workspaceId, ct).ConfigureAwait(false);
            if (result.GetValue(cardJson))
            {
                Console.Out.WriteLine(KpiJson.Scorecards(states).ToJsonString(Cli.Cli.JsonOutput));
                return Cli.Cli.Ok;
            }

            foreach (var group in states.GroupBy(s => s.Definition.Owner))
            {
                var counts = string.Join(", ", group.GroupBy(s => s.Status).OrderBy(g => g.Key).Select(g => $"{g.Count()} {KpiService.StatusName(g.Key)}"));
                Console.Out.WriteLine($"{group.Key}: {counts}");
                foreach (var s in group)
                {
                    Console.Out.WriteLine("  " + Line(s));
                }
            }

            return Cli.Cli.Ok;
        }));
        kpi.Subcommands.Add(scorecard);

        var runWorkspace = Cli.Cli.Workspace();
        var run = new Command("snapshot", "Takes the missing snapshots of every KPI now, as the server's job does every 15 minutes") { runWorkspace };
        run.SetAction(WithService(runWorkspace, async (result, kpis, workspaceId, ct) =>
        {
            var snapshots = await kpis.SnapshotAsync(workspaceId, ct).ConfigureAwait(false);
            Console.Out.WriteLine($"{snapshots} snapshot(s) taken");
            return Cli.Cli.Ok;
        }));
        kpi.Subcommands.Add(run);
        return kpi;
    }

    private static string Line(KpiState s) => string.Create(CultureInfo.InvariantCulture,
        $"{s.Definition.Key,-28} {KpiService.StatusName(s.Status),-9} {Number(s.Reading?.Value),9} [{Number(s.Reading?.Low)}, {Number(s.Reading?.High)}] n={s.Reading?.N ?? 0} target {Number(s.Target.Value)} ({s.Definition.Owner})");

    private static string Number(double? value) => value is { } v ? v.ToString("0.##", CultureInfo.InvariantCulture) : "—";

    private static Func<ParseResult, CancellationToken, Task<int>> WithService(
        Option<string> workspace, Func<ParseResult, KpiService, long, CancellationToken, Task<int>> verb) => (result, ct) => Cli.Cli.RunAsync(async () =>
    {
        var (location, factory, found) = await Cli.Cli.WorkspaceAsync(result, workspace, ct).ConfigureAwait(false);
        if (found is not { } workspaceId)
        {
            return Cli.Cli.Fail($"no workspace '{result.GetValue(workspace)}'");
        }

        // Texts stored while no server ran are analysed first, as the server would have.
        await new Text.TextAnalyses(factory).CatchUpAsync(DateTime.UtcNow, ct).ConfigureAwait(false);
        await using var store = new AnalyticsStore(AnalyticsStore.DefaultPathFor(location), factory);
        return await verb(result, new KpiService(factory, store, TimeProvider.System), workspaceId, ct).ConfigureAwait(false);
    });
}
