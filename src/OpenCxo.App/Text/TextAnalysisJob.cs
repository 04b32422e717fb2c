using Microsoft.Extensions.Options;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Text;

public sealed record TextOptions
{
    /// <summary>How long the job rests once it has caught up with ingest.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Off only where texts are analysed elsewhere (another server of the same database).</summary>
    public bool Analyze { get; init; } = true;
}

/// <summary>Follows ingest: every touchpoint text is analysed within seconds of its arrival (issue 5).</summary>
public sealed partial class TextAnalysisJob(TextAnalyses analyses, JobLeases leases, IOptions<TextOptions> options, TimeProvider time, ILogger<TextAnalysisJob> logger)
    : BackgroundService
{
    private readonly SemaphoreSlim _pass = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Analyze)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.Interval, time);
        do
        {
            try
            {
                await leases.RunAsync("text-analysis", JobLeases.TermFor(options.Value.Interval), CatchUpAsync, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>Analyses every text that arrived since the watermark; returns how many.</summary>
    public async Task<long> CatchUpAsync(CancellationToken ct)
    {
        await _pass.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return await analyses.CatchUpAsync(time.GetUtcNow().UtcDateTime, ct).ConfigureAwait(false);
        }
        finally
        {
            _pass.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Text analysis pass failed; retrying on the next tick")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

public static class TextExtensions
{
    public static IServiceCollection AddTextAnalytics(this IServiceCollection services)
    {
        services.AddOptions<TextOptions>().BindConfiguration("Text").ValidateOnStart();
        services.AddSingleton<TextAnalyses>();
        services.AddSingleton<TextAnalysisJob>();
        services.AddSingleton<TaxonomyReanalysis>();
        services.AddHostedService(sp => sp.GetRequiredService<TextAnalysisJob>());
        return services;
    }
}
