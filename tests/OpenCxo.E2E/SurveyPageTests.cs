using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace OpenCxo.E2E;

/// <summary>Issue 4: the hosted survey page in Chromium, on a phone, in Spanish and English, with and without script.</summary>
[Collection(UiServerGroup.Name)]
public sealed class SurveyPageTests(UiServer server)
{
    private static JsonObject Text(string en, string es) => new() { ["en"] = en, ["es"] = es };

    private async Task<string> PublishedSurveyAsync()
    {
        var key = "e2e-" + Guid.NewGuid().ToString("N")[..8];
        var survey = new JsonObject
        {
            ["key"] = key,
            ["title"] = Text("How did we do?", "¿Qué tal lo hicimos?"),
            ["intro"] = Text("Two minutes, no more.", "Dos minutos, no más."),
            ["thanks"] = Text("Thank you, we read every answer.", "Gracias, leemos todas las respuestas."),
            ["questions"] = new JsonArray(
                new JsonObject { ["key"] = "nps", ["kind"] = "nps", ["prompt"] = Text("How likely are you to recommend us?", "¿Con qué probabilidad nos recomendaría?"), ["required"] = true },
                new JsonObject
                {
                    ["key"] = "what_went_wrong", ["kind"] = "text", ["prompt"] = Text("What went wrong?", "¿Qué salió mal?"), ["required"] = true,
                    ["showIf"] = new JsonObject { ["question"] = "nps", ["atMost"] = 6 },
                },
                new JsonObject
                {
                    ["key"] = "contact", ["kind"] = "singleChoice", ["prompt"] = Text("How did you contact us?", "¿Cómo nos contactó?"),
                    ["options"] = new JsonArray(
                        new JsonObject { ["key"] = "phone", ["label"] = Text("Phone", "Teléfono") },
                        new JsonObject { ["key"] = "chat", ["label"] = Text("Chat", "Chat") }),
                },
                new JsonObject { ["key"] = "effort", ["kind"] = "ces", ["prompt"] = Text("How easy was it?", "¿Qué tan fácil fue?") }),
        };
        Assert.True((await server.Api.PostAsJsonAsync("/api/v1/surveys", survey)).IsSuccessStatusCode);
        Assert.True((await server.Api.PostAsync($"/api/v1/surveys/{key}/publish", null)).IsSuccessStatusCode);
        return key;
    }

    private async Task<string> InviteAsync(string survey, long customer, string language)
    {
        var response = await server.Api.PostAsJsonAsync($"/api/v1/surveys/{survey}/invitations", new JsonObject { ["customerId"] = customer, ["language"] = language });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["token"]!;
    }

    private async Task<IPage> PhoneAsync(string locale, bool javaScript = true)
    {
        var context = await server.Browser.NewContextAsync(new()
        {
            BaseURL = server.Url,
            Locale = locale,
            ViewportSize = new ViewportSize { Width = 390, Height = 844 },
            IsMobile = true,
            HasTouch = true,
            JavaScriptEnabled = javaScript,
        });
        context.SetDefaultTimeout(UiServer.StepTimeout);
        return await context.NewPageAsync();
    }

    [Fact]
    public async Task A_detractor_answers_on_a_phone_in_spanish_with_branching_and_answers_kept_across_a_reload()
    {
        var survey = await PublishedSurveyAsync();
        var token = await InviteAsync(survey, 2, "es");
        var page = await PhoneAsync("es-ES");
        await page.GotoAsync("/s/" + token);

        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("¿Qué tal lo hicimos?");
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "es");
        var wrong = page.Locator("#q-what_went_wrong");
        await Assertions.Expect(wrong).ToBeHiddenAsync();
        await UiServer.ScreenshotAsync(page, "survey-es-phone");
        await AccessibilityTests.AssertAccessibleAsync(page, "survey page (es, phone)");

        // Score 3: the follow-up appears; 9 would hide it again.
        var nps = page.GetByRole(AriaRole.Group, new() { Name = "¿Con qué probabilidad nos recomendaría?" });
        await nps.GetByRole(AriaRole.Radio, new() { Name = "3", Exact = true }).CheckAsync();
        await Assertions.Expect(wrong).ToBeVisibleAsync();
        await nps.GetByRole(AriaRole.Radio, new() { Name = "9", Exact = true }).CheckAsync();
        await Assertions.Expect(wrong).ToBeHiddenAsync();
        await nps.GetByRole(AriaRole.Radio, new() { Name = "3", Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Textbox, new() { Name = "¿Qué salió mal?" }).FillAsync("Esperé 40 minutos al teléfono");
        // Saved as given (the page says so): a reload, or coming back later, finds the answers.
        await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Radio, new() { Name = "Teléfono" }).CheckAsync(),
            r => r.Url.EndsWith("/answers", StringComparison.Ordinal) && r.Status == 204
                && r.Request.PostData?.Contains("phone", StringComparison.Ordinal) == true && r.Request.PostData.Contains("40 minutos", StringComparison.Ordinal));
        await Assertions.Expect(page.Locator("#saved")).ToBeVisibleAsync();
        await page.ReloadAsync();
        await Assertions.Expect(nps.GetByRole(AriaRole.Radio, new() { Name = "3", Exact = true })).ToBeCheckedAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Textbox, new() { Name = "¿Qué salió mal?" })).ToHaveValueAsync("Esperé 40 minutos al teléfono");
        await Assertions.Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Teléfono" })).ToBeCheckedAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Enviar", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("[role=status]")).ToHaveTextAsync("Gracias, leemos todas las respuestas.");
        await UiServer.ScreenshotAsync(page, "survey-es-thanks");

        // The link is spent.
        await page.GotoAsync("/s/" + token);
        await Assertions.Expect(page.Locator("[role=status]")).ToContainTextAsync("ya se respondió");
    }

    [Fact]
    public async Task The_public_link_in_english_and_without_script_still_asks_the_follow_up()
    {
        var survey = await PublishedSurveyAsync();
        var link = await server.Api.GetFromJsonAsync<JsonObject>($"/api/v1/surveys/{survey}/link");
        var page = await PhoneAsync("en-GB", javaScript: false);
        await page.GotoAsync("/s/" + (string)link!["token"]!);
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await UiServer.ScreenshotAsync(page, "survey-en-phone-no-script");

        // Without script the follow-up is not shown until an answer calls for it: the server sends the page back with it.
        var nps = page.GetByRole(AriaRole.Group, new() { Name = "How likely are you to recommend us?" });
        await nps.GetByRole(AriaRole.Radio, new() { Name = "2", Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("[role=alert]")).ToContainTextAsync("Some answers need a look");
        await Assertions.Expect(page.Locator("#e-what_went_wrong")).ToHaveTextAsync("Please answer this question.");
        await Assertions.Expect(nps.GetByRole(AriaRole.Radio, new() { Name = "2", Exact = true })).ToBeCheckedAsync();
        await page.GetByRole(AriaRole.Textbox, new() { Name = "What went wrong?" }).FillAsync("Nobody called back");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("[role=status]")).ToHaveTextAsync("Thank you, we read every answer.");

        // axe needs script: the same page with an answer to fix, in a browser that runs it.
        var scripted = await PhoneAsync("en-GB");
        await scripted.GotoAsync("/s/" + (string)link["token"]!);
        await AccessibilityTests.AssertAccessibleAsync(scripted, "survey page (en, phone)");
        await scripted.GetByRole(AriaRole.Group, new() { Name = "How likely are you to recommend us?" }).GetByRole(AriaRole.Radio, new() { Name = "1", Exact = true }).CheckAsync();
        await scripted.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Assertions.Expect(scripted.Locator("#e-what_went_wrong")).ToHaveTextAsync("Please answer this question.");
        await UiServer.ScreenshotAsync(scripted, "survey-en-error");
        await AccessibilityTests.AssertAccessibleAsync(scripted, "survey page with an answer to fix (en)");
    }

    [Fact]
    public async Task The_page_is_small()
    {
        var survey = await PublishedSurveyAsync();
        var token = await InviteAsync(survey, 3, "en");
        using var http = new HttpClient { BaseAddress = new Uri(server.Url) };
        var html = await http.GetByteArrayAsync("/s/" + token);

        // Everything the page needs before answers (HTML, CSS and script are inline): under 30 KB.
        Assert.True(html.Length < 30 * 1024, $"{html.Length:N0} bytes");
    }
}
