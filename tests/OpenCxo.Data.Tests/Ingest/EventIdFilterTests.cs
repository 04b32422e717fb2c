using OpenCxo.Data.Ingest;

namespace OpenCxo.Data.Tests.Ingest;

public class EventIdFilterTests
{
    [Fact]
    public void Every_added_id_may_be_contained_across_growth()
    {
        var filter = new EventIdFilter();

        // 300,000 ids outgrow the first filter (65,536) twice.
        var ids = Enumerable.Range(0, 300_000).Select(i => $"evt-{i:D7}").ToList();
        ids.ForEach(filter.Add);

        Assert.Equal(300_000, filter.Count);
        Assert.All(ids, id => Assert.True(filter.MayContain(id), id));
    }

    [Fact]
    public void Ids_never_added_are_mostly_reported_absent()
    {
        var filter = new EventIdFilter();
        for (var i = 0; i < 200_000; i++)
        {
            filter.Add($"stored-{i}");
        }

        var falsePositives = Enumerable.Range(0, 100_000).Count(i => filter.MayContain($"new-{i}"));

        // Each filter is sized for about 1 % at capacity; three filters, the last half full, stay well under 3 %.
        Assert.InRange(falsePositives, 0, 3_000);
    }

    [Fact]
    public void Empty_filter_contains_nothing() =>
        Assert.False(new EventIdFilter().MayContain("anything"));
}
