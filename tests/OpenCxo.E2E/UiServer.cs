using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OpenCxo.App.Security;
using OpenCxo.App.Tests.Cli;

namespace OpenCxo.E2E;

/// <summary>
/// One real <c>cxo serve --demo</c> on loopback for every browser test, and one headless Debian Chromium driven by
/// Playwright. The demo prints a password per role; tests sign in with them as people do.
/// </summary>
public sealed partial class UiServer : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(240);

    /// <summary>
    /// How long a browser step may take. Generous: on a two-core CI machine the server, Chromium and the test host share
    /// the cores with the server's own background jobs, and a page has been seen to need more than 15 s there.
    /// </summary>
    public const float StepTimeout = 30_000;

    /// <summary>
    /// Browser contexts kept open: no test uses more than four at once, and tests never close theirs. Each open page
    /// keeps a live circuit on the server and its timers and progress bars running in Chromium, so without a bound the
    /// last tests of a run share two cores with every page the run ever opened.
    /// </summary>
    private const int OpenContexts = 6;

    private readonly Queue<IBrowserContext> _contexts = new();
    private CxoProcess? _process;
    private IPlaywright? _playwright;

    public CliSandbox Sandbox { get; } = new();

    public string Url { get; } = $"http://127.0.0.1:{CliSandbox.FreeTcpPort()}";

    public HttpClient Api { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    public IReadOnlyDictionary<string, string> Passwords { get; private set; } = new Dictionary<string, string>();

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>What the server printed, for a failing test's message.</summary>
    public string Output => (_process?.Stdout ?? "") + "\n" + (_process?.Stderr ?? "");

    /// <summary>Where screenshots go for a reviewer to look at: <c>screenshots/</c> beside the test assembly.</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        Api.BaseAddress = new Uri(Url);
        try
        {
            _process = CxoProcess.Start(Sandbox.Folder, new Dictionary<string, string?>(), ["serve", "--demo", "--urls", Url]);
            var keyLine = await _process.WaitForLineAsync(l => l.StartsWith("Demo API key", StringComparison.Ordinal), StartTimeout);
            Api.DefaultRequestHeaders.Authorization = new("Bearer", KeyPattern().Match(keyLine).Value);
            var passwords = new Dictionary<string, string>();
            foreach (var role in Roles.All)
            {
                var line = await _process.WaitForLineAsync(l => l.StartsWith("  " + role + " ", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
                passwords[role] = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            }

            Passwords = passwords;
            await _process.WaitUntilHealthyAsync(Api, TimeSpan.FromSeconds(60));
            _playwright = await Playwright.CreateAsync();
            // An expectation waits up to half a step (Playwright's default is 5 s): a page still loading on a busy
            // machine is not a failure, and a passing expectation returns as soon as it holds.
            Assertions.SetDefaultExpectTimeout(StepTimeout / 2);
            Browser = await LaunchAsync(_playwright);
            Directory.CreateDirectory(ScreenshotFolder);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>Debian's Chromium with the flags FIELD-NOTES gives: no sandbox (containers), no GPU, nothing fetched from outside.</summary>
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new()
    {
        ExecutablePath = "/usr/bin/chromium",
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });

    /// <summary>A fresh browser context (own cookies) whose browser language is <paramref name="locale"/>.</summary>
    public async Task<IPage> NewPageAsync(string locale = "en-GB", ViewportSize? viewport = null)
    {
        var context = await Browser.NewContextAsync(new()
        {
            BaseURL = Url,
            Locale = locale,
            ViewportSize = viewport ?? new ViewportSize { Width = 1366, Height = 900 },
            AcceptDownloads = true,
        });
        context.SetDefaultTimeout(StepTimeout);
        _contexts.Enqueue(context);
        while (_contexts.Count > OpenContexts)
        {
            await _contexts.Dequeue().CloseAsync();
        }

        return await context.NewPageAsync();
    }

    /// <summary>Signs in through the login form as the demo user of <paramref name="role"/> and waits for the home page.</summary>
    public async Task<IPage> SignInAsync(string role, string locale = "en-GB", ViewportSize? viewport = null)
    {
        var page = await NewPageAsync(locale, viewport);
        await SignInOnAsync(page, role, Passwords[role]);
        try
        {
            await Assertions.Expect(page).ToHaveURLAsync(Url + Roles.HomeOf(role), new() { Timeout = StepTimeout });
        }
        catch (PlaywrightException e)
        {
            // Say where the browser stood and what the server was doing, so a slow or failed sign-in can be told apart.
            var output = Output;
            throw new TimeoutException($"signing in as {role} did not reach {Roles.HomeOf(role)}: the browser is at {page.Url}.\nThe server's last output:\n"
                + output[Math.Max(0, output.Length - 4000)..], e);
        }

        return page;
    }

    public static async Task SignInOnAsync(IPage page, string name, string password)
    {
        await page.GotoAsync("/login");
        await page.Locator("#login-name").FillAsync(name);
        await page.Locator("#login-password").FillAsync(password);
        await page.Locator("form button[type=submit]").ClickAsync();
    }

    /// <summary>Waits until Blazor's circuit is up, so clicks reach .NET event handlers.</summary>
    public static Task WaitForCircuitAsync(IPage page) =>
        page.WaitForFunctionAsync("() => window.Blazor && document.querySelector('[data-cxo-ready]') !== null");

    /// <summary>Once the page has settled (no progress bar left), so the picture shows what a person sees.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await Assertions.Expect(page.Locator(".mud-progress-linear")).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        Api.Dispose();
        if (_process is not null)
        {
            await _process.DisposeAsync();
            // Beside the screenshots: what the server printed over the whole run, for a failure that only the log explains.
            await File.WriteAllTextAsync(Path.Combine(ScreenshotFolder, "server.log"), Output);
        }

        Sandbox.Dispose();
    }

    [GeneratedRegex("cxo_[A-Za-z0-9_-]+")]
    private static partial Regex KeyPattern();
}

[CollectionDefinition(Name)]
public sealed class UiServerGroup : ICollectionFixture<UiServer>
{
    public const string Name = "web UI";
}
