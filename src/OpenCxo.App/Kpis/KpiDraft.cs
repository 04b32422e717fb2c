using OpenCxo.Core.Metrics;

namespace OpenCxo.App.Kpis;

/// <summary>How a KPI editor's target is given.</summary>
public enum TargetSource
{
    Value,
    Survey,
    Attribute,
}

/// <summary>A KPI as the web editor holds it while it is edited: plain mutable fields, turned into a definition to check and save.</summary>
public sealed class KpiDraft
{
    public string Key { get; set; } = "";
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public string Metric { get; set; } = "nps";
    public string? By { get; set; }
    public string? Slice { get; set; }
    public TargetSource Source { get; set; } = TargetSource.Value;
    public double? Value { get; set; }
    public string? Survey { get; set; }
    public string? Question { get; set; }

    /// <summary>Choice = number pairs, one per line: <c>within_1h = 1</c>.</summary>
    public string? Choices { get; set; }

    public string? Attribute { get; set; }
    public string Statistic { get; set; } = "median";
    public double? Scale { get; set; }

    /// <summary>Null: the metric's own direction.</summary>
    public KpiDirection? Direction { get; set; }

    public KpiHorizon Horizon { get; set; } = KpiHorizon.ShortTerm;
    public KpiPeriod? Period { get; set; }
    public string Owner { get; set; } = "service";
    public string? Responsible { get; set; }
    public string? Accountable { get; set; }
    public string? Consulted { get; set; }
    public string? Informed { get; set; }
    public int? MinimumN { get; set; }

    /// <summary>Filters and a money KPI's currency are set through the API; the editor keeps them as they are.</summary>
    public KpiFilters? Filters { get; set; }

    public string? Currency { get; set; }

    public static KpiDraft From(KpiDefinition kpi)
    {
        ArgumentNullException.ThrowIfNull(kpi);
        var t = kpi.Target;
        var raci = kpi.EffectiveRaci;
        return new KpiDraft
        {
            Key = kpi.Key,
            Name = kpi.Name,
            Description = kpi.Description,
            Metric = kpi.Metric,
            By = kpi.By,
            Slice = kpi.Slice,
            Source = t.Value is not null ? TargetSource.Value : t.Attribute is not null ? TargetSource.Attribute : TargetSource.Survey,
            Value = t.Value,
            Survey = t.Survey,
            Question = t.Question,
            Choices = t.Choices is null ? null : string.Join("\n", t.Choices.Select(c => $"{c.Key} = {c.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}")),
            Attribute = t.Attribute,
            Statistic = t.Statistic ?? "median",
            Scale = t.Scale,
            Direction = kpi.Direction,
            Horizon = kpi.Horizon,
            Period = kpi.Period,
            Owner = kpi.Owner,
            Responsible = Join(raci.Responsible),
            Accountable = Join(raci.Accountable),
            Consulted = Join(raci.Consulted),
            Informed = Join(raci.Informed),
            MinimumN = kpi.MinimumN,
            Filters = kpi.Filters,
            Currency = kpi.Currency,
        };
    }

    /// <summary>The definition the draft describes, and the problems found only in the draft's own text (a choice line without a number).</summary>
    public (KpiDefinition Definition, IReadOnlyList<Core.Ingest.FieldError> Problems) ToDefinition()
    {
        var problems = new List<Core.Ingest.FieldError>();
        Dictionary<string, double>? choices = null;
        if (Source == TargetSource.Survey && !string.IsNullOrWhiteSpace(Choices))
        {
            choices = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var line in Choices.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var parts = line.Split('=', 2, StringSplitOptions.TrimEntries);
                if (parts.Length != 2 || !double.TryParse(parts[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number))
                {
                    problems.Add(new("target.choices", $"'{(line.Length > 40 ? line[..40] + "…" : line)}' is not choice = number"));
                    continue;
                }

                choices[parts[0]] = number;
            }
        }

        var target = Source switch
        {
            TargetSource.Value => new KpiTarget(Value: Value ?? double.NaN),
            TargetSource.Survey => new KpiTarget(Survey: Blank(Survey) ?? "", Question: Blank(Question) ?? "", Choices: choices, Statistic: Statistic, Scale: Scale),
            _ => new KpiTarget(Attribute: Blank(Attribute) ?? "", Statistic: Statistic, Scale: Scale),
        };
        var raci = new KpiRaci(Split(Responsible), Split(Accountable), Split(Consulted), Split(Informed));
        var by = Blank(By);
        return (new KpiDefinition(
            Key.Trim(), Name.Trim(), Metric, target, Owner, Horizon, Direction, Period, by, by is null ? null : Slice?.Trim() ?? "", Filters,
            (raci.Responsible ?? raci.Accountable ?? raci.Consulted ?? raci.Informed) is null ? null : raci, MinimumN, Blank(Description), Currency), problems);
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string? Join(IReadOnlyList<string>? names) => names is { Count: > 0 } ? string.Join(", ", names) : null;

    private static List<string>? Split(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
