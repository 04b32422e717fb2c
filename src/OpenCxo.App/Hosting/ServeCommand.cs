using System.CommandLine;
using OpenCxo.App.Cli;
using OpenCxo.App.Demo;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Hosting;

public static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls") { Description = "Where to listen", DefaultValueFactory = _ => "http://localhost:5080" };
        var demo = new Option<bool>("--demo") { Description = "Load the demo company on first run; print a demo API key and a password for each demo user (one per role)" };
        var command = new Command("serve", "Run OpenCXO: the web UI and the API (migrates an embedded SQLite database first)") { urls, demo };
        command.SetAction((result, cancellationToken) => Cli.Cli.RunAsync(async () =>
        {
            var settings = Cli.Cli.Settings(result) with { Urls = result.GetValue(urls)! };
            var factory = new CxoDbFactory(settings.Database);
            await Cli.Cli.PrepareDatabaseAsync(factory, cancellationToken).ConfigureAwait(false);

            await using var app = OpenCxoHost.Build(settings);
            if (result.GetValue(demo))
            {
                await DemoLoader.PrepareAsync(app.Services, settings.Urls, Console.Out, cancellationToken).ConfigureAwait(false);
            }

            // From here on, requests and circuits name their own actors; background jobs answer to nobody.
            AuditContext.Current = null;
            // Said once the server accepts connections, not before: scripts and tests wait for this line.
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            Console.Out.WriteLine($"OpenCXO listening on {settings.Urls} (database {settings.Database}); Ctrl+C stops.");
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            return Cli.Cli.Ok;
        }));
        return command;
    }
}

public static class DbCommand
{
    public static Command Create()
    {
        var migrate = new Command("migrate", "Apply pending migrations to the database given by --db / OPENCXO_DB");
        migrate.SetAction((result, cancellationToken) => Cli.Cli.RunAsync(async () =>
        {
            var factory = new CxoDbFactory(Cli.Cli.Database(result));
            var pending = await factory.PendingMigrationsAsync(cancellationToken).ConfigureAwait(false);
            await factory.MigrateAsync(cancellationToken).ConfigureAwait(false);
            Console.Out.WriteLine(pending.Count == 0
                ? $"{factory.Location}: up to date"
                : $"{factory.Location}: applied {string.Join(", ", pending)}");
            return Cli.Cli.Ok;
        }));
        return new Command("db", "Database maintenance") { migrate };
    }
}
