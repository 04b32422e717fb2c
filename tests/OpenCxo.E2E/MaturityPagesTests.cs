using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace OpenCxo.E2E;

/// <summary>
/// Issue 10's CX maturity assessment in Chromium on the demo data: a department is assessed through the questionnaire,
/// its scores reach the matrix, its weakest practices become suggested initiatives with a link to create each, and the
/// demo's past assessments show as a history. Viewers read but do not record.
/// </summary>
[Collection(UiServerGroup.Name)]
public sealed class MaturityPagesTests(UiServer server)
{
    [Fact]
    public async Task A_department_is_assessed_in_the_questionnaire_and_shows_in_the_matrix_with_suggestions()
    {
        // Service reads product's standing but records only its own department's assessment.
        var servicePage = await server.SignInAsync("service");
        await servicePage.GotoAsync("/maturity/product");
        await UiServer.WaitForCircuitAsync(servicePage);
        await Assertions.Expect(servicePage.Locator("#maturity-read-only")).ToContainTextAsync("Assessments of Product are recorded by Product, the CXO's office and admins");
        await Assertions.Expect(servicePage.Locator("#maturity-save")).ToHaveCountAsync(0);

        // The CXO's office assesses product.
        var page = await server.SignInAsync("cxo");
        await page.GotoAsync("/maturity/product");
        await UiServer.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("#maturity-latest")).ToContainTextAsync("Not assessed yet");
        await Assertions.Expect(page.Locator("#maturity-levels")).ToContainTextAsync("Managed");

        // Three practices answered, the rest left out: (0 + 1 + 3) / 3 = 1.33, "Ad hoc".
        await page.GetByLabel("Every KPI has an owner department and a target.", new() { Exact = true }).SelectOptionAsync("0");
        await page.Locator("#note-measurement-kpi-owners").FillAsync("Product KPIs live in a slide nobody owns.");
        await page.GetByLabel("A CX council meets at least monthly and reviews duplicated and conflicting initiatives.", new() { Exact = true }).SelectOptionAsync("1");
        await page.Locator("#score-culture-recognition").SelectOptionAsync("3");
        await page.Locator("#maturity-save").ClickAsync();
        await Assertions.Expect(page.Locator("#maturity-saved")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#maturity-latest [data-level]")).ToHaveAttributeAsync("data-level", "ad-hoc");
        await Assertions.Expect(page.Locator("#maturity-latest")).ToContainTextAsync("1.33 · Ad hoc");
        await Assertions.Expect(page.Locator("#maturity-latest")).ToContainTextAsync("3 of");

        // The suggestions: the 0 then the 1; the 3 is managed already. Each links to the initiatives form, filled in.
        await Assertions.Expect(page.Locator("#maturity-suggestions > li")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#maturity-suggestions > li").First).ToHaveAttributeAsync("data-practice", "measurement.kpi-owners");
        await Assertions.Expect(page.Locator("#maturity-suggestions > li").First).ToContainTextAsync("Product KPIs live in a slide nobody owns.");
        var href = await page.Locator("#maturity-suggestions > li a.maturity-create").First.GetAttributeAsync("href");
        Assert.StartsWith("/initiatives/new?key=maturity-product-kpi-owners&name=Give%20every%20KPI%20an%20owner%20and%20a%20target&department=product&description=", href, StringComparison.Ordinal);
        Assert.Contains("&expectedImpact=Raise%20", href, StringComparison.Ordinal);
        var api = (await server.Api.GetFromJsonAsync<JsonObject>("/api/v1/maturity/product/suggestions"))!["suggestions"]!.AsArray();
        Assert.Equal(href, (string)api[0]!["createUrl"]!);
        await Assertions.Expect(page.Locator("#maturity-history tbody tr")).ToHaveCountAsync(1);

        // Following the link opens the initiatives form filled in; saving it as it is creates the initiative.
        await page.Locator("#maturity-suggestions > li a.maturity-create").First.ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/initiatives/new\\?key=maturity-product-kpi-owners"));
        await UiServer.WaitForCircuitAsync(page);
        await page.Locator("#initiative-save").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/initiatives/maturity-product-kpi-owners$"));
        var created = (await server.Api.GetFromJsonAsync<JsonObject>("/api/v1/initiatives/maturity-product-kpi-owners"))!;
        Assert.Equal(("product", "Give every KPI an owner and a target"), ((string)created["ownerDepartment"]!, (string)created["name"]!));
        Assert.True((await server.Api.DeleteAsync("/api/v1/initiatives/maturity-product-kpi-owners")).IsSuccessStatusCode);
        await page.GotoAsync("/maturity/product");
        await UiServer.WaitForCircuitAsync(page);

        // The form keeps the answers for a reassessment, and a refused one names the field.
        await Assertions.Expect(page.Locator("#score-measurement-kpi-owners")).ToHaveValueAsync("0");
        await page.Locator("#note-measurement-kpi-owners").FillAsync(new string('x', 1001));
        await page.Locator("#maturity-save").ClickAsync();
        await Assertions.Expect(page.Locator("#maturity-errors")).ToContainTextAsync("answers.measurement.kpi-owners.note");
        await Assertions.Expect(page.Locator("#maturity-history tbody tr")).ToHaveCountAsync(1);
        await UiServer.ScreenshotAsync(page, "maturity-department");
        await AccessibilityTests.AssertAccessibleAsync(page, "/maturity/product");

        // The matrix: product's overall and area scores, with the level named beside the colour.
        await page.GotoAsync("/maturity");
        await UiServer.WaitForCircuitAsync(page);
        var product = page.Locator("#maturity-matrix tr[data-department='product']");
        await Assertions.Expect(product.Locator("td[data-area='overall']")).ToHaveTextAsync("1.33 · Ad hoc");
        await Assertions.Expect(product.Locator("td[data-area='measurement']")).ToHaveTextAsync("0.00 · Absent");
        await Assertions.Expect(product.Locator("td[data-area='governance']")).ToHaveTextAsync("1.00 · Ad hoc");
        await Assertions.Expect(product.Locator("td[data-area='culture']")).ToHaveTextAsync("3.00 · Managed");
        await Assertions.Expect(product.Locator("td[data-area='strategy']")).ToContainTextAsync("—");

        // The demo's service department was assessed twice, 7/8 = 0.875 then 16/8 = 2: a change of +1.125, shown as +1.13.
        var service = page.Locator("#maturity-matrix tr[data-department='service']");
        var demo = (await server.Api.GetFromJsonAsync<JsonObject>("/api/v1/maturity/service"))!;
        Assert.Equal([0.88, 2.0], demo["history"]!.AsArray().Select(h => (double)h!["score"]!));
        Assert.Equal(1.13, (double)demo["change"]!["score"]!);
        await Assertions.Expect(service.Locator("td[data-area='overall']")).ToHaveTextAsync("2.00 · Defined");
        await Assertions.Expect(service).ToContainTextAsync("+1.13");
        await UiServer.ScreenshotAsync(page, "maturity");
        await AccessibilityTests.AssertAccessibleAsync(page, "/maturity");

        await service.GetByRole(AriaRole.Link).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/maturity/service$"));
        await Assertions.Expect(page.Locator("#maturity-history tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#maturity-change")).ToContainTextAsync("+1.13 since the assessment before, over the practices answered in both (8).");
        await Assertions.Expect(page.Locator("#maturity-suggestions > li").First).ToHaveAttributeAsync("data-practice", "strategy.deliverable-promises");
    }

    [Fact]
    public async Task A_viewer_reads_assessments_in_spanish_but_cannot_record_one()
    {
        var page = await server.SignInAsync("viewer", locale: "es-ES");
        await page.GotoAsync("/maturity/service");
        await UiServer.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("#maturity-read-only")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#maturity-save")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Madurez de CX: Servicio");
        // The suggestions are there to read, without the link to /initiatives/new, which a viewer may not open.
        await Assertions.Expect(page.Locator("#maturity-suggestions > li").First).ToHaveAttributeAsync("data-practice", "strategy.deliverable-promises");
        await Assertions.Expect(page.Locator("#maturity-suggestions a.maturity-create")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#maturity-suggestions")).Not.ToContainTextAsync("Crear iniciativa");
        await Assertions.Expect(page.Locator("#maturity-change")).ToContainTextAsync("desde la evaluación anterior, sobre las prácticas respondidas en ambas (8).");
        await AccessibilityTests.AssertAccessibleAsync(page, "/maturity/service (viewer, es)");

        await page.GotoAsync("/maturity/finance");
        await Assertions.Expect(page.Locator("#maturity-missing")).ToContainTextAsync("finance");
    }
}
