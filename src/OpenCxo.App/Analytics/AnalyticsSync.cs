using System.Threading.Channels;
using Microsoft.Extensions.Options;
using OpenCxo.Data.Analytics;

namespace OpenCxo.App.Analytics;

public sealed record AnalyticsOptions
{
    /// <summary>How often the analytics store catches up even when nothing signalled new data (other writers, e.g. a CLI import).</summary>
    public TimeSpan SyncInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The least time between two syncs, so a stream of small ingest requests is copied in a few larger chunks
    /// (the stats endpoint catches up by itself before answering, so answers are never stale).
    /// </summary>
    public TimeSpan MinimumGap { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The wait after a sync that took <paramref name="elapsed"/>: <see cref="MinimumGap"/>, or twice the sync's time if
    /// longer, so that copying into a large store takes at most a third of the machine and ingest keeps its pace. The
    /// store then trails the system of record by about three sync times (queries that must be current sync first).
    /// </summary>
    public TimeSpan GapAfter(TimeSpan elapsed) => elapsed * 2 > MinimumGap ? elapsed * 2 : MinimumGap;

    /// <summary>The most memory the DuckDB store may hold (<see cref="AnalyticsStore.MemoryLimit"/>), e.g. 512MB or 4GB.</summary>
    public string MemoryLimit { get; init; } = AnalyticsStore.DefaultMemoryLimit;
}

/// <summary>Wakes the sync loop when events were accepted, so the analytics store follows within moments.</summary>
public sealed class AnalyticsSignal
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Notify() => _channel.Writer.TryWrite(true);

    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            await _channel.Reader.ReadAsync(timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
    }
}

/// <summary>Keeps the DuckDB analytics store current from the system of record, incrementally by sequence number.</summary>
public sealed partial class AnalyticsSyncService(AnalyticsStore store, AnalyticsSignal signal, IOptions<AnalyticsOptions> options, ILogger<AnalyticsSyncService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var elapsed = TimeSpan.Zero;
            try
            {
                var result = await store.SyncAsync(stoppingToken).ConfigureAwait(false);
                elapsed = result.Elapsed;
                if (result.InteractionsCopied > 0 || result.MergesCopied > 0)
                {
                    LogSynced(logger, result.InteractionsCopied, result.MergesCopied, result.Elapsed.TotalMilliseconds);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or System.Data.Common.DbException)
            {
                LogFailed(logger, e);
            }

            await Task.Delay(options.Value.GapAfter(elapsed), stoppingToken).ConfigureAwait(false);
            await signal.WaitAsync(options.Value.SyncInterval, stoppingToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Analytics store: copied {Interactions} interactions and {Merges} merges in {Milliseconds:0} ms")]
    private static partial void LogSynced(ILogger logger, long interactions, long merges, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Analytics store sync failed; will retry")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
