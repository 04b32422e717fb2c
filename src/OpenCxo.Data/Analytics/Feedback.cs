using System.Globalization;
using System.Text;
using DuckDB.NET.Data;

namespace OpenCxo.Data.Analytics;

/// <summary>What feedback is read beyond a dashboard's filter: only some surveys, only some teams.</summary>
public sealed record FeedbackFilter(IReadOnlyList<string> Surveys, IReadOnlyList<string> Teams)
{
    public static FeedbackFilter None { get; } = new([], []);
}

/// <summary>A theme's texts in a period: how many mention it, their mean sentiment, and how many are negative or positive.</summary>
public sealed record ThemeCounts(string Theme, long Texts, double Sentiment, long Negative, long Positive);

/// <summary>All analysed texts of a period: how many, their mean sentiment, and how many are negative or positive.</summary>
public sealed record TextTotals(long Texts, double Sentiment, long Negative, long Positive);

public sealed partial class AnalyticsStore
{
    /// <summary>The analysed texts of the filter's touchpoints, and per theme those that mention it, ordered by theme.</summary>
    public async Task<(TextTotals Totals, IReadOnlyList<ThemeCounts> Themes)> FeedbackThemesAsync(
        long workspaceId, DashboardFilter filter, FeedbackFilter feedback, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        var (extra, parameters) = Narrow(feedback);
        var totals = await QueryAsync(workspaceId, filter, null, where => $"""
            SELECT count(*), coalesce(avg(i.sentiment), 0),
                   count(*) FILTER (WHERE i.sentiment <= -0.05), count(*) FILTER (WHERE i.sentiment >= 0.05)
            FROM texts i
            {where}{extra}
            """,
            reader => new TextTotals(reader.GetInt64(0), reader.GetDouble(1), reader.GetInt64(2), reader.GetInt64(3)),
            ct, parameters).ConfigureAwait(false);
        var themes = await QueryAsync(workspaceId, filter, null, where => $"""
            SELECT i.theme, count(*), avg(i.sentiment),
                   count(*) FILTER (WHERE i.sentiment <= -0.05), count(*) FILTER (WHERE i.sentiment >= 0.05)
            FROM text_themes i
            {where}{extra}
            GROUP BY i.theme
            ORDER BY i.theme
            """,
            reader => new ThemeCounts(reader.GetString(0), reader.GetInt64(1), reader.GetDouble(2), reader.GetInt64(3), reader.GetInt64(4)),
            ct, Copy(parameters)).ConfigureAwait(false);
        return (totals[0], themes);
    }

    /// <summary>
    /// The newest touchpoints (by time, then seq) whose text mentions <paramref name="theme"/> (any text when null),
    /// optionally only those with a sentiment of one sign, older than <paramref name="before"/> when paging.
    /// </summary>
    public Task<IReadOnlyList<long>> FeedbackVerbatimsAsync(
        long workspaceId, DashboardFilter filter, FeedbackFilter feedback, string? theme, int? sentimentSign, (DateTime At, long Seq)? before, int limit,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        var (extra, parameters) = Narrow(feedback);
        var from = theme is null ? "texts i" : "text_themes i";
        if (theme is not null)
        {
            extra += " AND i.theme = $theme";
            parameters.Add(new DuckDBParameter("theme", theme));
        }

        if (sentimentSign is { } sign)
        {
            extra += sign < 0 ? " AND i.sentiment <= -0.05" : sign > 0 ? " AND i.sentiment >= 0.05" : " AND i.sentiment > -0.05 AND i.sentiment < 0.05";
        }

        if (before is { } page)
        {
            extra += " AND (i.occurred_at < $beforeAt OR (i.occurred_at = $beforeAt AND i.seq < $beforeSeq))";
            parameters.Add(new DuckDBParameter("beforeAt", AsUtc(page.At)));
            parameters.Add(new DuckDBParameter("beforeSeq", page.Seq));
        }

        parameters.Add(new DuckDBParameter("limit", limit));
        return QueryAsync(workspaceId, filter, null, where => $"""
            SELECT i.seq
            FROM {from}
            {where}{extra}
            ORDER BY i.occurred_at DESC, i.seq DESC
            LIMIT $limit
            """,
            reader => reader.GetInt64(0), ct, parameters);
    }

    private static (string Sql, List<DuckDBParameter> Parameters) Narrow(FeedbackFilter feedback)
    {
        var sql = new StringBuilder();
        var parameters = new List<DuckDBParameter>();
        foreach (var (column, prefix, values) in new[] { ("i.survey", "fs", feedback.Surveys), ("i.team", "ft", feedback.Teams) })
        {
            if (values.Count == 0)
            {
                continue;
            }

            sql.Append(" AND ").Append(column).Append(" IN (");
            for (var n = 0; n < values.Count; n++)
            {
                var name = prefix + n.ToString(CultureInfo.InvariantCulture);
                sql.Append(n == 0 ? "$" : ", $").Append(name);
                parameters.Add(new DuckDBParameter(name, values[n]));
            }

            sql.Append(')');
        }

        return (sql.ToString(), parameters);
    }

    /// <summary>A parameter belongs to one command: a second query gets copies.</summary>
    private static List<DuckDBParameter> Copy(List<DuckDBParameter> parameters) => [.. parameters.Select(p => new DuckDBParameter(p.ParameterName, p.Value))];
}
