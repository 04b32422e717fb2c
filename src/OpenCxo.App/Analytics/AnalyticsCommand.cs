using System.CommandLine;
using OpenCxo.App.Security;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Analytics;

public static class AnalyticsCommand
{
    public static Command Create()
    {
        var path = new Option<string?>("--path") { Description = "The DuckDB file (default: beside the SQLite file)" };
        var rebuild = new Command("rebuild", "Recreate the analytics store from the system of record") { path };
        rebuild.SetAction((result, cancellationToken) => Cli.Cli.RunAsync(async () =>
        {
            var location = Cli.Cli.Database(result);
            var factory = new CxoDbFactory(location);
            await Cli.Cli.PrepareDatabaseAsync(factory, cancellationToken).ConfigureAwait(false);
            var file = result.GetValue(path) ?? AnalyticsStore.DefaultPathFor(location);
            await using var store = new AnalyticsStore(file, factory);
            var done = await store.RebuildAsync(cancellationToken).ConfigureAwait(false);
            Console.Out.WriteLine($"Rebuilt {file}: {done.InteractionsCopied:N0} interactions, {done.MergesCopied:N0} merges in {done.Elapsed.TotalSeconds:0.0} s");
            return Cli.Cli.Ok;
        }));
        return new Command("analytics", "The analytics store (DuckDB)") { rebuild };
    }
}
