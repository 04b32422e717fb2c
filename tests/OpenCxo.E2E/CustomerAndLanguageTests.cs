using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace OpenCxo.E2E;

[Collection(UiServerGroup.Name)]
public sealed partial class CustomerAndLanguageTests(UiServer server)
{
    [Fact]
    public async Task A_customer_found_by_email_shows_their_profile_and_the_same_timeline_as_the_api()
    {
        // The customer with the most touchpoints among the first ones, so the timeline has more than one page.
        var (id, profile) = await BusiestOfFirstCustomersAsync(20);
        var email = profile.GetProperty("emails")[0].GetString()!;
        var name = profile.GetProperty("attributes").GetProperty("name").GetString()!;
        var total = profile.GetProperty("touchpoints").GetProperty("total").GetInt64();
        Assert.True(total > 50, $"customer {id} has only {total} touchpoints");

        var page = await server.SignInAsync("marketing");
        await page.GotoAsync("/customers");
        await UiServer.WaitForCircuitAsync(page);
        await page.Locator("#customer-search").FillAsync(email.ToUpperInvariant());
        await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        // The search navigates inside the page (no load event to wait for): poll the address instead.
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/customers\\?q="));
        var link = page.GetByRole(AriaRole.Link, new() { Name = name });
        await Assertions.Expect(link).ToHaveCountAsync(1);
        await UiServer.ScreenshotAsync(page, "customers-search");

        await link.ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(server.Url + $"/customers/{id}");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(name);
        await Assertions.Expect(page.GetByText(email, new() { Exact = true })).ToBeVisibleAsync();

        // The first page of the timeline is the API's first page, in the same order.
        var api = await server.Api.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{id}/timeline?limit=50");
        var expected = api.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("type").GetString()!).ToList();
        var items = page.Locator(".cxo-timeline .mud-timeline-item");
        await Assertions.Expect(items).ToHaveCountAsync(50);
        var shown = await page.Locator(".cxo-timeline .mud-timeline-item strong").AllTextContentsAsync();
        Assert.Equal(expected, shown);
        await UiServer.ScreenshotAsync(page, "customer-360");

        // Scrolling to the end loads the next page on its own.
        await UiServer.WaitForCircuitAsync(page);
        await page.Locator(".cxo-timeline .mud-timeline-item").Last.ScrollIntoViewIfNeededAsync();
        await page.Mouse.WheelAsync(0, 20_000);
        // One or more further pages, depending on how far the wheel got before each page arrived: whole pages of 50,
        // or everything.
        await Assertions.Expect(items).Not.ToHaveCountAsync(50);
        var loaded = await items.CountAsync();
        Assert.True(loaded == total || (loaded % 50 == 0 && loaded < total), $"{loaded} of {total} touchpoints shown");
    }

    [Fact]
    public async Task An_unknown_customer_number_shows_a_not_found_message()
    {
        var page = await server.SignInAsync("service");
        await page.GotoAsync("/customers/999999999");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Customer not found" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_language_follows_the_browser_and_the_switch_in_the_header()
    {
        var page = await server.NewPageAsync(locale: "es-ES");
        await page.GotoAsync("/login");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Iniciar sesión");
        Assert.Equal("es", await page.Locator("html").GetAttributeAsync("lang"));

        await UiServer.SignInOnAsync(page, "cxo", server.Passwords["cxo"]);
        await Assertions.Expect(page).ToHaveURLAsync(server.Url + "/cxo");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("La compañía de un vistazo");

        // Spanish dates are day/month/year: the period picker shows today's date that way.
        var today = DateTime.UtcNow;
        await Assertions.Expect(page.Locator(".mud-picker input").Last).ToHaveValueAsync(today.ToString("dd/MM/yyyy", System.Globalization.CultureInfo.InvariantCulture));
        await UiServer.ScreenshotAsync(page, "home-cxo-es");

        await page.GetByRole(AriaRole.Link, new() { Name = "English" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(server.Url + "/cxo");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("The company at a glance");
        Assert.Equal("en", await page.Locator("html").GetAttributeAsync("lang"));

        // The choice sticks for the next page, whatever the browser says.
        await page.GotoAsync("/marketing");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Marketing");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sign out" }).Or(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }))).ToBeVisibleAsync();
    }

    private async Task<(long Id, JsonElement Profile)> BusiestOfFirstCustomersAsync(int count)
    {
        (long, JsonElement)? best = null;
        for (var id = 1L; id <= count; id++)
        {
            using var response = await server.Api.GetAsync($"/api/v1/customers/{id}");
            if (!response.IsSuccessStatusCode)
            {
                continue;
            }

            var profile = await response.Content.ReadFromJsonAsync<JsonElement>();
            if (profile.GetProperty("id").GetInt64() != id || profile.GetProperty("emails").GetArrayLength() == 0
                || !profile.GetProperty("attributes").TryGetProperty("name", out _))
            {
                continue;
            }

            if (best is null || profile.GetProperty("touchpoints").GetProperty("total").GetInt64() > best.Value.Item2.GetProperty("touchpoints").GetProperty("total").GetInt64())
            {
                best = (id, profile);
            }
        }

        return best ?? throw new InvalidOperationException("no demo customer with an email and a name among the first ones");
    }
}
