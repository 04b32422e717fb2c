using System.CommandLine;
using OpenCxo.App.Feedback;
using OpenCxo.App.Hosting;
using OpenCxo.App.Security;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Profiles;
using OpenCxo.Data.Ingest;
using OpenCxo.Data.Storage;
using Spectre.Console;

namespace OpenCxo.App.Ingest;

public static class ImportCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "JSON Lines (.jsonl, .ndjson) or CSV (.csv) file of events; .gz allowed" };
        var workspace = Cli.Cli.Workspace();
        var json = Cli.Cli.Json();
        var commitEvery = new Option<int>("--commit-every")
        {
            Description = "Events per transaction: an interrupted import keeps what was committed, and a re-run skips it",
            DefaultValueFactory = _ => 250_000,
        };
        var events = new Command("events", "Import events; bad lines go to FILE.rejected.jsonl, good ones are all imported, re-runs import nothing twice")
        {
            file, workspace, json, commitEvery,
        };
        events.SetAction((result, cancellationToken) =>
        {
            var size = result.GetValue(commitEvery);
            return size is < 1 or > 10_000_000
                ? Task.FromResult(Cli.Cli.Usage("--commit-every must be between 1 and 10,000,000"))
                : RunAsync(result, file, workspace, json, "events", "lines", (settings, factory, ingestor, workspaceId, path, progress) =>
                    new EventFileImporter(new EventParser(new IdentityNormalizer(settings.DefaultRegion)), ingestor) { CommitEvery = size }
                        .ImportAsync(path, workspaceId, progress, cancellationToken), cancellationToken);
        });

        var responsesFile = new Argument<FileInfo>("file")
        {
            Description = "CSV (.csv, .csv.gz): id, answeredAt, survey, an identity (email, phone, ext.SYSTEM), a column per question key; "
                + "optional language, channel, triggerEventId; several choices in one cell separated by |",
        };
        var responses = new Command("responses", "Import survey responses collected elsewhere; bad rows go to FILE.rejected.jsonl, re-runs import nothing twice")
        {
            responsesFile, workspace, json,
        };
        responses.SetAction((result, cancellationToken) =>
            RunAsync(result, responsesFile, workspace, json, "responses", "rows", (settings, factory, ingestor, workspaceId, path, progress) =>
                new ResponseFileImporter(factory, new EventParser(new IdentityNormalizer(settings.DefaultRegion)), ingestor)
                    .ImportAsync(path, workspaceId, progress, cancellationToken), cancellationToken));
        return new Command("import", "Import data") { events, responses };
    }

    private delegate Task<ImportSummary> Importer(
        HostSettings settings, CxoDbFactory factory, EventIngestor ingestor, long workspaceId, string path, IProgress<ImportProgress>? progress);

    /// <summary>What every import shares: the database, the workspace, progress, and the summary (a line, or JSON).</summary>
    private static Task<int> RunAsync(
        ParseResult result, Argument<FileInfo> file, Option<string> workspace, Option<bool> json, string things, string rows, Importer import, CancellationToken cancellationToken) =>
        Cli.Cli.RunAsync(async () =>
        {
            var settings = Cli.Cli.Settings(result);
            var factory = new CxoDbFactory(settings.Database);
            await Cli.Cli.PrepareDatabaseAsync(factory, cancellationToken).ConfigureAwait(false);
            long workspaceId;
            await using (var db = factory.CreateDbContext())
            {
                workspaceId = (await Workspaces.GetOrCreateAsync(db, result.GetValue(workspace)!, DateTime.UtcNow, cancellationToken).ConfigureAwait(false)).Id;
            }

            await using var ingestor = new EventIngestor(factory, TimeProvider.System);
            var path = result.GetValue(file)!.FullName;
            var asJson = result.GetValue(json);
            ImportSummary summary;
            try
            {
                summary = await WithProgressAsync(path, asJson, progress => import(settings, factory, ingestor, workspaceId, path, progress)).ConfigureAwait(false);
            }
            catch (ImportException e)
            {
                return Cli.Cli.Fail(e.Message);
            }

            if (asJson)
            {
                Cli.Cli.WriteJson(summary);
            }
            else
            {
                Console.Out.WriteLine($"Imported {summary.Imported:N0} {things}, {summary.Duplicates:N0} duplicates skipped, {summary.Rejected:N0} rejected in {summary.Seconds:0.0} s ({(summary.Seconds > 0 ? summary.Imported / summary.Seconds : 0):N0} {things}/s).");
                if (summary.RejectedFile is not null)
                {
                    Console.Out.WriteLine($"Rejected {rows}, with line numbers and reasons: {summary.RejectedFile}");
                }
            }

            return Cli.Cli.Ok;
        });

    /// <summary>A progress bar on a terminal, plain lines in a log, nothing with --json (standard output is the summary).</summary>
    private static async Task<ImportSummary> WithProgressAsync(string path, bool asJson, Func<IProgress<ImportProgress>?, Task<ImportSummary>> import)
    {
        if (asJson || Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            return await import(asJson ? null : new Cli.PlainProgress<ImportProgress>(p =>
                $"{p.Lines:N0} lines, {(p.TotalBytes > 0 ? 100.0 * p.BytesRead / p.TotalBytes : 0):0}%")).ConfigureAwait(false);
        }

        ImportSummary? summary = null;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Path.GetFileName(path), maxValue: Math.Max(1, new FileInfo(path).Length));
                var progress = new Progress<ImportProgress>(p =>
                {
                    task.MaxValue = Math.Max(1, p.TotalBytes);
                    task.Value = p.BytesRead;
                    task.Description = $"{Path.GetFileName(path)} {p.Lines:N0} lines";
                });
                summary = await import(progress).ConfigureAwait(false);
                task.Value = task.MaxValue;
            }).ConfigureAwait(false);
        return summary!;
    }
}
