using System.CommandLine;
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
        events.SetAction((result, cancellationToken) => Cli.Cli.RunAsync(async () =>
        {
            var size = result.GetValue(commitEvery);
            if (size is < 1 or > 10_000_000)
            {
                return Cli.Cli.Usage("--commit-every must be between 1 and 10,000,000");
            }

            var settings = Cli.Cli.Settings(result);
            var factory = new CxoDbFactory(settings.Database);
            await Cli.Cli.PrepareDatabaseAsync(factory, cancellationToken).ConfigureAwait(false);
            long workspaceId;
            await using (var db = factory.CreateDbContext())
            {
                workspaceId = (await Workspaces.GetOrCreateAsync(db, result.GetValue(workspace)!, DateTime.UtcNow, cancellationToken).ConfigureAwait(false)).Id;
            }

            await using var ingestor = new EventIngestor(factory, TimeProvider.System);
            var importer = new EventFileImporter(new EventParser(new IdentityNormalizer(settings.DefaultRegion)), ingestor) { CommitEvery = size };
            var path = result.GetValue(file)!.FullName;
            var asJson = result.GetValue(json);
            ImportSummary summary;
            try
            {
                summary = asJson || Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive
                    ? await importer.ImportAsync(path, workspaceId, asJson ? null : new PlainProgress(), cancellationToken).ConfigureAwait(false)
                    : await WithProgressBarAsync(importer, path, workspaceId, cancellationToken).ConfigureAwait(false);
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
                Console.Out.WriteLine($"Imported {summary.Imported:N0} events, {summary.Duplicates:N0} duplicates skipped, {summary.Rejected:N0} rejected in {summary.Seconds:0.0} s ({(summary.Seconds > 0 ? summary.Imported / summary.Seconds : 0):N0} events/s).");
                if (summary.RejectedFile is not null)
                {
                    Console.Out.WriteLine($"Rejected lines, with line numbers and reasons: {summary.RejectedFile}");
                }
            }

            return Cli.Cli.Ok;
        }));
        return new Command("import", "Import data") { events };
    }

    private static async Task<ImportSummary> WithProgressBarAsync(EventFileImporter importer, string path, long workspaceId, CancellationToken cancellationToken)
    {
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
                summary = await importer.ImportAsync(path, workspaceId, progress, cancellationToken).ConfigureAwait(false);
                task.Value = task.MaxValue;
            }).ConfigureAwait(false);
        return summary!;
    }

    /// <summary>Without a terminal: a plain line every few seconds, for logs.</summary>
    private sealed class PlainProgress : IProgress<ImportProgress>
    {
        private DateTime _next = DateTime.UtcNow.AddSeconds(5);

        public void Report(ImportProgress value)
        {
            if (DateTime.UtcNow < _next)
            {
                return;
            }

            _next = DateTime.UtcNow.AddSeconds(5);
            Console.Out.WriteLine($"… {value.Lines:N0} lines, {(value.TotalBytes > 0 ? 100.0 * value.BytesRead / value.TotalBytes : 0):0}%");
        }
    }
}
