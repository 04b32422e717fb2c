using System.Diagnostics;
using System.Globalization;
using OpenCxo.Core.Initiatives;

/// <summary>
/// Issue 10's initiative findings over a large portfolio: duplicated efforts and conflicts are recomputed on every
/// portfolio and council page load, comparing every pair of live initiatives.
/// </summary>
internal static class ProgrammeBench
{
    private static readonly string[] Departments = ["marketing", "sales", "service", "product", "other"];
    private static readonly string[] Metrics =
    [
        "average_handle_time", "first_contact_resolution", "repeat_contact_7d", "csat", "ces", "contacts_per_customer", "lead_conversion",
        "churn_rate", "retention_rate", "time_to_convert", "cost_per_acquisition", "time_to_resolve", "nps", "revenue",
    ];

    private static readonly string[] Stages = ["awareness", "lead", "customer", "onboarding", "service", "renewal", "churn"];

    public static void Run(int initiatives)
    {
        var random = new Random(10);

        // Three KPIs per metric (a workspace's KPIs per team or channel), forty themes.
        var kpis = Enumerable.Range(0, Metrics.Length * 3).ToDictionary(i => $"kpi-{i}", i => Metrics[i % Metrics.Length]);
        var keys = kpis.Keys.ToArray();
        var portfolio = Enumerable.Range(0, initiatives).Select(i =>
        {
            var start = new DateOnly(2026, 1, 1).AddDays(random.Next(365));
            return new InitiativeDefinition(
                $"initiative-{i}", $"Initiative {i}", Departments[random.Next(Departments.Length)], InitiativeStatus.Active, start,
                random.Next(4) == 0 ? null : start.AddDays(30 + random.Next(300)),
                Kpis: [.. keys.OrderBy(_ => random.Next()).Take(1 + random.Next(3)).Select(k => new InitiativeKpi(k, random.Next(2) == 0 ? KpiPush.Up : KpiPush.Down))],
                Journeys: [new InitiativeJourney(Stages[random.Next(Stages.Length)])],
                Themes: [$"theme-{random.Next(40)}"]);
        }).ToList();

        var clock = Stopwatch.StartNew();
        var duplicates = InitiativeFindings.Duplicates(portfolio, kpis);
        var afterDuplicates = clock.Elapsed;
        var conflicts = InitiativeFindings.Conflicts(portfolio, kpis);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"programme: {initiatives:N0} live initiatives → {duplicates.Count:N0} duplicates in {afterDuplicates.TotalMilliseconds:0} ms, {conflicts.Count:N0} conflicts in {(clock.Elapsed - afterDuplicates).TotalMilliseconds:0} ms"));
    }
}
