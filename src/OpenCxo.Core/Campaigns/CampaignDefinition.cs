using System.Globalization;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Segments;

namespace OpenCxo.Core.Campaigns;

/// <summary>
/// A campaign that proves itself: it targets the audience of <see cref="Segment"/> at launch, holds out
/// <see cref="ControlShare"/> of it at random, and is measured against that control group over <see cref="Weeks"/>
/// weeks. Its <see cref="Key"/> is the <c>campaign</c> its touchpoints carry when they flow in as events.
/// </summary>
public sealed record CampaignDefinition(
    string Key,
    string Name,
    string Segment,
    double ControlShare = 0.1,
    int Weeks = 12,
    string Kind = "loyalty",
    string? Description = null,
    string? Owner = null,
    CampaignBaselines? Baselines = null)
{
    public const double MinControlShare = 0.01;
    public const double MaxControlShare = 0.5;
    public const int MaxWeeks = 52;
    public const int MaxText = 200;

    /// <summary>What the campaign is for: building loyalty, recovering unhappy customers, winning back lapsed ones.</summary>
    public static readonly IReadOnlyList<string> Kinds = ["loyalty", "recovery", "winback", "other"];

    /// <summary>Every problem, each naming its field; empty when the campaign can be saved.</summary>
    public IReadOnlyList<FieldError> Validate()
    {
        var errors = new List<FieldError>();
        if (Key is null || !SegmentDefinition.KeyPattern().IsMatch(Key))
        {
            errors.Add(new("key", "must be 1–64 lower-case letters, digits and dashes, starting with a letter or digit"));
        }

        if (string.IsNullOrWhiteSpace(Name) || Name.Length > MaxText)
        {
            errors.Add(new("name", $"is required, at most {MaxText} characters"));
        }

        if (Segment is null || !SegmentDefinition.KeyPattern().IsMatch(Segment))
        {
            errors.Add(new("segment", "must be the key of a saved segment"));
        }

        if (double.IsNaN(ControlShare) || ControlShare is < MinControlShare or > MaxControlShare)
        {
            errors.Add(new("controlShare", string.Create(CultureInfo.InvariantCulture, $"must be {MinControlShare}–{MaxControlShare} (the share of the audience held out)")));
        }

        if (Weeks is < 1 or > MaxWeeks)
        {
            errors.Add(new("weeks", $"must be 1–{MaxWeeks}"));
        }

        if (Kind is null || !Kinds.Contains(Kind))
        {
            errors.Add(new("kind", $"must be one of {string.Join(", ", Kinds)}"));
        }

        if (Description is { Length: > 2000 })
        {
            errors.Add(new("description", "is longer than 2,000 characters"));
        }

        if (Owner is { Length: > MaxText })
        {
            errors.Add(new("owner", $"is longer than {MaxText} characters"));
        }

        errors.AddRange(Baselines?.Validate() ?? []);
        return errors;
    }

    /// <summary>The fields a launch fixes: changing them afterwards would change what is being measured.</summary>
    public IReadOnlyList<FieldError> ChangesAfterLaunch(CampaignDefinition launched)
    {
        ArgumentNullException.ThrowIfNull(launched);
        var errors = new List<FieldError>();
        foreach (var (field, same) in new[]
        {
            ("segment", Segment == launched.Segment), ("controlShare", ControlShare.Equals(launched.ControlShare)), ("weeks", Weeks == launched.Weeks),
        })
        {
            if (!same)
            {
                errors.Add(new(field, "is fixed once the campaign is launched"));
            }
        }

        return errors;
    }
}

/// <summary>
/// Baselines entered for the power calculation, each replacing, for its outcome, what the audience's own previous
/// weeks give: for an audience too new to have a history, or one chosen by the very outcome it would be measured on.
/// Percentages are 0–100 over the campaign's weeks; the value's spread is in <see cref="Currency"/>. An outcome left
/// out keeps the audience's history. Entered baselines only size the test: the results always compare the groups.
/// </summary>
/// <param name="Retention">% of members still customers at the end of the weeks.</param>
/// <param name="RepeatPurchase">% of members who buy over the weeks.</param>
/// <param name="ValueSd">Standard deviation of net value per member over the weeks, with <paramref name="Currency"/>.</param>
/// <param name="Currency">ISO 4217 code of <paramref name="ValueSd"/>.</param>
/// <param name="Promoters">% of NPS answers 9–10, with <paramref name="Detractors"/> and <paramref name="NpsResponse"/>.</param>
/// <param name="Detractors">% of NPS answers 0–6.</param>
/// <param name="NpsResponse">% of members expected to answer NPS over the weeks.</param>
public sealed record CampaignBaselines(
    double? Retention = null,
    double? RepeatPurchase = null,
    double? ValueSd = null,
    string? Currency = null,
    double? Promoters = null,
    double? Detractors = null,
    double? NpsResponse = null)
{
    public const double MaxValueSd = 1e9;

    /// <summary>Every problem, each naming its field under <c>baselines</c>.</summary>
    public IReadOnlyList<FieldError> Validate()
    {
        var errors = new List<FieldError>();
        void Percent(string field, double? value, bool open = false)
        {
            if (value is { } v && (!double.IsFinite(v) || v < 0 || v > 100 || (open && (v is 0 or 100))))
            {
                errors.Add(new("baselines." + field, open ? "must be a percentage strictly between 0 and 100" : "must be a percentage, 0–100"));
            }
        }

        Percent("retention", Retention, open: true);
        Percent("repeatPurchase", RepeatPurchase, open: true);
        if (ValueSd is { } sd && (!double.IsFinite(sd) || sd <= 0 || sd > MaxValueSd))
        {
            errors.Add(new("baselines.valueSd", string.Create(CultureInfo.InvariantCulture, $"must be a spread above 0 and at most {MaxValueSd:0e0}")));
        }

        if ((ValueSd is null) != (Currency is null))
        {
            errors.Add(new(ValueSd is null ? "baselines.valueSd" : "baselines.currency", "valueSd and currency go together"));
        }
        else if (Currency is not null && !Vocabulary.IsCurrency(Currency))
        {
            errors.Add(new("baselines.currency", "must be an ISO 4217 code such as EUR"));
        }

        Percent("promoters", Promoters);
        Percent("detractors", Detractors);
        if (NpsResponse is { } r && (!double.IsFinite(r) || r <= 0 || r > 100))
        {
            errors.Add(new("baselines.npsResponse", "must be a percentage above 0, at most 100"));
        }

        var nps = new[] { Promoters, Detractors, NpsResponse };
        if (nps.Any(v => v is not null) && nps.Any(v => v is null))
        {
            errors.Add(new("baselines.promoters", "promoters, detractors and npsResponse go together"));
        }
        else if (Promoters + Detractors > 100)
        {
            errors.Add(new("baselines.detractors", "promoters and detractors add up to more than 100 %"));
        }

        return errors;
    }
}
