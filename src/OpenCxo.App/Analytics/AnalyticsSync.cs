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
            try
            {
                var result = await store.SyncAsync(stoppingToken).ConfigureAwait(false);
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

            await Task.Delay(options.Value.MinimumGap, stoppingToken).ConfigureAwait(false);
            await signal.WaitAsync(options.Value.SyncInterval, stoppingToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Analytics store: copied {Interactions} interactions and {Merges} merges in {Milliseconds:0} ms")]
    private static partial void LogSynced(ILogger logger, long interactions, long merges, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Analytics store sync failed; will retry")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
