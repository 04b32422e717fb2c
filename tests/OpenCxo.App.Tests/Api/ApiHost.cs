using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenCxo.App.Hosting;
using OpenCxo.App.Security;
using OpenCxo.Data.Storage;
using OpenCxo.Testing;

namespace OpenCxo.App.Tests.Api;

/// <summary>
/// The real web host (the one <c>cxo serve</c> runs) on an in-memory test server, over a fresh real database of the
/// given provider, with API keys for two workspaces.
/// </summary>
public sealed class ApiHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ApiHost(WebApplication app, DatabaseLocation database)
    {
        _app = app;
        Database = database;
    }

    public DatabaseLocation Database { get; }

    public CxoDbFactory Factory => _app.Services.GetRequiredService<CxoDbFactory>();

    public IServiceProvider Services => _app.Services;

    public static async Task<ApiHost> StartAsync(string provider, IReadOnlyDictionary<string, string?>? configuration = null, Action<WebApplicationBuilder>? configure = null)
    {
        var database = DatabaseLocation.Parse(await TestDatabases.NewDatabaseAsync(provider));
        await new CxoDbFactory(database).MigrateAsync();
        return await StartAsync(database, configuration, configure);
    }

    /// <summary>Another instance on a database that exists already (several servers behind one load balancer), with its own analytics store.</summary>
    public static async Task<ApiHost> StartAsync(DatabaseLocation database, IReadOnlyDictionary<string, string?>? configuration = null, Action<WebApplicationBuilder>? configure = null)
    {
        var analytics = Path.Combine(Path.GetTempPath(), "opencxo-tests", Guid.NewGuid().ToString("N") + ".duckdb");
        var app = OpenCxoHost.Build(new HostSettings(database) { AnalyticsPath = analytics }, b =>
        {
            b.WebHost.UseTestServer();
            if (configuration is not null)
            {
                b.Configuration.AddInMemoryCollection(configuration);
            }

            configure?.Invoke(b);
        });
        await app.StartAsync();
        return new ApiHost(app, database);
    }

    /// <summary>A client signed in with a new key of <paramref name="workspace"/> holding <paramref name="scopes"/>.</summary>
    public async Task<HttpClient> ClientAsync(string workspace, params string[] scopes)
    {
        await using var db = Factory.CreateDbContext();
        var key = await ApiKeyService.CreateAsync(db, workspace, "test", scopes.Length == 0 ? [Scopes.Admin] : scopes, DateTime.UtcNow);
        var client = _app.GetTestClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.Key);
        return client;
    }

    public HttpClient AnonymousClient() => _app.GetTestClient();

    /// <summary>A client that keeps cookies and does not follow redirects, as a browser's single steps.</summary>
    public HttpClient BrowserClient(System.Net.CookieContainer cookies) =>
        new(new CookieHandler(cookies) { InnerHandler = _app.GetTestServer().CreateHandler() }) { BaseAddress = new Uri("https://localhost") };

    private sealed class CookieHandler(System.Net.CookieContainer cookies) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var header = cookies.GetCookieHeader(request.RequestUri!);
            if (header.Length > 0)
            {
                request.Headers.Add("Cookie", header);
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var set))
            {
                foreach (var cookie in set)
                {
                    cookies.SetCookies(request.RequestUri!, cookie);
                }
            }

            return response;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
