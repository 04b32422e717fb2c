using Microsoft.EntityFrameworkCore;
using OpenCxo.Core.Metrics;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Cases;

/// <summary>Did detractors who were called come back? Among detractor cases whose customer answered NPS again after the case opened.</summary>
public sealed record Recovery(long Answered, Estimate? Contacted, Estimate? NotContacted, Comparison? Difference);

/// <summary>Among cases opened at least 90 days ago: the share whose customer cancelled a subscription within 90 days.</summary>
public sealed record Cancellations(long Cases, Estimate? Contacted, Estimate? NotContacted, Comparison? Difference);

/// <summary>How well the loop closes over the cases opened in a period.</summary>
public sealed record CaseMetricsReport(
    DateOnly From,
    DateOnly To,
    long Opened,
    long Closed,
    Estimate? ClosureRate,
    Estimate? SlaMet,
    double? MedianHoursToFirstContact,
    double? P90HoursToFirstContact,
    long Escalated,
    Recovery Recovery,
    Cancellations Cancellations);

/// <summary>
/// Loop closure rate, time to first contact, SLA attainment, and recovery — whether detractors who were contacted answer
/// the next survey as passives or promoters more often than those nobody reached, and cancel less — with Wilson
/// intervals and a two-proportion test (docs/cases.md).
/// </summary>
public sealed class CaseMetrics(CxoDbFactory databases, AnalyticsStore store, TimeProvider time)
{
    public static readonly TimeSpan CancellationWindow = TimeSpan.FromDays(90);

    public async Task<CaseMetricsReport> ReportAsync(long workspaceId, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var start = from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var end = to.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        await using var db = databases.CreateDbContext();
        var cases = await db.Cases.AsNoTracking()
            .Where(c => c.WorkspaceId == workspaceId && c.OpenedAt >= start && c.OpenedAt < end)
            .Select(c => new { c.Id, c.CustomerId, c.Trigger, c.Status, c.OpenedAt, c.DueAt, c.FirstContactAt, c.EscalatedAt })
            .ToListAsync(ct).ConfigureAwait(false);

        var closed = cases.Count(c => c.Status is "resolved" or "not-reachable");
        // The SLA is judged once it is decided: a first contact, or a due time already passed.
        var judged = cases.Where(c => c.FirstContactAt is not null || c.DueAt < now).ToList();
        var met = judged.Count(c => c.FirstContactAt is { } first && first <= c.DueAt);
        var hours = cases.Where(c => c.FirstContactAt is not null).Select(c => (c.FirstContactAt!.Value - c.OpenedAt).TotalHours).Order().ToArray();

        // Cases keep the profile they opened for; a merge since makes another the live one.
        var ids = cases.Select(c => c.CustomerId).Distinct().ToList();
        var live = await db.Customers.AsNoTracking().Where(c => c.WorkspaceId == workspaceId && ids.Contains(c.Id))
            .ToDictionaryAsync(c => c.Id, c => c.MergedInto ?? c.Id, ct).ConfigureAwait(false);

        // What followed each case, from the customers' touchpoints in the analytics store (live customers).
        await store.SyncAsync(ct).ConfigureAwait(false);
        var facts = cases.Count == 0 ? [] : await store.LoopFactsAsync(workspaceId, start, ct).ConfigureAwait(false);
        var byCustomer = facts.GroupBy(f => f.Customer).ToDictionary(g => g.Key, g => g.ToList());
        List<LoopFact> Of(long customer) => byCustomer.GetValueOrDefault(customer) ?? [];

        // One observation per customer — their first case — and only a contact before the outcome counts as contacted.
        var recovery = new List<(bool Contacted, bool Recovered)>();
        foreach (var c in cases.Where(c => c.Trigger == "detractor").GroupBy(c => live.GetValueOrDefault(c.CustomerId, c.CustomerId)).Select(g => g.MinBy(c => c.OpenedAt)!))
        {
            // The next NPS answer after the case opened (the one that opened it came before).
            var next = Of(live.GetValueOrDefault(c.CustomerId, c.CustomerId)).FirstOrDefault(f => f.Nps is not null && f.At > c.OpenedAt);
            if (next.Nps is { } score)
            {
                recovery.Add((c.FirstContactAt is { } first && first < next.At, score >= 7));
            }
        }

        var cancellations = new List<(bool Contacted, bool Cancelled)>();
        foreach (var c in cases.Where(c => c.OpenedAt <= now - CancellationWindow).GroupBy(c => live.GetValueOrDefault(c.CustomerId, c.CustomerId)).Select(g => g.MinBy(c => c.OpenedAt)!))
        {
            var cancelled = Of(live.GetValueOrDefault(c.CustomerId, c.CustomerId))
                .Where(f => f.Type == AnalyticsStore.CancellationType && f.At > c.OpenedAt && f.At <= c.OpenedAt + CancellationWindow)
                .Select(f => (DateTime?)f.At).FirstOrDefault();
            cancellations.Add((c.FirstContactAt is { } first && (cancelled is null || first < cancelled), cancelled is not null));
        }

        return new CaseMetricsReport(
            from,
            to,
            cases.Count,
            closed,
            cases.Count == 0 ? null : ScoreStatistics.Proportion(closed, cases.Count),
            judged.Count == 0 ? null : ScoreStatistics.Proportion(met, judged.Count),
            hours.Length == 0 ? null : Math.Round(ScoreStatistics.Quantile(hours, 0.5), 2),
            hours.Length == 0 ? null : Math.Round(ScoreStatistics.Quantile(hours, 0.9), 2),
            cases.Count(c => c.EscalatedAt is not null),
            Compare(recovery, r => r.Contacted, r => r.Recovered, (n, a, b, d) => new Recovery(n, a, b, d)),
            Compare(cancellations, r => r.Contacted, r => r.Cancelled, (n, a, b, d) => new Cancellations(n, a, b, d)));
    }

    private static T Compare<TRow, T>(List<TRow> rows, Func<TRow, bool> contacted, Func<TRow, bool> outcome, Func<long, Estimate?, Estimate?, Comparison?, T> make)
    {
        var reached = rows.Where(contacted).ToList();
        var missed = rows.Where(r => !contacted(r)).ToList();
        long Yes(List<TRow> group) => group.Count(outcome);
        return make(
            rows.Count,
            reached.Count == 0 ? null : ScoreStatistics.Proportion(Yes(reached), reached.Count),
            missed.Count == 0 ? null : ScoreStatistics.Proportion(Yes(missed), missed.Count),
            reached.Count == 0 || missed.Count == 0 ? null : ScoreStatistics.CompareProportions(Yes(reached), reached.Count, Yes(missed), missed.Count));
    }
}
