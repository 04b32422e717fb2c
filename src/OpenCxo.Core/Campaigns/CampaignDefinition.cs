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
    string? Owner = null)
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
