using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenCxo.App.Security;
using OpenCxo.Testing;

namespace OpenCxo.App.Tests.Api;

/// <summary>Issue 4: building surveys through <c>/api/v1/surveys</c>, on both databases.</summary>
public sealed class SurveyApiTests
{
    public static IEnumerable<object[]> Providers => TestDatabases.Providers;

    private static JsonObject Text(string en, string es) => new() { ["en"] = en, ["es"] = es };

    private static JsonObject Survey(string key, string title = "After your call") => new()
    {
        ["key"] = key,
        ["title"] = Text(title, "Después de su llamada"),
        ["thanks"] = Text("Thank you", "Gracias"),
        ["questions"] = new JsonArray(
            new JsonObject { ["key"] = "nps", ["kind"] = "nps", ["prompt"] = Text("Would you recommend us?", "¿Nos recomendaría?"), ["required"] = true },
            new JsonObject
            {
                ["key"] = "what_went_wrong", ["kind"] = "text", ["prompt"] = Text("What went wrong?", "¿Qué salió mal?"),
                ["showIf"] = new JsonObject { ["question"] = "nps", ["atMost"] = 6 },
            },
            new JsonObject
            {
                ["key"] = "contact", ["kind"] = "singleChoice", ["prompt"] = Text("How did you reach us?", "¿Cómo nos contactó?"),
                ["options"] = new JsonArray(
                    new JsonObject { ["key"] = "phone", ["label"] = Text("Phone", "Teléfono") },
                    new JsonObject { ["key"] = "chat", ["label"] = Text("Chat", "Chat") }),
            }),
    };

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpClient client, HttpMethod method, string url, JsonNode? body = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_survey_goes_from_draft_to_published_and_an_edit_after_publishing_is_a_new_version(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await host.ClientAsync("a", Scopes.SurveysWrite);

        var (created, draft) = await SendAsync(client, HttpMethod.Post, "/api/v1/surveys", Survey("after-call"));
        Assert.Equal(HttpStatusCode.Created, created);
        Assert.Equal("draft", (string)draft!["status"]!);
        Assert.Equal(1, (int)draft["latestVersion"]!);
        Assert.Null(draft["publishedVersion"]);
        Assert.Equal("¿Nos recomendaría?", (string)draft["definition"]!["questions"]![0]!["prompt"]!["es"]!);
        Assert.Equal(6, (int)draft["definition"]!["questions"]![1]!["showIf"]!["atMost"]!);

        // A draft is edited in place.
        var (edited, same) = await SendAsync(client, HttpMethod.Put, "/api/v1/surveys/after-call", Survey("after-call", "After your call with us"));
        Assert.Equal(HttpStatusCode.OK, edited);
        Assert.Equal(1, (int)same!["latestVersion"]!);
        Assert.Equal("After your call with us", (string)same["definition"]!["title"]!["en"]!);

        var (published, live) = await SendAsync(client, HttpMethod.Post, "/api/v1/surveys/after-call/publish");
        Assert.Equal(HttpStatusCode.OK, published);
        Assert.Equal(("published", 1), ((string)live!["status"]!, (int)live["publishedVersion"]!));
        Assert.NotNull(live["versions"]![0]!["publishedAt"]);

        // Publishing again has nothing to publish.
        var (again, problem) = await SendAsync(client, HttpMethod.Post, "/api/v1/surveys/after-call/publish");
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.Equal("version 1 is already published; edit the survey to start version 2", (string)problem!["detail"]!);

        // An edit now starts version 2; version 1 keeps asking, unchanged.
        var (changed, next) = await SendAsync(client, HttpMethod.Put, "/api/v1/surveys/after-call", Survey("after-call", "How was your call?"));
        Assert.Equal(HttpStatusCode.OK, changed);
        Assert.Equal((2, 1), ((int)next!["latestVersion"]!, (int)next["publishedVersion"]!));
        var (_, first) = await SendAsync(client, HttpMethod.Get, "/api/v1/surveys/after-call?version=1");
        Assert.Equal("After your call with us", (string)first!["definition"]!["title"]!["en"]!);
        var (_, second) = await SendAsync(client, HttpMethod.Get, "/api/v1/surveys/after-call");
        Assert.Equal("How was your call?", (string)second!["definition"]!["title"]!["en"]!);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(client, HttpMethod.Get, "/api/v1/surveys/after-call?version=3")).Status);

        Assert.Equal(2, (int)(await SendAsync(client, HttpMethod.Post, "/api/v1/surveys/after-call/publish")).Body!["publishedVersion"]!);

        // Closed: no edits, no deletion; reopened, it asks again.
        Assert.Equal("closed", (string)(await SendAsync(client, HttpMethod.Post, "/api/v1/surveys/after-call/close")).Body!["status"]!);
        Assert.Equal(HttpStatusCode.Conflict, (await SendAsync(client, HttpMethod.Put, "/api/v1/surveys/after-call", Survey("after-call"))).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await SendAsync(client, HttpMethod.Delete, "/api/v1/surveys/after-call")).Status);
        Assert.Equal("published", (string)(await SendAsync(client, HttpMethod.Post, "/api/v1/surveys/after-call/reopen")).Body!["status"]!);

        var (_, list) = await SendAsync(client, HttpMethod.Get, "/api/v1/surveys");
        var line = Assert.Single(list!.AsArray())!;
        Assert.Equal(("after-call", 2, "How was your call?"), ((string)line["key"]!, (int)line["publishedVersion"]!, (string)line["title"]!["en"]!));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Bad_surveys_are_refused_with_every_field_named(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await host.ClientAsync("a", Scopes.SurveysWrite);

        async Task<JsonObject> RefusedAsync(JsonNode body, string url = "/api/v1/surveys", string method = "POST")
        {
            var (status, problem) = await SendAsync(client, new HttpMethod(method), url, body);
            Assert.True(status == HttpStatusCode.BadRequest, $"{method} {url}: {(int)status} {problem}");
            return problem!["errors"]!.AsObject();
        }

        var badKey = Survey("Not A Key");
        Assert.Contains("key", (await RefusedAsync(badKey)).Select(e => e.Key));

        var typo = Survey("typo");
        typo["questions"]![0]!["requird"] = true;
        var typoErrors = await RefusedAsync(typo);
        Assert.Equal("is not a field of a survey (check its spelling)", (string)typoErrors["questions[0].requird"]![0]!);

        var noTitle = Survey("no-title");
        noTitle.Remove("title");
        var noTitleErrors = await RefusedAsync(noTitle);
        Assert.True(noTitleErrors.ContainsKey("title"), noTitleErrors.ToJsonString());
        Assert.Equal("is required", (string)noTitleErrors["title"]![0]!);

        var badKind = Survey("bad-kind");
        badKind["questions"]![0]!["kind"] = "stars";
        Assert.Contains("questions[0].kind", (await RefusedAsync(badKind)).Select(e => e.Key));

        var rules = Survey("rules");
        rules["questions"]![1]!["showIf"]!["atMost"] = 11;
        rules["questions"]![2]!["prompt"]!["es"] = "";
        var ruleErrors = await RefusedAsync(rules);
        Assert.Equal(["questions[1].showIf.atMost", "questions[2].prompt.es"], ruleErrors.Select(e => e.Key).Order(StringComparer.Ordinal));

        var notAnObject = await RefusedAsync(new JsonArray(), "/api/v1/surveys/x", "PUT");
        Assert.True(notAnObject.ContainsKey("$"), notAnObject.ToJsonString());
        Assert.Equal("a survey is a JSON object with title and questions", (string)notAnObject["$"]![0]!);

        // A huge survey is refused by its rules, not by the server falling over.
        var huge = Survey("huge");
        var many = new JsonArray();
        for (var i = 0; i < 51; i++)
        {
            many.Add(new JsonObject { ["key"] = $"q{i}", ["kind"] = "text", ["prompt"] = Text(new string('x', 600), "y") });
        }

        huge["questions"] = many;
        var hugeErrors = await RefusedAsync(huge);
        Assert.Contains("questions", hugeErrors.Select(e => e.Key));
        Assert.Contains("questions[0].prompt.en", hugeErrors.Select(e => e.Key));

        // Nothing was stored.
        Assert.Empty((await SendAsync(client, HttpMethod.Get, "/api/v1/surveys")).Body!.AsArray());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Keys_are_unique_per_workspace_and_drafts_can_be_deleted(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var a = await host.ClientAsync("a", Scopes.SurveysWrite);
        var b = await host.ClientAsync("b", Scopes.SurveysWrite);

        Assert.Equal(HttpStatusCode.Created, (await SendAsync(a, HttpMethod.Post, "/api/v1/surveys", Survey("nps"))).Status);
        var (duplicate, problem) = await SendAsync(a, HttpMethod.Post, "/api/v1/surveys", Survey("nps"));
        Assert.Equal(HttpStatusCode.Conflict, duplicate);
        Assert.Contains("'nps' exists", (string)problem!["detail"]!, StringComparison.Ordinal);

        // Another workspace has its own keys and cannot see these.
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(b, HttpMethod.Post, "/api/v1/surveys", Survey("nps"))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(b, HttpMethod.Get, "/api/v1/surveys/other")).Status);

        // Changing the key through PUT is refused; a draft is deleted.
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(a, HttpMethod.Put, "/api/v1/surveys/nps", Survey("renamed"))).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(a, HttpMethod.Delete, "/api/v1/surveys/nps")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(a, HttpMethod.Get, "/api/v1/surveys/nps")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(a, HttpMethod.Post, "/api/v1/surveys/nps/publish")).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(b, HttpMethod.Get, "/api/v1/surveys/nps")).Status);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Reading_needs_a_surveys_scope_and_writing_needs_surveys_write(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var reader = await host.ClientAsync("a", Scopes.SurveysRead);
        var other = await host.ClientAsync("a", Scopes.EventsWrite);

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(reader, HttpMethod.Get, "/api/v1/surveys")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(reader, HttpMethod.Post, "/api/v1/surveys", Survey("x"))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(other, HttpMethod.Get, "/api/v1/surveys")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(host.AnonymousClient(), HttpMethod.Get, "/api/v1/surveys")).Status);
    }
}
