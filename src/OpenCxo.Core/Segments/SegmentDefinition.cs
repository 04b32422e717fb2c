using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpenCxo.Core.Ingest;

namespace OpenCxo.Core.Segments;

/// <summary>Whether a group needs every one of its conditions or any one.</summary>
public enum SegmentMatch
{
    All,
    Any,
}

/// <summary>
/// One test on a customer, of one <see cref="Kind"/>; <see cref="Not"/> turns it round (customers for whom it does not
/// hold, including those with no value). The fields each kind reads:
/// <list type="bullet">
/// <item><c>attribute</c>: <see cref="Name"/> (a profile attribute), <see cref="Op"/>, <see cref="Value"/>.</item>
/// <item><c>touchpoints</c>: how many of their touchpoints match <see cref="Department"/>, <see cref="Channel"/>,
/// <see cref="Type"/>, <see cref="Campaign"/> within <see cref="WithinDays"/>: at least <see cref="AtLeast"/> (default 1)
/// and at most <see cref="AtMost"/> — "called service 3+ times in 30 days".</item>
/// <item><c>answer</c>: their latest <see cref="Name"/> (nps, csat or ces) answer within <see cref="WithinDays"/>
/// (default 365), optionally to one <see cref="Survey"/>, compared by <see cref="Op"/> with <see cref="Value"/>.</item>
/// <item><c>text</c>: at least <see cref="AtLeast"/> (default 1) of their texts within <see cref="WithinDays"/> speak
/// of <see cref="Theme"/> or carry <see cref="Flag"/>.</item>
/// <item><c>score</c>: their score from the latest model run, <see cref="Name"/> churnRisk (0–1), lifetimeValue or
/// probabilityAlive (0–1), compared by <see cref="Op"/> with <see cref="Value"/>.</item>
/// <item><c>activity</c>: <see cref="Name"/> daysSinceLastTouch or tenureDays, compared with <see cref="Value"/>.</item>
/// <item><c>consent</c>: their latest answer for <see cref="Name"/> (surveys, marketing, profiling) is
/// <see cref="State"/>: given, refused or unknown (never asked).</item>
/// <item><c>group</c>: <see cref="Conditions"/>, all or any of them by <see cref="Match"/>.</item>
/// </list>
/// A customer with no value for a field fails every comparison but <c>!=</c> and <c>missing</c> (as in the
/// next-best-action rules).
/// </summary>
public sealed record SegmentCondition(
    string Kind,
    bool Not = false,
    string? Name = null,
    string? Op = null,
    JsonElement? Value = null,
    string? Department = null,
    string? Channel = null,
    string? Type = null,
    string? Campaign = null,
    string? Survey = null,
    int? AtLeast = null,
    int? AtMost = null,
    int? WithinDays = null,
    string? Theme = null,
    string? Flag = null,
    string? State = null,
    SegmentMatch? Match = null,
    IReadOnlyList<SegmentCondition>? Conditions = null);

/// <summary>
/// A saved, dynamic audience: the customers for whom <see cref="Conditions"/> hold (all or any, by
/// <see cref="Match"/>) at the moment it is evaluated. <see cref="Webhook"/>, if set, is told of members who join and
/// leave.
/// </summary>
public sealed partial record SegmentDefinition(
    string Key,
    string Name,
    IReadOnlyList<SegmentCondition> Conditions,
    SegmentMatch Match = SegmentMatch.All,
    string? Description = null,
    string? Owner = null,
    string? Webhook = null)
{
    public const int MaxConditions = 100;
    public const int MaxDepth = 4;
    public const int MaxText = 200;
    public const int MaxDays = 3650;

    public static readonly IReadOnlyList<string> Kinds = ["attribute", "touchpoints", "answer", "text", "score", "activity", "consent", "group"];
    public static readonly IReadOnlyList<string> Comparisons = ["=", "!=", "<", "<=", ">", ">="];
    public static readonly IReadOnlyList<string> AttributeOps = ["=", "!=", "<", "<=", ">", ">=", "in", "contains", "exists", "missing"];
    public static readonly IReadOnlyList<string> Answers = ["nps", "csat", "ces"];
    public static readonly IReadOnlyList<string> ScoreNames = ["churnRisk", "lifetimeValue", "probabilityAlive"];
    public static readonly IReadOnlyList<string> ActivityNames = ["daysSinceLastTouch", "tenureDays"];
    public static readonly IReadOnlyList<string> Purposes = ["surveys", "marketing", "profiling"];
    public static readonly IReadOnlyList<string> ConsentStates = ["given", "refused", "unknown"];

    /// <summary>Every problem, each naming its field as a JSON path (<c>conditions[2].withinDays</c>); empty when the segment can be saved.</summary>
    public IReadOnlyList<FieldError> Validate()
    {
        var errors = new List<FieldError>();
        if (Key is null || !KeyPattern().IsMatch(Key))
        {
            errors.Add(new("key", "must be 1–64 lower-case letters, digits and dashes, starting with a letter or digit"));
        }

        if (string.IsNullOrWhiteSpace(Name) || Name.Length > MaxText)
        {
            errors.Add(new("name", $"is required, at most {MaxText} characters"));
        }

        if (Description is { Length: > 2000 })
        {
            errors.Add(new("description", "is longer than 2,000 characters"));
        }

        if (Owner is { Length: > MaxText })
        {
            errors.Add(new("owner", $"is longer than {MaxText} characters"));
        }

        if (Webhook is not null && (!Uri.TryCreate(Webhook, UriKind.Absolute, out var hook) || hook.Scheme is not ("http" or "https") || Webhook.Length > 2000))
        {
            errors.Add(new("webhook", "must be an absolute http or https URL"));
        }

        var count = 0;
        CheckAll(Conditions, "conditions", 1, errors, ref count);
        if (count > MaxConditions)
        {
            errors.Add(new("conditions", $"has {count} conditions; at most {MaxConditions}"));
        }

        return errors;
    }

    /// <summary>Whether any condition, at any depth, is of <paramref name="kind"/>.</summary>
    public bool Uses(string kind) => Flatten(Conditions).Any(c => c.Kind == kind);

    private static IEnumerable<SegmentCondition> Flatten(IReadOnlyList<SegmentCondition>? conditions) =>
        (conditions ?? []).SelectMany(c => c is null ? [] : (IEnumerable<SegmentCondition>)[c, .. Flatten(c.Conditions)]);

    private static void CheckAll(IReadOnlyList<SegmentCondition>? conditions, string path, int depth, List<FieldError> errors, ref int count)
    {
        if (conditions is null)
        {
            errors.Add(new(path, "is required (an empty list matches every customer)"));
            return;
        }

        if (depth > MaxDepth)
        {
            errors.Add(new(path, $"nests groups deeper than {MaxDepth} levels"));
            return;
        }

        for (var i = 0; i < conditions.Count; i++)
        {
            count++;
            if (count > MaxConditions)
            {
                return;
            }

            Check(conditions[i], string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]"), depth, errors, ref count);
        }
    }

    private static void Check(SegmentCondition? c, string path, int depth, List<FieldError> errors, ref int count)
    {
        if (c is null)
        {
            errors.Add(new(path, "is empty"));
            return;
        }

        void Error(string field, string message) => errors.Add(new($"{path}.{field}", message));
        void OneOf(string field, string? value, IReadOnlyList<string> allowed)
        {
            if (value is null || !allowed.Contains(value))
            {
                Error(field, $"must be one of {string.Join(", ", allowed)}");
            }
        }

        void Text(string field, string? value)
        {
            if (value is not null && (value.Length == 0 || value.Length > MaxText))
            {
                Error(field, $"must be 1–{MaxText} characters");
            }
        }

        void Number(bool required)
        {
            if (c.Value is not { ValueKind: JsonValueKind.Number } number || !number.TryGetDouble(out var x) || !double.IsFinite(x))
            {
                if (required || c.Value is not null)
                {
                    Error("value", "must be a number");
                }
            }
        }

        foreach (var (field, value) in new[] { ("department", c.Department), ("channel", c.Channel), ("type", c.Type), ("campaign", c.Campaign), ("survey", c.Survey), ("theme", c.Theme), ("flag", c.Flag) })
        {
            Text(field, value);
        }

        if (c.WithinDays is { } days && days is < 1 or > MaxDays)
        {
            Error("withinDays", $"must be 1–{MaxDays}");
        }

        if (c.AtLeast is { } least && least is < 0 or > 1_000_000)
        {
            Error("atLeast", "must be 0–1,000,000");
        }

        if (c.AtMost is { } most && (most is < 0 or > 1_000_000 || most < (c.AtLeast ?? 1)))
        {
            Error("atMost", "must be 0–1,000,000 and not below atLeast");
        }

        switch (c.Kind)
        {
            case "attribute":
                if (string.IsNullOrWhiteSpace(c.Name) || c.Name.Length > MaxText)
                {
                    Error("name", "names the attribute; required, at most 200 characters");
                }

                OneOf("op", c.Op, AttributeOps);
                if (c.Op is "exists" or "missing")
                {
                    break;
                }

                if (c.Op == "in")
                {
                    if (c.Value is not { ValueKind: JsonValueKind.Array } list || list.GetArrayLength() is 0 or > 1000
                        || list.EnumerateArray().Any(v => v.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)))
                    {
                        Error("value", "must be a list of 1–1,000 strings, numbers or booleans");
                    }
                }
                else if (c.Op is "<" or "<=" or ">" or ">=")
                {
                    Number(required: true);
                }
                else if (c.Value is not { ValueKind: JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False } scalar
                    || (scalar.ValueKind == JsonValueKind.String && scalar.GetString()!.Length > MaxText))
                {
                    Error("value", "must be a string (at most 200 characters), a number or a boolean");
                }

                break;
            case "touchpoints":
                if (c.AtLeast == 0 && c.AtMost is null)
                {
                    Error("atMost", "is required when atLeast is 0 (otherwise every customer matches)");
                }

                break;
            case "answer":
                OneOf("name", c.Name, Answers);
                OneOf("op", c.Op, Comparisons);
                Number(required: true);
                break;
            case "text":
                if (c.Theme is null && c.Flag is null)
                {
                    Error("theme", "a text condition needs a theme or a flag");
                }

                break;
            case "score":
                OneOf("name", c.Name, ScoreNames);
                OneOf("op", c.Op, Comparisons);
                Number(required: true);
                break;
            case "activity":
                OneOf("name", c.Name, ActivityNames);
                OneOf("op", c.Op, Comparisons);
                Number(required: true);
                break;
            case "consent":
                OneOf("name", c.Name, Purposes);
                OneOf("state", c.State, ConsentStates);
                break;
            case "group":
                if (c.Match is null)
                {
                    Error("match", "must be all or any");
                }

                CheckAll(c.Conditions, path + ".conditions", depth + 1, errors, ref count);
                break;
            default:
                Error("kind", $"must be one of {string.Join(", ", Kinds)}");
                break;
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$", RegexOptions.CultureInvariant)]
    internal static partial Regex KeyPattern();
}
