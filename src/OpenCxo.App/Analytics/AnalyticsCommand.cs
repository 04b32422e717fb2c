using System.CommandLine;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Analytics;

public static class AnalyticsCommand
{
    public static Command Create()
    {
        var path = new Option<string?>("--path") { Description = "The DuckDB file (default: beside the SQLite file)" };
        var rebuild = new Command("rebuild", "Recreate the analytics store from the system of record") { path };
        rebuild.SetAction((result, cancellationToken) => RunAsync(result, path, "Rebuilt", (store, progress) => store.RebuildAsync(progress, cancellationToken), cancellationToken));
        var sync = new Command("sync", "Copy what the analytics store lacks (cxo serve does this by itself; this is for before it starts, e.g. after a large import)")
        {
            path,
        };
        sync.SetAction((result, cancellationToken) => RunAsync(result, path, "Synced", (store, progress) => store.SyncAsync(progress, cancellationToken), cancellationToken));
        return new Command("analytics", "The analytics store (DuckDB)") { rebuild, sync };
    }

    private static Task<int> RunAsync(
        ParseResult result, Option<string?> path, string done, Func<AnalyticsStore, IProgress<CopyProgress>, Task<SyncResult>> copy, CancellationToken cancellationToken) =>
        Cli.Cli.RunAsync(async () =>
        {
            var location = Cli.Cli.Database(result);
            var factory = new CxoDbFactory(location);
            await Cli.Cli.PrepareDatabaseAsync(factory, cancellationToken).ConfigureAwait(false);
            var file = result.GetValue(path) ?? AnalyticsStore.DefaultPathFor(location);
            await using var store = new AnalyticsStore(file, factory);
            // A line every few seconds: a large copy takes minutes.
            var copied = await copy(store, new Cli.PlainProgress<CopyProgress>(p => $"{p.Copied:N0} of {p.Total:N0} interactions ({p.Fraction:P0})")).ConfigureAwait(false);
            Console.Out.WriteLine($"{done} {file}: {copied.InteractionsCopied:N0} interactions, {copied.MergesCopied:N0} merges in {copied.Elapsed.TotalSeconds:0.0} s");
            return Cli.Cli.Ok;
        });
}
