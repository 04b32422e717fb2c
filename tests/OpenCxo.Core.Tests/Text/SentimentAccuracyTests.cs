using OpenCxo.Core.Text;

namespace OpenCxo.Core.Tests.Text;

/// <summary>
/// Issue 5: the analyser against human judgements. English: the gold standards of Hutto &amp; Gilbert, "VADER: A
/// Parsimonious Rule-based Model for Sentiment Analysis of Social Media Text" (ICWSM 2014), whose published F1 is
/// 0.96 on tweets and 0.63 on Amazon review snippets (../shared/data/README.md), and the UCI sentences of Kotzias et
/// al. (KDD 2015). Spanish: the project's own set of 705 comments (Text/Data/README.md).
/// </summary>
public sealed class SentimentAccuracyTests
{
    private static readonly TextAnalyzer Analyzer = TextAnalyzer.Default;

    internal static string SharedData(string file)
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "OpenCxo.sln")))
        {
            folder = folder.Parent;
        }

        return Path.Combine(folder?.FullName ?? throw new InvalidOperationException("OpenCxo.sln not found"), "..", "shared", "data", file);
    }

    internal static List<LabelledText> SpanishSet() =>
        SentimentEvaluation.ReadProjectSet(File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Text", "Data", "sentiment-es.tsv")));

    private static SentimentAgreement Evaluate(IReadOnlyList<LabelledText> set, bool twoClass = false) =>
        SentimentEvaluation.Agreement([.. set.Select(t =>
        {
            var score = Analyzer.Analyze(t.Text).Sentiment;
            return (t, twoClass ? SentimentEvaluation.TwoClass(score) : score);
        })]);

    [Fact]
    public void Tweets_stay_within_0_03_of_vaders_published_f1()
    {
        var result = Evaluate(SentimentEvaluation.ReadVaderGold(File.ReadLines(SharedData("sentiment-en/tweets_GroundTruth.txt"))));

        Assert.Equal(4200, result.N);
        Assert.True(result.WeightedF1 >= 0.93, $"F1 {result.WeightedF1:0.000} (VADER 0.96)");
        Assert.True(result.Correlation >= 0.85, $"r {result.Correlation:0.000} (VADER 0.881)");
    }

    [Fact]
    public void Amazon_snippets_beat_vaders_published_f1()
    {
        var result = Evaluate(SentimentEvaluation.ReadVaderGold(File.ReadLines(SharedData("sentiment-en/amazonReviewSnippets_GroundTruth.txt"))));

        Assert.Equal(3708, result.N);
        Assert.True(result.WeightedF1 > 0.63, $"F1 {result.WeightedF1:0.000} (VADER 0.63)");
        Assert.True(result.Correlation > 0.565, $"r {result.Correlation:0.000} (VADER 0.565)");
    }

    [Theory]
    [InlineData("sentiment-en/amazon_cells_labelled.txt")]
    [InlineData("sentiment-en/yelp_labelled.txt")]
    public void Uci_sentences_are_mostly_read_right(string file)
    {
        var result = Evaluate(SentimentEvaluation.ReadUci(File.ReadLines(SharedData(file))), twoClass: true);

        Assert.Equal(1000, result.N);
        Assert.True(result.Accuracy >= 0.75, $"accuracy {result.Accuracy:0.000}");
    }

    [Fact]
    public void Spanish_comments_agree_with_their_labels()
    {
        var set = SpanishSet();
        var result = Evaluate(set);

        Assert.True(result.N >= 600);
        Assert.True(result.MacroF1 >= 0.70, $"macro-F1 {result.MacroF1:0.000}, accuracy {result.Accuracy:0.000}");
        Assert.True(result.Correlation >= 0.70, $"r {result.Correlation:0.000}");
        Assert.All(result.F1ByClass, c => Assert.True(c.Value >= 0.55, $"{c.Key}: F1 {c.Value:0.000}"));
    }

    [Fact]
    public void Spanish_comments_are_read_as_spanish()
    {
        var set = SpanishSet();
        var spanish = set.Count(t => Analyzer.Analyze(t.Text).Language == "es");
        Assert.True(spanish >= set.Count * 0.97, $"{spanish} of {set.Count} read as Spanish");
    }

    [Fact]
    public void The_agreement_arithmetic_matches_a_hand_count()
    {
        // Gold: 2 positive, 1 negative, 1 neutral. Predicted: P, N, N, P. Positive: precision 1/2, recall 1/2 → F1 1/2;
        // negative: precision 1/2, recall 1 → 2/3; neutral: none predicted → 0. Macro (1/2 + 2/3 + 0)/3 = 7/18;
        // weighted (2·1/2 + 1·2/3 + 1·0)/4 = 5/12; accuracy 2/4.
        static LabelledText Gold(SentimentLabel label, double rating) => new("", label, rating);
        var results = new List<(LabelledText, SentimentScore)>
        {
            (Gold(SentimentLabel.Positive, 2), SentimentScore.Of(0.5)),
            (Gold(SentimentLabel.Positive, 1), SentimentScore.Of(-0.5)),
            (Gold(SentimentLabel.Negative, -2), SentimentScore.Of(-0.9)),
            (Gold(SentimentLabel.Neutral, 0), SentimentScore.Of(0.3)),
        };

        var agreement = SentimentEvaluation.Agreement(results);

        Assert.Equal(0.5, agreement.Accuracy, 12);
        Assert.Equal(7.0 / 18, agreement.MacroF1, 12);
        Assert.Equal(5.0 / 12, agreement.WeightedF1, 12);
        Assert.Equal(0, agreement.F1ByClass[SentimentLabel.Neutral], 12);
    }
}
