using System.Diagnostics;
using System.Globalization;
using OpenCxo.Core.Churn;

/// <summary>
/// Issue 7: the churn model at product scale — customers shaped like the product's snapshot (17 numbers, 5 categories,
/// blanks) drawn from a known logistic model; training on the product's sample cap, then scoring every customer with
/// three reasons each, and the hold-out AUC next to the best possible (the true probabilities').
/// </summary>
internal static class ChurnBench
{
    public static void Run(int customers, int training)
    {
        var clock = Stopwatch.StartNew();
        var (table, churned, truth) = Draw(customers, seed: 7);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"churn: drew {customers:N0} customers with {table.Columns.Count} features in {clock.Elapsed.TotalSeconds:0.0} s"));

        var sample = Enumerable.Range(0, Math.Min(training, customers)).ToArray();
        clock.Restart();
        var model = ChurnClassifier.Train(table, churned, sample);
        var trainSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var probabilities = new double[customers];
        var reasons = 0L;
        model.Score(table, null, 3, (row, score) =>
        {
            probabilities[row] = score.Probability;
            reasons += score.Reasons.Count;
        });
        var scoreSeconds = clock.Elapsed.TotalSeconds;

        var held = Enumerable.Range(sample.Length, customers - sample.Length).ToArray();
        var auc = held.Length > 0 ? ClassifierMetrics.Auc([.. held.Select(i => probabilities[i])], [.. held.Select(i => churned[i])]) : double.NaN;
        var best = held.Length > 0 ? ClassifierMetrics.Auc([.. held.Select(i => truth[i])], [.. held.Select(i => churned[i])]) : double.NaN;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"churn: trained on {sample.Length:N0} in {trainSeconds:0.0} s; scored {customers:N0} with {reasons:N0} reasons in {scoreSeconds:0.0} s ({customers / scoreSeconds:N0}/s); hold-out AUC {auc:0.000} (best possible {best:0.000})"));
    }

    private static (FeatureTable Table, bool[] Churned, double[] Truth) Draw(int n, int seed)
    {
        var random = new Random(seed);
        const int Numbers = 17;
        var numbers = new double[Numbers][];
        for (var k = 0; k < Numbers; k++)
        {
            numbers[k] = new double[n];
        }

        string[] campaigns = ["spring", "summer", "24x7", "referral", "none"];
        string[] channels = ["web", "store", "phone", "social", "email", "app"];
        var categories = new string?[5][];
        for (var k = 0; k < 5; k++)
        {
            categories[k] = new string?[n];
        }

        var truth = new double[n];
        var churned = new bool[n];
        for (var i = 0; i < n; i++)
        {
            for (var k = 0; k < Numbers; k++)
            {
                numbers[k][i] = k % 5 == 4 && random.NextDouble() < 0.3 ? double.NaN : Math.Round(random.NextDouble() * 100);
            }

            categories[0][i] = random.Next(2) == 0 ? "yes" : "no";
            categories[1][i] = campaigns[random.Next(campaigns.Length)];
            categories[2][i] = channels[random.Next(channels.Length)];
            categories[3][i] = random.NextDouble() < 0.2 ? null : "segment-" + random.Next(8).ToString(CultureInfo.InvariantCulture);
            categories[4][i] = random.NextDouble() < 0.5 ? null : "theme-" + random.Next(20).ToString(CultureInfo.InvariantCulture);
            var z = -2 + (numbers[0][i] / 40) - (numbers[2][i] / 80) + (double.IsNaN(numbers[4][i]) ? 0.5 : -numbers[4][i] / 200)
                + (categories[1][i] == "24x7" ? 0.7 : 0) + (categories[0][i] == "yes" ? -0.6 : 0);
            truth[i] = 1 / (1 + Math.Exp(-z));
            churned[i] = random.NextDouble() < truth[i];
        }

        var columns = Enumerable.Range(0, Numbers).Select(k => FeatureColumn.Numbers("n" + k.ToString(CultureInfo.InvariantCulture), numbers[k]))
            .Concat(Enumerable.Range(0, 5).Select(k => FeatureColumn.Categories("c" + k.ToString(CultureInfo.InvariantCulture), categories[k])))
            .ToList();
        return (new FeatureTable([.. Enumerable.Range(0, n).Select(i => i.ToString(CultureInfo.InvariantCulture))], columns), churned, truth);
    }
}
