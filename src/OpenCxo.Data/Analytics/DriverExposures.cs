using System.Globalization;
using DuckDB.NET.Data;

namespace OpenCxo.Data.Analytics;

/// <summary>What a key-driver analysis explains: a survey score on each answer, or whether a customer churned.</summary>
public enum DriverOutcome
{
    Nps,
    Csat,
    Churn,
}

/// <summary>One candidate driver: a theme mentioned, a touchpoint type, team or channel met, the segment, the acquisition campaign, or an attribute value.</summary>
public sealed record DriverKey(string Family, string Level);

/// <summary>
/// One thing explained — a survey answer, or a customer at a moment — with its outcome (NaN for churn, whose labels
/// come from the churn snapshot) and the indexes into <see cref="DriverExposures.Keys"/> of the drivers it met.
/// </summary>
public readonly record struct DriverUnit(long Customer, double Outcome, int[] Drivers);

public sealed record DriverExposures(IReadOnlyList<DriverKey> Keys, IReadOnlyList<DriverUnit> Units);

public sealed partial class AnalyticsStore
{
    /// <summary>The driver families, in the order reports list them.</summary>
    public static readonly IReadOnlyList<string> DriverFamilies = ["theme", "touchpoint", "team", "channel", "segment", "campaign", "attribute"];

    /// <summary>Attributes with more distinct values than this (names, e-mail addresses, amounts) are not drivers.</summary>
    public const int MaxAttributeLevels = 50;

    /// <summary>
    /// For NPS or CSAT, every answer with that score in the filter's period and slice; for churn, every customer seen
    /// by <paramref name="at"/> (unused for the scores). Each comes with what the customer met in the <paramref name="windowDays"/> days up to
    /// it (themes of their words, touchpoint types other than survey answers, teams, channels), their segment then,
    /// the campaign that acquired them, and their current values of the named <paramref name="attributes"/> that have
    /// at most <see cref="MaxAttributeLevels"/> distinct values. Attributes are read as they are now, not as they were:
    /// only the caller knows which are stable (a plan, a country) and which tell the future (a status).
    /// </summary>
    public async Task<DriverExposures> DriverExposuresAsync(
        long workspaceId, DriverOutcome outcome, DashboardFilter filter, DateTime at, int windowDays, IReadOnlyList<string> attributes, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowDays, 1);
        var window = $"INTERVAL {windowDays} DAY";
        var named = attributes.Count == 0 ? "false" : "name IN (" + string.Join(", ", attributes.Select((_, i) => "$a" + i.ToString(CultureInfo.InvariantCulture))) + ")";
        var parameters = attributes.Select((a, i) => new DuckDBParameter("a" + i.ToString(CultureInfo.InvariantCulture), a)).ToList();
        if (outcome == DriverOutcome.Churn)
        {
            parameters.Add(new DuckDBParameter("at", at));
        }

        string Units(string where, string scope) => outcome switch
        {
            DriverOutcome.Nps => $"SELECT i.seq AS u, i.live_id AS c, i.occurred_at AS t, CAST(i.nps AS DOUBLE) AS y, i.segment FROM interactions i {where} AND i.nps IS NOT NULL",
            DriverOutcome.Csat => $"SELECT i.seq AS u, i.live_id AS c, i.occurred_at AS t, CAST(i.csat AS DOUBLE) AS y, i.segment FROM interactions i {where} AND i.csat IS NOT NULL",
            _ => $"""
                SELECT i.live_id AS u, i.live_id AS c, CAST($at AS TIMESTAMP) AS t, NULL::DOUBLE AS y,
                       arg_max(i.segment, i.occurred_at) FILTER (WHERE i.segment IS NOT NULL) AS segment
                FROM interactions i {scope} AND i.occurred_at <= CAST($at AS TIMESTAMP)
                GROUP BY i.live_id
                """,
        };

        var rows = await QueryAsync(workspaceId, filter, null, (where, scope) => $"""
            WITH units AS ({Units(where, scope)}),
            touched AS (
                SELECT DISTINCT u.u, i.type, i.channel, i.team
                FROM units u
                JOIN interactions i ON i.workspace_id = $workspace AND i.live_id = u.c AND i.occurred_at <= u.t AND i.occurred_at > u.t - {window}
                WHERE i.type <> 'survey.response'
            ),
            mentioned AS (
                SELECT DISTINCT u.u, x.theme
                FROM units u
                JOIN (SELECT {MappedCustomer("x")} AS c, x.occurred_at, x.theme FROM text_themes x {MapJoin("x")} WHERE x.workspace_id = $workspace) x
                  ON x.c = u.c AND x.occurred_at <= u.t AND x.occurred_at > u.t - {window}
            ),
            acquired AS (
                SELECT u.u, arg_min(i.touch_campaign, i.occurred_at) AS campaign
                FROM units u
                JOIN interactions i ON i.workspace_id = $workspace AND i.live_id = u.c AND i.occurred_at <= u.t AND i.touch_campaign IS NOT NULL
                GROUP BY u.u
            ),
            attributes AS (
                SELECT name FROM {AttributeRows} WHERE workspace_id = $workspace AND {named}
                GROUP BY name HAVING count(DISTINCT value) <= {MaxAttributeLevels}
            ),
            exposures AS (
                SELECT u, 'theme' AS family, theme AS level FROM mentioned
                UNION SELECT u, 'touchpoint', type FROM touched
                UNION SELECT u, 'team', team FROM touched WHERE team IS NOT NULL
                UNION SELECT u, 'channel', channel FROM touched
                UNION SELECT u, 'segment', segment FROM units WHERE segment IS NOT NULL
                UNION SELECT u, 'campaign', campaign FROM acquired
                UNION SELECT u.u, 'attribute', a.name || ': ' || a.value
                      FROM units u JOIN {AttributeRows} a ON a.workspace_id = $workspace AND a.customer_id = u.c
                      WHERE a.name IN (SELECT name FROM attributes)
            ),
            keys AS (
                SELECT family, level, CAST(row_number() OVER (ORDER BY family, level) - 1 AS INTEGER) AS k
                FROM (SELECT DISTINCT family, level FROM exposures)
            ),
            met AS (
                SELECT e.u, list(k.k) AS ks FROM exposures e JOIN keys k USING (family, level) GROUP BY e.u
            )
            SELECT 0 AS kind, k AS u, NULL::BIGINT AS c, NULL::DOUBLE AS y, family, level, NULL::INTEGER[] AS ks FROM keys
            UNION ALL
            SELECT 1, u.u, u.c, u.y, NULL, NULL, m.ks FROM units u LEFT JOIN met m USING (u)
            ORDER BY kind, u
            """,
            reader => reader.GetInt32(0) == 0
                ? (Key: new DriverKey(reader.GetString(4), reader.GetString(5)), Unit: default(DriverUnit))
                : (Key: null, Unit: new DriverUnit(
                    reader.GetInt64(2),
                    reader.IsDBNull(3) ? double.NaN : reader.GetDouble(3),
                    reader.IsDBNull(6) ? [] : [.. reader.GetFieldValue<List<int>>(6)])),
            cache: false,
            parameters,
            ct).ConfigureAwait(false);

        return new DriverExposures(
            [.. rows.Where(r => r.Key is not null).Select(r => r.Key!)],
            [.. rows.Where(r => r.Key is null).Select(r => r.Unit)]);
    }
}
