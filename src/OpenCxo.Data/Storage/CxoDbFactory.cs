using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace OpenCxo.Data.Storage;

/// <summary>Creates contexts and raw connections for one <see cref="DatabaseLocation"/>.</summary>
public sealed class CxoDbFactory(DatabaseLocation location)
{
    private readonly DbContextOptions _options = BuildOptions(location);

    public DatabaseLocation Location => location;

    public CxoDb CreateDbContext() => location.Provider switch
    {
        DatabaseProvider.Sqlite => new SqliteCxoDb((DbContextOptions<SqliteCxoDb>)_options),
        _ => new PostgresCxoDb((DbContextOptions<PostgresCxoDb>)_options),
    };

    public static DbContextOptions BuildOptions(DatabaseLocation location)
    {
        if (location.Provider == DatabaseProvider.Sqlite)
        {
            var sqlite = new DbContextOptionsBuilder<SqliteCxoDb>()
                .UseSqlite(location.ConnectionString)
                .AddInterceptors(SqlitePragmas.Instance, AuditInterceptor.Instance);
            return sqlite.Options;
        }

        var postgres = new DbContextOptionsBuilder<PostgresCxoDb>()
            .UseNpgsql(location.ConnectionString)
            .AddInterceptors(AuditInterceptor.Instance);
        return postgres.Options;
    }

    /// <summary>Creates the folder of a SQLite file and applies pending migrations.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        if (location.SqlitePath is { } path)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        }

        await using var db = CreateDbContext();
        await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        if (location.Provider == DatabaseProvider.Sqlite)
        {
            // WAL lets readers (the API, the analytics sync) run while an import writes; it is a property of the file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<string>> PendingMigrationsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = CreateDbContext();
        return [.. await db.Database.GetPendingMigrationsAsync(cancellationToken).ConfigureAwait(false)];
    }
}

/// <summary>Per-connection SQLite settings: NORMAL sync is durable in WAL mode except on power loss of the last commit.</summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    public static readonly SqlitePragmas Instance = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    public static void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;";
        command.ExecuteNonQuery();
    }
}

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteCxoDb>
{
    public SqliteCxoDb CreateDbContext(string[] args) =>
        new((DbContextOptions<SqliteCxoDb>)CxoDbFactory.BuildOptions(DatabaseLocation.Parse("sqlite:design-time.db")));
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresCxoDb>
{
    public PostgresCxoDb CreateDbContext(string[] args) =>
        new((DbContextOptions<PostgresCxoDb>)CxoDbFactory.BuildOptions(DatabaseLocation.Parse("postgres:Host=localhost;Database=opencxo")));
}
