using System.Diagnostics;
using System.Globalization;
using OpenCxo.Core.Actions;

/// <summary>
/// Issue 7: next best action at scale — the built-in rules over N customers drawn to look like a workspace after a
/// model run (churn risk, lifetime value, NPS, open problems, a tenth opted out, one in fifty do-not-contact), and
/// the department worklists built from them as the product builds them (best action only, by expected value).
/// </summary>
internal static class ActionBench
{
    public static void Run(int customers)
    {
        var random = new Random(11);
        var states = new CustomerState[customers];
        for (var i = 0; i < customers; i++)
        {
            var risk = Math.Pow(random.NextDouble(), 3);
            var value = Math.Exp(4 + (1.5 * random.NextDouble() * 2));
            int? nps = random.Next(3) == 0 ? random.Next(0, 11) : null;
            states[i] = new CustomerState(
                i, risk, value, "EUR", random.NextDouble(), nps, null, random.Next(10) == 0 ? random.Next(1, 4) : 0, random.Next(0, 365), random.Next(0, 3000),
                "smb", OptedOut: random.Next(10) == 0, DoNotContact: random.Next(50) == 0);
        }

        var percentiles = ScorePercentiles.Of(states.Select(s => s.ChurnRisk!.Value), states.Select(s => s.LifetimeValue!.Value));
        var clock = Stopwatch.StartNew();
        var worklists = new Dictionary<string, List<(long Customer, double Value)>>();
        long actions = 0;
        foreach (var state in states)
        {
            var recommended = NextBestAction.Recommend(state, NextBestAction.Defaults, percentiles);
            actions += recommended.Count;
            if (recommended.Count > 0)
            {
                var best = recommended[0];
                (worklists.TryGetValue(best.Department, out var list) ? list : worklists[best.Department] = []).Add((state.Customer, best.ExpectedValue));
            }
        }

        foreach (var list in worklists.Values)
        {
            list.Sort((a, b) => b.Value.CompareTo(a.Value));
        }

        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"actions: {customers:N0} customers, {actions:N0} actions, worklists {string.Join(", ", worklists.OrderBy(w => w.Key).Select(w => $"{w.Key} {w.Value.Count:N0}"))} in {seconds:0.00} s ({customers / seconds:N0} customers/s)"));
    }
}
