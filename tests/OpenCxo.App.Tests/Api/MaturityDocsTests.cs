using System.Text.RegularExpressions;
using OpenCxo.Core.Maturity;

namespace OpenCxo.App.Tests.Api;

/// <summary>docs/maturity.md lists the checklist as the code has it: every practice with its text and help page, and no other.</summary>
public sealed partial class MaturityDocsTests
{
    [GeneratedRegex(@"^\| `([a-z-]+\.[a-z-]+)` \| (.+?) \| (.+?) \| (.+?) \|$", RegexOptions.Multiline)]
    private static partial Regex PracticeRow();

    [Fact]
    public void The_documented_checklist_is_the_built_in_one()
    {
        var doc = File.ReadAllText(Path.Combine(RepoFiles.Root(), "docs", "maturity.md"));
        var rows = PracticeRow().Matches(doc).ToDictionary(m => m.Groups[1].Value);
        Assert.Equal(MaturityChecklist.Practices.Select(p => p.Key).Order(), rows.Keys.Order());
        foreach (var practice in MaturityChecklist.Practices)
        {
            var row = rows[practice.Key];
            Assert.Equal(practice.Text.En, row.Groups[2].Value);
            Assert.Equal(practice.Evidence.En, row.Groups[3].Value);
            Assert.Equal(practice.HelpPath is { } help ? $"`{help}`" : "—", row.Groups[4].Value);
        }
    }
}
