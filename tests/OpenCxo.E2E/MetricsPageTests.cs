using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace OpenCxo.E2E;

/// <summary>Issue 6: each metric's definition page says what the catalogue says, and shows the API's last twelve months.</summary>
[Collection(UiServerGroup.Name)]
public sealed class MetricsPageTests(UiServer server)
{
    [Fact]
    public async Task A_metrics_definition_page_shows_its_formula_and_the_apis_monthly_values()
    {
        var catalogue = await server.Api.GetFromJsonAsync<JsonArray>("/api/v1/metrics");
        var handle = catalogue!.Single(m => (string)m!["name"]! == "average_handle_time")!;
        var today = DateTime.UtcNow;
        var from = new DateTime(today.Year, today.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(-11).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var monthly = await server.Api.GetFromJsonAsync<JsonObject>($"/api/v1/metrics/average_handle_time?from={from}&to={today:yyyy-MM-dd}&granularity=month");

        var page = await server.SignInAsync("viewer");
        await page.GotoAsync("/metrics");
        await UiServer.WaitForCircuitAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = (string)handle["title"]!["en"]! }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync((string)handle["title"]!["en"]!);
        await Assertions.Expect(page.Locator("#metric-definition")).ToContainTextAsync((string)handle["formula"]!["en"]!);
        await Assertions.Expect(page.Locator("#metric-definition")).ToContainTextAsync((string)handle["caveats"]!["en"]!);
        await Assertions.Expect(page.Locator("#metric-values tbody tr")).ToHaveCountAsync(monthly!["points"]!.AsArray().Count);
        await AccessibilityTests.AssertAccessibleAsync(page, "/metrics/average_handle_time");

        // Money is shown with its currency, as the API answers it; cohort retention shows each month since acquisition.
        var revenue = await server.Api.GetFromJsonAsync<JsonObject>($"/api/v1/metrics/revenue?from={from}&to={today:yyyy-MM-dd}&granularity=month");
        await page.GotoAsync("/metrics/revenue");
        await Assertions.Expect(page.Locator("#metric-values tbody tr")).ToHaveCountAsync(revenue!["points"]!.AsArray().Count);
        if (revenue["points"]!.AsArray().Count > 0)
        {
            await Assertions.Expect(page.Locator("#metric-values tbody tr").First).ToContainTextAsync(" " + (string)revenue["currency"]!);
        }

        var cohorts = await server.Api.GetFromJsonAsync<JsonObject>($"/api/v1/metrics/cohort_retention?from={from}&to={today:yyyy-MM-dd}");
        await page.GotoAsync("/metrics/cohort_retention");
        await Assertions.Expect(page.Locator("#metric-values tbody tr")).ToHaveCountAsync(cohorts!["points"]!.AsArray().Count);

        var spanish = await server.SignInAsync("viewer", locale: "es-ES");
        await spanish.GotoAsync("/metrics/after_hours_share");
        await Assertions.Expect(spanish.Locator("h1")).ToHaveTextAsync("Proporción de contactos fuera de horario");
    }
}
