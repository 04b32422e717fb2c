using System.Diagnostics;
using System.Globalization;
using OpenCxo.App.Cases;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Profiles;
using OpenCxo.Data.Ingest;
using OpenCxo.Data.Storage;

/// <summary>
/// Issue 8: case creation against ingest. N events for N / 5 customers in one SQLite file — service contacts with
/// teams, and one in ten a survey answer (a third of them detractors, one in twenty CSAT 1–2) — ingested, then one
/// opener pass over all of them, as the server's job runs it; then a second pass (nothing to open: the cost of
/// checking), and the events per second each pass keeps up with.
/// </summary>
internal static class CaseBench
{
    public static async Task RunAsync(string work, int events)
    {
        var path = Path.Combine(work, "cases.db");
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }

        var location = DatabaseLocation.Parse("sqlite:" + path);
        var factory = new CxoDbFactory(location);
        await factory.MigrateAsync();
        await using (var db = factory.CreateDbContext())
        {
            if (!db.Workspaces.Any())
            {
                db.Workspaces.Add(new Workspace { Slug = "bench", Name = "bench", CreatedAt = DateTime.UtcNow });
                await db.SaveChangesAsync();
            }
        }

        var random = new Random(3);
        var start = DateTime.UtcNow.AddDays(-10);
        string[] teams = ["L1", "L2", "night"];
        var batch = new List<CanonicalEvent>();
        var clock = Stopwatch.StartNew();
        await using (var ingestor = new EventIngestor(factory, TimeProvider.System))
        {
            for (var i = 0; i < events; i++)
            {
                var customer = random.Next(events / 5);
                var at = start.AddSeconds(i * (10 * 86_400.0 / events));
                var survey = random.Next(10) == 0;
                var attributes = survey
                    ? random.Next(2) == 0
                        ? $$"""{"survey":"nps","npsScore":{{(random.Next(3) == 0 ? random.Next(0, 7) : random.Next(7, 11))}}}"""
                        : $$"""{"survey":"csat","csatScore":{{(random.Next(20) == 0 ? random.Next(1, 3) : random.Next(3, 6))}}}"""
                    : $$"""{"team":"{{teams[random.Next(teams.Length)]}}","handleSeconds":{{random.Next(60, 900)}}}""";
                batch.Add(new CanonicalEvent(
                    "e" + i.ToString(CultureInfo.InvariantCulture), [IdentityKey.Email($"c{customer}@example.com")], at, Department.Service,
                    survey ? Channel.Email : Channel.Phone, survey ? "survey.response" : "call.completed", 0, null, null, attributes, []));
                if (batch.Count == 10_000)
                {
                    await ingestor.IngestAsync(1, batch);
                    batch.Clear();
                }
            }

            if (batch.Count > 0)
            {
                await ingestor.IngestAsync(1, batch);
            }
        }

        var ingest = clock.Elapsed.TotalSeconds;
        var cases = new CaseService(factory, TimeProvider.System);
        clock.Restart();
        var first = await cases.RunAsync(CancellationToken.None);
        var open = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var second = await cases.RunAsync(CancellationToken.None);
        var check = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cases: ingested {events:N0} events in {ingest:0.0} s ({events / ingest:N0}/s); the opener read them and opened {first.Opened:N0} cases in {open:0.00} s ({events / open:N0} events/s, {first.Opened / open:N0} cases/s); a second pass {check * 1000:0} ms, {second.Opened} opened"));
    }
}
