using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using OpenCxo.App.Kpis;
using OpenCxo.App.Segments;
using OpenCxo.Core.Campaigns;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Campaigns;

/// <summary><c>cxo campaign list|show|set|delete|plan|launch|end|results|export</c>: campaigns from the terminal, as the API serves them.</summary>
public static class CampaignCommand
{
    public static Command Create()
    {
        var campaign = new Command("campaign", "Campaigns measured against a random control group: plan, launch, results and the treated group's export (docs/campaigns.md)");

        var listWorkspace = Cli.Cli.Workspace();
        var list = new Command("list", "Every campaign with its status and group sizes") { listWorkspace };
        list.SetAction(WithService(listWorkspace, sync: false, async (result, campaigns, workspaceId, ct) =>
        {
            foreach (var (row, definition, (treated, control)) in await campaigns.ListAsync(workspaceId, ct).ConfigureAwait(false))
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{row.Key,-28} {row.Status,-8} {treated,10:N0} treated {control,9:N0} control  {definition.Name} (segment {definition.Segment})"));
            }

            return Cli.Cli.Ok;
        }));
        campaign.Subcommands.Add(list);

        var showKey = KeyArgument();
        var showWorkspace = Cli.Cli.Workspace();
        var show = new Command("show", "One campaign's definition, status and group sizes, as JSON") { showKey, showWorkspace };
        show.SetAction(WithCampaign(showKey, showWorkspace, sync: false, async (_, campaigns, row, definition, ct) =>
        {
            Console.Out.WriteLine(CampaignEndpoints.Summary(row, definition, await campaigns.GroupSizesAsync(row.Id, ct).ConfigureAwait(false)).ToJsonString(Cli.Cli.JsonOutput));
            return Cli.Cli.Ok;
        }));
        campaign.Subcommands.Add(show);

        var setFile = new Option<FileInfo>("--file") { Description = "The campaign's JSON definition (docs/campaigns.md); an existing key is replaced", Required = true };
        var setWorkspace = Cli.Cli.Workspace();
        var set = new Command("set", "Creates or replaces a campaign from a JSON file (a new one is a draft)") { setFile, setWorkspace };
        set.SetAction(WithService(setWorkspace, sync: false, async (result, campaigns, workspaceId, ct) =>
        {
            var (definition, problems) = await SegmentCommand.ReadAsync<CampaignDefinition>(result.GetValue(setFile)!, ct).ConfigureAwait(false);
            problems ??= (await campaigns.SaveAsync(workspaceId, definition!, Environment.UserName, replace: true, ct).ConfigureAwait(false)).Errors;
            if (SegmentCommand.Report(problems))
            {
                return Cli.Cli.BadUsage;
            }

            Console.Out.WriteLine($"campaign {definition!.Key} saved; `cxo campaign plan {definition.Key}` shows what it can detect");
            return Cli.Cli.Ok;
        }));
        campaign.Subcommands.Add(set);

        var deleteKey = KeyArgument();
        var deleteWorkspace = Cli.Cli.Workspace();
        var delete = new Command("delete", "Deletes a draft or ended campaign and its groups") { deleteKey, deleteWorkspace };
        delete.SetAction(WithService(deleteWorkspace, sync: false, async (result, campaigns, workspaceId, ct) =>
            await campaigns.DeleteAsync(workspaceId, result.GetValue(deleteKey)!, ct).ConfigureAwait(false) switch
            {
                (false, _) => Cli.Cli.Fail($"no campaign '{result.GetValue(deleteKey)}'"),
                (_, true) => Cli.Cli.Fail($"campaign '{result.GetValue(deleteKey)}' is running: `cxo campaign end` it first"),
                _ => Cli.Cli.Ok,
            }));
        campaign.Subcommands.Add(delete);

        var planKey = KeyArgument();
        var planWorkspace = Cli.Cli.Workspace();
        var plan = new Command("plan", "The power calculation: the smallest uplift on each outcome the control share detects, and other shares to compare") { planKey, planWorkspace };
        plan.SetAction(WithCampaign(planKey, planWorkspace, sync: true, async (_, campaigns, row, definition, ct) =>
        {
            if (await campaigns.PlanAsync(row.WorkspaceId, definition, row, ct).ConfigureAwait(false) is not { } p)
            {
                return Cli.Cli.Fail($"no segment '{definition.Segment}'");
            }

            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"audience {p.Audience:N0}; baselines from {p.BaselineFrom:yyyy-MM-dd} ({p.Weeks} weeks); 80 % power, 5 % two-sided"));
            foreach (var option in (IEnumerable<CampaignOption>)[p.Chosen, .. p.Alternatives])
            {
                var detectable = option.Detectable.Select(d => d.Smallest is { } s
                    ? string.Create(CultureInfo.InvariantCulture, $"{d.Outcome} ±{s:0.##} {d.Unit}{(d.Entered ? " (entered baseline)" : "")}")
                    : $"{d.Outcome}: {d.Why}");
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{(option == p.Chosen ? "*" : " ")} control {option.ControlShare:P0}: {option.Treated:N0} treated, {option.Control:N0} control — {string.Join("; ", detectable)}"));
            }

            return Cli.Cli.Ok;
        }));
        campaign.Subcommands.Add(plan);

        var launchKey = KeyArgument();
        var launchWorkspace = Cli.Cli.Workspace();
        var launch = new Command("launch", "Launches a draft: the segment's audience now is split at random into treated and control") { launchKey, launchWorkspace };
        launch.SetAction(WithCampaign(launchKey, launchWorkspace, sync: true, async (_, campaigns, row, _, ct) =>
        {
            var launched = await campaigns.LaunchAsync(row.WorkspaceId, row.Key, ct).ConfigureAwait(false);
            if (SegmentCommand.Report(launched.Errors))
            {
                return Cli.Cli.BadUsage;
            }

            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{row.Key} launched: {launched.Treated:N0} treated, {launched.Control:N0} held out"));
            return Cli.Cli.Ok;
        }));
        campaign.Subcommands.Add(launch);

        var endKey = KeyArgument();
        var endWorkspace = Cli.Cli.Workspace();
        var end = new Command("end", "Ends a running campaign: the control group may be contacted again") { endKey, endWorkspace };
        end.SetAction(WithCampaign(endKey, endWorkspace, sync: false, async (_, campaigns, row, _, ct) =>
            await campaigns.EndAsync(row.WorkspaceId, row.Key, ct).ConfigureAwait(false) ? Cli.Cli.Ok : Cli.Cli.Fail($"campaign '{row.Key}' is not running")));
        campaign.Subcommands.Add(end);

        var resultsKey = KeyArgument();
        var resultsJson = Cli.Cli.Json();
        var resultsWorkspace = Cli.Cli.Workspace();
        var results = new Command("results", "The uplift, treated minus control, by week from launch, with 95 % intervals and Holm-adjusted p-values") { resultsKey, resultsJson, resultsWorkspace };
        results.SetAction(WithCampaign(resultsKey, resultsWorkspace, sync: true, async (parse, campaigns, row, _, token) =>
        {
            if (await campaigns.ResultsAsync(row.WorkspaceId, row, token).ConfigureAwait(false) is not { } r)
            {
                return Cli.Cli.Fail($"campaign '{row.Key}' is a draft: it has results once launched");
            }

            if (parse.GetValue(resultsJson))
            {
                Console.Out.WriteLine(CampaignEndpoints.Results(r).ToJsonString(Cli.Cli.JsonOutput));
                return Cli.Cli.Ok;
            }

            foreach (var week in r.ByWeek)
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"week {week.Week}{(week.Complete ? "" : " (so far)")}: {week.Treated:N0} treated, {week.Control:N0} control"));
                foreach (var e in week.Effects)
                {
                    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {e.Outcome,-15} {e.Treated,10:0.##} vs {e.Control,10:0.##}  uplift {e.Uplift.Difference:+0.##;-0.##;0} {e.Unit} [{e.Uplift.Low:0.##}, {e.Uplift.High:0.##}]  p {e.Uplift.PValue:0.###} (Holm {e.AdjustedP:0.###})"));
                }
            }

            foreach (var w in r.Warnings)
            {
                Console.Out.WriteLine("! " + w.Message);
            }

            return Cli.Cli.Ok;
        }));
        campaign.Subcommands.Add(results);

        var exportKey = KeyArgument();
        var exportOut = new Option<FileInfo?>("--out") { Description = "Where to write the CSV; standard output when left out. An existing file is not overwritten" };
        var exportWorkspace = Cli.Cli.Workspace();
        var export = new Command("export", "The treated group as CSV (customer, email, phone), never the control group, less who may no longer be contacted; audited")
        {
            exportKey, exportOut, exportWorkspace,
        };
        export.SetAction(WithCampaign(exportKey, exportWorkspace, sync: false, async (parse, campaigns, row, _, token) =>
        {
            if (parse.GetValue(exportOut) is { Exists: true } existing)
            {
                return Cli.Cli.Usage($"--out: {existing.FullName} exists; choose another file");
            }

            var treated = await campaigns.TreatedAsync(row.WorkspaceId, row, token).ConfigureAwait(false);
            await SegmentCommand.WriteAsync(parse.GetValue(exportOut), treated, token).ConfigureAwait(false);
            await AuditTrail.RecordAsync(campaigns.Databases, AuditActor.Cli(), row.WorkspaceId, "export", "campaign:" + row.Key, null, DateTime.UtcNow, token).ConfigureAwait(false);
            return Cli.Cli.Ok;
        }));
        campaign.Subcommands.Add(export);
        return campaign;
    }

    private static Argument<string> KeyArgument() => new("key") { Description = "The campaign's key" };

    private static Func<ParseResult, CancellationToken, Task<int>> WithCampaign(
        Argument<string> key, Option<string> workspace, bool sync, Func<ParseResult, CampaignService, CampaignRow, CampaignDefinition, CancellationToken, Task<int>> verb) =>
        WithService(workspace, sync, async (result, campaigns, workspaceId, ct) =>
            await campaigns.GetAsync(workspaceId, result.GetValue(key)!, ct).ConfigureAwait(false) is var (row, definition)
                ? await verb(result, campaigns, row, definition, ct).ConfigureAwait(false)
                : Cli.Cli.Fail($"no campaign '{result.GetValue(key)}'"));

    private static Func<ParseResult, CancellationToken, Task<int>> WithService(
        Option<string> workspace, bool sync, Func<ParseResult, CampaignService, long, CancellationToken, Task<int>> verb) =>
        SegmentCommand.WithService(workspace, sync, (result, segments, store, workspaceId, ct) =>
            verb(result, new CampaignService(segments.Databases, store, segments, TimeProvider.System), workspaceId, ct));
}
