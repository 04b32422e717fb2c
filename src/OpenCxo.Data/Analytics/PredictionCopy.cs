using System.Globalization;
using DuckDB.NET.Data;
using Microsoft.EntityFrameworkCore;

namespace OpenCxo.Data.Analytics;

public sealed partial class AnalyticsStore
{
    /// <summary>The customer's churn-risk tier among the workspace's scored customers, riskiest first; sliced by as <c>customer.attr.predicted.churnRisk</c>.</summary>
    public const string PredictedChurnRisk = "predicted.churnRisk";

    /// <summary>The customer's predicted-lifetime-value tier, most valuable first; <c>customer.attr.predicted.value</c>.</summary>
    public const string PredictedValue = "predicted.value";

    /// <summary>Tiers by rank: the top tenth, the next 15 %, the next quarter, the lower half.</summary>
    public static readonly IReadOnlyList<string> PredictionTiers = ["top 10 %", "10–25 %", "25–50 %", "bottom 50 %"];

    /// <summary>The tier of the customer at 0-based <paramref name="rank"/> among <paramref name="count"/>, highest first.</summary>
    public static string PredictionTier(int rank, int count)
    {
        var share = rank / (double)count;
        return PredictionTiers[share < 0.10 ? 0 : share < 0.25 ? 1 : share < 0.5 ? 2 : 3];
    }

    /// <summary>
    /// Copies each workspace's scores from its latest model run, as tiers (<see cref="PredictedChurnRisk"/>,
    /// <see cref="PredictedValue"/>), when that run is not the one copied last; the rows and the run they came from
    /// are replaced in one transaction. Returns the rows written, and whether any workspace's rows were replaced (a run
    /// that scored nobody replaces them with none).
    /// </summary>
    private (long Rows, bool Replaced) CopyPredictions(DuckDBConnection store, CancellationToken ct)
    {
        using var db = _source.CreateDbContext();
        var latest = db.ModelRuns.AsNoTracking().GroupBy(r => r.WorkspaceId).Select(g => new { Workspace = g.Key, Run = g.Max(r => r.Id) }).ToList();
        var copied = new Dictionary<long, long>();
        using (var command = store.CreateCommand())
        {
            command.CommandText = "SELECT workspace_id, max(run_id) FROM prediction_runs GROUP BY workspace_id";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                copied[reader.GetInt64(0)] = reader.GetInt64(1);
            }
        }

        var rows = 0L;
        var replaced = false;
        foreach (var run in latest.Where(r => !copied.TryGetValue(r.Workspace, out var had) || had != r.Run))
        {
            replaced = true;
            ct.ThrowIfCancellationRequested();
            var scores = db.CustomerScores.AsNoTracking()
                .Where(s => s.WorkspaceId == run.Workspace && s.RunId == run.Run)
                .Select(s => new { s.CustomerId, s.ChurnRisk, s.LifetimeValue, s.ProbabilityAlive })
                .ToList();
            var risky = scores.Where(s => s.ChurnRisk is not null).OrderByDescending(s => s.ChurnRisk).ThenBy(s => s.CustomerId).Select(s => s.CustomerId).ToList();
            var valuable = scores.Where(s => s.LifetimeValue is not null).OrderByDescending(s => s.LifetimeValue).ThenBy(s => s.CustomerId).Select(s => s.CustomerId).ToList();
            using var transaction = store.BeginTransaction();
            using (var command = store.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = "DELETE FROM customer_predictions WHERE workspace_id = $w; DELETE FROM customer_scores WHERE workspace_id = $w; DELETE FROM prediction_runs WHERE workspace_id = $w; INSERT INTO prediction_runs VALUES ($w, $run)";
                command.Parameters.Add(new DuckDBParameter("w", run.Workspace));
                command.Parameters.Add(new DuckDBParameter("run", run.Run));
                command.ExecuteNonQuery();
            }

            using (var appender = store.CreateAppender("customer_predictions"))
            {
                foreach (var (name, ranked) in new[] { (PredictedChurnRisk, risky), (PredictedValue, valuable) })
                {
                    for (var i = 0; i < ranked.Count; i++)
                    {
                        appender.CreateRow().AppendValue(run.Workspace).AppendValue(ranked[i]).AppendValue(name).AppendValue(PredictionTier(i, ranked.Count)).EndRow();
                    }

                    rows += ranked.Count;
                }
            }

            using (var appender = store.CreateAppender("customer_scores"))
            {
                foreach (var score in scores)
                {
                    var row = appender.CreateRow().AppendValue(run.Workspace).AppendValue(score.CustomerId);
                    foreach (var value in new[] { score.ChurnRisk, score.LifetimeValue, score.ProbabilityAlive })
                    {
                        if (value is { } v && double.IsFinite(v))
                        {
                            row.AppendValue(v);
                        }
                        else
                        {
                            row.AppendNullValue();
                        }
                    }

                    row.EndRow();
                }
            }

            transaction.Commit();
        }

        return (rows, replaced);
    }

    /// <summary>
    /// The attribute rows metrics slice by: the profiles' own attributes and their prediction tiers, the latter
    /// mapped to the live profile (a scored customer may have been merged since the run).
    /// </summary>
    internal const string AttributeRows = """
        (SELECT workspace_id, customer_id, name, value FROM customer_traits
         UNION ALL
         SELECT p.workspace_id, coalesce(m.live_id, p.customer_id) AS customer_id, p.name, p.value
         FROM customer_predictions p
         LEFT JOIN customer_map m ON m.workspace_id = p.workspace_id AND m.customer_id = p.customer_id
         -- Scored before a merge, absorbed and survivor both have a tier: the survivor keeps its own.
         QUALIFY row_number() OVER (PARTITION BY p.workspace_id, coalesce(m.live_id, p.customer_id), p.name ORDER BY m.live_id IS NULL DESC, p.customer_id) = 1)
        """;
}
