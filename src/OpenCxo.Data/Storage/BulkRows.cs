using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace OpenCxo.Data.Storage;

/// <summary>Many rows at once in multi-row statements, inside the context's transaction: EF's change tracker would take minutes for a million.</summary>
public static class BulkRows
{
    /// <summary>
    /// Inserts one row into <paramref name="table"/> per id in <paramref name="ids"/>, its <paramref name="idColumn"/> the id
    /// and the <paramref name="shared"/> columns the same for every row. Table and column names are the caller's constants.
    /// </summary>
    public static async Task InsertAsync(CxoDb db, string table, IReadOnlyList<(string Column, object Value)> shared, string idColumn, IEnumerable<long> ids, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(shared);
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        var columns = string.Join(", ", shared.Select(s => s.Column).Append(idColumn));
        var parameters = string.Concat(shared.Select((_, i) => $"@p{i}, "));
        foreach (var chunk in ids.Chunk(500))
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            var values = new StringBuilder();
            for (var i = 0; i < chunk.Length; i++)
            {
                values.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"({parameters}{chunk[i]})");
            }

            command.CommandText = $"INSERT INTO {table} ({columns}) VALUES {values}";
            for (var i = 0; i < shared.Count; i++)
            {
                Add(command, "@p" + i.ToString(CultureInfo.InvariantCulture), shared[i].Value);
            }

            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
