using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Microsoft.EntityFrameworkCore;

namespace OpenCxo.Data.Analytics;

public sealed partial class AnalyticsStore
{
    /// <summary>Above this many changed profiles a sync copies every profile's attributes instead of looking them up; lower only in tests.</summary>
    internal int FullTraitCopyAbove { get; init; } = 20_000;

    /// <summary>Profiles looked up per statement in the system of record.</summary>
    private const int TraitLookupBatch = 500;

    /// <summary>
    /// The profiles whose attributes may have changed since the watermarks: the live owners of the interactions copied
    /// since, and both sides of the merges copied since. A profile's attributes change only in the ingest transaction
    /// of an event for that profile (which adds an interaction) or of a merge, so nothing else can be stale.
    /// </summary>
    private const string ChangedProfiles = """
        SELECT i.workspace_id, coalesce(m.live_id, i.customer_id) AS customer_id
        FROM interactions i
        LEFT JOIN customer_map m ON m.workspace_id = i.workspace_id AND m.customer_id = i.customer_id
        WHERE i.seq > $traits
        UNION
        SELECT workspace_id, survivor_id FROM customer_merges WHERE seq > $merges
        UNION
        SELECT workspace_id, absorbed_id FROM customer_merges WHERE seq > $merges
        """;

    /// <summary>The customer attribute names of a workspace (prediction tiers included), for choosing one to split by, ordered by name.</summary>
    public Task<IReadOnlyList<string>> CustomerAttributeNamesAsync(long workspaceId, CancellationToken ct = default) =>
        QueryAsync(workspaceId, DashboardFilter.Period(DateTime.MinValue, DateTime.MaxValue), null, _ => $"""
            SELECT DISTINCT name FROM {AttributeRows} WHERE workspace_id = $workspace ORDER BY name LIMIT 500
            """,
            reader => reader.GetString(0), ct);

    /// <summary>
    /// Brings customer_traits up to the copied interactions and merges, and records that it did in the same transaction,
    /// so a sync cut short redoes it next time. A rebuild, a first copy or many changed profiles copy every profile's
    /// attributes in one pass; otherwise only the changed profiles are looked up. Returns the attribute rows written.
    /// </summary>
    private (SyncState State, long Rows) RefreshTraits(DuckDBConnection store, SyncState state, CancellationToken ct)
    {
        if (state.TraitsSeq == state.InteractionsSeq && state.TraitsMergesSeq == state.MergesSeq)
        {
            return (state, 0);
        }

        var refreshed = state with { TraitsSeq = state.InteractionsSeq, TraitsMergesSeq = state.MergesSeq };
        using var transaction = store.BeginTransaction();
        var changed = state.TraitsSeq == 0 && state.TraitsMergesSeq == 0 ? null : ChangedProfilesOf(store, transaction, state);
        long rows;
        using (var command = store.CreateCommand())
        {
            command.Transaction = transaction;
            if (changed is null)
            {
                command.CommandText = "DELETE FROM customer_traits";
            }
            else
            {
                // Customer ids are unique across workspaces.
                command.CommandText = $"DELETE FROM customer_traits WHERE customer_id IN (SELECT customer_id FROM ({ChangedProfiles}))";
                WatermarkParameters(command, state);
            }

            command.ExecuteNonQuery();
        }

        using (var appender = store.CreateAppender("customer_traits"))
        {
            rows = changed is null ? CopyAllTraits(appender, ct) : CopyTraitsOf(changed, appender, ct);
        }

        AnalyticsSchema.SaveState(store, transaction, refreshed);
        transaction.Commit();
        return (refreshed, rows);
    }

    /// <summary>The changed profiles by workspace, or null when there are so many that copying all is quicker.</summary>
    private Dictionary<long, List<long>>? ChangedProfilesOf(DuckDBConnection store, DuckDBTransaction transaction, SyncState state)
    {
        using var command = store.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT count(*) FROM ({ChangedProfiles})";
        WatermarkParameters(command, state);
        if (Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > FullTraitCopyAbove)
        {
            return null;
        }

        command.CommandText = ChangedProfiles;
        var changed = new Dictionary<long, List<long>>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var workspace = reader.GetInt64(0);
            if (!changed.TryGetValue(workspace, out var customers))
            {
                changed[workspace] = customers = [];
            }

            customers.Add(reader.GetInt64(1));
        }

        return changed;
    }

    private static void WatermarkParameters(DuckDBCommand command, SyncState state)
    {
        command.Parameters.Add(new DuckDBParameter("traits", state.TraitsSeq));
        command.Parameters.Add(new DuckDBParameter("merges", state.TraitsMergesSeq));
    }

    private long CopyAllTraits(DuckDBAppender appender, CancellationToken ct) =>
        AppendTraits("SELECT workspace_id, customer_id, name, value_json FROM customer_traits", appender, ct);

    /// <summary>
    /// Looks the profiles up by workspace and id, the leading columns of customer_traits' key. The ids are numbers
    /// read from the store, written into the statement as literals: no parameter limit to mind.
    /// </summary>
    private long CopyTraitsOf(Dictionary<long, List<long>> changed, DuckDBAppender appender, CancellationToken ct)
    {
        var rows = 0L;
        foreach (var (workspace, customers) in changed)
        {
            foreach (var batch in customers.Chunk(TraitLookupBatch))
            {
                var sql = new StringBuilder("SELECT workspace_id, customer_id, name, value_json FROM customer_traits WHERE workspace_id = ")
                    .Append(workspace.ToString(CultureInfo.InvariantCulture))
                    .Append(" AND customer_id IN (")
                    .AppendJoin(", ", batch.Select(id => id.ToString(CultureInfo.InvariantCulture)))
                    .Append(')');
                rows += AppendTraits(sql.ToString(), appender, ct);
            }
        }

        return rows;
    }

    private long AppendTraits(string sql, DuckDBAppender appender, CancellationToken ct)
    {
        using var db = _source.CreateDbContext();
        db.Database.OpenConnection();
        using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = 0L;
        while (reader.Read())
        {
            appender.CreateRow()
                .AppendValue(reader.GetInt64(0))
                .AppendValue(reader.GetInt64(1))
                .AppendValue(reader.GetString(2))
                .AppendValue(PromotedAttributes.TraitText(reader.GetString(3)))
                .EndRow();
            if (++rows % 100_000 == 0)
            {
                ct.ThrowIfCancellationRequested();
            }
        }

        return rows;
    }
}
