using Microsoft.Extensions.Options;

namespace OpenCxo.App.Kpis;

public sealed record KpiOptions
{
    /// <summary>How often KPI snapshots are filled in and alert rules evaluated.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Off only where another server of the same database runs the job.</summary>
    public bool Evaluate { get; init; } = true;
}

/// <summary>Takes KPI snapshots for each complete period, then evaluates alert rules and delivers what they raised.</summary>
public sealed partial class KpiJob(KpiService kpis, AlertService alerts, IOptions<KpiOptions> options, TimeProvider time, ILogger<KpiJob> logger)
    : BackgroundService
{
    private readonly SemaphoreSlim _pass = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Evaluate)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.Interval, time);
        do
        {
            try
            {
                await RunAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>One pass: snapshots, alert rules, deliveries. Answers how many snapshots were taken and alerts raised.</summary>
    public async Task<(int Snapshots, int Alerts)> RunAsync(CancellationToken ct)
    {
        await _pass.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var snapshots = await kpis.SnapshotAsync(null, ct).ConfigureAwait(false);
            var raised = await alerts.EvaluateAsync(null, ct).ConfigureAwait(false);
            await alerts.DeliverAsync(ct).ConfigureAwait(false);
            return (snapshots, raised);
        }
        finally
        {
            _pass.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "KPI and alert pass failed; retrying on the next tick")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

public static class KpiExtensions
{
    public static IServiceCollection AddKpis(this IServiceCollection services)
    {
        services.AddOptions<KpiOptions>().BindConfiguration("Kpis").ValidateOnStart();
        services.AddSingleton<KpiService>();
        services.AddSingleton<AlertService>();
        services.AddSingleton<KpiJob>();
        services.AddHttpClient(nameof(AlertService), client => client.Timeout = TimeSpan.FromSeconds(15));
        services.AddHostedService(sp => sp.GetRequiredService<KpiJob>());
        return services;
    }
}
