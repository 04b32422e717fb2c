using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace OpenCxo.App.Tests.Web;

/// <summary>Every text of the UI exists in both languages, with the same placeholders, and the pages ask only for texts that exist.</summary>
public sealed partial class UiTextsTests
{
    private static readonly string WebFolder = Path.Combine(RepoFiles.Root(), "src", "OpenCxo.App", "Web");

    [Fact]
    public void English_and_Spanish_have_the_same_keys_and_placeholders_and_no_empty_text()
    {
        var english = Load("Ui.resx");
        var spanish = Load("Ui.es.resx");
        Assert.Equal(english.Keys.Order(StringComparer.Ordinal), spanish.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, text) in english)
        {
            Assert.False(string.IsNullOrWhiteSpace(text), key);
            Assert.False(string.IsNullOrWhiteSpace(spanish[key]), key);
            Assert.Equal(Placeholders(text), Placeholders(spanish[key]));
        }
    }

    [Fact]
    public void Every_literal_text_key_used_by_a_page_exists()
    {
        var keys = Load("Ui.resx").Keys.ToHashSet(StringComparer.Ordinal);
        var source = Path.Combine(RepoFiles.Root(), "src", "OpenCxo.App");
        var missing = Directory.EnumerateFiles(source, "*.razor", SearchOption.AllDirectories)
            .SelectMany(file => LiteralKey().Matches(File.ReadAllText(file)).Select(m => (File: Path.GetFileName(file), Key: m.Groups[1].Value)))
            .Where(use => !keys.Contains(use.Key))
            .Select(use => $"{use.File}: {use.Key}")
            .ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void The_resources_are_compiled_into_the_program_for_both_languages()
    {
        var manager = new System.Resources.ResourceManager(typeof(OpenCxo.App.Web.Ui));
        Assert.Equal("Sign in", manager.GetString("Login_Title", CultureInfo.GetCultureInfo("en")));
        Assert.Equal("Iniciar sesión", manager.GetString("Login_Title", CultureInfo.GetCultureInfo("es")));
        Assert.Equal("Iniciar sesión", manager.GetString("Login_Title", CultureInfo.GetCultureInfo("es-MX")));
    }

    private static Dictionary<string, string> Load(string file) =>
        XDocument.Load(Path.Combine(WebFolder, file)).Root!.Elements("data")
            .ToDictionary(d => (string)d.Attribute("name")!, d => (string?)d.Element("value") ?? "", StringComparer.Ordinal);

    private static List<string> Placeholders(string text) => [.. PlaceholderPattern().Matches(text).Select(m => m.Value).Order(StringComparer.Ordinal)];

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex PlaceholderPattern();

    // L["Some_Key"] with a whole literal key (keys built from data, like L["Department_" + x], are covered by the first test's set).
    [GeneratedRegex("L\\[\"([A-Za-z0-9_]+)\"[\\],]")]
    private static partial Regex LiteralKey();
}
