namespace OpenCxo.App.Tests.Cli;

/// <summary><c>cxo maturity</c>: assessments recorded from a file, read back as the matrix, history and suggestions; bad answers name the field.</summary>
public sealed class MaturityCliTests(CliSandbox sandbox) : IClassFixture<CliSandbox>
{
    private readonly CliSandbox _sandbox = sandbox;

    [Fact]
    public async Task An_assessment_from_a_file_shows_in_the_matrix_history_and_suggestions()
    {
        // A workspace exists once something was created in it.
        (await _sandbox.RunAsync("apikey", "create", "--name", "setup", "--scopes", "stats:read")).ShouldExit(0);
        var first = _sandbox.WriteFile("first.json",
            """{"answers": {"measurement.kpi-owners": {"score": 0, "note": "nobody owns them"}, "governance.cx-council": {"score": 2}, "culture.recognition": {"score": 4}}}""");
        (await _sandbox.RunAsync("maturity", "assess", "marketing", "--file", first)).ShouldExit(0)
            .ShouldPrint("marketing assessed: 2.00 (defined) (3 answered), its first assessment");
        // Like for like: only kpi-owners was answered both times, 0 then 3: +3.00 (not 3.00 − 2.00 from the overall scores).
        var second = _sandbox.WriteFile("second.json", """{"answers": {"measurement.kpi-owners": {"score": 3}}}""");
        (await _sandbox.RunAsync("maturity", "assess", "marketing", "--file", second)).ShouldExit(0)
            .ShouldPrint("marketing assessed: 3.00 (managed) (1 answered), +3.00 since the assessment before, over the practices answered in both (1)");

        var matrix = (await _sandbox.RunAsync("maturity", "show", "--json")).ShouldExit(0).Json();
        var marketing = matrix.GetProperty("departments").EnumerateArray().Single(d => d.GetProperty("department").GetString() == "marketing");
        Assert.Equal(3.0, marketing.GetProperty("areas").GetProperty("measurement").GetDouble());
        Assert.Equal((3.0, 1), (marketing.GetProperty("change").GetProperty("score").GetDouble(), marketing.GetProperty("change").GetProperty("practices").GetInt32()));

        var history = (await _sandbox.RunAsync("maturity", "history", "marketing")).ShouldExit(0).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, history.Length);
        Assert.Contains(" 2.00 ", history[1], StringComparison.Ordinal);
        Assert.Contains(" 3.00 ", history[2], StringComparison.Ordinal);

        // The latest has nothing at 2 or less; sales was never assessed.
        (await _sandbox.RunAsync("maturity", "suggest", "marketing")).ShouldExit(0).ShouldPrint("no practice of marketing scores 2 or less");
        (await _sandbox.RunAsync("maturity", "suggest", "sales")).ShouldExit(0).ShouldPrint("sales has not been assessed yet");

        var weak = _sandbox.WriteFile("weak.json", """{"answers": {"governance.cx-council": {"score": 1}}}""");
        (await _sandbox.RunAsync("maturity", "assess", "company", "--file", weak)).ShouldExit(0);
        var suggestion = (await _sandbox.RunAsync("maturity", "suggest", "company", "--lang", "es", "--json")).ShouldExit(0).Json()
            .GetProperty("suggestions").EnumerateArray().Single().GetProperty("initiative");
        Assert.Equal(("maturity-company-cx-council", "Crear un comité de CX mensual", "other"),
            (suggestion.GetProperty("key").GetString(), suggestion.GetProperty("name").GetString(), suggestion.GetProperty("ownerDepartment").GetString()));
    }

    [Fact]
    public async Task Bad_answers_an_unknown_department_and_a_missing_file_are_refused_with_exit_code_2()
    {
        (await _sandbox.RunAsync("apikey", "create", "--name", "setup2", "--scopes", "stats:read")).ShouldExit(0);
        var bad = _sandbox.WriteFile("bad.json", """{"answers": {"measurement.kpi-owners": {"score": 2.5}, "design.nothing": {"score": 1}}}""");
        var refused = (await _sandbox.RunAsync("maturity", "assess", "service", "--file", bad)).ShouldExit(2);
        Assert.Contains("answers.measurement.kpi-owners.score: must be a whole number from 0 to 4", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("answers.design.nothing: is not a practice", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("department: 'finance' is not one of", (await _sandbox.RunAsync("maturity", "assess", "finance", "--file", bad)).ShouldExit(2).Stderr, StringComparison.Ordinal);
        Assert.Contains("does not exist", (await _sandbox.RunAsync("maturity", "assess", "service", "--file", _sandbox.PathOf("none.json"))).ShouldExit(2).Stderr, StringComparison.Ordinal);
        var history = (await _sandbox.RunAsync("maturity", "history", "service", "--json")).ShouldExit(0).Json();
        Assert.Equal(0, history.GetProperty("history").GetArrayLength());

        var checklist = (await _sandbox.RunAsync("maturity", "checklist", "--json")).ShouldExit(0).Json();
        Assert.Equal(6, checklist.GetProperty("areas").GetArrayLength());
        (await _sandbox.RunAsync("maturity", "checklist", "--lang", "fr")).ShouldExit(2);
        Assert.Equal(5, checklist.GetProperty("levels").GetArrayLength());
    }
}
