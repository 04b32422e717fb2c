using System.Text.RegularExpressions;
using OpenCxo.Core.Ingest;

namespace OpenCxo.Core.Actions;

/// <summary>
/// Next best action: every enabled rule whose conditions a customer meets, ranked by expected value, each with its
/// reasons. Contact preferences are applied here and cannot be edited away: a customer marked do-not-contact gets
/// nothing, one who opted out gets no offer.
/// </summary>
public static partial class NextBestAction
{
    public const int MaxRules = 50;
    public const int MaxConditions = 10;

    /// <summary>
    /// Service recovery for detractors with open problems; a retention offer for the riskiest tenth among the most
    /// valuable quarter; a referral ask for promoters of below-median risk with no open problem; an upsell only for
    /// such healthy customers who are still buying and are not detractors. Risk is relative to the workspace's own
    /// customers (percentiles of the latest run), as churn rates differ by business. The effect sizes are starting
    /// points a team should replace with what its own campaigns measured (issue 10's control groups).
    /// </summary>
    public static readonly IReadOnlyList<ActionRule> Defaults =
    [
        new("service-recovery", "Call back to recover the relationship", "service", ActionKind.Service,
            [new("npsCategory", "=", Text: "detractor"), new("openProblems", ">=", Number: 1)],
            RiskReduction: 0.3, Uplift: 0, Cost: 15),
        new("retention-offer", "Make a retention offer", "marketing", ActionKind.Offer,
            [new("churnRisk", ">=", Percentile: 90), new("lifetimeValue", ">=", Percentile: 75)],
            RiskReduction: 0.2, Uplift: 0, Cost: 25),
        new("referral-ask", "Ask for a referral", "marketing", ActionKind.Offer,
            [new("npsCategory", "=", Text: "promoter"), new("churnRisk", "<", Percentile: 50), new("openProblems", "=", Number: 0)],
            RiskReduction: 0, Uplift: 0.05, Cost: 2),
        new("upsell", "Offer an upgrade", "sales", ActionKind.Offer,
            [new("churnRisk", "<", Percentile: 50), new("openProblems", "=", Number: 0), new("npsCategory", "!=", Text: "detractor"), new("probabilityAlive", ">=", Number: 0.7)],
            RiskReduction: 0, Uplift: 0.1, Cost: 5),
    ];

    /// <summary>The actions for one customer, the most valuable first (ties by rule order).</summary>
    public static IReadOnlyList<RecommendedAction> Recommend(CustomerState customer, IReadOnlyList<ActionRule> rules, ScorePercentiles percentiles)
    {
        if (customer.DoNotContact)
        {
            return [];
        }

        List<RecommendedAction>? found = null;
        foreach (var rule in rules)
        {
            if (!rule.Enabled || (rule.IsOffer && customer.OptedOut) || !Matches(customer, rule, percentiles))
            {
                continue;
            }

            var value = ((customer.LifetimeValue ?? 0) * (((customer.ChurnRisk ?? 0) * rule.RiskReduction) + rule.Uplift)) - rule.Cost;
            var reasons = rule.When.Select(c => c.Field).Distinct(StringComparer.Ordinal).Select(f => ActionFields.Describe(customer, f)).ToList();
            (found ??= []).Add(new RecommendedAction(rule.Key, rule.Name, rule.Department, rule.IsOffer ? ActionKind.Offer : ActionKind.Service, Math.Round(value, 2), customer.Currency, reasons));
        }

        return found is null ? [] : [.. found.OrderByDescending(a => a.ExpectedValue)];
    }

    public static bool Matches(CustomerState customer, ActionRule rule, ScorePercentiles percentiles)
    {
        foreach (var condition in rule.When)
        {
            if (!Holds(customer, condition, percentiles))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Rules as a user wrote them, checked whole: each problem named by its place ("rules[2].when[0].field"), so a
    /// rule set is stored entirely or not at all.
    /// </summary>
    public static IReadOnlyList<FieldError> Validate(IReadOnlyList<ActionRule> rules)
    {
        var errors = new List<FieldError>();
        if (rules.Count > MaxRules)
        {
            errors.Add(new FieldError("rules", $"{rules.Count} rules: at most {MaxRules}"));
            return errors;
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var at = $"rules[{i}]";
            if (rule.Key is null || !KeyPattern().IsMatch(rule.Key))
            {
                errors.Add(new FieldError(at + ".key", "must be 1–40 lowercase letters, digits and hyphens, starting with a letter"));
            }
            else if (!keys.Add(rule.Key))
            {
                errors.Add(new FieldError(at + ".key", $"'{rule.Key}' is already the key of an earlier rule"));
            }

            if (string.IsNullOrWhiteSpace(rule.Name) || rule.Name.Length > 200)
            {
                errors.Add(new FieldError(at + ".name", "must be 1–200 characters"));
            }

            if (!ActionFields.Departments.Contains(rule.Department))
            {
                errors.Add(new FieldError(at + ".department", $"must be one of {string.Join(", ", ActionFields.Departments)}"));
            }

            if (rule.Kind == ActionKind.Service && (rule.Department != "service" || rule.Uplift > 0))
            {
                errors.Add(new FieldError(at + ".kind", "a service action is service's own work on the customer's problem, with no uplift: anything from marketing or sales, or meant to grow the customer, is an offer"));
            }

            if (!(rule.RiskReduction is >= 0 and <= 1))
            {
                errors.Add(new FieldError(at + ".riskReduction", "must be a share from 0 to 1"));
            }

            if (!(rule.Uplift is >= 0 and <= 10))
            {
                errors.Add(new FieldError(at + ".uplift", "must be a share of lifetime value from 0 to 10"));
            }

            if (!(rule.Cost is >= 0 and <= 1e9))
            {
                errors.Add(new FieldError(at + ".cost", "must be from 0 to 1,000,000,000"));
            }

            if (rule.When is null || rule.When.Count is 0 || rule.When.Count > MaxConditions)
            {
                errors.Add(new FieldError(at + ".when", $"must hold 1–{MaxConditions} conditions"));
                continue;
            }

            for (var k = 0; k < rule.When.Count; k++)
            {
                errors.AddRange(Check(rule.When[k], $"{at}.when[{k}]"));
            }
        }

        return errors;
    }

    private static IEnumerable<FieldError> Check(ActionCondition c, string at)
    {
        var number = ActionFields.Numbers.Contains(c.Field);
        if (!number && !ActionFields.Texts.Contains(c.Field))
        {
            yield return new FieldError(at + ".field", $"unknown field '{Clip(c.Field)}' (known: {string.Join(", ", ActionFields.Numbers.Concat(ActionFields.Texts))})");
            yield break;
        }

        if (!ActionFields.Operators.Contains(c.Op))
        {
            yield return new FieldError(at + ".op", $"unknown operator '{Clip(c.Op)}' (known: {string.Join(" ", ActionFields.Operators)})");
            yield break;
        }

        var values = (c.Number is null ? 0 : 1) + (c.Text is null ? 0 : 1) + (c.Texts is null ? 0 : 1) + (c.Percentile is null ? 0 : 1);
        if (c.Op is "exists" or "missing")
        {
            if (values != 0)
            {
                yield return new FieldError(at + ".value", $"'{c.Op}' takes no value");
            }

            yield break;
        }

        if (c.Op == "in")
        {
            if (c.Texts is not { Count: > 0 and <= 100 } || values != 1)
            {
                yield return new FieldError(at + ".value", "'in' takes a list of 1–100 texts");
            }
            else if (number)
            {
                yield return new FieldError(at + ".op", $"'in' is for text fields, and {c.Field} is a number");
            }

            yield break;
        }

        if (values != 1)
        {
            yield return new FieldError(at + ".value", "is required: a number, a text, or a percentile such as p75");
        }
        else if (number && c.Text is not null)
        {
            yield return new FieldError(at + ".value", $"{c.Field} is a number, not '{Clip(c.Text)}'");
        }
        else if (!number && (c.Number is not null || c.Percentile is not null))
        {
            yield return new FieldError(at + ".value", $"{c.Field} is a text: compare it with a text");
        }
        else if (!number && c.Op is not ("=" or "!="))
        {
            yield return new FieldError(at + ".op", $"{c.Field} is a text: use =, !=, in, exists or missing");
        }
        else if (c.Percentile is { } p && (!ScorePercentiles.Levels.Contains(p) || !ActionFields.WithPercentiles.Contains(c.Field)))
        {
            yield return new FieldError(at + ".value", $"percentiles are p25, p50, p75 and p90, of {string.Join(" and ", ActionFields.WithPercentiles)} only");
        }
        else if (c.Number is { } n && !double.IsFinite(n))
        {
            yield return new FieldError(at + ".value", "must be a finite number");
        }
        else if (c.Text is { Length: 0 or > 200 })
        {
            yield return new FieldError(at + ".value", "must be 1–200 characters");
        }
    }

    private static bool Holds(CustomerState customer, ActionCondition c, ScorePercentiles percentiles)
    {
        if (ActionFields.Texts.Contains(c.Field))
        {
            var text = ActionFields.Text(customer, c.Field);
            return c.Op switch
            {
                "exists" => text is not null,
                "missing" => text is null,
                "!=" => text is null || !string.Equals(text, c.Text, StringComparison.OrdinalIgnoreCase),
                "in" => text is not null && c.Texts!.Contains(text, StringComparer.OrdinalIgnoreCase),
                _ => text is not null && string.Equals(text, c.Text, StringComparison.OrdinalIgnoreCase),
            };
        }

        var value = ActionFields.Number(customer, c.Field);
        if (c.Op is "exists" or "missing")
        {
            return (value is not null) == (c.Op == "exists");
        }

        double? target = c.Percentile is { } p
            ? (c.Field == "churnRisk" ? percentiles.ChurnRisk : percentiles.LifetimeValue).TryGetValue(p, out var level) ? level : null
            : c.Number;
        if (target is not { } t)
        {
            // A percentile not known yet (no model run) matches nobody.
            return false;
        }

        if (value is not { } v)
        {
            return c.Op == "!=";
        }

        return c.Op switch
        {
            "=" => v == t,
            "!=" => v != t,
            "<" => v < t,
            "<=" => v <= t,
            ">" => v > t,
            _ => v >= t,
        };
    }

    private static string Clip(string? text) => text is null ? "" : text.Length > 40 ? text[..40] + "…" : text;

    [GeneratedRegex("^[a-z][a-z0-9-]{0,39}$")]
    private static partial Regex KeyPattern();
}
