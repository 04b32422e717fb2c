using Microsoft.Data.Sqlite;
using Npgsql;

namespace OpenCxo.Data.Storage;

/// <summary>
/// Where the system of record lives, as users write it: <c>sqlite:PATH</c> (the default, <c>./data/opencxo.db</c>)
/// or <c>postgres:CONNECTION-STRING</c>.
/// </summary>
public sealed record DatabaseLocation(DatabaseProvider Provider, string ConnectionString)
{
    public const string DefaultSqlitePath = "./data/opencxo.db";

    public static DatabaseLocation Default => Parse("sqlite:" + DefaultSqlitePath);

    /// <summary>The SQLite file, or null for PostgreSQL.</summary>
    public string? SqlitePath => Provider == DatabaseProvider.Sqlite ? new SqliteConnectionStringBuilder(ConnectionString).DataSource : null;

    public static DatabaseLocation Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Default;
        }

        if (text.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            var path = text["sqlite:".Length..].Trim();
            if (path.Length == 0)
            {
                throw new FormatException("--db sqlite: needs a file path, e.g. sqlite:./data/opencxo.db");
            }

            var builder = new SqliteConnectionStringBuilder
            {
                DataSource = Path.GetFullPath(path),
                Pooling = true,
                DefaultTimeout = 60,
            };
            return new DatabaseLocation(DatabaseProvider.Sqlite, builder.ConnectionString);
        }

        foreach (var prefix in new[] { "postgres:", "postgresql:" })
        {
            if (text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                var connection = text[prefix.Length..].Trim();
                try
                {
                    _ = new NpgsqlConnectionStringBuilder(connection);
                }
                catch (ArgumentException e)
                {
                    throw new FormatException($"--db postgres: the connection string is not valid: {e.Message}", e);
                }

                return new DatabaseLocation(DatabaseProvider.Postgres, connection);
            }
        }

        throw new FormatException($"--db must start with sqlite: or postgres: (got '{(text.Length > 40 ? text[..40] + "…" : text)}')");
    }

    /// <summary>A description safe to print: no password.</summary>
    public override string ToString() => Provider switch
    {
        DatabaseProvider.Sqlite => "sqlite:" + SqlitePath,
        _ => "postgres:" + Redacted(ConnectionString),
    };

    private static string Redacted(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.Password is not null)
        {
            builder.Password = "***";
        }

        return builder.ConnectionString;
    }
}
