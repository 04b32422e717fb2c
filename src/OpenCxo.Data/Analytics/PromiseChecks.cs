using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using OpenCxo.Core.Alignment;

namespace OpenCxo.Data.Analytics;

/// <summary>
/// How many in-scope contacts a promise kept and judged in one slice: <c>all</c>, <c>hour</c> (local hour, 0–23),
/// <c>channel</c>, <c>team</c> (key null: no team) or <c>week</c> (the Monday of the week, yyyy-MM-dd); pending
/// contacts still wait for their follow-up.
/// </summary>
public readonly record struct PromiseCellRow(string Slice, string? Key, long Kept, long Judged, long Pending);

/// <summary>
/// The customers acquired under a promise (<see cref="Promised"/>) or otherwise in the same span, with what followed
/// within the horizon after their first payment (<see cref="CohortFigures"/>): NPS answers, a cancellation, and net
/// revenue in the span's main currency, of customers who first paid in it.
/// </summary>
public sealed record PromiseCohortRow(bool Promised, CohortFigures Figures);

/// <summary>The cohorts of a promise, the span and currency they were compared in, and the horizon's end ("now").</summary>
public sealed record PromiseCohorts(IReadOnlyList<PromiseCohortRow> Groups, DateTime? From, DateTime? To, string? Currency, DateTime? Newest);

public sealed partial class AnalyticsStore
{
    /// <summary>
    /// Judges a promise's contacts from <paramref name="from"/> to <paramref name="to"/>: the whole, by local hour,
    /// channel and team (or, with <paramref name="weekly"/>, by week). A follow-up test waits while the contact's time
    /// to be followed up runs past <paramref name="now"/>. Local hours come from the customer's <c>timeZone</c>
    /// attribute when it names a zone DuckDB's ICU knows, else the promise's fallback zone.
    /// </summary>
    public Task<IReadOnlyList<PromiseCellRow>> PromiseCellsAsync(
        long workspaceId, PromiseDefinition promise, DateTime from, DateTime to, DateTime now, bool weekly, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(promise);
        var c = promise.Contacts;
        var k = promise.Kept;
        var parameters = new List<DuckDBParameter> { new("now", AsUtc(now)) };
        var narrow = new StringBuilder();
        AppendParameters(narrow, parameters, "i.channel", "pc", c.Channels);
        AppendParameters(narrow, parameters, "i.team", "pt", c.Teams);
        string zone;
        var zoneJoin = "";
        if (c.TimeZone == PromiseContacts.CustomerZone)
        {
            zoneJoin = """
                LEFT JOIN customer_traits z ON z.workspace_id = i.workspace_id AND z.customer_id = i.live_id AND z.name = 'timeZone'
                LEFT JOIN (SELECT name FROM pg_timezone_names()) tz ON tz.name = z.value
                """;
            zone = "coalesce(tz.name, $fallback)";
            parameters.Add(new DuckDBParameter("fallback", c.FallbackTimeZone));
        }
        else
        {
            zone = "$zone";
            parameters.Add(new DuckDBParameter("zone", c.TimeZone));
        }

        // Hours and days are whole numbers the statement is written with, never user text; which hours the promise
        // covers is Promises.InHours', so the wrap past midnight is decided in one place.
        var hours = c.AllHours ? ""
            : " AND hour(local_at) IN (" + string.Join(", ", Enumerable.Range(0, 24).Where(h => Promises.InHours(c, h)).Select(h => h.ToString(CultureInfo.InvariantCulture))) + ")";
        var days = c.Days is { Count: > 0 and < 7 } d
            ? " AND isodow(local_at) IN (" + string.Join(", ", d.Select(x => (Promises.DayNames.ToList().IndexOf(x) + 1).ToString(CultureInfo.InvariantCulture))) + ")"
            : "";

        string kept;
        var follow = "";
        var pending = "false";
        if (k.FollowedBy is { } followers)
        {
            var inList = new StringBuilder();
            AppendParameters(inList, parameters, "f.type", "pf", followers);
            parameters.Add(new DuckDBParameter("within", (long)Math.Round(k.WithinHours!.Value * 3_600_000_000)));
            follow = $"""
                ASOF LEFT JOIN (SELECT f.live_id, f.occurred_at, f.ticket FROM interactions f WHERE f.workspace_id = $workspace{inList}) f
                    ON f.live_id = c.live_id{(k.SameTicket ? " AND f.ticket = c.ticket" : "")} AND f.occurred_at > c.occurred_at
                """;
            const string Deadline = "c.occurred_at + to_microseconds($within)";
            kept = $"CASE WHEN f.occurred_at <= {Deadline} THEN 1 WHEN {Deadline} > $now THEN NULL ELSE 0 END";
            pending = $"(f.occurred_at IS NULL OR f.occurred_at > {Deadline}) AND {Deadline} > $now";
        }
        else if (k.FirstContactResolution is not null)
        {
            kept = "c.fcr";
        }
        else if (k.Resolved is not null)
        {
            kept = "c.resolved";
        }
        else
        {
            var (column, test, limit) = k.WaitSecondsAtMost is { } wait ? ("wait_seconds", "<=", wait)
                : k.HandleSecondsAtMost is { } most ? ("handle_seconds", "<=", most)
                : ("handle_seconds", ">=", k.HandleSecondsAtLeast!.Value);
            parameters.Add(new DuckDBParameter("limit", limit));
            kept = $"CASE WHEN c.{column} IS NULL THEN NULL WHEN c.{column} {test} $limit THEN 1 ELSE 0 END";
        }

        var grouping = weekly
            ? """
              SELECT 'week', strftime(date_trunc('week', occurred_at), '%Y-%m-%d'), CAST(coalesce(sum(kept), 0) AS BIGINT), count(kept), count(*) FILTER (WHERE pending)
              FROM judged
              GROUP BY 2
              ORDER BY 2
              """
            : """
              SELECT CASE WHEN GROUPING(hour) = 0 THEN 'hour' WHEN GROUPING(channel) = 0 THEN 'channel' WHEN GROUPING(team) = 0 THEN 'team' ELSE 'all' END,
                     coalesce(CAST(hour AS VARCHAR), channel, team), CAST(coalesce(sum(kept), 0) AS BIGINT), count(kept), count(*) FILTER (WHERE pending)
              FROM judged
              GROUP BY GROUPING SETS ((), (hour), (channel), (team))
              """;
        var filter = DashboardFilter.Period(from, to);
        return QueryAsync(workspaceId, filter, c.Types, where => $"""
            WITH scoped AS (
                SELECT i.live_id, i.occurred_at, i.channel, i.team, i.ticket, i.fcr, i.resolved, i.handle_seconds, i.wait_seconds,
                       timezone({zone}, i.occurred_at AT TIME ZONE 'UTC') AS local_at
                FROM interactions i
                {zoneJoin}
                {where}{narrow}{(k.SameTicket ? " AND i.ticket IS NOT NULL" : "")}
            ),
            judged AS (
                SELECT c.occurred_at, c.channel, c.team, hour(c.local_at) AS hour, {kept} AS kept, {pending} AS pending
                FROM (SELECT * FROM scoped WHERE true{hours}{days}) c
                {follow}
            )
            {grouping}
            """,
            reader => new PromiseCellRow(
                reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4)),
            ct, [.. parameters]);
    }

    /// <summary>
    /// The customers acquired under <paramref name="campaigns"/> (last-touch attribution of their first payment, as
    /// cost per acquisition reads it) against those acquired otherwise between the first and the last of them, over
    /// <paramref name="horizonDays"/> after each acquisition; complaints are texts with one of <paramref name="themes"/>.
    /// </summary>
    public async Task<PromiseCohorts> PromiseCohortsAsync(
        long workspaceId, IReadOnlyList<string> campaigns, IReadOnlyList<string> themes, int horizonDays, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(campaigns);
        ArgumentNullException.ThrowIfNull(themes);
        if (campaigns.Count == 0)
        {
            return new PromiseCohorts([], null, null, null, null);
        }

        var parameters = new List<DuckDBParameter> { new("firstPayment", 1L << CustomerFacts.FirstPaymentBit), new("horizon", horizonDays) };
        var campaignList = new StringBuilder();
        AppendParameters(campaignList, parameters, "i.touch_campaign", "cc", campaigns);
        var themeList = new StringBuilder();
        AppendParameters(themeList, parameters, "t.theme", "ct", themes.Count > 0 ? themes : ["\u0001none"]);
        var everything = DashboardFilter.Period(DateTime.MinValue, DateTime.MaxValue);
        var groups = await QueryAsync(workspaceId, everything, null, where => $"""
            WITH acquired AS (
                SELECT i.live_id, i.occurred_at AS acquired_at, i.currency, (i.touch_campaign IS NOT NULL{campaignList}) AS promised
                FROM interactions i
                {where} AND (i.paid_marks & $firstPayment) <> 0
            ),
            span AS (SELECT min(acquired_at) AS lo, max(acquired_at) AS hi FROM acquired WHERE promised),
            newest AS (SELECT max(i.occurred_at) AS now FROM interactions i {where}),
            cohort AS MATERIALIZED (
                SELECT a.*, a.acquired_at <= newest.now - to_days(CAST($horizon AS INTEGER)) AS eligible
                FROM acquired a, span, newest
                WHERE a.promised OR (a.acquired_at >= span.lo AND a.acquired_at <= span.hi)
            ),
            currency AS (SELECT mode(currency) AS code FROM cohort),
            -- The cohort was acquired at its first payment, which every row carries (first_paid): what followed is read
            -- row by row against it, for the cohort's customers only, with no range join.
            facts AS (
                SELECT i.live_id,
                       count(*) FILTER (WHERE i.nps >= 9) AS promoters,
                       count(*) FILTER (WHERE i.nps BETWEEN 7 AND 8) AS passives,
                       count(*) FILTER (WHERE i.nps <= 6) AS detractors,
                       bool_or(i.type = '{CancellationType}') AS churned,
                       sum(CASE WHEN i.currency IS DISTINCT FROM (SELECT code FROM currency) OR i.nps IS NOT NULL THEN 0
                                WHEN i.type IN ({PurchaseTypeList}) THEN CAST(i.value AS DOUBLE)
                                WHEN i.type = '{RefundType}' THEN -CAST(i.value AS DOUBLE) ELSE 0 END) AS value
                FROM interactions i
                WHERE i.workspace_id = $workspace
                  AND i.occurred_at >= (SELECT min(acquired_at) FROM cohort)
                  AND i.occurred_at <= (SELECT max(acquired_at) FROM cohort) + to_days(CAST($horizon AS INTEGER))
                  AND i.occurred_at >= i.first_paid AND i.occurred_at <= i.first_paid + to_days(CAST($horizon AS INTEGER))
                  AND (i.nps IS NOT NULL OR i.type IN ('{CancellationType}', '{RefundType}', {PurchaseTypeList}))
                  AND i.live_id IN (SELECT live_id FROM cohort)
                GROUP BY i.live_id
            ),
            complainers AS (
                SELECT DISTINCT {MappedCustomer("t")} AS live_id
                FROM text_themes t
                {MapJoin("t")}
                WHERE t.workspace_id = $workspace{themeList}
            )
            SELECT c.promised, count(*), CAST(sum(coalesce(f.promoters, 0)) AS BIGINT), CAST(sum(coalesce(f.passives, 0)) AS BIGINT), CAST(sum(coalesce(f.detractors, 0)) AS BIGINT),
                   count(*) FILTER (WHERE c.eligible), count(*) FILTER (WHERE c.eligible AND f.churned),
                   count(*) FILTER (WHERE c.eligible AND c.currency = currency.code),
                   coalesce(sum(f.value) FILTER (WHERE c.eligible AND c.currency = currency.code), 0),
                   coalesce(sum(f.value * f.value) FILTER (WHERE c.eligible AND c.currency = currency.code), 0),
                   count(k.live_id),
                   any_value(span.lo), any_value(span.hi), any_value(currency.code), any_value(newest.now)
            FROM cohort c
            CROSS JOIN span CROSS JOIN newest CROSS JOIN currency
            LEFT JOIN facts f ON f.live_id = c.live_id
            LEFT JOIN complainers k ON k.live_id = c.live_id
            GROUP BY c.promised
            ORDER BY c.promised DESC
            """,
            // Every row carries the span, currency and newest touchpoint, so that a cached answer has them too.
            reader => (Row: new PromiseCohortRow(reader.GetBoolean(0), new CohortFigures(
                    Long(reader, 1), Long(reader, 2), Long(reader, 3), Long(reader, 4), Long(reader, 5), Long(reader, 6),
                    Long(reader, 7), reader.GetDouble(8), reader.GetDouble(9), Long(reader, 10))),
                Cohorts: new PromiseCohorts([], Time(reader, 11), Time(reader, 12), reader.IsDBNull(13) ? null : reader.GetString(13), Time(reader, 14))),
            ct, [.. parameters]).ConfigureAwait(false);
        return groups.Count == 0 ? new PromiseCohorts([], null, null, null, null) : groups[0].Cohorts with { Groups = [.. groups.Select(g => g.Row)] };

        static long Long(DuckDBDataReader reader, int i) => reader.IsDBNull(i) ? 0 : reader.GetInt64(i);

        static DateTime? Time(DuckDBDataReader reader, int i) => reader.IsDBNull(i) ? null : DateTime.SpecifyKind(reader.GetDateTime(i), DateTimeKind.Utc);
    }

    /// <summary>The sales reps who closed the customers acquired under <paramref name="campaigns"/>: customers per rep, most first.</summary>
    public Task<IReadOnlyList<(string Rep, long Customers)>> PromiseRepsAsync(long workspaceId, IReadOnlyList<string> campaigns, int limit, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(campaigns);
        var parameters = new List<DuckDBParameter> { new("firstPayment", 1L << CustomerFacts.FirstPaymentBit), new("limit", limit) };
        var campaignList = new StringBuilder();
        AppendParameters(campaignList, parameters, "i.touch_campaign", "cc", campaigns.Count > 0 ? campaigns : ["\u0001none"]);
        return QueryAsync(workspaceId, DashboardFilter.Period(DateTime.MinValue, DateTime.MaxValue), null, where => $"""
            WITH promised AS (
                SELECT DISTINCT i.live_id FROM interactions i {where} AND (i.paid_marks & $firstPayment) <> 0 AND i.touch_campaign IS NOT NULL{campaignList}
            )
            SELECT d.sales_rep, count(DISTINCT d.live_id)
            FROM interactions d
            JOIN promised p ON p.live_id = d.live_id
            WHERE d.workspace_id = $workspace AND d.type = 'deal.won' AND d.sales_rep IS NOT NULL
            GROUP BY 1
            ORDER BY 2 DESC, 1
            LIMIT $limit
            """,
            reader => (reader.GetString(0), reader.GetInt64(1)), ct, [.. parameters]);
    }

    /// <summary>The time zones the analytics store converts local hours in (ICU's), by name.</summary>
    public Task<IReadOnlyList<string>> TimeZoneNamesAsync(CancellationToken ct = default) =>
        // Every statement gets $workspace, and DuckDB refuses a parameter a statement does not use.
        QueryAsync(0, DashboardFilter.Period(DateTime.MinValue, DateTime.MaxValue), null, _ => "SELECT name FROM pg_timezone_names() WHERE $workspace = 0 ORDER BY name",
            reader => reader.GetString(0), ct);

    /// <summary>The newest texts of customers acquired under <paramref name="campaigns"/> that mention one of <paramref name="themes"/>, by seq.</summary>
    public Task<IReadOnlyList<long>> PromiseComplaintsAsync(
        long workspaceId, IReadOnlyList<string> campaigns, IReadOnlyList<string> themes, int limit, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(campaigns);
        ArgumentNullException.ThrowIfNull(themes);
        var parameters = new List<DuckDBParameter> { new("firstPayment", 1L << CustomerFacts.FirstPaymentBit), new("limit", limit) };
        var campaignList = new StringBuilder();
        AppendParameters(campaignList, parameters, "i.touch_campaign", "cc", campaigns.Count > 0 ? campaigns : ["\u0001none"]);
        var themeList = new StringBuilder();
        AppendParameters(themeList, parameters, "t.theme", "ct", themes.Count > 0 ? themes : ["\u0001none"]);
        return QueryAsync(workspaceId, DashboardFilter.Period(DateTime.MinValue, DateTime.MaxValue), null, where => $"""
            WITH promised AS (
                SELECT DISTINCT i.live_id FROM interactions i {where} AND (i.paid_marks & $firstPayment) <> 0 AND i.touch_campaign IS NOT NULL{campaignList}
            )
            SELECT DISTINCT t.seq, t.occurred_at
            FROM text_themes t
            {MapJoin("t")}
            JOIN promised p ON p.live_id = {MappedCustomer("t")}
            WHERE t.workspace_id = $workspace{themeList} AND t.sentiment < 0
            ORDER BY t.occurred_at DESC, t.seq DESC
            LIMIT $limit
            """,
            reader => reader.GetInt64(0), ct, [.. parameters]);
    }
}
