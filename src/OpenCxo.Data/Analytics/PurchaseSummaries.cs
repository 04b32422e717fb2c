using System.Globalization;
using DuckDB.NET.Data;
using OpenCxo.Core.Clv;

namespace OpenCxo.Data.Analytics;

public sealed partial class AnalyticsStore
{
    /// <summary>
    /// Each live customer's order.placed touchpoints in the currency up to and including <paramref name="calibrationEnd"/>,
    /// summarised for the buy-till-you-die models in weeks, as <see cref="RfmFiles.Summarise"/> does for a file: orders
    /// on the same day are one purchase (values summed), and customers whose first order is on the last day are left
    /// out (T = 0) and counted in <c>Unobserved</c>. Ordered by customer.
    /// </summary>
    public async Task<(IReadOnlyList<(long Customer, RfmSummary Summary)> Customers, int Unobserved)> PurchaseSummariesAsync(
        long workspaceId, DateOnly calibrationEnd, string currency, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(currency);
        var end = calibrationEnd.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var rows = await QueryAsync(workspaceId, DashboardFilter.Period(DateTime.MinValue, end.AddDays(1)), ["order.placed"], where => $"""
            WITH days AS (
                SELECT {LiveCustomer} AS c, CAST(i.occurred_at AS DATE) AS day, CAST(sum(i.value) AS DOUBLE) AS v
                FROM interactions i
                {where} AND i.currency = $currency
                GROUP BY c, day
            ),
            firsts AS (
                SELECT c, min(day) AS first FROM days GROUP BY c
            )
            SELECT d.c, count(*) - 1, date_diff('day', f.first, max(d.day)) / 7.0, date_diff('day', f.first, CAST($last AS DATE)) / 7.0,
                   coalesce(avg(d.v) FILTER (WHERE d.day > f.first), 0.0)
            FROM days d
            JOIN firsts f ON f.c = d.c
            WHERE f.first <= CAST($last AS DATE)
            GROUP BY d.c, f.first
            ORDER BY d.c
            """,
            reader => (
                Customer: Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture),
                Summary: new RfmSummary(
                    Convert.ToDouble(reader.GetValue(1), CultureInfo.InvariantCulture), Convert.ToDouble(reader.GetValue(2), CultureInfo.InvariantCulture),
                    Convert.ToDouble(reader.GetValue(3), CultureInfo.InvariantCulture), Convert.ToDouble(reader.GetValue(4), CultureInfo.InvariantCulture))),
            ct, new DuckDBParameter("currency", currency), new DuckDBParameter("last", end)).ConfigureAwait(false);
        var observed = rows.Where(r => r.Summary.Age > 0).ToList();
        return (observed, rows.Count - observed.Count);
    }
}
