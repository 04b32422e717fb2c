using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenCxo.App.Security;
using OpenCxo.Core.Demo;
using OpenCxo.Core.Ingest;
using OpenCxo.Data.Ingest;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Demo;

/// <summary>Loads the demo company into a workspace through the same ingest path real data takes.</summary>
public static class DemoLoader
{
    public const string DemoKeyName = "demo";
    private const int BatchSize = 10_000;

    /// <summary>For <c>serve --demo</c>: load the demo company if the default workspace is empty, and print a fresh demo key.</summary>
    public static async Task PrepareAsync(IServiceProvider services, string urls, TextWriter output, CancellationToken cancellationToken)
    {
        var factory = services.GetRequiredService<CxoDbFactory>();
        var ingestor = services.GetRequiredService<EventIngestor>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        await using var db = factory.CreateDbContext();
        var workspace = await Workspaces.GetOrCreateAsync(db, Workspaces.DefaultSlug, now, cancellationToken).ConfigureAwait(false);
        if (!await db.Interactions.AnyAsync(x => x.WorkspaceId == workspace.Id, cancellationToken).ConfigureAwait(false))
        {
            output.WriteLine("Loading the demo company (first run)…");
            // The story ends today, so that "the last four weeks" of every report hold the demo's latest weeks.
            var (events, seconds) = await LoadAsync(ingestor, workspace.Id, new DemoOptions { End = now.Date }, cancellationToken).ConfigureAwait(false);
            output.WriteLine($"Loaded {events:N0} demo touchpoints in {seconds:0.0} s.");
        }

        // Only a hash of a key is stored, so the demo key is replaced at every start to be printable.
        await ApiKeyService.RevokeByNameAsync(db, workspace.Id, DemoKeyName, now, cancellationToken).ConfigureAwait(false);
        var key = await ApiKeyService.CreateAsync(db, workspace.Slug, DemoKeyName, [Scopes.Admin], now, cancellationToken: cancellationToken).ConfigureAwait(false);
        output.WriteLine($"Demo API key (admin, replaced at every start): {key.Key}");
        var baseUrl = urls.Split(';', StringSplitOptions.RemoveEmptyEntries)[0].TrimEnd('/');
        output.WriteLine($"Try: curl -H \"Authorization: Bearer {key.Key}\" \"{baseUrl}/api/v1/stats/interactions?groupBy=department\"");

        // One user per role, named after it; like the key, passwords are new at every start because only hashes are kept.
        output.WriteLine($"Web UI: {baseUrl}/ — demo users (passwords replaced at every start):");
        foreach (var role in Roles.All)
        {
            var password = await UserAccounts.ResetPasswordAsync(db, role, null, cancellationToken).ConfigureAwait(false)
                ?? (await UserAccounts.CreateAsync(db, workspace.Slug, role, role, null, now, cancellationToken).ConfigureAwait(false)).Password;
            output.WriteLine($"  {role,-10} {password}");
        }

        // After the users: the KPIs' RACI names them.
        if (await Kpis.DemoKpis.SeedAsync(services, workspace.Id, cancellationToken).ConfigureAwait(false) is > 0 and var seeded)
        {
            output.WriteLine($"Set {seeded} demo KPIs with their owners; see {baseUrl}/kpis and the CX council report at {baseUrl}/council.");
        }

        if (await Alignment.DemoPromises.SeedAsync(services, workspace.Id, cancellationToken).ConfigureAwait(false) is > 0 and var promised)
        {
            output.WriteLine($"Set {promised} demo promises; see {baseUrl}/promises.");
        }

        if (await Campaigns.DemoCampaigns.SeedAsync(services, workspace.Id, cancellationToken).ConfigureAwait(false) is > 0 and var built)
        {
            output.WriteLine($"Set {built} demo segments and a draft recovery campaign with its power calculation; see {baseUrl}/segments and {baseUrl}/campaigns.");
        }

        if (await Initiatives.DemoInitiatives.SeedAsync(services, workspace.Id, cancellationToken).ConfigureAwait(false) is > 0 and var planned)
        {
            output.WriteLine($"Set {planned} demo CX initiatives, with a duplicated effort and a conflict for the council; see {baseUrl}/initiatives.");
        }

        if (await Maturity.DemoMaturity.SeedAsync(services, workspace.Id, cancellationToken).ConfigureAwait(false) is > 0 and var assessed)
        {
            output.WriteLine($"Recorded {assessed} past CX maturity assessments; see {baseUrl}/maturity.");
        }
    }

    public static async Task<(long Events, double Seconds)> LoadAsync(EventIngestor ingestor, long workspaceId, DemoOptions options, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await using var session = ingestor.BeginSession(workspaceId);
        foreach (var batch in DemoCompany.Generate(options).Chunk(BatchSize))
        {
            await session.IngestAsync(batch, cancellationToken).ConfigureAwait(false);
        }

        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (session.Accepted, clock.Elapsed.TotalSeconds);
    }

    public static Command Create()
    {
        var customers = new Option<int>("--customers") { Description = "How many customers (about 40 touchpoints each)", DefaultValueFactory = _ => 5_000 };
        var seed = new Option<int>("--seed") { Description = "Random seed: the same seed gives the same company", DefaultValueFactory = _ => 42 };
        var output = new Option<FileInfo?>("--out") { Description = "Write the events as JSON Lines to this file instead of loading them" };
        var workspace = Cli.Cli.Workspace();
        var generate = new Command("generate", "Create the bilingual demo company (Spanish/English) and load it, or write it with --out") { customers, seed, output, workspace };
        generate.SetAction((result, cancellationToken) => Cli.Cli.RunAsync(async () =>
        {
            var count = result.GetValue(customers);
            if (count is < 1 or > 10_000_000)
            {
                return Cli.Cli.Usage("--customers must be between 1 and 10,000,000");
            }

            var options = new DemoOptions(count, result.GetValue(seed));
            if (result.GetValue(output) is { } file)
            {
                var written = WriteJsonLines(options, file.FullName);
                Console.Out.WriteLine($"Wrote {written:N0} events to {file.FullName}");
                return Cli.Cli.Ok;
            }

            var settings = Cli.Cli.Settings(result);
            var factory = new CxoDbFactory(settings.Database);
            await Cli.Cli.PrepareDatabaseAsync(factory, cancellationToken).ConfigureAwait(false);
            await using var db = factory.CreateDbContext();
            var space = await Workspaces.GetOrCreateAsync(db, result.GetValue(workspace)!, DateTime.UtcNow, cancellationToken).ConfigureAwait(false);
            await using var ingestor = new EventIngestor(factory, TimeProvider.System);
            var (events, seconds) = await LoadAsync(ingestor, space.Id, options, cancellationToken).ConfigureAwait(false);
            Console.Out.WriteLine($"Loaded {events:N0} new demo touchpoints into workspace '{space.Slug}' in {seconds:0.0} s (already stored ones are skipped).");
            return Cli.Cli.Ok;
        }));
        return new Command("demo", "Demo data") { generate };
    }

    public static long WriteJsonLines(DemoOptions options, string path)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using var json = new Utf8JsonWriter(stream);
        long count = 0;
        foreach (var e in DemoCompany.Generate(options))
        {
            CanonicalEventWriter.Write(json, e);
            json.Flush();
            json.Reset();
            stream.WriteByte((byte)'\n');
            count++;
        }

        return count;
    }
}
