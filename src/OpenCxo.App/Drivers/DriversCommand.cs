using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Options;
using OpenCxo.App.Predict;
using OpenCxo.Data.Analytics;

namespace OpenCxo.App.Drivers;

/// <summary><c>cxo drivers</c>: the key-driver analysis of the API and the drivers page, from the command line.</summary>
public static class DriversCommand
{
    public static Command Create()
    {
        var workspace = Cli.Cli.Workspace();
        var outcome = new Option<string>("--outcome") { Description = "What to explain: nps, csat or churn", DefaultValueFactory = _ => "nps" };
        var from = new Option<string?>("--from") { Description = "First day, yyyy-MM-dd (default 89 days before --to)" };
        var to = new Option<string?>("--to") { Description = "Last day, yyyy-MM-dd (default today); for churn, the end of the churn window" };
        var departments = new Option<string[]>("--department") { Description = "Only answers in these departments (repeatable)", AllowMultipleArgumentsPerToken = true };
        var channels = new Option<string[]>("--channel") { Description = "Only answers through these channels (repeatable)", AllowMultipleArgumentsPerToken = true };
        var segments = new Option<string[]>("--segment") { Description = "Only these segments (repeatable)", AllowMultipleArgumentsPerToken = true };
        var window = new Option<string?>("--window") { Description = "Days of history before each answer (or the churn window's start) that count, 1–730 (default 90)" };
        var method = new Option<string?>("--method") { Description = "shapley (exact, up to 20 drivers) or relative-weights (Johnson); default shapley up to 20 drivers" };
        var max = new Option<string?>("--max") { Description = "At most this many drivers, those that weigh most (by relative weights) kept, 2–64 (default 20)" };
        var attributes = new Option<string[]>("--attribute")
        {
            Description = "A customer attribute to weigh, by name (repeatable); values are read as they are now, so name stable ones such as a plan or a country",
            AllowMultipleArgumentsPerToken = true,
        };
        var horizon = new Option<int>("--horizon-days") { Description = "Churn window in days, as the churn model uses it", DefaultValueFactory = _ => 90 };
        var json = Cli.Cli.Json();
        var command = new Command(
            "drivers",
            "Key drivers of NPS, CSAT or churn: each theme, touchpoint, team, channel, segment, campaign and attribute's share of the explained variance, its direction, the outcome where it was met, and which to fix first (docs/drivers.md)")
        {
            workspace, outcome, from, to, departments, channels, segments, window, method, max, attributes, horizon, json,
        };
        command.SetAction((result, cancellationToken) => Cli.Cli.RunAsync(async () =>
        {
            var (request, problem) = DriverEndpoints.Parse(
                result.GetValue(outcome), result.GetValue(from), result.GetValue(to), result.GetValue(departments) ?? [], result.GetValue(channels) ?? [],
                result.GetValue(segments) ?? [], result.GetValue(window), result.GetValue(method), result.GetValue(max), result.GetValue(attributes) ?? [], DateOnly.FromDateTime(DateTime.UtcNow));
            if (request is null)
            {
                return Cli.Cli.Usage($"--{problem!.Field}: {problem.Message}");
            }

            var days = result.GetValue(horizon);
            if (days is < 7 or > 730)
            {
                return Cli.Cli.Usage($"--horizon-days: between 7 and 730, not {days}");
            }

            var (location, factory, found) = await Cli.Cli.WorkspaceAsync(result, workspace, cancellationToken).ConfigureAwait(false);
            if (found is not { } workspaceId)
            {
                return Cli.Cli.Fail($"no workspace '{result.GetValue(workspace)}'");
            }

            await using var store = new AnalyticsStore(AnalyticsStore.DefaultPathFor(location), factory);
            var drivers = new DriverService(store, Options.Create(new PredictionOptions { ChurnHorizonDays = days }));
            var report = await drivers.AnalyseAsync(workspaceId, request, cancellationToken).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                Cli.Cli.WriteJson(report);
                return report.Skipped is null ? Cli.Cli.Ok : Cli.Cli.Failure;
            }

            var o = Console.Out;
            if (report.Skipped is { } why)
            {
                return Cli.Cli.Fail($"no key-driver analysis: {why}");
            }

            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{report.Outcome} from {report.From:yyyy-MM-dd} to {report.To:yyyy-MM-dd}: {report.Units:N0} {(report.Outcome == "churn" ? "customers" : "answers")}, {report.Measure} {report.Performance:0.#}, R² {report.RSquared:0.000} ({report.Method})"));
            o.WriteLine($"{"driver",-44} {"share",6} {"effect",7} {"where met",10} {"elsewhere",10} {"n",8}  quadrant");
            foreach (var d in report.Drivers)
            {
                var name = $"{d.Family}: {d.Level}";
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{(name.Length > 44 ? name[..43] + "…" : name),-44} {d.Share,6:P0} {d.Direction,7} {d.Performance,10:0.#} {d.PerformanceWithout,10:0.#} {d.Units,8:N0}  {d.Quadrant}"));
            }

            foreach (var name in report.AttributesNotFound)
            {
                o.WriteLine($"attribute '{name}': no customer here has it, or it has more than {AnalyticsStore.MaxAttributeLevels} values");
            }

            if (report.LeftOut > 0)
            {
                o.WriteLine($"{report.LeftOut} less common drivers left out (--max)");
            }

            return Cli.Cli.Ok;
        }));
        return command;
    }
}
