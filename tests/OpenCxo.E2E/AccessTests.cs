using Microsoft.Playwright;
using OpenCxo.App.Security;

namespace OpenCxo.E2E;

/// <summary>Signing in, what each role may open, and what happens to everyone else: a login page or a 403, never an error.</summary>
[Collection(UiServerGroup.Name)]
public sealed class AccessTests(UiServer server)
{
    // Who may open which page, written out rather than read from UiPolicies, so that a change to the policies
    // has to be made here too, on purpose.
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["/cxo"] = ["admin", "cxo", "marketing", "sales", "service", "viewer"],
        ["/marketing"] = ["admin", "cxo", "marketing", "viewer"],
        ["/sales"] = ["admin", "cxo", "sales", "viewer"],
        ["/service"] = ["admin", "cxo", "service", "viewer"],
        ["/customers"] = ["admin", "cxo", "marketing", "sales", "service"],
        ["/touchpoints"] = ["admin", "cxo", "marketing", "sales", "service"],
        ["/actions"] = ["admin", "cxo", "marketing", "sales", "service"],
        ["/cases"] = ["admin", "cxo", "marketing", "sales", "service"],
        ["/segments"] = ["admin", "cxo", "marketing", "sales", "service"],
        ["/segments/new"] = ["admin", "cxo", "marketing", "sales", "service"],
        ["/campaigns"] = ["admin", "cxo", "marketing", "sales", "service"],
        ["/campaigns/new"] = ["admin", "cxo", "marketing", "sales", "service"],
        ["/surveys"] = ["admin", "cxo", "marketing", "sales", "service", "viewer"],
        ["/surveys/new"] = ["admin", "cxo", "marketing", "service"],
        ["/feedback"] = ["admin", "cxo", "marketing", "sales", "service", "viewer"],
        ["/metrics"] = ["admin", "cxo", "marketing", "sales", "service", "viewer"],
        ["/drivers"] = ["admin", "cxo", "marketing", "sales", "service", "viewer"],
        ["/kpis"] = ["admin", "cxo", "marketing", "sales", "service", "viewer"],
        ["/kpis/new"] = ["admin", "cxo"],
        ["/council"] = ["admin", "cxo", "marketing", "sales", "service", "viewer"],
        ["/initiatives"] = ["admin", "cxo", "marketing", "sales", "service", "viewer"],
        ["/initiatives/new"] = ["admin", "cxo", "marketing", "sales", "service"],
        ["/maturity"] = ["admin", "cxo", "marketing", "sales", "service", "viewer"],
        ["/maturity/service"] = ["admin", "cxo", "marketing", "sales", "service", "viewer"],
        ["/alerts"] = ["admin", "cxo", "marketing", "sales", "service", "viewer"],
        ["/admin"] = ["admin"],
        ["/admin/audit"] = ["admin"],
        ["/sales-quality"] = ["admin", "cxo", "sales", "viewer"],
        ["/service-balance"] = ["admin", "cxo", "service", "viewer"],
        ["/journeys"] = ["admin", "cxo", "marketing", "sales", "service", "viewer"],
        ["/promises"] = ["admin", "cxo", "marketing", "sales", "service", "viewer"],
        ["/digests"] = ["admin", "cxo", "marketing", "sales", "service", "viewer"],
        ["/feedback/taxonomy"] = ["admin", "cxo"],
        ["/customers/1"] = ["admin", "cxo", "marketing", "sales", "service"],
        ["/metrics/nps"] = ["admin", "cxo", "marketing", "sales", "service", "viewer"],
    };

    /// <summary>Pages reached from another page rather than from the menu.</summary>
    private static readonly HashSet<string> OffMenu = ["/surveys/new", "/segments/new", "/campaigns/new", "/initiatives/new", "/kpis/new", "/feedback/taxonomy", "/customers/1", "/metrics/nps", "/maturity/service"];

    /// <summary>Pages with a route parameter opened in the table as one real page.</summary>
    private static readonly Dictionary<string, string> Samples = new()
    {
        ["/customers/{Id:long}"] = "/customers/1",
        ["/metrics/{Name}"] = "/metrics/nps",
        ["/maturity/{Department}"] = "/maturity/service",
    };

    /// <summary>Pages with a route parameter that must have the same policy as a page of the table.</summary>
    private static readonly Dictionary<string, string> SameAs = new()
    {
        ["/kpis/{Key}"] = "/kpis",
        ["/segments/{Key}"] = "/segments",
        ["/campaigns/{Key}"] = "/campaigns",
        ["/initiatives/{Key}"] = "/initiatives/new",
        ["/kpis/{Key}/edit"] = "/kpis/new",
        ["/promises/{Key}"] = "/promises",
        ["/surveys/{SurveyKey}/edit"] = "/surveys/new",
    };

    /// <summary>Pages anyone may open, signed in or not (or any signed-in person: the home page sends them on).</summary>
    private static readonly HashSet<string> Open = ["/", "/login", "/forbidden", "/not-found"];

    [Fact]
    public void Every_page_of_the_app_is_in_the_table()
    {
        var pages = typeof(Roles).Assembly.GetTypes()
            .SelectMany(t => t.GetCustomAttributes(typeof(Microsoft.AspNetCore.Components.RouteAttribute), false).Cast<Microsoft.AspNetCore.Components.RouteAttribute>()
                .Select(r => (r.Template, Type: t)))
            .ToList();
        Assert.True(pages.Count > 30, $"{pages.Count} pages found");
        string? PolicyOf(Type page) => page.GetCustomAttributes(typeof(Microsoft.AspNetCore.Authorization.AuthorizeAttribute), true)
            .Cast<Microsoft.AspNetCore.Authorization.AuthorizeAttribute>().SingleOrDefault()?.Policy;
        foreach (var (template, type) in pages)
        {
            if (Open.Contains(template) || Allowed.ContainsKey(template) || (Samples.TryGetValue(template, out var sample) && Allowed.ContainsKey(sample)))
            {
                continue;
            }

            Assert.True(SameAs.TryGetValue(template, out var like), $"the page {template} is not in the access table");
            Assert.Equal(PolicyOf(pages.Single(p => p.Template == like).Type), PolicyOf(type));
        }
    }

    public static TheoryData<string> AllRoles => [.. Roles.All];

    [Theory]
    [MemberData(nameof(AllRoles))]
    public async Task Each_role_lands_on_its_own_home_and_sees_only_its_pages(string role)
    {
        var page = await server.SignInAsync(role);
        Assert.Equal(server.Url + Roles.HomeOf(role), page.Url);
        await UiServer.ScreenshotAsync(page, $"home-{role}");

        foreach (var (path, roles) in Allowed)
        {
            var response = await page.GotoAsync(path);
            Assert.NotNull(response);
            var allowed = roles.Contains(role);
            Assert.True(
                response.Status == (allowed ? 200 : 403),
                $"{role} opening {path}: status {response.Status}, expected {(allowed ? 200 : 403)}");
            if (!allowed)
            {
                await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not for your role" })).ToBeVisibleAsync();
            }
        }

        // The menu offers exactly the pages the role may open.
        await page.GotoAsync(Roles.HomeOf(role));
        var menu = page.GetByRole(AriaRole.Navigation, new() { Name = "Main menu" });
        foreach (var (path, roles) in Allowed.Where(a => !OffMenu.Contains(a.Key)))
        {
            await Assertions.Expect(menu.Locator($"a[href='{path}']")).ToHaveCountAsync(roles.Contains(role) ? 1 : 0);
        }
    }

    [Fact]
    public async Task A_wrong_password_shows_the_login_page_again_with_a_message()
    {
        var page = await server.NewPageAsync();
        await UiServer.SignInOnAsync(page, "cxo", "not-the-password");
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("user name or password is not right");
        Assert.EndsWith("/login", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("#login-password")).ToHaveValueAsync("");
        await UiServer.ScreenshotAsync(page, "login-failed");

        // An unknown user gets the same answer, so names cannot be probed.
        await UiServer.SignInOnAsync(page, "nobody-by-this-name", "whatever-password");
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("user name or password is not right");
    }

    [Fact]
    public async Task A_page_opened_without_signing_in_goes_to_login_and_back_after_it()
    {
        var page = await server.NewPageAsync();
        var response = await page.GotoAsync("/customers?q=ana");
        Assert.Equal(200, response!.Status);
        Assert.StartsWith(server.Url + "/login?ReturnUrl=", page.Url, StringComparison.Ordinal);
        await UiServer.ScreenshotAsync(page, "login");

        await page.Locator("#login-name").FillAsync("service");
        await page.Locator("#login-password").FillAsync(server.Passwords["service"]);
        await page.Locator("form button[type=submit]").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(server.Url + "/customers?q=ana");
    }

    [Fact]
    public async Task A_return_url_to_another_site_is_ignored()
    {
        var page = await server.NewPageAsync();
        await page.GotoAsync("/login?ReturnUrl=" + Uri.EscapeDataString("//example.org/steal"));
        await page.Locator("#login-name").FillAsync("sales");
        await page.Locator("#login-password").FillAsync(server.Passwords["sales"]);
        await page.Locator("form button[type=submit]").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(server.Url + "/sales");
    }

    [Fact]
    public async Task Signing_out_ends_the_session()
    {
        var page = await server.SignInAsync("cxo");
        await UiServer.WaitForCircuitAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(server.Url + "/login");
        var response = await page.GotoAsync("/cxo");
        Assert.Equal(200, response!.Status);
        Assert.StartsWith(server.Url + "/login", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_api_call_without_a_key_gets_401_not_the_login_page()
    {
        using var anonymous = new HttpClient { BaseAddress = new Uri(server.Url) };
        using var response = await anonymous.GetAsync("/api/v1/customers/1");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
