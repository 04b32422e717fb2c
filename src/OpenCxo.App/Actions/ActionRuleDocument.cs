using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpenCxo.Core.Actions;
using OpenCxo.Core.Ingest;

namespace OpenCxo.App.Actions;

/// <summary>
/// A condition as users write it: <c>{"field": "churnRisk", "op": "&gt;=", "value": "p90"}</c>. The value is a number,
/// a text, a list of texts (for <c>in</c>), a percentile <c>p25</c>, <c>p50</c>, <c>p75</c> or <c>p90</c>, or absent
/// (for <c>exists</c> and <c>missing</c>).
/// </summary>
public sealed record ActionConditionDocument(string Field, string Op, JsonElement? Value = null);

/// <summary>A rule as the API, the CLI and the store write it; <see cref="Kind"/> is <c>service</c> or <c>offer</c>.</summary>
public sealed partial record ActionRuleDocument(
    string Key, string Name, string Department, string Kind, IReadOnlyList<ActionConditionDocument> When, double? RiskReduction, double? Uplift, double? Cost, bool Enabled = true)
{
    /// <summary>How rule sets are read and written: the API's camelCase, numbers never as strings.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict };

    public static ActionRuleDocument From(ActionRule rule) => new(
        rule.Key,
        rule.Name,
        rule.Department,
        rule.Kind == ActionKind.Offer ? "offer" : "service",
        [.. rule.When.Select(c => new ActionConditionDocument(c.Field, c.Op, Value(c)))],
        rule.RiskReduction,
        rule.Uplift,
        rule.Cost,
        rule.Enabled);

    /// <summary>A stored rule set, which was checked when saved.</summary>
    public ActionRule ToRule() => Parse([this]).Rules![0];

    /// <summary>Rules as written, or every problem by its place (<c>rules[1].when[0].value</c>); never some of each.</summary>
    public static (IReadOnlyList<ActionRule>? Rules, IReadOnlyList<FieldError> Errors) Parse(IReadOnlyList<ActionRuleDocument?>? documents)
    {
        if (documents is null)
        {
            return (null, [new FieldError("rules", "is required: a list of rules")]);
        }

        var errors = new List<FieldError>();
        var rules = new List<ActionRule>();
        for (var i = 0; i < documents.Count; i++)
        {
            var at = $"rules[{i}]";
            if (documents[i] is not { } d)
            {
                errors.Add(new FieldError(at, "is empty"));
                continue;
            }

            ActionKind kind = default;
            if (d.Kind is not ("service" or "offer"))
            {
                errors.Add(new FieldError(at + ".kind", "must be service (about the customer's own problem) or offer (a proposal; never to those who opted out)"));
            }
            else
            {
                kind = d.Kind == "offer" ? ActionKind.Offer : ActionKind.Service;
            }

            var conditions = new List<ActionCondition>();
            for (var k = 0; k < (d.When?.Count ?? 0); k++)
            {
                if (d.When![k] is not { } c)
                {
                    errors.Add(new FieldError($"{at}.when[{k}]", "is empty"));
                    continue;
                }

                if (Condition(c, $"{at}.when[{k}]", errors) is { } condition)
                {
                    conditions.Add(condition);
                }
            }

            foreach (var (name, value) in new[] { ("riskReduction", d.RiskReduction), ("uplift", d.Uplift), ("cost", d.Cost) })
            {
                if (value is null)
                {
                    errors.Add(new FieldError($"{at}.{name}", "is required: a number (0 for none)"));
                }
            }

            rules.Add(new ActionRule(d.Key, d.Name, d.Department, kind, d.When is null ? null! : conditions, d.RiskReduction ?? 0, d.Uplift ?? 0, d.Cost ?? 0, d.Enabled));
        }

        // Everything at once, but each place once: what could not be read is not judged again.
        var unread = errors.ToList();
        errors.AddRange(NextBestAction.Validate(rules).Where(v => !unread.Any(e =>
            e.Field == v.Field || e.Field.StartsWith(v.Field + "[", StringComparison.Ordinal) || e.Field.StartsWith(v.Field + ".", StringComparison.Ordinal))));

        return errors.Count == 0 ? (rules, []) : (null, errors);
    }

    private static ActionCondition? Condition(ActionConditionDocument c, string at, List<FieldError> errors)
    {
        var field = c.Field ?? "";
        var op = c.Op ?? "";
        if (c.Value is not { } value || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return new ActionCondition(field, op);
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                return new ActionCondition(field, op, Number: value.GetDouble());
            case JsonValueKind.String:
                var text = value.GetString()!;
                var percentile = PercentilePattern().Match(text);
                return percentile.Success
                    ? new ActionCondition(field, op, Percentile: int.Parse(percentile.Groups[1].Value, CultureInfo.InvariantCulture))
                    : new ActionCondition(field, op, Text: text);
            case JsonValueKind.Array when value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String):
                return new ActionCondition(field, op, Texts: [.. value.EnumerateArray().Select(e => e.GetString()!)]);
            default:
                errors.Add(new FieldError(at + ".value", "must be a number, a text, a list of texts, or a percentile such as p75"));
                return null;
        }
    }

    private static JsonElement? Value(ActionCondition c) =>
        c.Number is { } n ? JsonSerializer.SerializeToElement(n)
        : c.Percentile is { } p ? JsonSerializer.SerializeToElement("p" + p.ToString(CultureInfo.InvariantCulture))
        : c.Text is { } t ? JsonSerializer.SerializeToElement(t)
        : c.Texts is { } list ? JsonSerializer.SerializeToElement(list)
        : null;

    [GeneratedRegex("^p([0-9]{1,2})$")]
    private static partial Regex PercentilePattern();
}
