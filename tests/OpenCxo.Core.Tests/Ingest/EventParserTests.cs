using System.Text.Json;
using System.Text.Json.Nodes;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Profiles;

namespace OpenCxo.Core.Tests.Ingest;

public class EventParserTests
{
    // The canonical event of DESIGN.md ("Vocabulary"), with the time given at +01:00, a messy email and a value.
    private const string DesignExample = """
        { "id": "crm-ticket-88121-resolved",
          "customer": { "email": " Ana@Example.COM ", "phone": "+34 600 111 222",
                        "externalIds": { "CRM": "C-1001", "helpdesk": "u-77" },
                        "attributes": { "name": "Ana García", "vip": true, "age": 41, "nickname": null } },
          "occurredAt": "2026-03-02T04:14:00+01:00",
          "department": "service",
          "channel": "phone",
          "type": "ticket.resolved",
          "value": 12.3456, "currency": "EUR",
          "text": "Llamé a las 3 de la mañana y nadie contestó…",
          "attributes": { "ticketId": "88121", "agent": "a-12", "team": "L1",
                          "handleSeconds": 240, "firstContactResolution": false, "campaign": "spring-24x7" } }
        """;

    private readonly EventParser _parser = new(new IdentityNormalizer("ES"));

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    /// <summary>The DESIGN.md example with one field (dotted path) replaced by <paramref name="json"/>, or removed when null.</summary>
    private static JsonElement ExampleWith(string path, string? json)
    {
        var root = JsonNode.Parse(DesignExample)!.AsObject();
        var parts = path.Split('.');
        var parent = root;
        foreach (var part in parts[..^1])
        {
            parent = parent[part]!.AsObject();
        }

        if (json is null)
        {
            parent.Remove(parts[^1]);
        }
        else
        {
            parent[parts[^1]] = JsonNode.Parse(json);
        }

        return Json(root.ToJsonString());
    }

    private List<FieldError> Errors(JsonElement element)
    {
        Assert.False(_parser.TryParse(element, out var parsed, out var errors));
        Assert.Null(parsed);
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Message)));
        return errors;
    }

    [Fact]
    public void Design_example_parses_into_normalised_event()
    {
        Assert.True(_parser.TryParse(Json(DesignExample), out var parsed, out var errors), string.Join("; ", errors));
        Assert.Empty(errors);
        var e = parsed!;

        Assert.Equal("crm-ticket-88121-resolved", e.Id);
        Assert.Equal(
            [
                IdentityKey.Email("ana@example.com"),
                IdentityKey.Phone("+34600111222"),
                IdentityKey.External("crm", "C-1001"),
                IdentityKey.External("helpdesk", "u-77"),
            ],
            e.Identities);
        Assert.Equal(new DateTime(2026, 3, 2, 3, 14, 0, DateTimeKind.Utc), e.OccurredAt);
        Assert.Equal(DateTimeKind.Utc, e.OccurredAt.Kind);
        Assert.Equal(Department.Service, e.Department);
        Assert.Equal(Channel.Phone, e.Channel);
        Assert.Equal("ticket.resolved", e.Type);
        Assert.Equal(12.3456m, e.Value);
        Assert.Equal(123_456L, e.ValueE4);
        Assert.Equal("EUR", e.Currency);
        Assert.Equal("Llamé a las 3 de la mañana y nadie contestó…", e.Text);
        Assert.Equal(
            JsonNode.Parse("""{ "ticketId": "88121", "agent": "a-12", "team": "L1", "handleSeconds": 240, "firstContactResolution": false, "campaign": "spring-24x7" }"""),
            JsonNode.Parse(e.AttributesJson!),
            JsonNode.DeepEquals);
        Assert.Equal(
            [new("name", "\"Ana García\""), new("vip", "true"), new("age", "41"), new("nickname", "null")],
            e.ProfileFields);
    }

    [Fact]
    public void Minimal_event_needs_only_id_customer_time_department_channel_and_type()
    {
        var json = """
            { "id": "e-1", "customer": { "externalIds": { "shop": 42 } }, "occurredAt": "2026-03-02T03:14:00Z",
              "department": "sales", "channel": "store", "type": "order.placed" }
            """;

        Assert.True(_parser.TryParse(Json(json), out var e, out var errors), string.Join("; ", errors));

        Assert.Equal([IdentityKey.External("shop", "42")], e!.Identities);
        Assert.Equal(0m, e.Value);
        Assert.Equal(0L, e.ValueE4);
        Assert.Null(e.Currency);
        Assert.Null(e.Text);
        Assert.Null(e.AttributesJson);
        Assert.Empty(e.ProfileFields);
    }

    [Theory]
    [InlineData("2026-03-02T03:14:00Z", "2026-03-02T03:14:00")]
    [InlineData("2026-03-02T03:14:00.123456z", "2026-03-02T03:14:00.123456")]
    [InlineData("2026-03-02T03:14:00.1234567Z", "2026-03-02T03:14:00.123456")] // storage keeps microseconds
    [InlineData("2026-03-02T04:14:00+01:00", "2026-03-02T03:14:00")]
    [InlineData("2026-03-01T22:14:00-05:00", "2026-03-02T03:14:00")]
    [InlineData("2026-03-02T08:44:00+05:30", "2026-03-02T03:14:00")]
    public void Time_with_a_zone_becomes_UTC(string occurredAt, string utc)
    {
        Assert.True(_parser.TryParse(ExampleWith("occurredAt", JsonSerializer.Serialize(occurredAt)), out var e, out var errors), string.Join("; ", errors));

        Assert.Equal(DateTime.SpecifyKind(DateTime.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc), e!.OccurredAt);
        Assert.Equal(DateTimeKind.Utc, e.OccurredAt.Kind);
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("-12.5", -125_000L)]
    [InlineData("1.23455", 12_346L)]
    [InlineData("1.23445", 12_344L)]
    [InlineData("99.99", 999_900L)]
    [InlineData("1000000000000", 10_000_000_000_000_000L)]
    public void Value_is_kept_in_ten_thousandths_rounded_half_to_even(string value, long valueE4)
    {
        Assert.True(_parser.TryParse(ExampleWith("value", value), out var e, out var errors), string.Join("; ", errors));

        Assert.Equal(valueE4, e!.ValueE4);
    }

    [Fact]
    public void Duplicate_external_ids_give_one_key()
    {
        Assert.True(_parser.TryParse(ExampleWith("customer.externalIds", """{ "crm": "C-1001", "CRM": " C-1001 " }"""), out var e, out _));

        Assert.Single(e!.Identities, k => k.IsExternal);
    }

    [Theory]
    [InlineData("id", null, "id")]
    [InlineData("id", "\"  \"", "id")]
    [InlineData("id", "1001", "id")]
    [InlineData("customerId", "\"C-1001\"", "customerId")]
    [InlineData("customer", null, "customer")]
    [InlineData("customer", "\"ana@example.com\"", "customer")]
    [InlineData("customer", "{}", "customer")]
    [InlineData("customer", """{ "attributes": { "name": "Ana" } }""", "customer")]
    [InlineData("customer.name", "\"Ana\"", "customer.name")]
    [InlineData("customer.email", "\"ana.example.com\"", "customer.email")]
    [InlineData("customer.email", "42", "customer.email")]
    [InlineData("customer.phone", "\"hello\"", "customer.phone")]
    [InlineData("customer.externalIds", "[\"C-1001\"]", "customer.externalIds")]
    [InlineData("customer.externalIds.crm", """{ "id": "C-1001" }""", "customer.externalIds.crm")]
    [InlineData("customer.externalIds.crm", "true", "customer.externalIds.crm")]
    [InlineData("customer.externalIds.crm", "\"\"", "customer.externalIds.crm")]
    [InlineData("customer.attributes", "\"Ana\"", "customer.attributes")]
    [InlineData("customer.attributes.address", """{ "city": "Madrid" }""", "customer.attributes.address")]
    [InlineData("occurredAt", null, "occurredAt")]
    [InlineData("occurredAt", "\"2026-03-02T03:14:00\"", "occurredAt")]
    [InlineData("occurredAt", "\"2026-03-02\"", "occurredAt")]
    [InlineData("occurredAt", "\"yesterday\"", "occurredAt")]
    [InlineData("occurredAt", "1772421240", "occurredAt")]
    [InlineData("occurredAt", "\"1969-12-31T23:59:59Z\"", "occurredAt")]
    [InlineData("occurredAt", "\"1970-01-01T00:30:00+01:00\"", "occurredAt")]
    [InlineData("department", null, "department")]
    [InlineData("department", "2", "department")]
    [InlineData("department", "\"support\"", "department")]
    [InlineData("department", "\"Service\"", "department")]
    [InlineData("channel", "\"fax\"", "channel")]
    [InlineData("channel", "[\"phone\"]", "channel")]
    [InlineData("type", "\"Ticket Resolved\"", "type")]
    [InlineData("type", "\"ticket\"", "type")]
    [InlineData("type", "\"ticket.\"", "type")]
    [InlineData("value", "\"12\"", "value")]
    [InlineData("value", "1000000000000.01", "value")]
    [InlineData("value", "1e30", "value")]
    [InlineData("currency", "\"eur\"", "currency")]
    [InlineData("currency", "\"EURO\"", "currency")]
    [InlineData("currency", "978", "currency")]
    [InlineData("currency", null, "currency")]
    [InlineData("text", "42", "text")]
    [InlineData("attributes", "[1, 2]", "attributes")]
    [InlineData("attributes", "\"ticketId=88121\"", "attributes")]
    public void Invalid_field_is_named_in_the_error(string path, string? json, string field)
    {
        var errors = Errors(ExampleWith(path, json));

        Assert.All(errors, e => Assert.Equal(field, e.Field));
    }

    [Theory]
    [InlineData("\"Ana García\"", "\"Ana \\ud800\"", "customer.attributes.name")]
    [InlineData("\"name\"", "\"na\\udc00me\"", "customer.attributes.na\\udc00me")]
    public void Escaped_half_surrogate_pair_is_rejected_with_its_field(string original, string replacement, string field)
    {
        // Valid JSON, but "\ud800" alone is not text: System.Text.Json throws when reading it as a string.
        var json = DesignExample.Replace(original, replacement, StringComparison.Ordinal);
        Assert.NotEqual(DesignExample, json);

        var error = Assert.Single(Errors(Json(json)));

        Assert.Equal(field, error.Field);
        Assert.Contains("surrogate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Value_without_currency_is_rejected()
    {
        var root = JsonNode.Parse(DesignExample)!.AsObject();
        root.Remove("currency");
        root["value"] = 12.5m;

        var errors = Errors(Json(root.ToJsonString()));

        Assert.Equal("currency", Assert.Single(errors).Field);
    }

    [Fact]
    public void Zero_value_needs_no_currency()
    {
        var root = JsonNode.Parse(DesignExample)!.AsObject();
        root.Remove("currency");
        root["value"] = 0;

        Assert.True(_parser.TryParse(Json(root.ToJsonString()), out var e, out _));
        Assert.Null(e!.Currency);
    }

    [Fact]
    public void Text_of_a_megabyte_is_rejected()
    {
        var errors = Errors(ExampleWith("text", JsonSerializer.Serialize(new string('a', 1_000_000))));

        var error = Assert.Single(errors);
        Assert.Equal("text", error.Field);
        Assert.Contains(EventParser.MaxTextLength.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_of_exactly_the_limit_is_accepted()
    {
        Assert.True(_parser.TryParse(ExampleWith("text", JsonSerializer.Serialize(new string('a', EventParser.MaxTextLength))), out var e, out _));
        Assert.Equal(EventParser.MaxTextLength, e!.Text!.Length);
    }

    [Fact]
    public void Too_many_attributes_are_rejected()
    {
        var attributes = new JsonObject();
        for (var i = 0; i <= EventParser.MaxAttributes; i++)
        {
            attributes["a" + i] = i;
        }

        var errors = Errors(ExampleWith("attributes", attributes.ToJsonString()));

        Assert.Equal("attributes", Assert.Single(errors).Field);
    }

    [Fact]
    public void Event_that_is_not_an_object_is_rejected()
    {
        var errors = Errors(Json("[1, 2, 3]"));

        Assert.Equal("$", Assert.Single(errors).Field);
    }

    [Fact]
    public void Several_errors_are_reported_at_once()
    {
        var json = """
            { "customer": { "email": "ana.example.com", "externalIds": { "crm": { "id": 1 } } },
              "occurredAt": "2026-03-02T03:14:00",
              "department": 2, "channel": "fax", "type": "Ticket Resolved",
              "value": "12", "currency": "eur", "attributes": [], "source": "crm" }
            """;

        var errors = Errors(Json(json));

        Assert.Equal(
            ["attributes", "channel", "currency", "customer.email", "customer.externalIds.crm", "department", "id", "occurredAt", "source", "type", "value"],
            errors.Select(e => e.Field).Distinct().Order(StringComparer.Ordinal));
    }
}
