using Microsoft.Playwright;
using OpenCxo.App.Tests.Cli;

namespace OpenCxo.E2E;

/// <summary>A session cookie that has outlived <c>Security:SessionLifetime</c> leads back to the login page, on its own small server.</summary>
public sealed class SessionExpiryTests : IAsyncLifetime, IDisposable
{
    private readonly CliSandbox _sandbox = new();
    private readonly string _url = $"http://127.0.0.1:{CliSandbox.FreeTcpPort()}";
    private CxoProcess? _server;
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private string _password = "";

    public async Task InitializeAsync()
    {
        var created = await _sandbox.RunAsync("user", "create", "--name", "maria", "--role", "service", "--json");
        _password = created.ShouldExit(0).Json().GetProperty("password").GetString()!;
        _server = CxoProcess.Start(_sandbox.Folder, new Dictionary<string, string?>
        {
            ["OPENCXO_DB"] = _sandbox.Db,
            ["Security__SessionLifetime"] = "00:00:04",
        }, ["serve", "--urls", _url]);
        await _server.WaitForLineAsync(l => l.StartsWith("OpenCXO listening", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        _playwright = await Playwright.CreateAsync();
        _browser = await UiServer.LaunchAsync(_playwright);
    }

    [Fact]
    public async Task An_expired_session_goes_back_to_login()
    {
        var context = await _browser!.NewContextAsync(new() { BaseURL = _url });
        var page = await context.NewPageAsync();
        await UiServer.SignInOnAsync(page, "maria", _password);
        await Assertions.Expect(page).ToHaveURLAsync(_url + "/service", new() { Timeout = 30_000 });
        Assert.Contains(await context.CookiesAsync(), c => c.Name == ".OpenCxo.Session");

        // Past the lifetime, also counting a sliding renewal by the page's own requests.
        await Task.Delay(TimeSpan.FromSeconds(9));

        // The browser still sends a session cookie (it lives as long as the browser); the server no longer accepts it.
        Assert.Contains(await context.CookiesAsync(), c => c.Name == ".OpenCxo.Session");
        var response = await page.GotoAsync("/service");
        Assert.Equal(200, response!.Status);
        Assert.StartsWith(_url + "/login?ReturnUrl=", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("#login-name")).ToBeVisibleAsync();
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    public void Dispose() => _sandbox.Dispose();
}
