using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using OpenCxo.App.Actions;
using OpenCxo.App.Alignment;
using OpenCxo.App.Analytics;
using OpenCxo.App.Campaigns;
using OpenCxo.App.Cases;
using OpenCxo.App.Drivers;
using OpenCxo.App.Feedback;
using OpenCxo.App.Ingest;
using OpenCxo.App.Journeys;
using OpenCxo.App.Initiatives;
using OpenCxo.App.Kpis;
using OpenCxo.App.Metrics;
using OpenCxo.App.Predict;
using OpenCxo.App.Privacy;
using OpenCxo.App.Profiles;
using OpenCxo.App.Security;
using OpenCxo.App.Maturity;
using OpenCxo.App.Segments;
using OpenCxo.App.Text;
using OpenCxo.App.Touchpoints;
using OpenCxo.App.Web;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Profiles;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Ingest;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Hosting;

/// <summary>What <c>cxo serve</c> needs to know; tests build the same host with their own values.</summary>
public sealed record HostSettings(DatabaseLocation Database)
{
    public string Urls { get; init; } = "http://localhost:5080";
    public string DefaultRegion { get; init; } = "ES";
    public string? AnalyticsPath { get; init; }

    /// <summary>Where the keys that encrypt session cookies are kept: beside the SQLite file, or <c>./data/keys</c>.</summary>
    public string KeysPath => Path.Combine(
        Database.SqlitePath is { } file ? Path.GetDirectoryName(Path.GetFullPath(file))! : Path.GetFullPath("data"), "keys");
}

/// <summary>The web host: a table of contents of the features it serves.</summary>
public static class OpenCxoHost
{
    public static WebApplication Build(HostSettings settings, Action<WebApplicationBuilder>? configure = null)
    {
        // The application name is the program's, also under a test host: static web assets are found by it.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            ApplicationName = typeof(OpenCxoHost).Assembly.GetName().Name,
        });
        builder.WebHost.UseUrls(settings.Urls);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-dd HH:mm:ss ";
            o.UseUtcTimestamp = true;
        });
        // Request-level framework logs cost more than an ingest request itself; keep start-up and warnings.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        builder.Services.AddOpenCxoCore(settings);
        builder.Services.AddOpenCxoSecurity(settings.KeysPath);
        builder.Services.AddWebUi();
        builder.Services.AddFeedback();
        builder.Services.AddTextAnalytics();
        builder.Services.AddKpis();
        builder.Services.AddPredictions();
        builder.Services.AddDrivers();
        builder.Services.AddNextActions();
        builder.Services.AddCases();
        builder.Services.AddAlignment();
        builder.Services.AddJourneys();
        builder.Services.AddPrivacy();
        builder.Services.AddSegments();
        builder.Services.AddCampaigns();
        builder.Services.AddInitiatives();
        builder.Services.AddMaturity();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(o => ConfigureJson(o.SerializerOptions));
        configure?.Invoke(builder);
        builder.Services.AddSingleSignOn(builder.Configuration);

        // Static web assets (MudBlazor's, the Blazor script) are read where the build put them, in every environment.
        builder.WebHost.UseStaticWebAssets();

        var app = builder.Build();
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SecurityOptions>>().Value.ForwardedHeaders)
        {
            // Behind a proxy that sets them (Security:ForwardedHeaders): the client's own address and scheme.
            var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto };
            forwarded.KnownIPNetworks.Clear();
            forwarded.KnownProxies.Clear();
            app.UseForwardedHeaders(forwarded);
        }

        app.UseSecurityHeaders();
        app.UseExceptionHandler();
        app.UseWhen(IsApi, api => api.UseStatusCodePages());
        // The web UI's pages show its own "not found" page; the API and the survey pages answer for themselves.
        app.UseWhen(http => !IsApi(http) && !http.Request.Path.StartsWithSegments("/s", StringComparison.Ordinal),
            ui => ui.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
        app.UseRouting();
        app.UseRateLimiter();
        app.UseRequestLocalization();
        app.UseAuthentication();
        app.UseAuditActor();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" })).ExcludeFromDescription();
        app.MapEventsApi();
        app.MapCustomersApi();
        app.MapStatsApi();
        app.MapTouchpointsApi();
        app.MapSurveysApi();
        app.MapSurveyPages();
        app.MapMetricsApi();
        app.MapTextApi();
        app.MapFeedbackApi();
        app.MapKpiApi();
        app.MapAlertApi();
        app.MapPredictionsApi();
        app.MapDriversApi();
        app.MapNextActionsApi();
        app.MapCasesApi();
        app.MapAlignmentApi();
        app.MapJourneysApi();
        app.MapAuditApi();
        app.MapPrivacyApi();
        app.MapSegmentApi();
        app.MapCampaignApi();
        app.MapInitiativeApi();
        app.MapMaturityApi();
        app.MapWebUi();
        return app;
    }

    private static bool IsApi(HttpContext http) => http.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase);

    /// <summary>The services every entry point (web host and CLI verbs) shares.</summary>
    public static IServiceCollection AddOpenCxoCore(this IServiceCollection services, HostSettings settings)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(settings.Database);
        services.AddSingleton(new CxoDbFactory(settings.Database));
        services.AddScoped(sp => sp.GetRequiredService<CxoDbFactory>().CreateDbContext());
        services.AddSingleton(new IdentityNormalizer(settings.DefaultRegion));
        services.AddSingleton<EventParser>();
        services.AddSingleton<EventIngestor>();
        services.AddOptions<AnalyticsOptions>().BindConfiguration("Analytics")
            .Validate(o => AnalyticsStore.IsMemoryLimit(o.MemoryLimit), "Analytics:MemoryLimit must be a memory size of at least 64MB, e.g. 512MB or 2GB")
            .ValidateOnStart();
        services.AddSingleton(sp => new AnalyticsStore(
            settings.AnalyticsPath ?? AnalyticsStore.DefaultPathFor(settings.Database),
            sp.GetRequiredService<CxoDbFactory>(),
            sp.GetRequiredService<IOptions<AnalyticsOptions>>().Value.MemoryLimit));
        services.AddSingleton<AnalyticsSignal>();
        services.AddSingleton<JobLeases>();
        services.AddHostedService<AnalyticsSyncService>();
        return services;
    }

    public static void ConfigureJson(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DictionaryKeyPolicy = null;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
    }
}

/// <summary>Maps the exceptions a request can meet to RFC 9457 problem details; anything else is a 500 without internals.</summary>
internal sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, "Bad request"),
            // A form that cannot be read (a NUL or invalid escape in a value, too many fields): the client's fault.
            InvalidDataException => (StatusCodes.Status400BadRequest, "Bad request"),
            OperationCanceledException => (499, "Request cancelled"),
            _ => (StatusCodes.Status500InternalServerError, "Internal error"),
        };
        if (status == StatusCodes.Status500InternalServerError)
        {
            LogUnhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = status == 500 ? "the error was logged" : exception.Message },
        }).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error answering {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, PathString path);
}
