namespace OpenCxo.Core.Churn;

/// <summary>How one held-out fold scored.</summary>
public sealed record FoldResult(int Fold, int Customers, int Churned, double Auc, double Accuracy, double LogLoss);

/// <summary>
/// How well the model ranks and how honest its probabilities are on customers it did not see: AUC, accuracy at 0.5,
/// log-loss and Brier score (means over folds, or the one hold-out), with the reliability table and its expected
/// calibration error over every held-out prediction.
/// </summary>
public sealed record ChurnEvaluationResult(
    int Customers,
    int Churned,
    double Auc,
    double Accuracy,
    double LogLoss,
    double Brier,
    double CalibrationError,
    IReadOnlyList<CalibrationBin> Calibration,
    IReadOnlyList<FoldResult> Folds);

/// <summary>Checks the churn model on held-out customers: stratified k-fold cross validation, or a hold-out already chosen (a later period).</summary>
public static class ChurnEvaluation
{
    /// <summary>
    /// Assigns each row a fold in 0..folds−1 so every fold has the same share of churners (±1): churners and the others
    /// are shuffled apart with the seed and dealt round-robin.
    /// </summary>
    public static int[] StratifiedFolds(IReadOnlyList<bool> churned, int folds, int seed)
    {
        ArgumentNullException.ThrowIfNull(churned);
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        var random = new Random(seed);
        var fold = new int[churned.Count];
        var next = 0;
        foreach (var group in new[] { true, false })
        {
            var members = Enumerable.Range(0, churned.Count).Where(i => churned[i] == group).ToArray();
            random.Shuffle(members);
            foreach (var member in members)
            {
                fold[member] = next;
                next = (next + 1) % folds;
            }
        }

        return fold;
    }

    /// <summary>
    /// Stratified k-fold cross validation: each fold is scored by a model trained, encoding included, on the other
    /// folds only.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer churners or stayers than folds, so some fold could not be scored.</exception>
    public static ChurnEvaluationResult CrossValidate(FeatureTable table, IReadOnlyList<bool> churned, int folds = 5, ChurnModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(churned);
        options ??= new ChurnModelOptions();
        var positives = churned.Count(c => c);
        var smaller = Math.Min(positives, churned.Count - positives);
        if (folds < 2 || folds > 20)
        {
            throw new ArgumentException($"folds: between 2 and 20, not {folds}", nameof(folds));
        }

        if (smaller < folds)
        {
            throw new ArgumentException($"{folds} folds need at least {folds} customers of each class; there are {positives} who churned and {churned.Count - positives} who did not", nameof(folds));
        }

        var assignment = StratifiedFolds(churned, folds, options.Seed);
        var predicted = new double[table.Count];
        var results = new List<FoldResult>();
        for (var k = 0; k < folds; k++)
        {
            var train = Enumerable.Range(0, table.Count).Where(i => assignment[i] != k).ToArray();
            var test = Enumerable.Range(0, table.Count).Where(i => assignment[i] == k).ToArray();
            var model = ChurnClassifier.Train(table, churned, train, options);
            var p = model.Predict(table, test);
            for (var i = 0; i < test.Length; i++)
            {
                predicted[test[i]] = p[i];
            }

            results.Add(Fold(k + 1, p, [.. test.Select(i => churned[i])]));
        }

        return Result(predicted, churned, results);
    }

    /// <summary>Scores <paramref name="predicted"/> against what happened, as one hold-out (the time-based check of a trained model).</summary>
    public static ChurnEvaluationResult HoldOut(IReadOnlyList<double> predicted, IReadOnlyList<bool> churned) =>
        Result(predicted, churned, [Fold(1, predicted, churned)]);

    private static FoldResult Fold(int number, IReadOnlyList<double> predicted, IReadOnlyList<bool> churned) => new(
        number, predicted.Count, churned.Count(c => c),
        ClassifierMetrics.Auc(predicted, churned), ClassifierMetrics.Accuracy(predicted, churned), ClassifierMetrics.LogLoss(predicted, churned));

    /// <summary>Means over the folds; Brier score and calibration over every held-out prediction at once.</summary>
    private static ChurnEvaluationResult Result(IReadOnlyList<double> predicted, IReadOnlyList<bool> churned, IReadOnlyList<FoldResult> folds)
    {
        var calibration = ClassifierMetrics.Calibration(predicted, churned);
        return new ChurnEvaluationResult(
            predicted.Count,
            churned.Count(c => c),
            folds.Average(f => f.Auc),
            folds.Average(f => f.Accuracy),
            folds.Average(f => f.LogLoss),
            ClassifierMetrics.Brier(predicted, churned),
            ClassifierMetrics.CalibrationError(calibration),
            calibration,
            folds);
    }
}
