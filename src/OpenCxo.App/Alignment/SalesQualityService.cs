using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenCxo.App.Text;
using OpenCxo.Core.Alignment;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Metrics;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Alignment;

/// <summary>
/// One rep's, team's or campaign's customers judged by what they became: booked value and its retention-adjusted
/// worth (booked × the Kaplan–Meier survival at twelve months), realised net revenue within a year, survival at 3, 6 and
/// 12 months, NPS, early churn, refunds, and the shares the model puts at high risk or whose needs their plan can't serve.
/// </summary>
public sealed record SalesGroupQuality(
    string? Key, long Customers, double Booked, double? RetentionAdjusted, double Revenue,
    Estimate? Retained3, Estimate? Retained6, Estimate? Retained12, NpsEstimate Nps, Estimate EarlyChurn, Estimate Refunded, double RefundValue,
    Estimate HighRisk, Estimate Unserved);

public sealed record SalesQualityReport(
    SalesGrouping By, DateOnly From, DateOnly To, string? Currency, DateTime? Newest, SalesGroupQuality All, IReadOnlyList<SalesGroupQuality> Groups);

/// <summary>A deal that may not fit: the model's churn risk and lifetime value for its customer, the needs its plan can't serve, and the fit score.</summary>
public sealed record DealFit(
    long Customer, string? Name, string? Rep, string? Team, DateTime DealAt, double DealValue, string? Currency, double? ChurnRisk, double? LifetimeValue,
    IReadOnlyList<CustomerNeed> Needs, int Fit);

/// <summary>Sales judged by the customers they bring (issue 8, part 3), and the customer-fit score of deals.</summary>
public sealed class SalesQualityService(CxoDbFactory databases, AnalyticsStore store, TimeProvider time)
{
    /// <summary>All time, as dates the analytics store can add a day to.</summary>
    private static readonly (DateTime From, DateTime To) Ever = (new(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc), new(9000, 1, 1, 0, 0, 0, DateTimeKind.Utc));

    /// <summary>Days after the deal at which survival is read: three, six and twelve months.</summary>
    public static readonly IReadOnlyList<int> Horizons = [91, 182, 365];

    public static JsonSerializerOptions Json => PromiseService.Json;

    public async Task<CustomerNeeds> NeedsAsync(long workspaceId, CancellationToken ct) =>
        await WorkspaceDocuments.ReadAsync<CustomerNeedsRow>(databases, workspaceId, ct).ConfigureAwait(false) is { } saved
            ? JsonSerializer.Deserialize<CustomerNeeds>(saved.Json, Json) ?? CustomerFit.Defaults
            : CustomerFit.Defaults;

    /// <summary>Every problem of a needs document (its themes are the workspace's taxonomy's), named by its place; saved when there is none.</summary>
    public async Task<IReadOnlyList<FieldError>> SaveNeedsAsync(long workspaceId, CustomerNeeds needs, CancellationToken ct)
    {
        IReadOnlyList<FieldError> errors;
        await using (var db = databases.CreateDbContext())
        {
            var taxonomy = await TextTaxonomies.GetAsync(db, workspaceId, ct).ConfigureAwait(false);
            var themes = taxonomy.Taxonomy.Themes.Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
            errors = CustomerFit.Validate(needs, themes.Contains);
        }

        if (errors.Count == 0)
        {
            var json = JsonSerializer.Serialize(needs, Json);
            var now = time.GetUtcNow().UtcDateTime;
            await WorkspaceDocuments.SaveAsync(databases, workspaceId, json, now, () => new CustomerNeedsRow { WorkspaceId = workspaceId, NeedsJson = json, UpdatedAt = now }, ct)
                .ConfigureAwait(false);
        }

        return errors;
    }

    /// <summary>The default deals: those won in the two years to today, so that twelve-month survival has customers to read.</summary>
    public (DateOnly From, DateOnly To) DefaultPeriod()
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        return (today.AddDays(-729), today);
    }

    public async Task<SalesQualityReport> ReportAsync(long workspaceId, SalesGrouping by, DateOnly from, DateOnly to, CancellationToken ct)
    {
        await store.SyncAsync(ct).ConfigureAwait(false);
        var needs = (await NeedsAsync(workspaceId, ct).ConfigureAwait(false)).Needs;
        var cohorts = await store.SalesCohortsAsync(workspaceId, by, Start(from), Start(to.AddDays(1)), needs, ct).ConfigureAwait(false);
        var groups = cohorts.Groups.Select(g => Quality(g, cohorts.Survival.Where(s => s.Key == g.Key))).ToList();
        var all = new SalesGroupRow(null,
            cohorts.Groups.Sum(g => g.Customers), cohorts.Groups.Sum(g => g.Booked), cohorts.Groups.Sum(g => g.Revenue),
            cohorts.Groups.Sum(g => g.Promoters), cohorts.Groups.Sum(g => g.Passives), cohorts.Groups.Sum(g => g.Detractors),
            cohorts.Groups.Sum(g => g.EarlyEligible), cohorts.Groups.Sum(g => g.EarlyChurned), cohorts.Groups.Sum(g => g.Refunded), cohorts.Groups.Sum(g => g.RefundValue),
            cohorts.Groups.Sum(g => g.HighRisk), cohorts.Groups.Sum(g => g.Unserved));
        return new SalesQualityReport(by, from, to, cohorts.Currency, cohorts.Newest, Quality(all, cohorts.Survival), groups);
    }

    private static SalesGroupQuality Quality(SalesGroupRow g, IEnumerable<SalesSurvivalRow> survival)
    {
        var observations = survival.Select(s => ((double)s.Days, s.Events, s.Censored)).ToList();
        var steps = KaplanMeier.Estimate(observations);
        var last = observations.Count == 0 ? -1 : observations.Max(o => o.Item1);
        var observed = observations.Sum(o => o.Events + o.Censored);
        var retained = Horizons.Select(h => KaplanMeier.At(steps, h, last, observed)).ToList();
        return new SalesGroupQuality(
            g.Key, g.Customers, g.Booked, retained[2] is { } year ? g.Booked * year.Value / 100 : null, g.Revenue,
            retained[0], retained[1], retained[2],
            ScoreStatistics.Nps(g.Promoters, g.Passives, g.Detractors),
            ScoreStatistics.Proportion(g.EarlyChurned, g.EarlyEligible),
            ScoreStatistics.Proportion(g.Refunded, g.Customers), g.RefundValue,
            ScoreStatistics.Proportion(g.HighRisk, g.Customers),
            ScoreStatistics.Proportion(g.Unserved, g.Customers));
    }

    /// <summary>
    /// The deals from <paramref name="from"/> to <paramref name="to"/> that fit worst: customers with an unserved need
    /// or in the riskiest quarter, scored with the latest model run's churn risk, lowest fit first.
    /// </summary>
    public async Task<IReadOnlyList<DealFit>> PoorFitsAsync(long workspaceId, DateOnly from, DateOnly to, int limit, CancellationToken ct)
    {
        await store.SyncAsync(ct).ConfigureAwait(false);
        var needs = (await NeedsAsync(workspaceId, ct).ConfigureAwait(false)).Needs;
        var deals = await store.PoorFitDealsAsync(workspaceId, Start(from), Start(to.AddDays(1)), needs, 500, ct: ct).ConfigureAwait(false);
        return [.. (await ScoreAsync(workspaceId, deals, needs, ct).ConfigureAwait(false)).OrderBy(d => d.Fit).ThenByDescending(d => d.DealAt).Take(limit)];
    }

    /// <summary>The fit of the customer's first deal (a live profile's), shown on the customer's page; null when they won no deal before paying.</summary>
    public async Task<DealFit?> FitAsync(long workspaceId, long customer, CancellationToken ct)
    {
        await store.SyncAsync(ct).ConfigureAwait(false);
        var needs = (await NeedsAsync(workspaceId, ct).ConfigureAwait(false)).Needs;
        var deals = await store.PoorFitDealsAsync(workspaceId, Ever.From, Ever.To, needs, 1, customer, ct).ConfigureAwait(false);
        return deals.Count == 0 ? null : (await ScoreAsync(workspaceId, deals, needs, ct).ConfigureAwait(false))[0];
    }

    /// <summary>Each deal with the latest model run's churn risk and lifetime value for its customer, its unserved needs and its fit.</summary>
    private async Task<IReadOnlyList<DealFit>> ScoreAsync(
        long workspaceId, IReadOnlyList<(long Customer, string? Rep, string? Team, DateTime DealAt, double DealValue, string? Currency, IReadOnlyList<int> Needs)> deals,
        IReadOnlyList<CustomerNeed> needs, CancellationToken ct)
    {
        var ids = deals.Select(d => d.Customer).ToList();
        await using var db = databases.CreateDbContext();
        var run = await db.ModelRuns.AsNoTracking().Where(r => r.WorkspaceId == workspaceId).MaxAsync(r => (long?)r.Id, ct).ConfigureAwait(false);
        var scores = run is null
            ? []
            : await db.CustomerScores.AsNoTracking().Where(s => s.WorkspaceId == workspaceId && s.RunId == run && ids.Contains(s.CustomerId))
                .ToDictionaryAsync(s => s.CustomerId, s => (s.ChurnRisk, s.LifetimeValue), ct).ConfigureAwait(false);
        var names = await db.CustomerTraits.AsNoTracking()
            .Where(t => t.WorkspaceId == workspaceId && ids.Contains(t.CustomerId) && t.Name == "name")
            .ToDictionaryAsync(t => t.CustomerId, t => Profiles.CustomerSearch.TextOf(t.ValueJson), ct).ConfigureAwait(false);
        return [.. deals
            .Select(d =>
            {
                var (risk, value) = scores.GetValueOrDefault(d.Customer);
                var unserved = d.Needs.Select(i => needs[i]).ToList();
                return new DealFit(d.Customer, names.GetValueOrDefault(d.Customer), d.Rep, d.Team, d.DealAt, d.DealValue, d.Currency, risk, value, unserved,
                    CustomerFit.Score(risk, unserved.Count));
            })];
    }

    private static DateTime Start(DateOnly day) => day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
}
