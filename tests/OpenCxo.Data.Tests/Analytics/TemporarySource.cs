using Microsoft.Data.Sqlite;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.Data.Tests.Analytics;

/// <summary>
/// A migrated SQLite system of record in a temporary folder of its own, as the embedded deployment has it, with the
/// analytics store's default path beside it. The folder is deleted on dispose (stores opened on it are closed first).
/// </summary>
public sealed class TemporarySource : IDisposable
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

/// <summary>
/// A test class over a fixture of its own: a temporary system of record that <see cref="SeedAsync"/> fills, and an
/// analytics store synced from it once seeded.
/// </summary>
public abstract class SeededStoreTest(string name) : IAsyncLifetime
{
    protected TemporarySource Source { get; private set; } = null!;

    protected AnalyticsStore Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Source = await TemporarySource.CreateAsync(name);
        Store = new AnalyticsStore(Source.StorePath, Source.Factory);
        await using (var db = Source.Factory.CreateDbContext())
        {
            await SeedAsync(db);
        }

        await Store.SyncAsync();
    }

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        Source.Dispose();
    }

    /// <summary>Writes the fixture (and saves it) before the store's first sync.</summary>
    protected abstract Task SeedAsync(CxoDb db);
}
