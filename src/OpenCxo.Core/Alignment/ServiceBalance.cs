using OpenCxo.Core.Metrics;

namespace OpenCxo.Core.Alignment;

/// <summary>
/// One agent's or team's handled contacts and what followed them: handle time as sums; how many said whether they were
/// resolved at the first contact and how many were; of the contacts at least 7 days before the newest touchpoint
/// (<see cref="RepeatEligible"/>), how many were followed by another contact of the customer within 7 days; the CSAT answers given within 7 days after their last contact; and of
/// the contacts at least 90 days old, how many customers cancelled within 90 days.
/// </summary>
public sealed record ServiceFigures(
    string? Key, long Contacts, double HandleSum, double HandleSumOfSquares, long FcrKnown, long FcrYes, long RepeatEligible, long Repeated,
    long CsatAnswers, long CsatSatisfied, double CsatSum, double CsatSumOfSquares, long ChurnEligible, long Churned)
{
    public static ServiceFigures operator +(ServiceFigures a, ServiceFigures b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return new(null, a.Contacts + b.Contacts, a.HandleSum + b.HandleSum, a.HandleSumOfSquares + b.HandleSumOfSquares, a.FcrKnown + b.FcrKnown,
            a.FcrYes + b.FcrYes, a.RepeatEligible + b.RepeatEligible, a.Repeated + b.Repeated, a.CsatAnswers + b.CsatAnswers, a.CsatSatisfied + b.CsatSatisfied,
            a.CsatSum + b.CsatSum, a.CsatSumOfSquares + b.CsatSumOfSquares, a.ChurnEligible + b.ChurnEligible, a.Churned + b.Churned);
    }

    public static ServiceFigures operator -(ServiceFigures a, ServiceFigures b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return new(null, a.Contacts - b.Contacts, a.HandleSum - b.HandleSum, a.HandleSumOfSquares - b.HandleSumOfSquares, a.FcrKnown - b.FcrKnown,
            a.FcrYes - b.FcrYes, a.RepeatEligible - b.RepeatEligible, a.Repeated - b.Repeated, a.CsatAnswers - b.CsatAnswers, a.CsatSatisfied - b.CsatSatisfied,
            a.CsatSum - b.CsatSum, a.CsatSumOfSquares - b.CsatSumOfSquares, a.ChurnEligible - b.ChurnEligible, a.Churned - b.Churned);
    }
}

/// <summary>
/// One agent or team in balance: average handle time beside first-contact resolution, repeat contacts within 7 days,
/// CSAT after the contact and churn within 90 days; the cost of the repeats; and whether short handle time comes
/// with repeats and unhappy customers (<see cref="Flagged"/>, with the reasons).
/// </summary>
public sealed record ServiceBalanceRow(
    string? Key, long Contacts, Estimate HandleSeconds, Estimate Fcr, Estimate Repeat, Estimate CsatSatisfied, Estimate Churn90,
    double RepeatHours, double RepeatCost, bool Flagged, IReadOnlyList<string> Reasons);

/// <summary>A KPI the balanced scorecard suggests: the catalogue metric, where the company is, and the target the best quarter of agents already reach.</summary>
public sealed record ScorecardSuggestion(string Metric, KpiDirection Direction, double Current, double Target, string Why);

public static class ServiceBalance
{
    /// <summary>Handle time this far below the others' counts as short.</summary>
    public const double ShortHandle = 0.8;

    /// <summary>Agents with fewer contacts than this are not flagged nor used for targets.</summary>
    public const int MinimumContacts = 30;

    /// <param name="hourlyCost">
    /// What an hour of an agent's time costs: each repeat costs an average contact's handle time (over all contacts) at
    /// this rate — the work the unresolved first contact left for later.
    /// </param>
    public static ServiceBalanceRow Balance(ServiceFigures group, ServiceFigures all, double hourlyCost)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(all);
        var rest = all - group;
        var handle = ScoreStatistics.Mean(MeanAccumulator.FromSums(group.Contacts, group.HandleSum, group.HandleSumOfSquares));
        var fcr = ScoreStatistics.Proportion(group.FcrYes, group.FcrKnown);
        var repeat = ScoreStatistics.Proportion(group.Repeated, group.RepeatEligible);
        var csat = ScoreStatistics.Proportion(group.CsatSatisfied, group.CsatAnswers);
        var churn = ScoreStatistics.Proportion(group.Churned, group.ChurnEligible);
        var reasons = new List<string>();
        if (group.Contacts >= MinimumContacts && rest.Contacts >= MinimumContacts)
        {
            var restHandle = rest.HandleSum / rest.Contacts;
            var shortHandle = handle.Value < ShortHandle * restHandle;
            var repeats = ScoreStatistics.CompareProportions(group.Repeated, group.RepeatEligible, rest.Repeated, rest.RepeatEligible);
            var unresolved = ScoreStatistics.CompareProportions(group.FcrYes, group.FcrKnown, rest.FcrYes, rest.FcrKnown);
            var unhappy = ScoreStatistics.CompareProportions(group.CsatSatisfied, group.CsatAnswers, rest.CsatSatisfied, rest.CsatAnswers);
            if (shortHandle && repeats.Significant && repeats.Difference > 0 && (unresolved is { Significant: true, Difference: < 0 } || unhappy is { Significant: true, Difference: < 0 }))
            {
                reasons.Add($"handle time {handle.Value:0} s against {restHandle:0} s for the others");
                reasons.Add($"repeat contacts {repeat.Value:0.#} % against {repeat.Value - repeats.Difference:0.#} % (p = {repeats.PValue:0.####})");
                if (unresolved is { Significant: true, Difference: < 0 })
                {
                    reasons.Add($"first-contact resolution {fcr.Value:0.#} % against {fcr.Value - unresolved.Difference:0.#} %");
                }

                if (unhappy is { Significant: true, Difference: < 0 })
                {
                    reasons.Add($"satisfied after the contact {csat.Value:0.#} % against {csat.Value - unhappy.Difference:0.#} %");
                }
            }
        }

        var repeatHours = all.Contacts == 0 ? 0 : group.Repeated * (all.HandleSum / all.Contacts) / 3600;
        return new ServiceBalanceRow(group.Key, group.Contacts, handle, fcr, repeat, csat, churn, repeatHours, repeatHours * hourlyCost, reasons.Count > 0, reasons);
    }

    /// <summary>
    /// A balanced scorecard: first-contact resolution, repeat contacts and satisfaction after the contact as the goals,
    /// each targeted at what the best quarter of agents (with at least <see cref="MinimumContacts"/> contacts) already
    /// reach; handle time as a guardrail (at most the 75th percentile), never a goal to push down on its own.
    /// </summary>
    public static IReadOnlyList<ScorecardSuggestion> Scorecard(IReadOnlyList<ServiceBalanceRow> agents, ServiceBalanceRow all)
    {
        ArgumentNullException.ThrowIfNull(agents);
        ArgumentNullException.ThrowIfNull(all);
        var judged = agents.Where(a => a.Contacts >= MinimumContacts).ToList();
        var suggestions = new List<ScorecardSuggestion>();
        void Add(string metric, KpiDirection direction, Estimate current, IEnumerable<Estimate> values, double p, string why)
        {
            var sorted = values.Where(v => v.N > 0).Select(v => v.Value).Order().ToList();
            if (current.N > 0 && sorted.Count >= 4)
            {
                suggestions.Add(new ScorecardSuggestion(metric, direction, current.Value, Math.Round(ScoreStatistics.Quantile(sorted, p), 1), why));
            }
        }

        Add("first_contact_resolution", KpiDirection.AtLeast, all.Fcr, judged.Select(a => a.Fcr), 0.75, "the goal: solved at the first contact, as the best quarter of agents already do");
        Add("repeat_contact_7d", KpiDirection.AtMost, all.Repeat, judged.Select(a => a.Repeat), 0.25, "the check on resolution: the customer did not have to come back within a week");
        Add("csat", KpiDirection.AtLeast, all.CsatSatisfied, judged.Select(a => a.CsatSatisfied), 0.75, "the customer's own verdict after the contact");
        Add("average_handle_time", KpiDirection.AtMost, all.HandleSeconds, judged.Select(a => a.HandleSeconds), 0.75, "a guardrail, not a goal: pushed down alone it rewards hanging up");
        return suggestions;
    }
}
