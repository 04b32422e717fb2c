using System.Globalization;
using DuckDB.NET.Data;
using Microsoft.EntityFrameworkCore;

namespace OpenCxo.Data.Analytics;

public sealed partial class AnalyticsStore
{
    /// <summary>
    /// Forgets the customers erased in the system of record since the last pass (by <see cref="Storage.ErasureRow"/>
    /// seq): every row of theirs in every table, as copied (<c>customer_id</c>) or as merged into (<c>live_id</c>,
    /// survivor and absorbed ids). Each batch and the new mark commit together. Runs first in every sync and rebuild,
    /// so a store copied before an erasure — on this instance or any other — forgets the customer at its next sync.
    /// </summary>
    /// <returns>The customer ids forgotten.</returns>
    private long ApplyErasures(DuckDBConnection store, CancellationToken ct)
    {
        var mark = 0L;
        using (var command = store.CreateCommand())
        {
            command.CommandText = "SELECT max(erasures_seq) FROM erasure_state";
            if (command.ExecuteScalar() is long seq)
            {
                mark = seq;
            }
        }

        var forgotten = 0L;
        using var db = _source.CreateDbContext();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var after = mark;
            var batch = db.Erasures.AsNoTracking().Where(e => e.Seq > after).OrderBy(e => e.Seq).Take(500)
                .Select(e => new { e.Seq, e.CustomerId }).ToList();
            if (batch.Count == 0)
            {
                return forgotten;
            }

            using var transaction = store.BeginTransaction();
            // Ids are numbers written by this code, never text from outside: inlined, as a parameter list would be long.
            // Customer ids are unique across workspaces, so the id alone picks the rows; IN makes hash joins.
            var ids = string.Join(", ", batch.Select(e => e.CustomerId.ToString(CultureInfo.InvariantCulture)));
            using (var command = store.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = $"CREATE OR REPLACE TEMP TABLE erased AS SELECT unnest([{ids}]::BIGINT[]) AS id;\n" + """
                    DELETE FROM interactions WHERE customer_id IN (SELECT id FROM erased) OR live_id IN (SELECT id FROM erased);
                    DELETE FROM subscription_spans WHERE live_id IN (SELECT id FROM erased);
                    DELETE FROM customer_merges WHERE survivor_id IN (SELECT id FROM erased) OR absorbed_id IN (SELECT id FROM erased);
                    DELETE FROM customer_map WHERE customer_id IN (SELECT id FROM erased) OR live_id IN (SELECT id FROM erased);
                    DELETE FROM customer_traits WHERE customer_id IN (SELECT id FROM erased);
                    DELETE FROM texts WHERE customer_id IN (SELECT id FROM erased);
                    DELETE FROM text_themes WHERE customer_id IN (SELECT id FROM erased);
                    DELETE FROM customer_predictions WHERE customer_id IN (SELECT id FROM erased);
                    DELETE FROM customer_scores WHERE customer_id IN (SELECT id FROM erased);
                    DROP TABLE erased;
                    DELETE FROM erasure_state;
                    """;
                command.ExecuteNonQuery();
            }

            using (var command = store.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = "INSERT INTO erasure_state VALUES ($mark)";
                command.Parameters.Add(new DuckDBParameter("mark", batch[^1].Seq));
                command.ExecuteNonQuery();
            }

            transaction.Commit();
            mark = batch[^1].Seq;
            forgotten += batch.Count;
        }
    }

    /// <summary>The cut-off day each workspace's retention was last applied with, per kind: applied again only when it moves.</summary>
    private readonly Dictionary<(long Workspace, string Data), DateOnly> _retentionApplied = [];

    /// <summary>
    /// Drops what the workspaces' retention policies removed from the system of record (issue 9): touchpoints older
    /// than their cut-off, and with them or with deleted texts the text rows. Customers removed by a policy arrive as
    /// erasures. Facts already computed over a customer's whole history (first seen, lifetime worth) stay as they were.
    /// </summary>
    /// <returns>Rows deleted.</returns>
    private long ApplyRetention(DuckDBConnection store, CancellationToken ct)
    {
        List<(long Workspace, string Json)> settings;
        using (var db = _source.CreateDbContext())
        {
            settings = [.. db.RetentionSettings.AsNoTracking().Select(r => new { r.WorkspaceId, r.RetentionJson }).AsEnumerable().Select(r => (r.WorkspaceId, r.RetentionJson))];
        }

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var deleted = 0L;
        foreach (var (workspace, json) in settings)
        {
            ct.ThrowIfCancellationRequested();
            foreach (var (data, months, action) in Policies(json))
            {
                var tables = data switch
                {
                    "touchpoints" => new[] { "interactions", "texts", "text_themes" },
                    "texts" when action == "delete" => ["texts", "text_themes"],
                    _ => [],
                };
                var cutoff = today.AddMonths(-months);
                if (tables.Length == 0 || (_retentionApplied.TryGetValue((workspace, data), out var applied) && applied == cutoff))
                {
                    continue;
                }

                using var transaction = store.BeginTransaction();
                foreach (var table in tables)
                {
                    using var command = store.CreateCommand();
                    command.Transaction = transaction;
                    command.CommandText = $"DELETE FROM {table} WHERE workspace_id = $workspace AND occurred_at < $before";
                    command.Parameters.Add(new DuckDBParameter("workspace", workspace));
                    command.Parameters.Add(new DuckDBParameter("before", DateTime.UtcNow.AddMonths(-months)));
                    deleted += command.ExecuteNonQuery();
                }

                transaction.Commit();
                _retentionApplied[(workspace, data)] = cutoff;
            }
        }

        return deleted;
    }

    private static List<(string Data, int Months, string Action)> Policies(string json)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        var found = new List<(string Data, int Months, string Action)>();
        if (document.RootElement.TryGetProperty("policies", out var policies) && policies.ValueKind == System.Text.Json.JsonValueKind.Array)
        {
            foreach (var p in policies.EnumerateArray())
            {
                if (p.TryGetProperty("data", out var data) && p.TryGetProperty("months", out var months) && months.TryGetInt32(out var count)
                    && p.TryGetProperty("action", out var action))
                {
                    found.Add((data.GetString() ?? "", count, action.GetString() ?? ""));
                }
            }
        }

        return found;
    }
}
