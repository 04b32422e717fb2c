using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OpenCxo.Core.Cases;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Cases;

/// <summary><c>cxo cases</c>: closed-loop cases from the command line — list, open what is due now, and the rules.</summary>
public static class CasesCommand
{
    public static Command Create() => new("cases", "Closed-loop cases: list them, open and escalate what is due now, and the rules that open them (docs/cases.md)")
    {
        List(), Sweep(), Settings(), Metrics(),
    };

    private static Command Metrics()
    {
        var workspace = Cli.Cli.Workspace();
        var from = new Option<string?>("--from") { Description = "First day of the cases' opening, yyyy-MM-dd (default 89 days before --to)" };
        var to = new Option<string?>("--to") { Description = "Last day, yyyy-MM-dd (default today)" };
        var json = Cli.Cli.Json();
        var command = new Command("metrics", "How the loop closes: closure rate, SLA met, hours to first contact, escalations, and recovery of contacted against not contacted detractors") { workspace, from, to, json };
        command.SetAction((result, ct) => Cli.Cli.RunAsync(async () =>
        {
            var (period, problem) = OpenCxo.App.Metrics.MetricsQuery.Parse(result.GetValue(from), result.GetValue(to), [], [], [], [], null, null, null, DateOnly.FromDateTime(DateTime.UtcNow));
            if (period is null)
            {
                return Cli.Cli.Usage($"--{problem!.Field}: {problem.Message}");
            }

            var (location, factory, found) = await Cli.Cli.WorkspaceAsync(result, workspace, ct).ConfigureAwait(false);
            if (found is not { } workspaceId)
            {
                return Cli.Cli.Fail($"no workspace '{result.GetValue(workspace)}'");
            }

            await using var store = new OpenCxo.Data.Analytics.AnalyticsStore(OpenCxo.Data.Analytics.AnalyticsStore.DefaultPathFor(location), factory);
            var report = await new CaseMetrics(factory, store, TimeProvider.System).ReportAsync(workspaceId, period.From, period.To, ct).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                Cli.Cli.WriteJson(report);
                return Cli.Cli.Ok;
            }

            var o = Console.Out;
            string Share(OpenCxo.Core.Metrics.Estimate? e) => e is null ? "–" : string.Create(CultureInfo.InvariantCulture, $"{e.Value:0.#} % [{e.Low:0.#}, {e.High:0.#}] n={e.N}");
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cases opened {report.From:yyyy-MM-dd} … {report.To:yyyy-MM-dd}: {report.Opened:N0}, closed {report.Closed:N0}, escalated {report.Escalated:N0}"));
            o.WriteLine($"  closure rate       {Share(report.ClosureRate)}");
            o.WriteLine($"  SLA met            {Share(report.SlaMet)}");
            o.WriteLine(report.MedianHoursToFirstContact is { } median
                ? string.Create(CultureInfo.InvariantCulture, $"  first contact      median {median:0.#} h, 90th percentile {report.P90HoursToFirstContact:0.#} h")
                : "  first contact      –");
            o.WriteLine($"  recovered (next NPS ≥ 7): contacted {Share(report.Recovery.Contacted)}; not contacted {Share(report.Recovery.NotContacted)}");
            o.WriteLine($"  cancelled within 90 days: contacted {Share(report.Cancellations.Contacted)}; not contacted {Share(report.Cancellations.NotContacted)}");
            return Cli.Cli.Ok;
        }));
        return command;
    }

    private static Command List()
    {
        var workspace = Cli.Cli.Workspace();
        var status = new Option<string?>("--status") { Description = "open, new, contacted, resolved or not-reachable (default: all)" };
        var department = new Option<string?>("--department") { Description = "Only this department's cases" };
        var team = new Option<string?>("--team") { Description = "Only this team's cases" };
        var overdue = new Option<bool>("--overdue") { Description = "Only cases past their first-contact SLA" };
        var limit = new Option<int>("--limit") { Description = "How many, 1–200", DefaultValueFactory = _ => 50 };
        var json = Cli.Cli.Json();
        var command = new Command("list", "Cases, open first by due time") { workspace, status, department, team, overdue, limit, json };
        command.SetAction((result, ct) => WithServiceAsync(result, workspace, async (cases, workspaceId) =>
        {
            var (query, _, take, problem) = CaseEndpoints.Parse(
                result.GetValue(status), result.GetValue(department), result.GetValue(team), null, null, result.GetValue(overdue) ? "true" : null, null,
                result.GetValue(limit).ToString(CultureInfo.InvariantCulture));
            if (query is null)
            {
                return Cli.Cli.Usage($"--{problem!.Field}: {problem.Message}");
            }

            var page = await cases.ListAsync(workspaceId, query, 0, take, ct).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                Cli.Cli.WriteJson(page);
                return Cli.Cli.Ok;
            }

            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{page.Total:N0} cases"));
            foreach (var c in page.Items)
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  #{c.Id} {CaseStatuses.Name(c.Status)}{(c.Overdue ? " OVERDUE" : "")} customer #{c.CustomerId}: {c.Reason} → {c.Department}{(c.Team is null ? "" : "/" + c.Team)}{(c.Owner is null ? "" : " " + c.Owner)}, due {c.DueAt:yyyy-MM-dd HH:mm}"));
            }

            return Cli.Cli.Ok;
        }, ct));
        return command;
    }

    private static Command Sweep()
    {
        var json = Cli.Cli.Json();
        var command = new Command("sweep", "Open the cases new answers, texts and model runs call for, and escalate overdue ones, now (cxo serve does it every 30 s)") { json };
        command.SetAction((result, ct) => Cli.Cli.RunAsync(async () =>
        {
            var factory = new CxoDbFactory(Cli.Cli.Database(result));
            await Cli.Cli.PrepareDatabaseAsync(factory, ct).ConfigureAwait(false);
            var pass = await new CaseService(factory, TimeProvider.System).RunAsync(ct).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                Cli.Cli.WriteJson(pass);
            }
            else
            {
                Console.Out.WriteLine($"{pass.Opened} cases opened, {pass.Escalated} escalated");
            }

            return Cli.Cli.Ok;
        }));
        return command;
    }

    private static Command Settings()
    {
        var workspace = Cli.Cli.Workspace();
        var set = new Option<string?>("--set") { Description = "Replace the rules and root causes with those in this JSON file (as GET /api/v1/cases/settings prints them)" };
        var command = new Command("settings", "Print the case rules and root-cause codes as JSON, or replace them from a file (checked whole)") { workspace, set };
        command.SetAction((result, ct) => WithServiceAsync(result, workspace, async (cases, workspaceId) =>
        {
            if (result.GetValue(set) is { } path)
            {
                if (!File.Exists(path))
                {
                    return Cli.Cli.Fail($"{path}: no such file");
                }

                CaseSettings? settings;
                try
                {
                    settings = JsonSerializer.Deserialize<CaseSettings>(await File.ReadAllTextAsync(path, ct).ConfigureAwait(false), CaseService.Json);
                }
                catch (JsonException e)
                {
                    return Cli.Cli.Fail($"{path}: not case settings: {(string.IsNullOrEmpty(e.Path) ? "" : e.Path.TrimStart('$', '.') + ": ")}{e.Message}");
                }

                var errors = settings is null ? [new OpenCxo.Core.Ingest.FieldError("body", "is empty")] : CaseRules.Validate(settings);
                if (errors.Count > 0)
                {
                    return Cli.Cli.Fail($"{path}: " + string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")));
                }

                await cases.SaveSettingsAsync(workspaceId, settings!, ct).ConfigureAwait(false);
            }

            Cli.Cli.WriteJson(await cases.SettingsAsync(workspaceId, ct).ConfigureAwait(false));
            return Cli.Cli.Ok;
        }, ct));
        return command;
    }

    private static Task<int> WithServiceAsync(ParseResult result, Option<string> workspace, Func<CaseService, long, Task<int>> verb, CancellationToken ct) =>
        Cli.Cli.RunAsync(async () =>
        {
            var (_, factory, found) = await Cli.Cli.WorkspaceAsync(result, workspace, ct).ConfigureAwait(false);
            return found is { } workspaceId
                ? await verb(new CaseService(factory, TimeProvider.System), workspaceId).ConfigureAwait(false)
                : Cli.Cli.Fail($"no workspace '{result.GetValue(workspace)}'");
        });
}
