using OpenCxo.Core.Cases;

namespace OpenCxo.Core.Tests.Cases;

/// <summary>A case's lifecycle: the SLA runs to the first contact, closed cases take no step, escalation happens once.</summary>
public sealed class CaseStateTests
{
    private static readonly DateTime Opened = new(2026, 3, 2, 9, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void The_sla_runs_until_the_first_contact_and_a_case_escalates_once()
    {
        var state = CaseState.Open(Opened, TimeSpan.FromHours(24));
        Assert.Equal(Opened.AddHours(24), state.DueAt);
        Assert.False(state.IsOverdue(Opened.AddHours(24)));
        Assert.True(state.IsOverdue(Opened.AddHours(24).AddSeconds(1)));
        Assert.Same(state, state.Escalate(Opened.AddHours(23)));
        var escalated = state.Escalate(Opened.AddHours(25));
        Assert.Equal(Opened.AddHours(25), escalated.EscalatedAt);
        Assert.Same(escalated, escalated.Escalate(Opened.AddHours(30)));

        var contacted = escalated.Contact(Opened.AddHours(26));
        Assert.Equal((CaseStatus.Contacted, Opened.AddHours(26)), (contacted.Status, contacted.FirstContactAt));
        Assert.False(contacted.IsOverdue(Opened.AddDays(9)));
        // A later contact keeps the first one's time; resolving keeps it too and files the root cause.
        var again = contacted.Contact(Opened.AddHours(40));
        Assert.Equal(Opened.AddHours(26), again.FirstContactAt);
        var resolved = again.Resolve(Opened.AddHours(41), "billing-error");
        Assert.Equal((CaseStatus.Resolved, Opened.AddHours(41), "billing-error", Opened.AddHours(26)), (resolved.Status, resolved.ClosedAt, resolved.RootCause, resolved.FirstContactAt));
    }

    [Fact]
    public void Closed_cases_take_no_step_and_a_resolution_needs_its_root_cause()
    {
        var state = CaseState.Open(Opened, TimeSpan.FromHours(48));
        Assert.Throws<CaseStateException>(() => state.Resolve(Opened.AddHours(1), " "));
        // Resolving straight from new counts as the first contact; a time before opening counts as the opening.
        var resolved = state.Resolve(Opened.AddHours(-1), "price");
        Assert.Equal((Opened, Opened), (resolved.FirstContactAt!.Value, resolved.ClosedAt!.Value));
        Assert.Contains("already resolved", Assert.Throws<CaseStateException>(() => resolved.Contact(Opened.AddHours(2))).Message, StringComparison.Ordinal);
        var unreachable = state.NotReachable(Opened.AddHours(3));
        Assert.Null(unreachable.FirstContactAt);
        Assert.Throws<CaseStateException>(() => unreachable.Resolve(Opened.AddHours(4), "price"));
        Assert.Throws<CaseStateException>(() => unreachable.NotReachable(Opened.AddHours(4)));
        Assert.Throws<ArgumentOutOfRangeException>(() => CaseState.Open(Opened, TimeSpan.Zero));
    }

    [Fact]
    public void Survey_rules_open_on_their_scores_and_round_robin_takes_turns()
    {
        var detractor = CaseRules.Defaults.Rules[0];
        var lowCsat = CaseRules.Defaults.Rules[1];
        Assert.True(CaseRules.Opens(detractor, 6, null));
        Assert.False(CaseRules.Opens(detractor, 7, null));
        Assert.False(CaseRules.Opens(detractor, null, 1));
        Assert.True(CaseRules.Opens(lowCsat, null, 2));
        Assert.False(CaseRules.Opens(lowCsat, null, 3));
        Assert.False(CaseRules.Opens(detractor with { Enabled = false }, 0, null));
        Assert.True(CaseRules.Opens(detractor with { MaxScore = 4 }, 4, null));
        Assert.False(CaseRules.Opens(detractor with { MaxScore = 4 }, 5, null));
        var turns = detractor with { Routing = "round-robin", Owners = ["ana", "luis", "eva"] };
        Assert.Equal(["ana", "luis", "eva", "ana"], Enumerable.Range(0, 4).Select(i => CaseRules.RoundRobin(turns, i)));
        Assert.Empty(CaseRules.Validate(CaseRules.Defaults));
    }
}
