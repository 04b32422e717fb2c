using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using OpenCxo.App.Metrics;
using OpenCxo.Core.Feedback;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Metrics;

namespace OpenCxo.App.Kpis;

/// <summary>
/// Where a KPI's target comes from: typed in (<see cref="Value"/>), or derived from what customers say they expect —
/// the numeric answers to a survey question (<see cref="Survey"/> and <see cref="Question"/>; choices read through
/// <see cref="Choices"/>) — or from what they signed, a numeric customer attribute (<see cref="Attribute"/>, an SLA
/// in hours, say). A derived target is the <see cref="Statistic"/> (median, mean or pNN) of those numbers, times
/// <see cref="Scale"/> (to convert units, e.g. hours to seconds).
/// </summary>
public sealed record KpiTarget(
    double? Value = null,
    string? Survey = null,
    string? Question = null,
    IReadOnlyDictionary<string, double>? Choices = null,
    string? Attribute = null,
    string? Statistic = null,
    double? Scale = null)
{
    [JsonIgnore]
    public bool Derived => Value is null;
}

/// <summary>Who is responsible, accountable, consulted and informed: user names or department names.</summary>
public sealed record KpiRaci(
    IReadOnlyList<string>? Responsible = null,
    IReadOnlyList<string>? Accountable = null,
    IReadOnlyList<string>? Consulted = null,
    IReadOnlyList<string>? Informed = null);

/// <summary>Which touchpoints a KPI reads, beside its slice: the filters of the metrics API.</summary>
public sealed record KpiFilters(
    IReadOnlyList<string>? Department = null,
    IReadOnlyList<string>? Channel = null,
    IReadOnlyList<string>? Segment = null,
    IReadOnlyList<string>? Survey = null,
    IReadOnlyList<string>? Team = null);

/// <summary>
/// A KPI as the API, the CLI's JSON files and the editor write it: a catalogue metric, optionally one slice of it
/// (<see cref="By"/> and <see cref="Slice"/>: <c>by: "team", slice: "night"</c>) and filters, a target, direction
/// (default: the metric's own), horizon, the period it is judged on (default: month for short term, quarter for long
/// term), the owner department and the RACI. Money metrics read one <see cref="Currency"/> (default: the one most of the
/// period's revenue is in).
/// </summary>
public sealed partial record KpiDefinition(
    string Key,
    string Name,
    string Metric,
    KpiTarget Target,
    string Owner,
    KpiHorizon Horizon = KpiHorizon.ShortTerm,
    KpiDirection? Direction = null,
    KpiPeriod? Period = null,
    string? By = null,
    string? Slice = null,
    KpiFilters? Filters = null,
    KpiRaci? Raci = null,
    int? MinimumN = null,
    string? Description = null,
    string? Currency = null)
{
    public static JsonSerializerOptions Json => Hosting.DocumentJson.Strict;

    /// <summary>The metrics a KPI can hold: the catalogue's, with NPS, CSAT and CES read from their own reports.</summary>
    /// <remarks>Cohort retention is a matrix (cohort × months since), not one number, so it is not a KPI's.</remarks>
    public static bool Measurable(string metric) => MetricCatalogue.Find(metric) is not null && metric != CatalogueMetrics.CohortRetention
        && (CatalogueMetrics.Bases.ContainsKey(metric) || KpiReadings.Scores.ContainsKey(metric));

    [JsonIgnore]
    public MetricDefinition MetricDefinition => MetricCatalogue.Find(Metric) ?? throw new InvalidOperationException($"{Metric} is not in the catalogue.");

    [JsonIgnore]
    public KpiDirection EffectiveDirection => Direction ?? (MetricDefinition.HigherIsBetter ? KpiDirection.AtLeast : KpiDirection.AtMost);

    [JsonIgnore]
    public KpiPeriod EffectivePeriod => Period ?? (Horizon == KpiHorizon.LongTerm ? KpiPeriod.Quarter : KpiPeriod.Month);

    [JsonIgnore]
    public int EffectiveMinimumN => MinimumN ?? MinimumNOf(MetricDefinition);

    /// <summary>Counts and money are whole populations, judged on one observation; statistics need <see cref="KpiRules.DefaultMinimumN"/>.</summary>
    public static int MinimumNOf(MetricDefinition metric) =>
        metric?.Kind is StatisticKind.Count or StatisticKind.Money or StatisticKind.MoneyPerCount ? 1 : KpiRules.DefaultMinimumN;

    [JsonIgnore]
    public KpiFilters EffectiveFilters => Filters ?? new KpiFilters();

    [JsonIgnore]
    public KpiRaci EffectiveRaci => Raci ?? new KpiRaci();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$", RegexOptions.CultureInvariant)]
    public static partial Regex KeyPattern();

    /// <summary>
    /// Everything wrong with the definition that it shows on its own, each naming its field; <paramref name="users"/>
    /// are the workspace's user names, which RACI entries may name beside departments.
    /// </summary>
    public List<FieldError> Check(IReadOnlySet<string> users)
    {
        ArgumentNullException.ThrowIfNull(users);
        var errors = new List<FieldError>();
        if (Key is null || !KeyPattern().IsMatch(Key))
        {
            errors.Add(new("key", "is 1–64 lowercase letters, digits and dashes, starting with a letter or digit"));
        }

        if (string.IsNullOrWhiteSpace(Name) || Name.Length > 200)
        {
            errors.Add(new("name", "is 1–200 characters"));
        }

        if (Description is { Length: > 2000 })
        {
            errors.Add(new("description", "is at most 2000 characters"));
        }

        if (Metric is null || !Measurable(Metric))
        {
            errors.Add(new("metric", $"must be one of {string.Join(", ", MetricCatalogue.All.Where(m => Measurable(m.Name)).Select(m => m.Name))}"));
        }

        if (Owner is null || !Vocabulary.Departments.Contains(Owner))
        {
            errors.Add(new("owner", $"must be a department: {string.Join(", ", Vocabulary.Departments)}"));
        }

        if ((By is null) != (Slice is null))
        {
            errors.Add(new(By is null ? "by" : "slice", "by and slice go together: by names the dimension, slice its value (by: team, slice: night)"));
        }
        else if (Slice is { Length: 0 or > 200 })
        {
            errors.Add(new("slice", "is 1–200 characters"));
        }

        if (MinimumN is < 1 or > 1_000_000)
        {
            errors.Add(new("minimumN", "is 1–1000000"));
        }

        CheckTarget(errors);
        CheckRaci(errors, users);
        return errors;
    }

    private void CheckTarget(List<FieldError> errors)
    {
        var t = Target;
        if (t is null)
        {
            errors.Add(new("target", "is required: {\"value\": 45}, or derived from a survey question or a customer attribute"));
            return;
        }

        var sources = (t.Value is null ? 0 : 1) + (t.Survey is null && t.Question is null ? 0 : 1) + (t.Attribute is null ? 0 : 1);
        if (sources != 1)
        {
            errors.Add(new("target", "gives exactly one of value, survey + question, or attribute"));
            return;
        }

        if (t.Value is { } value && !double.IsFinite(value))
        {
            errors.Add(new("target.value", "must be a finite number"));
        }

        if (t.Value is not null && (t.Statistic ?? t.Choices ?? (object?)t.Scale) is not null)
        {
            errors.Add(new("target", "statistic, choices and scale belong to a derived target, not a typed value"));
        }

        if (t.Survey is not null || t.Question is not null)
        {
            if (t.Survey is null || !SurveyRules.SurveyKeyPattern().IsMatch(t.Survey))
            {
                errors.Add(new("target.survey", "must be a survey key"));
            }

            if (t.Question is not { Length: > 0 and <= 100 })
            {
                errors.Add(new("target.question", "must be a question key of that survey"));
            }
        }

        if (t.Choices is not null && t.Survey is null)
        {
            errors.Add(new("target.choices", "map a survey question's choices to numbers: only with survey + question"));
        }

        if (t.Choices?.Any(c => c.Key is null or { Length: 0 or > 100 } || !double.IsFinite(c.Value)) == true)
        {
            errors.Add(new("target.choices", "map choice keys (1–100 characters) to finite numbers"));
        }

        if (t.Attribute is { Length: 0 or > 100 })
        {
            errors.Add(new("target.attribute", "is a customer attribute name of 1–100 characters"));
        }

        if (t.Derived && TargetStatistic.Parse(t.Statistic) is null)
        {
            errors.Add(new("target.statistic", "is median, mean, or a percentile p1…p99"));
        }

        if (t.Scale is { } scale && (!double.IsFinite(scale) || scale == 0))
        {
            errors.Add(new("target.scale", "must be a finite number other than 0"));
        }
    }

    private void CheckRaci(List<FieldError> errors, IReadOnlySet<string> users)
    {
        var r = EffectiveRaci;
        foreach (var (field, names) in new[] { ("raci.responsible", r.Responsible), ("raci.accountable", r.Accountable), ("raci.consulted", r.Consulted), ("raci.informed", r.Informed) })
        {
            if (names is not null && names.Any(n => n is null))
            {
                errors.Add(new(field, "holds a null: give user or department names"));
            }
            else if (names?.FirstOrDefault(n => !(Vocabulary.Departments.Contains(n) || users.Contains(n))) is { } unknown)
            {
                errors.Add(new(field, $"'{Clip(unknown)}' is neither a user of this workspace nor a department"));
            }
        }

        // At most one accountable: the point of a RACI.
        if (r.Accountable is { Count: > 1 })
        {
            errors.Add(new("raci.accountable", "names one person or department: accountability is not shared"));
        }
    }

    private static string Clip(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
