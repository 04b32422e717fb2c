using System.Globalization;
using System.Resources;
using OpenCxo.Core.Initiatives;

namespace OpenCxo.App.Tests.Web;

/// <summary>The initiative texts the pages build from data (tensions, caveats, statuses) exist in both languages.</summary>
public sealed class InitiativeTextsTests
{
    private static readonly ResourceManager Texts = new(typeof(OpenCxo.App.Web.Ui));

    public static TheoryData<string> Keys =>
    [
        .. KpiTensions.All.Select(t => "Tension_" + t.Key),
        .. Enum.GetValues<ImpactCaveat>().Select(c => "Impact_Caveat_" + c),
        .. Enum.GetValues<InitiativeStatus>().Select(s => "Initiative_Status_" + s.ToString().ToLowerInvariant()),
    ];

    [Theory]
    [MemberData(nameof(Keys))]
    public void Each_key_built_from_data_has_an_english_and_a_different_spanish_text(string key)
    {
        var english = Texts.GetString(key, CultureInfo.GetCultureInfo("en"));
        var spanish = Texts.GetString(key, CultureInfo.GetCultureInfo("es"));
        Assert.False(string.IsNullOrWhiteSpace(english), key);
        Assert.False(string.IsNullOrWhiteSpace(spanish), key);
        Assert.NotEqual(english, spanish);
    }

    [Fact]
    public void The_tensions_shown_in_english_are_the_catalogue_reasons_the_api_gives()
    {
        foreach (var t in KpiTensions.All)
        {
            Assert.Equal(t.Reason, Texts.GetString("Tension_" + t.Key, CultureInfo.GetCultureInfo("en")));
        }
    }
}
