using OpenCxo.Core.Metrics;

namespace OpenCxo.App.Tests.Api;

/// <summary>Issue 6: docs/metrics.md says what the catalogue says, metric by metric, so the two cannot drift apart.</summary>
public sealed class MetricDocsTests
{
    [Fact]
    public void Every_catalogue_metric_is_defined_in_docs_metrics_md_with_the_catalogues_own_words()
    {
        var docs = File.ReadAllText(Path.Combine(RepoFiles.Root(), "docs", "metrics.md"));
        foreach (var metric in MetricCatalogue.All)
        {
            Assert.Contains($"### `{metric.Name}` — {metric.Title.En}", docs, StringComparison.Ordinal);
            Assert.Contains(metric.Formula.En, docs, StringComparison.Ordinal);
            Assert.Contains("Sources: " + metric.Sources.En, docs, StringComparison.Ordinal);
            Assert.Contains("Caveats: " + metric.Caveats.En, docs, StringComparison.Ordinal);
        }
    }
}
