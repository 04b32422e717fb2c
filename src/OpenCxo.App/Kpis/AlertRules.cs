using System.Text.Json;
using System.Text.Json.Serialization;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Metrics;

namespace OpenCxo.App.Kpis;

/// <summary>The kinds of alert condition.</summary>
public enum AlertKind
{
    /// <summary>A KPI's status is one of <see cref="AlertCondition.Statuses"/> (default: offTrack).</summary>
    Status,

    /// <summary>The metric over the last complete window is above <see cref="AlertCondition.Above"/> or below <see cref="AlertCondition.Below"/>.</summary>
    Threshold,

    /// <summary>The last complete window differs from the one before by more than chance (p below <see cref="AlertCondition.PValue"/>), the bad way.</summary>
    Change,

    /// <summary>Yesterday is far from the same weekday of the previous <see cref="AlertCondition.Weeks"/> weeks: a robust z (median and MAD) beyond <see cref="AlertCondition.Z"/>, the bad way.</summary>
    Anomaly,
}

/// <summary>The window a metric rule reads: the last complete day, ISO week or month.</summary>
public enum AlertWindow
{
    Day,
    Week,
    Month,
}

public sealed record AlertCondition(
    AlertKind Kind,
    IReadOnlyList<KpiStatus>? Statuses = null,
    double? Above = null,
    double? Below = null,
    double? PValue = null,
    int? Weeks = null,
    double? Z = null);

/// <summary>Where an alert goes beside the UI's alert list: e-mail addresses and one webhook URL.</summary>
public sealed record AlertNotify(IReadOnlyList<string>? Email = null, string? Webhook = null);

/// <summary>
/// An alert rule: on a KPI (<see cref="Kpi"/>, the KPI's metric, slice and filters), on a metric (<see cref="Metric"/>,
/// optionally per slice with <see cref="By"/>: one alert per slice key that breaches) or on a promise's status
/// (<see cref="Promise"/>). A breach is raised once per rule, slice and window; after an alert, the same rule and
/// slice stay quiet for <see cref="QuietHours"/>.
/// </summary>
public sealed record AlertRuleDefinition(
    string Key,
    string Name,
    AlertCondition Condition,
    string? Kpi = null,
    string? Metric = null,
    string? By = null,
    KpiFilters? Filters = null,
    AlertWindow Window = AlertWindow.Day,
    int? MinimumN = null,
    AlertNotify? Notify = null,
    double QuietHours = 24,
    bool Enabled = true,
    string? Promise = null)
{
    public const double DefaultPValue = 0.01;
    public const int DefaultWeeks = 6;
    public const double DefaultZ = 3.5;

    public const string MoneyHasNoChange = "money has no sampling error to test a change against: use a threshold";

    public static JsonSerializerOptions Json => KpiDefinition.Json;

    /// <summary>Whether a change of the metric can be tested for chance: not money, whose sums are exact.</summary>
    public static bool Testable(MetricDefinition metric) => metric?.Kind is not (StatisticKind.Money or StatisticKind.MoneyPerCount);

    public List<FieldError> Check()
    {
        var errors = new List<FieldError>();
        if (Key is null || !KpiDefinition.KeyPattern().IsMatch(Key))
        {
            errors.Add(new("key", "is 1–64 lowercase letters, digits and dashes, starting with a letter or digit"));
        }

        if (string.IsNullOrWhiteSpace(Name) || Name.Length > 200)
        {
            errors.Add(new("name", "is 1–200 characters"));
        }

        if ((Kpi is null ? 0 : 1) + (Metric is null ? 0 : 1) + (Promise is null ? 0 : 1) != 1)
        {
            errors.Add(new("kpi", "give exactly one of kpi (a KPI's key), metric (a catalogue metric) or promise (a promise's key)"));
        }

        if (Promise is not null && (By ?? (object?)Filters) is not null)
        {
            errors.Add(new("by", "a promise rule reads the promise's own contacts"));
        }

        if (Metric is not null && !KpiDefinition.Measurable(Metric))
        {
            errors.Add(new("metric", $"must be one of {string.Join(", ", MetricCatalogue.All.Where(m => KpiDefinition.Measurable(m.Name)).Select(m => m.Name))}"));
        }

        if (Kpi is not null && (By ?? (object?)Filters) is not null)
        {
            errors.Add(new("by", "a KPI rule reads the KPI's own slice and filters"));
        }

        if (Condition is null)
        {
            errors.Add(new("condition", "is required: {\"kind\": \"status\" | \"threshold\" | \"change\" | \"anomaly\", …}"));
        }
        else
        {
            CheckCondition(errors);
        }

        if (MinimumN is < 1 or > 1_000_000)
        {
            errors.Add(new("minimumN", "is 1–1000000"));
        }

        if (QuietHours is < 0 or > 24 * 365 || double.IsNaN(QuietHours))
        {
            errors.Add(new("quietHours", "is 0–8760"));
        }

        CheckRecipients(errors, "notify", Notify?.Email, Notify?.Webhook);
        return errors;
    }

    /// <summary>
    /// The problems of where a notice goes (an alert's, a digest's): at most 20 e-mail addresses and one http(s) webhook,
    /// named <c>{field}.email</c> and <c>{field}.webhook</c>.
    /// </summary>
    public static void CheckRecipients(List<FieldError> errors, string field, IReadOnlyList<string>? emails, string? webhook)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (emails is not null)
        {
            if (emails.Count > 20)
            {
                errors.Add(new(field + ".email", "names at most 20 addresses"));
            }
            else if (emails.Any(e => e is null))
            {
                errors.Add(new(field + ".email", "holds a null: give addresses"));
            }
            else if (emails.FirstOrDefault(e => e.Length > 254 || !MimeKit.MailboxAddress.TryParse(e, out var address) || !address.Address.Contains('@', StringComparison.Ordinal)) is { } bad)
            {
                errors.Add(new(field + ".email", $"'{Clip(bad)}' is not an e-mail address"));
            }
        }

        if (webhook is not null && !(webhook.Length <= 2000 && Uri.TryCreate(webhook, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
        {
            errors.Add(new(field + ".webhook", "must be an http or https URL"));
        }
    }

    private void CheckCondition(List<FieldError> errors)
    {
        var c = Condition;
        switch (c.Kind)
        {
            case AlertKind.Status when Kpi is null && Promise is null:
                errors.Add(new("condition.kind", "status is a KPI's or a promise's: give kpi or promise"));
                break;
            case not AlertKind.Status when Promise is not null:
                errors.Add(new("condition.kind", "a promise rule alerts on the promise's status: status"));
                break;
            case AlertKind.Threshold when c.Above is null && c.Below is null:
                errors.Add(new("condition", "a threshold gives above, below or both"));
                break;
            case AlertKind.Threshold when c.Above is { } above && c.Below is { } below && below >= above:
                errors.Add(new("condition.below", "is under above: the alert fires outside the band [below, above]"));
                break;
            case AlertKind.Change when Metric is not null && MetricCatalogue.Find(Metric) is { } metric && !Testable(metric):
                errors.Add(new("condition.kind", MoneyHasNoChange));
                break;
            case AlertKind.Anomaly when Window != AlertWindow.Day:
                errors.Add(new("window", "an anomaly compares a day with the same weekday of previous weeks: window day"));
                break;
        }

        if (c.PValue is <= 0 or >= 0.5)
        {
            errors.Add(new("condition.pValue", "is between 0 and 0.5, e.g. 0.01"));
        }

        if (c.Weeks is < 3 or > 26)
        {
            errors.Add(new("condition.weeks", "is 3–26"));
        }

        if (c.Z is <= 0 or > 100)
        {
            errors.Add(new("condition.z", "is above 0, e.g. 3.5"));
        }

        if (c.Above is { } a && !double.IsFinite(a) || c.Below is { } b && !double.IsFinite(b))
        {
            errors.Add(new("condition", "thresholds are finite numbers"));
        }
    }

    private static string Clip(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
