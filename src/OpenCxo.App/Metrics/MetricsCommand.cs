using System.CommandLine;
using System.Globalization;
using OpenCxo.App.Security;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Metrics;

/// <summary><c>cxo metrics nps|csat|ces</c>: the scores with their intervals, per slice, from the analytics store.</summary>
public static class MetricsCommand
{
    public static Command Create()
    {
        var metrics = new Command("metrics", "Survey scores with confidence intervals: nps, csat, ces");
        foreach (var (name, metric, what) in new[]
        {
            ("nps", ScoreMetric.Nps, "Net Promoter Score (−100 … 100) with its interval, promoters, passives and detractors"),
            ("csat", ScoreMetric.Csat, "CSAT: % satisfied (4–5) with its Wilson interval, and the mean with its t interval"),
            ("ces", ScoreMetric.Ces, "CES: the mean effort (1–7, 7 very easy) with its t interval"),
        })
        {
            metrics.Subcommands.Add(Verb(name, metric, what));
        }

        return metrics;
    }

    private static Command Verb(string name, ScoreMetric metric, string description)
    {
        var from = new Option<string?>("--from") { Description = "First day, yyyy-MM-dd (default: 90 days before --to)" };
        var to = new Option<string?>("--to") { Description = "Last day, yyyy-MM-dd, included (default: today, UTC)" };
        var by = new Option<string?>("--by") { Description = $"Slice by: {string.Join(", ", MetricsQuery.Slices.Keys)}, or {MetricsQuery.AttributePrefix}NAME for a customer attribute (default: all)" };
        var survey = new Option<string[]>("--survey") { Description = "Only these surveys (repeatable)", AllowMultipleArgumentsPerToken = true };
        var department = new Option<string[]>("--department") { Description = "Only responses in these departments (repeatable)", AllowMultipleArgumentsPerToken = true };
        var channel = new Option<string[]>("--channel") { Description = "Only responses in these channels (repeatable)", AllowMultipleArgumentsPerToken = true };
        var segment = new Option<string[]>("--segment") { Description = "Only customers in these segments (repeatable)", AllowMultipleArgumentsPerToken = true };
        var compare = new Option<bool>("--compare-previous") { Description = "Compare each slice with the period of the same length just before (p-value)" };
        var confidence = new Option<string?>("--confidence") { Description = "Confidence level of the intervals (default 0.95)" };
        var workspace = Cli.Cli.Workspace();
        var json = Cli.Cli.Json();
        var command = new Command(name, description) { from, to, by, survey, department, channel, segment, compare, confidence, workspace, json };
        command.SetAction((result, cancellationToken) => Cli.Cli.RunAsync(async () =>
        {
            var (query, problem) = MetricsQuery.Parse(
                result.GetValue(from), result.GetValue(to), result.GetValue(survey) ?? [], result.GetValue(department) ?? [], result.GetValue(channel) ?? [],
                result.GetValue(segment) ?? [], result.GetValue(by), result.GetValue(compare) ? "previous" : null, result.GetValue(confidence),
                DateOnly.FromDateTime(DateTime.UtcNow));
            if (query is null)
            {
                return Cli.Cli.Usage($"--{Option(problem!.Field)}: {problem.Message}");
            }

            var location = Cli.Cli.Database(result);
            var factory = new CxoDbFactory(location);
            await Cli.Cli.PrepareDatabaseAsync(factory, cancellationToken).ConfigureAwait(false);
            long workspaceId;
            await using (var db = factory.CreateDbContext())
            {
                var space = await Workspaces.FindAsync(db, result.GetValue(workspace)!, cancellationToken).ConfigureAwait(false);
                if (space is null)
                {
                    return Cli.Cli.Fail($"no workspace '{result.GetValue(workspace)}'");
                }

                workspaceId = space.Id;
            }

            await using var store = new AnalyticsStore(AnalyticsStore.DefaultPathFor(location), factory);
            var report = await ScoreMetrics.ReportAsync(store, factory, workspaceId, metric, query, cancellationToken).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                Console.Out.WriteLine(ScoreMetrics.ToJson(report).ToJsonString(Cli.Cli.JsonOutput));
            }
            else
            {
                Print(report);
            }

            return Cli.Cli.Ok;
        }));
        return command;
    }

    private static string Option(string field) => field == "compare" ? "compare-previous" : field;

    private static void Print(ScoreReport report)
    {
        var c = CultureInfo.InvariantCulture;
        var level = (report.Confidence * 100).ToString("0.#", c);
        Console.Out.WriteLine($"{report.Metric.ToUpperInvariant()} {report.From:yyyy-MM-dd} … {report.To:yyyy-MM-dd}, by {report.By}, {level} % intervals");
        if (report.Slices.Count == 0)
        {
            Console.Out.WriteLine("No responses in this period.");
        }

        foreach (var slice in report.Slices)
        {
            var score = report.Metric == "csat"
                ? string.Create(c, $"{slice.Value:0.0} % satisfied [{slice.Low:0.0}, {slice.High:0.0}], mean {slice.Mean:0.00}")
                : string.Create(c, $"{slice.Value:0.0} [{slice.Low:0.0}, {slice.High:0.0}]");
            var counts = slice.Promoters is { } p ? string.Create(c, $" ({p} promoters, {slice.Passives} passives, {slice.Detractors} detractors)") : "";
            var line = string.Create(c, $"{slice.Key ?? "(none)",-24} {score}  n={slice.N}{counts}");
            if (slice.Small)
            {
                line += "  small sample: not a trend";
            }

            if (slice.Change is { } change)
            {
                line += string.Create(c, $"  vs {change.Previous:0.0} before: {change.Difference:+0.0;-0.0;0.0}, p={change.PValue:0.000}")
                    + (change.Small ? " (small sample)" : change.Significant ? " (significant)" : " (not significant)");
            }

            Console.Out.WriteLine(line);
        }

        if (report.ResponseRate is { } rate)
        {
            Console.Out.WriteLine(string.Create(c, $"Response rate {rate.Rate:0.0} % [{rate.Low:0.0}, {rate.High:0.0}]: {rate.Answered} of {rate.Invited} invitations answered"));
        }
    }
}
