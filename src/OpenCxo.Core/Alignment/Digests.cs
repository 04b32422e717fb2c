using System.Globalization;

namespace OpenCxo.Core.Alignment;

/// <summary>A customer's words in a digest: redacted, with where they came from.</summary>
public sealed record DigestQuote(long Seq, long Customer, string Type, DateTime At, string Text);

/// <summary>A theme customers wrote about: how many texts and customers, its share of the texts read, and examples.</summary>
public sealed record DigestThemeItem(string Theme, string Name, long Texts, long Customers, double Share, IReadOnlyList<DigestQuote> Quotes);

/// <summary>A promise that misses its target: where it stands and where it fails worst.</summary>
public sealed record DigestPromiseItem(string Key, string Name, string Claim, string Status, double Kept, long Judged, double Target, string? Worst);

/// <summary>A group of customers (a campaign, a sales team) that leaves early more than the others.</summary>
public sealed record DigestProfileItem(string By, string Key, long Customers, double EarlyChurn, double Others, double PValue, double UnservedNeed);

/// <summary>An agent whose short calls bring customers back.</summary>
/// <remarks><see cref="Fcr"/> is null when none of the agent's contacts says whether it was resolved at once.</remarks>
public sealed record DigestAgentItem(string Agent, long Contacts, double HandleSeconds, double Repeat, double? Fcr, double RepeatCost);

/// <summary>
/// One department's weekly digest, from the data: for marketing what customers value and which promises fail; for sales
/// which profiles leave early and why; for service why customers come back, who sends them back, and what it costs.
/// </summary>
public sealed record Digest(
    string Department, string Week, DateOnly From, DateOnly To, DateTime GeneratedAt,
    IReadOnlyList<DigestThemeItem> Themes, long TextsRead,
    IReadOnlyList<DigestPromiseItem>? Promises = null,
    IReadOnlyList<DigestProfileItem>? Profiles = null,
    IReadOnlyList<DigestAgentItem>? Agents = null,
    double? RepeatCost = null);

public static class Digests
{
    /// <summary>The departments that get a digest.</summary>
    public static readonly IReadOnlyList<string> Departments = ["marketing", "sales", "service"];

    /// <summary>The ISO week of a day (2026-W47) and its Monday-to-Sunday span.</summary>
    public static (string Week, DateOnly From, DateOnly To) WeekOf(DateOnly day)
    {
        var monday = day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
        var label = string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(day.ToDateTime(TimeOnly.MinValue))}-W{ISOWeek.GetWeekOfYear(day.ToDateTime(TimeOnly.MinValue)):00}");
        return (label, monday, monday.AddDays(6));
    }

    /// <summary>The digest as plain text, for e-mail: the department's findings in order, each with its figures and a customer's words.</summary>
    public static string Text(Digest digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        var o = new System.Text.StringBuilder();
        var c = CultureInfo.InvariantCulture;
        o.Append(c, $"OpenCXO weekly digest for {digest.Department}, {digest.Week} ({digest.From:yyyy-MM-dd} to {digest.To:yyyy-MM-dd})\n\n");
        void Themes(string heading)
        {
            o.Append(heading).Append('\n');
            if (digest.Themes.Count == 0)
            {
                o.Append("  nothing this week\n");
            }

            foreach (var t in digest.Themes)
            {
                o.Append(c, $"- {t.Name}: {t.Texts} texts from {t.Customers} customers ({t.Share:0.#} % of {digest.TextsRead})\n");
                foreach (var q in t.Quotes)
                {
                    o.Append(c, $"    \"{q.Text}\" ({q.Type}, {q.At:yyyy-MM-dd}, customer #{q.Customer})\n");
                }
            }

            o.Append('\n');
        }

        switch (digest.Department)
        {
            case "marketing":
                Themes("What customers value (themes of their positive survey comments and reviews, the last 28 days):");
                o.Append("Promises that fail:\n");
                foreach (var p in digest.Promises ?? [])
                {
                    o.Append(c, $"- {p.Name} (\"{p.Claim}\") is {p.Status}: kept {p.Kept:0.#} % of {p.Judged} contacts against {p.Target:0.#} %{(p.Worst is null ? "" : "; worst " + p.Worst)}\n");
                }

                if (digest.Promises is not { Count: > 0 })
                {
                    o.Append("  every promise is on track\n");
                }

                break;
            case "sales":
                o.Append("Customers who leave within 90 days, by profile:\n");
                foreach (var p in digest.Profiles ?? [])
                {
                    o.Append(c, $"- {p.By} {p.Key}: {p.EarlyChurn:0.#} % of {p.Customers} left within 90 days against {p.Others:0.#} % of the others (p = {p.PValue:0.####}); {p.UnservedNeed:0.#} % had a need their plan can't serve\n");
                }

                if (digest.Profiles is not { Count: > 0 })
                {
                    o.Append("  no profile leaves early more than the others beyond chance\n");
                }

                o.Append('\n');
                Themes("Why they leave (themes of cancellations within 90 days of the first payment, the last 90 days):");
                break;
            default:
                Themes("Why customers come back within 7 days (themes of the tickets they open again, the last 28 days):");
                o.Append("Short calls that bring customers back (the last 90 days):\n");
                foreach (var a in digest.Agents ?? [])
                {
                    o.Append(c, $"- {a.Agent}: {a.Contacts} contacts, {a.HandleSeconds:0} s average, {(a.Fcr is { } fcr ? fcr.ToString("0.#", c) + " %" : "–")} solved at once, {a.Repeat:0.#} % back within 7 days, repeats cost {a.RepeatCost:N0}\n");
                }

                if (digest.Agents is not { Count: > 0 })
                {
                    o.Append("  none flagged\n");
                }

                if (digest.RepeatCost is { } cost)
                {
                    o.Append(c, $"Repeat contacts cost {cost:N0} in agent time over the last 90 days.\n");
                }

                break;
        }

        return o.ToString();
    }
}
