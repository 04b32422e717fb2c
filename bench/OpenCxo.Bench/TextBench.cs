using System.Diagnostics;
using System.Globalization;
using OpenCxo.Core.Text;

/// <summary>
/// Issue 5: the analyser's agreement with human labels on every labelled set we have, and its throughput on them
/// (full analysis: language, sentiment, themes, flags, redaction), on one thread and on all cores.
/// </summary>
internal static class TextBench
{
    public static void Run(int comments)
    {
        var root = RepoRoot();
        var shared = Path.Combine(root, "..", "shared", "data", "sentiment-en");
        var sets = new (string Name, List<LabelledText> Texts, bool TwoClass, string Published)[]
        {
            ("VADER tweets (en)", SentimentEvaluation.ReadVaderGold(File.ReadLines(Path.Combine(shared, "tweets_GroundTruth.txt"))), false, "VADER F1 0.96, r 0.881"),
            ("VADER Amazon snippets (en)", SentimentEvaluation.ReadVaderGold(File.ReadLines(Path.Combine(shared, "amazonReviewSnippets_GroundTruth.txt"))), false, "VADER F1 0.63, r 0.565"),
            ("UCI amazon cells (en, 2 classes)", SentimentEvaluation.ReadUci(File.ReadLines(Path.Combine(shared, "amazon_cells_labelled.txt"))), true, ""),
            ("UCI yelp (en, 2 classes)", SentimentEvaluation.ReadUci(File.ReadLines(Path.Combine(shared, "yelp_labelled.txt"))), true, "ML.NET tutorial, trained on yelp: accuracy 0.840"),
            ("OpenCXO comments (es)", SentimentEvaluation.ReadProjectSet(File.ReadLines(Path.Combine(root, "tests", "OpenCxo.Core.Tests", "Text", "Data", "sentiment-es.tsv"))), false, ""),
        };

        var analyzer = TextAnalyzer.Default;
        Console.WriteLine("set | n | accuracy | macro-F1 | weighted F1 | r with humans | published");
        foreach (var (name, texts, twoClass, published) in sets)
        {
            var agreement = SentimentEvaluation.Agreement([.. texts.Select(t =>
            {
                var score = analyzer.Analyze(t.Text).Sentiment;
                return (t, twoClass ? SentimentEvaluation.TwoClass(score) : score);
            })]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name} | {agreement.N} | {agreement.Accuracy:0.000} | {agreement.MacroF1:0.000} | {agreement.WeightedF1:0.000} | {(agreement.Correlation is { } r ? r.ToString("0.000", CultureInfo.InvariantCulture) : "–")} | {published}"));
        }

        ThemesAndFlags(analyzer, sets[^1].Texts);

        // Throughput over every text of the sets, repeated to the number asked, with some personal data planted.
        var corpus = sets.SelectMany(s => s.Texts).Select((t, i) => i % 10 == 0 ? t.Text + " Llamadme al 612 345 678 o a ana@example.com" : t.Text).ToArray();
        var work = Enumerable.Range(0, comments).Select(i => corpus[i % corpus.Length]).ToArray();
        var characters = work.Sum(t => (long)t.Length);
        foreach (var text in corpus)
        {
            analyzer.Analyze(text);
        }

        var clock = Stopwatch.StartNew();
        foreach (var text in work)
        {
            analyzer.Analyze(text);
        }

        var one = clock.Elapsed.TotalSeconds;
        clock.Restart();
        Parallel.ForEach(work, text => analyzer.Analyze(text));
        var all = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"throughput over {comments:N0} comments (mean {characters / (double)comments:0} characters): one thread {comments / one:N0}/s, {Environment.ProcessorCount} cores {comments / all:N0}/s"));
    }

    /// <summary>Themes and flags against the labels written with the Spanish set: precision and recall per key.</summary>
    private static void ThemesAndFlags(TextAnalyzer analyzer, List<LabelledText> texts)
    {
        var found = texts.Select(t => analyzer.Analyze(t.Text)).ToList();
        foreach (var (kind, gold, predicted) in new (string, Func<LabelledText, IReadOnlyList<string>>, Func<TextAnalysis, IEnumerable<string>>)[]
        {
            ("theme", t => t.Themes ?? [], a => a.Themes.Select(x => x.Key)),
            ("flag", t => t.Flags ?? [], a => a.Flags.Select(x => x.Key)),
        })
        {
            var keys = texts.SelectMany(gold).Distinct().Order(StringComparer.Ordinal).ToList();
            long tpAll = 0, fpAll = 0, fnAll = 0;
            foreach (var key in keys)
            {
                int tp = 0, fp = 0, fn = 0;
                for (var i = 0; i < texts.Count; i++)
                {
                    var g = gold(texts[i]).Contains(key);
                    var p = predicted(found[i]).Contains(key);
                    tp += g && p ? 1 : 0;
                    fp += !g && p ? 1 : 0;
                    fn += g && !p ? 1 : 0;
                }

                (tpAll, fpAll, fnAll) = (tpAll + tp, fpAll + fp, fnAll + fn);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {kind} {key}: precision {(tp + fp == 0 ? 0 : (double)tp / (tp + fp)):0.00}, recall {(tp + fn == 0 ? 0 : (double)tp / (tp + fn)):0.00} ({tp + fn} labelled)"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{kind}s overall (es set): precision {(double)tpAll / Math.Max(1, tpAll + fpAll):0.000}, recall {(double)tpAll / Math.Max(1, tpAll + fnAll):0.000}"));
        }
    }

    private static string RepoRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "OpenCxo.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("run the bench from inside the repository");
    }
}
