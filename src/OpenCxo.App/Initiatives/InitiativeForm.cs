using System.Globalization;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Initiatives;

namespace OpenCxo.App.Initiatives;

/// <summary>A targeted KPI as the form edits it.</summary>
public sealed class KpiTargetForm
{
    public string? Kpi { get; set; }
    public KpiPush Direction { get; set; } = KpiPush.Up;
    public double? Expected { get; set; }
}

/// <summary>A journey stage as the form edits it.</summary>
public sealed class JourneyTargetForm
{
    public string? Journey { get; set; }
    public string? Stage { get; set; }
}

/// <summary>An initiative as the form edits it: dates as typed (yyyy-MM-dd), a budget only when an amount is given.</summary>
public sealed class InitiativeForm
{
    public string Key { get; set; } = "";
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public string OwnerDepartment { get; set; } = "service";
    public string? Sponsor { get; set; }
    public decimal? BudgetAmount { get; set; }
    public string BudgetCurrency { get; set; } = "EUR";
    public InitiativeStatus Status { get; set; } = InitiativeStatus.Proposed;
    public string? Start { get; set; }
    public string? End { get; set; }
    public string? ExpectedImpact { get; set; }
    public List<KpiTargetForm> Kpis { get; } = [];
    public List<JourneyTargetForm> Journeys { get; } = [];
    public IReadOnlyCollection<string> Themes { get; set; } = [];

    public static InitiativeForm From(InitiativeDefinition d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var form = new InitiativeForm
        {
            Key = d.Key, Name = d.Name, Description = d.Description, OwnerDepartment = d.OwnerDepartment, Sponsor = d.Sponsor,
            BudgetAmount = d.Budget?.Amount, BudgetCurrency = d.Budget?.Currency ?? "EUR", Status = d.Status,
            Start = Day(d.Start), End = Day(d.End), ExpectedImpact = d.ExpectedImpact, Themes = [.. d.EffectiveThemes],
        };
        form.Kpis.AddRange(d.EffectiveKpis.Select(k => new KpiTargetForm { Kpi = k.Kpi, Direction = k.Direction, Expected = k.Expected }));
        form.Journeys.AddRange(d.EffectiveJourneys.Select(j => new JourneyTargetForm { Journey = j.Journey, Stage = j.Stage }));
        return form;
    }

    /// <summary>The definition, and the problems only the form can see (a date that cannot be read).</summary>
    public (InitiativeDefinition Definition, List<FieldError> Problems) ToDefinition()
    {
        var problems = new List<FieldError>();
        DateOnly? Read(string field, string? text)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                return null;
            }

            if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                return day;
            }

            problems.Add(new FieldError(field, "is a day: yyyy-MM-dd"));
            return null;
        }

        var definition = new InitiativeDefinition(
            Key.Trim(), Name.Trim(), OwnerDepartment, Status, Read("start", Start), Read("end", End), Blank(Description), Blank(Sponsor),
            BudgetAmount is { } amount ? new InitiativeBudget(amount, BudgetCurrency.Trim().ToUpperInvariant()) : null,
            Kpis.Count == 0 ? null : [.. Kpis.Select(k => new InitiativeKpi(k.Kpi ?? "", k.Direction, k.Expected))],
            Journeys.Count == 0 ? null : [.. Journeys.Select(j => new InitiativeJourney(j.Journey ?? "", Blank(j.Stage)))],
            Themes.Count > 0 ? [.. Themes] : null,
            Blank(ExpectedImpact));
        return (definition, problems);
    }

    private static string? Day(DateOnly? day) => day?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
