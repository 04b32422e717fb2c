using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenCxo.App.Security;

namespace OpenCxo.App.Tests.Api;

/// <summary>
/// Issue 5: personal data planted in a touchpoint's text never leaves through the timeline, the interactions API or
/// its CSV for a key without the admin scope; an admin key reads the text as written.
/// </summary>
public sealed class RedactionTests
{
    private static readonly string[] Planted = ["ana.lopez@example.com", "612 345 678", "4111 1111 1111 1111", "ES91 2100 0418 4502 0005 1332", "12345678Z"];

    [Theory, MemberData(nameof(Providers))]
    public async Task Planted_personal_data_is_masked_for_everyone_but_admins(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var admin = await host.ClientAsync("a");
        var text = $"Soy Ana ({Planted[4]}), escribidme a {Planted[0]} o al {Planted[1]}; la tarjeta {Planted[2]} y el IBAN {Planted[3]} están bien.";
        var posted = await admin.PostAsJsonAsync("/api/v1/events", new JsonObject
        {
            ["events"] = new JsonArray(new JsonObject
            {
                ["id"] = "pii-1", ["customer"] = new JsonObject { ["email"] = "ana@example.org" }, ["occurredAt"] = "2026-03-02T10:00:00Z",
                ["department"] = "service", ["channel"] = "chat", ["type"] = "chat.message", ["text"] = text,
            }),
        });
        Assert.True(posted.IsSuccessStatusCode);
        var customer = (long)(await admin.GetFromJsonAsync<JsonObject>("/api/v1/customers?email=ana@example.org"))!["id"]!;
        var reader = await host.ClientAsync("a", Scopes.CustomersRead);

        var answers = new[]
        {
            await reader.GetStringAsync($"/api/v1/customers/{customer}/timeline"),
            await reader.GetStringAsync("/api/v1/interactions?from=2026-03-01&to=2026-03-31"),
            await reader.GetStringAsync("/api/v1/interactions?from=2026-03-01&to=2026-03-31&format=csv"),
        };

        foreach (var answer in answers)
        {
            foreach (var secret in Planted)
            {
                Assert.DoesNotContain(secret, answer, StringComparison.Ordinal);
            }

            Assert.Contains("[email]", answer, StringComparison.Ordinal);
            Assert.Contains("[card]", answer, StringComparison.Ordinal);
        }

        Assert.Contains(Planted[0], await admin.GetStringAsync($"/api/v1/customers/{customer}/timeline"), StringComparison.Ordinal);
        Assert.Contains(Planted[2], await admin.GetStringAsync("/api/v1/interactions?from=2026-03-01&to=2026-03-31&format=csv"), StringComparison.Ordinal);
    }

    public static IEnumerable<object[]> Providers => OpenCxo.Testing.TestDatabases.Providers;
}
