using System.Globalization;
using DuckDB.NET.Data;

namespace OpenCxo.Data.Analytics;

public sealed partial class AnalyticsStore
{
    /// <summary>
    /// A statistic of one numeric customer attribute over the live profiles that hold it as a number: the mean when
    /// <paramref name="percentile"/> is null, else that percentile (linear interpolation, R's type 7); with how many
    /// profiles hold it. Profiles whose value is not a number are left out. What a KPI target derived from a contract
    /// attribute (an SLA in hours, say) reads.
    /// </summary>
    public async Task<(double? Value, long N)> TraitStatisticAsync(long workspaceId, string name, double? percentile, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (percentile is < 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "A percentile is 0–100.");
        }

        var aggregate = percentile is { } p
            ? "quantile_cont(x, " + (p / 100).ToString("R", CultureInfo.InvariantCulture) + ")"
            : "avg(x)";
        var rows = await QueryAsync(workspaceId, new DashboardFilter(DateTime.MinValue, DateTime.MaxValue, [], [], []), null,
            where => $"""
                SELECT {aggregate}, count(x)
                FROM (SELECT TRY_CAST(i.value AS DOUBLE) AS x FROM customer_traits i {where} AND i.name = $name)
                WHERE x IS NOT NULL AND isfinite(x)
                """,
            reader => (reader.IsDBNull(0) ? (double?)null : Convert.ToDouble(reader.GetValue(0), CultureInfo.InvariantCulture),
                Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture)),
            ct, new DuckDBParameter("name", name)).ConfigureAwait(false);
        return rows[0];
    }
}
