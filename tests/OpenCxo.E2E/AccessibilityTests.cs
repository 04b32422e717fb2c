using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace OpenCxo.E2E;

/// <summary>axe-core on every page, on a desktop and a phone screen: no serious or critical violation.</summary>
[Collection(UiServerGroup.Name)]
public sealed class AccessibilityTests(UiServer server)
{
    public static TheoryData<string, int> Pages => new()
    {
        { "/cxo", 1366 },
        { "/marketing", 1366 },
        { "/sales", 1366 },
        { "/service", 1366 },
        { "/customers?q=a", 1366 },
        { "/customers/1", 1366 },
        { "/touchpoints", 1366 },
        { "/admin", 1366 },
        { "/admin/audit", 1366 },
        { "/admin/audit", 390 },
        { "/surveys", 390 },
        { "/cxo", 390 },
        { "/customers/1", 390 },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Pages_have_no_serious_or_critical_violations(string path, int width)
    {
        var page = await server.SignInAsync("admin", viewport: new ViewportSize { Width = width, Height = 900 });
        await page.GotoAsync(path);
        await UiServer.WaitForCircuitAsync(page);
        await UiServer.ScreenshotAsync(page, $"page{path.Replace('/', '-').Replace('?', '-').Replace('=', '-')}-{width}");
        await AssertAccessibleAsync(page, path);
    }

    [Fact]
    public async Task The_login_page_has_no_serious_or_critical_violations()
    {
        var page = await server.NewPageAsync();
        await page.GotoAsync("/login");
        await AssertAccessibleAsync(page, "/login");
        await UiServer.SignInOnAsync(page, "viewer", "wrong-password!");
        await AssertAccessibleAsync(page, "/login after a failed sign-in");
    }

    internal static async Task AssertAccessibleAsync(IPage page, string what)
    {
        // A page of the app's layout re-renders its <head> as its circuit starts; axe reads it once that has happened.
        // If it never does, axe runs anyway and names what is missing.
        try
        {
            await page.WaitForFunctionAsync(
                "() => document.querySelector('.mud-layout') === null || (document.querySelector('[data-cxo-ready]') !== null && document.title !== '')",
                null, new() { Timeout = 10_000 });
        }
        catch (TimeoutException)
        {
        }

        var result = await page.RunAxe();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, what + ":\n" + string.Join("\n", serious.Select(v =>
            $"{v.Impact} {v.Id}: {v.Help} — {string.Join(" | ", v.Nodes.Take(3).Select(n => string.Join(" ", n.Target)))}")));
    }
}
