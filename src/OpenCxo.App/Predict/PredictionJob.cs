using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenCxo.App.Security;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Predict;

/// <summary>Retrains the models and rescores every customer of every workspace on <see cref="PredictionOptions.Interval"/>, first <see cref="PredictionOptions.FirstRunDelay"/> after start.</summary>
public sealed partial class PredictionJob(PredictionService predictions, CxoDbFactory databases, JobLeases leases, IOptions<PredictionOptions> options, TimeProvider time, ILogger<PredictionJob> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Run)
        {
            return;
        }

        // Not at once: a server that starts is busy catching up, and short-lived hosts (tests, one-off runs) need no models.
        await Task.Delay(options.Value.FirstRunDelay, time, stoppingToken).ConfigureAwait(false);
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        do
        {
            try
            {
                await leases.RunAsync("predictions", JobLeases.TermFor(options.Value.Interval), async token =>
                {
                    await using var db = databases.CreateDbContext();
                    var workspaces = await db.Workspaces.AsNoTracking().Select(w => w.Id).ToListAsync(token).ConfigureAwait(false);
                    foreach (var workspace in workspaces)
                    {
                        var run = await predictions.RunAsync(workspace, token).ConfigureAwait(false);
                        LogRun(logger, workspace, run.Status, run.Customers, run.Report.Seconds, run.Message ?? "");
                    }
                }, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Models for workspace {Workspace}: {Status}, {Customers} customers scored in {Seconds} s {Message}")]
    private static partial void LogRun(ILogger logger, long workspace, string status, long customers, double seconds, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Model training failed; retrying on the next tick")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

public static class PredictionExtensions
{
    public static IServiceCollection AddPredictions(this IServiceCollection services)
    {
        services.AddOptions<PredictionOptions>().BindConfiguration("Predictions").ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<PredictionService>();
        services.AddHostedService<PredictionJob>();
        return services;
    }

    /// <summary><c>/api/v1/predictions</c>: the latest run's report, and a run on demand.</summary>
    public static IEndpointRouteBuilder MapPredictionsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/predictions", async Task<Results<Ok<PredictionRun>, NotFound>> (HttpContext http, [FromServices] PredictionService predictions, CancellationToken ct) =>
                await predictions.LatestAsync(http.User.WorkspaceId(), ct) is { } run ? TypedResults.Ok(run) : TypedResults.NotFound())
            .RequireAuthorization(Scopes.StatsRead).WithTags("Predictions").WithName("GetPredictions")
            .WithSummary("The latest model run: churn hold-out AUC, log-loss and calibration, what drives churn, the lifetime value fits.");
        app.MapPost("/api/v1/predictions/run", async (HttpContext http, [FromServices] PredictionService predictions, CancellationToken ct) =>
                TypedResults.Ok(await predictions.RunAsync(http.User.WorkspaceId(), ct)))
            .RequireAuthorization(Scopes.KpisWrite).WithTags("Predictions").WithName("RunPredictions")
            .WithSummary("Retrain the churn and lifetime value models now and rescore every customer.");
        return app;
    }
}
