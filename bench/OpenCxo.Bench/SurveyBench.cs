using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using OpenCxo.App.Feedback;
using OpenCxo.App.Hosting;
using OpenCxo.App.Security;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Profiles;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Ingest;
using OpenCxo.Data.Storage;

/// <summary>
/// Issue 4's figures. <c>survey</c>: the hosted page's first byte and weight, and responses accepted per second over
/// real HTTP on loopback, for a bounded time. <c>metrics</c>: NPS, CSAT and CES over N imported responses, sliced.
/// </summary>
internal static class SurveyBench
{
    public static async Task PageAndResponsesAsync(string work, int invitations, int clients, int seconds)
    {
        var location = await FreshAsync(work, "survey");
        const string Url = "http://127.0.0.1:5098";
        await using var app = OpenCxoHost.Build(new HostSettings(location) { Urls = Url, AnalyticsPath = Path.Combine(work, "survey.duckdb") });
        await app.StartAsync();
        string key;
        await using (var db = new CxoDbFactory(location).CreateDbContext())
        {
            key = (await ApiKeyService.CreateAsync(db, "default", "bench", [Scopes.Admin], DateTime.UtcNow)).Key;
        }

        using var api = new HttpClient { BaseAddress = new Uri(Url) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        (await api.PostAsJsonAsync("/api/v1/surveys", Survey())).EnsureSuccessStatusCode();
        (await api.PostAsync("/api/v1/surveys/after-ticket/publish", null)).EnsureSuccessStatusCode();

        // Customers, then one invitation each through the API, as a company's own tool would ask for them.
        var clock = Stopwatch.StartNew();
        foreach (var chunk in Enumerable.Range(0, invitations).Chunk(1_000))
        {
            var events = new JsonArray([.. chunk.Select(i => (JsonNode)new JsonObject
            {
                ["id"] = $"ticket-{i}",
                ["customer"] = new JsonObject { ["email"] = $"c{i}@example.com", ["attributes"] = new JsonObject { ["language"] = i % 2 == 0 ? "es" : "en" } },
                ["occurredAt"] = "2026-11-20T10:00:00Z",
                ["department"] = "service",
                ["channel"] = i % 3 == 0 ? "phone" : "chat",
                ["type"] = "ticket.resolved",
                ["attributes"] = new JsonObject { ["team"] = "L" + (i % 3 + 1) },
            })]);
            (await api.PostAsJsonAsync("/api/v1/events", new JsonObject { ["events"] = events })).EnsureSuccessStatusCode();
        }

        var tokens = new string[invitations];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < invitations)
            {
                using var response = await api.PostAsJsonAsync("/api/v1/surveys/after-ticket/invitations", new JsonObject { ["email"] = $"c{i}@example.com", ["triggerEventId"] = $"ticket-{i}" });
                response.EnsureSuccessStatusCode();
                tokens[i] = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["token"]!;
            }
        }));
        Console.WriteLine($"survey: {invitations:N0} customers and invitations set up in {clock.Elapsed.TotalSeconds:0.0} s");

        // The page: time to the first byte of the response (headers read), and its whole weight.
        using var visitor = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(Url) };
        var firstBytes = new List<double>();
        var bytes = 0;
        for (var i = 0; i < Math.Min(2_000, invitations); i++)
        {
            var start = Stopwatch.GetTimestamp();
            using var response = await visitor.GetAsync("/s/" + tokens[i], HttpCompletionOption.ResponseHeadersRead);
            firstBytes.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            var body = await response.Content.ReadAsByteArrayAsync();
            bytes = Math.Max(bytes, body.Length);
        }

        firstBytes.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"survey page: first byte p50 {At(firstBytes, 0.5):0.00} ms, p95 {At(firstBytes, 0.95):0.00} ms, p99 {At(firstBytes, 0.99):0.00} ms ({firstBytes.Count:N0} pages); {bytes:N0} bytes of HTML, CSS and script"));

        // Accepting responses: every client sends completed forms to personal links, for at most the given time.
        var sent = 0L;
        var refused = 0L;
        next = -1;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        clock.Restart();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(Url) };
            int i;
            while (!stop.IsCancellationRequested && (i = Interlocked.Increment(ref next)) < invitations)
            {
                var score = (i * 7) % 11;
                var form = new List<KeyValuePair<string, string>> { new("nps", score.ToString(CultureInfo.InvariantCulture)), new("effort", (1 + i % 7).ToString(CultureInfo.InvariantCulture)) };
                if (score <= 6)
                {
                    form.Add(new("what_went_wrong", "Tardaron demasiado en contestar"));
                }

                using var response = await client.PostAsync("/s/" + tokens[i], new FormUrlEncodedContent(form));
                Interlocked.Increment(ref response.StatusCode == HttpStatusCode.Redirect ? ref sent : ref refused);
            }
        }));
        var elapsed = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"survey responses: {sent:N0} accepted ({refused:N0} refused) in {elapsed:0.00} s with {clients} clients: {sent / elapsed:N0} responses/s"));

        await using (var db = new CxoDbFactory(location).CreateDbContext())
        {
            Console.WriteLine($"survey: stored {db.SurveyResponses.Count(r => r.Final):N0} final responses and {db.Interactions.Count(i => i.Type == "survey.response"):N0} survey.response touchpoints");
        }

        await app.StopAsync();
    }

    public static async Task MetricsAsync(string work, int responses)
    {
        var location = await FreshAsync(work, "metrics");
        var factory = new CxoDbFactory(location);
        long workspace;
        await using (var db = factory.CreateDbContext())
        {
            workspace = (await Workspaces.GetOrCreateAsync(db, "default", DateTime.UtcNow)).Id;
            var definition = System.Text.Json.JsonSerializer.SerializeToElement(Survey().Where(p => p.Key != "key").ToDictionary(p => p.Key, p => p.Value));
            await Surveys.CreateAsync(db, workspace, "after-ticket", definition, DateTime.UtcNow, default);
            await Surveys.PublishAsync(db, workspace, "after-ticket", DateTime.UtcNow, default);
        }

        var file = Path.Combine(work, $"responses-{responses}.csv");
        if (!File.Exists(file))
        {
            var random = new Random(4);
            string[] channels = ["phone", "chat", "email", "web", "store"];
            await using var writer = new StreamWriter(file, false, new UTF8Encoding(false));
            await writer.WriteLineAsync("id,answeredAt,survey,email,channel,nps,effort");
            var from = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            for (var i = 0; i < responses; i++)
            {
                var at = from.AddMinutes(random.Next(700 * 24 * 60));
                await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"r{i},{at:yyyy-MM-ddTHH:mm:ssZ},after-ticket,c{random.Next(responses / 3)}@example.com,{channels[random.Next(channels.Length)]},{random.Next(11)},{random.Next(1, 8)}"));
            }
        }

        var clock = Stopwatch.StartNew();
        await using (var ingestor = new EventIngestor(factory, TimeProvider.System))
        {
            var importer = new ResponseFileImporter(factory, new EventParser(new IdentityNormalizer("ES")), ingestor);
            var summary = await importer.ImportAsync(file, workspace, null, default);
            Console.WriteLine($"metrics: imported {summary.Imported:N0} responses ({summary.Rejected:N0} rejected) in {clock.Elapsed.TotalSeconds:0.0} s, {summary.Imported / clock.Elapsed.TotalSeconds:N0} responses/s");
        }

        // Profile attributes to split by: a plan (5 values), a country (20) and a city (1,000), written straight into
        // the system of record as ingest would have left them.
        await using (var db = factory.CreateDbContext())
        {
            await db.Database.ExecuteSqlRawAsync("""
                INSERT INTO customer_traits (workspace_id, customer_id, name, value_json, observed_at)
                SELECT workspace_id, id, 'plan', json_quote('plan-' || (id % 5)), 0 FROM customers
                UNION ALL SELECT workspace_id, id, 'country', json_quote('country-' || (id % 20)), 0 FROM customers
                UNION ALL SELECT workspace_id, id, 'city', json_quote('city-' || (id % 1000)), 0 FROM customers
                """);
        }

        await using var store = new AnalyticsStore(Path.Combine(work, "metrics.duckdb"), factory);
        clock.Restart();
        var synced = await store.SyncAsync();
        Console.WriteLine($"metrics: analytics store copied {synced.InteractionsCopied:N0} touchpoints and {synced.TraitsCopied:N0} customer attributes in {clock.Elapsed.TotalSeconds:0.0} s");

        // Each run asks a different period (one second apart), so no answer comes from the store's cache.
        var to = new DateTime(2027, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var slices = new (ScoreSlice Slice, string? Attribute)[]
        {
            (ScoreSlice.All, null), (ScoreSlice.Channel, null), (ScoreSlice.Month, null), (ScoreSlice.Week, null), (ScoreSlice.Survey, null),
            (ScoreSlice.Segment, null), (ScoreSlice.Attribute, "plan"), (ScoreSlice.Attribute, "country"), (ScoreSlice.Attribute, "city"),
        };
        foreach (var (slice, attribute) in slices)
        {
            var times = new List<double>();
            for (var run = 0; run < 7; run++)
            {
                var filter = DashboardFilter.Period(new DateTime(2024, 12, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(run), to);
                var start = Stopwatch.GetTimestamp();
                var counts = await store.ScoresAsync(workspace, filter, [], slice, attribute);
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                if (run == 0 && slice == ScoreSlice.All)
                {
                    Console.WriteLine($"metrics: {counts[0].Promoters + counts[0].Passives + counts[0].Detractors:N0} NPS answers in the store");
                }
            }

            times.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"metrics over {responses:N0} responses by {(attribute is null ? slice.ToString().ToLowerInvariant() : "customer attribute " + attribute)}: median {times[3]:0} ms, worst {times[^1]:0} ms (7 runs, nothing cached)"));
        }
    }

    private static JsonObject Survey() => JsonNode.Parse("""
        {"key":"after-ticket","title":{"en":"How did we do?","es":"¿Qué tal lo hicimos?"},
         "thanks":{"en":"Thank you","es":"Gracias"},
         "questions":[
           {"key":"nps","kind":"nps","prompt":{"en":"How likely are you to recommend us?","es":"¿Con qué probabilidad nos recomendaría?"},"required":true},
           {"key":"what_went_wrong","kind":"text","prompt":{"en":"What went wrong?","es":"¿Qué salió mal?"},"required":true,"showIf":{"question":"nps","atMost":6}},
           {"key":"effort","kind":"ces","prompt":{"en":"How easy was it?","es":"¿Qué tan fácil fue?"}}]}
        """)!.AsObject();

    private static double At(List<double> sorted, double q) => sorted[Math.Min(sorted.Count - 1, (int)(q * sorted.Count))];

    private static async Task<DatabaseLocation> FreshAsync(string work, string name)
    {
        var path = Path.Combine(work, name + ".db");
        foreach (var file in new[] { path, path + "-wal", path + "-shm", Path.Combine(work, name + ".duckdb"), Path.Combine(work, name + ".duckdb.wal") })
        {
            File.Delete(file);
        }

        var location = DatabaseLocation.Parse("sqlite:" + path);
        await new CxoDbFactory(location).MigrateAsync();
        return location;
    }
}
