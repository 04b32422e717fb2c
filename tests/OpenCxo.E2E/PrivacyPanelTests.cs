using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace OpenCxo.E2E;

/// <summary>Issue 9: on the Customer 360 page, admin and cxo record consent, download everything held and erase a customer; other roles only see the consent.</summary>
[Collection(UiServerGroup.Name)]
public sealed class PrivacyPanelTests(UiServer server)
{
    /// <summary>A demo customer far from the ones other tests look at, so erasing it disturbs nobody.</summary>
    private async Task<long> SomeCustomerAsync(long from)
    {
        for (var id = from; id < from + 200; id++)
        {
            using var response = await server.Api.GetAsync($"/api/v1/customers/{id}");
            if (response.StatusCode == HttpStatusCode.OK && (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64() == id)
            {
                return id;
            }
        }

        throw new InvalidOperationException("no demo customer found");
    }

    [Fact]
    public async Task An_admin_records_consent_downloads_the_data_and_erases_the_customer()
    {
        var id = await SomeCustomerAsync(4400);
        var page = await server.SignInAsync("admin");
        await page.GotoAsync($"/customers/{id}");
        await UiServer.WaitForCircuitAsync(page);
        var panel = page.Locator("#customer-privacy");
        var marketing = panel.Locator("tr[data-purpose=marketing]");
        await Assertions.Expect(marketing.Locator(".consent-state")).ToContainTextAsync("not recorded");
        await marketing.GetByRole(AriaRole.Button, new() { Name = "Grant" }).ClickAsync();
        await Assertions.Expect(marketing.Locator(".consent-state")).ToContainTextAsync("granted");
        var consents = await server.Api.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{id}/consents");
        Assert.True(consents.EnumerateArray().Single(c => c.GetProperty("purpose").GetString() == "marketing").GetProperty("granted").GetBoolean());

        // The download is the same export as the API's, for the signed-in person's session.
        var download = await page.APIRequest.GetAsync($"/export/customers/{id}.json");
        Assert.Equal(200, download.Status);
        var export = JsonDocument.Parse(await download.TextAsync()).RootElement;
        Assert.Equal(id, export.GetProperty("customerId").GetInt64());
        Assert.True(export.GetProperty("touchpoints").GetArrayLength() > 0);
        await UiServer.ScreenshotAsync(page, "customer-privacy");

        await panel.Locator("#privacy-erase").ClickAsync();
        await page.Locator("#privacy-reason").FillAsync("request E2E-1");
        await page.Locator("#privacy-erase-confirm").ClickAsync();
        await Assertions.Expect(page.Locator("#customer-erased")).ToContainTextAsync(id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(HttpStatusCode.NotFound, (await server.Api.GetAsync($"/api/v1/customers/{id}")).StatusCode);

        // The audit log names the person who erased, with the reason.
        var audit = await server.Api.GetFromJsonAsync<JsonElement>($"/api/v1/audit?action=customer.erase&target=customer:{id}");
        var entry = audit.GetProperty("items").EnumerateArray().Single();
        Assert.Equal("user", entry.GetProperty("actorKind").GetString());
        Assert.Contains("request E2E-1", entry.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Other_roles_see_the_consent_but_cannot_change_export_or_erase()
    {
        var id = await SomeCustomerAsync(4700);
        var page = await server.SignInAsync("service");
        await page.GotoAsync($"/customers/{id}");
        await UiServer.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("#customer-privacy tr[data-purpose=surveys]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#privacy-erase")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#privacy-export")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#customer-privacy button")).ToHaveCountAsync(0);
        var download = await page.APIRequest.GetAsync($"/export/customers/{id}.json");
        Assert.NotEqual(200, download.Status);
    }
}
