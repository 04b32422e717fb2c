using Microsoft.EntityFrameworkCore;
using OpenCxo.Core.Maturity;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Maturity;

/// <summary>
/// The demo company's past maturity assessments, so the matrix and a history have something to show: service
/// assessed twice (measurement improved; agents still paid on handle time, and nobody checks marketing's 24/7 promise
/// against the night shift) and marketing once.
/// </summary>
public static class DemoMaturity
{
    private static readonly (string Department, int DaysAgo, (string Practice, int Score, string? Note)[] Answers)[] Assessments =
    [
        ("service", 150, [
            ("strategy.deliverable-promises", 0, "Marketing advertises 24/7 support; the night shift was never asked."),
            ("customer-understanding.single-view", 2, null), ("customer-understanding.voice-of-customer", 1, null),
            ("measurement.honest-statistics", 1, null), ("measurement.kpi-owners", 1, null), ("measurement.loop-closed", 1, null),
            ("governance.cx-council", 0, null), ("culture.resolution-over-speed", 1, "Agents are paid on handle time."),
        ]),
        ("service", 30, [
            ("strategy.deliverable-promises", 0, "Still no check of the 24/7 promise against night-shift staffing."),
            ("customer-understanding.single-view", 3, null), ("customer-understanding.voice-of-customer", 2, null),
            ("measurement.honest-statistics", 3, "CSAT is reported with intervals since the KPI set-up."), ("measurement.kpi-owners", 3, null),
            ("measurement.loop-closed", 2, null), ("governance.cx-council", 2, "The council met twice this quarter."),
            ("culture.resolution-over-speed", 1, "Agents are still paid on handle time."),
        ]),
        ("marketing", 60, [
            ("strategy.cx-vision", 2, null), ("strategy.deliverable-promises", 1, "The 24/7 claim went out without asking service."),
            ("customer-understanding.segment-needs", 3, null), ("measurement.kpi-owners", 2, null), ("culture.customer-voice-shared", 1, null),
        ]),
    ];

    /// <summary>Records the demo's assessments in a workspace that has none; how many it recorded.</summary>
    public static async Task<int> SeedAsync(IServiceProvider services, long workspaceId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(services);
        await using (var db = services.GetRequiredService<CxoDbFactory>().CreateDbContext())
        {
            if (await db.MaturityAssessments.AnyAsync(a => a.WorkspaceId == workspaceId, ct).ConfigureAwait(false))
            {
                return 0;
            }
        }

        var maturity = services.GetRequiredService<MaturityService>();
        var today = services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime.Date;
        foreach (var (department, daysAgo, answers) in Assessments)
        {
            await maturity.RecordAsync(workspaceId, department, answers.ToDictionary(a => a.Practice, a => new MaturityAnswer(a.Score, a.Note)),
                "cxo", today.AddDays(-daysAgo).AddHours(10), ct).ConfigureAwait(false);
        }

        return Assessments.Length;
    }
}
