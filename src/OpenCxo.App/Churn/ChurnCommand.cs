using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using OpenCxo.App.Predict;
using OpenCxo.Core.Churn;
using OpenCxo.Data.Analytics;

namespace OpenCxo.App.Churn;

/// <summary><c>cxo churn evaluate</c>: the churn model's pipeline cross-validated on any labelled table, so a user can judge it on their own data.</summary>
public static class ChurnCommand
{
    public static Command Create()
    {
        return new Command("churn", "Churn propensity: train on the workspace and score every customer, or check the model on a labelled table (docs/churn.md)") { Train(), Evaluate() };
    }

    /// <summary><c>cxo churn train</c>: the product's model run on demand, as the server runs it on a schedule.</summary>
    private static Command Train()
    {
        var workspace = Cli.Cli.Workspace();
        var horizon = new Option<int>("--horizon-days") { Description = "Churn window in days: a subscriber cancels, anyone else pays nothing", DefaultValueFactory = _ => 90 };
        var json = Cli.Cli.Json();
        var train = new Command(
            "train",
            "Retrain the churn model (time-based split, checked on the latest window it never saw) and the lifetime value models on the workspace, and rescore every customer")
        {
            workspace, horizon, json,
        };
        train.SetAction((result, cancellationToken) => Cli.Cli.RunAsync(async () =>
        {
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
            using var predictions = new PredictionService(factory, store, TimeProvider.System, Options.Create(new PredictionOptions { ChurnHorizonDays = days }));
            var run = await predictions.RunAsync(workspaceId, cancellationToken).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                Cli.Cli.WriteJson(run);
                return run.Status == "failed" ? Cli.Cli.Failure : Cli.Cli.Ok;
            }

            var o = Console.Out;
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run {run.Id}: {run.Status}, {run.Customers:N0} customers scored as of {run.AsOf:yyyy-MM-dd HH:mm} in {run.Report.Seconds:0.0} s"));
            if (run.Report.Churn is { } churn)
            {
                o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  churn within {churn.HorizonDays} days: {churn.ChurnRate:P1} of customers; trained on {churn.TrainingCustomers:N0}"));
                if (churn.HoldOut is { } h)
                {
                    o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  on the later window it never saw: AUC {h.Auc:0.000}, log-loss {h.LogLoss:0.000}, Brier {h.Brier:0.000}, calibration error {h.CalibrationError:0.000} ({h.Customers:N0} customers)"));
                }
                else
                {
                    o.WriteLine($"  no hold-out check: {churn.HoldOutSkipped}");
                }

                o.WriteLine("  what drives churn: " + string.Join(", ", churn.Importance.Take(6).Select(i => string.Create(CultureInfo.InvariantCulture, $"{i.Feature} {i.Share:P0}"))));
            }

            if (run.Report.Clv is { } clv)
            {
                o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  lifetime value ({clv.Currency}, {clv.Customers:N0} buyers): BG/NBD r={clv.Purchases.R:0.###} α={clv.Purchases.Alpha:0.###} a={clv.Purchases.A:0.###} b={clv.Purchases.B:0.###}"));
            }

            if (run.Message is { } message)
            {
                o.WriteLine("  " + message);
            }

            return run.Status == "failed" ? Cli.Cli.Failure : Cli.Cli.Ok;
        }));
        return train;
    }

    private static Command Evaluate()
    {
        var csv = new Option<string>("--csv") { Description = "CSV with a header, one row per customer", Required = true };
        var id = new Option<string>("--id") { Description = "The column naming each customer (never a feature)", Required = true };
        var label = new Option<string>("--label") { Description = "The column saying whether the customer churned: two values, such as 1/0, yes/no or true/false", Required = true };
        var positive = new Option<string?>("--positive") { Description = "The label value that means churned, when it cannot be told (1, true, yes, churned are told)" };
        var folds = new Option<int>("--folds") { Description = "Stratified cross-validation folds, 2 to 20", DefaultValueFactory = _ => 5 };
        var json = Cli.Cli.Json();
        var evaluate = new Command(
            "evaluate",
            "Cross-validate the churn model (gradient-boosted trees on every other column; numbers and categories detected, blanks kept as blanks) and print AUC, accuracy, log-loss, calibration and the features that matter")
        {
            csv, id, label, positive, folds, json,
        };
        evaluate.SetAction((result, cancellationToken) => Cli.Cli.RunAsync(async () =>
        {
            var k = result.GetValue(folds);
            if (k is < 2 or > 20)
            {
                return Cli.Cli.Usage($"--folds: between 2 and 20, not {k}");
            }

            var path = result.GetValue(csv)!;
            if (!File.Exists(path))
            {
                return Cli.Cli.Fail($"{path}: no such file");
            }

            var clock = Stopwatch.StartNew();
            var (header, records) = await Cli.CsvTable.ReadAsync(path, cancellationToken).ConfigureAwait(false);
            var table = LabelledTable.FromRecords(header, records, result.GetValue(id)!, result.GetValue(label)!, result.GetValue(positive));
            if (table.Features.Columns.Count == 0)
            {
                return Cli.Cli.Fail($"{path}: no column is left to learn from ({string.Join("; ", table.Ignored.Select(c => $"{c.Name}: {c.Reason}"))})");
            }

            var evaluation = ChurnEvaluation.CrossValidate(table.Features, table.Labels, k);
            var importance = ChurnClassifier.Train(table.Features, table.Labels).Importance();
            var report = new EvaluationReport(
                evaluation.Auc,
                evaluation.Accuracy,
                evaluation.LogLoss,
                evaluation.Brier,
                evaluation.CalibrationError,
                evaluation.Customers,
                evaluation.Churned,
                table.PositiveLabel,
                evaluation.Folds,
                evaluation.Calibration,
                [.. table.Features.Columns.Select(c => new FeatureReport(c.Name, c.Kind == FeatureKind.Number ? "number" : "category"))],
                table.Ignored,
                importance,
                Math.Round(clock.Elapsed.TotalMilliseconds));
            if (result.GetValue(json))
            {
                Cli.Cli.WriteJson(report);
            }
            else
            {
                Print(report);
            }

            return Cli.Cli.Ok;
        }));
        return evaluate;
    }

    private static void Print(EvaluationReport report)
    {
        var o = Console.Out;
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{report.Customers:N0} customers, {report.Churned:N0} churned ({report.PositiveLabel}); {report.Folds.Count}-fold stratified cross validation in {report.Milliseconds / 1000:0.0} s"));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  AUC {report.Auc:0.000}   accuracy {report.Accuracy:0.000}   log-loss {report.LogLoss:0.000}   Brier {report.Brier:0.000}   calibration error {report.CalibrationError:0.000}"));
        foreach (var fold in report.Folds)
        {
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  fold {fold.Fold}: {fold.Customers:N0} customers, AUC {fold.Auc:0.000}, accuracy {fold.Accuracy:0.000}, log-loss {fold.LogLoss:0.000}"));
        }

        o.WriteLine("  predicted → observed churn:");
        foreach (var bin in report.Calibration)
        {
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {bin.From:0.0}–{bin.To:0.0}: {bin.Customers,7:N0} customers, predicted {bin.MeanPredicted:0.000}, observed {bin.Observed:0.000}"));
        }

        o.WriteLine("  features that matter most (share of the explanations, mean |contribution|):");
        foreach (var feature in report.Importance.Take(10))
        {
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {feature.Feature,-24} {feature.Share:P1}"));
        }

        foreach (var ignored in report.Ignored)
        {
            o.WriteLine($"  left out {ignored.Name}: {ignored.Reason}");
        }
    }

    private sealed record FeatureReport(string Name, string Kind);

    private sealed record EvaluationReport(
        double Auc,
        double Accuracy,
        double LogLoss,
        double Brier,
        double CalibrationError,
        int Customers,
        int Churned,
        string PositiveLabel,
        IReadOnlyList<FoldResult> Folds,
        IReadOnlyList<CalibrationBin> Calibration,
        IReadOnlyList<FeatureReport> Features,
        IReadOnlyList<IgnoredColumn> Ignored,
        IReadOnlyList<FeatureImportance> Importance,
        double Milliseconds);
}
