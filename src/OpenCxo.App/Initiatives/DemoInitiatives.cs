using Microsoft.EntityFrameworkCore;
using OpenCxo.Core.Initiatives;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Initiatives;

/// <summary>
/// The demo company's initiatives portfolio, so the CX council has something to weed out: service pushing handle time
/// down while product works on night-shift first-contact resolution (DESIGN.md's textbook conflict), marketing and
/// service both rewriting what customers read about billing (a duplicated effort), and a sales programme that
/// touches neither.
/// </summary>
public static class DemoInitiatives
{
    /// <summary>Adds the demo's initiatives to a workspace that has none, after the demo KPIs; how many it added.</summary>
    public static async Task<int> SeedAsync(IServiceProvider services, long workspaceId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(services);
        await using (var db = services.GetRequiredService<CxoDbFactory>().CreateDbContext())
        {
            if (await db.Initiatives.AnyAsync(i => i.WorkspaceId == workspaceId, ct).ConfigureAwait(false))
            {
                return 0;
            }
        }

        var initiatives = services.GetRequiredService<InitiativeService>();
        var today = initiatives.Today;
        InitiativeDefinition[] portfolio =
        [
            new("shorter-calls", "Shorter calls", "service", InitiativeStatus.Active, today.AddDays(-120), today.AddDays(60),
                "Coach agents to close calls within seven minutes.", "Head of Service", new InitiativeBudget(40_000, "EUR"),
                Kpis: [new InitiativeKpi("handle-time", KpiPush.Down, -60)], Journeys: [new InitiativeJourney("service")],
                ExpectedImpact: "Handle time down by a minute; more calls answered per agent."),
            new("night-first-time", "Solve it on the first night call", "product", InitiativeStatus.Active, today.AddDays(-45), null,
                "Give the night shift the tools and authority to resolve billing problems without a call back.", "Head of Product",
                new InitiativeBudget(75_000, "EUR"), Kpis: [new InitiativeKpi("night-fcr", KpiPush.Up, 15)], Journeys: [new InitiativeJourney("service")],
                Themes: ["resolution"], ExpectedImpact: "Night-shift first-contact resolution from under 50 % to the 60 % target."),
            new("billing-faq", "Rewrite the billing FAQ", "marketing", InitiativeStatus.Active, today.AddDays(-90), today.AddDays(30),
                "Plain-language pages on invoices, charges and refunds.", "Head of Marketing", new InitiativeBudget(15_000, "EUR"),
                Themes: ["billing"], Journeys: [new InitiativeJourney("onboarding", "first-invoice")],
                ExpectedImpact: "Fewer billing complaints in the first three months."),
            new("billing-scripts", "Billing call scripts", "service", InitiativeStatus.Approved, today.AddDays(-10), today.AddDays(80),
                "New scripts for agents explaining the first invoice.", "Service team lead", new InitiativeBudget(5_000, "EUR"),
                Themes: ["billing"], Journeys: [new InitiativeJourney("onboarding", "first-invoice")],
                ExpectedImpact: "Shorter, clearer billing calls."),
            new("referral-rewards", "Referral rewards", "sales", InitiativeStatus.Proposed, today.AddDays(14), today.AddDays(200),
                "Reward customers whose referrals stay a year.", "Head of Sales", new InitiativeBudget(30_000, "EUR"),
                Kpis: [new InitiativeKpi("company-nps", KpiPush.Up, 5)], ExpectedImpact: "More promoters, and customers who fit."),
        ];
        foreach (var initiative in portfolio)
        {
            var saved = await initiatives.SaveAsync(workspaceId, initiative, "cxo", replace: false, ct).ConfigureAwait(false);
            if (!saved.Ok)
            {
                throw new InvalidOperationException($"Demo initiative {initiative.Key}: {saved.Errors[0].Field}: {saved.Errors[0].Message}");
            }
        }

        return portfolio.Length;
    }
}
