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

        var width = encoding.Features.Count();
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
        private readonly long[] _nodeCount;
        private readonly double[] _nodeSum;
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
            _nodeCount = new long[_left.Length];
            _nodeSum = new double[_left.Length];
            _nodeMean = new double[_left.Length];
        }

        public void Count(float[] features)
        {
            if (_left.Length == 0)
            {
                return;
            }

            var path = new List<int>(16);
            var node = 0;
            while (node >= 0)
            {
                path.Add(node);
                node = features[_slot[node]] <= _threshold[node] ? _left[node] : _right[node];
            }

            foreach (var visited in path)
            {
                _nodeCount[visited]++;
                _nodeSum[visited] += _leaf[~node];
            }
        }

        public void Average()
        {
            // Children are numbered after their parents: averaging from the last node up sees every child's mean first.
            for (var node = _nodeMean.Length - 1; node >= 0; node--)
            {
                // A node no training customer reached (possible only through rounding) takes its children's plain mean.
                _nodeMean[node] = _nodeCount[node] > 0 ? _nodeSum[node] / _nodeCount[node] : (Mean(_left[node]) + Mean(_right[node])) / 2;
            }
        }

        /// <summary>The tree's weighted output for <paramref name="features"/>; adds each split's move in expected output to its feature.</summary>
        public double Walk(float[] features, double[]? contributions)
        {
            if (_left.Length == 0)
            {
                return _weight * _leaf[0];
            }

            var node = 0;
            while (node >= 0)
            {
                var child = features[_slot[node]] <= _threshold[node] ? _left[node] : _right[node];
                if (contributions is not null)
                {
                    contributions[_feature[node]] += _weight * (Mean(child) - _nodeMean[node]);
                }

                node = child;
            }

            return _weight * _leaf[~node];
        }

        private double Mean(int child) => child < 0 ? _leaf[~child] : _nodeMean[child];
    }
}
