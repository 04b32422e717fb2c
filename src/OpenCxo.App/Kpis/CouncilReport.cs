using System.Globalization;
using System.Text.Json.Nodes;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Metrics;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Kpis;

/// <summary>
/// One KPI in the month's report: its metric over the month and the month before, the month's target and status,
/// whether the change is more than chance, and the trend over its snapshots.
/// </summary>
public sealed record CouncilLine(
    KpiDefinition Kpi, KpiReading? Now, KpiReading? Before, double? Target, string TargetSource, KpiStatus Status, KpiStatus BeforeStatus, double? ChangePValue,
    KpiTrend? Trend, string? Problem)
{
    public double? Change => Now?.Value is { } now && Before?.Value is { } before ? now - before : null;

    /// <summary>The change is more than chance at the 5 % level.</summary>
    public bool Significant => ChangePValue is < 0.05;

    /// <summary>Better or worse for customers, by the KPI's direction; null when unchanged or unknown.</summary>
    public bool? Improved => Change is { } c && c != 0 ? (c > 0) == (Kpi.EffectiveDirection == KpiDirection.AtLeast) : null;
}

/// <summary>The monthly CX council report: every KPI by owner department, what changed, what is off track, the month's alerts.</summary>
public sealed record CouncilReport(DateOnly From, DateOnly To, IReadOnlyList<CouncilLine> Lines, IReadOnlyList<AlertView> Alerts)
{
    public string Month => From.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>The month the report covers: <c>yyyy-MM</c>, default the last complete month; null when unreadable.</summary>
    public static (DateOnly From, DateOnly To)? ParseMonth(string? month, DateOnly today)
    {
        if (month is null)
        {
            return KpiRules.CompletePeriods(today, KpiPeriod.Month, 1)[0];
        }

        return DateOnly.TryParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first) && first.Year is >= 2000 and <= 2100
            ? KpiRules.PeriodOf(first, KpiPeriod.Month)
            : null;
    }

    public static async Task<CouncilReport> BuildAsync(
        KpiService kpis, AlertService alerts, AnalyticsStore store, CxoDbFactory databases, long workspaceId, DateOnly from, DateOnly to, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(kpis);
        ArgumentNullException.ThrowIfNull(alerts);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(databases);
        await store.SyncAsync(ct).ConfigureAwait(false);
        var (beforeFrom, beforeTo) = KpiRules.PeriodOf(from.AddDays(-1), KpiPeriod.Month);
        var lines = new List<CouncilLine>();
        await using var db = databases.CreateDbContext();
        foreach (var (row, kpi) in await kpis.ListAsync(workspaceId, ct).ConfigureAwait(false))
        {
            var history = await KpiService.HistoryAsync(db, row.Id, kpi.EffectivePeriod, ct).ConfigureAwait(false);
            var trend = KpiService.TrendOf(history, kpi.EffectiveDirection);
            try
            {
                var now = await KpiReadings.ReadAsync(store, workspaceId, kpi, from, to, ct).ConfigureAwait(false);
                var before = await KpiReadings.ReadAsync(store, workspaceId, kpi, beforeFrom, beforeTo, ct).ConfigureAwait(false);
                var target = await KpiReadings.TargetAsync(db, store, workspaceId, kpi.Target, to, ct).ConfigureAwait(false);
                var beforeTarget = await KpiReadings.TargetAsync(db, store, workspaceId, kpi.Target, beforeTo, ct).ConfigureAwait(false);
                var p = now is not null && before is not null ? KpiRules.ChangePValue(now, before, kpi.MetricDefinition.Kind) : null;
                lines.Add(new CouncilLine(kpi, now, before, target.Value, target.Source,
                    KpiService.Judge(now, target, kpi), KpiService.Judge(before, beforeTarget, kpi), p, trend, null));
            }
            catch (ArgumentException e)
            {
                lines.Add(new CouncilLine(kpi, null, null, null, "not read", KpiStatus.NoData, KpiStatus.NoData, null, trend, e.Message));
            }
        }

        var start = from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var end = to.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var raised = await alerts.AlertsAsync(workspaceId, open: false, 1000, ct, start, end).ConfigureAwait(false);
        return new CouncilReport(from, to, lines, raised);
    }

    public JsonObject ToJson()
    {
        JsonObject Line(CouncilLine l) => new()
        {
            ["key"] = l.Kpi.Key,
            ["name"] = l.Kpi.Name,
            ["metric"] = l.Kpi.Metric,
            ["unit"] = l.Kpi.MetricDefinition.Unit,
            ["owner"] = l.Kpi.Owner,
            ["raci"] = System.Text.Json.JsonSerializer.SerializeToNode(l.Kpi.EffectiveRaci, KpiDefinition.Json),
            ["value"] = KpiJson.Round(l.Now?.Value),
            ["low"] = KpiJson.Round(l.Now?.Low),
            ["high"] = KpiJson.Round(l.Now?.High),
            ["n"] = l.Now?.N ?? 0,
            ["previous"] = KpiJson.Round(l.Before?.Value),
            ["previousN"] = l.Before?.N ?? 0,
            ["change"] = KpiJson.Round(l.Change),
            ["changePValue"] = KpiJson.Round(l.ChangePValue),
            ["significant"] = l.Significant,
            ["improved"] = l.Improved,
            ["target"] = KpiJson.Round(l.Target),
            ["targetSource"] = l.TargetSource,
            ["status"] = KpiService.StatusName(l.Status),
            ["previousStatus"] = KpiService.StatusName(l.BeforeStatus),
            ["trendImproving"] = l.Trend?.Improving,
            ["problem"] = l.Problem,
        };
        return new JsonObject
        {
            ["month"] = Month,
            ["from"] = From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["to"] = To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["counts"] = KpiJson.Counts(Lines.Select(l => l.Status)),
            ["departments"] = new JsonArray([.. Vocabulary.Departments.Where(d => Lines.Any(l => l.Kpi.Owner == d)).Select(d => (JsonNode)new JsonObject
            {
                ["name"] = d,
                ["kpis"] = new JsonArray([.. Lines.Where(l => l.Kpi.Owner == d).Select(l => (JsonNode)Line(l))]),
            })]),
            ["offTrack"] = new JsonArray([.. Lines.Where(l => l.Status == KpiStatus.OffTrack).Select(l => (JsonNode)l.Kpi.Key)]),
            ["alerts"] = new JsonArray([.. Alerts.Select(a => (JsonNode)AlertEndpoints.Json(a))]),
        };
    }
}
