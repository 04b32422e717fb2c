using System.Text.RegularExpressions;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Metrics;

namespace OpenCxo.Core.Alignment;

/// <summary>
/// The touchpoints a promise is about: their types, optionally only some channels and teams, and only some local hours
/// (<see cref="FromHour"/> inclusive to <see cref="ToHour"/> exclusive, wrapping past midnight when From is later:
/// 20 → 8 is the night) and days. Hours and days are read in <see cref="TimeZone"/>: <c>customer</c> (the customer's
/// <c>timeZone</c> attribute, an IANA name, else <see cref="FallbackTimeZone"/>) or an IANA zone.
/// </summary>
public sealed record PromiseContacts(
    IReadOnlyList<string> Types,
    IReadOnlyList<string>? Channels = null,
    IReadOnlyList<string>? Teams = null,
    int FromHour = 0,
    int ToHour = 24,
    IReadOnlyList<string>? Days = null,
    string TimeZone = PromiseContacts.CustomerZone,
    string FallbackTimeZone = "UTC")
{
    public const string CustomerZone = "customer";

    /// <summary>Every hour of every day: no hour or day narrows the contacts.</summary>
    public bool AllHours => (FromHour == 0 && ToHour == 24) || FromHour == ToHour;
}

/// <summary>
/// What counts as kept, one test per promise: the contact's <c>firstContactResolution</c> or <c>resolved</c> attribute
/// is true (<see cref="FirstContactResolution"/>, <see cref="Resolved"/>); its <c>waitSeconds</c> is at most
/// <see cref="WaitSecondsAtMost"/>; its <c>handleSeconds</c> is at most <see cref="HandleSecondsAtMost"/> or at least
/// <see cref="HandleSecondsAtLeast"/>; or
/// the same customer has one of the <see cref="FollowedBy"/> touchpoints within <see cref="WithinHours"/> (of the same
/// ticket when <see cref="SameTicket"/>). A contact whose attribute says nothing is not judged; a contact still within
/// its hours to be followed up waits.
/// </summary>
public sealed record PromiseKept(
    bool? FirstContactResolution = null,
    bool? Resolved = null,
    int? WaitSecondsAtMost = null,
    int? HandleSecondsAtMost = null,
    int? HandleSecondsAtLeast = null,
    IReadOnlyList<string>? FollowedBy = null,
    double? WithinHours = null,
    bool SameTicket = false);

/// <summary>Who answers for a promise: a name, and where its alerts go (e-mail addresses, a webhook).</summary>
public sealed record PromiseOwner(string Name, IReadOnlyList<string>? Email = null, string? Webhook = null);

/// <summary>
/// A public claim written as a measurable rule over touchpoints: which contacts (<see cref="Contacts"/>), what counts
/// as kept (<see cref="Kept"/>), the share of contacts that must be kept (<see cref="Target"/>, percent) judged over
/// the last <see cref="WindowDays"/> days, the campaigns that made it (their acquired customers are the promise's
/// cohort), the text themes a complaint about it mentions, and the marketing and service owners its alerts go to.
/// </summary>
public sealed record PromiseDefinition(
    string Key,
    string Name,
    string Claim,
    PromiseContacts Contacts,
    PromiseKept Kept,
    double Target,
    PromiseOwner MarketingOwner,
    PromiseOwner ServiceOwner,
    IReadOnlyList<string>? Campaigns = null,
    IReadOnlyList<string>? Themes = null,
    int WindowDays = 28,
    int MinimumN = 30,
    bool Enabled = true);

/// <summary>How many in-scope contacts a promise judged in a slice, and how many of them it kept; <see cref="Rate"/> in percent.</summary>
public readonly record struct PromiseCell(string? Key, long Kept, long Judged)
{
    public Estimate Rate => ScoreStatistics.Proportion(Kept, Judged);
}

/// <summary>A slice that misses the target, worst first: by hour of day, channel or team.</summary>
public sealed record PromiseShortfall(string Slice, string Key, Estimate Rate, KpiStatus Status);

/// <summary>Validation of promises and the judgement of how well one is kept. Pure functions.</summary>
public static partial class Promises
{
    public static readonly IReadOnlyList<string> DayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    /// <summary>The slices a promise's keep rate is broken down by, in the order the reports show them.</summary>
    public static readonly IReadOnlyList<string> Slices = ["hour", "channel", "team"];

    /// <summary>
    /// Where a promise stands: the worst of the whole window's status and each hour, channel and team with at least
    /// <see cref="PromiseDefinition.MinimumN"/> judged contacts, so that "24/7" broken at night is off track even when
    /// the day's many kept contacts carry the average. Judged on the Wilson interval (<see cref="KpiRules.Judge"/>):
    /// a dip chance explains is at risk, not off track.
    /// </summary>
    public static (KpiStatus Status, IReadOnlyList<PromiseShortfall> Shortfalls) Judge(
        PromiseDefinition promise, PromiseCell whole, IEnumerable<(string Slice, PromiseCell Cell)> slices)
    {
        ArgumentNullException.ThrowIfNull(promise);
        ArgumentNullException.ThrowIfNull(slices);
        var status = Status(promise, whole);
        var shortfalls = new List<PromiseShortfall>();
        foreach (var (slice, cell) in slices)
        {
            var judged = Status(promise, cell);
            if (judged is KpiStatus.OffTrack or KpiStatus.AtRisk)
            {
                shortfalls.Add(new PromiseShortfall(slice, cell.Key ?? "", cell.Rate, judged));
                status = Worse(status, judged);
            }
        }

        shortfalls.Sort((a, b) => a.Status != b.Status ? (a.Status == KpiStatus.OffTrack ? -1 : 1) : a.Rate.Value.CompareTo(b.Rate.Value));
        return (status, shortfalls);
    }

    /// <summary>The status of one cell against the promise's target.</summary>
    public static KpiStatus Status(PromiseDefinition promise, PromiseCell cell)
    {
        ArgumentNullException.ThrowIfNull(promise);
        if (cell.Judged == 0)
        {
            return KpiStatus.NoData;
        }

        var rate = cell.Rate;
        return KpiRules.Judge(new KpiReading(rate.Value, rate.Low, rate.High, cell.Judged), promise.Target, KpiDirection.AtLeast, promise.MinimumN);
    }

    private static KpiStatus Worse(KpiStatus a, KpiStatus b) => Rank(b) > Rank(a) ? b : a;

    private static int Rank(KpiStatus s) => s switch
    {
        KpiStatus.OffTrack => 4,
        KpiStatus.AtRisk => 3,
        KpiStatus.OnTrack => 2,
        KpiStatus.TooFew => 1,
        _ => 0,
    };

    /// <summary>Whether a local hour (0–23) is within the contacts' hours.</summary>
    public static bool InHours(PromiseContacts contacts, int hour)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        if (contacts.AllHours)
        {
            return true;
        }

        return contacts.FromHour < contacts.ToHour
            ? hour >= contacts.FromHour && hour < contacts.ToHour
            : hour >= contacts.FromHour || hour < contacts.ToHour;
    }

    /// <summary>Every problem of a promise, named by its place (<c>contacts.types[1]</c>); none when it can be saved.</summary>
    /// <param name="isTimeZone">Whether a name is a time zone the analytics store knows.</param>
    /// <param name="isTheme">Whether a name is a theme of the text taxonomy.</param>
    public static IReadOnlyList<FieldError> Validate(PromiseDefinition promise, Func<string, bool> isTimeZone, Func<string, bool> isTheme)
    {
        ArgumentNullException.ThrowIfNull(isTimeZone);
        ArgumentNullException.ThrowIfNull(isTheme);
        var errors = new List<FieldError>();
        if (promise is null)
        {
            errors.Add(new FieldError("body", "must be a promise"));
            return errors;
        }

        if (promise.Key is null || !KeyPattern().IsMatch(promise.Key))
        {
            errors.Add(new FieldError("key", "is 1–64 lowercase letters, digits and dashes, starting with a letter or digit"));
        }

        Text(errors, "name", promise.Name, 200);
        Text(errors, "claim", promise.Claim, 1000);
        if (!double.IsFinite(promise.Target) || promise.Target is <= 0 or > 100)
        {
            errors.Add(new FieldError("target", "is the percent of contacts kept, above 0 and at most 100"));
        }

        if (promise.WindowDays is < 1 or > 366)
        {
            errors.Add(new FieldError("windowDays", "is 1–366"));
        }

        if (promise.MinimumN is < 1 or > 1_000_000)
        {
            errors.Add(new FieldError("minimumN", "is 1–1000000"));
        }

        Contacts(errors, promise.Contacts, isTimeZone);
        Kept(errors, promise.Kept, promise.Contacts?.Types);
        Names(errors, "campaigns", promise.Campaigns, 50, 200, _ => true, "");
        Names(errors, "themes", promise.Themes, 20, 64, isTheme, "is not a theme of the text analytics");
        Owner(errors, "marketingOwner", promise.MarketingOwner);
        Owner(errors, "serviceOwner", promise.ServiceOwner);
        return errors;
    }

    private static void Contacts(List<FieldError> errors, PromiseContacts? contacts, Func<string, bool> isTimeZone)
    {
        if (contacts is null)
        {
            errors.Add(new FieldError("contacts", "is required: {\"types\": [\"call.completed\", …], …}"));
            return;
        }

        if (contacts.Types is null || contacts.Types.Count == 0)
        {
            errors.Add(new FieldError("contacts.types", "names at least one touchpoint type, e.g. call.completed"));
        }
        else
        {
            Names(errors, "contacts.types", contacts.Types, 20, EventParser.MaxTypeLength, EventParser.IsEventType, "is not a touchpoint type (namespace.verb)");
        }

        Names(errors, "contacts.channels", contacts.Channels, 10, 20, c => Vocabulary.Channels.Contains(c), "is not a channel: " + string.Join(", ", Vocabulary.Channels));
        Names(errors, "contacts.teams", contacts.Teams, 50, 200, _ => true, "");
        Names(errors, "contacts.days", contacts.Days, 7, 3, d => DayNames.Contains(d), "is not a day: " + string.Join(", ", DayNames));
        if (contacts.FromHour is < 0 or > 23)
        {
            errors.Add(new FieldError("contacts.fromHour", "is a local hour, 0–23"));
        }

        if (contacts.ToHour is < 1 or > 24)
        {
            errors.Add(new FieldError("contacts.toHour", "is a local hour, 1–24 (24 is midnight)"));
        }

        if (contacts.TimeZone is null || (contacts.TimeZone != PromiseContacts.CustomerZone && !isTimeZone(contacts.TimeZone)))
        {
            errors.Add(new FieldError("contacts.timeZone", "is \"customer\" (each customer's timeZone attribute) or an IANA time zone such as Europe/Madrid"));
        }

        if (contacts.FallbackTimeZone is null || !isTimeZone(contacts.FallbackTimeZone))
        {
            errors.Add(new FieldError("contacts.fallbackTimeZone", "is an IANA time zone such as Europe/Madrid, for customers without a timeZone attribute"));
        }
    }

    private static void Kept(List<FieldError> errors, PromiseKept? kept, IReadOnlyList<string>? types)
    {
        const string Kinds = "give one of firstContactResolution: true, resolved: true, waitSecondsAtMost, handleSecondsAtMost, handleSecondsAtLeast, or followedBy with withinHours";
        if (kept is null)
        {
            errors.Add(new FieldError("kept", "is required: " + Kinds));
            return;
        }

        var tests = (kept.FirstContactResolution is not null ? 1 : 0) + (kept.Resolved is not null ? 1 : 0) + (kept.WaitSecondsAtMost is not null ? 1 : 0)
            + (kept.HandleSecondsAtMost is not null ? 1 : 0)
            + (kept.HandleSecondsAtLeast is not null ? 1 : 0) + (kept.FollowedBy is not null ? 1 : 0);
        if (tests != 1)
        {
            errors.Add(new FieldError("kept", Kinds));
            return;
        }

        if (kept.FirstContactResolution == false)
        {
            errors.Add(new FieldError("kept.firstContactResolution", "is true: a promise is kept by resolving at the first contact"));
        }

        if (kept.Resolved == false)
        {
            errors.Add(new FieldError("kept.resolved", "is true: a promise is kept by resolving"));
        }

        if (kept.WaitSecondsAtMost is < 1 or > 86_400)
        {
            errors.Add(new FieldError("kept.waitSecondsAtMost", "is 1–86400 seconds"));
        }

        if (kept.HandleSecondsAtMost is < 1 or > 86_400)
        {
            errors.Add(new FieldError("kept.handleSecondsAtMost", "is 1–86400 seconds"));
        }

        if (kept.HandleSecondsAtLeast is < 1 or > 86_400)
        {
            errors.Add(new FieldError("kept.handleSecondsAtLeast", "is 1–86400 seconds"));
        }

        if (kept.FollowedBy is not null)
        {
            if (kept.FollowedBy.Count == 0)
            {
                errors.Add(new FieldError("kept.followedBy", "names at least one touchpoint type, e.g. call.completed"));
            }

            Names(errors, "kept.followedBy", kept.FollowedBy, 20, EventParser.MaxTypeLength, EventParser.IsEventType, "is not a touchpoint type (namespace.verb)");
            if (types is not null && kept.FollowedBy.FirstOrDefault(t => types.Contains(t)) is { } both)
            {
                errors.Add(new FieldError("kept.followedBy", $"'{both}' is also one of contacts.types: a contact would follow itself up"));
            }

            if (kept.WithinHours is not { } hours || !double.IsFinite(hours) || hours <= 0 || hours > 24 * 366)
            {
                errors.Add(new FieldError("kept.withinHours", "is required with followedBy: above 0 and at most 8784 hours"));
            }
        }
        else if (kept.WithinHours is not null || kept.SameTicket)
        {
            errors.Add(new FieldError("kept.withinHours", "withinHours and sameTicket go with followedBy"));
        }
    }

    private static void Owner(List<FieldError> errors, string field, PromiseOwner? owner)
    {
        if (owner is null)
        {
            errors.Add(new FieldError(field, "is required: {\"name\": …, \"email\": […], \"webhook\": …}"));
            return;
        }

        Text(errors, field + ".name", owner.Name, 200);
        if (owner.Email is { } emails)
        {
            if (emails.Count > 20)
            {
                errors.Add(new FieldError(field + ".email", "names at most 20 addresses"));
            }

            for (var i = 0; i < Math.Min(emails.Count, 20); i++)
            {
                if (emails[i] is not { Length: > 2 and <= 254 } e || !EmailPattern().IsMatch(e))
                {
                    errors.Add(new FieldError($"{field}.email[{i}]", "is not an e-mail address"));
                }
            }
        }

        if (owner.Webhook is { } hook && !(hook.Length <= 2000 && Uri.TryCreate(hook, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
        {
            errors.Add(new FieldError(field + ".webhook", "must be an http or https URL"));
        }
    }

    private static void Text(List<FieldError> errors, string field, string? value, int max)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > max)
        {
            errors.Add(new FieldError(field, $"is 1–{max} characters"));
        }
    }

    private static void Names(List<FieldError> errors, string field, IReadOnlyList<string>? names, int maxCount, int maxLength, Func<string, bool> valid, string invalid)
    {
        if (names is null)
        {
            return;
        }

        if (names.Count > maxCount)
        {
            errors.Add(new FieldError(field, $"names at most {maxCount}"));
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            if (string.IsNullOrWhiteSpace(name) || name.Length > maxLength)
            {
                errors.Add(new FieldError($"{field}[{i}]", $"is 1–{maxLength} characters"));
            }
            else if (!valid(name))
            {
                errors.Add(new FieldError($"{field}[{i}]", $"'{name}' {invalid}"));
            }
            else if (!seen.Add(name))
            {
                errors.Add(new FieldError($"{field}[{i}]", $"'{name}' is named twice"));
            }
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();

    // The address's shape only; whether it exists is the mail server's to say.
    [GeneratedRegex(@"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();
}

/// <summary>
/// What followed for one group of acquired customers: their NPS answers after acquisition; of those acquired at least
/// the horizon ago (<see cref="Eligible"/>), how many cancelled within it and their net revenue in it (<see cref="ValueN"/>
/// customers in one currency, as sums); and how many complained about the promise in writing.
/// </summary>
public sealed record CohortFigures(
    long Customers, long Promoters, long Passives, long Detractors, long Eligible, long Churned,
    long ValueN, double ValueSum, double ValueSumOfSquares, long Complainers);

/// <summary>
/// Customers acquired under a promise against those acquired otherwise in the same span: NPS, churn within the horizon,
/// net revenue per customer within it, and the share who complained about the promise, each with its interval and a
/// test of the difference (promised minus others). <see cref="MoneyGap"/> is the revenue the promised customers would
/// have brought at the others' rate: (others' mean − promised mean) × promised customers, with the interval of the
/// difference; <see cref="ExtraChurned"/> the customers lost beyond the others' churn rate.
/// </summary>
public sealed record PromiseGap(
    CohortFigures Promised, CohortFigures Others,
    NpsEstimate PromisedNps, NpsEstimate OthersNps, Comparison Nps,
    Estimate PromisedChurn, Estimate OthersChurn, Comparison Churn,
    Estimate PromisedValue, Estimate OthersValue, Comparison Value,
    Estimate PromisedComplaints, Estimate OthersComplaints, Comparison Complaints,
    double MoneyGap, double MoneyGapLow, double MoneyGapHigh, double ExtraChurned);

public static partial class Promises
{
    /// <summary>The promise gap between two groups; the statistics are <see cref="ScoreStatistics"/>'s, each citing its source.</summary>
    public static PromiseGap Gap(CohortFigures promised, CohortFigures others)
    {
        ArgumentNullException.ThrowIfNull(promised);
        ArgumentNullException.ThrowIfNull(others);
        var promisedNps = ScoreStatistics.Nps(promised.Promoters, promised.Passives, promised.Detractors);
        var othersNps = ScoreStatistics.Nps(others.Promoters, others.Passives, others.Detractors);
        var promisedValue = MeanAccumulator.FromSums(promised.ValueN, promised.ValueSum, promised.ValueSumOfSquares);
        var othersValue = MeanAccumulator.FromSums(others.ValueN, others.ValueSum, others.ValueSumOfSquares);
        var value = ScoreStatistics.CompareMeans(promisedValue, othersValue);
        var churn = ScoreStatistics.CompareProportions(promised.Churned, promised.Eligible, others.Churned, others.Eligible);
        var n = promised.ValueN;
        return new PromiseGap(
            promised, others,
            promisedNps, othersNps, ScoreStatistics.CompareNps(promisedNps, othersNps),
            ScoreStatistics.Proportion(promised.Churned, promised.Eligible), ScoreStatistics.Proportion(others.Churned, others.Eligible), churn,
            ScoreStatistics.Mean(promisedValue), ScoreStatistics.Mean(othersValue), value,
            ScoreStatistics.Proportion(promised.Complainers, promised.Customers), ScoreStatistics.Proportion(others.Complainers, others.Customers),
            ScoreStatistics.CompareProportions(promised.Complainers, promised.Customers, others.Complainers, others.Customers),
            -value.Difference * n, -value.High * n, -value.Low * n,
            churn.Difference / 100 * promised.Eligible);
    }
}
