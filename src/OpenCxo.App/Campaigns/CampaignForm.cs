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

    // Baselines entered for the plan, each optional (docs/campaigns.md): percentages, and the value's spread in Currency.
    public double? Retention { get; set; }
    public double? RepeatPurchase { get; set; }
    public double? ValueSd { get; set; }
    public string? Currency { get; set; }
    public double? Promoters { get; set; }
    public double? Detractors { get; set; }
    public double? NpsResponse { get; set; }

    public static CampaignForm From(CampaignDefinition d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return new()
        {
            Key = d.Key, Name = d.Name, Segment = d.Segment, ControlPercent = (int)Math.Round(d.ControlShare * 100), Weeks = d.Weeks, Kind = d.Kind,
            Owner = d.Owner, Description = d.Description,
            Retention = d.Baselines?.Retention, RepeatPurchase = d.Baselines?.RepeatPurchase, ValueSd = d.Baselines?.ValueSd, Currency = d.Baselines?.Currency,
            Promoters = d.Baselines?.Promoters, Detractors = d.Baselines?.Detractors, NpsResponse = d.Baselines?.NpsResponse,
        };
    }

    public CampaignDefinition ToDefinition() =>
        new(Key?.Trim() ?? "", Name?.Trim() ?? "", Segment ?? "", ControlPercent / 100.0, Weeks, Kind, string.IsNullOrWhiteSpace(Description) ? null : Description.Trim(), Owner,
            Baselines());

    /// <summary>The entered baselines, or null when none was entered (the plan then reads the audience's history only).</summary>
    private CampaignBaselines? Baselines()
    {
        var currency = string.IsNullOrWhiteSpace(Currency) ? null : Currency.Trim().ToUpperInvariant();
        var baselines = new CampaignBaselines(Retention, RepeatPurchase, ValueSd, currency, Promoters, Detractors, NpsResponse);
        return baselines == new CampaignBaselines() ? null : baselines;
    }
}
