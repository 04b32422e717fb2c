using Microsoft.EntityFrameworkCore;
using OpenCxo.Core.Metrics;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Kpis;

/// <summary>The demo company's KPIs and alert rules, set on its first run so that the scorecards have something to show.</summary>
public static class DemoKpis
{
    public static IReadOnlyList<KpiDefinition> Kpis { get; } =
    [
        new("company-nps", "Company NPS", "nps", new KpiTarget(20), "marketing", KpiHorizon.LongTerm,
            Raci: new KpiRaci(["marketing"], ["cxo"], ["service", "sales"], ["product"]),
            Description: "How likely customers are to recommend us, across every survey that asks."),
        new("service-csat", "Service satisfaction", "csat", new KpiTarget(80), "service",
            Raci: new KpiRaci(["service"], ["service"], null, ["cxo"])),
        new("night-fcr", "Night shift first-contact resolution", "first_contact_resolution", new KpiTarget(60), "service",
            By: "team", Slice: "night", Raci: new KpiRaci(["service"], ["service"], ["marketing"], ["cxo", "sales"]),
            Description: "Marketing promises 24/7 support: the night shift must solve what it picks up."),
        new("handle-time", "Average handle time", "average_handle_time", new KpiTarget(420), "service",
            Raci: new KpiRaci(["service"], ["service"], null, ["cxo"]),
            Description: "Read beside first-contact resolution: shorter is cheaper only when the problem is solved."),
        new("repeat-purchase", "Repeat purchase rate", "repeat_purchase_rate", new KpiTarget(6), "sales", KpiHorizon.LongTerm,
            Raci: new KpiRaci(["sales"], ["sales"], ["marketing"], ["cxo"])),
        new("negative-feedback", "Share of negative feedback", "negative_feedback_share", new KpiTarget(45), "product",
            Raci: new KpiRaci(["product"], ["cxo"], ["service"], ["marketing"])),
    ];

    public static IReadOnlyList<AlertRuleDefinition> Rules { get; } =
    [
        new("night-fcr-off-track", "Night shift resolution off track", new AlertCondition(AlertKind.Status, [KpiStatus.OffTrack]), Kpi: "night-fcr"),
        new("handle-time-anomaly", "Unusual handle time", new AlertCondition(AlertKind.Anomaly), Metric: "average_handle_time", By: "team", MinimumN: 20),
    ];

    /// <summary>Sets the demo KPIs and rules unless the workspace has KPIs of its own; answers how many KPIs it set.</summary>
    public static async Task<int> SeedAsync(IServiceProvider services, long workspaceId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(services);
        await using (var db = services.GetRequiredService<CxoDbFactory>().CreateDbContext())
        {
            if (await db.Kpis.AnyAsync(k => k.WorkspaceId == workspaceId, ct).ConfigureAwait(false))
            {
                return 0;
            }
        }

        var kpis = services.GetRequiredService<KpiService>();
        foreach (var kpi in Kpis)
        {
            if ((await kpis.SaveAsync(workspaceId, kpi, "demo", replace: true, ct).ConfigureAwait(false)).Errors is [var problem, ..])
            {
                throw new InvalidOperationException($"Demo KPI {kpi.Key}: {problem.Field}: {problem.Message}");
            }
        }

        var alerts = services.GetRequiredService<AlertService>();
        foreach (var rule in Rules)
        {
            if ((await alerts.SaveRuleAsync(workspaceId, rule, "demo", replace: true, ct).ConfigureAwait(false)).Errors is [var problem, ..])
            {
                throw new InvalidOperationException($"Demo alert rule {rule.Key}: {problem.Field}: {problem.Message}");
            }
        }

        return Kpis.Count;
    }
}
