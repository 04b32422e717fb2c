using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using OpenCxo.Core.Demo;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Profiles;

namespace OpenCxo.Core.Tests.Demo;

/// <summary>The default demo company, generated once for the tests that look at the whole of it.</summary>
public sealed class DefaultDemoCompany
{
    public DefaultDemoCompany()
    {
        Events = [.. DemoCompany.Generate(Options)];

        // Resolve identities the way ingest does, so the story is measured as the product will measure it.
        var graph = new IdentityGraph();
        long lastId = 0;
        var owners = new long[Events.Count];
        for (var i = 0; i < Events.Count; i++)
        {
            var e = Events[i];
            owners[i] = graph.Resolve(e.Identities, e.OccurredAt, e.Id, () => ++lastId);
        }

        var changes = graph.TakeChanges();
        Merges = changes.Merges.Count;
        Owners = [.. owners.Select(graph.Find)];
    }

    public DemoOptions Options { get; } = new();

    public IReadOnlyList<CanonicalEvent> Events { get; }

    /// <summary>The resolved customer of each event.</summary>
    public IReadOnlyList<long> Owners { get; }

    public int Merges { get; }
}

public sealed class DemoCompanyTests(DefaultDemoCompany company) : IClassFixture<DefaultDemoCompany>
{
    private static readonly string[] Departments = ["marketing", "sales", "service", "product", "other"];
    private static readonly string[] Languages = ["es", "en"];
    private static readonly string[] Countries = ["ES", "MX", "GB", "US"];
    private static readonly string[] Segments = ["consumer", "smb", "enterprise"];
    private static readonly SearchValues<char> SpanishLetters = SearchValues.Create("ñáéíóú¿¡");

    [Fact]
    public void Same_options_give_the_identical_sequence()
    {
        var options = new DemoOptions(Customers: 200, Seed: 7);
        var first = DemoCompany.Generate(options).ToList();
        var second = DemoCompany.Generate(options).ToList();

        Assert.Equal(first.Count, second.Count);
        for (var i = 0; i < first.Count; i++)
        {
            Assert.Equal(Describe(first[i]), Describe(second[i]));
        }
    }

    [Fact]
    public void Different_seeds_give_different_companies()
    {
        var a = DemoCompany.Generate(new DemoOptions(200, Seed: 1)).Take(2_000).Select(Describe).ToList();
        var b = DemoCompany.Generate(new DemoOptions(200, Seed: 2)).Take(2_000).Select(Describe).ToList();

        Assert.NotEqual(a, b);
        Assert.True(a.Intersect(b).Count() < a.Count / 10);
    }

    [Fact]
    public void A_customer_is_the_same_person_whatever_the_size_of_the_company()
    {
        static List<string> Customer17(int customers) =>
            [.. DemoCompany.Generate(new DemoOptions(customers)).Where(e => e.Id.StartsWith("demo-000017-", StringComparison.Ordinal)).Select(Describe)];

        Assert.Equal(Customer17(50), Customer17(400));
    }

    [Fact]
    public void Events_are_sorted_by_time_then_id_and_ids_are_unique()
    {
        var events = company.Events;
        for (var i = 1; i < events.Count; i++)
        {
            var order = events[i - 1].OccurredAt.CompareTo(events[i].OccurredAt);
            Assert.True(order < 0 || (order == 0 && string.CompareOrdinal(events[i - 1].Id, events[i].Id) < 0), $"out of order at {i}: {events[i - 1].Id}, {events[i].Id}");
        }

        Assert.Equal(events.Count, events.Select(e => e.Id).Distinct(StringComparer.Ordinal).Count());
        Assert.All(events, e => Assert.True(e.Id.Length <= EventParser.MaxIdLength));
    }

    [Fact]
    public void Events_fall_inside_the_span()
    {
        var end = company.Options.End;
        var start = end - company.Options.Span;
        Assert.All(company.Events, e =>
        {
            Assert.Equal(DateTimeKind.Utc, e.OccurredAt.Kind);
            Assert.InRange(e.OccurredAt, start, end.AddTicks(-1));
        });
    }

    [Fact]
    public void Every_event_passes_the_event_parser_unchanged()
    {
        // A company of its own (another seed, a fifth of the size) keeps the test quick; the code paths are the same.
        var parser = new EventParser(new IdentityNormalizer("ES"));
        var count = 0;
        foreach (var e in DemoCompany.Generate(new DemoOptions(Customers: 1_000, Seed: 3)))
        {
            using var document = JsonDocument.Parse(ToCanonicalJson(e));
            if (!parser.TryParse(document.RootElement, out var parsed, out var errors))
            {
                Assert.Fail(e.Id + ": " + string.Join("; ", errors.Select(x => x.Field + " " + x.Message)));
            }

            Assert.Equal(Describe(e), Describe(parsed!));
            count++;
        }

        Assert.True(count > 30_000);
    }

    [Fact]
    public void Types_are_namespace_verb_values_have_currencies_and_profile_attributes_are_scalar()
    {
        Assert.All(company.Events.Select(e => e.Type).Distinct(), type => Assert.Matches("^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$", type));
        Assert.All(company.Events, e =>
        {
            Assert.True(e.Value == 0 || e.Currency is "EUR" or "GBP" or "USD" or "MXN", e.Id);
            Assert.True(e.AttributesJson is null || e.AttributesJson.Length <= EventParser.MaxAttributesJsonLength);
        });
        Assert.All(company.Events.Where(e => e.ProfileFields.Count > 0).SelectMany(e => e.ProfileFields), field =>
        {
            using var value = JsonDocument.Parse(field.ValueJson);
            Assert.DoesNotContain(value.RootElement.ValueKind, new[] { JsonValueKind.Object, JsonValueKind.Array });
        });
    }

    [Fact]
    public void All_departments_and_all_channels_appear()
    {
        var departments = company.Events.Select(e => e.Department.Name()).ToHashSet();
        var channels = company.Events.Select(e => e.Channel.Name()).ToHashSet();

        Assert.Equal(Departments.Order(StringComparer.Ordinal), departments.Order(StringComparer.Ordinal));
        Assert.Equal(Vocabulary.Channels.Order(StringComparer.Ordinal), channels.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void All_known_types_appear()
    {
        string[] known =
        [
            "campaign.sent", "campaign.opened", "campaign.clicked", "lead.created", "lead.qualified", "deal.won", "deal.lost",
            "order.placed", "subscription.started", "subscription.renewed", "subscription.cancelled", "refund.issued",
            "ticket.opened", "ticket.resolved", "ticket.reopened", "call.completed", "chat.completed", "review.posted",
            "referral.made", "survey.response", "app.session", "device.alert",
        ];
        var types = company.Events.Select(e => e.Type).ToHashSet();

        Assert.All(known, type => Assert.Contains(type, types));
    }

    [Fact]
    public void Counts_are_near_target()
    {
        Assert.InRange(company.Events.Count, 150_000, 250_000);
        Assert.Equal(company.Options.Customers, company.Owners.Distinct().Count());

        var small = DemoCompany.Generate(new DemoOptions(500)).Count();
        Assert.InRange(small, 15_000, 25_000);
    }

    [Fact]
    public void Identity_fragments_merge_into_one_profile_per_customer()
    {
        // A few hundred merges: early touchpoints that knew only a phone, a shop account or a CRM id.
        Assert.InRange(company.Merges, 150, 1_000);
        Assert.Contains(company.Events, e => e.Identities is [{ Kind: IdentityKey.PhoneKind }]);
        Assert.Contains(company.Events, e => e.Identities is [{ Kind: "ext:shop" }]);
        Assert.Contains(company.Events, e => e.Identities is [{ Kind: "ext:crm" }]);
        foreach (var system in new[] { "crm", "helpdesk", "shop", "app" })
        {
            Assert.Contains(company.Events, e => e.Identities.Any(k => k.System == system));
        }
    }

    [Fact]
    public void Each_customer_first_touchpoint_carries_the_profile()
    {
        var seen = new HashSet<long>();
        var spanish = 0;
        for (var i = 0; i < company.Events.Count; i++)
        {
            var e = company.Events[i];
            var customer = e.Id[..11];
            if (!seen.Add(long.Parse(customer[5..], CultureInfo.InvariantCulture)))
            {
                continue;
            }

            var fields = e.ProfileFields.ToDictionary(f => f.Name, f => JsonDocument.Parse(f.ValueJson).RootElement.GetString());
            Assert.Contains("name", fields.Keys);
            Assert.Contains(fields["language"], Languages);
            Assert.Contains(fields["country"], Countries);
            Assert.Contains(fields["segment"], Segments);
            Assert.Equal(fields["language"] == "es", fields["country"] is "ES" or "MX");
            spanish += fields["language"] == "es" ? 1 : 0;
        }

        Assert.Equal(company.Options.Customers, seen.Count);
        Assert.InRange(spanish / (double)seen.Count, 0.55, 0.65);
    }

    [Fact]
    public void The_24_7_campaign_customers_churn_more_and_are_served_worse()
    {
        var customers = new Dictionary<long, Story>();
        for (var i = 0; i < company.Events.Count; i++)
        {
            var e = company.Events[i];
            if (!customers.TryGetValue(company.Owners[i], out var story))
            {
                customers[company.Owners[i]] = story = new Story();
            }

            story.Read(e);
        }

        var subscribers = customers.Values.Where(s => s.Subscribed).ToList();
        var support = subscribers.Where(s => s.FromSupportCampaign).ToList();
        var others = subscribers.Where(s => !s.FromSupportCampaign).ToList();
        Assert.InRange(support.Count, 300, 900);

        var supportChurn = support.Count(s => s.Cancelled) / (double)support.Count;
        var otherChurn = others.Count(s => s.Cancelled) / (double)others.Count;
        Assert.True(supportChurn >= 2 * otherChurn, $"churn {supportChurn:P1} vs {otherChurn:P1}");
        Assert.InRange(otherChurn, 0.08, 0.25);
        Assert.InRange(supportChurn, 0.3, 0.65);

        var supportContacts = support.SelectMany(s => s.Contacts).ToList();
        var otherContacts = others.SelectMany(s => s.Contacts).ToList();
        var companyMedian = Median(subscribers.SelectMany(s => s.Contacts).Select(c => c.HandleSeconds));
        Assert.InRange(companyMedian, 300, 550);
        Assert.True(Median(supportContacts.Select(c => c.HandleSeconds)) < 0.7 * Median(otherContacts.Select(c => c.HandleSeconds)));
        Assert.True(Share(supportContacts, c => c.FirstContactResolution) < 0.5 * Share(otherContacts, c => c.FirstContactResolution));
        Assert.True(Share(supportContacts, c => c.Team == "night") > 0.4);
        Assert.True(Share(otherContacts, c => c.Team == "night") < 0.1);

        var nightHours = supportContacts.Where(c => c.Team == "night").Select(c => c.HourLocal).ToList();
        Assert.True(Share(nightHours, h => h <= 5) > 0.9);
        Assert.True(Share(supportContacts.Where(c => c.Team == "night").ToList(), c => c.HandleSeconds is >= 60 and <= 240) > 0.7);

        Assert.True(support.Sum(s => s.Reopened) / (double)support.Count > 2 * others.Sum(s => s.Reopened) / (double)others.Count);
        Assert.True(support.SelectMany(s => s.Csat).Average() < others.SelectMany(s => s.Csat).Average() - 0.8);
        Assert.True(support.SelectMany(s => s.Nps).Average() < others.SelectMany(s => s.Nps).Average() - 0.5);
    }

    [Fact]
    public void Texts_are_bilingual_varied_and_about_the_themes()
    {
        var texts = company.Events.Where(e => e.Text is not null).Select(e => e.Text!).ToList();
        var spanish = texts.Count(t => t.AsSpan().IndexOfAny(SpanishLetters) >= 0);
        var english = texts.Count(t => t.Contains(" the ", StringComparison.Ordinal) || t.StartsWith("The ", StringComparison.Ordinal));

        Assert.True(spanish > texts.Count / 4, $"{spanish} of {texts.Count} texts look Spanish");
        Assert.True(english > texts.Count / 5, $"{english} of {texts.Count} texts look English");
        Assert.True(texts.Distinct(StringComparer.Ordinal).Count() > 1_000);
        Assert.True(DemoTexts.TemplateCount >= 40);
        foreach (var theme in new[] { "factura", "billing", "pedido", "delivery", "app", "espera", "hold", "amable", "friendly", "precio", "price", "24/7" })
        {
            Assert.Contains(texts, t => t.Contains(theme, StringComparison.OrdinalIgnoreCase));
        }

        foreach (var type in new[] { "ticket.opened", "call.completed", "chat.completed", "review.posted", "survey.response" })
        {
            Assert.Contains(company.Events, e => e.Type == type && e.Text is not null);
        }
    }

    [Fact]
    public void Large_companies_stream_in_order_from_the_start()
    {
        var previous = DateTime.MinValue;
        var count = 0;
        foreach (var e in DemoCompany.Generate(new DemoOptions(Customers: 50_000)).Take(10_000))
        {
            Assert.True(e.OccurredAt >= previous);
            previous = e.OccurredAt;
            count++;
        }

        Assert.Equal(10_000, count);
        Assert.True(previous < new DateTime(2024, 12, 31, 0, 0, 0, DateTimeKind.Utc), "the first touchpoints of a large company come from its first weeks");
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Empty(DemoCompany.Generate(new DemoOptions(Customers: 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => DemoCompany.Generate(new DemoOptions(Customers: -1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => DemoCompany.Generate(new DemoOptions(Customers: DemoCompany.MaxCustomers + 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => DemoCompany.Generate(new DemoOptions { Span = TimeSpan.FromDays(10) }));
        Assert.Throws<ArgumentException>(() => DemoCompany.Generate(new DemoOptions { End = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Local) }));
    }

    [Fact]
    public void A_shorter_span_keeps_the_story()
    {
        var options = new DemoOptions(Customers: 400) { Span = TimeSpan.FromDays(365), End = new DateTime(2025, 6, 30, 0, 0, 0, DateTimeKind.Utc) };
        var events = DemoCompany.Generate(options).ToList();

        Assert.InRange(events.Count, 4_000, 20_000);
        Assert.All(events, e => Assert.InRange(e.OccurredAt, options.End - options.Span, options.End));
        Assert.Contains(events, e => e.Type == "deal.won" && e.AttributesJson!.Contains("\"campaign\":\"soporte-24-7\"", StringComparison.Ordinal));
    }

    /// <summary>Everything an event says, in one comparable string.</summary>
    private static string Describe(CanonicalEvent e) => string.Join(
        "|",
        e.Id,
        string.Join(",", e.Identities),
        e.OccurredAt.ToString("O", CultureInfo.InvariantCulture),
        e.OccurredAt.Kind,
        e.Department,
        e.Channel,
        e.Type,
        e.Value.ToString(CultureInfo.InvariantCulture),
        e.Currency,
        e.Text,
        e.AttributesJson,
        string.Join(",", e.ProfileFields.Select(f => f.Name + "=" + f.ValueJson)));

    /// <summary>An event back in the canonical JSON shape a sender would post, written by the product's own writer.</summary>
    private static string ToCanonicalJson(CanonicalEvent e)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            CanonicalEventWriter.Write(json, e);
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static double Median(IEnumerable<int> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
    }

    private static double Share<T>(IReadOnlyCollection<T> items, Func<T, bool> predicate) =>
        items.Count == 0 ? 0 : items.Count(predicate) / (double)items.Count;

    private sealed record Contact(int HandleSeconds, bool FirstContactResolution, string Team, int HourLocal);

    /// <summary>What the metrics need to know about one resolved customer.</summary>
    private sealed class Story
    {
        public bool FromSupportCampaign { get; private set; }

        public bool Subscribed { get; private set; }

        public bool Cancelled { get; private set; }

        public int Reopened { get; private set; }

        public List<Contact> Contacts { get; } = [];

        public List<int> Csat { get; } = [];

        public List<int> Nps { get; } = [];

        public void Read(CanonicalEvent e)
        {
            using var attributes = JsonDocument.Parse(e.AttributesJson ?? "{}");
            var a = attributes.RootElement;
            switch (e.Type)
            {
                case "deal.won" when a.TryGetProperty("campaign", out var campaign) && campaign.GetString() == DemoCompany.SupportCampaign:
                    FromSupportCampaign = true;
                    break;
                case "subscription.started" or "subscription.renewed":
                    Subscribed = true;
                    break;
                case "subscription.cancelled":
                    Subscribed = true;
                    Cancelled = true;
                    break;
                case "ticket.reopened":
                    Reopened++;
                    break;
                case "call.completed" or "chat.completed":
                    Contacts.Add(new Contact(
                        a.GetProperty("handleSeconds").GetInt32(),
                        a.GetProperty("firstContactResolution").GetBoolean(),
                        a.GetProperty("team").GetString()!,
                        a.GetProperty("hourLocal").GetInt32()));
                    break;
                case "survey.response":
                    (a.GetProperty("survey").GetString() == "nps" ? Nps : Csat).Add(a.GetProperty("score").GetInt32());
                    break;
            }
        }
    }
}
