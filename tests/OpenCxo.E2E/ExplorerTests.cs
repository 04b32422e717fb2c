using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace OpenCxo.E2E;

[Collection(UiServerGroup.Name)]
public sealed class ExplorerTests(UiServer server)
{
    [Fact]
    public async Task The_csv_export_is_the_page_on_screen_and_equals_the_api()
    {
        var page = await server.SignInAsync("sales");
        await page.GotoAsync("/touchpoints?department=sales&department=service");
        try
        {
            await UiServer.WaitForCircuitAsync(page);
        }
        catch (TimeoutException e)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(UiServer.ScreenshotFolder, "touchpoints-failed.png"), FullPage = true });
            throw new TimeoutException(e.Message + "\nserver output:\n" + server.Output[^Math.Min(4000, server.Output.Length)..], e);
        }

        var rows = page.Locator(".cxo-touchpoints tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(50);

        // Sort by value from the keyboard (Enter: ascending, then Space: descending), then go to the second page.
        var byValue = page.GetByRole(AriaRole.Button, new() { Name = "Value", Exact = true });
        var valueHeader = page.Locator("th", new() { Has = byValue });
        await Assertions.Expect(page.Locator("th[aria-sort=descending]")).ToContainTextAsync("When");
        await byValue.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#export-csv")).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("sort=value&"));
        await Assertions.Expect(valueHeader).ToHaveAttributeAsync("aria-sort", "ascending");
        await page.Keyboard.PressAsync("Space");
        await Assertions.Expect(page.Locator("#export-csv")).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("sort=-value&"));
        await Assertions.Expect(valueHeader).ToHaveAttributeAsync("aria-sort", "descending");
        await Assertions.Expect(page.Locator("th[aria-sort]")).ToHaveCountAsync(1);
        await page.GetByRole(AriaRole.Button, new() { Name = "Next page" }).ClickAsync();
        await Assertions.Expect(page.Locator("#export-csv")).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("sort=-value&page=2&pageSize=50"));
        await UiServer.ScreenshotAsync(page, "touchpoints");
        var shown = await page.Locator(".cxo-touchpoints tbody td[data-event-id]").EvaluateAllAsync<string[]>("cells => cells.map(c => c.dataset.eventId)");
        Assert.Equal(50, shown.Length);

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#export-csv").ClickAsync());
        // A real CSV reader: customers' texts may hold commas, quotes and line breaks.
        var exported = new List<string>();
        using (var reader = new Microsoft.VisualBasic.FileIO.TextFieldParser(await download.PathAsync()) { HasFieldsEnclosedInQuotes = true })
        {
            reader.SetDelimiters(",");
            Assert.Equal("id", reader.ReadFields()![0]);
            while (reader.ReadFields() is { } fields)
            {
                exported.Add(fields[0]);
            }
        }


        var href = await page.Locator("#export-csv").GetAttributeAsync("href") ?? "";
        var api = await server.Api.GetFromJsonAsync<JsonElement>("/api/v1/interactions" + href[href.IndexOf('?', StringComparison.Ordinal)..]);
        var fromApi = api.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!).ToList();

        Assert.Equal(fromApi, shown);
        Assert.Equal(fromApi, exported);
        var values = api.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("value").GetDecimal()).ToList();
        Assert.Equal(values.OrderByDescending(v => v), values);
        Assert.Equal(2, api.GetProperty("page").GetInt32());
    }
}
