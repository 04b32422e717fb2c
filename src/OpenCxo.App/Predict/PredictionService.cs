using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenCxo.Core.Actions;
using OpenCxo.Core.Churn;
using OpenCxo.Core.Clv;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Predict;

public sealed record PredictionOptions : IValidatableObject
{
    /// <summary>How often the models are retrained and every customer rescored.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromHours(24);

    /// <summary>How long after start the first run waits.</summary>
    public TimeSpan FirstRunDelay { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Off only where another server of the same database runs the job.</summary>
    public bool Run { get; init; } = true;

    /// <summary>The churn window: a customer churns when, within this many days, they cancel or (without a subscription) pay nothing.</summary>
    public int ChurnHorizonDays { get; init; } = 90;

    /// <summary>Weeks ahead for expected purchases and lifetime value.</summary>
    public double ClvHorizonWeeks { get; init; } = 52;

    /// <summary>Annual discount rate of lifetime value (0.1 for 10 %).</summary>
    public double DiscountRate { get; init; } = 0.1;

    /// <summary>At most this many customers train the churn model (a random sample beyond); all are scored.</summary>
    public int MaxTrainingCustomers { get; init; } = 200_000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Interval < TimeSpan.FromMinutes(1) || Interval > TimeSpan.FromDays(31))
        {
            yield return new ValidationResult("Predictions:Interval must be between 1 minute and 31 days", [nameof(Interval)]);
        }

        if (FirstRunDelay < TimeSpan.Zero || FirstRunDelay > TimeSpan.FromDays(1))
        {
            yield return new ValidationResult("Predictions:FirstRunDelay must be between 0 and 1 day", [nameof(FirstRunDelay)]);
        }

        if (ChurnHorizonDays is < 7 or > 730)
        {
            yield return new ValidationResult("Predictions:ChurnHorizonDays must be between 7 and 730", [nameof(ChurnHorizonDays)]);
        }

        if (!(ClvHorizonWeeks > 0 && ClvHorizonWeeks <= 520))
        {
            yield return new ValidationResult("Predictions:ClvHorizonWeeks must be above 0 and at most 520", [nameof(ClvHorizonWeeks)]);
        }

        if (!(DiscountRate > -1 && DiscountRate < 10))
        {
            yield return new ValidationResult("Predictions:DiscountRate must be above −1 and below 10", [nameof(DiscountRate)]);
        }

        if (MaxTrainingCustomers < 100)
        {
            yield return new ValidationResult("Predictions:MaxTrainingCustomers must be at least 100", [nameof(MaxTrainingCustomers)]);
        }
    }
}

/// <summary>How the churn model did on the later period it never saw, and what drives it.</summary>
public sealed record ChurnReport(
    int HorizonDays,
    DateTime TrainedFrom,
    int TrainingCustomers,
    double ChurnRate,
    ChurnEvaluationResult? HoldOut,
    string? HoldOutSkipped,
    IReadOnlyList<FeatureImportance> Importance);

/// <summary>The lifetime value fits the scores came from.</summary>
public sealed record ClvReport(string Currency, int Customers, BgNbdParameters Purchases, double LogLikelihood, GammaGammaParameters? Spend, string? SpendSkipped, double HorizonWeeks, double DiscountRate);

/// <summary>
/// What one run did: the scores it wrote, each model's report or the reason it could not be fitted, and the
/// percentiles of the scores (what next-best-action rules mean by "p75").
/// </summary>
public sealed record PredictionReport(ChurnReport? Churn, string? ChurnSkipped, ClvReport? Clv, string? ClvSkipped, double Seconds, ScorePercentiles? Percentiles = null);

public sealed record PredictionRun(long Id, DateTime StartedAt, DateTime AsOf, string Status, string? Message, long Customers, PredictionReport Report);

/// <summary>
/// Trains the churn model and fits the lifetime value models for a workspace, scores every customer and stores the
/// scores with the run. Churn uses a time-based split so the future never leaks into training: features at
/// t − 2h labelled by (t − 2h, t − h] train the model that is checked on features at t − h labelled by (t − h, t];
/// the model that scores today is then trained on that latest labelled window. t is now, or the latest touchpoint
/// when the data end earlier (a demo or an import of history).
/// </summary>
public sealed class PredictionService(CxoDbFactory databases, AnalyticsStore store, TimeProvider time, IOptions<PredictionOptions> options) : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly SemaphoreSlim _one = new(1, 1);

    public void Dispose() => _one.Dispose();

    /// <summary>A stored score's reasons (<see cref="CustomerScoreRow.ChurnReasonsJson"/>), largest first.</summary>
    public static IReadOnlyList<ChurnReason> Reasons(string json) => JsonSerializer.Deserialize<List<ChurnReason>>(json, Json)!;

    /// <summary>Runs the models for one workspace; one run at a time in this process.</summary>
    public async Task<PredictionRun> RunAsync(long workspaceId, CancellationToken ct)
    {
        await _one.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return await RunOnceAsync(workspaceId, ct).ConfigureAwait(false);
        }
        finally
        {
            _one.Release();
        }
    }

    public async Task<PredictionRun?> LatestAsync(long workspaceId, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var row = await db.ModelRuns.AsNoTracking().Where(r => r.WorkspaceId == workspaceId).OrderByDescending(r => r.Id).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        return row is null ? null : ToRun(row);
    }

    private async Task<PredictionRun> RunOnceAsync(long workspaceId, CancellationToken ct)
    {
        var settings = options.Value;
        var clock = Stopwatch.StartNew();
        var started = time.GetUtcNow().UtcDateTime;
        await store.SyncAsync(ct).ConfigureAwait(false);
        var last = await store.LastTouchpointAsync(workspaceId, ct).ConfigureAwait(false);
        var asOf = last is { } l && l < started ? l : started;
        var currency = await store.MainCurrencyAsync(workspaceId, ct).ConfigureAwait(false);
        var scores = new Dictionary<long, CustomerScoreRow>();
        CustomerScoreRow Score(long customer) => scores.TryGetValue(customer, out var row)
            ? row
            : scores[customer] = new CustomerScoreRow { WorkspaceId = workspaceId, CustomerId = customer };

        ChurnReport? churn = null;
        string? churnSkipped = null;
        try
        {
            churn = await ChurnAsync(workspaceId, asOf, currency, settings, Score, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ArgumentException or ArithmeticException)
        {
            // Data a model cannot be fitted on, or parameters where a prediction is undefined: the run says why.
            churnSkipped = e.Message;
        }

        ClvReport? clv = null;
        string? clvSkipped = null;
        try
        {
            clv = currency is null ? throw new ArgumentException("no revenue touchpoints with a currency") : await ClvAsync(workspaceId, asOf, currency, settings, Score, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ArgumentException or ArithmeticException)
        {
            // Data a model cannot be fitted on, or parameters where a prediction is undefined: the run says why.
            clvSkipped = e.Message;
        }

        var percentiles = ScorePercentiles.Of(
            scores.Values.Where(s => s.ChurnRisk is not null).Select(s => s.ChurnRisk!.Value),
            scores.Values.Where(s => s.LifetimeValue is not null).Select(s => s.LifetimeValue!.Value));
        var report = new PredictionReport(churn, churnSkipped, clv, clvSkipped, Math.Round(clock.Elapsed.TotalSeconds, 2), percentiles);
        var status = churn is null && clv is null ? "failed" : churn is null || clv is null ? "partial" : "ok";
        var message = string.Join("; ", new[] { churnSkipped is null ? null : "churn: " + churnSkipped, clvSkipped is null ? null : "lifetime value: " + clvSkipped }.OfType<string>());
        // Customers who refused profiling get no score (they still count in the models' fit, as part of the whole).
        HashSet<long> refused;
        await using (var db = databases.CreateDbContext())
        {
            refused = await Privacy.CustomerPrivacy.RefusedAsync(db, workspaceId, Privacy.CustomerPrivacy.Profiling, ct).ConfigureAwait(false);
        }

        var kept = scores.Values.Where(s => !refused.Contains(s.CustomerId)).OrderBy(s => s.CustomerId).ToList();
        var run = new ModelRunRow
        {
            WorkspaceId = workspaceId,
            StartedAt = started,
            FinishedAt = time.GetUtcNow().UtcDateTime,
            AsOf = asOf,
            Status = status,
            Message = message.Length == 0 ? null : message[..Math.Min(message.Length, 1000)],
            Customers = kept.Count,
            ReportJson = JsonSerializer.Serialize(report, Json),
        };
        await CustomerScores.ReplaceAsync(databases, run, kept, ct).ConfigureAwait(false);
        // Metrics slice by the new scores' tiers (customer.attr.predicted.churnRisk) from now on.
        await store.SyncAsync(ct).ConfigureAwait(false);
        return ToRun(run);
    }

    private async Task<ChurnReport> ChurnAsync(long workspaceId, DateTime asOf, string? currency, PredictionOptions settings, Func<long, CustomerScoreRow> score, CancellationToken ct)
    {
        var horizon = TimeSpan.FromDays(settings.ChurnHorizonDays);
        var checkAt = asOf - horizon;
        var trainAt = checkAt - horizon;
        var early = await store.ChurnSnapshotAsync(workspaceId, trainAt, checkAt, currency, ct).ConfigureAwait(false);
        var late = await store.ChurnSnapshotAsync(workspaceId, checkAt, asOf, currency, ct).ConfigureAwait(false);
        var now = await store.ChurnSnapshotAsync(workspaceId, asOf, null, currency, ct).ConfigureAwait(false);
        if (late.Customers.Count < 50)
        {
            throw new ArgumentException($"{late.Customers.Count} customers {settings.ChurnHorizonDays} days ago; the churn model needs at least 50 with a {settings.ChurnHorizonDays}-day window after them");
        }

        ChurnEvaluationResult? holdOut = null;
        string? holdOutSkipped = null;
        try
        {
            var checker = ChurnClassifier.Train(early.Features, early.Churned!, Sample(early.Churned!, settings.MaxTrainingCustomers));
            holdOut = ChurnEvaluation.HoldOut(checker.Predict(late.Features), late.Churned!);
        }
        catch (ArgumentException e)
        {
            holdOutSkipped = e.Message;
        }

        var training = Sample(late.Churned!, settings.MaxTrainingCustomers);
        var model = ChurnClassifier.Train(late.Features, late.Churned!, training);
        model.Score(now.Features, null, 3, (row, result) =>
        {
            var s = score(now.Customers[row]);
            s.ChurnRisk = Math.Round(result.Probability, 6);
            s.ChurnReasonsJson = JsonSerializer.Serialize(result.Reasons.Select(r => r with { LogOdds = Math.Round(r.LogOdds, 4) }), Json);
        });
        return new ChurnReport(
            settings.ChurnHorizonDays,
            checkAt,
            training.Length,
            late.Churned!.Count(c => c) / (double)late.Churned!.Length,
            holdOut,
            holdOutSkipped,
            model.Importance());
    }

    private async Task<ClvReport> ClvAsync(long workspaceId, DateTime asOf, string currency, PredictionOptions settings, Func<long, CustomerScoreRow> score, CancellationToken ct)
    {
        var (customers, _) = await store.PurchaseSummariesAsync(workspaceId, DateOnly.FromDateTime(asOf), currency, ct).ConfigureAwait(false);
        if (customers.Count == 0)
        {
            throw new ArgumentException($"no customer has orders in {currency}");
        }

        var summaries = customers.Select(c => c.Summary).ToList();
        var purchases = BgNbd.Fit(summaries);
        GammaGammaParameters? spend = null;
        string? spendSkipped = null;
        try
        {
            spend = GammaGamma.Fit(summaries).Parameters;
            if (spend.Q <= 1)
            {
                // Customers without repeat purchases would have an infinite mean spend.
                (spendSkipped, spend) = ($"q = {spend.Q:0.####} ≤ 1: the mean spend of customers without repeat purchases is infinite", null);
            }
        }
        catch (ArgumentException e)
        {
            spendSkipped = e.Message;
        }

        foreach (var (customer, c) in customers)
        {
            var predicted = LifetimeValue.Predict(purchases.Parameters, spend, c, settings.ClvHorizonWeeks, settings.DiscountRate);
            var s = score(customer);
            s.ProbabilityAlive = Math.Round(predicted.ProbabilityAlive, 6);
            s.ExpectedPurchases = Math.Round(predicted.ExpectedPurchases, 6);
            s.ExpectedSpend = predicted.ExpectedSpend is { } each ? Math.Round(each, 4) : null;
            s.LifetimeValue = predicted.Value is { } value ? Math.Round(value, 4) : null;
            s.Currency = currency;
        }

        return new ClvReport(currency, customers.Count, purchases.Parameters, purchases.LogLikelihood, spend, spendSkipped, settings.ClvHorizonWeeks, settings.DiscountRate);
    }

    /// <summary>All rows, or a random sample of <paramref name="max"/> (same seed, same sample) keeping the churn share.</summary>
    private static int[] Sample(bool[] churned, int max)
    {
        if (churned.Length <= max)
        {
            return [.. Enumerable.Range(0, churned.Length)];
        }

        var folds = ChurnEvaluation.StratifiedFolds(churned, (int)Math.Ceiling(churned.Length / (double)max), seed: 1);
        return [.. Enumerable.Range(0, churned.Length).Where(i => folds[i] == 0)];
    }

    private static PredictionRun ToRun(ModelRunRow row) => new(
        row.Id, row.StartedAt, row.AsOf, row.Status, row.Message, row.Customers,
        JsonSerializer.Deserialize<PredictionReport>(row.ReportJson, Json)!);
}
