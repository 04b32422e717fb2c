using Microsoft.ML.Calibrators;
using Microsoft.ML.Trainers.FastTree;

namespace OpenCxo.Core.Churn;

/// <summary>
/// A trained FastTree ensemble copied into flat arrays, with each node's mean output over the training customers that
/// reached it, so a score and its per-feature decomposition come from one walk down each tree.
/// </summary>
internal sealed class ScoringTrees
{
    private ScoringTrees(Tree[] trees, double bias, double slope, double offset, double[] meanAbsoluteContribution)
    {
        Trees = trees;
        MeanAbsoluteContribution = meanAbsoluteContribution;
        Bias = bias;
        Slope = slope;
        Offset = offset;
    }

    public Tree[] Trees { get; }

    public double Bias { get; }

    /// <summary>Platt's A and B: P = 1 / (1 + exp(A·score + B)).</summary>
    public double Slope { get; }

    public double Offset { get; }

    /// <summary>Per feature, the mean absolute move in score it caused over the training customers.</summary>
    public double[] MeanAbsoluteContribution { get; }

    public static ScoringTrees From(FastTreeBinaryModelParameters model, PlattCalibrator calibrator, FeatureEncoding encoding, IReadOnlyList<float[]> training)
    {
        var ensemble = model.TrainedTreeEnsemble;
        var trees = ensemble.Trees.Select((t, i) => new Tree(t, ensemble.TreeWeights[i], encoding)).ToArray();
        foreach (var features in training)
        {
            foreach (var tree in trees)
            {
                tree.Count(features);
            }
        }

        foreach (var tree in trees)
        {
            tree.Average();
        }

        var width = encoding.Names.Length;
        var sum = new double[width];
        var contributions = new double[width];
        foreach (var features in training)
        {
            Array.Clear(contributions);
            foreach (var tree in trees)
            {
                tree.Walk(features, contributions);
            }

            for (var f = 0; f < width; f++)
            {
                sum[f] += Math.Abs(contributions[f]);
            }
        }

        return new ScoringTrees(trees, ensemble.Bias, calibrator.Slope, calibrator.Offset, [.. sum.Select(s => s / training.Count)]);
    }

    /// <summary>One regression tree: internal nodes 0..n−1, a child below zero is the leaf ~child; a value at or below the threshold goes left.</summary>
    internal sealed class Tree
    {
        private readonly int[] _left;
        private readonly int[] _right;
        private readonly int[] _slot;
        private readonly int[] _feature;
        private readonly float[] _threshold;
        private readonly double[] _leaf;
        private readonly double _weight;
        private readonly long[] _leafCount;
        private readonly double[] _nodeMean;

        public Tree(RegressionTree tree, double weight, FeatureEncoding encoding)
        {
            _left = [.. tree.LeftChild];
            _right = [.. tree.RightChild];
            _slot = [.. tree.NumericalSplitFeatureIndexes];
            _feature = [.. _slot.Select(encoding.FeatureOf)];
            _threshold = [.. tree.NumericalSplitThresholds];
            _leaf = [.. tree.LeafValues];
            _weight = weight;
            _leafCount = new long[_leaf.Length];
            _nodeMean = new double[_left.Length];
        }

        /// <summary>Counts one training customer at the leaf it reaches.</summary>
        public void Count(float[] features) => _leafCount[~Leaf(features)]++;

        /// <summary>Each node's mean output over the training customers below it, from the leaf counts up.</summary>
        public void Average()
        {
            if (_left.Length > 0)
            {
                Fill(0);
            }
        }

        private (long Count, double Sum) Fill(int node)
        {
            if (node < 0)
            {
                return (_leafCount[~node], _leafCount[~node] * _leaf[~node]);
            }

            var (left, right) = (Fill(_left[node]), Fill(_right[node]));
            var count = left.Count + right.Count;
            // A node no training customer reached (possible only through rounding) takes its children's plain mean.
            _nodeMean[node] = count > 0 ? (left.Sum + right.Sum) / count : (Mean(_left[node]) + Mean(_right[node])) / 2;
            return (count, left.Sum + right.Sum);
        }

        /// <summary>The leaf (as ~index) that <paramref name="features"/> reach.</summary>
        private int Leaf(float[] features)
        {
            if (_left.Length == 0)
            {
                return ~0;
            }

            var node = 0;
            while (node >= 0)
            {
                node = features[_slot[node]] <= _threshold[node] ? _left[node] : _right[node];
            }

            return node;
        }

        /// <summary>The tree's weighted output for <paramref name="features"/>; adds each split's move in expected output to its feature.</summary>
        public double Walk(float[] features, double[]? contributions)
        {
            if (contributions is null || _left.Length == 0)
            {
                return _weight * _leaf[~Leaf(features)];
            }

            var node = 0;
            while (node >= 0)
            {
                var child = features[_slot[node]] <= _threshold[node] ? _left[node] : _right[node];
                contributions[_feature[node]] += _weight * (Mean(child) - _nodeMean[node]);
                node = child;
            }

            return _weight * _leaf[~node];
        }

        private double Mean(int child) => child < 0 ? _leaf[~child] : _nodeMean[child];
    }
}
