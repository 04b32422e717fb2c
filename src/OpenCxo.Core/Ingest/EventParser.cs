using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpenCxo.Core.Profiles;

namespace OpenCxo.Core.Ingest;

/// <summary>
/// Validates one event in the canonical JSON shape and normalises it. Every problem is reported with the
/// field it concerns, so a sender can fix the record; nothing is silently dropped or guessed.
/// </summary>
public sealed partial class EventParser(IdentityNormalizer identities)
{
    public const int MaxIdLength = 200;
    public const int MaxTypeLength = 100;
    public const int MaxTextLength = 100_000;
    public const int MaxAttributes = 100;
    public const int MaxAttributesJsonLength = 32_768;
    public const decimal MaxAbsoluteValue = 1_000_000_000_000m;

    private static readonly string[] TopLevelFields =
        ["id", "customer", "occurredAt", "department", "channel", "type", "value", "currency", "text", "attributes"];

    private static readonly string[] CustomerFields = ["email", "phone", "externalIds", "attributes"];

    // Compared as UTF-8, so that checking field names allocates nothing.
    private static readonly byte[][] TopLevelFieldsUtf8 = [.. TopLevelFields.Select(Encoding.UTF8.GetBytes)];
    private static readonly byte[][] CustomerFieldsUtf8 = [.. CustomerFields.Select(Encoding.UTF8.GetBytes)];

    private static bool IsOneOf(JsonProperty property, byte[][] names)
    {
        foreach (var name in names)
        {
            if (property.NameEquals(name))
            {
                return true;
            }
        }

        return false;
    }

    // namespace.verb, e.g. ticket.resolved or survey.response; more dotted parts are allowed (app.feature.used).
    [GeneratedRegex("^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$", RegexOptions.CultureInvariant)]
    private static partial Regex TypePattern();

    /// <summary>Whether <paramref name="type"/> is a touchpoint type an event may carry (namespace.verb, at most <see cref="MaxTypeLength"/> characters).</summary>
    public static bool IsEventType(string? type) => type is { Length: > 0 and <= MaxTypeLength } && TypePattern().IsMatch(type);

    public IdentityNormalizer Identities => identities;

    /// <summary>Reads an event; on failure <paramref name="errors"/> lists every field at fault.</summary>
    public bool TryParse(JsonElement element, out CanonicalEvent? parsed, out List<FieldError> errors)
    {
        try
        {
            return TryParseText(element, out parsed, out errors);
        }
        catch (InvalidOperationException)
        {
            // JsonElement.GetString throws on an escaped lone surrogate ("\ud800"): valid JSON, but not text.
            parsed = null;
            var field = JsonFieldLocator.FieldAt(JsonMarshal.GetRawUtf8Value(element), -1);
            errors = [new(field, "contains a \\u escape of half a surrogate pair, which is not text")];
            return false;
        }
    }

    private bool TryParseText(JsonElement element, out CanonicalEvent? parsed, out List<FieldError> errors)
    {
        errors = [];
        parsed = null;
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new("$", $"an event must be a JSON object, not {Describe(element.ValueKind)}"));
            return false;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (!IsOneOf(property, TopLevelFieldsUtf8))
            {
                errors.Add(new(property.Name, "is not a field of an event (fields: " + string.Join(", ", TopLevelFields) + ")"));
            }
        }

        var id = RequiredString(element, "id", MaxIdLength, errors);
        var keys = new List<IdentityKey>(3);
        var profile = new List<ProfileField>();
        ReadCustomer(element, keys, profile, errors);
        var occurredAt = ReadTime(element, errors);

        var department = Department.Other;
        var departmentText = RequiredString(element, "department", 20, errors);
        if (departmentText is not null && !Vocabulary.TryParseDepartment(departmentText, out department))
        {
            errors.Add(new("department", $"'{departmentText}' is not a department (one of: {string.Join(", ", Vocabulary.Departments)})"));
        }

        var channel = Channel.Other;
        var channelText = RequiredString(element, "channel", 20, errors);
        if (channelText is not null && !Vocabulary.TryParseChannel(channelText, out channel))
        {
            errors.Add(new("channel", $"'{channelText}' is not a channel (one of: {string.Join(", ", Vocabulary.Channels)})"));
        }

        var type = RequiredString(element, "type", MaxTypeLength, errors);
        if (type is not null && !TypePattern().IsMatch(type))
        {
            errors.Add(new("type", $"'{Clip(type)}' is not namespace.verb in lower case (e.g. ticket.resolved)"));
        }

        var value = ReadValue(element, errors);
        var currency = ReadCurrency(element, value, errors);
        var text = OptionalString(element, "text", MaxTextLength, errors);
        var attributes = ReadAttributes(element, errors);

        if (errors.Count > 0)
        {
            return false;
        }

        parsed = new CanonicalEvent(id!, keys, occurredAt, department, channel, type!, value, currency, text, attributes, profile);
        return true;
    }

    private void ReadCustomer(JsonElement element, List<IdentityKey> keys, List<ProfileField> profile, List<FieldError> errors)
    {
        if (!element.TryGetProperty("customer", out var customer) || customer.ValueKind == JsonValueKind.Null)
        {
            errors.Add(new("customer", "is required: an object with at least one of email, phone or externalIds"));
            return;
        }

        if (customer.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new("customer", $"must be an object, not {Describe(customer.ValueKind)}"));
            return;
        }

        foreach (var property in customer.EnumerateObject())
        {
            if (!IsOneOf(property, CustomerFieldsUtf8))
            {
                errors.Add(new("customer." + property.Name, "is not a customer field (fields: email, phone, externalIds, attributes)"));
            }
        }

        var before = errors.Count;
        var email = OptionalString(customer, "email", IdentityNormalizer.MaxEmailLength + 64, errors, "customer.");
        if (email is not null)
        {
            if (IdentityNormalizer.TryNormalizeEmail(email, out var normalised, out var error))
            {
                keys.Add(IdentityKey.Email(normalised));
            }
            else
            {
                errors.Add(new("customer.email", error));
            }
        }

        var phone = OptionalString(customer, "phone", 64, errors, "customer.");
        if (phone is not null)
        {
            if (identities.TryNormalizePhone(phone, out var e164, out var error))
            {
                keys.Add(IdentityKey.Phone(e164));
            }
            else
            {
                errors.Add(new("customer.phone", error));
            }
        }

        if (customer.TryGetProperty("externalIds", out var externalIds) && externalIds.ValueKind != JsonValueKind.Null)
        {
            ReadExternalIds(externalIds, keys, errors);
        }

        if (customer.TryGetProperty("attributes", out var attributes) && attributes.ValueKind != JsonValueKind.Null)
        {
            ReadProfileFields(attributes, profile, errors);
        }

        if (keys.Count == 0 && errors.Count == before)
        {
            errors.Add(new("customer", "carries no identity: give an email, a phone or an external id"));
        }
    }

    private static void ReadExternalIds(JsonElement externalIds, List<IdentityKey> keys, List<FieldError> errors)
    {
        if (externalIds.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new("customer.externalIds", $"must be an object of system: id, not {Describe(externalIds.ValueKind)}"));
            return;
        }

        foreach (var property in externalIds.EnumerateObject())
        {
            var name = property.Name;
            var field = "customer.externalIds." + Clip(name, 64);
            if (!IdentityNormalizer.TryNormalizeSystem(name, out var system, out var error))
            {
                errors.Add(new(field, error));
                continue;
            }

            string? raw = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.Number => property.Value.GetRawText(),
                _ => null,
            };
            if (raw is null)
            {
                errors.Add(new(field, $"must be a string or a number, not {Describe(property.Value.ValueKind)}"));
            }
            else if (!IdentityNormalizer.TryNormalizeExternalId(raw, out var id, out error))
            {
                errors.Add(new(field, error));
            }
            else if (!keys.Contains(IdentityKey.External(system, id)))
            {
                keys.Add(IdentityKey.External(system, id));
            }
        }
    }

    private static void ReadProfileFields(JsonElement attributes, List<ProfileField> profile, List<FieldError> errors)
    {
        if (attributes.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new("customer.attributes", $"must be an object, not {Describe(attributes.ValueKind)}"));
            return;
        }

        foreach (var property in attributes.EnumerateObject())
        {
            // JsonProperty.Name makes a new string at every call: read it once.
            var name = property.Name;
            if (name.Length is 0 or > 64)
            {
                errors.Add(new(Field(name), "attribute names must be 1 to 64 characters"));
            }
            else if (property.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
            {
                errors.Add(new(Field(name), "profile attributes must be strings, numbers, booleans or null"));
            }
            else if (property.Value.ValueKind == JsonValueKind.String && property.Value.GetString()!.Length > 1_000)
            {
                errors.Add(new(Field(name), "is longer than 1000 characters"));
            }
            else if (profile.Count >= MaxAttributes)
            {
                errors.Add(new("customer.attributes", $"has more than {MaxAttributes} attributes"));
                return;
            }
            else
            {
                profile.Add(new ProfileField(name, property.Value.GetRawText()));
            }
        }

        static string Field(string name) => "customer.attributes." + Clip(name, 64);
    }

    private static DateTime ReadTime(JsonElement element, List<FieldError> errors)
    {
        var text = RequiredString(element, "occurredAt", 64, errors);
        if (text is null)
        {
            return default;
        }

        // ISO 8601 with an explicit offset or Z: a time without a zone would be guessed, and a guess is wrong somewhere.
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            || !(text.EndsWith('Z') || text.EndsWith('z') || HasOffset(text)))
        {
            errors.Add(new("occurredAt", $"'{Clip(text)}' is not an ISO 8601 time with a zone (e.g. 2026-03-02T03:14:00Z)"));
            return default;
        }

        if (time.UtcDateTime.Year < 1970)
        {
            errors.Add(new("occurredAt", "is before 1970"));
        }

        // Storage keeps microseconds (SQLite and PostgreSQL alike); finer ticks would order events differently
        // in memory and on disk.
        var utc = time.UtcDateTime;
        return utc.AddTicks(-(utc.Ticks % 10));
    }

    private static bool HasOffset(string text)
    {
        var t = text.IndexOf('T', StringComparison.OrdinalIgnoreCase);
        if (t < 0)
        {
            return false;
        }

        var tail = text.AsSpan(t);
        return tail.LastIndexOfAny('+', '-') > 0;
    }

    private static decimal ReadValue(JsonElement element, List<FieldError> errors)
    {
        if (!element.TryGetProperty("value", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return 0m;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            errors.Add(new("value", $"must be a number, not {Describe(value.ValueKind)}"));
            return 0m;
        }

        if (!value.TryGetDecimal(out var amount) || Math.Abs(amount) > MaxAbsoluteValue)
        {
            errors.Add(new("value", $"must be between -{MaxAbsoluteValue:0} and {MaxAbsoluteValue:0}"));
            return 0m;
        }

        // Stored exactly in ten-thousandths; finer precision is rounded half to even.
        return Math.Round(amount, 4, MidpointRounding.ToEven);
    }

    private static string? ReadCurrency(JsonElement element, decimal value, List<FieldError> errors)
    {
        var currency = OptionalString(element, "currency", 3, errors);
        if (currency is not null && !Vocabulary.IsCurrency(currency))
        {
            errors.Add(new("currency", $"'{Clip(currency)}' is not an ISO 4217 code (three capital letters, e.g. EUR)"));
            return null;
        }

        if (currency is null && value != 0m && !errors.Any(e => e.Field == "currency"))
        {
            errors.Add(new("currency", "is required when value is not 0"));
        }

        return currency;
    }

    private static string? ReadAttributes(JsonElement element, List<FieldError> errors)
    {
        if (!element.TryGetProperty("attributes", out var attributes) || attributes.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (attributes.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new("attributes", $"must be an object, not {Describe(attributes.ValueKind)}"));
            return null;
        }

        var count = 0;
        foreach (var property in attributes.EnumerateObject())
        {
            if (++count > MaxAttributes)
            {
                errors.Add(new("attributes", $"has more than {MaxAttributes} attributes"));
                return null;
            }

            if (property.Name.Length is 0 or > 64)
            {
                errors.Add(new("attributes." + Clip(property.Name, 64), "attribute names must be 1 to 64 characters"));
            }
        }

        var raw = attributes.GetRawText();
        if (raw.Length > MaxAttributesJsonLength)
        {
            errors.Add(new("attributes", $"is larger than {MaxAttributesJsonLength} characters of JSON"));
            return null;
        }

        return count == 0 ? null : raw;
    }

    private static string? RequiredString(JsonElement element, string name, int maxLength, List<FieldError> errors)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            errors.Add(new(name, "is required"));
            return null;
        }

        var text = StringOf(value, name, maxLength, errors, "");
        if (text is not null && text.Trim().Length == 0)
        {
            errors.Add(new(name, "is empty"));
            return null;
        }

        return text;
    }

    private static string? OptionalString(JsonElement element, string name, int maxLength, List<FieldError> errors, string prefix = "")
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return StringOf(value, name, maxLength, errors, prefix);
    }

    private static string? StringOf(JsonElement value, string name, int maxLength, List<FieldError> errors, string prefix)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(new(prefix + name, $"must be a string, not {Describe(value.ValueKind)}"));
            return null;
        }

        var text = value.GetString()!;
        if (text.Length > maxLength)
        {
            errors.Add(new(prefix + name, $"is longer than {maxLength} characters ({text.Length})"));
            return null;
        }

        return text;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Clip(string text, int length = 80) => text.Length <= length ? text : text[..length] + "…";
}
