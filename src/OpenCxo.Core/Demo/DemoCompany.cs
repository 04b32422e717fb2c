using OpenCxo.Core.Ingest;

namespace OpenCxo.Core.Demo;

/// <summary>
/// How big the demo company is and which one it is. The same options always give the same company.
/// </summary>
/// <param name="Customers">People in the company's records (subscribers, past subscribers and lost prospects); about 40 touchpoints each.</param>
/// <param name="Seed">Which company: another seed gives other people and other stories.</param>
public sealed record DemoOptions(int Customers = 5000, int Seed = 42)
{
    /// <summary>The end of the story (exclusive), in UTC; whole seconds are used.</summary>
    public DateTime End { get; init; } = new(2026, 10, 31, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>How far back the story starts from <see cref="End"/>; at least 90 days.</summary>
    public TimeSpan Span { get; init; } = TimeSpan.FromDays(730);
}

/// <summary>
/// The demo company everyone sees first: Hogara, a smart-home security company (alarm, cameras, sensors and an app
/// on a monthly plan) with customers in Spain, Mexico, the UK and the US, about 60 % of them Spanish speakers.
/// Every department and channel leaves touchpoints, free text comes in the customer's language, identities arrive
/// fragmented the way real systems fragment them, and the silo story of DESIGN.md is in the data to be found.
/// </summary>
/// <remarks>
/// <para>
/// The silo story: the <c>soporte-24-7</c> campaign ("Soporte 24/7" / "24/7 support", email and social) promised
/// round-the-clock support. Customers it won (their <c>lead.created</c> and <c>deal.won</c> carry
/// <c>campaign = "soporte-24-7"</c>) call at night, get the night desk (team <c>night</c>, short calls, few first-contact
/// resolutions, reopened tickets), write angry texts, score lower and cancel about three times as often as the rest.
/// </para>
/// <para>
/// Ordering and memory: the sequence is a true streaming merge, sorted by <see cref="CanonicalEvent.OccurredAt"/> and
/// then by <see cref="CanonicalEvent.Id"/> (ordinal) whatever the size. Each customer's life is played lazily, a few
/// touchpoints ahead of the stream, so memory grows with the number of customers (a few kilobytes each) and not
/// with the number of touchpoints: 125,000 customers stream 5.2 million touchpoints in under 400 MB, where holding
/// them would take several GB. Customers whose story is over are dropped from the merge.
/// </para>
/// <para>
/// Determinism: a customer's story depends only on the seed and the customer's number (one pseudo-random stream per
/// customer, no clock, no process-randomised hashing), so two enumerations with the same options are identical and
/// customer 17 is the same person whether the company has 1,000 customers or 100,000. (Math library functions may
/// differ in the last bit between platforms, which can change a rare customer's story there.) Email addresses use reserved
/// domains (<c>example.com</c>, <c>*.example</c>); phone numbers are well-formed but not reserved, so never dial them.
/// </para>
/// </remarks>
public static class DemoCompany
{
    /// <summary>The most customers one call generates.</summary>
    public const int MaxCustomers = 1_000_000;

    /// <summary>The value of <c>attributes.campaign</c> that marks the 24/7 campaign and the customers it won.</summary>
    public const string SupportCampaign = DemoCalendar.SupportCampaignSlug;

    /// <summary>Streams the demo company's touchpoints in time order; see the remarks on <see cref="DemoCompany"/>.</summary>
    public static IEnumerable<CanonicalEvent> Generate(DemoOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Customers, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Customers, MaxCustomers, nameof(options));
        if (options.Span < TimeSpan.FromDays(90))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Span, "The demo needs a span of at least 90 days.");
        }

        if (options.End.Kind == DateTimeKind.Local)
        {
            throw new ArgumentException("End must be a UTC time (a local time would make the demo depend on the machine).", nameof(options));
        }

        var end = new DateTime(options.End.Ticks - (options.End.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        var start = end - TimeSpan.FromSeconds(Math.Floor(options.Span.TotalSeconds));
        if (start.Year < 1971)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "The demo must start after 1970.");
        }

        return Stream(options.Customers, options.Seed, new DemoCalendar(start, end));
    }

    private static IEnumerable<CanonicalEvent> Stream(int customers, int seed, DemoCalendar calendar)
    {
        using var json = new DemoJson();
        var queue = new PriorityQueue<DemoCustomer, (DateTime At, string Id)>(customers, StreamOrder.Instance);
        for (var number = 1; number <= customers; number++)
        {
            var customer = new DemoCustomer(number, seed, calendar, json);
            customer.Start();
            if (TryKey(customer, out var key))
            {
                queue.Enqueue(customer, key);
            }
        }

        while (queue.TryPeek(out var customer, out _))
        {
            if (customer.Head is { } head && head.OccurredAt < customer.NextEpisodeAt)
            {
                yield return customer.Take();
            }
            else
            {
                customer.Play();
            }

            // One sift instead of a removal and an insertion: the customer usually stays near the top.
            if (TryKey(customer, out var key))
            {
                queue.DequeueEnqueue(customer, key);
            }
            else
            {
                queue.Dequeue();
            }
        }
    }

    /// <summary>
    /// Where a customer stands in the merge: its next touchpoint, or the start of its next episode if that comes first
    /// (an empty id sorts an episode before any touchpoint at the same instant, so it is played before anything is emitted).
    /// </summary>
    private static bool TryKey(DemoCustomer customer, out (DateTime At, string Id) key)
    {
        var head = customer.Head;
        var episode = customer.NextEpisodeAt;
        if (head is not null && head.OccurredAt < episode)
        {
            key = (head.OccurredAt, head.Id);
            return true;
        }

        key = (episode, "");
        return episode != DateTime.MaxValue;
    }

    private sealed class StreamOrder : IComparer<(DateTime At, string Id)>
    {
        public static readonly StreamOrder Instance = new();

        public int Compare((DateTime At, string Id) x, (DateTime At, string Id) y)
        {
            var byTime = x.At.CompareTo(y.At);
            return byTime != 0 ? byTime : string.CompareOrdinal(x.Id, y.Id);
        }
    }
}
