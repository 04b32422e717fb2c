using OpenCxo.Core.Actions;

namespace OpenCxo.Core.Tests.Actions;

/// <summary>
/// Next-best-action rules: contact preferences hold against any rule set (checked over many random customers and
/// rules), expected values follow the stated formula worked by hand, percentiles match NumPy's default definition.
/// </summary>
public sealed class NextBestActionTests
{
    private static readonly ScorePercentiles Percentiles = new(
        new Dictionary<int, double> { [25] = 0.02, [50] = 0.05, [75] = 0.1, [90] = 0.3 },
        new Dictionary<int, double> { [25] = 50, [50] = 120, [75] = 400, [90] = 900 });

    private static CustomerState Customer(
        double? risk = 0.05, double? value = 200, int? nps = null, int open = 0, double? alive = 0.9, bool optedOut = false, bool doNotContact = false) =>
        new(1, risk, value, "EUR", alive, nps, null, open, 10, 400, "smb", optedOut, doNotContact);

    [Fact]
    public void Each_default_rule_fires_for_the_customer_it_was_written_for_with_its_hand_worked_value()
    {
        // A detractor with an open problem: 800 × (0.25 × 0.3 + 0) − 15 = 45.
        var detractor = NextBestAction.Recommend(Customer(risk: 0.25, value: 800, nps: 3, open: 2), NextBestAction.Defaults, Percentiles);
        var recovery = Assert.Single(detractor);
        Assert.Equal("service-recovery", recovery.Rule);
        Assert.Equal("service", recovery.Department);
        Assert.Equal(45, recovery.ExpectedValue, 9);
        Assert.Equal(["detractor", "2 open problems"], recovery.Reasons);
        // At risk above p90 too, the same customer also earns a retention offer: 800 × 0.35 × 0.2 − 25 = 31, ranked below recovery at 69.
        var both = NextBestAction.Recommend(Customer(risk: 0.35, value: 800, nps: 3, open: 2), NextBestAction.Defaults, Percentiles);
        Assert.Equal([("service-recovery", 69.0), ("retention-offer", 31.0)], both.Select(a => (a.Rule, a.ExpectedValue)));

        // Valuable (≥ p75 = 400) and risky (≥ p90 = 0.3), no answer: 1000 × 0.5 × 0.2 − 25 = 75.
        var risky = Assert.Single(NextBestAction.Recommend(Customer(risk: 0.5, value: 1000), NextBestAction.Defaults, Percentiles));
        Assert.Equal(("retention-offer", 75.0), (risky.Rule, risky.ExpectedValue));
        Assert.Equal(["churn risk 50 %", "lifetime value 1,000 EUR"], risky.Reasons);

        // A healthy promoter: referral 600 × 0.05 − 2 = 28 and upsell 600 × 0.1 − 5 = 55, the upsell first.
        var promoter = NextBestAction.Recommend(Customer(risk: 0.03, value: 600, nps: 10), NextBestAction.Defaults, Percentiles);
        Assert.Equal(["upsell", "referral-ask"], promoter.Select(a => a.Rule));
        Assert.Equal([55.0, 28.0], promoter.Select(a => a.ExpectedValue));

        // Upsell only for the healthy: not above median risk, not with an open problem, not for a detractor.
        Assert.Empty(NextBestAction.Recommend(Customer(risk: 0.06, value: 600), NextBestAction.Defaults, Percentiles));
        Assert.Empty(NextBestAction.Recommend(Customer(risk: 0.03, value: 600, open: 1), NextBestAction.Defaults, Percentiles));
        Assert.DoesNotContain(NextBestAction.Recommend(Customer(risk: 0.03, value: 600, nps: 2), NextBestAction.Defaults, Percentiles), a => a.Rule == "upsell");
        // Without a churn score nobody is called healthy; without a run's percentiles, no percentile rule matches.
        Assert.Empty(NextBestAction.Recommend(Customer(risk: null, value: 600, nps: 10), NextBestAction.Defaults, Percentiles));
        Assert.Empty(NextBestAction.Recommend(Customer(risk: 0.03, value: 600, nps: 10), NextBestAction.Defaults, ScorePercentiles.None));
    }

    [Fact]
    public void Nobody_who_opted_out_is_offered_anything_and_do_not_contact_means_nothing_at_all_whatever_the_rules()
    {
        var random = new Random(7);
        string[] ops = ["=", "!=", "<", "<=", ">", ">=", "exists", "missing"];
        var offered = 0;
        for (var trial = 0; trial < 2000; trial++)
        {
            // Random rules, including ones that hold for everybody, of both kinds.
            var rules = Enumerable.Range(0, random.Next(1, 6)).Select(r =>
            {
                var field = ActionFields.Numbers[random.Next(ActionFields.Numbers.Count)];
                var op = ops[random.Next(ops.Length)];
                ActionCondition condition = op is "exists" or "missing" ? new(field, op) : new(field, op, Number: random.NextDouble() * 10);
                // Kinds are written at random, also "service" on marketing and sales rules and on rules with an uplift: a
                // rule's author cannot turn an offer into a service action.
                return new ActionRule($"r{r}", "rule", ActionFields.Departments[random.Next(3)], random.Next(2) == 0 ? ActionKind.Offer : ActionKind.Service,
                    random.Next(3) == 0 ? [new("openProblems", ">=", Number: 0)] : [condition], random.NextDouble(), random.Next(2) == 0 ? 0 : random.NextDouble(), 0);
            }).Concat(NextBestAction.Defaults).ToList();
            var state = new CustomerState(
                trial, random.NextDouble(), random.NextDouble() * 2000, "EUR", random.NextDouble(), random.Next(0, 11), random.Next(1, 6), random.Next(0, 3),
                random.Next(0, 400), random.Next(0, 4000), "smb", OptedOut: random.Next(2) == 0, DoNotContact: random.Next(4) == 0);
            var actions = NextBestAction.Recommend(state, rules, Percentiles);
            if (state.DoNotContact)
            {
                Assert.Empty(actions);
            }
            else if (state.OptedOut)
            {
                // Only service's own recovery work, with nothing to sell.
                Assert.All(actions, a => Assert.Equal(("service", ActionKind.Service, 0.0), (a.Department, a.Kind, rules.First(r => r.Key == a.Rule).Uplift)));
            }
            else
            {
                offered += actions.Count(a => a.Kind == ActionKind.Offer);
            }

            Assert.Equal(actions.OrderByDescending(a => a.ExpectedValue).Select(a => a.Rule), actions.Select(a => a.Rule));
        }

        // The same rules do make offers to those who did not opt out, so the checks above could fail.
        Assert.True(offered > 500, $"{offered} offers");
    }

    [Fact]
    public void A_field_without_a_value_fails_every_test_but_missing_and_not_equal()
    {
        var blank = Customer(risk: null, value: null, nps: null, alive: null);
        ActionRule Rule(ActionCondition c) => new("r", "r", "sales", ActionKind.Service, [c], 0, 0, 0);
        bool Fires(ActionCondition c) => NextBestAction.Matches(blank, Rule(c), Percentiles);
        Assert.False(Fires(new("churnRisk", "<", Number: 1)));
        Assert.False(Fires(new("churnRisk", ">=", Number: 0)));
        Assert.True(Fires(new("churnRisk", "!=", Number: 0.5)));
        Assert.True(Fires(new("churnRisk", "missing")));
        Assert.False(Fires(new("churnRisk", "exists")));
        Assert.True(Fires(new("npsCategory", "!=", Text: "detractor")));
        Assert.False(Fires(new("npsCategory", "in", Texts: ["detractor", "passive"])));
        Assert.True(NextBestAction.Matches(Customer(nps: 7), Rule(new("npsCategory", "in", Texts: ["Detractor", "PASSIVE"])), Percentiles));
        // The value kept is zero without a lifetime value; the cost still counts.
        var action = Assert.Single(NextBestAction.Recommend(blank, [new("r", "r", "sales", ActionKind.Service, [new("openProblems", "=", Number: 0)], 0.5, 0.5, 7)], Percentiles));
        Assert.Equal(-7, action.ExpectedValue);
        Assert.Equal(["no open problems"], action.Reasons);
    }

    [Fact]
    public void Percentiles_interpolate_between_order_statistics_as_numpy_does()
    {
        // numpy.percentile([1, 2, 3, 4], [25, 50, 75, 90]) = [1.75, 2.5, 3.25, 3.7] (linear, Hyndman & Fan definition 7).
        var p = ScorePercentiles.Of([4, 1, double.NaN, 3, 2], [10]);
        Assert.Equal(1.75, p.ChurnRisk[25], 12);
        Assert.Equal(2.5, p.ChurnRisk[50], 12);
        Assert.Equal(3.25, p.ChurnRisk[75], 12);
        Assert.Equal(3.7, p.ChurnRisk[90], 12);
        Assert.Equal(10, p.LifetimeValue[90]);
        Assert.Empty(ScorePercentiles.Of([], []).ChurnRisk);
    }

    [Fact]
    public void Rules_are_checked_whole_and_each_problem_is_named_by_its_place()
    {
        Assert.Empty(NextBestAction.Validate(NextBestAction.Defaults));
        var good = NextBestAction.Defaults[0];
        IReadOnlyList<ActionRule> rules =
        [
            good,
            good with { Name = "" },
            good with { Key = "Bad Key", Department = "finance", RiskReduction = 1.5, Cost = -1 },
            good with { Key = "c", When = [new("shoeSize", ">", Number: 40)] },
            good with { Key = "d", When = [new("churnRisk", "~", Number: 1)] },
            good with { Key = "e", When = [new("churnRisk", ">", Text: "high")] },
            good with { Key = "f", When = [new("segment", ">", Text: "smb")] },
            good with { Key = "g", When = [new("lastNps", ">", Percentile: 75)] },
            good with { Key = "h", When = [new("churnRisk", ">")] },
            good with { Key = "i", When = [] },
            good with { Key = "j", When = [new("churnRisk", "exists", Number: 1)] },
            good with { Key = "k", When = [new("lastNps", "in", Texts: ["1"])] },
            good with { Key = "l", When = [new("churnRisk", ">", Number: double.NaN)] },
            good with { Key = "m", Department = "sales" },
        ];
        var errors = NextBestAction.Validate(rules).ToDictionary(e => e.Field, e => e.Message);
        Assert.Contains("already the key", errors["rules[1].key"], StringComparison.Ordinal);
        Assert.Contains("1–200", errors["rules[1].name"], StringComparison.Ordinal);
        Assert.True(errors.ContainsKey("rules[2].key"));
        Assert.Contains("service, marketing, sales", errors["rules[2].department"], StringComparison.Ordinal);
        Assert.True(errors.ContainsKey("rules[2].riskReduction"));
        Assert.True(errors.ContainsKey("rules[2].cost"));
        Assert.Contains("unknown field 'shoeSize'", errors["rules[3].when[0].field"], StringComparison.Ordinal);
        Assert.Contains("unknown operator '~'", errors["rules[4].when[0].op"], StringComparison.Ordinal);
        Assert.Contains("is a number, not 'high'", errors["rules[5].when[0].value"], StringComparison.Ordinal);
        Assert.Contains("is a text", errors["rules[6].when[0].op"], StringComparison.Ordinal);
        Assert.Contains("percentiles are", errors["rules[7].when[0].value"], StringComparison.Ordinal);
        Assert.Contains("is required", errors["rules[8].when[0].value"], StringComparison.Ordinal);
        Assert.Contains("1–10 conditions", errors["rules[9].when"], StringComparison.Ordinal);
        Assert.Contains("takes no value", errors["rules[10].when[0].value"], StringComparison.Ordinal);
        Assert.Contains("for text fields", errors["rules[11].when[0].op"], StringComparison.Ordinal);
        Assert.Contains("finite", errors["rules[12].when[0].value"], StringComparison.Ordinal);
        Assert.Contains("is an offer", errors["rules[13].kind"], StringComparison.Ordinal);
        Assert.Equal(18, errors.Count);
        Assert.Contains("at most 50", Assert.Single(NextBestAction.Validate([.. Enumerable.Range(0, 51).Select(i => good with { Key = "r" + i })])).Message, StringComparison.Ordinal);
    }
}
