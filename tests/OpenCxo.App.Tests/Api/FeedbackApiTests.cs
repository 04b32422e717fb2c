using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenCxo.App.Security;
using OpenCxo.App.Text;
using OpenCxo.Core.Text;
using OpenCxo.Data.Storage;
using OpenCxo.Testing;

namespace OpenCxo.App.Tests.Api;

/// <summary>
/// Issue 5: texts analysed as they arrive, themes with their rise checked against an independent two-proportion
/// z-test, verbatims redacted and paged, and re-analysis with a workspace's own taxonomy; on both databases.
/// </summary>
public sealed class FeedbackApiTests
{
    public static IEnumerable<object[]> Providers => TestDatabases.Providers;

    private static readonly DateTime February = new(2026, 2, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime March = new(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);

    private static JsonObject Event(string id, DateTime at, string text, string email, string channel = "chat") => new()
    {
        ["id"] = id,
        ["customer"] = new JsonObject { ["email"] = email },
        ["occurredAt"] = at.ToString("O", CultureInfo.InvariantCulture),
        ["department"] = "service",
        ["channel"] = channel,
        ["type"] = "ticket.opened",
        ["text"] = text,
    };

    private static async Task PostAsync(HttpClient client, IEnumerable<JsonObject> events)
    {
        foreach (var batch in events.Chunk(500))
        {
            var response = await client.PostAsJsonAsync("/api/v1/events", new JsonObject { ["events"] = new JsonArray([.. batch.Select(e => (JsonNode)e)]) });
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }
    }

    /// <summary>
    /// February: 200 texts, 10 about a double charge (billing), 40 about a rude agent. March: 200 texts, 60 about
    /// billing, 40 about the agent; the rest say nothing a theme would catch.
    /// </summary>
    private static IEnumerable<JsonObject> Month(DateTime start, string prefix, int billing, int rude)
    {
        for (var i = 0; i < 200; i++)
        {
            var text = i < billing ? "Me habéis cobrado dos veces la factura, escribidme a cliente" + i + "@example.com"
                : i < billing + rude ? "The agent was rude and unprofessional"
                : "Hola, quería saber el horario de la tienda";
            yield return Event($"{prefix}-{i}", start.AddHours(i * 3), text, $"{prefix}{i}@example.com");
        }
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Texts_are_analysed_as_they_arrive_and_rising_themes_are_called_by_a_two_proportion_test(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await host.ClientAsync("a");
        await PostAsync(client, [.. Month(February, "feb", billing: 10, rude: 40), .. Month(March, "mar", billing: 60, rude: 40)]);
        var job = host.Services.GetRequiredService<TextAnalysisJob>();
        await job.CatchUpAsync(default);

        await using (var db = host.Factory.CreateDbContext())
        {
            Assert.Equal(400, await db.TextAnalyses.CountAsync());
            Assert.Equal(await db.Interactions.MaxAsync(i => i.Seq), (await db.TextAnalysisStates.SingleAsync()).InteractionSeq);
            Assert.DoesNotContain(await db.TextAnalyses.Select(a => a.Redacted).ToListAsync(), r => r.Contains("@example.com", StringComparison.Ordinal));
        }

        var report = (await client.GetFromJsonAsync<JsonObject>("/api/v1/feedback/themes?from=2026-03-01&to=2026-03-31"))!;
        Assert.Equal(200, (int)report["texts"]!);
        Assert.Equal(("2026-01-29", "2026-02-28"), ((string)report["comparedWith"]!["from"]!, (string)report["comparedWith"]!["to"]!));
        var themes = report["themes"]!.AsArray().ToDictionary(t => (string)t!["key"]!, t => t!);
        var billing = themes["billing"];
        Assert.Equal(60, (int)billing["texts"]!);
        Assert.Equal(30.0, (double)billing["share"]!, 6);
        Assert.Equal(("Billing", "Facturación"), ((string)billing["name"]!["en"]!, (string)billing["name"]!["es"]!));
        Assert.True((double)billing["sentiment"]! < 0);

        // February's window (Jan 29 – Feb 28) holds the 200 February texts: 10 of them billing. The independent test:
        // pooled p = 70/400, z = (0.30 − 0.05) / √(p(1−p)(1/200 + 1/200)).
        var pooled = 70.0 / 400;
        var z = (0.30 - 0.05) / Math.Sqrt(pooled * (1 - pooled) * (2.0 / 200));
        var change = billing["change"]!;
        Assert.Equal(25.0, (double)change["difference"]!, 6);
        Assert.Equal(2 * MathNet.Numerics.Distributions.Normal.CDF(0, 1, -z), (double)change["pValue"]!, 6);
        Assert.True((bool)change["rising"]!);

        var attitude = themes["staff_attitude"];
        Assert.Equal(40, (int)attitude["texts"]!);
        Assert.False((bool)attitude["change"]!["rising"]!);
        Assert.Equal(1.0, (double)attitude["change"]!["pValue"]!, 6);
        Assert.Equal(100.0, (double)attitude["negativeShare"]!, 6);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Verbatims_come_redacted_newest_first_and_page_without_gaps(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await host.ClientAsync("a");
        await PostAsync(client, Month(March, "mar", billing: 25, rude: 5));
        await host.Services.GetRequiredService<TextAnalysisJob>().CatchUpAsync(default);

        var seen = new List<JsonNode>();
        string? cursor = null;
        do
        {
            var page = (await client.GetFromJsonAsync<JsonObject>("/api/v1/feedback/verbatims?from=2026-03-01&to=2026-03-31&theme=billing&limit=10" + (cursor is null ? "" : "&cursor=" + cursor)))!;
            seen.AddRange(page["verbatims"]!.AsArray().Select(v => v!));
            cursor = (string?)page["next"];
        }
        while (cursor is not null);

        Assert.Equal(25, seen.Count);
        Assert.Equal(25, seen.Select(v => (long)v["seq"]!).Distinct().Count());
        var times = seen.Select(v => DateTime.Parse((string)v["occurredAt"]!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)).ToList();
        Assert.Equal(times.OrderByDescending(t => t), times);
        foreach (var verbatim in seen)
        {
            var text = (string)verbatim["text"]!;
            Assert.DoesNotContain("@example.com", text, StringComparison.Ordinal);
            Assert.Contains("[email]", text, StringComparison.Ordinal);
            var match = verbatim["themes"]!.AsArray().Single(t => (string)t!["key"]! == "billing")!["matches"]![0]!;
            Assert.Equal((string)match["text"]!, text.Substring((int)match["start"]!, (int)match["length"]!));
        }

        var negative = (await client.GetFromJsonAsync<JsonObject>("/api/v1/feedback/verbatims?from=2026-03-01&to=2026-03-31&sentiment=negative&limit=200"))!;
        Assert.Equal(30, negative["verbatims"]!.AsArray().Count);

        foreach (var (query, field) in new[] { ("theme=Bad-Key", "theme"), ("sentiment=angry", "sentiment"), ("limit=0", "limit"), ("limit=201", "limit"), ("cursor=xyz", "cursor"), ("channel=fax", "channel") })
        {
            var response = await client.GetAsync("/api/v1/feedback/verbatims?" + query);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(field, (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key));
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await (await host.ClientAsync("a", Scopes.StatsRead)).GetAsync("/api/v1/feedback/verbatims")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await host.ClientAsync("a", Scopes.CustomersRead)).GetAsync("/api/v1/feedback/themes")).StatusCode);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_saved_taxonomy_is_checked_counts_revisions_and_reads_new_texts_at_once(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await host.ClientAsync("a");
        await PostAsync(client, [Event("x-0", March, "nada", "x@example.com")]);
        var analyses = host.Services.GetRequiredService<TextAnalyses>();
        await using var db = host.Factory.CreateDbContext();
        var workspace = (await db.Workspaces.SingleAsync(w => w.Slug == "a")).Id;

        var broken = TextTaxonomy.Default with
        {
            Themes = [.. TextTaxonomy.Default.Themes, new TaxonomyEntry("billing", new("Again", "Otra vez"), new TermSet(["ab*", "? starts"], []))],
            Flags = [.. TextTaxonomy.Default.Flags.Take(3)],
        };
        var (refused, errors) = await TextTaxonomies.SaveAsync(db, analyses, workspace, broken, "test", DateTime.UtcNow, default);
        Assert.Null(refused);
        Assert.Equal(["themes[17].key", "themes[17].terms.en[0]", "themes[17].terms.en[1]", "flags"], errors.Select(e => e.Field));
        Assert.Equal(0, (await TextTaxonomies.GetAsync(db, workspace, default)).Revision);

        var keypad = TextTaxonomy.Default with
        {
            Themes = [.. TextTaxonomy.Default.Themes, new TaxonomyEntry("keypad", new("Keypad", "Teclado"), new TermSet(["keypad"], ["teclado*"]))],
        };
        Assert.Equal(1, (await TextTaxonomies.SaveAsync(db, analyses, workspace, keypad, "test", DateTime.UtcNow, default)).Revision);
        Assert.Equal(2, (await TextTaxonomies.SaveAsync(db, analyses, workspace, keypad, "test", DateTime.UtcNow, default)).Revision);

        // The analyser cached for the workspace is dropped on save: the next text is read with the new theme.
        await PostAsync(client, [Event("x-1", March.AddHours(1), "El teclado no responde", "y@example.com")]);
        await host.Services.GetRequiredService<TextAnalysisJob>().CatchUpAsync(default);
        var stored = await db.TextAnalyses.AsNoTracking().SingleAsync(a => a.Redacted == "El teclado no responde");
        Assert.Contains("\"keypad\"", stored.Themes, StringComparison.Ordinal);
        Assert.Equal("v1/t2", stored.Analyzer);

        await TextTaxonomies.ResetAsync(db, analyses, workspace, default);
        Assert.False((await TextTaxonomies.GetAsync(db, workspace, default)).Custom);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Reanalysis_applies_a_workspaces_own_taxonomy_to_what_is_stored(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var client = await host.ClientAsync("a");
        await PostAsync(client, [Event("t-1", March, "El teclado pita sin parar", "a@example.com"), Event("t-2", March.AddHours(1), "Todo bien", "b@example.com")]);
        var job = host.Services.GetRequiredService<TextAnalysisJob>();
        await job.CatchUpAsync(default);
        var before = (await client.GetFromJsonAsync<JsonObject>("/api/v1/feedback/themes?from=2026-03-01&to=2026-03-31"))!;
        Assert.DoesNotContain("keypad", before["themes"]!.AsArray().Select(t => (string)t!["key"]!));

        var custom = TextTaxonomy.Default with
        {
            Themes = [.. TextTaxonomy.Default.Themes, new TaxonomyEntry("keypad", new("Keypad", "Teclado"), new TermSet(["keypad"], ["teclado*"]))],
        };
        await using (var db = host.Factory.CreateDbContext())
        {
            var workspace = await db.Workspaces.SingleAsync(w => w.Slug == "a");
            db.TextTaxonomies.Add(new TextTaxonomyRow { WorkspaceId = workspace.Id, Json = custom.ToJson(), Revision = 1, UpdatedAt = DateTime.UtcNow, UpdatedBy = "test" });
            await db.SaveChangesAsync();
        }

        var done = await host.Services.GetRequiredService<TextAnalyses>().ReanalyzeAsync(null, null, DateTime.UtcNow, default);

        Assert.Equal(2, done.Texts);
        var after = (await client.GetFromJsonAsync<JsonObject>("/api/v1/feedback/themes?from=2026-03-01&to=2026-03-31"))!;
        var keypad = after["themes"]!.AsArray().Single(t => (string)t!["key"]! == "keypad")!;
        Assert.Equal((1, "Teclado"), ((int)keypad["texts"]!, (string)keypad["name"]!["es"]!));
        await using (var db = host.Factory.CreateDbContext())
        {
            Assert.All(await db.TextAnalyses.ToListAsync(), a => Assert.Equal("v1/t1", a.Analyzer));
            Assert.Equal(2, await db.TextAnalyses.CountAsync());
        }
    }
}
