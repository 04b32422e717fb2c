using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenCxo.App.Segments;
using OpenCxo.Core.Campaigns;
using OpenCxo.Core.Segments;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Campaigns;

/// <summary>
/// The demo's segments and a draft recovery campaign on one of them, so the builder, the power calculation and the
/// launch have something to start from: recent detractors, and customers who called service three times in a month.
/// </summary>
public static class DemoCampaigns
{
    private static readonly SegmentDefinition[] Segments =
    [
        new("recent-detractors", "Detractors in the last 90 days", Conditions(
            """[{"kind":"answer","name":"nps","op":"<=","value":6,"withinDays":90},{"kind":"consent","name":"marketing","state":"refused","not":true}]"""),
            Description: "Customers whose latest NPS answer, in the last 90 days, was 0–6.", Owner: "service"),
        new("frequent-callers", "Called service 3+ times in 30 days", Conditions(
            """[{"kind":"touchpoints","department":"service","channel":"phone","atLeast":3,"withinDays":30}]"""),
            Description: "Customers the service desk keeps hearing from.", Owner: "service"),
    ];

    /// <summary>Adds the demo's segments and campaign to a workspace that has no segment yet; how many segments it added.</summary>
    public static async Task<int> SeedAsync(IServiceProvider services, long workspaceId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(services);
        await using (var db = services.GetRequiredService<CxoDbFactory>().CreateDbContext())
        {
            if (await db.Segments.AnyAsync(s => s.WorkspaceId == workspaceId, ct).ConfigureAwait(false))
            {
                return 0;
            }
        }

        var segments = services.GetRequiredService<SegmentService>();
        foreach (var segment in Segments)
        {
            Check($"segment {segment.Key}", await segments.SaveAsync(workspaceId, segment, "cxo", replace: false, ct).ConfigureAwait(false));
        }

        var campaign = new CampaignDefinition("detractor-recovery", "Call back recent detractors", "recent-detractors", 0.2, 8, "recovery",
            "A senior agent calls each detractor within a week to put things right; a fifth are held out to measure it.", "service");
        Check("campaign detractor-recovery", await services.GetRequiredService<CampaignService>().SaveAsync(workspaceId, campaign, "cxo", replace: false, ct).ConfigureAwait(false));
        return Segments.Length;
    }

    private static List<SegmentCondition> Conditions(string json) => JsonSerializer.Deserialize<List<SegmentCondition>>(json, SegmentService.Json)!;

    private static void Check(string what, Kpis.Saved saved)
    {
        if (!saved.Ok)
        {
            throw new InvalidOperationException($"Demo {what}: {saved.Errors[0].Field}: {saved.Errors[0].Message}");
        }
    }
}
