using OpenCxo.App.Analytics;

namespace OpenCxo.App.Tests.Analytics;

public sealed class AnalyticsOptionsTests
{
    [Theory]
    [InlineData(0.0, 2.0)]
    [InlineData(0.5, 2.0)]
    [InlineData(1.0, 2.0)]
    [InlineData(1.5, 3.0)]
    [InlineData(12.0, 24.0)]
    public void The_wait_after_a_sync_is_the_minimum_gap_or_twice_the_sync(double syncSeconds, double waitSeconds)
    {
        var options = new AnalyticsOptions { MinimumGap = TimeSpan.FromSeconds(2) };
        var wait = options.GapAfter(TimeSpan.FromSeconds(syncSeconds));
        Assert.Equal(TimeSpan.FromSeconds(waitSeconds), wait);

        // Syncing then waiting keeps the sync's share of the time at or under a third.
        Assert.True(syncSeconds / (syncSeconds + wait.TotalSeconds) <= 1.0 / 3 + 1e-12);
    }
}
