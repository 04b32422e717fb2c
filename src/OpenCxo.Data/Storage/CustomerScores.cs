using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace OpenCxo.Data.Storage;

/// <summary>Stores a model run and replaces the workspace's customer scores with its own, all or nothing.</summary>
public static class CustomerScores
{
    /// <summary>
    /// Adds <paramref name="run"/> and, in the same transaction, deletes the workspace's scores and writes
    /// <paramref name="scores"/> (their run id set to the new run's): readers see the old scores or the new, never a
    /// mix. PostgreSQL takes the rows by binary COPY, SQLite by one prepared statement.
    /// </summary>
    public static async Task<long> ReplaceAsync(CxoDbFactory databases, ModelRunRow run, IEnumerable<CustomerScoreRow> scores, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(databases);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(scores);
        await using var db = databases.CreateDbContext();
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
            db.ModelRuns.Add(run);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            await db.CustomerScores.Where(s => s.WorkspaceId == run.WorkspaceId).ExecuteDeleteAsync(ct).ConfigureAwait(false);
            var connection = db.Database.GetDbConnection();
            var dbTransaction = transaction.GetDbTransaction();
            if (connection is NpgsqlConnection postgres)
            {
                await CopyAsync(postgres, run.Id, scores, ct).ConfigureAwait(false);
            }
            else
            {
                await InsertAsync(connection, dbTransaction, run.Id, scores, ct).ConfigureAwait(false);
            }

            await transaction.CommitAsync(ct).ConfigureAwait(false);
            return run.Id;
        }).ConfigureAwait(false);
    }

    private static async Task CopyAsync(NpgsqlConnection connection, long runId, IEnumerable<CustomerScoreRow> scores, CancellationToken ct)
    {
        await using var copy = await connection.BeginBinaryImportAsync(
            "COPY customer_scores (workspace_id, customer_id, run_id, churn_risk, churn_reasons_json, probability_alive, expected_purchases, expected_spend, lifetime_value, currency) FROM STDIN (FORMAT BINARY)",
            ct).ConfigureAwait(false);
        foreach (var s in scores)
        {
            await copy.StartRowAsync(ct).ConfigureAwait(false);
            await copy.WriteAsync(s.WorkspaceId, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
            await copy.WriteAsync(s.CustomerId, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
            await copy.WriteAsync(runId, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
            await WriteAsync(copy, s.ChurnRisk, ct).ConfigureAwait(false);
            await WriteAsync(copy, s.ChurnReasonsJson, ct).ConfigureAwait(false);
            await WriteAsync(copy, s.ProbabilityAlive, ct).ConfigureAwait(false);
            await WriteAsync(copy, s.ExpectedPurchases, ct).ConfigureAwait(false);
            await WriteAsync(copy, s.ExpectedSpend, ct).ConfigureAwait(false);
            await WriteAsync(copy, s.LifetimeValue, ct).ConfigureAwait(false);
            await WriteAsync(copy, s.Currency, ct).ConfigureAwait(false);
        }

        await copy.CompleteAsync(ct).ConfigureAwait(false);
    }

    private static Task WriteAsync(NpgsqlBinaryImporter copy, double? value, CancellationToken ct) =>
        value is { } v ? copy.WriteAsync(v, NpgsqlDbType.Double, ct) : copy.WriteNullAsync(ct);

    private static Task WriteAsync(NpgsqlBinaryImporter copy, string? value, CancellationToken ct) =>
        value is { } v ? copy.WriteAsync(v, NpgsqlDbType.Text, ct) : copy.WriteNullAsync(ct);

    private static async Task InsertAsync(DbConnection connection, DbTransaction transaction, long runId, IEnumerable<CustomerScoreRow> scores, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO customer_scores (workspace_id, customer_id, run_id, churn_risk, churn_reasons_json, probability_alive, expected_purchases, expected_spend, lifetime_value, currency)
            VALUES ($w, $c, $r, $risk, $reasons, $alive, $purchases, $spend, $value, $currency)
            """;
        string[] names = ["$w", "$c", "$r", "$risk", "$reasons", "$alive", "$purchases", "$spend", "$value", "$currency"];
        var parameters = names.Select(n =>
        {
            var p = command.CreateParameter();
            p.ParameterName = n;
            command.Parameters.Add(p);
            return p;
        }).ToArray();
        await command.PrepareAsync(ct).ConfigureAwait(false);
        foreach (var s in scores)
        {
            parameters[0].Value = s.WorkspaceId;
            parameters[1].Value = s.CustomerId;
            parameters[2].Value = runId;
            parameters[3].Value = (object?)s.ChurnRisk ?? DBNull.Value;
            parameters[4].Value = (object?)s.ChurnReasonsJson ?? DBNull.Value;
            parameters[5].Value = (object?)s.ProbabilityAlive ?? DBNull.Value;
            parameters[6].Value = (object?)s.ExpectedPurchases ?? DBNull.Value;
            parameters[7].Value = (object?)s.ExpectedSpend ?? DBNull.Value;
            parameters[8].Value = (object?)s.LifetimeValue ?? DBNull.Value;
            parameters[9].Value = (object?)s.Currency ?? DBNull.Value;
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }
}
