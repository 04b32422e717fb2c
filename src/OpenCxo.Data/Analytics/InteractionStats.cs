using System.Globalization;
using System.Text;
using DuckDB.NET.Data;

namespace OpenCxo.Data.Analytics;

public sealed partial class AnalyticsStore
{
    /// <summary>
    /// Interactions of one workspace grouped by <paramref name="groupBy"/>: count, distinct live customers and
    /// exact value sums per currency. <paramref name="from"/> is inclusive and <paramref name="to"/> exclusive, both
    /// UTC (an unspecified kind is taken as UTC). Days come in ascending order; other keys by count, largest first.
    /// </summary>
    public async Task<IReadOnlyList<InteractionStat>> InteractionStatsAsync(
        long workspaceId, DateTime? from, DateTime? to, StatsGrouping groupBy, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var key = groupBy switch
        {
            StatsGrouping.Department => "i.department",
            StatsGrouping.Channel => "i.channel",
            StatsGrouping.Type => "i.type",
            // Grouping by the DATE and formatting here is twice as fast as grouping by its text.
            StatsGrouping.Day => "CAST(i.occurred_at AS DATE)",
            _ => throw new ArgumentOutOfRangeException(nameof(groupBy), groupBy, "Unknown grouping."),
        };
        var where = new StringBuilder("i.workspace_id = $workspace");
        if (from is not null)
        {
            where.Append(" AND i.occurred_at >= $from");
        }

        if (to is not null)
        {
            where.Append(" AND i.occurred_at < $to");
        }

        var order = groupBy == StatsGrouping.Day ? "stat_key" : "interactions DESC, stat_key";

        // Two plain GROUP BYs rather than GROUPING SETS: distinct customers do not add up across currencies, and
        // both forms read the same in DuckDB and ClickHouse. (In ClickHouse the LEFT JOIN needs join_use_nulls = 1,
        // or a dictionary lookup, for coalesce to see the missing map rows.)
        var countsSql = $"""
            SELECT {key} AS stat_key, count(*) AS interactions,
                   count(DISTINCT {MappedCustomer("i")}) AS customers
            FROM interactions i
            {MapJoin("i")}
            WHERE {where}
            GROUP BY {key}
            ORDER BY {order}
            """;
        var valuesSql = $"""
            SELECT {key} AS stat_key, i.currency, sum(i.value) AS total
            FROM interactions i
            WHERE {where} AND i.currency IS NOT NULL
            GROUP BY {key}, i.currency
            HAVING sum(i.value) <> 0
            ORDER BY i.currency
            """;

        using (await _swapGate.EnterSharedAsync(ct).ConfigureAwait(false))
        {
            using var connection = OpenReader();

            // One snapshot for both statements, so that a sync committing in between cannot skew them.
            using var transaction = connection.BeginTransaction();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.Parameters.Add(new DuckDBParameter("workspace", workspaceId));
            if (from is { } start)
            {
                command.Parameters.Add(new DuckDBParameter("from", AsUtc(start)));
            }

            if (to is { } end)
            {
                command.Parameters.Add(new DuckDBParameter("to", AsUtc(end)));
            }

            var values = new Dictionary<string, List<CurrencyValue>>(StringComparer.Ordinal);
            command.CommandText = valuesSql;
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    var stat = ReadKey(reader, groupBy);
                    if (!values.TryGetValue(stat, out var list))
                    {
                        values[stat] = list = [];
                    }

                    list.Add(new CurrencyValue(reader.GetString(1), reader.GetDecimal(2)));
                }
            }

            var stats = new List<InteractionStat>();
            command.CommandText = countsSql;
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    var stat = ReadKey(reader, groupBy);
                    stats.Add(new InteractionStat(
                        stat, reader.GetInt64(1), reader.GetInt64(2), values.TryGetValue(stat, out var sums) ? sums : []));
                }
            }

            transaction.Commit();
            return stats;
        }
    }

    private static string ReadKey(DuckDBDataReader reader, StatsGrouping groupBy) => groupBy == StatsGrouping.Day
        ? reader.GetFieldValue<DateOnly>(0).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
        : reader.GetString(0);
}
