using DuckDB.NET.Data;

namespace OpenCxo.Data.Analytics;

/// <summary>A campaign member: the live customer and whether they are held out.</summary>
public sealed record CampaignMember(long Customer, bool Control);

/// <summary>
/// One group's outcomes from launch to the end of week <see cref="Week"/> (cumulative): members, how many cancelled,
/// how many bought (an order or a new subscription; renewals are not a decision to buy again), their net revenue from
/// every purchase (sum and sum of squares per member, in <see cref="Currency"/>), and how many members answered NPS,
/// counted by their latest answer: one vote per member, however often they answered.
/// </summary>
public sealed record CampaignWeek(
    bool Control, int Week, long Members, long Cancelled, long Bought, string? Currency, double RevenueSum, double RevenueSumOfSquares,
    long Promoters, long Passives, long Detractors);

/// <summary>
/// The outcomes by week of both groups, how many members of each were reached by the campaign's own touchpoints, and
/// how many of the members' purchases were in a currency other than the one revenue is counted in.
/// </summary>
public sealed record CampaignOutcomes(IReadOnlyList<CampaignWeek> Weeks, long TreatedReached, long ControlReached, long OtherCurrencyPurchases = 0)
{
    /// <summary>What counts as buying again: an order or a new subscription.</summary>
    public static readonly IReadOnlyList<string> PurchaseDecisions = ["order.placed", "subscription.started"];
}

public sealed partial class AnalyticsStore
{
    /// <summary>
    /// What happened to a campaign's members in the <paramref name="weeks"/> weeks from <paramref name="from"/> (up to
    /// <paramref name="now"/>): cancellations (<c>subscription.cancelled</c>), purchases, net revenue in the currency most
    /// of their purchases were in (refunds subtracted), and NPS, cumulative by week; and how many of each group had a
    /// touchpoint carrying <paramref name="campaign"/> (the control group should have none). Week k holds what happened
    /// in [from + 7(k − 1) days, from + 7k days), to the microsecond.
    /// </summary>
    public async Task<CampaignOutcomes> CampaignOutcomesAsync(
        long workspaceId, string campaign, IReadOnlyList<CampaignMember> members, DateTime from, int weeks, DateTime now, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(weeks);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        using (await _swapGate.EnterSharedAsync(ct).ConfigureAwait(false))
        {
            using var connection = OpenReader();
            using (var create = connection.CreateCommand())
            {
                create.CommandText = "CREATE OR REPLACE TEMP TABLE campaign_members (c BIGINT NOT NULL, control BOOLEAN NOT NULL)";
                create.ExecuteNonQuery();
            }

            using (var appender = connection.CreateAppender("temp", "main", "campaign_members"))
            {
                foreach (var member in members)
                {
                    appender.CreateRow().AppendValue(member.Customer).AppendValue(member.Control).EndRow();
                }
            }

            var purchases = PurchaseTypeList;
            var events = $"""
                ev AS (
                    SELECT i.live_id AS c, m.control, i.occurred_at AS t,
                           CAST((epoch_us(i.occurred_at) - epoch_us(CAST($from AS TIMESTAMP))) // 604800000000 AS INTEGER) + 1 AS k,
                           i.type, i.currency, CAST(i.value AS DOUBLE) AS v, i.nps, i.campaign
                    FROM interactions i JOIN campaign_members m ON m.c = i.live_id
                    WHERE i.workspace_id = $workspace AND i.occurred_at >= CAST($from AS TIMESTAMP)
                      AND i.occurred_at < CAST($from AS TIMESTAMP) + to_days(CAST($days AS INTEGER)) AND i.occurred_at <= CAST($now AS TIMESTAMP)
                )
                """;
            var weekly = new List<CampaignWeek>();
            using (var command = connection.CreateCommand())
            {
                command.CommandText = $"""
                    WITH {events},
                    cur AS (
                        SELECT currency FROM ev WHERE type IN ({purchases}) AND currency IS NOT NULL
                        GROUP BY currency ORDER BY count(*) DESC, currency LIMIT 1
                    ),
                    per AS (
                        SELECT c, min(k) FILTER (WHERE type = '{CancellationType}') AS cancelled_week,
                                  min(k) FILTER (WHERE type IN ({InList(CampaignOutcomes.PurchaseDecisions)})) AS bought_week
                        FROM ev GROUP BY c
                    ),
                    money AS (
                        SELECT c, k, sum(CASE WHEN type = '{RefundType}' THEN -v ELSE v END) AS v
                        FROM ev WHERE type IN ({purchases}, '{RefundType}') AND currency = (SELECT currency FROM cur)
                        GROUP BY c, k
                    ),
                    grid AS (SELECT m.c, m.control, w.range AS k FROM campaign_members m CROSS JOIN range(1, $weeks + 1) w),
                    cum AS (
                        SELECT g.control, g.k, p.cancelled_week, p.bought_week,
                               sum(coalesce(x.v, 0)) OVER (PARTITION BY g.c ORDER BY g.k) AS total
                        FROM grid g LEFT JOIN per p ON p.c = g.c LEFT JOIN money x ON x.c = g.c AND x.k = g.k
                    )
                    SELECT control, CAST(k AS INTEGER), count(*),
                           count(*) FILTER (WHERE cancelled_week <= k), count(*) FILTER (WHERE bought_week <= k),
                           (SELECT currency FROM cur), coalesce(sum(total), 0), coalesce(sum(total * total), 0)
                    FROM cum GROUP BY control, k ORDER BY control, k
                    """;
                Bind(command, workspaceId, from, weeks, now, withWeeks: true);
                using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    weekly.Add(new CampaignWeek(
                        reader.GetBoolean(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
                        reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetDouble(6), reader.GetDouble(7), 0, 0, 0));
                }
            }

            // NPS by group and week: each member who answered by the end of week k, by their latest answer so far.
            var answers = new Dictionary<(bool, int), (long P, long N, long D)>();
            using (var command = connection.CreateCommand())
            {
                command.CommandText = $"""
                    WITH {events},
                    latest AS (
                        SELECT e.control, CAST(w.range AS INTEGER) AS wk, e.c, arg_max(e.nps, e.t) AS nps
                        FROM ev e JOIN range(1, $weeks + 1) w ON e.k <= w.range
                        WHERE e.nps IS NOT NULL
                        GROUP BY e.control, w.range, e.c
                    )
                    SELECT control, wk, count(*) FILTER (WHERE nps >= 9), count(*) FILTER (WHERE nps BETWEEN 7 AND 8), count(*) FILTER (WHERE nps <= 6)
                    FROM latest GROUP BY control, wk
                    """;
                Bind(command, workspaceId, from, weeks, now, withWeeks: true);
                using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    answers[(reader.GetBoolean(0), reader.GetInt32(1))] = (reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
                }
            }

            var cumulative = weekly.Select(w => answers.TryGetValue((w.Control, w.Week), out var a)
                ? w with { Promoters = a.P, Passives = a.N, Detractors = a.D }
                : w).ToList();

            long treatedReached = 0, controlReached = 0, otherCurrency = 0;
            using (var command = connection.CreateCommand())
            {
                command.CommandText = $"""
                    WITH {events}
                    SELECT count(DISTINCT c) FILTER (WHERE NOT control AND campaign = $campaign),
                           count(DISTINCT c) FILTER (WHERE control AND campaign = $campaign),
                           count(*) FILTER (WHERE type IN ({purchases}) AND currency IS NOT NULL AND currency <> (
                               SELECT currency FROM ev WHERE type IN ({purchases}) AND currency IS NOT NULL GROUP BY currency ORDER BY count(*) DESC, currency LIMIT 1))
                    FROM ev
                    """;
                Bind(command, workspaceId, from, weeks, now, withWeeks: false);
                command.Parameters.Add(new DuckDBParameter("campaign", campaign));
                using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                if (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    (treatedReached, controlReached, otherCurrency) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
                }
            }

            return new CampaignOutcomes(cumulative, treatedReached, controlReached, otherCurrency);
        }
    }

    /// <summary>The parameters of the members' touchpoints (<c>ev</c>); DuckDB refuses parameters a statement does not use.</summary>
    private static void Bind(DuckDBCommand command, long workspaceId, DateTime from, int weeks, DateTime now, bool withWeeks)
    {
        command.Parameters.Add(new DuckDBParameter("workspace", workspaceId));
        command.Parameters.Add(new DuckDBParameter("from", AsUtc(from)));
        command.Parameters.Add(new DuckDBParameter("days", weeks * 7));
        command.Parameters.Add(new DuckDBParameter("now", AsUtc(now)));
        if (withWeeks)
        {
            command.Parameters.Add(new DuckDBParameter("weeks", weeks));
        }
    }
}
