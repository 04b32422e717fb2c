using System.Net.Http.Json;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace OpenCxo.E2E;

/// <summary>Issue 4: building a survey in the web UI, read back through the API, which applies the same checks.</summary>
[Collection(UiServerGroup.Name)]
public sealed partial class SurveyBuilderTests(UiServer server)
{
    [Fact]
    public async Task A_marketer_builds_a_branching_survey_fixes_what_the_check_names_publishes_it_and_edits_a_new_version()
    {
        var key = "built-" + Guid.NewGuid().ToString("N")[..8];
        var page = await server.SignInAsync("marketing");
        await page.GotoAsync("/surveys");
        await UiServer.WaitForCircuitAsync(page);
        await page.Locator("#new-survey").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(NewSurveyUrl());
        await UiServer.WaitForCircuitAsync(page);

        await page.GetByLabel("Key", new() { Exact = true }).FillAsync(key);
        await page.GetByLabel("Title (English)").FillAsync("After your call");

        // A new survey starts with an NPS question in its standard wording, in both languages.
        var first = page.Locator(".cxo-question").Nth(0);
        await Assertions.Expect(first.GetByLabel("Question (English)")).ToHaveValueAsync("How likely are you to recommend us to a friend or colleague?");
        await Assertions.Expect(first.GetByLabel("Question (Spanish)")).ToHaveValueAsync("¿Con qué probabilidad nos recomendaría a un amigo o colega?");

        // A free-text follow-up, asked only when the NPS answer is 6 or less.
        await page.GetByRole(AriaRole.Button, new() { Name = "Add question" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Free text" }).ClickAsync();
        var second = page.Locator(".cxo-question").Nth(1);
        await Assertions.Expect(second.GetByLabel("Key (column in exports)")).ToHaveValueAsync("comment");
        await second.GetByLabel("Question (English)").FillAsync("What went wrong?");
        await second.GetByLabel("Question (Spanish)").FillAsync("¿Qué salió mal?");
        await second.Locator("div.mud-select", new() { HasText = "Ask" }).First.ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Only depending on the answer to nps" }).ClickAsync();
        await second.GetByLabel("When the score is at most").FillAsync("6");

        // The Spanish title is missing: nothing is saved and the field says why.
        await page.Locator("#save-survey").ClickAsync();
        await Assertions.Expect(page.Locator("#builder-errors")).ToContainTextAsync("title.es");
        await Assertions.Expect(page.Locator(".mud-input-control", new() { Has = page.GetByLabel("Title (Spanish)") }))
            .ToContainTextAsync("is required: every text is in English and Spanish");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await server.Api.GetAsync($"/api/v1/surveys/{key}")).StatusCode);
        await AccessibilityTests.AssertAccessibleAsync(page, "/surveys/new with errors");

        await page.GetByLabel("Title (Spanish)").FillAsync("Tras su llamada");
        await page.Locator("#save-survey").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/surveys/{key}/edit$"));
        await Assertions.Expect(page.Locator("#builder-status")).ToContainTextAsync("Draft version 1");

        await page.Locator("#publish-survey").ClickAsync();
        await Assertions.Expect(page.Locator("#builder-status")).ToContainTextAsync("Version 1 is asking customers.");
        var stored = await server.Api.GetFromJsonAsync<JsonObject>($"/api/v1/surveys/{key}");
        Assert.Equal("published", (string)stored!["status"]!);
        var questions = stored["definition"]!["questions"]!.AsArray();
        Assert.Equal(["nps", "text"], questions.Select(q => (string)q!["kind"]!));
        Assert.Equal("¿Qué salió mal?", (string)questions[1]!["prompt"]!["es"]!);
        Assert.Equal(("nps", 6), ((string)questions[1]!["showIf"]!["question"]!, (int)questions[1]!["showIf"]!["atMost"]!));
        Assert.Equal("Tras su llamada", (string)stored["definition"]!["title"]!["es"]!);

        // The public link opens the survey page for anyone.
        var link = await page.Locator("#public-link").InputValueAsync();
        var visitor = await server.NewPageAsync();
        await visitor.GotoAsync(link);
        await Assertions.Expect(visitor.Locator("h1")).ToHaveTextAsync("After your call");

        // Rewording a published question starts version 2; version 1 keeps asking.
        await Assertions.Expect(page.Locator("#builder-versioning")).ToContainTextAsync("Saving starts version 2 as a draft");
        await second.GetByLabel("Question (English)").FillAsync("What should we have done better?");
        await page.Locator("#save-survey").ClickAsync();
        await Assertions.Expect(page.Locator("#builder-saved")).ToContainTextAsync("Saved as version 2");
        stored = await server.Api.GetFromJsonAsync<JsonObject>($"/api/v1/surveys/{key}");
        Assert.Equal((2, 1), ((int)stored!["latestVersion"]!, (int)stored["publishedVersion"]!));
        await UiServer.ScreenshotAsync(page, "survey-builder");
        await AccessibilityTests.AssertAccessibleAsync(page, "/surveys/{key}/edit");
    }

    [Fact]
    public async Task The_builder_speaks_spanish_and_a_survey_that_does_not_exist_says_so()
    {
        var page = await server.SignInAsync("service", locale: "es-ES");
        await page.GotoAsync("/surveys/new");
        await UiServer.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Nueva encuesta");
        await Assertions.Expect(page.GetByLabel("Título (español)")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#save-survey")).ToHaveTextAsync("Guardar");

        await page.GotoAsync("/surveys/no-such-survey/edit");
        await Assertions.Expect(page.Locator("#builder-missing")).ToContainTextAsync("no-such-survey");
    }

    [GeneratedRegex("/surveys/new$")]
    private static partial Regex NewSurveyUrl();
}
