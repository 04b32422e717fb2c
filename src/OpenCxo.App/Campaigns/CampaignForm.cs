using OpenCxo.Core.Campaigns;

namespace OpenCxo.App.Campaigns;

/// <summary>A campaign as its page edits it; the control share in whole percent.</summary>
public sealed class CampaignForm
{
    public string? Key { get; set; }
    public string? Name { get; set; }
    public string? Segment { get; set; }
    public int ControlPercent { get; set; } = 10;
    public int Weeks { get; set; } = 12;
    public string Kind { get; set; } = "loyalty";
    public string? Owner { get; set; }
    public string? Description { get; set; }

    public static CampaignForm From(CampaignDefinition d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return new()
        {
            Key = d.Key, Name = d.Name, Segment = d.Segment, ControlPercent = (int)Math.Round(d.ControlShare * 100), Weeks = d.Weeks, Kind = d.Kind,
            Owner = d.Owner, Description = d.Description,
        };
    }

    public CampaignDefinition ToDefinition() =>
        new(Key?.Trim() ?? "", Name?.Trim() ?? "", Segment ?? "", ControlPercent / 100.0, Weeks, Kind, string.IsNullOrWhiteSpace(Description) ? null : Description.Trim(), Owner);
}
