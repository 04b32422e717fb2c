using Microsoft.Data.Sqlite;

namespace OpenCxo.Data.Storage;

/// <summary>
/// Online backups of the embedded SQLite database with SQLite's backup API: the copy is the database as of one
/// moment (a read transaction of the WAL-mode source), taken while the server goes on reading and writing.
/// </summary>
public static class SqliteBackup
{
    /// <summary>What a backup or restore produced: its size and what its integrity check said.</summary>
    public sealed record Result(string Path, long Bytes, string Integrity);

    /// <summary>Copies the database at <paramref name="source"/> to a new file <paramref name="target"/> and checks the copy.</summary>
    /// <exception cref="IOException">The target exists already.</exception>
    public static Result Backup(DatabaseLocation source, string target)
    {
        ArgumentNullException.ThrowIfNull(source);
        var from = source.SqlitePath ?? throw new InvalidOperationException(
            "cxo backup copies the embedded SQLite database; back PostgreSQL up with its own tools (pg_dump, or base backups with WAL archiving): see docs/reliability.md");
        if (!File.Exists(from))
        {
            throw new IOException($"no database at {from}");
        }

        target = Path.GetFullPath(target);
        if (File.Exists(target))
        {
            throw new IOException($"{target} exists already: a backup never overwrites a file");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var partial = target + ".partial";
        File.Delete(partial);
        using (var reading = Open(from, SqliteOpenMode.ReadOnly))
        using (var writing = Open(partial, SqliteOpenMode.ReadWriteCreate))
        {
            reading.BackupDatabase(writing);
            // The copy is one self-contained file: no write-ahead log beside it.
            Execute(writing, "PRAGMA journal_mode=DELETE;");
        }

        var integrity = Check(partial);
        if (integrity != "ok")
        {
            File.Delete(partial);
            throw new InvalidOperationException($"the copy failed its integrity check: {integrity}");
        }

        File.Move(partial, target);
        return new Result(target, new FileInfo(target).Length, integrity);
    }

    /// <summary>
    /// Replaces the database at <paramref name="target"/> with the backup <paramref name="backup"/>, page by page, and
    /// checks it; the server must be stopped. The caller removes the analytics store, which described the old data.
    /// </summary>
    public static Result Restore(string backup, DatabaseLocation target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var to = target.SqlitePath ?? throw new InvalidOperationException(
            "cxo restore writes the embedded SQLite database; restore PostgreSQL with its own tools (pg_restore): see docs/reliability.md");
        backup = Path.GetFullPath(backup);
        if (!File.Exists(backup))
        {
            throw new IOException($"no backup at {backup}");
        }

        var integrity = Check(backup);
        if (integrity != "ok")
        {
            throw new InvalidOperationException($"{backup} is not a sound database: {integrity}");
        }

        using (var reading = Open(backup, SqliteOpenMode.ReadOnly))
        {
            using var probe = reading.CreateCommand();
            probe.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '__EFMigrationsHistory'";
            if (Convert.ToInt64(probe.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                throw new InvalidOperationException($"{backup} is an SQLite file but not an OpenCXO database");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            using var writing = Open(to, SqliteOpenMode.ReadWriteCreate);
            reading.BackupDatabase(writing);
            Execute(writing, "PRAGMA journal_mode=WAL;");
            Execute(writing, "PRAGMA wal_checkpoint(TRUNCATE);");
        }

        return new Result(to, new FileInfo(to).Length, Check(to));
    }

    private static SqliteConnection Open(string path, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false, DefaultTimeout = 60 }.ConnectionString);
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string Check(string path)
    {
        using var connection = Open(path, SqliteOpenMode.ReadOnly);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? "no answer";
    }
}
