using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;

/// <summary>
/// Time until each page of the web UI is interactive, in Debian's Chromium: from navigation start until the circuit
/// is up (the layout's <c>data-cxo-ready</c> marker) and no progress bar is left, so the page's data is on screen.
/// Runs a real <c>cxo serve</c> over the given SQLite database (the demo one when none is given).
/// </summary>
internal static class UiBench
{
    // The default views (last 90 days), and the company and the explorer over all of the history.
    private static readonly string[] Pages =
    [
        "/cxo", "/marketing", "/sales", "/service", "/touchpoints", "/touchpoints?sort=-value", "/customers?q=a", "/customers/1", "/admin",
        "/cxo?from=2000-01-01", "/touchpoints?from=2000-01-01&sort=-value",
    ];

    public static async Task RunAsync(string work, string? database, int rounds)
    {
        var folder = Path.Combine(work, "ui-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var db = database is null ? null : "sqlite:" + Path.GetFullPath(database);
        var cxo = Path.Combine(AppContext.BaseDirectory, "cxo.dll");
        var user = "bench-" + Guid.NewGuid().ToString("N")[..6];
        var port = 5300 + Random.Shared.Next(600);
        var url = $"http://127.0.0.1:{port}";

        if (db is not null)
        {
            // A large database's first copy into DuckDB takes minutes: do it before timing, as an operator would.
            var copy = Stopwatch.StartNew();
            using var sync = Start(cxo, folder, ["analytics", "sync", "--db", db]);
            var said = await sync.StandardOutput.ReadToEndAsync();
            await sync.WaitForExitAsync();
            Console.WriteLine($"ui: analytics store brought up to date in {copy.Elapsed.TotalSeconds:0.0} s: {said.Trim().Split('\n')[^1]}");
        }

        var serveArgs = db is null ? new[] { "serve", "--demo", "--urls", url } : ["serve", "--urls", url, "--db", db];
        using var server = Start(cxo, folder, serveArgs);
        var ready = new TaskCompletionSource();
        server.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.StartsWith("OpenCXO listening", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromMinutes(10));

        using var create = Start(cxo, folder, ["user", "create", "--name", user, "--role", "admin", "--json", "--db", db ?? "sqlite:" + Path.Combine(folder, "data", "opencxo.db")]);
        var password = JsonDocument.Parse(await create.StandardOutput.ReadToEndAsync()).RootElement.GetProperty("password").GetString()!;
        await create.WaitForExitAsync();

        // The first sync of a large database happens in the background after start; wait for it like a person would.
        using (var http = new HttpClient())
        {
            var clock = Stopwatch.StartNew();
            while ((await http.GetAsync(url + "/healthz")).StatusCode != System.Net.HttpStatusCode.OK)
            {
                await Task.Delay(200);
            }

            Console.WriteLine($"ui: server up in {clock.Elapsed.TotalSeconds:0.0} s");
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var context = await browser.NewContextAsync(new() { BaseURL = url, ViewportSize = new() { Width = 1366, Height = 900 } });
        context.SetDefaultTimeout(120_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/login");
        await page.Locator("#login-name").FillAsync(user);
        await page.Locator("#login-password").FillAsync(password);
        await page.Locator("form button[type=submit]").ClickAsync();
        await page.WaitForURLAsync(url + "/admin");

        // The shell once (JIT, circuit, static assets), then one first visit per page, when the analytics store has no
        // answer cached and every query runs, then the measured rounds, which reuse the answers of unchanged data.
        await TimeAsync(page, "/admin");
        var first = new Dictionary<string, double>();
        foreach (var path in Pages)
        {
            first[path] = await TimeAsync(page, path);
        }

        foreach (var path in Pages)
        {
            var times = new List<double>();
            for (var i = 0; i < rounds; i++)
            {
                times.Add(await TimeAsync(page, path));
            }

            times.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ui: {path,-42} interactive in median {times[times.Count / 2]:0} ms, worst {times[^1]:0} ms ({rounds} loads); first load {first[path]:0} ms"));
        }

        server.Kill(entireProcessTree: true);
    }

    private static async Task<double> TimeAsync(IPage page, string path)
    {
        var clock = Stopwatch.StartNew();
        await page.GotoAsync(path);
        await page.WaitForSelectorAsync("[data-cxo-ready]", new() { State = WaitForSelectorState.Attached });
        await page.WaitForFunctionAsync("() => document.querySelectorAll('.mud-progress-linear, .mud-table-loading').length === 0");
        return clock.Elapsed.TotalMilliseconds;
    }

    private static Process Start(string cxo, string folder, string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(cxo);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }
}
