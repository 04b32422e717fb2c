using Microsoft.Data.Sqlite;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.Data.Tests.Analytics;

/// <summary>
/// A migrated SQLite system of record in a temporary folder of its own, as the embedded deployment has it, with the
/// analytics store's default path beside it. The folder is deleted on dispose (stores opened on it are closed first).
/// </summary>
internal sealed class TemporarySource : IDisposable
{
    private TemporarySource(string folder, CxoDbFactory factory, string storePath) => (Folder, Factory, StorePath) = (folder, factory, storePath);

    public string Folder { get; }

    public CxoDbFactory Factory { get; }

    /// <summary>Where <see cref="AnalyticsStore.DefaultPathFor"/> puts the analytics store of this database.</summary>
    public string StorePath { get; }

    /// <param name="name">Part of the folder's name, to tell the tests' folders apart.</param>
    public static async Task<TemporarySource> CreateAsync(string name)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"opencxo-{name}-{Guid.NewGuid():N}");
        var location = DatabaseLocation.Parse("sqlite:" + Path.Combine(folder, "opencxo.db"));
        var factory = new CxoDbFactory(location);
        await factory.MigrateAsync();
        return new TemporarySource(folder, factory, AnalyticsStore.DefaultPathFor(location));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is harmless.
        }
    }
}
