using System.Globalization;
using System.Text;
using DuckDB.NET.Data;

namespace OpenCxo.Data.Analytics;

/// <summary>What a dashboard looks at: a UTC period [From, To) and optional departments, channels and customer segments.</summary>
public sealed record DashboardFilter(DateTime From, DateTime To, IReadOnlyList<string> Departments, IReadOnlyList<string> Channels, IReadOnlyList<string> Segments)
{
    public static DashboardFilter Period(DateTime from, DateTime to) => new(from, to, [], [], []);
}

public enum TimeBucket
{
    Day,
    Week,
    Month,
}

/// <summary>What touchpoint counts are split by.</summary>
public enum VolumeSplit
{
    Department,
    Channel,
    Type,
}

/// <summary>What a breakdown table is keyed by: event attributes copied as columns, or the customer's segment.</summary>
public enum BreakdownKey
{
    Campaign,
    SalesRep,
    Team,
    Agent,
    Segment,
}

/// <param name="Bucket">The first day of the day, ISO week (Monday) or month.</param>
public sealed record VolumePoint(DateOnly Bucket, string Key, long Count);

/// <param name="ActiveCustomers">Distinct live customers with any touchpoint in the bucket.</param>
/// <param name="Purchases">order.placed, subscription.started and subscription.renewed.</param>
/// <param name="Cancellations">subscription.cancelled.</param>
/// <param name="NetRevenue">Purchase values less refund.issued values, per currency.</param>
public sealed record BusinessFigures(long Touchpoints, long ActiveCustomers, long Purchases, long Cancellations, IReadOnlyList<CurrencyValue> NetRevenue);

public sealed record BusinessPoint(DateOnly Bucket, BusinessFigures Figures);

/// <summary>One key (a campaign, a rep, a team…) and event type: counts, value sums and handle-time statistics.</summary>
public sealed record BreakdownRow(
    string Key, string Type, long Count, long Customers, IReadOnlyList<CurrencyValue> Values, double? AverageSeconds, double? MedianSeconds, double? P90Seconds);

/// <param name="Leads">Distinct live customers with a lead.created in the period.</param>
/// <param name="Converted">Of those, the ones whose first purchase (order.placed or subscription.started) came at or after their first lead of the period, at any time up to now.</param>
public sealed record LeadConversion(long Leads, long Converted);

public sealed partial class AnalyticsStore
{
    public static readonly string[] PurchaseTypes = ["order.placed", "subscription.started", "subscription.renewed"];

    /// <summary><see cref="PurchaseTypes"/> as an SQL list of constants, for <c>type IN (…)</c>.</summary>
    internal static readonly string PurchaseTypeList = InList(PurchaseTypes);
    public const string RefundType = "refund.issued";
    public const string CancellationType = "subscription.cancelled";

    /// <summary>The live profile of touchpoint i (kept on the row by <see cref="CustomerFacts"/>).</summary>
    private const string LiveCustomer = "i.live_id";

    /// <summary>
    /// The live profile's value of the attribute named by $attribute (its own, or a prediction tier), as t.value, for
    /// <paramref name="customer"/> (a live customer id). One key against that attribute's rows alone: the join runs per row, so it is kept lean.
    /// </summary>
    private static string AttributeJoin(string customer) =>
        $"LEFT JOIN (SELECT customer_id, value FROM {AttributeRows} WHERE workspace_id = $workspace AND name = $attribute) t ON t.customer_id = " + customer;

    /// <summary>Touchpoints per time bucket and department, channel or type; <paramref name="types"/> narrows to those types.</summary>
    public Task<IReadOnlyList<VolumePoint>> VolumeAsync(
        long workspaceId, DashboardFilter filter, TimeBucket bucket, VolumeSplit split, IReadOnlyList<string>? types = null, CancellationToken ct = default)
    {
        var key = split switch
        {
            VolumeSplit.Department => "i.department",
            VolumeSplit.Channel => "i.channel",
            _ => "i.type",
        };
        return QueryAsync(workspaceId, filter, types, where => $"""
            SELECT CAST(date_trunc('{Unit(bucket)}', i.occurred_at) AS DATE) AS b, {key} AS k, count(*) AS n
            FROM interactions i
            {where}
            GROUP BY b, k
            ORDER BY b, k
            """,
            reader => new VolumePoint(reader.GetFieldValue<DateOnly>(0), reader.GetString(1), reader.GetInt64(2)), ct);
    }

    /// <summary>Business figures for the whole period (one row, Bucket = the period's first day) or per bucket.</summary>
    public async Task<IReadOnlyList<BusinessPoint>> BusinessAsync(
        long workspaceId, DashboardFilter filter, TimeBucket? bucket, CancellationToken ct = default)
    {
        var b = bucket is { } unit ? $"CAST(date_trunc('{Unit(unit)}', i.occurred_at) AS DATE)" : "CAST($from AS DATE)";
        var purchases = InList(PurchaseTypes);
        var counts = await QueryAsync(workspaceId, filter, null, where => $"""
            SELECT {b} AS b, count(*), count(DISTINCT {LiveCustomer}),
                   count(*) FILTER (WHERE i.type IN ({purchases})),
                   count(*) FILTER (WHERE i.type = '{CancellationType}')
            FROM interactions i
            {where}
            GROUP BY b
            ORDER BY b
            """,
            reader => (Bucket: reader.GetFieldValue<DateOnly>(0), Touchpoints: reader.GetInt64(1), Customers: reader.GetInt64(2), Purchases: reader.GetInt64(3), Cancellations: reader.GetInt64(4)),
            ct).ConfigureAwait(false);
        var money = await QueryAsync(workspaceId, filter, [.. PurchaseTypes, RefundType], where => $"""
            SELECT {b} AS b, i.currency,
                   sum(CASE WHEN i.type = '{RefundType}' THEN -i.value ELSE i.value END)
            FROM interactions i
            {where} AND i.currency IS NOT NULL
            GROUP BY b, i.currency
            ORDER BY b, i.currency
            """,
            reader => (Bucket: reader.GetFieldValue<DateOnly>(0), Value: new CurrencyValue(reader.GetString(1), reader.GetDecimal(2))),
            ct).ConfigureAwait(false);
        var revenue = money.GroupBy(m => m.Bucket).ToDictionary(g => g.Key, g => (IReadOnlyList<CurrencyValue>)[.. g.Select(m => m.Value)]);
        return [.. counts.Select(c => new BusinessPoint(c.Bucket, new BusinessFigures(
            c.Touchpoints, c.Customers, c.Purchases, c.Cancellations, revenue.GetValueOrDefault(c.Bucket, []))))];
    }

    /// <summary>Counts, value sums and handle times per key and type, for the given event types.</summary>
    public async Task<IReadOnlyList<BreakdownRow>> BreakdownAsync(
        long workspaceId, DashboardFilter filter, BreakdownKey key, IReadOnlyList<string> types, CancellationToken ct = default)
    {
        var column = key switch
        {
            BreakdownKey.Campaign => "i.campaign",
            BreakdownKey.SalesRep => "i.sales_rep",
            BreakdownKey.Team => "i.team",
            BreakdownKey.Agent => "i.agent",
            _ => "i.segment",
        };
        var rows = await QueryAsync(workspaceId, filter, types, where => $"""
            SELECT {column} AS k, i.type, count(*), count(DISTINCT {LiveCustomer}),
                   avg(i.handle_seconds), quantile_cont(i.handle_seconds, 0.5), quantile_cont(i.handle_seconds, 0.9)
            FROM interactions i
            {where} AND {column} IS NOT NULL
            GROUP BY k, i.type
            ORDER BY k, i.type
            """,
            reader => new BreakdownRow(
                reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), [],
                reader.IsDBNull(4) ? null : reader.GetDouble(4),
                reader.IsDBNull(5) ? null : reader.GetDouble(5),
                reader.IsDBNull(6) ? null : reader.GetDouble(6)),
            ct).ConfigureAwait(false);
        var values = await QueryAsync(workspaceId, filter, types, where => $"""
            SELECT {column} AS k, i.type, i.currency, sum(i.value)
            FROM interactions i
            {where} AND {column} IS NOT NULL AND i.currency IS NOT NULL
            GROUP BY k, i.type, i.currency
            HAVING sum(i.value) <> 0
            ORDER BY i.currency
            """,
            reader => (Key: reader.GetString(0), Type: reader.GetString(1), Value: new CurrencyValue(reader.GetString(2), reader.GetDecimal(3))),
            ct).ConfigureAwait(false);
        var sums = values.GroupBy(v => (v.Key, v.Type)).ToDictionary(g => g.Key, g => (IReadOnlyList<CurrencyValue>)[.. g.Select(v => v.Value)]);
        return [.. rows.Select(r => r with { Values = sums.GetValueOrDefault((r.Key, r.Type), []) })];
    }

    public async Task<LeadConversion> LeadConversionAsync(long workspaceId, DashboardFilter filter, CancellationToken ct = default)
    {
        var purchases = InList(["order.placed", "subscription.started"]);
        var result = await QueryAsync(workspaceId, filter, ["lead.created"], where => $"""
            WITH leads AS (
                SELECT {LiveCustomer} AS c, min(i.occurred_at) AS at
                FROM interactions i
                {where}
                GROUP BY c
            ),
            buyers AS (
                SELECT {LiveCustomer} AS c, min(i.occurred_at) AS at
                FROM interactions i
                WHERE i.workspace_id = $workspace AND i.type IN ({purchases})
                GROUP BY c
            )
            SELECT count(*), count(*) FILTER (WHERE b.at >= l.at)
            FROM leads l LEFT JOIN buyers b ON b.c = l.c
            """,
            reader => new LeadConversion(reader.GetInt64(0), reader.GetInt64(1)), ct).ConfigureAwait(false);
        return result.Single();
    }

    /// <summary>The distinct segments seen in the workspace, for the segment filter.</summary>
    public Task<IReadOnlyList<string>> SegmentsAsync(long workspaceId, CancellationToken ct = default) =>
        QueryAsync(workspaceId, DashboardFilter.Period(DateTime.MinValue, DateTime.MaxValue), null, _ => """
            SELECT DISTINCT segment FROM interactions WHERE workspace_id = $workspace AND segment IS NOT NULL ORDER BY segment
            """,
            reader => reader.GetString(0), ct);

    /// <summary>The teams named on the workspace's touchpoints, for choosing some.</summary>
    public Task<IReadOnlyList<string>> TeamsAsync(long workspaceId, CancellationToken ct = default) =>
        QueryAsync(workspaceId, DashboardFilter.Period(DateTime.MinValue, DateTime.MaxValue), null, _ => """
            SELECT DISTINCT team FROM interactions WHERE workspace_id = $workspace AND team IS NOT NULL ORDER BY team LIMIT 500
            """,
            reader => reader.GetString(0), ct);

    private static string Unit(TimeBucket bucket) => bucket switch
    {
        TimeBucket.Day => "day",
        TimeBucket.Week => "week",
        _ => "month",
    };

    // Only for the fixed vocabulary above; user input always goes through parameters.
    /// <summary>
    /// Joins the merge map as <c>m</c> to rows (alias <paramref name="rows"/>) that carry their customer as copied, not
    /// the live profile (the text tables; interactions before the facts know it); <see cref="MappedCustomer"/> is then
    /// the live profile.
    /// </summary>
    internal static string MapJoin(string rows) => $"LEFT JOIN customer_map m ON m.workspace_id = {rows}.workspace_id AND m.customer_id = {rows}.customer_id";

    /// <summary>The live profile of a row joined with <see cref="MapJoin"/>.</summary>
    internal static string MappedCustomer(string rows) => $"coalesce(m.live_id, {rows}.customer_id)";

    private static string InList(IEnumerable<string> constants) => string.Join(", ", constants.Select(c => "'" + c + "'"));

    /// <summary>
    /// Runs one statement under the swap gate with the filter as parameters; <paramref name="sql"/> gets the WHERE
    /// clause (workspace, period, departments, channels, segments and <paramref name="types"/>) to place.
    /// </summary>
    private Task<IReadOnlyList<T>> QueryAsync<T>(
        long workspaceId, DashboardFilter filter, IReadOnlyList<string>? types, Func<string, string> sql, Func<DuckDBDataReader, T> read, CancellationToken ct,
        params IReadOnlyList<DuckDBParameter> extra) =>
        QueryAsync(workspaceId, filter, types, (where, _) => sql(where), read, ct, extra);

    /// <summary>
    /// As above; <paramref name="sql"/> also gets the WHERE clause without the period (workspace and the other
    /// filters), for statements that read a customer's touchpoints outside it.
    /// </summary>
    private Task<IReadOnlyList<T>> QueryAsync<T>(
        long workspaceId, DashboardFilter filter, IReadOnlyList<string>? types, Func<string, string, string> sql, Func<DuckDBDataReader, T> read,
        CancellationToken ct, params IReadOnlyList<DuckDBParameter> extra) =>
        QueryAsync(workspaceId, filter, types, sql, read, cache: true, extra, ct);

    /// <summary>
    /// As above; with <paramref name="cache"/> false the answer is neither looked up nor kept: for answers of a row per
    /// customer or answer (hundreds of megabytes at a million) and for one customer's own, which would crowd the
    /// dashboards' answers out of the cache.
    /// </summary>
    private async Task<IReadOnlyList<T>> QueryAsync<T>(
        long workspaceId, DashboardFilter filter, IReadOnlyList<string>? types, Func<string, string, string> sql, Func<DuckDBDataReader, T> read,
        bool cache, IReadOnlyList<DuckDBParameter> extra, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        using (await _swapGate.EnterSharedAsync(ct).ConfigureAwait(false))
        {
            using var connection = OpenReader();
            using var command = connection.CreateCommand();
            var scope = new StringBuilder("WHERE i.workspace_id = $workspace");
            command.Parameters.Add(new DuckDBParameter("workspace", workspaceId));
            AppendIn(scope, command, "i.department", "d", filter.Departments);
            AppendIn(scope, command, "i.channel", "c", filter.Channels);
            AppendIn(scope, command, "i.segment", "s", filter.Segments);
            AppendIn(scope, command, "i.type", "t", types ?? []);
            var where = new StringBuilder().Append(scope);
            if (filter.From > DateTime.MinValue)
            {
                where.Append(" AND i.occurred_at >= $from");
            }

            if (filter.To < DateTime.MaxValue)
            {
                where.Append(" AND i.occurred_at < $to");
            }

            command.CommandText = sql(where.ToString(), scope.ToString());
            foreach (var parameter in extra)
            {
                command.Parameters.Add(parameter);
            }

            // DuckDB refuses parameters a statement does not use.
            if (command.CommandText.Contains("$from", StringComparison.Ordinal))
            {
                command.Parameters.Add(new DuckDBParameter("from", AsUtc(filter.From)));
            }

            if (command.CommandText.Contains("$to", StringComparison.Ordinal))
            {
                command.Parameters.Add(new DuckDBParameter("to", AsUtc(filter.To)));
            }
            var key = typeof(T).FullName + "\n" + command.CommandText + "\n"
                + string.Join("\n", command.Parameters.Cast<DuckDBParameter>().Select(p => p.ParameterName + "=" + Convert.ToString(p.Value, CultureInfo.InvariantCulture)));
            if (cache && _answers.TryGet(key, out var cached))
            {
                return (IReadOnlyList<T>)cached;
            }

            var generation = _answers.Generation;
            using var reader = (DuckDBDataReader)await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var rows = new List<T>();
            while (reader.Read())
            {
                rows.Add(read(reader));
            }

            if (cache)
            {
                _answers.Add(key, rows, generation);
            }

            return rows;
        }
    }

    /// <summary>Appends <c> AND column IN ($p0, …)</c> for <paramref name="values"/> (nothing when there are none).</summary>
    private static void AppendParameters(StringBuilder sql, List<DuckDBParameter> parameters, string column, string prefix, IReadOnlyList<string>? values)
    {
        if (values is not { Count: > 0 })
        {
            return;
        }

        sql.Append(" AND ").Append(column).Append(" IN (");
        for (var i = 0; i < values.Count; i++)
        {
            var name = prefix + i.ToString(CultureInfo.InvariantCulture);
            sql.Append(i == 0 ? "$" : ", $").Append(name);
            parameters.Add(new DuckDBParameter(name, values[i]));
        }

        sql.Append(')');
    }

    private static void AppendIn(StringBuilder where, DuckDBCommand command, string column, string prefix, IReadOnlyList<string> values)
    {
        var parameters = new List<DuckDBParameter>();
        AppendParameters(where, parameters, column, prefix, values);
        command.Parameters.AddRange(parameters);
    }
}
