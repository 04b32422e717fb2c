using Microsoft.Extensions.Options;
using OpenCxo.App.Dashboards;
using OpenCxo.App.Predict;
using OpenCxo.Core.Drivers;
using OpenCxo.Data.Analytics;

namespace OpenCxo.App.Drivers;

/// <summary>What to explain, over which answers or customers, and how.</summary>
public sealed record DriverRequest(
    DriverOutcome Outcome,
    DashboardQuery Query,
    int WindowDays = DriverRequest.DefaultWindowDays,
    ImportanceMethod? Method = null,
    int MaxDrivers = DriverRequest.DefaultMaxDrivers,
    IReadOnlyList<string>? Attributes = null)
{
    public const int DefaultWindowDays = 90;
    public const int DefaultMaxDrivers = 20;

    /// <summary>A driver needs at least this many units with it and as many without.</summary>
    public const int MinUnits = 30;
}

/// <summary>
/// One driver's place in the chart. <see cref="Share"/> is its part of the explained variance (weights sum to R²);
/// <see cref="Performance"/> is the outcome where it was met (NPS, % satisfied, % retained) and
/// <see cref="PerformanceWithout"/> where it was not; <see cref="Beta"/> is the standardised coefficient with the others
/// held, and <see cref="Direction"/> says in words whether that is good for the customer relationship ("helps": higher
/// NPS or CSAT, lower churn; "hurts"; "none" for a driver the others already account for).
/// </summary>
public sealed record DriverResult(
    string Family, string Level, long Units, double Weight, double Share, double Beta, string Direction, double Performance, double PerformanceWithout, string Quadrant);

/// <summary>A key-driver analysis: what was explained, how well (R²), by which method, and every driver ranked by importance.</summary>
public sealed record DriverReport(
    string Outcome,
    string Measure,
    DateOnly From,
    DateOnly To,
    long Units,
    string? Method,
    double? RSquared,
    double? Performance,
    IReadOnlyList<DriverResult> Drivers,
    int LeftOut,
    IReadOnlyList<string> AttributesNotFound,
    string? Skipped);

/// <summary>
/// Key drivers of NPS, CSAT and churn: which themes, touchpoints, teams, channels, segments, campaigns and attributes
/// account for most of the outcome's variance, with correlated drivers sharing it fairly (Shapley value decomposition
/// of R², or Johnson's relative weights past 20 drivers), placed in a "fix first" quadrant: importance against how the
/// outcome stands where the driver is met.
/// </summary>
public sealed class DriverService(AnalyticsStore store, IOptions<PredictionOptions> predictions)
{
    public const string FixFirst = "fix-first";
    public const string Strength = "strength";
    public const string Watch = "watch";
    public const string Secondary = "secondary";

    public async Task<DriverReport> AnalyseAsync(long workspaceId, DriverRequest request, CancellationToken ct)
    {
        await store.SyncAsync(ct).ConfigureAwait(false);
        var query = request.Query;
        var (exposures, outcomes) = request.Outcome == DriverOutcome.Churn
            ? await ChurnUnitsAsync(workspaceId, request, ct).ConfigureAwait(false)
            : await ScoredUnitsAsync(workspaceId, request, ct).ConfigureAwait(false);
        var measure = request.Outcome switch
        {
            DriverOutcome.Nps => "nps",
            DriverOutcome.Csat => "% satisfied (4–5)",
            _ => "% retained",
        };

        var attributes = request.Attributes ?? [];
        var missing = attributes.Where(a => !exposures.Keys.Any(k => k.Family == "attribute" && k.Level.StartsWith(a + ": ", StringComparison.Ordinal))).ToList();
        DriverReport Skip(string why) => new(Name(request.Outcome), measure, query.From, query.To, outcomes.Length, null, null, null, [], 0, missing, why);
        var eligible = Screen(exposures, outcomes);
        if (eligible.Count == 0)
        {
            return Skip($"{outcomes.Length} {(request.Outcome == DriverOutcome.Churn ? "customers" : "answers")}: no driver was met by at least {DriverRequest.MinUnits} of them and missed by as many, with a different outcome");
        }

        List<int> chosen;
        DriverImportance importance;
        IndicatorMoments performance;
        try
        {
            // Up to 64 drivers, those most correlated with the outcome first, are weighed by relative weights; the
            // heaviest are then decomposed by the method asked for (exact Shapley up to 20).
            var screened = eligible.Take(64).ToList();
            if (screened.Count > request.MaxDrivers)
            {
                var (screening, _) = Accumulate(request.Outcome, exposures, outcomes, screened);
                var weights = RelativeImportance.RelativeWeights(screening.Correlations());
                screened = [.. Enumerable.Range(0, screened.Count).OrderByDescending(j => weights[j]).ThenBy(j => j).Take(request.MaxDrivers).Select(j => screened[j])];
            }

            chosen = screened;
            (var moments, performance) = Accumulate(request.Outcome, exposures, outcomes, chosen);
            importance = RelativeImportance.Analyse(moments.Correlations(), request.Method);
        }
        catch (ArgumentException e)
        {
            return Skip(e.Message);
        }

        var overall = performance.Mean;
        var drivers = new List<DriverResult>();
        for (var j = 0; j < chosen.Count; j++)
        {
            var share = importance.RSquared > 0 ? importance.Weights[j] / importance.RSquared : 0;
            var met = performance.MeanWhen(j);
            var important = share >= 1.0 / chosen.Count;
            var key = exposures.Keys[chosen[j]];
            var beta = Math.Abs(importance.Betas[j]) < 1e-6 ? 0 : Math.Round(importance.Betas[j], 4);
            var good = request.Outcome == DriverOutcome.Churn ? -beta : beta;
            drivers.Add(new DriverResult(
                key.Family,
                key.Level,
                performance.Exposed(j),
                Math.Round(importance.Weights[j], 6),
                Math.Round(share, 4),
                beta,
                good > 0 ? "helps" : good < 0 ? "hurts" : "none",
                Math.Round(met, 1),
                Math.Round(performance.MeanWithout(j), 1),
                important ? met < overall ? FixFirst : Strength : met < overall ? Watch : Secondary));
        }

        return new DriverReport(
            Name(request.Outcome),
            measure,
            query.From,
            query.To,
            outcomes.Length,
            importance.Method == ImportanceMethod.Shapley ? "shapley" : "relative-weights",
            Math.Round(importance.RSquared, 4),
            Math.Round(overall, 1),
            [.. drivers.OrderByDescending(d => d.Weight)],
            eligible.Count - chosen.Count,
            missing,
            null);
    }

    /// <summary>
    /// The drivers met by at least <see cref="DriverRequest.MinUnits"/> units and missed by as many, with a nonzero
    /// correlation with the outcome, the most correlated first (ties by name, so the order is stable).
    /// </summary>
    private static List<int> Screen(DriverExposures exposures, double[] outcomes)
    {
        var count = new long[exposures.Keys.Count];
        var sum = new double[exposures.Keys.Count];
        for (var i = 0; i < outcomes.Length; i++)
        {
            foreach (var k in exposures.Units[i].Drivers)
            {
                count[k]++;
                sum[k] += outcomes[i];
            }
        }

        var n = (double)outcomes.Length;
        var mean = outcomes.Length == 0 ? 0 : outcomes.Average();
        var squares = outcomes.Sum(y => (y - mean) * (y - mean));
        // Pearson's r of a yes/no column with the outcome: (Σ_met y − n_met ȳ) / √(n_met (1 − n_met / n) · Σ (y − ȳ)²).
        double R(int k) => (sum[k] - (count[k] * mean)) / Math.Sqrt(count[k] * (1 - (count[k] / n)) * squares);
        return [.. Enumerable.Range(0, count.Length)
            .Where(k => count[k] >= DriverRequest.MinUnits && n - count[k] >= DriverRequest.MinUnits && squares > 0 && Math.Abs(R(k)) > 1e-12)
            .OrderByDescending(k => Math.Abs(R(k)))
            .ThenBy(k => exposures.Keys[k].Family, StringComparer.Ordinal).ThenBy(k => exposures.Keys[k].Level, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Sums over the units for the chosen drivers: of the outcome, and of its performance per unit — ±100 for
    /// promoters and detractors (their mean is the NPS), 100 for a satisfied answer or a retained customer (the mean
    /// is the percentage).
    /// </summary>
    private static (IndicatorMoments Outcome, IndicatorMoments Performance) Accumulate(DriverOutcome outcome, DriverExposures exposures, double[] outcomes, List<int> chosen)
    {
        var bit = new Dictionary<int, int>();
        for (var j = 0; j < chosen.Count; j++)
        {
            bit[chosen[j]] = j;
        }

        var moments = new IndicatorMoments(chosen.Count);
        var performance = new IndicatorMoments(chosen.Count);
        for (var i = 0; i < outcomes.Length; i++)
        {
            ulong present = 0;
            foreach (var k in exposures.Units[i].Drivers)
            {
                if (bit.TryGetValue(k, out var j))
                {
                    present |= 1UL << j;
                }
            }

            moments.Add(present, outcomes[i]);
            performance.Add(present, Performance(outcome, outcomes[i]));
        }

        return (moments, performance);
    }

    public static string Name(DriverOutcome outcome) => outcome.ToString().ToLowerInvariant();

    private static double Performance(DriverOutcome outcome, double y) => outcome switch
    {
        DriverOutcome.Nps => y >= 9 ? 100 : y <= 6 ? -100 : 0,
        DriverOutcome.Csat => y >= 4 ? 100 : 0,
        _ => y == 0 ? 100 : 0,
    };

    private async Task<(DriverExposures Exposures, double[] Outcomes)> ScoredUnitsAsync(long workspaceId, DriverRequest request, CancellationToken ct)
    {
        var exposures = await store.DriverExposuresAsync(workspaceId, request.Outcome, request.Query.Filter, DateTime.MaxValue, request.WindowDays, request.Attributes ?? [], ct).ConfigureAwait(false);
        return (exposures, [.. exposures.Units.Select(u => u.Outcome)]);
    }

    /// <summary>
    /// Customers at the start of the churn window that ends at the period's end (or the latest touchpoint, if
    /// earlier), with what they met before it, and 1 for those who churned in it — as the churn model labels them.
    /// </summary>
    private async Task<(DriverExposures Exposures, double[] Outcomes)> ChurnUnitsAsync(long workspaceId, DriverRequest request, CancellationToken ct)
    {
        var end = request.Query.Filter.To;
        var last = await store.LastTouchpointAsync(workspaceId, ct).ConfigureAwait(false);
        var until = last is { } l && l < end ? l : end;
        var at = until - TimeSpan.FromDays(predictions.Value.ChurnHorizonDays);
        var currency = await store.MainCurrencyAsync(workspaceId, ct).ConfigureAwait(false);
        var snapshot = await store.ChurnSnapshotAsync(workspaceId, at, until, currency, ct).ConfigureAwait(false);
        var churned = new Dictionary<long, bool>(snapshot.Customers.Count);
        for (var i = 0; i < snapshot.Customers.Count; i++)
        {
            churned[snapshot.Customers[i]] = snapshot.Churned![i];
        }

        var all = await store.DriverExposuresAsync(workspaceId, DriverOutcome.Churn, request.Query.Filter, at, request.WindowDays, request.Attributes ?? [], ct).ConfigureAwait(false);
        var units = all.Units.Where(u => churned.ContainsKey(u.Customer)).ToList();
        return (new DriverExposures(all.Keys, units), [.. units.Select(u => churned[u.Customer] ? 1.0 : 0.0)]);
    }
}
