using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace OpenCxo.Core.Churn;

/// <summary>How the gradient-boosted trees are grown. The defaults suit thousands to a million customers.</summary>
public sealed record ChurnModelOptions
{
    public int Trees { get; init; } = 100;

    public int Leaves { get; init; } = 8;

    /// <summary>
    /// Fewest training customers in a leaf, at most: a leaf holds at least 2 % of the training customers, up to this
    /// many, so small tables can still split and large ones do not chase noise.
    /// </summary>
    public int MinimumLeafSize { get; init; } = 100;

    public double LearningRate { get; init; } = 0.1;

    public int Seed { get; init; } = 20_051_007;
}

/// <summary>One reason a customer's risk is what it is: the feature, the customer's value of it, and how much it moved the log-odds of churn.</summary>
public sealed record ChurnReason(string Feature, string Value, double LogOdds);

/// <summary>A customer's churn probability with the features that raised it most.</summary>
public sealed record ChurnScore(double Probability, IReadOnlyList<ChurnReason> Reasons);

/// <summary>A feature's share of what the model's explanations credit to all features.</summary>
public sealed record FeatureImportance(string Feature, double Share);

/// <summary>
/// The churn propensity model: gradient-boosted decision trees (ML.NET FastTree, a MART implementation after
/// Friedman 2001) on the encoded features, with Platt-scaled probabilities. Scoring walks the trained trees directly,
/// and explains each score by Saabas's decomposition (Saabas 2014, "Interpreting random forests"): every split on the
/// path moves the expected score from the node's training mean to the child's, and that move is credited to the split's
/// feature. The credits add up exactly to the score less the training mean, so a customer's reasons account for their
/// whole risk; they are summed over a feature's slots and turned into log-odds through the Platt slope.
/// </summary>
public sealed class ChurnClassifier
{
    private const string FeaturesColumn = "Features";

    private readonly MLContext _ml;
    private readonly FeatureEncoding _encoding;
    private readonly BinaryPredictionTransformer<CalibratedModelParametersBase<FastTreeBinaryModelParameters, PlattCalibrator>> _model;
    private readonly SchemaDefinition _schema;
    private readonly ScoringTrees _trees;

    private ChurnClassifier(MLContext ml, FeatureEncoding encoding, BinaryPredictionTransformer<CalibratedModelParametersBase<FastTreeBinaryModelParameters, PlattCalibrator>> model, SchemaDefinition schema, ScoringTrees trees)
    {
        _ml = ml;
        _encoding = encoding;
        _model = model;
        _schema = schema;
        _trees = trees;
    }

    /// <summary>Trains on <paramref name="rows"/> of the table (all rows when null); nothing outside them is read, not even for the encoding.</summary>
    /// <exception cref="ArgumentException">No features, fewer than ten training customers, or only one class among them.</exception>
    public static ChurnClassifier Train(FeatureTable table, IReadOnlyList<bool> churned, IReadOnlyList<int>? rows = null, ChurnModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(churned);
        if (churned.Count != table.Count)
        {
            throw new ArgumentException($"{churned.Count} labels for {table.Count} customers", nameof(churned));
        }

        options ??= new ChurnModelOptions();
        rows ??= [.. Enumerable.Range(0, table.Count)];
        var positives = rows.Count(r => churned[r]);
        if (table.Columns.Count == 0)
        {
            throw new ArgumentException("no features to learn from", nameof(table));
        }

        if (rows.Count < 10)
        {
            throw new ArgumentException($"{rows.Count} training customers; the model needs at least 10", nameof(rows));
        }

        if (positives == 0 || positives == rows.Count)
        {
            throw new ArgumentException($"all {rows.Count} training customers {(positives == 0 ? "stayed" : "churned")}; the model needs both", nameof(churned));
        }

        var encoding = FeatureEncoding.Fit(table, rows);
        var schema = SchemaDefinition.Create(typeof(Example));
        schema[FeaturesColumn].ColumnType = new VectorDataViewType(NumberDataViewType.Single, encoding.Width);
        var ml = new MLContext(options.Seed);
        var binding = encoding.Bind(table);
        // Encoded once: ML.NET reads the examples more than once, and the tree walk needs them again for node means.
        var examples = Examples(table, encoding, binding, rows, churned).ToList();
        var data = ml.Data.LoadFromEnumerable(examples, schema);
        var trainer = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            NumberOfTrees = options.Trees,
            NumberOfLeaves = options.Leaves,
            MinimumExampleCountPerLeaf = Math.Clamp(rows.Count / 50, 1, options.MinimumLeafSize),
            LearningRate = options.LearningRate,
            FeatureColumnName = FeaturesColumn,
            LabelColumnName = nameof(Example.Label),
        });
        var model = trainer.Fit(data);
        var trees = ScoringTrees.From(model.Model.SubModel, model.Model.Calibrator, encoding, [.. examples.Select(e => e.Features)]);
        return new ChurnClassifier(ml, encoding, model, schema, trees);
    }

    /// <summary>Churn probabilities of <paramref name="rows"/> (all rows when null), in that order.</summary>
    public double[] Predict(FeatureTable table, IReadOnlyList<int>? rows = null)
    {
        var probabilities = new List<double>(rows?.Count ?? table.Count);
        Score(table, rows, 0, (_, score) => probabilities.Add(score.Probability));
        return [.. probabilities];
    }

    /// <summary>Scores with up to <paramref name="reasons"/> reasons each (the features that raised the risk most).</summary>
    public IReadOnlyList<ChurnScore> Score(FeatureTable table, int reasons, IReadOnlyList<int>? rows = null)
    {
        var scores = new List<ChurnScore>(rows?.Count ?? table.Count);
        Score(table, rows, reasons, (_, score) => scores.Add(score));
        return scores;
    }

    /// <summary>
    /// Streams scores to <paramref name="each"/> (row, score) so a million customers need not be held at once. Rows are
    /// scored in parallel; <paramref name="each"/> is called from one thread at a time, in row order within a chunk.
    /// </summary>
    public void Score(FeatureTable table, IReadOnlyList<int>? rows, int reasons, Action<int, ChurnScore> each)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(each);
        ArgumentOutOfRangeException.ThrowIfNegative(reasons);
        var binding = _encoding.Bind(table);
        var count = rows?.Count ?? table.Count;
        var names = _encoding.Names;
        const int Chunk = 4096;
        var results = new ChurnScore[Math.Min(Chunk, count)];
        for (var start = 0; start < count; start += Chunk)
        {
            var size = Math.Min(Chunk, count - start);
            Parallel.For(
                0,
                size,
                () => (Features: new float[_encoding.Width], Contributions: new double[reasons > 0 ? names.Length : 0]),
                (i, _, buffers) =>
                {
                    var row = rows?[start + i] ?? start + i;
                    _encoding.Encode(table, binding, row, buffers.Features);
                    results[i] = Explain(table, binding, row, buffers.Features, buffers.Contributions, names, reasons);
                    return buffers;
                },
                _ => { });
            for (var i = 0; i < size; i++)
            {
                each(rows?[start + i] ?? start + i, results[i]);
            }
        }
    }

    private ChurnScore Explain(FeatureTable table, int[] binding, int row, float[] features, double[] perFeature, string[] names, int reasons)
    {
        Array.Clear(perFeature);
        var score = _trees.Bias;
        foreach (var tree in _trees.Trees)
        {
            score += tree.Walk(features, perFeature.Length == 0 ? null : perFeature);
        }

        var probability = 1 / (1 + Math.Exp((_trees.Slope * score) + _trees.Offset));
        if (reasons == 0)
        {
            return new ChurnScore(probability, []);
        }

        // Platt: P = 1 / (1 + exp(slope·score + offset)), so a score contribution c moves the log-odds by −slope·c.
        var top = new List<ChurnReason>(reasons);
        for (var f = 0; f < perFeature.Length; f++)
        {
            var logOdds = -_trees.Slope * perFeature[f];
            if (logOdds <= 1e-9)
            {
                continue;
            }

            var at = top.FindIndex(r => r.LogOdds < logOdds);
            if (at < 0 && top.Count < reasons)
            {
                at = top.Count;
            }

            if (at >= 0)
            {
                top.Insert(at, new ChurnReason(names[f], table.Columns[binding[f]].Describe(row), logOdds));
                if (top.Count > reasons)
                {
                    top.RemoveAt(reasons);
                }
            }
        }

        return new ChurnScore(probability, top);
    }

    /// <summary>The probabilities as ML.NET's own prediction transformer computes them: the tree walk must agree.</summary>
    internal double[] PredictWithMlNet(FeatureTable table)
    {
        var binding = _encoding.Bind(table);
        var rows = Enumerable.Range(0, table.Count).ToArray();
        var data = _ml.Data.LoadFromEnumerable(Examples(table, _encoding, binding, rows, null), _schema);
        return [.. _model.Transform(data).GetColumn<float>("Probability").Select(p => (double)p)];
    }

    /// <summary>
    /// Each feature's share of the model's explanations: the mean absolute Saabas contribution over the training
    /// customers, as a share of all features' (the tree analogue of mean |SHAP|), largest first.
    /// </summary>
    public IReadOnlyList<FeatureImportance> Importance()
    {
        var names = _encoding.Names;
        var total = _trees.MeanAbsoluteContribution.Sum();
        return [.. Enumerable.Range(0, names.Length)
            .Select(f => new FeatureImportance(names[f], total > 0 ? _trees.MeanAbsoluteContribution[f] / total : 0))
            .OrderByDescending(i => i.Share)];
    }

    private static IEnumerable<Example> Examples(FeatureTable table, FeatureEncoding encoding, int[] binding, IReadOnlyList<int> rows, IReadOnlyList<bool>? churned)
    {
        foreach (var row in rows)
        {
            var features = new float[encoding.Width];
            encoding.Encode(table, binding, row, features);
            yield return new Example { Features = features, Label = churned is not null && churned[row] };
        }
    }

    private sealed class Example
    {
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }
}
