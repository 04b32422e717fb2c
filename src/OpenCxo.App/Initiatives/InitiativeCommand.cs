using System.CommandLine;
using System.Globalization;
using OpenCxo.App.Journeys;
using OpenCxo.App.Kpis;
using OpenCxo.Core.Initiatives;
using OpenCxo.Data.Analytics;

namespace OpenCxo.App.Initiatives;

/// <summary><c>cxo initiative list|show|set|delete|findings|impact</c>: the initiatives portfolio from the terminal, as the API serves it.</summary>
public static class InitiativeCommand
{
    public static Command Create()
    {
        var initiative = new Command("initiative", "CX initiatives: the portfolio, duplicated efforts, conflicting KPI pushes and realised impact (docs/initiatives.md)");

        var listJson = Cli.Cli.Json();
        var listWorkspace = Cli.Cli.Workspace();
        var list = new Command("list", "Every initiative, with the ones it duplicates or conflicts with") { listWorkspace, listJson };
        list.SetAction(WithService(listWorkspace, async (result, initiatives, workspaceId, ct) =>
        {
            var portfolio = await initiatives.PortfolioAsync(workspaceId, ct).ConfigureAwait(false);
            if (result.GetValue(listJson))
            {
                Console.Out.WriteLine(InitiativeJson.Portfolio(portfolio, withInitiatives: true).ToJsonString(Cli.Cli.JsonOutput));
                return Cli.Cli.Ok;
            }

            foreach (var (row, d) in portfolio.Initiatives)
            {
                var flags = string.Join("", portfolio.DuplicatesOf(row.Key).Any() ? "  [duplicate]" : "", portfolio.ConflictsOf(row.Key).Any() ? "  [conflict]" : "");
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{row.Key,-28} {Status(d.Status),-9} {d.OwnerDepartment,-10} {Dates(d.Start, d.End),-24} {d.Name}{flags}"));
            }

            return Cli.Cli.Ok;
        }));
        initiative.Subcommands.Add(list);

        var showKey = new Argument<string>("key") { Description = "The initiative's key" };
        var showWorkspace = Cli.Cli.Workspace();
        var show = new Command("show", "One initiative's definition, as JSON") { showKey, showWorkspace };
        show.SetAction(WithService(showWorkspace, async (result, initiatives, workspaceId, ct) =>
        {
            if (await initiatives.GetAsync(workspaceId, result.GetValue(showKey)!, ct).ConfigureAwait(false) is not var (row, definition))
            {
                return Cli.Cli.Fail($"no initiative '{result.GetValue(showKey)}'");
            }

            Console.Out.WriteLine(InitiativeJson.Summary(row, definition).ToJsonString(Cli.Cli.JsonOutput));
            return Cli.Cli.Ok;
        }));
        initiative.Subcommands.Add(show);

        var setFile = new Option<FileInfo>("--file") { Description = "The initiative's JSON definition (docs/initiatives.md); an existing key is replaced", Required = true };
        var setWorkspace = Cli.Cli.Workspace();
        var set = new Command("set", "Creates or replaces an initiative from a JSON file") { setFile, setWorkspace };
        set.SetAction(WithService(setWorkspace, async (result, initiatives, workspaceId, ct) =>
        {
            var file = result.GetValue(setFile)!;
            IReadOnlyList<Core.Ingest.FieldError> problems;
            InitiativeDefinition? definition = null;
            if (!file.Exists || file.Length > KpiEndpoints.MaxBodyBytes)
            {
                problems = [new("--file", $"{file.FullName} {(file.Exists ? "is larger than 64 KB" : "does not exist")}")];
            }
            else
            {
                var (parsed, problem) = KpiEndpoints.Parse<InitiativeDefinition>(await File.ReadAllBytesAsync(file.FullName, ct).ConfigureAwait(false), InitiativeService.Json);
                definition = parsed;
                problems = parsed is null ? [problem!] : (await initiatives.SaveAsync(workspaceId, parsed, Environment.UserName, replace: true, ct).ConfigureAwait(false)).Errors;
            }

            foreach (var p in problems)
            {
                Console.Error.WriteLine($"cxo: {p.Field}: {p.Message}");
            }

            if (problems.Count > 0)
            {
                return Cli.Cli.BadUsage;
            }

            Console.Out.WriteLine($"initiative {definition!.Key} saved; `cxo initiative findings` shows what it duplicates or conflicts with");
            return Cli.Cli.Ok;
        }));
        initiative.Subcommands.Add(set);

        var deleteKey = new Argument<string>("key") { Description = "The initiative's key" };
        var deleteWorkspace = Cli.Cli.Workspace();
        var delete = new Command("delete", "Takes an initiative out of the portfolio") { deleteKey, deleteWorkspace };
        delete.SetAction(WithService(deleteWorkspace, async (result, initiatives, workspaceId, ct) =>
            await initiatives.DeleteAsync(workspaceId, result.GetValue(deleteKey)!, ct).ConfigureAwait(false) ? Cli.Cli.Ok : Cli.Cli.Fail($"no initiative '{result.GetValue(deleteKey)}'")));
        initiative.Subcommands.Add(delete);

        var findingsJson = Cli.Cli.Json();
        var findingsWorkspace = Cli.Cli.Workspace();
        var findings = new Command("findings", "Duplicated efforts across departments and conflicting KPI pushes among live initiatives") { findingsWorkspace, findingsJson };
        findings.SetAction(WithService(findingsWorkspace, async (result, initiatives, workspaceId, ct) =>
        {
            var portfolio = await initiatives.PortfolioAsync(workspaceId, ct).ConfigureAwait(false);
            if (result.GetValue(findingsJson))
            {
                Console.Out.WriteLine(InitiativeJson.Portfolio(portfolio, withInitiatives: false).ToJsonString(Cli.Cli.JsonOutput));
                return Cli.Cli.Ok;
            }

            foreach (var d in portfolio.Duplicates)
            {
                var shared = d.Themes.Select(t => "theme " + t).Concat(d.Kpis.Select(k => "KPI " + k))
                    .Concat(d.Journeys.Select(j => "journey " + j.Journey + (j.Stage is null ? "" : "/" + j.Stage)));
                Console.Out.WriteLine($"duplicate: {d.First} and {d.Second} both work on {string.Join(", ", shared)}, {Dates(d.Overlap.From, d.Overlap.To)}");
            }

            foreach (var c in portfolio.Conflicts)
            {
                Console.Out.WriteLine($"conflict: {c.First} pushes {c.FirstKpi.Kpi} {InitiativeJson.Direction(c.FirstKpi.Direction)}, {c.Second} pushes {c.SecondKpi.Kpi} {InitiativeJson.Direction(c.SecondKpi.Direction)}, {Dates(c.Overlap.From, c.Overlap.To)}: {c.Reason}");
            }

            foreach (var d in portfolio.Dangling)
            {
                Console.Out.WriteLine($"deleted since: {d.Initiative} targets {d.Field} '{d.Target}', which the workspace no longer has");
            }

            if (portfolio.Duplicates.Count + portfolio.Conflicts.Count + portfolio.Dangling.Count == 0)
            {
                Console.Out.WriteLine("no duplicated efforts or conflicts among live initiatives");
            }

            return Cli.Cli.Ok;
        }));
        initiative.Subcommands.Add(findings);

        var impactKey = new Argument<string>("key") { Description = "The initiative's key" };
        var impactJson = Cli.Cli.Json();
        var impactWorkspace = Cli.Cli.Workspace();
        var impact = new Command("impact", "Each targeted KPI before and after the start, from its stored snapshots, with what the comparison cannot claim") { impactKey, impactWorkspace, impactJson };
        impact.SetAction(WithService(impactWorkspace, async (result, initiatives, workspaceId, ct) =>
        {
            var key = result.GetValue(impactKey)!;
            if (await initiatives.ImpactAsync(workspaceId, key, ct).ConfigureAwait(false) is not { } impacts)
            {
                return Cli.Cli.Fail($"no initiative '{key}'");
            }

            if (result.GetValue(impactJson))
            {
                Console.Out.WriteLine(InitiativeJson.Impact(key, impacts).ToJsonString(Cli.Cli.JsonOutput));
                return Cli.Cli.Ok;
            }

            var c = CultureInfo.InvariantCulture;
            foreach (var t in impacts)
            {
                var i = t.Impact;
                Console.Out.WriteLine($"{i.Target.Kpi} ({InitiativeJson.Direction(i.Target.Direction)}){(t.Kpi is null ? ": no such KPI any more" : "")}");
                if (i.Before is { } b && i.After is { } a)
                {
                    Console.Out.WriteLine(string.Create(c, $"  before {b.From:yyyy-MM-dd}…{b.To:yyyy-MM-dd} ({b.Periods} periods): {b.Mean:0.##}{Interval(b)}"));
                    Console.Out.WriteLine(string.Create(c, $"  after  {a.From:yyyy-MM-dd}…{a.To:yyyy-MM-dd} ({a.Periods} periods): {a.Mean:0.##}{Interval(a)}"));
                    Console.Out.WriteLine(string.Create(c,
                        $"  change {i.Change:+0.##;-0.##;0}: {(i.Intended == true ? "the intended way" : "not the intended way")}{Verdict(i)}"));
                }

                foreach (var caveat in i.Caveats)
                {
                    Console.Out.WriteLine("  · " + InitiativeJson.CaveatText(caveat, i));
                }
            }

            return Cli.Cli.Ok;
        }));
        initiative.Subcommands.Add(impact);
        return initiative;
    }

    private static string Verdict(KpiImpact i) => (i.Interval, i.Real) switch
    {
        ({ } ci, true) => string.Create(CultureInfo.InvariantCulture, $"; interval [{ci.Low:+0.##;-0.##;0}, {ci.High:+0.##;-0.##;0}]: larger than the noise and the trend before"),
        ({ } ci, _) => string.Create(CultureInfo.InvariantCulture, $"; interval [{ci.Low:+0.##;-0.##;0}, {ci.High:+0.##;-0.##;0}]: {(ci.ExcludesZero ? "the trend before can explain it" : "within the noise")}"),
        _ => "",
    };

    private static string Interval(ImpactWindow w) => w.Low is { } low && w.High is { } high ? string.Create(CultureInfo.InvariantCulture, $" [{low:0.##}, {high:0.##}]") : "";

    private static string Status(InitiativeStatus status) => status.ToString().ToLowerInvariant();

    private static string Dates(DateOnly? from, DateOnly? to) => string.Create(CultureInfo.InvariantCulture, $"{from:yyyy-MM-dd} → {(to is { } end ? end.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "ongoing")}");

    private static Func<ParseResult, CancellationToken, Task<int>> WithService(
        Option<string> workspace, Func<ParseResult, InitiativeService, long, CancellationToken, Task<int>> verb) => (result, ct) => Cli.Cli.RunAsync(async () =>
    {
        var (location, factory, found) = await Cli.Cli.WorkspaceAsync(result, workspace, ct).ConfigureAwait(false);
        if (found is not { } workspaceId)
        {
            return Cli.Cli.Fail($"no workspace '{result.GetValue(workspace)}'");
        }

        // The journey's stages are read from the system of record; the analytics store is not opened for reading.
        await using var store = new AnalyticsStore(AnalyticsStore.DefaultPathFor(location), factory);
        var service = new InitiativeService(factory, new JourneyService(factory, store, TimeProvider.System), TimeProvider.System);
        return await verb(result, service, workspaceId, ct).ConfigureAwait(false);
    });
}
