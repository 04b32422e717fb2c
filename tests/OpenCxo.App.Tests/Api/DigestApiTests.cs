using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OpenCxo.App.Alignment;
using OpenCxo.App.Security;
using OpenCxo.App.Text;
using OpenCxo.Testing;

namespace OpenCxo.App.Tests.Api;

/// <summary>
/// Issue 8, insights that travel: each department's weekly digest written once from the data (what customers value,
/// failing promises, why customers come back, with redacted words), delivered by a real SMTP server and a webhook,
/// and its settings refused by name when wrong; both databases.
/// </summary>
public sealed class DigestApiTests
{
    public static IEnumerable<object[]> Providers => TestDatabases.Providers;

    private static JsonObject Touch(string id, DateTime at, string email, string department, string channel, string type, string? text = null, JsonObject? attributes = null)
    {
        var e = new JsonObject
        {
            ["id"] = id, ["customer"] = new JsonObject { ["email"] = email }, ["occurredAt"] = at.ToString("O", CultureInfo.InvariantCulture),
            ["department"] = department, ["channel"] = channel, ["type"] = type,
        };
        if (text is not null)
        {
            e["text"] = text;
        }

        if (attributes is not null)
        {
            e["attributes"] = attributes;
        }

        return e;
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Each_department_gets_one_digest_a_week_from_the_data_by_mail_and_webhook(string provider)
    {
        await using var smtp = await SmtpSink.StartAsync();
        using var hook = new WebhookSink();
        await using var host = await ApiHost.StartAsync(provider, new Dictionary<string, string?>
        {
            ["Kpis:Evaluate"] = "false",
            ["Cases:Run"] = "false",
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = smtp.Port.ToString(CultureInfo.InvariantCulture),
            ["Smtp:Security"] = "none",
        });
        var client = await host.ClientAsync("a");
        // The week of Monday 2026-03-09; the digest reads the four weeks to its Sunday, 2026-03-15.
        var day = new DateTime(2026, 3, 10, 10, 0, 0, DateTimeKind.Utc);
        JsonObject[] events =
        [
            // Three customers praise the price in surveys, one the app in a review; an agent's happy note is not a customer's word.
            Touch("p1", day, "a@example.com", "other", "email", "survey.response", "El precio es muy razonable, estoy encantada."),
            Touch("p2", day.AddHours(1), "b@example.com", "other", "email", "survey.response", "Great value for money, really happy."),
            Touch("p3", day.AddHours(2), "c@example.com", "other", "web", "survey.response", "Precio justo y buen servicio, muy contentos."),
            Touch("p4", day.AddHours(3), "d@example.com", "marketing", "social", "review.posted", "Love the app, it's fantastic and easy."),
            Touch("p5", day.AddHours(4), "e@example.com", "service", "phone", "call.completed", "Customer delighted with the price, great call."),
            // Fran opens a ticket, and opens it again two days later: that second text is why she came back.
            Touch("f1", day, "fran@example.com", "service", "email", "ticket.opened", "La app no carga desde ayer."),
            Touch("f2", day.AddDays(2), "fran@example.com", "service", "email", "ticket.reopened", "La factura sigue mal otra vez. Llamadme al 600 111 222 o escribid a fran@example.com."),
            // Gema's only ticket is not a repeat.
            Touch("g1", day.AddDays(1), "gema@example.com", "service", "email", "ticket.opened", "Error en la factura de marzo."),
        ];
        var response = await client.PostAsJsonAsync("/api/v1/events", new JsonObject { ["events"] = new JsonArray([.. events.Select(e => (JsonNode)e)]) });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        await host.Services.GetRequiredService<TextAnalysisJob>().CatchUpAsync(default);

        var settings = new JsonObject
        {
            ["departments"] = new JsonObject
            {
                ["marketing"] = new JsonObject { ["webhook"] = hook.Url },
                ["service"] = new JsonObject { ["email"] = new JsonArray("service-lead@shop.example") },
            },
        };
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/api/v1/digests/settings", settings)).StatusCode);

        var first = (await (await client.PostAsync("/api/v1/digests/generate?week=2026-03-11", null)).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(3, (int)first["created"]!);
        var digests = first["digests"]!.AsArray().ToDictionary(d => (string)d!["department"]!, d => d!);
        var marketing = digests["marketing"];
        Assert.Equal(("2026-W11", "2026-03-09", "2026-03-15"), ((string)marketing["week"]!, (string)marketing["from"]!, (string)marketing["to"]!));
        var valued = marketing["themes"]!.AsArray();
        Assert.Equal(("price", 3L), ((string)valued[0]!["theme"]!, (long)valued[0]!["texts"]!));
        Assert.Equal(4, (long)marketing["textsRead"]!);
        var service = digests["service"];
        // Only Fran's reopened ticket is a repeat: one text, about her bill.
        Assert.Equal(1, (long)service["textsRead"]!);
        var back = service["themes"]!.AsArray().Single(t => (string)t!["theme"]! == "billing")!;
        Assert.Equal(1L, (long)back["texts"]!);
        var quote = (string)back["quotes"]![0]!["text"]!;
        Assert.DoesNotContain("600 111 222", quote, StringComparison.Ordinal);
        Assert.DoesNotContain("fran@example.com", quote, StringComparison.Ordinal);
        Assert.Contains("factura", quote, StringComparison.Ordinal);

        // Asked again, or by two at once: nothing new.
        var again = (await (await client.PostAsync("/api/v1/digests/generate?week=2026-03-11", null)).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(0, (int)again["created"]!);
        var digestService = host.Services.GetRequiredService<DigestService>();
        var workspace = await WorkspaceAsync(host);
        var racing = await Task.WhenAll(digestService.GenerateAsync(workspace, new DateOnly(2026, 3, 4), default), digestService.GenerateAsync(workspace, new DateOnly(2026, 3, 4), default));
        Assert.Equal(3, racing.Sum(r => r.Count(x => x.Created)));
        Assert.Equal(6, (await client.GetFromJsonAsync<JsonObject>("/api/v1/digests?limit=200"))!["digests"]!.AsArray().Count);

        // The KPI job writes last week's digests too (the real last week), then sends what is due: a webhook to
        // marketing and a mail to service for each of the three weeks, once.
        var run = (await (await client.PostAsync("/api/v1/alerts/evaluate", null)).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(6, (int)run["delivered"]!);
        Assert.Equal(0, (int)(await (await client.PostAsync("/api/v1/alerts/evaluate", null)).Content.ReadFromJsonAsync<JsonObject>())!["delivered"]!);
        Assert.Equal(9, (await client.GetFromJsonAsync<JsonObject>("/api/v1/digests?limit=200"))!["digests"]!.AsArray().Count);
        Assert.Equal(3, hook.Bodies.Count);
        Assert.All(hook.Bodies, b => Assert.Equal(("digest", "marketing"), ((string)b["type"]!, (string)b["department"]!)));
        var mails = smtp.Messages();
        Assert.Equal(3, mails.Count);
        Assert.All(mails, m => Assert.Equal("service-lead@shop.example", m.To.Mailboxes.Single().Address));
        var body = mails.Select(m => m.TextBody ?? "").Single(t => t.Contains("2026-W11", StringComparison.Ordinal));
        Assert.Contains("Billing: 1 texts", body, StringComparison.Ordinal);
        Assert.DoesNotContain("600 111 222", body, StringComparison.Ordinal);

        // Reading needs stats:read; the customers' words need customers:read too.
        var reader = await host.ClientAsync("a", Scopes.StatsRead);
        var list = (await reader.GetFromJsonAsync<JsonObject>("/api/v1/digests?department=service"))!["digests"]!.AsArray();
        Assert.All(list, d => Assert.All(d!["themes"]!.AsArray(), t => Assert.Empty(t!["quotes"]!.AsArray())));
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsync("/api/v1/digests/generate", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync("/api/v1/digests/settings")).StatusCode);
        // Writing digests does not show customers' words to a key that may not read them.
        var writer = await host.ClientAsync("a", Scopes.KpisWrite, Scopes.StatsRead);
        var written = (await (await writer.PostAsync("/api/v1/digests/generate?week=2026-03-11", null)).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.All(written["digests"]!.AsArray(), d => Assert.All(d!["themes"]!.AsArray(), t => Assert.Empty(t!["quotes"]!.AsArray())));
        // A week not over yet is refused: a digest is written once.
        var thisWeek = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/api/v1/digests/generate?week=" + thisWeek, null)).StatusCode);
        Assert.Empty((await (await host.ClientAsync("b")).GetFromJsonAsync<JsonObject>("/api/v1/digests"))!["digests"]!.AsArray());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Wrong_digest_settings_and_queries_are_refused_by_name(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider, new Dictionary<string, string?> { ["Kpis:Evaluate"] = "false" });
        var client = await host.ClientAsync("a");
        async Task Refused(HttpResponseMessage response, string field)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
            Assert.Contains(field, text, StringComparison.Ordinal);
        }

        await Refused(await client.PutAsJsonAsync("/api/v1/digests/settings", new JsonObject { ["departments"] = new JsonObject { ["finance"] = new JsonObject() } }), "departments.finance");
        await Refused(await client.PutAsJsonAsync("/api/v1/digests/settings",
            new JsonObject { ["departments"] = new JsonObject { ["sales"] = new JsonObject { ["webhook"] = "file:///etc/passwd" } } }), "departments.sales.webhook");
        // No SMTP server configured: an address cannot be served.
        await Refused(await client.PutAsJsonAsync("/api/v1/digests/settings",
            new JsonObject { ["departments"] = new JsonObject { ["sales"] = new JsonObject { ["email"] = new JsonArray("lead@shop.example") } } }), "departments.sales.email");
        await Refused(await client.PutAsJsonAsync("/api/v1/digests/settings", new JsonObject { ["surprise"] = 1 }), "surprise");
        await Refused(await client.GetAsync("/api/v1/digests?department=finance"), "department");
        await Refused(await client.GetAsync("/api/v1/digests?limit=0"), "limit");
        await Refused(await client.PostAsync("/api/v1/digests/generate?week=last", null), "week");
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/digests/999999")).StatusCode);
    }

    private static async Task<long> WorkspaceAsync(ApiHost host)
    {
        await using var db = host.Factory.CreateDbContext();
        return db.Workspaces.Single(w => w.Slug == "a").Id;
    }
}
