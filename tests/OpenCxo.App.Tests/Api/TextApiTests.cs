using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using OpenCxo.App.Security;

namespace OpenCxo.App.Tests.Api;

/// <summary>Issue 5: <c>POST /api/v1/text/analyze</c>, its answers, its refusals, and that personal data never comes back.</summary>
public sealed class TextApiTests
{
    private const string Planted = "Soy Ana, DNI 12345678Z, móvil +34 612 345 678, ana.garcia@example.com, tarjeta 4111 1111 1111 1111. "
        + "Me habéis cobrado dos veces la factura y nadie contesta. Si no lo arregláis me doy de baja.";

    [Fact]
    public async Task One_text_comes_back_analysed_and_without_its_personal_data()
    {
        await using var host = await ApiHost.StartAsync("sqlite");
        var client = await host.ClientAsync("a", Scopes.TextAnalyze);

        var response = await client.PostAsJsonAsync("/api/v1/text/analyze", new JsonObject { ["text"] = Planted });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        foreach (var secret in new[] { "12345678Z", "612 345 678", "ana.garcia@example.com", "4111 1111 1111 1111", "4111" })
        {
            Assert.DoesNotContain(secret, body, StringComparison.Ordinal);
        }

        var analysis = JsonNode.Parse(body)!;
        Assert.Equal("es", (string)analysis["language"]!);
        Assert.Equal("negative", (string)analysis["sentiment"]!["label"]!);
        Assert.InRange((double)analysis["sentiment"]!["score"]!, -1, -0.05);
        Assert.Contains("billing", analysis["themes"]!.AsArray().Select(t => (string)t!["key"]!));
        Assert.Contains("churn_intent", analysis["flags"]!.AsArray().Select(f => (string)f!["key"]!));
        Assert.Equal(["id", "phone", "email", "card"], analysis["redactions"]!.AsArray().Select(r => (string)r!["kind"]!));
        Assert.StartsWith("Soy Ana, DNI [id], móvil [phone], [email], tarjeta [card].", (string)analysis["redacted"]!, StringComparison.Ordinal);
        var billing = analysis["themes"]!.AsArray().First(t => (string)t!["key"]! == "billing")!;
        foreach (var match in billing["matches"]!.AsArray())
        {
            var redacted = (string)analysis["redacted"]!;
            Assert.Equal((string)match!["text"]!, redacted.Substring((int)match["start"]!, (int)match["length"]!));
        }
    }

    [Fact]
    public async Task Many_texts_come_back_in_order()
    {
        await using var host = await ApiHost.StartAsync("sqlite");
        var client = await host.ClientAsync("a", Scopes.TextAnalyze);
        string[] texts = ["Excelente servicio, muy amables", "The app keeps crashing, useless", "", "¿A qué hora abre la tienda?"];

        var response = await client.PostAsJsonAsync("/api/v1/text/analyze", new JsonObject { ["texts"] = new JsonArray([.. texts.Select(t => (JsonNode)t)]) });

        var results = (await response.Content.ReadFromJsonAsync<JsonObject>())!["results"]!.AsArray();
        Assert.Equal(["positive", "negative", "neutral", "neutral"], results.Select(r => (string)r!["sentiment"]!["label"]!));
        Assert.Equal(["es", "en", "other", "es"], results.Select(r => (string)r!["language"]!));
    }

    [Fact]
    public async Task Malformed_hostile_and_huge_requests_are_refused_naming_the_field()
    {
        await using var host = await ApiHost.StartAsync("sqlite");
        var client = await host.ClientAsync("a", Scopes.TextAnalyze);
        foreach (var (body, field) in new[]
        {
            ("{\"text\": ", "$"), ("[\"a\"]", "$"), ("{\"text\": 42}", "text"), ("{\"texts\": \"a\"}", "texts"), ("{\"texts\": []}", "texts"),
            ("{\"texts\": [\"a\", 3]}", "texts[1]"), ("{\"text\": \"a\", \"texts\": [\"b\"]}", "text"), ("{}", "text"), ("{\"txt\": \"a\"}", "txt"),
            ("{\"texts\": [" + string.Join(',', Enumerable.Repeat("\"a\"", 1_001)) + "]}", "texts"),
        })
        {
            var response = await client.PostAsync("/api/v1/text/analyze", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(field, (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key));
        }

        // A 100,000-character text is read to the limit; a body over 2 MB is refused before it is read.
        var long100k = await client.PostAsJsonAsync("/api/v1/text/analyze", new JsonObject { ["text"] = string.Concat(Enumerable.Repeat("muy mal servicio ", 7_000)) });
        Assert.True((bool)(await long100k.Content.ReadFromJsonAsync<JsonObject>())!["truncated"]!);
        var huge = await client.PostAsync("/api/v1/text/analyze", new StringContent("{\"text\": \"" + new string('a', 3_000_000) + "\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await (await host.ClientAsync("a", Scopes.StatsRead)).PostAsJsonAsync("/api/v1/text/analyze", new JsonObject { ["text"] = "a" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.AnonymousClient().PostAsJsonAsync("/api/v1/text/analyze", new JsonObject { ["text"] = "a" })).StatusCode);
    }
}
