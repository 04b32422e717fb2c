using MathNet.Numerics.Distributions;
using OpenCxo.Core.Alignment;
using OpenCxo.Core.Metrics;

namespace OpenCxo.Core.Tests.Alignment;

/// <summary>Promises: checked whole with every problem named, hours that wrap past midnight, a status that is the worst slice's, and the promise gap.</summary>
public sealed class PromiseTests
{
    private static readonly string[] Zones = ["UTC", "Europe/Madrid", "America/Mexico_City"];
    private static readonly string[] Themes = ["support_availability", "waiting_time"];

    private static PromiseDefinition Valid() => new(
        "soporte-24-7", "Soporte 24/7", "We answer and fix it at any hour",
        new PromiseContacts(["call.completed", "chat.completed"]), new PromiseKept(Resolved: true), 70,
        new PromiseOwner("Marta", ["marta@example.com"]), new PromiseOwner("Sergio", Webhook: "https://hooks.example.com/cx"),
        Campaigns: ["soporte-24-7"], Themes: ["support_availability"]);

    private static IReadOnlyList<string> Check(PromiseDefinition promise) =>
        [.. Promises.Validate(promise, Zones.Contains, Themes.Contains).Select(e => e.Field)];

    [Fact]
    public void A_valid_promise_has_no_problems_and_every_problem_is_named_by_its_place()
    {
        Assert.Empty(Check(Valid()));
        var broken = Valid() with
        {
            Key = "Soporte 24/7",
            Target = 120,
            WindowDays = 0,
            Contacts = new PromiseContacts(["call.completed", "Not A Type", "call.completed"], Channels: ["fax"], FromHour: 25, ToHour: 0, Days: ["monday"], TimeZone: "Mars/Olympus"),
            Kept = new PromiseKept(FollowedBy: ["call.completed"]),
            Themes = ["weather"],
            MarketingOwner = new PromiseOwner("", ["not-an-address"]),
            ServiceOwner = new PromiseOwner("Sergio", Webhook: "ftp://example.com"),
        };
        Assert.Equal(
            [
                "key", "target", "windowDays", "contacts.types[1]", "contacts.types[2]", "contacts.channels[0]", "contacts.days[0]", "contacts.fromHour", "contacts.toHour",
                "contacts.timeZone", "kept.followedBy", "kept.withinHours", "themes[0]", "marketingOwner.name", "marketingOwner.email[0]", "serviceOwner.webhook",
            ],
            Check(broken));
        Assert.Equal(["kept"], Check(Valid() with { Kept = new PromiseKept() }));
        Assert.Equal(["kept"], Check(Valid() with { Kept = new PromiseKept(Resolved: true, WaitSecondsAtMost: 60) }));
        Assert.Equal(["kept.resolved"], Check(Valid() with { Kept = new PromiseKept(Resolved: false) }));
        Assert.Equal(["kept.withinHours"], Check(Valid() with { Kept = new PromiseKept(Resolved: true, WithinHours: 2) }));
        Assert.Equal(["contacts", "kept", "marketingOwner"], Check(Valid() with { Contacts = null!, Kept = null!, MarketingOwner = null! }));
        Assert.Equal(["contacts.types"], Check(Valid() with { Contacts = new PromiseContacts([]) }));
    }

    [Theory]
    [InlineData(0, 24, new[] { 0, 5, 23 }, new int[0])]
    [InlineData(8, 20, new[] { 8, 12, 19 }, new[] { 7, 20, 23, 0 })]
    [InlineData(20, 8, new[] { 20, 23, 0, 7 }, new[] { 8, 12, 19 })]
    [InlineData(5, 5, new[] { 0, 5, 23 }, new int[0])]
    public void Hours_run_from_the_first_up_to_the_last_wrapping_past_midnight(int from, int to, int[] inside, int[] outside)
    {
        var contacts = new PromiseContacts(["call.completed"], FromHour: from, ToHour: to);
        Assert.All(inside, h => Assert.True(Promises.InHours(contacts, h), $"{h} in {from}–{to}"));
        Assert.All(outside, h => Assert.False(Promises.InHours(contacts, h), $"{h} not in {from}–{to}"));
    }

    [Fact]
    public void A_promise_kept_by_day_and_broken_at_night_is_off_track_and_the_night_is_named_first()
    {
        var promise = Valid() with { Target = 80 };
        // 950 of 1,000 daytime contacts kept, 10 of 100 at night: 87.3 % overall, whose interval clears the target.
        var whole = new PromiseCell(null, 960, 1100);
        Assert.Equal(KpiStatus.OnTrack, Promises.Status(promise, whole));
        var (status, shortfalls) = Promises.Judge(promise, whole,
        [
            ("team", new PromiseCell("day", 950, 1000)),
            ("team", new PromiseCell("night", 10, 100)),
            ("hour", new PromiseCell("3", 2, 10)),     // too few to judge (minimum 30)
            ("channel", new PromiseCell("chat", 25, 32)),  // 78 %: the interval straddles 80 — at risk
        ]);
        Assert.Equal(KpiStatus.OffTrack, status);
        Assert.Equal([("team", "night", KpiStatus.OffTrack), ("channel", "chat", KpiStatus.AtRisk)], shortfalls.Select(s => (s.Slice, s.Key, s.Status)));
        Assert.Equal(KpiStatus.NoData, Promises.Status(promise, new PromiseCell(null, 0, 0)));
        Assert.Equal(KpiStatus.TooFew, Promises.Status(promise, new PromiseCell(null, 0, 29)));
    }

    [Fact]
    public void The_promise_gap_matches_an_independent_welch_computation_over_the_raw_values()
    {
        double[] promised = [200, 100, 50, 120, 80];
        double[] others = [300, 100, 250, 180];
        static (long N, double Sum, double Squares) Sums(double[] x) => (x.Length, x.Sum(), x.Sum(v => v * v));
        var (pn, ps, pq) = Sums(promised);
        var (on, os, oq) = Sums(others);
        var gap = Promises.Gap(new CohortFigures(5, 1, 2, 2, 5, 2, pn, ps, pq, 3), new CohortFigures(4, 2, 2, 0, 4, 0, on, os, oq, 0));

        // Welch (1947) by hand: difference of means, standard error from the sample variances, Satterthwaite's df.
        static double Variance(double[] x)
        {
            var mean = x.Average();
            return x.Sum(v => (v - mean) * (v - mean)) / (x.Length - 1);
        }

        var diff = promised.Average() - others.Average();
        var (v1, v2) = (Variance(promised) / promised.Length, Variance(others) / others.Length);
        var df = (v1 + v2) * (v1 + v2) / ((v1 * v1 / (promised.Length - 1)) + (v2 * v2 / (others.Length - 1)));
        var half = StudentT.InvCDF(0, 1, df, 0.975) * Math.Sqrt(v1 + v2);
        Assert.Equal(diff, gap.Value.Difference, 9);
        Assert.Equal(-diff * 5, gap.MoneyGap, 6);
        Assert.Equal((-diff - half) * 5, gap.MoneyGapLow, 6);
        Assert.Equal((-diff + half) * 5, gap.MoneyGapHigh, 6);

        // NPS: (1 − 2) / 5 = −20 against (2 − 0) / 4 = 50; churn 40 % against 0 %: two customers beyond the others' rate.
        Assert.Equal(-20, gap.PromisedNps.Score.Value, 9);
        Assert.Equal(50, gap.OthersNps.Score.Value, 9);
        Assert.Equal(40, gap.PromisedChurn.Value, 9);
        Assert.Equal(2, gap.ExtraChurned, 9);
        Assert.Equal(60, gap.PromisedComplaints.Value, 9);
    }
}
