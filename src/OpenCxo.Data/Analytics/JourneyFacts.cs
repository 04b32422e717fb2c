using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using OpenCxo.Core.Journeys;

namespace OpenCxo.Data.Analytics;

/// <summary>
/// One stage over the period: the customers who reached it; of those who reached the stage before it, how many reached
/// this one later and the median days between; and the NPS and CSAT answers given while in it (the stage of their latest
/// staged touchpoint before the answer).
/// </summary>
public sealed record JourneyStageFacts(
    string Stage, long Customers, long FromPrevious, long PreviousCustomers, double? MedianDays,
    long Promoters, long Passives, long Detractors, long CsatAnswers, long CsatSatisfied);

/// <summary>
/// A path (stages by first reach) and how many customers took it; <see cref="Promoters"/> of them whose latest NPS
/// answer was 9 or 10. Every distinct path is returned (at most the orderings of the stages' subsets), so totals and
/// flows count every customer.
/// </summary>
public sealed record JourneyPathFacts(IReadOnlyList<string> Stages, long Customers, long Promoters);

/// <summary>A touchpoint type: how many of its texts in the period, their mean sentiment and the share negative.</summary>
public sealed record JourneyTouchpointFacts(string Type, string Stage, long Texts, double Sentiment, double NegativeShare);

public sealed record JourneyFacts(IReadOnlyList<JourneyStageFacts> Stages, IReadOnlyList<JourneyPathFacts> Paths, IReadOnlyList<JourneyTouchpointFacts> Touchpoints);

public sealed partial class AnalyticsStore
{
    /// <summary>The journey of the customers' touchpoints from <paramref name="from"/> to <paramref name="to"/>, staged by <paramref name="journey"/>.</summary>
    public async Task<JourneyFacts> JourneyFactsAsync(long workspaceId, JourneyDefinition journey, DateTime from, DateTime to, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(journey);
        var parameters = new List<DuckDBParameter>();
        var stageOf = new StringBuilder("CASE");
        var all = new StringBuilder();
        for (var s = 0; s < journey.Stages.Count; s++)
        {
            var types = new StringBuilder();
            AppendParameters(types, parameters, "i.type", "js" + s.ToString(CultureInfo.InvariantCulture) + "_", journey.Stages[s].Types);
            // types is " AND i.type IN ($js0_0, …)": the same list serves the CASE.
            stageOf.Append(" WHEN ").Append(types.ToString(5, types.Length - 5)).Append(" THEN ").Append(s.ToString(CultureInfo.InvariantCulture));
            all.Append(all.Length == 0 ? "" : " OR ").Append(types.ToString(5, types.Length - 5));
        }

        stageOf.Append(" END");
        var filter = DashboardFilter.Period(from, to);
        // The CTEs the three statements share.
        string Staged(string where) => $"""
            WITH staged AS MATERIALIZED (
                SELECT i.live_id, i.occurred_at, {stageOf} AS stage
                FROM interactions i
                {where} AND ({all})
            ),
            firsts AS (SELECT live_id, stage, min(occurred_at) AS reached FROM staged GROUP BY live_id, stage)
            """;

        var stages = await QueryAsync(workspaceId, filter, null, (where, _) => $"""
            {Staged(where)},
            answers AS (
                SELECT i.live_id, i.occurred_at, i.nps, i.csat FROM interactions i
                {where} AND i.type = '{SurveyResponseType}' AND (i.nps IS NOT NULL OR i.csat IS NOT NULL)
            ),
            rated AS (
                SELECT s.stage, a.nps, a.csat FROM answers a
                ASOF JOIN staged s ON s.live_id = a.live_id AND s.occurred_at <= a.occurred_at
            ),
            steps AS (
                SELECT f.stage, count(*) AS customers,
                       count(p.live_id) FILTER (WHERE p.reached <= f.reached) AS from_previous,
                       quantile_cont(date_diff('second', p.reached, f.reached) / 86400.0, 0.5) FILTER (WHERE p.reached <= f.reached) AS median_days
                FROM firsts f
                LEFT JOIN firsts p ON p.live_id = f.live_id AND p.stage = f.stage - 1
                GROUP BY f.stage
            ),
            scores AS (
                SELECT stage, count(*) FILTER (WHERE nps >= 9) AS promoters, count(*) FILTER (WHERE nps BETWEEN 7 AND 8) AS passives,
                       count(*) FILTER (WHERE nps <= 6) AS detractors, count(csat) AS csat_answers, count(*) FILTER (WHERE csat >= 4) AS satisfied
                FROM rated
                GROUP BY stage
            )
            SELECT st.stage, st.customers, st.from_previous, coalesce(prev.customers, 0), st.median_days,
                   coalesce(sc.promoters, 0), coalesce(sc.passives, 0), coalesce(sc.detractors, 0), coalesce(sc.csat_answers, 0), coalesce(sc.satisfied, 0)
            FROM steps st
            LEFT JOIN steps prev ON prev.stage = st.stage - 1
            LEFT JOIN scores sc ON sc.stage = st.stage
            ORDER BY st.stage
            """,
            reader => new JourneyStageFacts(
                journey.Stages[reader.GetInt32(0)].Key, reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.IsDBNull(4) ? null : reader.GetDouble(4),
                reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9)),
            cache: true, [.. parameters], ct).ConfigureAwait(false);

        var paths = await QueryAsync(workspaceId, filter, null, (where, _) => $"""
            {Staged(where)},
            paths AS (SELECT live_id, string_agg(CAST(stage AS VARCHAR), ',' ORDER BY reached, stage) AS path FROM firsts GROUP BY live_id),
            latest AS (
                SELECT i.live_id, arg_max(i.nps, i.occurred_at) AS nps FROM interactions i
                {where} AND i.type = '{SurveyResponseType}' AND i.nps IS NOT NULL
                GROUP BY i.live_id
            )
            SELECT p.path, count(*), count(*) FILTER (WHERE l.nps >= 9)
            FROM paths p
            LEFT JOIN latest l ON l.live_id = p.live_id
            GROUP BY p.path
            ORDER BY count(*) DESC, p.path
            """,
            reader => new JourneyPathFacts(
                [.. reader.GetString(0).Split(',').Select(x => journey.Stages[int.Parse(x, CultureInfo.InvariantCulture)].Key)], reader.GetInt64(1), reader.GetInt64(2)),
            cache: true, [.. parameters], ct).ConfigureAwait(false);

        var touchpoints = await QueryAsync(workspaceId, filter, null, (where, _) => $"""
            SELECT i.type, {stageOf}, count(*), avg(i.sentiment), avg(CASE WHEN i.sentiment <= -0.05 THEN 1.0 ELSE 0.0 END)
            FROM texts i
            {where} AND ({all})
            GROUP BY i.type
            ORDER BY 2, 3 DESC
            """,
            reader => new JourneyTouchpointFacts(reader.GetString(0), journey.Stages[reader.GetInt32(1)].Key, reader.GetInt64(2), reader.GetDouble(3), 100 * reader.GetDouble(4)),
            cache: true, [.. parameters], ct).ConfigureAwait(false);
        return new JourneyFacts(stages, paths, touchpoints);
    }
}
