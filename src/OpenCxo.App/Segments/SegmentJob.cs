using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Segments;

public sealed record SegmentOptions
{
    /// <summary>How often every segment's membership is refreshed (history, webhook sync); at least a minute.</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromMinutes(15);
}

/// <summary>Refreshes every segment of every workspace on a schedule, in one server at a time (the <c>segments</c> lease).</summary>
public sealed partial class SegmentJob(
    CxoDbFactory databases, SegmentService segments, AnalyticsStore store, JobLeases leases, IOptions<SegmentOptions> options, TimeProvider time, ILogger<SegmentJob> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RefreshInterval, time);
        do
        {
            try
            {
                await leases.RunAsync("segments", JobLeases.TermFor(options.Value.RefreshInterval), RunOnceAsync, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>
    /// One pass over every segment, on the analytics store brought up to date first (at start, the events stored
    /// before the server started, such as the demo's); one segment that fails is logged and the next still runs.
    /// </summary>
    public async Task RunOnceAsync(CancellationToken ct)
    {
        await store.SyncAsync(ct).ConfigureAwait(false);
        List<(long Workspace, string Key)> all;
        await using (var db = databases.CreateDbContext())
        {
            all = [.. (await db.Segments.AsNoTracking().OrderBy(s => s.Id).Select(s => new { s.WorkspaceId, s.Key }).ToListAsync(ct).ConfigureAwait(false))
                .Select(s => (s.WorkspaceId, s.Key))];
        }

        foreach (var (workspace, key) in all)
        {
            try
            {
                var result = await segments.RefreshAsync(workspace, key, ct).ConfigureAwait(false);
                LogRefreshed(logger, key, result.Members, result.Joined, result.Left, result.Elapsed.TotalMilliseconds);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                LogSegmentFailed(logger, key, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Segment {Key}: {Members} members, {Joined} joined, {Left} left, in {Milliseconds:0} ms")]
    private static partial void LogRefreshed(ILogger logger, string key, long members, long joined, long left, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Segment {Key} could not be refreshed; the next pass tries again")]
    private static partial void LogSegmentFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Segment refresh pass failed; will retry")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
