using OpenCxo.Core.Journeys;

namespace OpenCxo.Core.Tests.Journeys;

/// <summary>Journey stages checked whole, and the Sankey flows summed from paths.</summary>
public sealed class JourneyRulesTests
{
    [Fact]
    public void The_built_in_journey_is_valid_and_every_problem_is_named_by_its_place()
    {
        Assert.Empty(JourneyRules.Validate(JourneyRules.Defaults));
        var errors = JourneyRules.Validate(new JourneyDefinition(
        [
            new("Lead", "", ["lead.created", "not a type"]),
            new("lead2", "Lead again", ["lead.created"]),
            new("lead2", "Twice", []),
        ]));
        Assert.Equal(["stages[0].key", "stages[0].name", "stages[0].types[1]", "stages[1].types[0]", "stages[2].key", "stages[2].types"], errors.Select(e => e.Field));
        Assert.Equal(["stages"], JourneyRules.Validate(new JourneyDefinition([new("a", "A", ["a.b"])])).Select(e => e.Field));
    }

    [Fact]
    public void Flows_add_every_step_of_every_path()
    {
        var flows = JourneyRules.Flows(
        [
            new JourneyPath(["awareness", "lead", "customer", "churn"], 3),
            new JourneyPath(["lead", "customer", "renewal"], 2),
            new JourneyPath(["awareness"], 5),
        ]);
        Assert.Equal(
            [("lead", "customer", 5L), ("awareness", "lead", 3L), ("customer", "churn", 3L), ("customer", "renewal", 2L)],
            flows.Select(f => (f.From, f.To, f.Customers)));
    }
}
