using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using OpenCxo.Data.Storage;
using OpenCxo.App.Hosting;

namespace OpenCxo.App.Kpis;

public sealed record KpiOptions : IValidatableObject
{
    /// <summary>How often KPI snapshots are filled in and alert rules evaluated.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Off only where another server of the same database runs the job.</summary>
    public bool Evaluate { get; init; } = true;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Interval < TimeSpan.FromSeconds(1) || Interval > TimeSpan.FromDays(1))
        {
            yield return new ValidationResult("Kpis:Interval must be between 1 second and 1 day", [nameof(Interval)]);
        }
    }
}

/// <summary>Takes KPI snapshots for each complete period, then evaluates alert rules and delivers what they raised.</summary>
public sealed partial class KpiJob(
    KpiService kpis, AlertService alerts, Alignment.DigestService digests, JobLeases leases, IOptions<KpiOptions> options, TimeProvider time, ILogger<KpiJob> logger)
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
                await leases.RunAsync("kpis", JobLeases.TermFor(options.Value.Interval), token => RunAsync(null, token), stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>
    /// One pass for one workspace or all: snapshots, alert rules, the last week's digests, deliveries, one at a time in this process. A stage that
    /// fails is logged and the next still runs, so a broken KPI does not silence every alert.
    /// </summary>
    public async Task<(int Snapshots, int Alerts, int Delivered)> RunAsync(long? workspaceId, CancellationToken ct)
    {
        await _pass.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var snapshots = await StageAsync("snapshots", () => kpis.SnapshotAsync(workspaceId, ct)).ConfigureAwait(false);
            var raised = await StageAsync("alert rules", () => alerts.EvaluateAsync(workspaceId, ct)).ConfigureAwait(false);
            await StageAsync("weekly digests", () => digests.GenerateDueAsync(workspaceId, ct)).ConfigureAwait(false);
            var delivered = await StageAsync("deliveries", () => alerts.DeliverAsync(workspaceId, ct)).ConfigureAwait(false);
            return (snapshots, raised, delivered);
        }
        finally
        {
            _pass.Release();
        }
    }

    private async Task<int> StageAsync(string stage, Func<Task<int>> run)
    {
        try
        {
            return await run().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogStageFailed(logger, e, stage);
            return 0;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "KPI job: {Stage} failed; the other stages ran")]
    private static partial void LogStageFailed(ILogger logger, Exception exception, string stage);

    [LoggerMessage(Level = LogLevel.Error, Message = "KPI and alert pass failed; retrying on the next tick")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

public static class KpiExtensions
{
    public static IServiceCollection AddKpis(this IServiceCollection services)
    {
        services.AddOptions<KpiOptions>().BindConfiguration("Kpis").ValidateDataAnnotations().ValidateOnStart();
        services.AddSmtp();
        services.AddSingleton<KpiService>();
        services.AddSingleton<AlertService>();
        services.AddSingleton<KpiJob>();
        services.AddHttpClient(nameof(AlertService), client => client.Timeout = TimeSpan.FromSeconds(15));
        services.AddHostedService(sp => sp.GetRequiredService<KpiJob>());
        return services;
    }
}
