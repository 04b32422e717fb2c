using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace OpenCxo.E2E;

/// <summary>
/// Issue 10's initiatives portfolio in Chromium on the demo data: two departments' initiatives created in the form
/// pull handle time against first-contact resolution, and the conflict shows on the initiative, the portfolio and the
/// council report.
/// </summary>
[Collection(UiServerGroup.Name)]
public sealed class InitiativePagesTests(UiServer server)
{
    private static async Task ChooseAsync(IPage page, ILocator within, string label, string option)
    {
        await within.Locator("div.mud-select", new() { HasText = label }).First.ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = option, Exact = true }).ClickAsync();
    }

    private static async Task CreateAsync(IPage page, string key, string name, string? owner, string kpi, string direction)
    {
        await page.GotoAsync("/initiatives");
        await UiServer.WaitForCircuitAsync(page);
        await page.Locator("#initiative-new").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/initiatives/new$"));
        await UiServer.WaitForCircuitAsync(page);
        await page.Locator("[data-field='key']").FillAsync(key);
        await page.Locator("[data-field='name']").FillAsync(name);
        if (owner is not null)
        {
            await ChooseAsync(page, page.Locator("body"), "Owner department", owner);
        }

        await page.Locator("[data-field='sponsor']").FillAsync("Ana Ruiz");
        await page.Locator("#initiative-add-kpi").ClickAsync();
        var target = page.Locator("[data-target='kpis[0]']");
        await ChooseAsync(page, target, "KPI", kpi);
        await ChooseAsync(page, target, "Direction", direction);
        await page.Locator("#initiative-save").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/initiatives/{key}$"));
        await UiServer.WaitForCircuitAsync(page);
    }

    [Fact]
    public async Task Two_conflicting_initiatives_created_in_the_form_are_flagged_on_the_portfolio_and_the_council()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var (shortCalls, fixFirst) = ("e2e-short-calls-" + suffix, "e2e-fix-first-" + suffix);

        // Service wants shorter calls.
        var service = await server.SignInAsync("service");
        await CreateAsync(service, shortCalls, "Shorter calls " + suffix, null, "Average handle time", "down");

        // A form with no name is refused beside the field, and nothing is saved.
        await service.GotoAsync("/initiatives/new");
        await UiServer.WaitForCircuitAsync(service);
        await service.Locator("[data-field='key']").FillAsync("e2e-nameless-" + suffix);
        await service.Locator("#initiative-save").ClickAsync();
        await Assertions.Expect(service.Locator("#initiative-errors")).ToContainTextAsync("name");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await server.Api.GetAsync($"/api/v1/initiatives/e2e-nameless-{suffix}")).StatusCode);

        // Marketing reads service's initiative but cannot change it, and starts initiatives of its own department only.
        var marketing = await server.SignInAsync("marketing");
        await marketing.GotoAsync($"/initiatives/{shortCalls}");
        await UiServer.WaitForCircuitAsync(marketing);
        await Assertions.Expect(marketing.Locator("#initiative-read-only")).ToContainTextAsync("belongs to Service");
        await Assertions.Expect(marketing.Locator("#initiative-save")).ToHaveCountAsync(0);
        await Assertions.Expect(marketing.Locator("#initiative-delete")).ToHaveCountAsync(0);
        await Assertions.Expect(marketing.Locator("[data-field='name']")).ToHaveAttributeAsync("readonly", "");
        await marketing.GotoAsync("/initiatives/new");
        await UiServer.WaitForCircuitAsync(marketing);
        await marketing.Locator("div.mud-select", new() { HasText = "Owner department" }).First.ClickAsync();
        await Assertions.Expect(marketing.GetByRole(AriaRole.Option)).ToHaveTextAsync(["Marketing"]);
        await marketing.Keyboard.PressAsync("Escape");

        // Product, through the CXO's office, wants the night shift to solve problems at the first call.
        var cxo = await server.SignInAsync("cxo");
        await CreateAsync(cxo, fixFirst, "Fix it first time " + suffix, "Product", "Night shift first-contact resolution", "up");

        // The new initiative's page names the conflict and its reason, and says why it gives no impact figure yet.
        var conflict = cxo.Locator($"#programme-conflicts li[data-first='{fixFirst}'][data-second='{shortCalls}']");
        await Assertions.Expect(conflict).ToContainTextAsync("Shorter calls " + suffix);
        await Assertions.Expect(conflict).ToContainTextAsync("Agents pushed to keep calls short");
        var impact = cxo.Locator("#initiative-impact");
        // Created as proposed, it has not run: no figure, and that is the reason given.
        await Assertions.Expect(impact.Locator("[data-caveat='NotStarted']")).ToContainTextAsync("has not run");
        await Assertions.Expect(impact.Locator("[data-cell='change']")).ToHaveCountAsync(0);
        await Assertions.Expect(impact.Locator("[data-caveat='NotAnExperiment']")).ToContainTextAsync("not a controlled experiment");
        await UiServer.ScreenshotAsync(cxo, "initiative");
        await AccessibilityTests.AssertAccessibleAsync(cxo, $"/initiatives/{fixFirst}");

        // The API agrees.
        var findings = (await server.Api.GetFromJsonAsync<JsonObject>("/api/v1/initiatives/findings"))!;
        Assert.Contains(findings["conflicts"]!.AsArray(), c => (string)c!["first"]!["initiative"]! == fixFirst && (string)c["second"]!["initiative"]! == shortCalls
            && (string)c["tension"]! == "aht-fcr");

        // The portfolio flags both rows.
        await cxo.GotoAsync("/initiatives");
        await Assertions.Expect(cxo.Locator($"#initiatives-table tr[data-key='{shortCalls}'] [data-flag='conflict']")).ToContainTextAsync("Fix it first time " + suffix);
        await Assertions.Expect(cxo.Locator($"#initiatives-table tr[data-key='{fixFirst}'] [data-flag='conflict']")).ToContainTextAsync("Shorter calls " + suffix);
        await Assertions.Expect(cxo.Locator($"#initiatives-table tr[data-key='{fixFirst}']")).ToContainTextAsync("Product");
        await AccessibilityTests.AssertAccessibleAsync(cxo, "/initiatives");

        // The council report lists it under the programme; a viewer reads the names without links.
        var viewer = await server.SignInAsync("viewer");
        await viewer.GotoAsync("/council");
        var councilConflict = viewer.Locator($"#programme-conflicts li[data-first='{fixFirst}'][data-second='{shortCalls}']");
        await Assertions.Expect(councilConflict).ToContainTextAsync("Shorter calls " + suffix);
        await Assertions.Expect(councilConflict.Locator("a")).ToHaveCountAsync(0);
        await UiServer.ScreenshotAsync(viewer, "council-programme");
        await AccessibilityTests.AssertAccessibleAsync(viewer, "/council");
        await cxo.GotoAsync("/council");
        await Assertions.Expect(cxo.Locator($"#programme-conflicts li[data-first='{fixFirst}'] a[href='/initiatives/{shortCalls}']")).ToHaveCountAsync(1);

        // Stopped, the initiative no longer conflicts.
        await cxo.GotoAsync($"/initiatives/{fixFirst}");
        await UiServer.WaitForCircuitAsync(cxo);
        await ChooseAsync(cxo, cxo.Locator("body"), "Status", "Stopped");
        await cxo.Locator("#initiative-save").ClickAsync();
        await Assertions.Expect(cxo.Locator("#programme-none")).ToBeVisibleAsync();
        await cxo.GotoAsync("/initiatives");
        await Assertions.Expect(cxo.Locator($"#initiatives-table tr[data-key='{shortCalls}'] [data-flag='conflict']", new() { HasText = "Fix it first time " + suffix }))
            .ToHaveCountAsync(0);

        Assert.True((await server.Api.DeleteAsync($"/api/v1/initiatives/{shortCalls}")).IsSuccessStatusCode);
        Assert.True((await server.Api.DeleteAsync($"/api/v1/initiatives/{fixFirst}")).IsSuccessStatusCode);
    }

    [Fact]
    public async Task A_suggested_initiative_link_prefills_the_form_which_saves_as_it_is()
    {
        var key = "e2e-maturity-invoice-" + Guid.NewGuid().ToString("N")[..6];
        var page = await server.SignInAsync("sales");
        await page.GotoAsync($"/initiatives/new?key={key}&name=" + Uri.EscapeDataString("Explain the first invoice") + "&department=sales&theme=billing&description="
            + Uri.EscapeDataString("Suggested by the maturity assessment") + "&expectedImpact=" + Uri.EscapeDataString("Fewer calls about the first invoice"));
        await UiServer.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("[data-field='key']")).ToHaveValueAsync(key);
        await Assertions.Expect(page.Locator("[data-field='name']")).ToHaveValueAsync("Explain the first invoice");
        await Assertions.Expect(page.Locator("[data-field='description']")).ToHaveValueAsync("Suggested by the maturity assessment");
        await Assertions.Expect(page.Locator("[data-field='expectedImpact']")).ToHaveValueAsync("Fewer calls about the first invoice");
        await Assertions.Expect(page.Locator("div.mud-select", new() { HasText = "Owner department" }).First).ToContainTextAsync("Sales");
        await Assertions.Expect(page.Locator("#initiative-themes")).ToHaveValueAsync("billing");
        await AccessibilityTests.AssertAccessibleAsync(page, "/initiatives/new");

        // Saved untouched, it lands on its own page with what the link carried.
        await page.Locator("#initiative-save").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/initiatives/{key}$"));
        var saved = (await server.Api.GetFromJsonAsync<JsonObject>($"/api/v1/initiatives/{key}"))!;
        Assert.Equal(("sales", "Fewer calls about the first invoice"), ((string)saved["ownerDepartment"]!, (string)saved["expectedImpact"]!));
        Assert.True((await server.Api.DeleteAsync($"/api/v1/initiatives/{key}")).IsSuccessStatusCode);

        // A key that is not a key is left out rather than shown to be refused.
        await page.GotoAsync("/initiatives/new?key=" + Uri.EscapeDataString("Not A Key!") + "&name=x");
        await UiServer.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("[data-field='name']")).ToHaveValueAsync("x");
        await Assertions.Expect(page.Locator("[data-field='key']")).ToHaveValueAsync("");
    }

    [Fact]
    public async Task The_portfolio_totals_each_departments_budget_as_the_api_does()
    {
        var budgets = (await server.Api.GetFromJsonAsync<JsonObject>("/api/v1/initiatives"))!["budgets"]!.AsArray();
        var page = await server.SignInAsync("cxo");
        await page.GotoAsync("/initiatives");
        await UiServer.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("#initiatives-budgets tbody tr")).ToHaveCountAsync(budgets.Count);
        foreach (var b in budgets)
        {
            var cell = page.Locator($"#initiatives-budgets tr[data-department='{b!["department"]}'][data-currency='{b["currency"]}'] [data-cell='in-play']");
            await Assertions.Expect(cell).ToHaveTextAsync(((decimal)b["inPlay"]!).ToString("N0", System.Globalization.CultureInfo.GetCultureInfo("en-GB")) + " " + b["currency"]);
        }
    }
}
