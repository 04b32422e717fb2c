using System.Globalization;
using DuckDB.NET.Data;

namespace OpenCxo.Data.Analytics;

/// <summary>What survey scores are split by.</summary>
public enum ScoreSlice
{
    /// <summary>One slice for the whole filter.</summary>
    All,
    Survey,
    Day,
    Week,
    Month,
    Department,
    Channel,
    Team,
    Agent,
    Campaign,
    SalesRep,
    Segment,

    /// <summary>A customer attribute, named beside the slice: the live profile's current value.</summary>
    Attribute,
}

/// <summary>
/// The sufficient statistics of one slice's scores, exact, from which NPS, CSAT and CES and their intervals follow:
/// counts of promoters, passives and detractors; count, satisfied count (4–5), sum and sum of squares of CSAT; count,
/// sum and sum of squares of CES. <see cref="Key"/> is null for responses without a value for the slice (no team).
/// </summary>
public sealed record ScoreCounts(
    string? Key,
    long Promoters,
    long Passives,
    long Detractors,
    long CsatN,
    long CsatSatisfied,
    long CsatSum,
    long CsatSumOfSquares,
    long CesN,
    long CesSum,
    long CesSumOfSquares);

public sealed partial class AnalyticsStore
{
    public const string SurveyResponseType = "survey.response";

    /// <summary>Survey scores of the responses answered in the filter's period, per slice, ordered by key (no key last).</summary>
    /// <param name="attribute">The customer attribute to split by when <paramref name="slice"/> is <see cref="ScoreSlice.Attribute"/>.</param>
    public Task<IReadOnlyList<ScoreCounts>> ScoresAsync(
        long workspaceId, DashboardFilter filter, IReadOnlyList<string> surveys, ScoreSlice slice, string? attribute = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(surveys);
        if ((slice == ScoreSlice.Attribute) != (attribute is not null))
        {
            throw new ArgumentException("An attribute is named exactly when splitting by attribute.", nameof(attribute));
        }

        var key = slice switch
        {
            ScoreSlice.All => "'all'",
            ScoreSlice.Survey => "i.survey",
            ScoreSlice.Day => "strftime(i.occurred_at, '%Y-%m-%d')",
            ScoreSlice.Week => "strftime(date_trunc('week', i.occurred_at), '%Y-%m-%d')",
            ScoreSlice.Month => "strftime(date_trunc('month', i.occurred_at), '%Y-%m')",
            ScoreSlice.Department => "i.department",
            ScoreSlice.Channel => "i.channel",
            ScoreSlice.Team => "i.team",
            ScoreSlice.Agent => "i.agent",
            ScoreSlice.Campaign => "i.campaign",
            ScoreSlice.SalesRep => "i.sales_rep",
            ScoreSlice.Segment => "i.segment",
            _ => "t.value",
        };
        var (onlySurveys, parameters) = Narrow(new FeedbackFilter(surveys, []));
        var traits = "";
        if (attribute is not null)
        {
            traits = "\n" + AttributeJoin(LiveCustomer);
            parameters.Add(new DuckDBParameter("attribute", attribute));
        }

        return QueryAsync(workspaceId, filter, [SurveyResponseType], where => $"""
            SELECT {key} AS k,
                   count(*) FILTER (WHERE i.nps >= 9),
                   count(*) FILTER (WHERE i.nps BETWEEN 7 AND 8),
                   count(*) FILTER (WHERE i.nps <= 6),
                   count(i.csat),
                   count(*) FILTER (WHERE i.csat >= 4),
                   CAST(coalesce(sum(i.csat), 0) AS BIGINT),
                   CAST(coalesce(sum(i.csat * i.csat), 0) AS BIGINT),
                   count(i.ces),
                   CAST(coalesce(sum(i.ces), 0) AS BIGINT),
                   CAST(coalesce(sum(i.ces * i.ces), 0) AS BIGINT)
            FROM interactions i{traits}
            {where}{onlySurveys}
            GROUP BY k
            ORDER BY k NULLS LAST
            """,
            reader => new ScoreCounts(
                reader.IsDBNull(0) ? null : reader.GetString(0),
                reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3),
                reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7),
                reader.GetInt64(8), reader.GetInt64(9), reader.GetInt64(10)),
            ct, parameters);
    }
}
