using OpenCxo.Core.Initiatives;

namespace OpenCxo.Core.Tests.Initiatives;

public sealed class InitiativeDefinitionTests
{
    private static readonly InitiativeVocabulary Workspace = new(
        new Dictionary<string, string> { ["aht"] = "average_handle_time", ["fcr"] = "first_contact_resolution" },
        new HashSet<string> { "onboarding", "service" },
        new HashSet<string> { "billing", "delivery" });

    private static readonly InitiativeDefinition Valid = new(
        "callback-promise", "Call back within 24 h", "service", InitiativeStatus.Proposed, new DateOnly(2026, 1, 1), new DateOnly(2026, 6, 30),
        Sponsor: "Ana Ruiz", Budget: new InitiativeBudget(120000, "EUR"), Kpis: [new("aht", KpiPush.Down, -10)],
        Journeys: [new("onboarding", "activation")], Themes: ["billing"], ExpectedImpact: "Fewer repeat calls");

    private static List<string> Fields(InitiativeDefinition d) => [.. d.Validate(Workspace).Select(e => e.Field)];

    [Fact]
    public void A_complete_initiative_is_valid()
    {
        Assert.Empty(Valid.Validate(Workspace));
    }

    [Fact]
    public void Each_problem_names_its_json_path()
    {
        Assert.Equal(["kpis[0].kpi"], Fields(Valid with { Kpis = [new("nope", KpiPush.Up)] }));
        Assert.Equal(["kpis[1].kpi"], Fields(Valid with { Kpis = [new("aht", KpiPush.Down), new("aht", KpiPush.Down)] }));
        Assert.Equal(["kpis[0].expected"], Fields(Valid with { Kpis = [new("aht", KpiPush.Down, 5)] }));
        Assert.Equal(["kpis[0].expected"], Fields(Valid with { Kpis = [new("aht", KpiPush.Down, double.NaN)] }));
        Assert.Equal(["end"], Fields(Valid with { End = new DateOnly(2025, 12, 31) }));
        Assert.Equal(["start"], Fields(Valid with { Start = null, End = null }));
        Assert.Equal(["budget.amount"], Fields(Valid with { Budget = new InitiativeBudget(-1, "EUR") }));
        Assert.Equal(["budget.currency"], Fields(Valid with { Budget = new InitiativeBudget(1, "euro") }));
        Assert.Equal(["journeys[0].journey"], Fields(Valid with { Journeys = [new("activation")] }));
        Assert.Equal(["journeys[0].stage"], Fields(Valid with { Journeys = [new("onboarding", "Not A Key")] }));
        Assert.Equal(["themes[1]"], Fields(Valid with { Themes = ["billing", "weather"] }));
        Assert.Equal(["ownerDepartment"], Fields(Valid with { OwnerDepartment = "finance" }));
        Assert.Equal(["key"], Fields(Valid with { Key = "new" }));
        Assert.Equal(["key"], Fields(Valid with { Key = "Bad Key" }));
        Assert.Equal(["name"], Fields(Valid with { Name = new string('a', 201) }));
        Assert.Equal(["description"], Fields(Valid with { Description = new string('a', 4001) }));
        Assert.Equal(["themes"], Fields(Valid with { Themes = [.. Enumerable.Repeat("billing", 21)] }));
    }

    [Fact]
    public void Targets_the_stored_version_already_names_are_not_rechecked_against_the_workspace_but_new_ones_are()
    {
        // The KPI aht, the journey stage onboarding and the theme billing were deleted after the initiative was saved.
        var shrunk = new InitiativeVocabulary(
            new Dictionary<string, string> { ["fcr"] = "first_contact_resolution" }, new HashSet<string> { "service" }, new HashSet<string> { "delivery" });
        var done = Valid with { Status = InitiativeStatus.Done };

        Assert.Equal(["kpis[0].kpi", "journeys[0].journey", "themes[0]"], done.Validate(shrunk).Select(e => e.Field));
        Assert.Empty(done.Validate(shrunk, stored: Valid));

        // A target added now must exist; one kept is still checked for everything else.
        Assert.Equal(["kpis[1].kpi"], (done with { Kpis = [new("aht", KpiPush.Down), new("nope", KpiPush.Up)] }).Validate(shrunk, Valid).Select(e => e.Field));
        Assert.Equal(["kpis[0].expected"], (done with { Kpis = [new("aht", KpiPush.Down, 5)] }).Validate(shrunk, Valid).Select(e => e.Field));
        Assert.Equal(["themes[1]"], (done with { Themes = ["billing", "billing"] }).Validate(shrunk, Valid).Select(e => e.Field));
    }
}
