using System.Globalization;
using System.Text.Json;
using OpenCxo.Core.Segments;

namespace OpenCxo.App.Segments;

/// <summary>One condition as the builder edits it: every field as typed, turned into a <see cref="SegmentCondition"/> on each change.</summary>
public sealed class ConditionForm
{
    public string Kind { get; set; } = "touchpoints";
    public bool Not { get; set; }
    public string? Name { get; set; }
    public string? Op { get; set; }

    /// <summary>The value as typed: a number where the comparison is numeric, a comma-separated list for <c>in</c>, else text.</summary>
    public string? Value { get; set; }

    public string? Department { get; set; }
    public string? Channel { get; set; }
    public string? Type { get; set; }
    public string? Campaign { get; set; }
    public string? Survey { get; set; }
    public int? AtLeast { get; set; }
    public int? AtMost { get; set; }
    public int? WithinDays { get; set; }
    public string? Theme { get; set; }
    public string? Flag { get; set; }
    public string? State { get; set; }
    public SegmentMatch Match { get; set; } = SegmentMatch.Any;
    public List<ConditionForm> Conditions { get; } = [];

    public static ConditionForm From(SegmentCondition c)
    {
        var form = new ConditionForm
        {
            Kind = c.Kind, Not = c.Not, Name = c.Name, Op = c.Op, Department = c.Department, Channel = c.Channel, Type = c.Type, Campaign = c.Campaign,
            Survey = c.Survey, AtLeast = c.AtLeast, AtMost = c.AtMost, WithinDays = c.WithinDays, Theme = c.Theme, Flag = c.Flag, State = c.State,
            Match = c.Match ?? SegmentMatch.Any,
            Value = c.Value is not { } v ? null
                : v.ValueKind == JsonValueKind.Array ? string.Join(", ", v.EnumerateArray().Select(Text))
                : Text(v),
        };
        form.Conditions.AddRange((c.Conditions ?? []).Select(From));
        return form;
    }

    public SegmentCondition ToCondition() => new(
        Kind, Not, Blank(Name), Blank(Op), ValueJson(), Blank(Department), Blank(Channel), Blank(Type), Blank(Campaign), Blank(Survey),
        AtLeast, AtMost, WithinDays, Blank(Theme), Blank(Flag), Blank(State),
        Kind == "group" ? Match : null,
        Kind == "group" ? [.. Conditions.Select(c => c.ToCondition())] : null);

    private JsonElement? ValueJson()
    {
        if (Kind is "text" or "touchpoints" or "consent" or "group" || Op is "exists" or "missing" || Value is null)
        {
            return null;
        }

        if (Op == "in")
        {
            return JsonSerializer.SerializeToElement(Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        }

        // A number where one can be read, else text.
        return double.TryParse(Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
            ? JsonSerializer.SerializeToElement(number)
            : JsonSerializer.SerializeToElement(Value);
    }

    private static string Text(JsonElement v) => v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText();

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}

/// <summary>A segment as the builder edits it.</summary>
public sealed class SegmentForm
{
    public string Key { get; set; } = "";
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public string? Owner { get; set; }
    public string? Webhook { get; set; }
    public SegmentMatch Match { get; set; } = SegmentMatch.All;
    public List<ConditionForm> Conditions { get; } = [];

    public static SegmentForm From(SegmentDefinition d)
    {
        var form = new SegmentForm { Key = d.Key, Name = d.Name, Description = d.Description, Owner = d.Owner, Webhook = d.Webhook, Match = d.Match };
        form.Conditions.AddRange(d.Conditions.Select(ConditionForm.From));
        return form;
    }

    public SegmentDefinition ToDefinition() => new(
        Key.Trim(), Name.Trim(), [.. Conditions.Select(c => c.ToCondition())], Match,
        string.IsNullOrWhiteSpace(Description) ? null : Description.Trim(),
        string.IsNullOrWhiteSpace(Owner) ? null : Owner,
        string.IsNullOrWhiteSpace(Webhook) ? null : Webhook.Trim());
}
