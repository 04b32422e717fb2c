using System.Globalization;
using OpenCxo.Core.Churn;
using OpenCxo.Core.Ingest;

namespace OpenCxo.Core.Tests.Churn;

/// <summary>
/// The churn model's metrics against published worked examples, and its pipeline against data drawn from a known
/// logistic model, where the best possible AUC is computed from the true probabilities (an independent yardstick).
/// </summary>
public sealed class ChurnModelTests
{
    [Fact]
    public void Auc_matches_hanley_and_mcneil_rating_example()
    {
        // Hanley & McNeil (1982), Radiology 143:29–36, table 1: 58 normal and 51 abnormal images rated 1–5;
        // the published area (Wilcoxon, ties counted half) is 0.893.
        int[] normal = [33, 6, 6, 11, 2];
        int[] abnormal = [3, 2, 2, 11, 33];
        var predicted = new List<double>();
        var churned = new List<bool>();
        for (var rating = 1; rating <= 5; rating++)
        {
            predicted.AddRange(Enumerable.Repeat(rating / 5.0, normal[rating - 1] + abnormal[rating - 1]));
            churned.AddRange(Enumerable.Repeat(false, normal[rating - 1]).Concat(Enumerable.Repeat(true, abnormal[rating - 1])));
        }

        Assert.Equal(0.893, ClassifierMetrics.Auc(predicted, churned), 0.0005);
    }

    [Fact]
    public void Metrics_match_the_scikit_learn_documentation_examples()
    {
        // scikit-learn user guide: roc_auc_score([0,0,1,1], [0.1,0.4,0.35,0.8]) = 0.75;
        // log_loss(["spam","ham","ham","spam"], [[.1,.9],[.9,.1],[.8,.2],[.35,.65]]) = 0.21616…;
        // brier_score_loss([0,1,1,0], [0.1,0.9,0.8,0.3]) = 0.0375.
        Assert.Equal(0.75, ClassifierMetrics.Auc([0.1, 0.4, 0.35, 0.8], [false, false, true, true]), 12);
        Assert.Equal(0.21616, ClassifierMetrics.LogLoss([0.9, 0.1, 0.2, 0.65], [true, false, false, true]), 5);
        Assert.Equal(0.0375, ClassifierMetrics.Brier([0.1, 0.9, 0.8, 0.3], [false, true, true, false]), 12);
        Assert.Equal(0.75, ClassifierMetrics.Accuracy([0.1, 0.9, 0.8, 0.6], [false, true, true, false]), 12);
        Assert.Throws<ArgumentException>(() => ClassifierMetrics.Auc([0.2, 0.3], [true, true]));
        Assert.Throws<ArgumentException>(() => ClassifierMetrics.LogLoss([double.NaN], [true]));

        var bins = ClassifierMetrics.Calibration([0.05, 0.15, 0.12, 0.95], [false, true, false, true]);
        Assert.Equal([1, 2, 1], bins.Select(b => b.Customers));
        Assert.Equal(0.135, bins[1].MeanPredicted, 12);
        Assert.Equal(0.5, bins[1].Observed, 12);
        Assert.Equal(((1 * 0.05) + (2 * 0.365) + (1 * 0.05)) / 4, ClassifierMetrics.CalibrationError(bins), 12);
    }

    [Fact]
    public void Stratified_folds_cover_every_row_once_with_the_same_share_of_churners()
    {
        var random = new Random(5);
        var churned = Enumerable.Range(0, 1003).Select(_ => random.NextDouble() < 0.17).ToArray();
        var folds = ChurnEvaluation.StratifiedFolds(churned, 5, seed: 9);
        Assert.Equal(folds, ChurnEvaluation.StratifiedFolds(churned, 5, seed: 9));
        Assert.NotEqual(folds, ChurnEvaluation.StratifiedFolds(churned, 5, seed: 10));
        var positives = churned.Count(c => c);
        for (var k = 0; k < 5; k++)
        {
            var members = Enumerable.Range(0, churned.Length).Where(i => folds[i] == k).ToList();
            Assert.InRange(members.Count, (1003 / 5) - 1, (1003 / 5) + 2);
            Assert.InRange(members.Count(i => churned[i]), (positives / 5) - 1, (positives / 5) + 1);
        }
    }

    [Fact]
    public void Cross_validation_comes_close_to_the_best_possible_auc_and_log_loss_on_a_known_model()
    {
        var data = Synthetic(4000, seed: 11);
        var oracleAuc = ClassifierMetrics.Auc(data.Truth, data.Labels);
        var oracleLogLoss = ClassifierMetrics.LogLoss(data.Truth, data.Labels);
        Assert.InRange(oracleAuc, 0.75, 0.9);

        var result = ChurnEvaluation.CrossValidate(data.Table, data.Labels, folds: 5);
        Assert.Equal(5, result.Folds.Count);
        Assert.Equal(4000, result.Folds.Sum(f => f.Customers));
        Assert.Equal(data.Labels.Count(c => c), result.Churned);
        Assert.InRange(result.Auc, oracleAuc - 0.04, oracleAuc + 0.015);
        Assert.InRange(result.LogLoss, oracleLogLoss - 0.01, oracleLogLoss + 0.05);
        Assert.True(result.CalibrationError < 0.05, $"calibration error {result.CalibrationError}");
        Assert.Equal(result.Folds.Average(f => f.Auc), result.Auc, 12);
    }

    [Fact]
    public void Reasons_name_the_features_that_raise_a_customers_risk()
    {
        var data = Synthetic(3000, seed: 12);
        var model = ChurnClassifier.Train(data.Table, data.Labels);
        var scores = model.Score(data.Table, reasons: 3);
        Assert.Equal(3000, scores.Count);
        var features = data.Table.Columns.Select(c => c.Name).ToHashSet();

        // Customers with the most days since the last purchase and in the risky plan: those two explain them.
        var recency = data.Table.Columns.Single(c => c.Name == "days_since_purchase");
        var plan = data.Table.Columns.Single(c => c.Name == "plan");
        var risky = Enumerable.Range(0, 3000).Where(i => recency.Number(i) > 150 && plan.Category(i) == "basic").ToList();
        Assert.NotEmpty(risky);
        foreach (var i in risky)
        {
            var reasons = scores[i].Reasons;
            Assert.InRange(reasons.Count, 1, 3);
            Assert.All(reasons, r => Assert.Contains(r.Feature, features));
            Assert.All(reasons, r => Assert.True(r.LogOdds > 0));
            Assert.Equal(reasons.OrderByDescending(r => r.LogOdds).Select(r => r.Feature), reasons.Select(r => r.Feature));
            Assert.Contains(reasons.Take(2), r => r.Feature is "days_since_purchase" or "plan");
        }

        var first = risky[0];
        var reason = scores[first].Reasons.First(r => r.Feature == "days_since_purchase" || r.Feature == "plan");
        Assert.Equal(reason.Feature == "plan" ? "basic" : recency.Describe(first), reason.Value);

        // The noise column adds nothing: least important, and the gain shares add up to one.
        var importance = model.Importance();
        Assert.Equal(1, importance.Sum(f => f.Share), 9);
        Assert.Equal("days_since_purchase", importance[0].Feature);
        Assert.True(importance.Single(f => f.Feature == "noise").Share < 0.1, string.Join(", ", importance));

        // The direct tree walk is ML.NET's own prediction (to float precision).
        var mlNet = model.PredictWithMlNet(data.Table);
        var walked = model.Predict(data.Table);
        Assert.All(Enumerable.Range(0, 3000), i => Assert.Equal(mlNet[i], walked[i], 1e-5));

        // Same seed, same model.
        Assert.Equal(model.Predict(data.Table), ChurnClassifier.Train(data.Table, data.Labels).Predict(data.Table));
        Assert.Equal(scores.Select(s => s.Probability), model.Predict(data.Table));
    }

    [Fact]
    public void Evaluation_never_learns_from_the_id_or_from_labels_it_should_not_see()
    {
        // The id is the row's rank by label: a model that read it would score an AUC of 1.
        var data = Synthetic(2000, seed: 13);
        var order = Enumerable.Range(0, 2000).OrderBy(i => data.Labels[i]).ToArray();
        var rank = new int[2000];
        for (var r = 0; r < order.Length; r++)
        {
            rank[order[r]] = r;
        }

        var csv = Csv(data, id: i => rank[i].ToString(CultureInfo.InvariantCulture));
        var table = LabelledTable.FromRecords(csv.Header, csv.Records, "customer", "churned");
        Assert.DoesNotContain(table.Features.Columns, c => c.Name is "customer" or "churned");
        var result = ChurnEvaluation.CrossValidate(table.Features, table.Labels, folds: 4);
        Assert.InRange(result.Auc, 0.6, ClassifierMetrics.Auc(data.Truth, data.Labels) + 0.015);

        // Labels shuffled away from the features: nothing to learn, AUC about one half.
        var shuffled = data.Labels.ToArray();
        new Random(3).Shuffle(shuffled);
        var chance = ChurnEvaluation.CrossValidate(data.Table, shuffled, folds: 4);
        Assert.InRange(chance.Auc, 0.44, 0.56);
    }

    [Fact]
    public void A_table_from_text_detects_numbers_categories_blanks_and_columns_that_teach_nothing()
    {
        string[] header = ["id", "Churn", "age", "plan", "email", "country", "notes"];
        var records = new List<TextRecord>();
        for (var i = 0; i < 60; i++)
        {
            records.Add(new TextRecord(i + 2, [
                $"c{i}", i % 3 == 0 ? "Yes" : "No", i % 7 == 0 ? "" : (20 + i).ToString(CultureInfo.InvariantCulture),
                i % 2 == 0 ? "pro" : i % 5 == 0 ? "NA" : "basic", $"u{i}@example.com", "ES", " ",
            ]));
        }

        var table = LabelledTable.FromRecords(header, records, "ID", "churn");
        Assert.Equal("Yes", table.PositiveLabel);
        Assert.Equal(20, table.Labels.Count(c => c));
        Assert.Equal(["age", "plan"], table.Features.Columns.Select(c => c.Name));
        Assert.Equal(FeatureKind.Number, table.Features.Columns[0].Kind);
        Assert.True(double.IsNaN(table.Features.Columns[0].Number(0)));
        Assert.Equal(21, table.Features.Columns[0].Number(1));
        Assert.Equal(FeatureKind.Category, table.Features.Columns[1].Kind);
        Assert.Null(table.Features.Columns[1].Category(5));
        Assert.Equal(["email", "country", "notes"], table.Ignored.Select(c => c.Name));
        Assert.Contains("identifier", table.Ignored[0].Reason, StringComparison.Ordinal);
        Assert.Contains("every row", table.Ignored[1].Reason, StringComparison.Ordinal);
        Assert.Contains("blank", table.Ignored[2].Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("c1,1,5|c1,0,6", "line 3, column id: id c1 is already on line 2")]
    [InlineData("c1,1,5|c2,,6", "line 3, column churned: the label is blank")]
    [InlineData("c1,1,5|c2,0,6|c3,2,7", "line 4, column churned: a third label value, 2, after 1 and 0")]
    [InlineData("c1,1,5|c2,0", "line 3: 2 fields, the header has 3")]
    [InlineData("c1,1,5|c2,1,6", "every row has the label 1")]
    [InlineData("c1,stay,5|c2,go,6", "cannot tell which of stay and go means churned; name it with --positive")]
    [InlineData("c1,1,5|c2,0,1e999", "line 3, column x: 1e999 is out of range")]
    [InlineData(" ,1,5", "line 2, column id: the id is blank")]
    public void Bad_tables_are_refused_with_the_line_and_column(string rows, string message)
    {
        var records = rows.Split('|').Select((r, i) => new TextRecord(i + 2, r.Split(','))).ToList();
        var error = Assert.Throws<FormatException>(() => LabelledTable.FromRecords(["id", "churned", "x"], records, "id", "churned"));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_positive_label_can_be_named_and_the_header_is_checked()
    {
        var records = new List<TextRecord> { new(2, ["a", "stay", "1"]), new(3, ["b", "go", "2"]) };
        var table = LabelledTable.FromRecords(["id", "status", "x"], records, "id", "status", positive: "GO");
        Assert.Equal([false, true], table.Labels);
        Assert.Contains("not one of its values", Assert.Throws<FormatException>(() => LabelledTable.FromRecords(["id", "status", "x"], records, "id", "status", "left")).Message, StringComparison.Ordinal);
        Assert.Contains("no label column churn; the columns are id, status, x", Assert.Throws<FormatException>(() => LabelledTable.FromRecords(["id", "status", "x"], records, "id", "churn")).Message, StringComparison.Ordinal);
        Assert.Contains("column X appears twice (columns 2 and 3)", Assert.Throws<FormatException>(() => LabelledTable.FromRecords(["id", "x", "X"], records, "id", "x")).Message, StringComparison.Ordinal);
        Assert.Contains("the same column", Assert.Throws<FormatException>(() => LabelledTable.FromRecords(["id", "status", "x"], records, "id", "ID")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Degenerate_training_sets_are_refused_not_fitted()
    {
        var data = Synthetic(200, seed: 14);
        var stayed = Enumerable.Range(0, 200).Where(i => !data.Labels[i]).ToArray();
        Assert.Contains("all", Assert.Throws<ArgumentException>(() => ChurnClassifier.Train(data.Table, data.Labels, stayed)).Message, StringComparison.Ordinal);
        Assert.Contains("at least 10", Assert.Throws<ArgumentException>(() => ChurnClassifier.Train(data.Table, data.Labels, [0, 1, 2])).Message, StringComparison.Ordinal);
        var few = data.Labels.Select((c, i) => i < 3).ToArray();
        Assert.Contains("5 folds need at least 5", Assert.Throws<ArgumentException>(() => ChurnEvaluation.CrossValidate(data.Table, few, 5)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => FeatureColumn.Numbers("x", [1, double.PositiveInfinity]));

        // A model asked to score a table without one of its features says which.
        var model = ChurnClassifier.Train(data.Table, data.Labels);
        var without = new FeatureTable(data.Table.Ids, [.. data.Table.Columns.Where(c => c.Name != "plan")]);
        Assert.Contains("feature plan is missing", Assert.Throws<ArgumentException>(() => model.Predict(without)).Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Customers drawn from a known logistic model: risk rises with days since the last purchase, falls with tenure,
    /// is higher on the basic plan, and higher where the satisfaction score is blank (never answered); noise is noise.
    /// </summary>
    internal static SyntheticChurn Synthetic(int n, int seed)
    {
        var random = new Random(seed);
        var recency = new double[n];
        var tenure = new double[n];
        var satisfaction = new double[n];
        var noise = new double[n];
        var plan = new string?[n];
        var truth = new double[n];
        var labels = new bool[n];
        string[] plans = ["basic", "plus", "pro"];
        for (var i = 0; i < n; i++)
        {
            recency[i] = Math.Round(random.NextDouble() * 200);
            tenure[i] = Math.Round(random.NextDouble() * 60);
            satisfaction[i] = random.NextDouble() < 0.2 ? double.NaN : Math.Round(1 + (random.NextDouble() * 4));
            noise[i] = random.NextDouble();
            plan[i] = random.NextDouble() < 0.05 ? null : plans[random.Next(3)];
            var z = -1.5 + (recency[i] / 50) - (tenure[i] / 30) + (plan[i] == "basic" ? 0.8 : 0)
                + (double.IsNaN(satisfaction[i]) ? 0.7 : -0.3 * (satisfaction[i] - 3));
            truth[i] = 1 / (1 + Math.Exp(-z));
            labels[i] = random.NextDouble() < truth[i];
        }

        var table = new FeatureTable(
            [.. Enumerable.Range(0, n).Select(i => "c" + i.ToString(CultureInfo.InvariantCulture))],
            [
                FeatureColumn.Numbers("days_since_purchase", recency),
                FeatureColumn.Numbers("tenure_months", tenure),
                FeatureColumn.Numbers("satisfaction", satisfaction),
                FeatureColumn.Categories("plan", plan),
                FeatureColumn.Numbers("noise", noise),
            ]);
        return new SyntheticChurn(table, labels, truth);
    }

    private static (string[] Header, List<TextRecord> Records) Csv(SyntheticChurn data, Func<int, string> id)
    {
        string[] header = ["customer", "churned", .. data.Table.Columns.Select(c => c.Name)];
        var records = Enumerable.Range(0, data.Table.Count)
            .Select(i => new TextRecord(i + 2, [id(i), data.Labels[i] ? "1" : "0", .. data.Table.Columns.Select(c => c.IsBlank(i) ? "" : c.Describe(i))]))
            .ToList();
        return (header, records);
    }

    internal sealed record SyntheticChurn(FeatureTable Table, bool[] Labels, double[] Truth);
}
