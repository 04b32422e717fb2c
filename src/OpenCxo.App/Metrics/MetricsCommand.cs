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
        var metrics = new Command("metrics", "The metric catalogue, each metric with its interval by time bucket and slice; nps, csat and ces with their survey reports (docs/metrics.md)");
        foreach (var (name, metric, what) in new[]
        {
            ("nps", ScoreMetric.Nps, "Net Promoter Score (−100 … 100) with its interval, promoters, passives and detractors"),
            ("csat", ScoreMetric.Csat, "CSAT: % satisfied (4–5) with its Wilson interval, and the mean with its t interval"),
            ("ces", ScoreMetric.Ces, "CES: the mean effort (1–7, 7 very easy) with its t interval"),
        })
        {
            metrics.Subcommands.Add(Verb(name, metric, what));
        }

        var json = Cli.Cli.Json();
        var list = new Command("list", "The metric catalogue: names, families and what each one measures") { json };
        list.SetAction(result =>
        {
            if (result.GetValue(json))
            {
                Console.Out.WriteLine(CatalogueMetrics.CatalogueJson().ToJsonString(Cli.Cli.JsonOutput));
                return Cli.Cli.Ok;
            }

            foreach (var metric in Core.Metrics.MetricCatalogue.All)
            {
                Console.Out.WriteLine($"{metric.Name,-26} {metric.Family.ToString().ToLowerInvariant(),-12} {metric.Title.En}");
            }

            return Cli.Cli.Ok;
        });
        metrics.Subcommands.Add(list);
        foreach (var name in CatalogueMetrics.Bases.Keys)
        {
            metrics.Subcommands.Add(CatalogueVerb(Core.Metrics.MetricCatalogue.Find(name)!));
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

            var (location, factory, found) = await Cli.Cli.WorkspaceAsync(result, workspace, cancellationToken).ConfigureAwait(false);
            if (found is not { } workspaceId)
            {
                return Cli.Cli.Fail($"no workspace '{result.GetValue(workspace)}'");
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

    private static Command CatalogueVerb(Core.Metrics.MetricDefinition metric)
    {
        var from = new Option<string?>("--from") { Description = "First day, yyyy-MM-dd (default: 90 days before --to)" };
        var to = new Option<string?>("--to") { Description = "Last day, yyyy-MM-dd, included (default: today, UTC)" };
        var granularity = new Option<string?>("--granularity") { Description = $"Time buckets: {string.Join(", ", CatalogueQuery.Granularities.Keys)} (default: none)" };
        var by = new Option<string?>("--by") { Description = $"Slice by: {string.Join(", ", CatalogueQuery.Slices.Keys)}, or {MetricsQuery.AttributePrefix}NAME (default: all)" };
        var survey = new Option<string[]>("--survey") { Description = "Only these surveys (repeatable)", AllowMultipleArgumentsPerToken = true };
        var department = new Option<string[]>("--department") { Description = "Only these departments (repeatable)", AllowMultipleArgumentsPerToken = true };
        var channel = new Option<string[]>("--channel") { Description = "Only these channels (repeatable)", AllowMultipleArgumentsPerToken = true };
        var segment = new Option<string[]>("--segment") { Description = "Only customers in these segments (repeatable)", AllowMultipleArgumentsPerToken = true };
        var team = new Option<string[]>("--team") { Description = "Only touchpoints of these teams (repeatable)", AllowMultipleArgumentsPerToken = true };
        var currency = new Option<string?>("--currency") { Description = "Money metrics: the currency, ISO 4217 (default: the one of most revenue touchpoints)" };
        var workspace = Cli.Cli.Workspace();
        var json = Cli.Cli.Json();
        var command = new Command(metric.Name, metric.Title.En + ": " + metric.Formula.En) { from, to, granularity, by, survey, department, channel, segment, team, workspace, json };
        if (CatalogueMetrics.Priced.Contains(metric.Name))
        {
            command.Options.Add(currency);
        }

        command.SetAction((result, cancellationToken) => Cli.Cli.RunAsync(async () =>
        {
            var (filters, problem) = Text.FeedbackQuery.Parse(
                result.GetValue(from), result.GetValue(to), result.GetValue(survey) ?? [], result.GetValue(department) ?? [], result.GetValue(channel) ?? [],
                result.GetValue(segment) ?? [], result.GetValue(team) ?? [], DateOnly.FromDateTime(DateTime.UtcNow));
            var (query, wrong) = filters is null
                ? (null, problem)
                : CatalogueQuery.Parse(filters, metric, result.GetValue(granularity), result.GetValue(by), result.GetValue(currency));
            if (query is null)
            {
                return Cli.Cli.Usage($"--{wrong!.Field}: {wrong.Message}");
            }

            var (location, factory, found) = await Cli.Cli.WorkspaceAsync(result, workspace, cancellationToken).ConfigureAwait(false);
            if (found is not { } workspaceId)
            {
                return Cli.Cli.Fail($"no workspace '{result.GetValue(workspace)}'");
            }

            // Texts stored while no server ran are analysed first, as the server would have.
            await new Text.TextAnalyses(factory).CatchUpAsync(DateTime.UtcNow, cancellationToken).ConfigureAwait(false);
            await using var store = new AnalyticsStore(AnalyticsStore.DefaultPathFor(location), factory);
            var answer = await CatalogueMetrics.ComputeAsync(store, workspaceId, metric, query, cancellationToken).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                Console.Out.WriteLine(CatalogueMetrics.ToJson(metric, query, answer).ToJsonString(Cli.Cli.JsonOutput));
                return Cli.Cli.Ok;
            }

            var c = CultureInfo.InvariantCulture;
            var unit = answer.Currency is { } money ? metric.Unit.Replace("money", money, StringComparison.Ordinal) : metric.Unit;
            Console.Out.WriteLine($"{metric.Title.En} ({unit}) {query.Filters.Period.From:yyyy-MM-dd} … {query.Filters.Period.To:yyyy-MM-dd}, by {query.GranularityName} and {query.ByName}");
            foreach (var p in answer.Points)
            {
                var interval = p.Low is { } low && p.High is { } high ? $" [{low.ToString("0.###", c)}, {high.ToString("0.###", c)}]" : "";
                Console.Out.WriteLine($"{p.Bucket?.ToString("yyyy-MM-dd", c) ?? "",-10} {p.Key ?? "",-20} {p.Value.ToString("0.###", c),10}{interval}  n={p.N.ToString("N0", c)}{(p.Small ? " small" : "")}");
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
