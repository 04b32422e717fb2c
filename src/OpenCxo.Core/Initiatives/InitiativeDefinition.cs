using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using OpenCxo.Core.Ingest;

namespace OpenCxo.Core.Initiatives;

/// <summary>Where an initiative stands; <see cref="Done"/> and <see cref="Stopped"/> no longer take part in duplicates and conflicts.</summary>
public enum InitiativeStatus
{
    Proposed,
    Approved,
    Active,
    Done,
    Stopped,
}

/// <summary>Which way an initiative means to move a KPI's value.</summary>
public enum KpiPush
{
    Up,
    Down,
}

public sealed record InitiativeBudget(decimal Amount, string Currency);

/// <summary>A KPI of the workspace an initiative targets, the way it pushes it, and the change it expects (in the KPI's unit).</summary>
public sealed record InitiativeKpi(string Kpi, KpiPush Direction, double? Expected = null);

/// <summary>
/// A part of the customer journey an initiative works on: <see cref="Journey"/> is a stage of the workspace's journey
/// (onboarding, service…), <see cref="Stage"/> an optional finer step within it (activation).
/// </summary>
public sealed record InitiativeJourney(string Journey, string? Stage = null);

/// <summary>What an initiative may name, read from the workspace: its KPIs (key → metric), journey stages and themes.</summary>
public sealed record InitiativeVocabulary(IReadOnlyDictionary<string, string> KpiMetrics, IReadOnlySet<string> JourneyStages, IReadOnlySet<string> Themes);

/// <summary>
/// A CX initiative of the portfolio (issue 10): who owns and sponsors it, its budget, status and dates (no end: ongoing),
/// the KPIs it pushes and which way, the journey stages and text themes it works on, and the impact it expects.
/// </summary>
public sealed partial record InitiativeDefinition(
    string Key,
    string Name,
    string OwnerDepartment,
    InitiativeStatus Status = InitiativeStatus.Proposed,
    DateOnly? Start = null,
    DateOnly? End = null,
    string? Description = null,
    string? Sponsor = null,
    InitiativeBudget? Budget = null,
    IReadOnlyList<InitiativeKpi>? Kpis = null,
    IReadOnlyList<InitiativeJourney>? Journeys = null,
    IReadOnlyList<string>? Themes = null,
    string? ExpectedImpact = null)
{
    public const int MaxName = 200;
    public const int MaxText = 4000;
    public const int MaxTargets = 20;
    public const decimal MaxBudget = 1_000_000_000_000m;

    /// <summary>Keys that name pages and routes of their own (<c>/initiatives/new</c>, <c>/api/v1/initiatives/findings</c>).</summary>
    public static readonly IReadOnlySet<string> ReservedKeys = new HashSet<string>(StringComparer.Ordinal) { "new", "findings" };

    [JsonIgnore]
    public IReadOnlyList<InitiativeKpi> EffectiveKpis => Kpis ?? [];

    [JsonIgnore]
    public IReadOnlyList<InitiativeJourney> EffectiveJourneys => Journeys ?? [];

    [JsonIgnore]
    public IReadOnlyList<string> EffectiveThemes => Themes ?? [];

    /// <summary>Still under way or to come: neither done nor stopped.</summary>
    [JsonIgnore]
    public bool Live => Status is not (InitiativeStatus.Done or InitiativeStatus.Stopped);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$", RegexOptions.CultureInvariant)]
    public static partial Regex KeyPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex StepPattern();

    /// <summary>
    /// Everything wrong with the initiative, each problem naming its JSON path (<c>kpis[0].kpi</c>); none when it can be
    /// saved. Only targets that <paramref name="stored"/> (the version being replaced) does not already name are checked
    /// against the workspace: a KPI, journey stage or theme deleted since must not keep the initiative from being saved,
    /// not even to mark it done (the portfolio's findings flag it instead).
    /// </summary>
    public List<FieldError> Validate(InitiativeVocabulary vocabulary, InitiativeDefinition? stored = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        var errors = new List<FieldError>();
        if (Key is null || !KeyPattern().IsMatch(Key))
        {
            errors.Add(new("key", "is 1–64 lowercase letters, digits and dashes, starting with a letter or digit"));
        }
        else if (ReservedKeys.Contains(Key))
        {
            errors.Add(new("key", $"'{Key}' names a page of its own: choose another"));
        }

        if (string.IsNullOrWhiteSpace(Name) || Name.Length > MaxName)
        {
            errors.Add(new("name", $"is 1–{MaxName} characters"));
        }

        if (OwnerDepartment is null || !Vocabulary.Departments.Contains(OwnerDepartment))
        {
            errors.Add(new("ownerDepartment", $"must be a department: {string.Join(", ", Vocabulary.Departments)}"));
        }

        foreach (var (field, text, max) in new[] { ("description", Description, MaxText), ("expectedImpact", ExpectedImpact, MaxText), ("sponsor", Sponsor, MaxName) })
        {
            if (text is { } t && t.Length > max)
            {
                errors.Add(new(field, $"is at most {max} characters"));
            }
        }

        if (Budget is { } budget)
        {
            if (budget.Amount is < 0 or > MaxBudget)
            {
                errors.Add(new("budget.amount", "is 0 or more, at most 10¹²"));
            }

            if (!Vocabulary.IsCurrency(budget.Currency))
            {
                errors.Add(new("budget.currency", "must be an ISO 4217 code: three capital letters, e.g. EUR"));
            }
        }

        if (Start is not { } start)
        {
            errors.Add(new("start", "is required: the day the initiative starts (yyyy-MM-dd)"));
        }
        else if (start.Year is < 2000 or > 2100)
        {
            errors.Add(new("start", "must be a day between 2000 and 2100"));
        }

        if (End is { } end && (end.Year is < 2000 or > 2100))
        {
            errors.Add(new("end", "must be a day between 2000 and 2100"));
        }
        else if (End is { } last && Start is { } first && last < first)
        {
            errors.Add(new("end", $"is before the start ({first:yyyy-MM-dd})"));
        }

        CheckKpis(errors, vocabulary, stored?.EffectiveKpis.Where(k => k?.Kpi is not null).Select(k => k.Kpi).ToHashSet(StringComparer.Ordinal) ?? []);
        CheckJourneys(errors, vocabulary, stored?.EffectiveJourneys.Where(j => j?.Journey is not null).Select(j => j.Journey).ToHashSet(StringComparer.Ordinal) ?? []);
        CheckThemes(errors, vocabulary, stored?.EffectiveThemes.Where(t => t is not null).ToHashSet(StringComparer.Ordinal) ?? []);
        return errors;
    }

    private void CheckKpis(List<FieldError> errors, InitiativeVocabulary vocabulary, HashSet<string> kept)
    {
        if (Kpis is { Count: > MaxTargets })
        {
            errors.Add(new("kpis", $"are at most {MaxTargets}"));
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < EffectiveKpis.Count; i++)
        {
            var at = $"kpis[{i}]";
            if (EffectiveKpis[i] is not { } target)
            {
                errors.Add(new(at, "is empty"));
            }
            else if (target.Kpi is null || !(vocabulary.KpiMetrics.ContainsKey(target.Kpi) || kept.Contains(target.Kpi)))
            {
                errors.Add(new(at + ".kpi", vocabulary.KpiMetrics.Count == 0
                    ? "must be a KPI key of the workspace, and it has none yet: define KPIs first"
                    : $"'{Clip(target.Kpi)}' is not a KPI of the workspace: {string.Join(", ", vocabulary.KpiMetrics.Keys.Order(StringComparer.Ordinal).Take(20))}"));
            }
            else if (!seen.Add(target.Kpi))
            {
                errors.Add(new(at + ".kpi", $"'{target.Kpi}' is targeted twice"));
            }
            else if (target.Expected is { } expected && !double.IsFinite(expected))
            {
                errors.Add(new(at + ".expected", "must be a finite number"));
            }
            else if (target.Expected is { } change && change != 0 && (change > 0) != (target.Direction == KpiPush.Up))
            {
                errors.Add(new(at + ".expected", $"is a change of {change} but the direction is {(target.Direction == KpiPush.Up ? "up" : "down")}"));
            }
        }
    }

    private void CheckJourneys(List<FieldError> errors, InitiativeVocabulary vocabulary, HashSet<string> kept)
    {
        if (Journeys is { Count: > MaxTargets })
        {
            errors.Add(new("journeys", $"are at most {MaxTargets}"));
            return;
        }

        var seen = new HashSet<(string, string?)>();
        for (var i = 0; i < EffectiveJourneys.Count; i++)
        {
            var at = $"journeys[{i}]";
            if (EffectiveJourneys[i] is not { } target)
            {
                errors.Add(new(at, "is empty"));
            }
            else if (target.Journey is null || !(vocabulary.JourneyStages.Contains(target.Journey) || kept.Contains(target.Journey)))
            {
                errors.Add(new(at + ".journey", $"'{Clip(target.Journey)}' is not a stage of the workspace's journey: {string.Join(", ", vocabulary.JourneyStages)}"));
            }
            else if (target.Stage is { } stage && !StepPattern().IsMatch(stage))
            {
                errors.Add(new(at + ".stage", "is 1–64 lowercase letters, digits, dashes and underscores"));
            }
            else if (!seen.Add((target.Journey, target.Stage)))
            {
                errors.Add(new(at, $"'{target.Journey}{(target.Stage is null ? "" : "/" + target.Stage)}' is named twice"));
            }
        }
    }

    private void CheckThemes(List<FieldError> errors, InitiativeVocabulary vocabulary, HashSet<string> kept)
    {
        if (Themes is { Count: > MaxTargets })
        {
            errors.Add(new("themes", $"are at most {MaxTargets}"));
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < EffectiveThemes.Count; i++)
        {
            var theme = EffectiveThemes[i];
            if (theme is null || !(vocabulary.Themes.Contains(theme) || kept.Contains(theme)))
            {
                errors.Add(new($"themes[{i}]", $"'{Clip(theme)}' is not a theme of the workspace's taxonomy: {string.Join(", ", vocabulary.Themes.Take(30))}"));
            }
            else if (!seen.Add(theme))
            {
                errors.Add(new($"themes[{i}]", $"'{theme}' is named twice"));
            }
        }
    }

    private static string Clip(string? text) => text is null ? "null" : text.Length > 40 ? text[..40] + "…" : text;
}
