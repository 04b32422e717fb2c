using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenCxo.App.Feedback;
using OpenCxo.Testing;

namespace OpenCxo.App.Tests.Api;

/// <summary>Issue 4: trigger rules under a burst of events, with contact fatigue, opt-outs and consent; webhook and export delivery.</summary>
public sealed class TriggerRuleTests
{
    public static IEnumerable<object[]> Providers => TestDatabases.Providers;

    private static JsonObject Survey(string key) => JsonNode.Parse($$"""
        {"key":"{{key}}","title":{"en":"After your ticket","es":"Tras su incidencia"},
         "questions":[{"key":"csat","kind":"csat","prompt":{"en":"Satisfied?","es":"¿Satisfecho?"},"required":true}]}
        """)!.AsObject();

    private static async Task<HttpClient> PublishedAsync(ApiHost host, params string[] keys)
    {
        var client = await host.ClientAsync("a");
        foreach (var key in keys)
        {
            Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/surveys", Survey(key))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/v1/surveys/{key}/publish", null)).StatusCode);
        }

        return client;
    }

    private static JsonObject Resolved(string id, string email, JsonObject? profile = null, string channel = "phone") => new()
    {
        ["id"] = id,
        ["customer"] = new JsonObject { ["email"] = email, ["attributes"] = profile ?? new JsonObject() },
        ["occurredAt"] = DateTime.UtcNow.AddMinutes(-5).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        ["department"] = "service",
        ["channel"] = channel,
        ["type"] = "ticket.resolved",
    };

    private static async Task PostAsync(HttpClient client, IEnumerable<JsonObject> events) =>
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/v1/events", new JsonObject { ["events"] = new JsonArray([.. events]) })).StatusCode);

    private static List<string[]> Csv(string text) =>
        [.. text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(','))];

    [Theory, MemberData(nameof(Providers))]
    public async Task A_burst_of_events_invites_each_customer_once_and_never_the_opted_out_or_unconsenting(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await PublishedAsync(host, "after-ticket", "other");
        var scheduler = host.Services.GetRequiredService<InvitationScheduler>();

        // Customers known before the rule: one opted out, one invited to another survey last week (fatigue).
        await PostAsync(client, [Resolved("old-1", "olga@example.com"), Resolved("old-2", "fede@example.com")]);
        var olga = (long)(await client.GetFromJsonAsync<JsonObject>("/api/v1/customers?email=olga@example.com"))!["id"]!;
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync($"/api/v1/customers/{olga}/survey-opt-out", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/surveys/other/invitations", new JsonObject { ["email"] = "fede@example.com" })).StatusCode);

        var rule = await client.PostAsJsonAsync("/api/v1/surveys/after-ticket/rules", new JsonObject { ["eventType"] = "ticket.resolved", ["delayMinutes"] = 0, ["delivery"] = "export" });
        Assert.Equal(HttpStatusCode.Created, rule.StatusCode);

        // The burst: 8 customers with 5 resolved tickets each, one who withholds consent, the two above, and a chat
        // ticket that a phone-only rule would skip (this rule takes every channel).
        var burst = new List<JsonObject>();
        for (var round = 0; round < 5; round++)
        {
            for (var c = 0; c < 8; c++)
            {
                var profile = new JsonObject { ["language"] = c % 2 == 0 ? "es" : "en" };
                burst.Add(Resolved($"t{c}-{round}", $"c{c}@example.com", profile, channel: round == 4 ? "chat" : "phone"));
            }

            burst.Add(Resolved($"n-{round}", "nora@example.com", new JsonObject { ["surveyConsent"] = false }));
            burst.Add(Resolved($"o-{round}", "olga@example.com"));
            burst.Add(Resolved($"f-{round}", "fede@example.com"));
        }

        await PostAsync(client, burst);
        await scheduler.RunOnceAsync(default);
        await scheduler.RunOnceAsync(default);

        var export = await client.PostAsync("/api/v1/surveys/after-ticket/invitations/export", null);
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        var rows = Csv(await export.Content.ReadAsStringAsync());
        Assert.Equal(Enumerable.Range(0, 8).Select(c => $"c{c}@example.com"), rows.Select(r => r[3]).Order(StringComparer.Ordinal));
        Assert.Equal(Enumerable.Range(0, 8).Select(c => c % 2 == 0 ? "es" : "en"), rows.OrderBy(r => r[3], StringComparer.Ordinal).Select(r => r[4]));
        Assert.All(rows, r => Assert.Matches("^t[0-7]-0$", r[6]));

        // Each link opens its survey; handed over once, the export is empty after.
        var page = await host.AnonymousClient().GetAsync(new Uri(rows[0][5]).PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Empty(Csv(await (await client.PostAsync("/api/v1/surveys/after-ticket/invitations/export", null)).Content.ReadAsStringAsync()));

        // Another burst within the fatigue window invites nobody.
        await PostAsync(client, Enumerable.Range(0, 8).Select(c => Resolved($"again-{c}", $"c{c}@example.com")));
        await scheduler.RunOnceAsync(default);
        await using var db = host.Factory.CreateDbContext();
        Assert.Equal(8, await db.SurveyInvitations.CountAsync(i => i.RuleId != null));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Webhooks_get_each_due_invitation_and_a_failing_one_is_retried_later(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await PublishedAsync(host, "after-ticket");
        var scheduler = host.Services.GetRequiredService<InvitationScheduler>();
        using var hook = new WebhookSink();

        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/surveys/after-ticket/rules",
            new JsonObject { ["eventType"] = "ticket.resolved", ["channel"] = "phone", ["delivery"] = "webhook", ["webhookUrl"] = hook.Url })).StatusCode);
        await PostAsync(client, [Resolved("w-1", "wendy@example.com"), Resolved("w-2", "walter@example.com", channel: "chat")]);
        await scheduler.RunOnceAsync(default);

        var received = Assert.Single(hook.Bodies);
        Assert.Equal(("after-ticket", "wendy@example.com", "w-1"), ((string)received["survey"]!, (string)received["email"]!, (string)received["triggerEventId"]!));
        Assert.Contains("/s/", (string)received["url"]!, StringComparison.Ordinal);

        // The receiver fails: the invitation waits and is tried again later, not lost.
        hook.Status = HttpStatusCode.InternalServerError;
        await PostAsync(client, [Resolved("w-3", "wilma@example.com")]);
        await scheduler.RunOnceAsync(default);
        await using var db = host.Factory.CreateDbContext();
        var waiting = await db.SurveyInvitations.SingleAsync(i => i.TriggerEventId == "w-3");
        Assert.Equal(("scheduled", 1), (waiting.Status, waiting.Attempts));
        Assert.True(waiting.SendAt > DateTime.UtcNow.AddSeconds(30));
        Assert.Contains("500", waiting.LastError, StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Bad_rules_are_refused_with_the_field_named(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await PublishedAsync(host, "after-ticket");
        foreach (var (rule, field) in new (JsonObject, string)[]
        {
            (new JsonObject { ["eventType"] = "Ticket Resolved", ["delivery"] = "export" }, "eventType"),
            (new JsonObject { ["eventType"] = "ticket.resolved", ["delivery"] = "pigeon" }, "delivery"),
            (new JsonObject { ["eventType"] = "ticket.resolved", ["delivery"] = "webhook", ["webhookUrl"] = "ftp://x" }, "webhookUrl"),
            (new JsonObject { ["eventType"] = "ticket.resolved", ["delivery"] = "export", ["delayMinutes"] = -1 }, "delayMinutes"),
            (new JsonObject { ["eventType"] = "ticket.resolved", ["delivery"] = "export", ["channel"] = "fax" }, "channel"),
        })
        {
            var response = await client.PostAsJsonAsync("/api/v1/surveys/after-ticket/rules", rule);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(field, (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key));
        }

        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsJsonAsync("/api/v1/surveys/none/rules", new JsonObject { ["eventType"] = "a.b", ["delivery"] = "export" })).StatusCode);
        var created = await (await client.PostAsJsonAsync("/api/v1/surveys/after-ticket/rules", new JsonObject { ["eventType"] = "a.b", ["delivery"] = "export" })).Content.ReadFromJsonAsync<JsonObject>();
        Assert.Single((await client.GetFromJsonAsync<JsonArray>("/api/v1/surveys/after-ticket/rules"))!);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/surveys/after-ticket/rules/{(long)created!["id"]!}")).StatusCode);
        Assert.Empty((await client.GetFromJsonAsync<JsonArray>("/api/v1/surveys/after-ticket/rules"))!);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/v1/customers/999999/survey-opt-out", null)).StatusCode);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Invitations_and_one_reminder_go_by_email_through_a_real_smtp_server(string provider)
    {
        await using var smtp = await SmtpSink.StartAsync();
        await using var host = await ApiHost.StartAsync(provider, new Dictionary<string, string?>
        {
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smtp:From"] = "surveys@shop.example",
            ["Surveys:PublicUrl"] = "https://feedback.shop.example",
        });
        var client = await PublishedAsync(host, "after-ticket");
        var scheduler = host.Services.GetRequiredService<InvitationScheduler>();
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/surveys/after-ticket/rules",
            new JsonObject { ["eventType"] = "ticket.resolved", ["delivery"] = "email" })).StatusCode);
        await PostAsync(client, [
            Resolved("e-1", "eva@example.com", new JsonObject { ["language"] = "es" }),
            Resolved("e-2", "ed@example.com"),
            new JsonObject
            {
                ["id"] = "e-3", ["customer"] = new JsonObject { ["phone"] = "+34 600 123 456" }, ["occurredAt"] = "2026-11-20T10:00:00Z",
                ["department"] = "service", ["channel"] = "phone", ["type"] = "ticket.resolved",
            }]);
        await scheduler.RunOnceAsync(default);

        var messages = smtp.Messages();
        Assert.Equal(["ed@example.com", "eva@example.com"], messages.Select(m => m.To.Mailboxes.Single().Address).Order(StringComparer.Ordinal));
        var spanish = messages.Single(m => m.To.Mailboxes.Single().Address == "eva@example.com");
        Assert.Equal("Tras su incidencia", spanish.Subject);
        Assert.Equal("surveys@shop.example", spanish.From.Mailboxes.Single().Address);
        Assert.Contains("Nos gustaría saber qué tal lo hicimos", spanish.TextBody, StringComparison.Ordinal);
        var link = spanish.TextBody!.Split('\n').Single(l => l.StartsWith("https://feedback.shop.example/s/", StringComparison.Ordinal)).Trim();
        Assert.Equal(HttpStatusCode.OK, (await host.AnonymousClient().GetAsync(new Uri(link).PathAndQuery)).StatusCode);
        Assert.Contains(link, spanish.HtmlBody, StringComparison.Ordinal);
        Assert.Equal("After your ticket", messages.Single(m => m.To.Mailboxes.Single().Address == "ed@example.com").Subject);

        await using (var db = host.Factory.CreateDbContext())
        {
            var phoneOnly = await db.SurveyInvitations.SingleAsync(i => i.TriggerEventId == "e-3");
            Assert.Equal(("failed", "the customer has no e-mail address"), (phoneOnly.Status, phoneOnly.LastError));

            // Three days on, the unanswered one is reminded once; the answered one is not.
            var answered = await db.SurveyInvitations.SingleAsync(i => i.TriggerEventId == "e-2");
            await db.SurveyInvitations.Where(i => i.Status == "sent").ExecuteUpdateAsync(i => i.SetProperty(x => x.SentAt, DateTime.UtcNow.AddDays(-4)));
            await db.SurveyInvitations.Where(i => i.Id == answered.Id).ExecuteUpdateAsync(i => i.SetProperty(x => x.RespondedAt, DateTime.UtcNow));
        }

        await scheduler.RunOnceAsync(default);
        await scheduler.RunOnceAsync(default);
        var reminders = smtp.Messages().Skip(2).ToList();
        var reminder = Assert.Single(reminders);
        Assert.Equal(("eva@example.com", "Recordatorio: Tras su incidencia"), (reminder.To.Mailboxes.Single().Address, reminder.Subject));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Email_rules_need_an_smtp_server_and_an_unreachable_one_is_retried(string provider)
    {
        await using (var host = await ApiHost.StartAsync(provider))
        {
            var client = await PublishedAsync(host, "after-ticket");
            var refused = await client.PostAsJsonAsync("/api/v1/surveys/after-ticket/rules", new JsonObject { ["eventType"] = "ticket.resolved", ["delivery"] = "email" });
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("Smtp:Host", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var closed = OpenCxo.App.Tests.Cli.CliSandbox.FreeTcpPort();
        await using var down = await ApiHost.StartAsync(provider, new Dictionary<string, string?> { ["Smtp:Host"] = "127.0.0.1", ["Smtp:Port"] = closed.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var api = await PublishedAsync(down, "after-ticket");
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync("/api/v1/surveys/after-ticket/rules", new JsonObject { ["eventType"] = "ticket.resolved", ["delivery"] = "email" })).StatusCode);
        await PostAsync(api, [Resolved("d-1", "dan@example.com")]);
        await down.Services.GetRequiredService<InvitationScheduler>().RunOnceAsync(default);
        await using var db = down.Factory.CreateDbContext();
        var waiting = await db.SurveyInvitations.SingleAsync();
        Assert.Equal(("scheduled", 1), (waiting.Status, waiting.Attempts));
        Assert.StartsWith("SMTP 127.0.0.1:", waiting.LastError, StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_recurring_survey_asks_active_subscribers_once_per_period(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await PublishedAsync(host, "relationship");
        var scheduler = host.Services.GetRequiredService<InvitationScheduler>();
        JsonObject Event(string id, string email, string type, int daysAgo) => new()
        {
            ["id"] = id, ["customer"] = new JsonObject { ["email"] = email }, ["department"] = "sales", ["channel"] = "web", ["type"] = type,
            ["occurredAt"] = DateTime.UtcNow.AddDays(-daysAgo).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        };

        // Ana subscribed; Bo subscribed and cancelled; Cy cancelled and came back; Di only bought; Eve subscribed but opted out.
        await PostAsync(client, [
            Event("a1", "ana@example.com", "subscription.started", 200),
            Event("b1", "bo@example.com", "subscription.started", 300), Event("b2", "bo@example.com", "subscription.cancelled", 10),
            Event("c1", "cy@example.com", "subscription.started", 300), Event("c2", "cy@example.com", "subscription.cancelled", 100),
            Event("c3", "cy@example.com", "subscription.renewed", 5),
            Event("d1", "di@example.com", "order.placed", 3),
            Event("e1", "eve@example.com", "subscription.started", 50)]);
        var eve = (long)(await client.GetFromJsonAsync<JsonObject>("/api/v1/customers?email=eve@example.com"))!["id"]!;
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync($"/api/v1/customers/{eve}/survey-opt-out", null)).StatusCode);

        var rule = await client.PostAsJsonAsync("/api/v1/surveys/relationship/rules",
            new JsonObject { ["kind"] = "recurring", ["everyDays"] = 90, ["audience"] = "activeSubscribers", ["delivery"] = "export" });
        Assert.Equal(HttpStatusCode.Created, rule.StatusCode);
        await scheduler.RunOnceAsync(default);

        var rows = Csv(await (await client.PostAsync("/api/v1/surveys/relationship/invitations/export", null)).Content.ReadAsStringAsync());
        Assert.Equal(["ana@example.com", "cy@example.com"], rows.Select(r => r[3]).Order(StringComparer.Ordinal));

        // Within the period nobody is asked again, even when the rule looks again.
        await using (var db = host.Factory.CreateDbContext())
        {
            await db.SurveyRules.ExecuteUpdateAsync(r => r.SetProperty(x => x.LastRunAt, DateTime.UtcNow.AddDays(-1)));
        }

        await scheduler.RunOnceAsync(default);
        Assert.Empty(Csv(await (await client.PostAsync("/api/v1/surveys/relationship/invitations/export", null)).Content.ReadAsStringAsync()));

        var bad = await client.PostAsJsonAsync("/api/v1/surveys/relationship/rules",
            new JsonObject { ["kind"] = "recurring", ["everyDays"] = 0, ["audience"] = "everyone", ["eventType"] = "a.b", ["delivery"] = "export" });
        Assert.Equal(["audience", "eventType", "everyDays"], (await bad.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_customer_can_opt_out_from_the_survey_page(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await PublishedAsync(host, "after-ticket");
        await PostAsync(client, [Resolved("p-1", "pia@example.com", new JsonObject { ["language"] = "es" })]);
        var invitation = await (await client.PostAsJsonAsync("/api/v1/surveys/after-ticket/invitations", new JsonObject { ["email"] = "pia@example.com" })).Content.ReadFromJsonAsync<JsonObject>();
        var token = (string)invitation!["token"]!;
        var page = host.AnonymousClient();
        Assert.Contains($"action=\"/s/{token}/opt-out?lang=es\"", await page.GetStringAsync("/s/" + token), StringComparison.Ordinal);

        var optOut = await page.PostAsync($"/s/{token}/opt-out?lang=es", null);
        Assert.Equal(HttpStatusCode.OK, optOut.StatusCode);
        Assert.Contains("no volverá a recibir encuestas", await optOut.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using var db = host.Factory.CreateDbContext();
        var recorded = await db.SurveyOptOuts.SingleAsync();
        Assert.Equal(((long)invitation["customerId"]!, "link"), (recorded.CustomerId, recorded.Source));

        // Twice is the same as once; a forged token opts nobody out.
        Assert.Equal(HttpStatusCode.OK, (await page.PostAsync($"/s/{token}/opt-out", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await page.PostAsync($"/s/{token[..^2]}AA/opt-out", null)).StatusCode);
        Assert.Equal(1, await db.SurveyOptOuts.CountAsync());
    }
}
