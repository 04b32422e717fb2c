using System.Globalization;

namespace OpenCxo.Core.Actions;

/// <summary>
/// Service actions answer a problem the customer raised (a recovery call); offers propose something (a retention
/// discount, a referral ask, an upsell). A customer who opted out gets no offer; one marked do-not-contact gets nothing.
/// </summary>
public enum ActionKind
{
    Service,
    Offer,
}

/// <summary>What one customer looks like to the next-best-action rules, from the latest model run and their touchpoints.</summary>
/// <param name="OpenProblems">Open tickets, plus NPS 0–6 or CSAT 1–2 answers of the last 30 days that no service contact followed.</param>
/// <param name="OptedOut">Opted out of surveys, or marketing consent withheld: no offers.</param>
/// <param name="DoNotContact">Marked do-not-contact: no action at all.</param>
public sealed record CustomerState(
    long Customer,
    double? ChurnRisk,
    double? LifetimeValue,
    string? Currency,
    double? ProbabilityAlive,
    int? LastNps,
    int? LastCsat,
    int OpenProblems,
    int? DaysSinceLastTouch,
    int? TenureDays,
    string? Segment,
    bool OptedOut,
    bool DoNotContact)
{
    /// <summary>promoter (9–10), passive (7–8) or detractor (0–6) by the last NPS answer; null without one.</summary>
    public string? NpsCategory => LastNps switch
    {
        null => null,
        >= 9 => "promoter",
        >= 7 => "passive",
        _ => "detractor",
    };
}

/// <summary>
/// One test on a customer field. <see cref="Number"/>, <see cref="Text"/>, <see cref="Texts"/> (for <c>in</c>) or
/// <see cref="Percentile"/> (the workspace's 25th, 50th, 75th or 90th percentile of that field, written "p75") is the
/// value compared with. A field the customer has no value for fails every test but <c>missing</c>, and passes <c>!=</c>.
/// </summary>
public sealed record ActionCondition(string Field, string Op, double? Number = null, string? Text = null, IReadOnlyList<string>? Texts = null, int? Percentile = null);

/// <summary>
/// An editable rule: when every condition holds, <see cref="Department"/> should do <see cref="Name"/>. Its expected
/// value is CLV × (churn risk × <see cref="RiskReduction"/> + <see cref="Uplift"/>) − <see cref="Cost"/>: the value kept
/// by lowering the risk of losing the customer, plus the value added by growing them, less what the action costs.
/// </summary>
public sealed record ActionRule(
    string Key,
    string Name,
    string Department,
    ActionKind Kind,
    IReadOnlyList<ActionCondition> When,
    double RiskReduction,
    double Uplift,
    double Cost,
    bool Enabled = true)
{
    /// <summary>
    /// Whether a customer who opted out must not get it: every offer, and — whatever its kind says — anything from
    /// marketing or sales or anything meant to grow the customer (an uplift). Only service's own recovery work is not.
    /// </summary>
    public bool IsOffer => Kind == ActionKind.Offer || Department != "service" || Uplift > 0;
}

/// <summary>The 25th, 50th, 75th and 90th percentiles of churn risk and lifetime value over the scored customers.</summary>
public sealed record ScorePercentiles(IReadOnlyDictionary<int, double> ChurnRisk, IReadOnlyDictionary<int, double> LifetimeValue)
{
    public static readonly IReadOnlyList<int> Levels = [25, 50, 75, 90];

    public static readonly ScorePercentiles None = new(new Dictionary<int, double>(), new Dictionary<int, double>());

    /// <summary>Percentiles by <see cref="Metrics.ScoreStatistics.Quantile"/>; values that are not finite are left out.</summary>
    public static ScorePercentiles Of(IEnumerable<double> churnRisk, IEnumerable<double> lifetimeValue) => new(Levelled(churnRisk), Levelled(lifetimeValue));

    private static Dictionary<int, double> Levelled(IEnumerable<double> values)
    {
        var sorted = values.Where(double.IsFinite).Order().ToArray();
        return sorted.Length == 0 ? [] : Levels.ToDictionary(level => level, level => Metrics.ScoreStatistics.Quantile(sorted, level / 100.0));
    }
}

/// <summary>One recommended action for one customer, with the reasons the rule matched and its expected value.</summary>
public sealed record RecommendedAction(string Rule, string Name, string Department, ActionKind Kind, double ExpectedValue, string? Currency, IReadOnlyList<string> Reasons);

/// <summary>The field names rules may test, their kinds, and how a customer's value reads in a reason.</summary>
public static class ActionFields
{
    public static readonly IReadOnlyList<string> Numbers =
        ["churnRisk", "lifetimeValue", "probabilityAlive", "lastNps", "lastCsat", "openProblems", "daysSinceLastTouch", "tenureDays"];

    public static readonly IReadOnlyList<string> Texts = ["npsCategory", "segment"];

    public static readonly IReadOnlyList<string> Operators = ["=", "!=", "<", "<=", ">", ">=", "in", "exists", "missing"];

    public static readonly IReadOnlyList<string> Departments = ["service", "marketing", "sales"];

    /// <summary>Fields whose workspace percentiles are known.</summary>
    public static readonly IReadOnlyList<string> WithPercentiles = ["churnRisk", "lifetimeValue"];

    public static double? Number(CustomerState s, string field) => field switch
    {
        "churnRisk" => s.ChurnRisk,
        "lifetimeValue" => s.LifetimeValue,
        "probabilityAlive" => s.ProbabilityAlive,
        "lastNps" => s.LastNps,
        "lastCsat" => s.LastCsat,
        "openProblems" => s.OpenProblems,
        "daysSinceLastTouch" => s.DaysSinceLastTouch,
        "tenureDays" => s.TenureDays,
        _ => null,
    };

    public static string? Text(CustomerState s, string field) => field switch
    {
        "npsCategory" => s.NpsCategory,
        "segment" => s.Segment,
        _ => null,
    };

    /// <summary>The customer's value of a field in words: "churn risk 62 %", "last NPS 3", "2 open problems".</summary>
    public static string Describe(CustomerState s, string field)
    {
        var c = CultureInfo.InvariantCulture;
        return field switch
        {
            "churnRisk" => s.ChurnRisk is { } r ? string.Create(c, $"churn risk {r * 100:0} %") : "no churn score",
            "lifetimeValue" => s.LifetimeValue is { } v ? string.Create(c, $"lifetime value {v:N0} {s.Currency}") : "no lifetime value",
            "probabilityAlive" => s.ProbabilityAlive is { } a ? string.Create(c, $"{a * 100:0} % likely still buying") : "no purchase history",
            "lastNps" => s.LastNps is { } n ? string.Create(c, $"last NPS {n}") : "no NPS answer this year",
            "lastCsat" => s.LastCsat is { } t ? string.Create(c, $"last CSAT {t}") : "no CSAT answer this year",
            "openProblems" => s.OpenProblems switch { 0 => "no open problems", 1 => "1 open problem", var p => string.Create(c, $"{p} open problems") },
            "daysSinceLastTouch" => s.DaysSinceLastTouch is { } d ? string.Create(c, $"last touchpoint {d} days ago") : "no touchpoints",
            "tenureDays" => s.TenureDays is { } days ? string.Create(c, $"customer for {days} days") : "tenure unknown",
            "npsCategory" => s.NpsCategory ?? "no NPS answer this year",
            "segment" => s.Segment is { } segment ? "segment " + segment : "no segment",
            _ => field,
        };
    }
}
