using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using OpenCxo.Core.Text;

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
