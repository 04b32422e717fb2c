using System.Text.RegularExpressions;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Metrics;

namespace OpenCxo.Core.Alignment;

/// <summary>One distinct time of a survival curve: who was at risk, how many left, and the survival after it with its interval.</summary>
public sealed record SurvivalStep(double Time, long AtRisk, long Events, double Survival, double StandardError, double Low, double High);

/// <summary>
/// The Kaplan–Meier product-limit estimator (E. L. Kaplan and P. Meier, JASA 53, 1958) with Greenwood's variance
/// (M. Greenwood, 1926) and the log-transformed interval S·exp(±z·σ), σ² = Σ d / (n (n − d)) — the default of R's
/// survival package (survfit, conf.type = "log"), upper end capped at 1. Customers still active are censored at the
/// newest touchpoint, so a rep whose customers were closed last month is not judged on twelve months they have not lived.
/// </summary>
public static class KaplanMeier
{
    /// <param name="observations">(time, events at it, censored at it); times need not be sorted or distinct.</param>
    public static IReadOnlyList<SurvivalStep> Estimate(IEnumerable<(double Time, long Events, long Censored)> observations, double confidence = ScoreStatistics.DefaultConfidence)
    {
        ArgumentNullException.ThrowIfNull(observations);
        var byTime = observations
            .Where(o => o.Events > 0 || o.Censored > 0)
            .GroupBy(o => o.Time)
            .Select(g => (Time: g.Key, Events: g.Sum(o => o.Events), Censored: g.Sum(o => o.Censored)))
            .OrderBy(o => o.Time)
            .ToList();
        var atRisk = byTime.Sum(o => o.Events + o.Censored);
        var z = ScoreStatistics.Z(confidence);
        var survival = 1.0;
        var greenwood = 0.0;
        var steps = new List<SurvivalStep>();
        foreach (var (time, events, censored) in byTime)
        {
            if (events > 0)
            {
                survival *= 1 - ((double)events / atRisk);
                greenwood = events >= atRisk ? double.PositiveInfinity : greenwood + ((double)events / (atRisk * (double)(atRisk - events)));
                var sigma = Math.Sqrt(greenwood);
                var (low, high) = survival == 0 || double.IsInfinity(sigma)
                    ? (0.0, survival == 0 ? 0.0 : 1.0)
                    : (survival * Math.Exp(-z * sigma), Math.Min(1, survival * Math.Exp(z * sigma)));
                steps.Add(new SurvivalStep(time, atRisk, events, survival, survival * sigma, low, high));
            }

            atRisk -= events + censored;
        }

        return steps;
    }

    /// <summary>
    /// The survival at <paramref name="time"/> (1 before the first event), or null when no one was still observed at
    /// that time: past the last observation the curve says nothing. <paramref name="n"/> is everyone the curve was
    /// drawn from, events and censored alike.
    /// </summary>
    public static Estimate? At(IReadOnlyList<SurvivalStep> steps, double time, double lastObserved, long n)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (time > lastObserved)
        {
            return null;
        }

        var step = steps.LastOrDefault(s => s.Time <= time);
        return step is null
            ? new Estimate(100, 100, 100, n, n < ScoreStatistics.MinimumSample)
            : new Estimate(100 * step.Survival, 100 * step.Low, 100 * step.High, n, n < ScoreStatistics.MinimumSample);
    }
}

/// <summary>
/// A need the company cannot serve on some plans, found at deal time: the customer wrote about one of
/// <see cref="Themes"/> before the deal (its notes included), or came from one of <see cref="Campaigns"/>; it is served
/// only on <see cref="ServedByPlans"/> (the customer's <c>plan</c> attribute).
/// </summary>
public sealed record CustomerNeed(string Key, string Name, IReadOnlyList<string>? Themes = null, IReadOnlyList<string>? Campaigns = null, IReadOnlyList<string>? ServedByPlans = null);

/// <summary>A workspace's needs that decide customer fit.</summary>
public sealed record CustomerNeeds(IReadOnlyList<CustomerNeed> Needs);

/// <summary>Customer fit at deal time: predicted churn from the model, and the needs the company can't serve.</summary>
public static partial class CustomerFit
{
    /// <summary>Points a need the customer's plan can't serve takes off the fit.</summary>
    public const int NeedPenalty = 25;

    /// <summary>Below this a deal is a poor fit: the "right customer" report lists such deals first.</summary>
    public const int PoorFit = 50;

    /// <summary>
    /// 100 × the probability of staying (1 − the model's churn risk; 1 without a model run), less
    /// <see cref="NeedPenalty"/> for each unserved need, within 0–100: a plain score a sales lead can read on a deal.
    /// </summary>
    public static int Score(double? churnRisk, int unservedNeeds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(unservedNeeds);
        var stay = 1 - Math.Clamp(churnRisk ?? 0, 0, 1);
        return (int)Math.Clamp(Math.Round((100 * stay) - (NeedPenalty * unservedNeeds)), 0, 100);
    }

    /// <summary>The demo company's need: support after hours, served on no plan (its night desk takes notes, it doesn't fix).</summary>
    public static readonly CustomerNeeds Defaults = new(
        [new CustomerNeed("after-hours-support", "Support after hours", ["support_availability"], ["soporte-24-7"], ["enterprise"])]);

    /// <summary>Every problem of a needs document, named by its place; none when it can be saved.</summary>
    public static IReadOnlyList<FieldError> Validate(CustomerNeeds needs, Func<string, bool> isTheme)
    {
        ArgumentNullException.ThrowIfNull(isTheme);
        var errors = new List<FieldError>();
        if (needs?.Needs is null || needs.Needs.Count > 20)
        {
            errors.Add(new FieldError("needs", "is a list of at most 20 needs"));
            return errors;
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < needs.Needs.Count; i++)
        {
            var at = $"needs[{i}]";
            if (needs.Needs[i] is not { } need)
            {
                errors.Add(new FieldError(at, "is empty"));
                continue;
            }

            if (need.Key is null || !KeyPattern().IsMatch(need.Key))
            {
                errors.Add(new FieldError(at + ".key", "is 1–40 lowercase letters, digits and dashes"));
            }
            else if (!keys.Add(need.Key))
            {
                errors.Add(new FieldError(at + ".key", $"'{need.Key}' is used twice"));
            }

            if (string.IsNullOrWhiteSpace(need.Name) || need.Name.Length > 200)
            {
                errors.Add(new FieldError(at + ".name", "is 1–200 characters"));
            }

            if ((need.Themes?.Count ?? 0) + (need.Campaigns?.Count ?? 0) == 0)
            {
                errors.Add(new FieldError(at + ".themes", "give themes or campaigns that show the need"));
            }

            List(errors, at + ".themes", need.Themes, isTheme, "is not a theme of the text analytics");
            List(errors, at + ".campaigns", need.Campaigns, _ => true, "");
            List(errors, at + ".servedByPlans", need.ServedByPlans, _ => true, "");
        }

        return errors;
    }

    private static void List(List<FieldError> errors, string field, IReadOnlyList<string>? values, Func<string, bool> valid, string invalid)
    {
        if (values is null)
        {
            return;
        }

        if (values.Count > 50)
        {
            errors.Add(new FieldError(field, "names at most 50"));
            return;
        }

        for (var i = 0; i < values.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(values[i]) || values[i].Length > 200)
            {
                errors.Add(new FieldError($"{field}[{i}]", "is 1–200 characters"));
            }
            else if (!valid(values[i]))
            {
                errors.Add(new FieldError($"{field}[{i}]", $"'{values[i]}' {invalid}"));
            }
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,39}$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();
}
