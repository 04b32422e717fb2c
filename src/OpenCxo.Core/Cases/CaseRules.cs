using System.Text.RegularExpressions;
using OpenCxo.Core.Ingest;

namespace OpenCxo.Core.Cases;

/// <summary>
/// When a case opens and who gets it. <see cref="Trigger"/>: <c>detractor</c> (an NPS answer of
/// <see cref="MaxScore"/> or less, 6 by default), <c>low-csat</c> (a CSAT answer of <see cref="MaxScore"/> or less,
/// 2 by default), <c>text-flag</c> (a text flagged with one of <see cref="Flags"/>) or <c>churn-risk</c> (a model run
/// puts the customer at or above the <see cref="RiskPercentile"/>th percentile of churn risk and the
/// <see cref="ValuePercentile"/>th of lifetime value). <see cref="Routing"/>: <c>department</c> (the department's
/// queue), <c>team</c> (the team of the customer's latest service contact), <c>account-owner</c> (the customer's
/// <c>accountOwner</c> attribute) or <c>round-robin</c> (each of <see cref="Owners"/> in turn); without a team or an
/// account owner the case goes to the department's queue.
/// </summary>
public sealed record CaseRule(
    string Key,
    string Name,
    string Trigger,
    string Department,
    string Routing,
    double SlaHours,
    string Priority = "normal",
    int? MaxScore = null,
    IReadOnlyList<string>? Flags = null,
    int? RiskPercentile = null,
    int? ValuePercentile = null,
    IReadOnlyList<string>? Owners = null,
    string? EscalateTo = null,
    bool Enabled = true)
{
    public TimeSpan Sla => TimeSpan.FromHours(SlaHours);
}

/// <summary>A workspace's case rules and the root-cause codes a resolved case is filed under.</summary>
public sealed record CaseSettings(IReadOnlyList<CaseRule> Rules, IReadOnlyList<string> RootCauses);

public static partial class CaseRules
{
    public static readonly IReadOnlyList<string> Triggers = ["detractor", "low-csat", "text-flag", "churn-risk"];
    public static readonly IReadOnlyList<string> Routings = ["department", "team", "account-owner", "round-robin"];
    public static readonly IReadOnlyList<string> Priorities = ["low", "normal", "high", "urgent"];
    public static readonly IReadOnlyList<string> TextFlags = ["churn_intent", "legal_threat", "urgency", "vulnerability"];
    public static readonly IReadOnlyList<int> Percentiles = [25, 50, 75, 90];

    /// <summary>
    /// Detractors and CSAT 1–2 go to the service team that last served the customer, within 48 and 24 hours; churn
    /// intent and legal threats in any text to service within 24 hours, urgent; valuable customers at high risk to
    /// their account owner within 72 hours.
    /// </summary>
    public static readonly CaseSettings Defaults = new(
        [
            new("detractor", "Call back a detractor", "detractor", "service", "team", 48, MaxScore: 6),
            new("low-csat", "Call back an unhappy customer", "low-csat", "service", "team", 24, "high", MaxScore: 2),
            new("churn-or-legal", "Answer a threat to leave or to sue", "text-flag", "service", "department", 24, "urgent", Flags: ["churn_intent", "legal_threat"]),
            new("valuable-at-risk", "Keep a valuable customer at risk", "churn-risk", "sales", "account-owner", 72, "high", RiskPercentile: 90, ValuePercentile: 75),
        ],
        ["product-defect", "service-failure", "billing-error", "delivery", "promise-not-kept", "price", "communication", "no-problem-found", "other"]);

    /// <summary>Every problem of a settings document, named by its place (<c>rules[1].slaHours</c>); none when it can be saved.</summary>
    public static IReadOnlyList<FieldError> Validate(CaseSettings settings)
    {
        var errors = new List<FieldError>();
        if (settings.Rules is null || settings.Rules.Count > 50)
        {
            errors.Add(new FieldError("rules", "must be a list of at most 50 rules"));
            return errors;
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < settings.Rules.Count; i++)
        {
            var r = settings.Rules[i];
            var at = $"rules[{i}]";
            if (r is null)
            {
                errors.Add(new FieldError(at, "is empty"));
                continue;
            }

            if (r.Key is null || !KeyPattern().IsMatch(r.Key))
            {
                errors.Add(new FieldError(at + ".key", "must be 1–40 lowercase letters, digits and hyphens, starting with a letter"));
            }
            else if (!keys.Add(r.Key))
            {
                errors.Add(new FieldError(at + ".key", $"'{r.Key}' is already the key of an earlier rule"));
            }

            if (string.IsNullOrWhiteSpace(r.Name) || r.Name.Length > 200)
            {
                errors.Add(new FieldError(at + ".name", "must be 1–200 characters"));
            }

            if (!Triggers.Contains(r.Trigger))
            {
                errors.Add(new FieldError(at + ".trigger", $"must be one of {string.Join(", ", Triggers)}"));
            }

            if (!Vocabulary.Departments.Contains(r.Department))
            {
                errors.Add(new FieldError(at + ".department", $"must be one of {string.Join(", ", Vocabulary.Departments)}"));
            }

            if (!Routings.Contains(r.Routing))
            {
                errors.Add(new FieldError(at + ".routing", $"must be one of {string.Join(", ", Routings)}"));
            }
            else if (r.Routing == "round-robin" && (r.Owners is not { Count: > 0 and <= 100 } || r.Owners.Any(o => string.IsNullOrWhiteSpace(o) || o.Length > 100)))
            {
                errors.Add(new FieldError(at + ".owners", "round-robin needs 1–100 owners, each 1–100 characters"));
            }

            if (!(r.SlaHours is > 0 and <= 24 * 90))
            {
                errors.Add(new FieldError(at + ".slaHours", "must be more than 0 and at most 2,160 hours (90 days)"));
            }

            if (!Priorities.Contains(r.Priority))
            {
                errors.Add(new FieldError(at + ".priority", $"must be one of {string.Join(", ", Priorities)}"));
            }

            if (r.EscalateTo is { Length: 0 or > 100 })
            {
                errors.Add(new FieldError(at + ".escalateTo", "must be 1–100 characters"));
            }

            switch (r.Trigger)
            {
                case "detractor" when r.MaxScore is not (null or (>= 0 and <= 10)):
                    errors.Add(new FieldError(at + ".maxScore", "an NPS answer is 0–10"));
                    break;
                case "low-csat" when r.MaxScore is not (null or (>= 1 and <= 5)):
                    errors.Add(new FieldError(at + ".maxScore", "a CSAT answer is 1–5"));
                    break;
                case "text-flag" when r.Flags is not { Count: > 0 } || r.Flags.Any(f => !TextFlags.Contains(f)):
                    errors.Add(new FieldError(at + ".flags", $"must list one or more of {string.Join(", ", TextFlags)}"));
                    break;
                case "churn-risk":
                    if (r.RiskPercentile is not { } risk || !Percentiles.Contains(risk))
                    {
                        errors.Add(new FieldError(at + ".riskPercentile", "must be 25, 50, 75 or 90"));
                    }

                    if (r.ValuePercentile is { } value && !Percentiles.Contains(value))
                    {
                        errors.Add(new FieldError(at + ".valuePercentile", "must be 25, 50, 75 or 90, or left out"));
                    }

                    break;
            }
        }

        if (settings.RootCauses is not { Count: > 0 and <= 100 } || settings.RootCauses.Any(c => c is null || !KeyPattern().IsMatch(c)))
        {
            errors.Add(new FieldError("rootCauses", "must list 1–100 codes, each 1–40 lowercase letters, digits and hyphens"));
        }
        else if (settings.RootCauses.Distinct(StringComparer.Ordinal).Count() != settings.RootCauses.Count)
        {
            errors.Add(new FieldError("rootCauses", "lists a code twice"));
        }

        return errors;
    }

    /// <summary>Whether a survey score opens a case under a detractor or low-CSAT rule.</summary>
    public static bool Opens(CaseRule rule, int? nps, int? csat) => rule.Enabled && rule.Trigger switch
    {
        "detractor" => nps is { } n && n <= (rule.MaxScore ?? 6),
        "low-csat" => csat is { } c && c <= (rule.MaxScore ?? 2),
        _ => false,
    };

    /// <summary>The owner of a round-robin rule's <paramref name="turn"/>th case (0-based).</summary>
    public static string RoundRobin(CaseRule rule, long turn) => rule.Owners![(int)(turn % rule.Owners.Count)];

    [GeneratedRegex("^[a-z][a-z0-9-]{0,39}$")]
    private static partial Regex KeyPattern();
}
