using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using OpenCxo.Core.Text;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Text;

/// <summary><c>cxo text analyze</c>: the offline analyser on one text or on a file of texts, one per line.</summary>
public static class TextCommand
{
    /// <summary>Lines analysed in parallel between two writes: keeps the output in input order with memory flat.</summary>
    private const int Batch = 8_192;

    private static readonly JsonSerializerOptions Line = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var text = new Command("text", "Offline text analytics in Spanish and English: language, sentiment, themes, flags, redaction");
        text.Subcommands.Add(Analyze());
        text.Subcommands.Add(Reanalyze());
        text.Subcommands.Add(Themes());
        return text;
    }

    private static Command Analyze()
    {
        var input = new Argument<string?>("text") { Description = "The text to analyse (quote it)", Arity = ArgumentArity.ZeroOrOne };
        var file = new Option<string?>("--file") { Description = "Analyse one text per line of this UTF-8 file (- for standard input) and print one JSON object per line" };
        var json = Cli.Cli.Json();
        var command = new Command("analyze", "Analyse a text, or a file of texts with --file") { input, file, json };
        command.SetAction((result, cancellationToken) => Cli.Cli.RunAsync(async () =>
        {
            var one = result.GetValue(input);
            var path = result.GetValue(file);
            if ((one is null) == (path is null))
            {
                return Cli.Cli.Usage("give either a text or --file FILE");
            }

            if (path is not null)
            {
                return await AnalyzeFileAsync(path, cancellationToken).ConfigureAwait(false);
            }

            var analysis = TextAnalyzer.Default.Analyze(one);
            if (result.GetValue(json))
            {
                Console.Out.WriteLine(TextJson.ToJson(analysis).ToJsonString(Cli.Cli.JsonOutput));
            }
            else
            {
                Print(analysis);
            }

            return Cli.Cli.Ok;
        }));
        return command;
    }

    private static Command Themes()
    {
        var from = new Option<string?>("--from") { Description = "First day, yyyy-MM-dd (default: 90 days before --to)" };
        var to = new Option<string?>("--to") { Description = "Last day, yyyy-MM-dd, included (default: today, UTC)" };
        var survey = new Option<string[]>("--survey") { Description = "Only answers to these surveys (repeatable)", AllowMultipleArgumentsPerToken = true };
        var department = new Option<string[]>("--department") { Description = "Only these departments (repeatable)", AllowMultipleArgumentsPerToken = true };
        var channel = new Option<string[]>("--channel") { Description = "Only these channels (repeatable)", AllowMultipleArgumentsPerToken = true };
        var segment = new Option<string[]>("--segment") { Description = "Only customers in these segments (repeatable)", AllowMultipleArgumentsPerToken = true };
        var team = new Option<string[]>("--team") { Description = "Only touchpoints of these teams (repeatable)", AllowMultipleArgumentsPerToken = true };
        var workspace = Cli.Cli.Workspace();
        var json = Cli.Cli.Json();
        var command = new Command("themes", "Themes of the analysed texts by volume and sentiment, and which are rising against the period before")
        {
            from, to, survey, department, channel, segment, team, workspace, json,
        };
        command.SetAction((result, cancellationToken) => Cli.Cli.RunAsync(async () =>
        {
            var (query, problem) = FeedbackQuery.Parse(
                result.GetValue(from), result.GetValue(to), result.GetValue(survey) ?? [], result.GetValue(department) ?? [], result.GetValue(channel) ?? [],
                result.GetValue(segment) ?? [], result.GetValue(team) ?? [], DateOnly.FromDateTime(DateTime.UtcNow));
            if (query is null)
            {
                return Cli.Cli.Usage($"--{problem!.Field}: {problem.Message}");
            }

            var (location, factory, found) = await Cli.Cli.WorkspaceAsync(result, workspace, cancellationToken).ConfigureAwait(false);
            if (found is not { } workspaceId)
            {
                return Cli.Cli.Fail($"no workspace '{result.GetValue(workspace)}'");
            }

            // Texts not analysed yet (imported while no server ran) are analysed first, as the server would.
            var analyses = new TextAnalyses(factory);
            await analyses.CatchUpAsync(DateTime.UtcNow, cancellationToken).ConfigureAwait(false);

            await using var store = new Data.Analytics.AnalyticsStore(Data.Analytics.AnalyticsStore.DefaultPathFor(location), factory);
            var report = await FeedbackThemes.ReportAsync(store, analyses, factory, workspaceId, query, cancellationToken).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                Console.Out.WriteLine(FeedbackThemes.ToJson(report).ToJsonString(Cli.Cli.JsonOutput));
                return Cli.Cli.Ok;
            }

            var c = CultureInfo.InvariantCulture;
            Console.Out.WriteLine($"Themes {report.From:yyyy-MM-dd} … {report.To:yyyy-MM-dd}: {report.Texts:N0} texts, mean sentiment {report.Sentiment.ToString("+0.00;-0.00;0.00", c)}, {report.NegativeShare.ToString("0.0", c)} % negative");
            Console.Out.WriteLine($"{"theme",-22} {"texts",8} {"share %",8} {"sentiment",9} {"neg %",6}  change");
            foreach (var theme in report.Themes)
            {
                var change = theme.Change is { } ch
                    ? $"{ch.Difference.ToString("+0.0;-0.0;0.0", c)} pp (p {ch.PValue.ToString("0.000", c)}){(ch.Rising ? " RISING" : "")}{(ch.Small ? " small" : "")}"
                    : "–";
                Console.Out.WriteLine($"{theme.Key,-22} {theme.Texts,8:N0} {theme.Share.Value.ToString("0.0", c),8} {theme.Sentiment.ToString("+0.00;-0.00;0.00", c),9} {theme.NegativeShare.ToString("0", c),6}  {change}");
            }

            return Cli.Cli.Ok;
        }));
        return command;
    }

    private static Command Reanalyze()
    {
        var workspace = new Option<string?>("--workspace") { Description = "Only this workspace's texts (default: every workspace)" };
        var json = Cli.Cli.Json();
        var command = new Command("reanalyze", "Analyse every stored touchpoint text again (after a taxonomy or analyser change), with progress") { workspace, json };
        command.SetAction((result, cancellationToken) => Cli.Cli.RunAsync(async () =>
        {
            var factory = new CxoDbFactory(Cli.Cli.Database(result));
            await Cli.Cli.PrepareDatabaseAsync(factory, cancellationToken).ConfigureAwait(false);
            long? workspaceId = null;
            if (result.GetValue(workspace) is { } slug)
            {
                await using var db = factory.CreateDbContext();
                workspaceId = (await Security.Workspaces.FindAsync(db, slug, cancellationToken).ConfigureAwait(false))?.Id;
                if (workspaceId is null)
                {
                    return Cli.Cli.Fail($"no workspace '{slug}'");
                }
            }

            var clock = System.Diagnostics.Stopwatch.StartNew();
            var progress = result.GetValue(json) ? null : new Cli.PlainProgress<AnalysisProgress>(p =>
                string.Create(CultureInfo.InvariantCulture, $"{p.Texts:N0} texts, {p.Through:N0} of {p.Total:N0} touchpoints read ({(p.Total == 0 ? 1 : (double)p.Through / p.Total):P0})"));
            var done = await new TextAnalyses(factory).ReanalyzeAsync(workspaceId, progress, DateTime.UtcNow, cancellationToken).ConfigureAwait(false);
            var seconds = clock.Elapsed.TotalSeconds;
            if (result.GetValue(json))
            {
                Cli.Cli.WriteJson(new { texts = done.Texts, touchpoints = done.Through, seconds = Math.Round(seconds, 1) });
            }
            else
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Analysed {done.Texts:N0} texts of {done.Through:N0} touchpoints in {seconds:0.0} s ({done.Texts / Math.Max(seconds, 0.001):N0} texts/s)"));
            }

            return Cli.Cli.Ok;
        }));
        return command;
    }

    /// <summary>One JSON object per input line, in order; invalid UTF-8 is read as U+FFFD, an empty line as an empty text.</summary>
    private static async Task<int> AnalyzeFileAsync(string path, CancellationToken ct)
    {
        if (path != "-" && !File.Exists(path))
        {
            return Cli.Cli.Fail($"{path}: no such file");
        }

        using var reader = path == "-"
            ? new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false, throwOnInvalidBytes: false))
            : new StreamReader(path, new UTF8Encoding(false, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: true);
        var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = false };
        await using (output.ConfigureAwait(false))
        {
            var lines = new List<string>(Batch);
            var results = new string[Batch];
            while (true)
            {
                lines.Clear();
                while (lines.Count < Batch && await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
                {
                    lines.Add(line);
                }

                if (lines.Count == 0)
                {
                    break;
                }

                Parallel.For(0, lines.Count, new ParallelOptions { CancellationToken = ct }, i =>
                    results[i] = TextJson.ToJson(TextAnalyzer.Default.Analyze(lines[i])).ToJsonString(Line));
                for (var i = 0; i < lines.Count; i++)
                {
                    await output.WriteLineAsync(results[i].AsMemory(), ct).ConfigureAwait(false);
                }
            }
        }

        return Cli.Cli.Ok;
    }

    private static void Print(TextAnalysis analysis)
    {
        var c = CultureInfo.InvariantCulture;
        Console.Out.WriteLine($"language   {analysis.Language}");
        Console.Out.WriteLine($"sentiment  {SentimentScore.Name(analysis.Sentiment.Label)} ({analysis.Sentiment.Score.ToString("+0.000;-0.000;0.000", c)})");
        foreach (var theme in analysis.Themes)
        {
            var words = string.Join(", ", theme.Matches.Select(m => string.Concat("\"", analysis.Redacted.AsSpan(m.Start, m.Length), "\"")));
            Console.Out.WriteLine($"theme      {theme.Key}: {SentimentScore.Name(theme.Sentiment.Label)} ({theme.Sentiment.Score.ToString("+0.000;-0.000;0.000", c)}) {words}");
        }

        foreach (var flag in analysis.Flags)
        {
            var words = string.Join(", ", flag.Matches.Select(m => string.Concat("\"", analysis.Redacted.AsSpan(m.Start, m.Length), "\"")));
            Console.Out.WriteLine($"flag       {flag.Key} {words}");
        }

        Console.Out.WriteLine($"redacted   {analysis.Redacted}");
    }
}
