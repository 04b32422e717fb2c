using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenCxo.App.Security;
using OpenCxo.Testing;

namespace OpenCxo.App.Tests.Api;

/// <summary>Issue 4: personal and public survey links, the hosted page, and responses on the customer's timeline.</summary>
public sealed partial class SurveyResponseTests
{
    public static IEnumerable<object[]> Providers => TestDatabases.Providers;

    private static JsonObject Text(string en, string es) => new() { ["en"] = en, ["es"] = es };

    private static JsonObject Survey(string key, string prompt = "Would you recommend us?") => new()
    {
        ["key"] = key,
        ["title"] = Text("After your call", "Después de su llamada"),
        ["thanks"] = Text("Thanks for telling us", "Gracias por contárnoslo"),
        ["questions"] = new JsonArray(
            new JsonObject { ["key"] = "nps", ["kind"] = "nps", ["prompt"] = Text(prompt, "¿Nos recomendaría?"), ["required"] = true },
            new JsonObject
            {
                ["key"] = "what_went_wrong", ["kind"] = "text", ["prompt"] = Text("What went wrong?", "¿Qué salió mal?"), ["required"] = true,
                ["showIf"] = new JsonObject { ["question"] = "nps", ["atMost"] = 6 },
            },
            new JsonObject
            {
                ["key"] = "liked", ["kind"] = "multipleChoice", ["prompt"] = Text("What did you like?", "¿Qué le gustó?"),
                ["options"] = new JsonArray(
                    new JsonObject { ["key"] = "speed", ["label"] = Text("Speed", "Rapidez") },
                    new JsonObject { ["key"] = "staff", ["label"] = Text("Staff", "Personal") }),
            }),
    };

    private static async Task<HttpClient> PublishedAsync(ApiHost host, string key, JsonObject? survey = null)
    {
        var client = await host.ClientAsync("a");
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/surveys", survey ?? Survey(key))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/v1/surveys/{key}/publish", null)).StatusCode);
        return client;
    }

    private static async Task<long> CallAsync(HttpClient client, string email, string eventId, string language = "es")
    {
        var events = new JsonObject
        {
            ["events"] = new JsonArray(new JsonObject
            {
                ["id"] = eventId,
                ["customer"] = new JsonObject { ["email"] = email, ["attributes"] = new JsonObject { ["language"] = language } },
                ["occurredAt"] = "2026-11-20T10:00:00Z",
                ["department"] = "service",
                ["channel"] = "phone",
                ["type"] = "call.completed",
                ["attributes"] = new JsonObject { ["team"] = "L1", ["agent"] = "a-7" },
            }),
        };
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/v1/events", events)).StatusCode);
        var found = await client.GetFromJsonAsync<JsonObject>("/api/v1/customers?email=" + Uri.EscapeDataString(email));
        return (long)found!["id"]!;
    }

    private static async Task<JsonObject> InviteAsync(HttpClient client, string survey, JsonObject request)
    {
        var response = await client.PostAsJsonAsync($"/api/v1/surveys/{survey}/invitations", request);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));

    [GeneratedRegex("name=\"r\" value=\"([^\"]+)\"")]
    private static partial Regex VisitKey();

    [Theory, MemberData(nameof(Providers))]
    public async Task A_personal_link_keeps_partial_answers_takes_one_response_and_files_it_after_the_call(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await PublishedAsync(host, "after-call");
        var customer = await CallAsync(client, "ana@example.com", "call-1");
        var invitation = await InviteAsync(client, "after-call", new JsonObject { ["email"] = "ANA@example.com", ["triggerEventId"] = "call-1" });
        Assert.Equal(("es", customer, 1), ((string)invitation["language"]!, (long)invitation["customerId"]!, (int)invitation["version"]!));
        var token = (string)invitation["token"]!;
        Assert.Equal(34, token.Length);
        Assert.EndsWith("/s/" + token, (string)invitation["url"]!, StringComparison.Ordinal);

        var page = host.AnonymousClient();
        var first = await page.GetAsync("/s/" + token);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var html = await first.Content.ReadAsStringAsync();
        Assert.Contains("<html lang=\"es\"", html, StringComparison.Ordinal);
        Assert.Contains("¿Nos recomendaría?", html, StringComparison.Ordinal);
        Assert.Contains("<fieldset hidden disabled id=\"q-what_went_wrong\"", html, StringComparison.Ordinal);

        // Partial answers are kept and shown again.
        var partial = await page.PostAsJsonAsync($"/s/{token}/answers", new JsonObject { ["answers"] = new JsonObject { ["nps"] = new JsonArray("3") } });
        Assert.Equal(HttpStatusCode.NoContent, partial.StatusCode);
        var again = await page.GetStringAsync("/s/" + token);
        Assert.Contains("value=\"3\" checked", again, StringComparison.Ordinal);
        Assert.Contains("<fieldset id=\"q-what_went_wrong\" data-show-if", again, StringComparison.Ordinal);

        // A detractor must say what went wrong: the page comes back with the question marked, in Spanish.
        var missing = await page.PostAsync($"/s/{token}", Form(("nps", "3")));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, missing.StatusCode);
        Assert.Contains("Por favor, responda esta pregunta.", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var sent = await page.PostAsync($"/s/{token}", Form(("nps", "3"), ("what_went_wrong", "Nadie contestó a las 3 de la mañana"), ("liked", "staff")));
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        Assert.Equal($"/s/{token}/thanks?lang=es", sent.Headers.Location!.OriginalString);
        Assert.Contains("Gracias por contárnoslo", await page.GetStringAsync($"/s/{token}/thanks?lang=es"), StringComparison.Ordinal);

        // One response per link.
        Assert.Contains("ya se respondió", await page.GetStringAsync("/s/" + token), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, (await page.PostAsync($"/s/{token}", Form(("nps", "10")))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await page.PostAsJsonAsync($"/s/{token}/answers", new JsonObject { ["answers"] = new JsonObject() })).StatusCode);

        // On the timeline: a survey.response in the call's department and channel, with the team and agent who served.
        var timeline = await client.GetFromJsonAsync<JsonObject>($"/api/v1/customers/{customer}/timeline");
        var response = timeline!["items"]!.AsArray().Single(i => (string)i!["type"]! == "survey.response")!;
        Assert.Equal(("service", "phone"), ((string)response["department"]!, (string)response["channel"]!));
        Assert.Equal("Nadie contestó a las 3 de la mañana", (string)response["text"]!);
        var attributes = response["attributes"]!;
        Assert.Equal(("after-call", 3, "staff", "L1", "a-7", "call-1"),
            ((string)attributes["survey"]!, (int)attributes["nps"]!, (string)attributes["liked"]!, (string)attributes["team"]!, (string)attributes["agent"]!, (string)attributes["triggerEventId"]!));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Tokens_cannot_be_guessed_forged_or_moved_to_another_survey(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await PublishedAsync(host, "one");
        await PublishedAsync(host, "two");
        await CallAsync(client, "bea@example.com", "call-b");
        var one = (string)(await InviteAsync(client, "one", new JsonObject { ["email"] = "bea@example.com" }))["token"]!;
        var two = (string)(await InviteAsync(client, "two", new JsonObject { ["email"] = "bea@example.com" }))["token"]!;
        var page = host.AnonymousClient();
        Assert.Equal(HttpStatusCode.OK, (await page.GetAsync("/s/" + one)).StatusCode);

        // The id of invitation two with the tag of invitation one; one character changed; nonsense; a huge token.
        var moved = two[..12] + one[12..];
        var flipped = one[..20] + (one[20] == 'A' ? 'B' : 'A') + one[21..];
        foreach (var bad in new[] { moved, flipped, "not-a-token", new string('A', 34), new string('x', 5000), "%00" })
        {
            var response = await page.GetAsync("/s/" + Uri.EscapeDataString(bad));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains("not valid", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.NotFound, (await page.PostAsync("/s/" + Uri.EscapeDataString(bad), Form(("nps", "9")))).StatusCode);
        }

        // A closed survey's links say so.
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/v1/surveys/one/close", null)).StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(5.5));
        Assert.Equal(HttpStatusCode.Gone, (await page.GetAsync("/s/" + one)).StatusCode);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task The_public_link_takes_one_anonymous_response_per_visit(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await PublishedAsync(host, "open");
        var link = await client.GetFromJsonAsync<JsonObject>("/api/v1/surveys/open/link");
        var token = (string)link!["token"]!;
        var page = host.AnonymousClient();

        async Task<string> VisitAsync()
        {
            var html = await page.GetStringAsync($"/s/{token}?lang=en");
            Assert.Contains("Would you recommend us?", html, StringComparison.Ordinal);
            return VisitKey().Match(html).Groups[1].Value;
        }

        var first = await VisitAsync();
        var second = await VisitAsync();
        Assert.NotEqual(first, second);
        Assert.Equal(HttpStatusCode.Redirect, (await page.PostAsync($"/s/{token}", Form(("r", first), ("nps", "10")))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await page.PostAsync($"/s/{token}", Form(("r", second), ("nps", "9"), ("liked", "speed")))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await page.PostAsync($"/s/{token}", Form(("r", first), ("nps", "0")))).StatusCode);

        // A made-up visit key is replaced by a fresh one rather than trusted.
        var made = await page.PostAsync($"/s/{token}", Form(("r", "public:../../etc"), ("nps", "8")));
        Assert.Equal(HttpStatusCode.Redirect, made.StatusCode);

        await using var db = host.Factory.CreateDbContext();
        var responses = db.SurveyResponses.Where(r => r.Source == "public").OrderBy(r => r.Id).ToList();
        Assert.Equal([10, 9, 8], responses.Select(r => r.Nps));
        Assert.All(responses, r => Assert.Null(r.CustomerId));
        Assert.All(responses, r => Assert.NotNull(r.EventId));
        Assert.Equal(3, db.Interactions.Count(i => i.Type == "survey.response"));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Hostile_input_is_refused_or_made_harmless(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var survey = Survey("xss", prompt: "<script>alert(1)</script> & \"quotes\"");
        var client = await PublishedAsync(host, "xss", survey);
        await CallAsync(client, "carl@example.com", "call-c", language: "en");
        var token = (string)(await InviteAsync(client, "xss", new JsonObject { ["email"] = "carl@example.com" }))["token"]!;
        var page = host.AnonymousClient();

        var html = await page.GetStringAsync("/s/" + token);
        Assert.DoesNotContain("<script>alert(1)</script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;", html, StringComparison.Ordinal);

        // Answers that are not the survey's: named, nothing stored from them.
        var bad = await page.PostAsJsonAsync($"/s/{token}/answers", new JsonObject
        {
            ["answers"] = new JsonObject { ["nps"] = new JsonArray("11"), ["bogus"] = new JsonArray("x"), ["liked"] = new JsonArray("staff", "staff") },
        });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.Equal(["bogus", "liked", "nps"], errors.Select(e => e.Key).Order(StringComparer.Ordinal));

        Assert.Equal(HttpStatusCode.BadRequest, (await page.PostAsync($"/s/{token}/answers", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await page.PostAsJsonAsync($"/s/{token}/answers", new JsonArray())).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await page.PostAsync($"/s/{token}", new StringContent("nps=9"))).StatusCode);

        // A body over half a megabyte is refused before it is read.
        var huge = await page.PostAsync($"/s/{token}", Form(("what_went_wrong", new string('x', 600_000))));
        Assert.True(huge.StatusCode == HttpStatusCode.RequestEntityTooLarge, $"{huge.StatusCode}: {await huge.Content.ReadAsStringAsync()}");

        // A text answer past its limit is named; the invitation is still open afterwards.
        var longText = await page.PostAsync($"/s/{token}", Form(("nps", "2"), ("what_went_wrong", new string('y', 5001))));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, longText.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await page.PostAsync($"/s/{token}", Form(("nps", "2"), ("what_went_wrong", "slow")))).StatusCode);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Invitations_need_a_published_survey_and_a_known_customer(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await host.ClientAsync("a", Scopes.SurveysWrite, Scopes.EventsWrite, Scopes.CustomersRead);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/surveys", Survey("draft"))).StatusCode);
        await CallAsync(client, "dora@example.com", "call-d");

        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsJsonAsync("/api/v1/surveys/draft/invitations", new JsonObject { ["email"] = "dora@example.com" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsJsonAsync("/api/v1/surveys/none/invitations", new JsonObject { ["email"] = "dora@example.com" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/v1/surveys/draft/publish", null)).StatusCode);

        async Task<string> RefusedAsync(JsonObject request)
        {
            var response = await client.PostAsJsonAsync("/api/v1/surveys/draft/invitations", request);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            return string.Join(",", (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key));
        }

        Assert.Equal("email", await RefusedAsync(new JsonObject { ["email"] = "nobody@example.com" }));
        Assert.Equal("email", await RefusedAsync(new JsonObject { ["email"] = "not an email" }));
        Assert.Equal("customer", await RefusedAsync(new JsonObject { ["email"] = "dora@example.com", ["phone"] = "+34600111222" }));
        Assert.Equal("customer", await RefusedAsync(new JsonObject()));
        Assert.Equal("customerId", await RefusedAsync(new JsonObject { ["customerId"] = 999_999 }));
        Assert.Equal("language", await RefusedAsync(new JsonObject { ["email"] = "dora@example.com", ["language"] = "fr" }));
        Assert.Equal("triggerEventId", await RefusedAsync(new JsonObject { ["email"] = "dora@example.com", ["triggerEventId"] = new string('t', 201) }));

        var english = await InviteAsync(client, "draft", new JsonObject { ["email"] = "dora@example.com", ["language"] = "en" });
        Assert.Equal("en", (string)english["language"]!);
    }
}
