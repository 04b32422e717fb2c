using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using OpenCxo.App.Admin;
using OpenCxo.Data.Storage;

namespace OpenCxo.E2E;

/// <summary>The admin page's long-running work: an event file imported from the browser, and a rebuild of the analytics store.</summary>
[Collection(UiServerGroup.Name)]
public sealed class AdminTests(UiServer server)
{
    [Fact]
    public async Task An_uploaded_event_file_is_imported_with_its_bad_lines_named_and_nothing_twice()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var email = $"upload-{tag}@example.com";
        var at = DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        string Event(int n, string type = "ticket.opened") =>
            $$"""{"id":"upload-{{tag}}-{{n}}","customer":{"email":"{{email}}"},"occurredAt":"{{at}}","department":"service","channel":"chat","type":"{{type}}"}""";
        var file = server.Sandbox.WriteFile($"upload-{tag}.jsonl",
            Event(1),
            Event(2, "ticket.resolved"),
            $$"""{"id":"upload-{{tag}}-3","customer":{"email":"{{email}}"},"occurredAt":"{{at}}","department":"service","channel":"chat"}""",
            Event(1),
            Event(4, "ticket.closed"));

        var page = await server.SignInAsync("admin");
        await UiServer.WaitForCircuitAsync(page);
        await ChooseFileAsync(page, file);

        var done = page.Locator("#admin-task-done");
        await Assertions.Expect(done).ToContainTextAsync("Imported 3 events, skipped 1 already stored, rejected 1 lines", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#admin-task h2")).ToHaveTextAsync($"Import of upload-{tag}.jsonl");
        var rejected = page.Locator("#admin-rejected tbody tr");
        await Assertions.Expect(rejected).ToHaveCountAsync(1);
        await Assertions.Expect(rejected.Locator("td").First).ToHaveTextAsync("3");
        await Assertions.Expect(rejected.Locator("td").Nth(1)).ToContainTextAsync("type");
        await UiServer.ScreenshotAsync(page, "admin-import");

        // The three good events are on the customer's record, once each.
        var match = (await server.Api.GetFromJsonAsync<JsonElement>("/api/v1/customers/search?q=" + Uri.EscapeDataString(email))).EnumerateArray().Single();
        var touchpoints = await server.Api.GetFromJsonAsync<JsonElement>($"/api/v1/interactions?customer={match.GetProperty("id").GetInt64()}");
        Assert.Equal(
            ["ticket.closed", "ticket.opened", "ticket.resolved"],
            touchpoints.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("type").GetString()).Order(StringComparer.Ordinal));

        // The same file again stores nothing new.
        await ChooseFileAsync(page, file);
        await Assertions.Expect(done).ToContainTextAsync("Imported 0 events, skipped 4 already stored, rejected 1 lines", new() { Timeout = 60_000 });
    }

    [Fact]
    public async Task More_rejected_lines_than_the_page_shows_are_counted_and_the_first_ones_listed()
    {
        var file = server.Sandbox.WriteFile($"bad-{Guid.NewGuid():N}.jsonl", [.. Enumerable.Repeat("{}", 25)]);
        var page = await server.SignInAsync("admin");
        await UiServer.WaitForCircuitAsync(page);
        await ChooseFileAsync(page, file);
        await Assertions.Expect(page.Locator("#admin-task-done")).ToContainTextAsync("Imported 0 events, skipped 0 already stored, rejected 25 lines", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#admin-task h3")).ToHaveTextAsync($"The first {AdminTasks.RejectedShown} of 25 rejected lines");
        var lines = await page.Locator("#admin-rejected tbody tr td:first-child").AllTextContentsAsync();
        Assert.Equal(Enumerable.Range(1, AdminTasks.RejectedShown).Select(n => n.ToString(CultureInfo.InvariantCulture)), lines);
    }

    [Fact]
    public async Task A_file_the_importer_cannot_read_is_refused_before_it_is_uploaded()
    {
        var file = server.Sandbox.WriteFile("events.xlsx", "not events");
        var page = await server.SignInAsync("admin", "es-ES");
        await UiServer.WaitForCircuitAsync(page);
        await ChooseFileAsync(page, file);
        await Assertions.Expect(page.Locator("#admin-problem")).ToContainTextAsync("events.xlsx no se puede importar: los archivos de eventos son JSON Lines");
    }

    [Fact]
    public async Task A_rebuild_shows_its_outcome_and_copies_every_touchpoint()
    {
        var page = await server.SignInAsync("admin");
        await UiServer.WaitForCircuitAsync(page);
        await page.Locator("#rebuild-analytics").ClickAsync();
        await Assertions.Expect(page.Locator("#admin-task h2")).ToHaveTextAsync("Rebuild of the analytics store");
        var done = page.Locator("#admin-task-done");
        await Assertions.Expect(done).ToContainTextAsync("Copied ", new() { Timeout = 120_000 });

        // Counted independently, straight from the system of record.
        await using var db = new CxoDbFactory(DatabaseLocation.Parse("sqlite:" + server.Sandbox.PathOf("data/opencxo.db"))).CreateDbContext();
        var stored = await db.Interactions.LongCountAsync();
        await Assertions.Expect(done).ToContainTextAsync($"Copied {stored.ToString("N0", CultureInfo.GetCultureInfo("en-GB"))} touchpoints");

        // Dashboards answer from the rebuilt store.
        await page.GotoAsync("/cxo");
        await UiServer.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator(".cxo-kpi-value").First).Not.ToHaveTextAsync("0");
    }

    /// <summary>As a person does it: the button opens the browser's file chooser, and the file is picked there.</summary>
    private static async Task ChooseFileAsync(IPage page, string file)
    {
        var chooser = await page.RunAndWaitForFileChooserAsync(() => page.Locator("#import-events").ClickAsync());
        await chooser.SetFilesAsync(file);
    }
}
