using System.CommandLine;
using System.Globalization;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Hosting;

/// <summary><c>cxo backup</c> and <c>cxo restore</c> for the embedded SQLite database.</summary>
public static class BackupCommand
{
    public static Command Backup()
    {
        var file = new Argument<FileInfo>("file") { Description = "The new backup file (never overwritten)" };
        var backup = new Command("backup", "Copy the SQLite database to a file while the server keeps running (SQLite's online backup); the copy is checked") { file };
        backup.SetAction((result, ct) => Cli.Cli.RunAsync(async () =>
        {
            var location = Cli.Cli.Database(result);
            var factory = new CxoDbFactory(location);
            await Cli.Cli.PrepareDatabaseAsync(factory, ct).ConfigureAwait(false);
            var copy = await Task.Run(() => SqliteBackup.Backup(location, result.GetValue(file)!.FullName), ct).ConfigureAwait(false);
            await AuditTrail.RecordAsync(factory, AuditActor.Cli(), null, "backup", copy.Path, Size(copy.Bytes), DateTime.UtcNow, ct).ConfigureAwait(false);
            Console.Out.WriteLine($"Backed up {location} to {copy.Path} ({Size(copy.Bytes)}, integrity {copy.Integrity}).");
            return Cli.Cli.Ok;
        }));
        return backup;
    }

    public static Command Restore()
    {
        var file = new Argument<FileInfo>("file") { Description = "A file made by 'cxo backup'" };
        var yes = new Option<bool>("--yes") { Description = "Confirm: the database given by --db is replaced" };
        var restore = new Command("restore", "Replace the SQLite database with a backup (stop the server first); the analytics store is rebuilt from it on next use") { file, yes };
        restore.SetAction((result, ct) => Cli.Cli.RunAsync(async () =>
        {
            if (!result.GetValue(yes))
            {
                return Cli.Cli.Usage("restoring replaces the database: stop the server, then add --yes to confirm");
            }

            var location = Cli.Cli.Database(result);
            var source = result.GetValue(file)!.FullName;
            var restored = await Task.Run(() => SqliteBackup.Restore(source, location), ct).ConfigureAwait(false);

            // The analytics store described the data before the restore: it is copied again from the restored database.
            var store = AnalyticsStore.DefaultPathFor(location);
            File.Delete(store);
            File.Delete(store + ".wal");

            var factory = new CxoDbFactory(location);
            await Cli.Cli.PrepareDatabaseAsync(factory, ct).ConfigureAwait(false);
            await AuditTrail.RecordAsync(factory, AuditActor.Cli(), null, "restore", source, Size(restored.Bytes), DateTime.UtcNow, ct).ConfigureAwait(false);
            Console.Out.WriteLine($"Restored {location} from {source} ({Size(restored.Bytes)}, integrity {restored.Integrity}); the analytics store will be rebuilt.");
            return Cli.Cli.Ok;
        }));
        return restore;
    }

    private static string Size(long bytes) => (bytes / 1_048_576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MB";
}
