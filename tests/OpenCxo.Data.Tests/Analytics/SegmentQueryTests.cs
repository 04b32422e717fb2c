using System.Text.Json;
using OpenCxo.Core.Segments;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.Data.Tests.Analytics;

/// <summary>
/// Segment rules on a fixture whose members are known by construction: twelve customers of workspace 1 (and one of
/// workspace 2 that must never appear), each planted with the touchpoints, attributes, answers, texts, scores and
/// consents that put them in or out of each rule.
/// </summary>
public sealed class SegmentQueryTests() : SeededStoreTest("segments")
{
    private static readonly DateTime Now = new(2026, 6, 30, 12, 0, 0, DateTimeKind.Utc);

    protected override async Task SeedAsync(CxoDb db)
    {
        for (var id = 1L; id <= 12; id++)
        {
            db.Customers.Add(new CustomerRow { Id = id, WorkspaceId = 1, FirstSeen = Now, LastSeen = Now, CreatedAt = Now });
        }

        db.Customers.Add(new CustomerRow { Id = 100, WorkspaceId = 2, FirstSeen = Now, LastSeen = Now, CreatedAt = Now });
        await db.SaveChangesAsync();

        // Service calls: 1 three in the last 30 days, 2 two, 3 three of which two in the last 30 days, 4 five; 100 (another workspace) four.
        Calls(db, 1, 1, 5, 10, 20);
        Calls(db, 1, 2, 5, 10);
        Calls(db, 1, 3, 5, 10, 40);
        Calls(db, 1, 4, 1, 2, 3, 4, 5);
        Calls(db, 2, 100, 1, 2, 3, 4);

        // Attributes: plan gold for 1, 5, 6; silver for 2; seats 250 for 5, 40 for 6; 12 has only an attribute and no touchpoint.
        Trait(db, 1, "plan", "\"gold\"");
        Trait(db, 5, "plan", "\"gold\"");
        Trait(db, 6, "plan", "\"gold\"");
        Trait(db, 2, "plan", "\"silver\"");
        Trait(db, 5, "seats", "250");
        Trait(db, 6, "seats", "40");
        Trait(db, 12, "plan", "\"Platinum Plus\"");

        // NPS: 5 answered 3 then 9 (latest 9); 6 answered 2; 7 answered 10 then 4 (latest 4); 8 answered 0 two years ago.
        Answer(db, 5, 60, 3);
        Answer(db, 5, 10, 9);
        Answer(db, 6, 20, 2);
        Answer(db, 7, 50, 10);
        Answer(db, 7, 5, 4);
        Answer(db, 8, 700, 0);

        // Texts: 9 spoke of billing twice and flagged churn intent; 10 of billing 200 days ago.
        var billing1 = Touch(db, 9, "service", "chat", "chat.closed", 3);
        var billing2 = Touch(db, 9, "service", "email", "email.received", 8);
        var old = Touch(db, 10, "service", "chat", "chat.closed", 200);
        await db.SaveChangesAsync();
        Text(db, billing1, "billing", "churn_intent");
        Text(db, billing2, "billing", null);
        Text(db, old, "billing", null);

        // Scores of the latest run: churn risk 0.8 for 11, 0.3 for 1; lifetime value 5,000 for 11.
        var run = new ModelRunRow { WorkspaceId = 1, StartedAt = Now, FinishedAt = Now, AsOf = Now, Status = "ok", ReportJson = "{}" };
        db.ModelRuns.Add(run);
        await db.SaveChangesAsync();
        db.CustomerScores.Add(new CustomerScoreRow { WorkspaceId = 1, CustomerId = 11, RunId = run.Id, ChurnRisk = 0.8, LifetimeValue = 5000 });
        db.CustomerScores.Add(new CustomerScoreRow { WorkspaceId = 1, CustomerId = 1, RunId = run.Id, ChurnRisk = 0.3 });
        Touch(db, 11, "sales", "web", "order.placed", 100);
        await db.SaveChangesAsync();
    }

    public static TheoryData<string, long[]> Rules => new()
    {
        // "Called service 3+ times in 30 days", the example.
        { """[{"kind":"touchpoints","department":"service","channel":"phone","atLeast":3,"withinDays":30}]""", [1, 4] },
        { """[{"kind":"touchpoints","department":"service","channel":"phone","atLeast":3}]""", [1, 3, 4] },
        { """[{"kind":"touchpoints","department":"service","channel":"phone","atLeast":2,"atMost":3,"withinDays":30}]""", [1, 2, 3] },
        // At most one call in 30 days, none included: everyone of the workspace but 1, 2, 3 and 4.
        { """[{"kind":"touchpoints","department":"service","channel":"phone","atLeast":0,"atMost":1,"withinDays":30}]""", [5, 6, 7, 8, 9, 10, 11, 12] },
        { """[{"kind":"attribute","name":"plan","op":"=","value":"gold"}]""", [1, 5, 6] },
        { """[{"kind":"attribute","name":"plan","op":"!=","value":"gold"}]""", [2, 3, 4, 7, 8, 9, 10, 11, 12] },
        { """[{"kind":"attribute","name":"plan","op":"in","value":["silver","gold"]}]""", [1, 2, 5, 6] },
        { """[{"kind":"attribute","name":"plan","op":"contains","value":"platinum"}]""", [12] },
        { """[{"kind":"attribute","name":"seats","op":">=","value":100}]""", [5] },
        { """[{"kind":"attribute","name":"plan","op":"missing"}]""", [3, 4, 7, 8, 9, 10, 11] },
        // The latest answer counts: 5's 3 is history, 7's 10 too; 8's 0 is outside the year.
        { """[{"kind":"answer","name":"nps","op":"<=","value":6}]""", [6, 7] },
        { """[{"kind":"answer","name":"nps","op":"<=","value":6,"withinDays":1000}]""", [6, 7, 8] },
        { """[{"kind":"text","theme":"billing","withinDays":90}]""", [9] },
        { """[{"kind":"text","theme":"billing","atLeast":2}]""", [9] },
        { """[{"kind":"text","theme":"billing"}]""", [9, 10] },
        { """[{"kind":"text","flag":"churn_intent"}]""", [9] },
        { """[{"kind":"score","name":"churnRisk","op":">=","value":0.5}]""", [11] },
        { """[{"kind":"score","name":"lifetimeValue","op":">","value":1000}]""", [11] },
        { """[{"kind":"activity","name":"daysSinceLastTouch","op":">","value":60}]""", [8, 10, 11] },
        { """[{"kind":"attribute","name":"plan","op":"=","value":"gold"},{"kind":"touchpoints","department":"service","atLeast":3,"withinDays":30}]""", [1] },
        { """[{"kind":"attribute","name":"plan","op":"=","value":"gold","not":true},{"kind":"touchpoints","department":"service","atLeast":3,"withinDays":30}]""", [4] },
        { """[{"kind":"group","match":"any","conditions":[{"kind":"score","name":"churnRisk","op":">=","value":0.5},{"kind":"answer","name":"nps","op":"<=","value":6}]}]""", [6, 7, 11] },
        { """[]""", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] },
    };

    [Theory, MemberData(nameof(Rules))]
    public async Task Each_rule_holds_for_exactly_the_planted_customers(string conditions, long[] expected)
    {
        var definition = Definition(conditions);
        Assert.Empty(definition.Validate());
        Assert.Equal(expected, await Store.SegmentMembersAsync(1, definition, Now, null));
        Assert.Equal(expected.Length, await Store.SegmentCountAsync(1, definition, Now, null));
    }

    [Fact]
    public async Task Any_of_an_empty_list_holds_for_nobody()
    {
        var definition = Definition("[]") with { Match = SegmentMatch.Any };
        Assert.Equal(0, await Store.SegmentCountAsync(1, definition, Now, null));
    }

    [Fact]
    public async Task Consent_conditions_read_the_answers_given_for_the_evaluation()
    {
        ConsentFact[] consents = [new(1, "marketing", true), new(2, "marketing", false), new(3, "surveys", false)];
        Assert.Equal([1L], await Store.SegmentMembersAsync(1, Definition("""[{"kind":"consent","name":"marketing","state":"given"}]"""), Now, consents));
        Assert.Equal([2L], await Store.SegmentMembersAsync(1, Definition("""[{"kind":"consent","name":"marketing","state":"refused"}]"""), Now, consents));
        Assert.Equal([3L, 4, 5, 6, 7, 8, 9, 10, 11, 12], await Store.SegmentMembersAsync(1, Definition("""[{"kind":"consent","name":"marketing","state":"unknown"}]"""), Now, consents));
    }

    [Fact]
    public async Task Hostile_values_are_parameters_not_sql()
    {
        var definition = Definition("""[{"kind":"attribute","name":"plan' OR 1=1 --","op":"=","value":"x'); DROP TABLE interactions; --"}]""");
        Assert.Empty(definition.Validate());
        Assert.Equal(0, await Store.SegmentCountAsync(1, definition, Now, null));
        Assert.Equal(12, await Store.SegmentCountAsync(1, Definition("[]"), Now, null));
    }

    [Fact]
    public void Bad_definitions_name_the_field_of_each_problem()
    {
        var definition = Definition("""
            [{"kind":"touchpoints","withinDays":0},
             {"kind":"answer","name":"nps","op":"<="},
             {"kind":"group","match":"any","conditions":[{"kind":"score","name":"risk","op":">","value":1}]},
             {"kind":"wish"}]
            """) with { Key = "Bad Key", Webhook = "ftp://x" };
        var fields = definition.Validate().Select(e => e.Field).ToHashSet();
        Assert.Superset(new HashSet<string> { "key", "webhook", "conditions[0].withinDays", "conditions[1].value", "conditions[2].conditions[0].name", "conditions[3].kind" }, fields);
    }

    [Fact]
    public void Definitions_nested_too_deep_or_too_large_are_refused()
    {
        var deep = """{"kind":"attribute","name":"plan","op":"exists"}""";
        for (var i = 0; i < 6; i++)
        {
            deep = $$"""{"kind":"group","match":"all","conditions":[{{deep}}]}""";
        }

        Assert.Contains(Definition($"[{deep}]").Validate(), e => e.Message.Contains("deeper", StringComparison.Ordinal));
        var many = "[" + string.Join(",", Enumerable.Repeat("""{"kind":"attribute","name":"plan","op":"exists"}""", 101)) + "]";
        Assert.Contains(Definition(many).Validate(), e => e.Field == "conditions" && e.Message.Contains("at most 100", StringComparison.Ordinal));
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private static SegmentDefinition Definition(string conditions) => new("test", "Test", JsonSerializer.Deserialize<List<SegmentCondition>>(conditions, Json)!);

    private static void Calls(CxoDb db, long workspace, long customer, params int[] daysAgo)
    {
        foreach (var days in daysAgo)
        {
            db.Interactions.Add(Row(workspace, customer, "service", "phone", "call.completed", days, null));
        }
    }

    private static InteractionRow Touch(CxoDb db, long customer, string department, string channel, string type, int daysAgo)
    {
        var row = Row(1, customer, department, channel, type, daysAgo, null);
        db.Interactions.Add(row);
        return row;
    }

    private static void Answer(CxoDb db, long customer, int daysAgo, int nps) =>
        db.Interactions.Add(Row(1, customer, "service", "email", "survey.response", daysAgo, $$"""{"survey":"relational","npsScore":{{nps}}}"""));

    private static void Trait(CxoDb db, long customer, string name, string json) =>
        db.CustomerTraits.Add(new CustomerTraitRow { WorkspaceId = 1, CustomerId = customer, Name = name, ValueJson = json, ObservedAt = Now });

    private static void Text(CxoDb db, InteractionRow row, string theme, string? flag) =>
        db.TextAnalyses.Add(new TextAnalysisRow
        {
            InteractionSeq = row.Seq, WorkspaceId = 1, Analyzer = "v1/t0", Language = "en", Sentiment = -0.5, Redacted = "…",
            Themes = $$"""[{"key":"{{theme}}","sentiment":-0.5,"spans":[]}]""",
            Flags = flag is null ? "[]" : $$"""[{"key":"{{flag}}","spans":[]}]""",
        });

    private static InteractionRow Row(long workspace, long customer, string department, string channel, string type, int daysAgo, string? attributes) => new()
    {
        WorkspaceId = workspace, EventId = Guid.NewGuid().ToString("N"), CustomerId = customer, OccurredAt = Now.AddDays(-daysAgo), ReceivedAt = Now,
        Department = department, Channel = channel, Type = type, Attributes = attributes,
    };
}
