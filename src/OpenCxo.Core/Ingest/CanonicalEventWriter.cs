using System.Globalization;
using System.Text.Json;
using OpenCxo.Core.Profiles;

namespace OpenCxo.Core.Ingest;

/// <summary>Writes an event back in the canonical JSON shape that <see cref="EventParser"/> reads.</summary>
public static class CanonicalEventWriter
{
    public static void Write(Utf8JsonWriter json, CanonicalEvent e)
    {
        json.WriteStartObject();
        json.WriteString("id", e.Id);
        json.WriteStartObject("customer");
        foreach (var key in e.Identities.Where(k => !k.IsExternal))
        {
            json.WriteString(key.Kind, key.Value);
        }

        if (e.Identities.Any(k => k.IsExternal))
        {
            json.WriteStartObject("externalIds");
            foreach (var key in e.Identities.Where(k => k.IsExternal))
            {
                json.WriteString(key.System!, key.Value);
            }

            json.WriteEndObject();
        }

        if (e.ProfileFields.Count > 0)
        {
            json.WriteStartObject("attributes");
            foreach (var field in e.ProfileFields)
            {
                json.WritePropertyName(field.Name);
                json.WriteRawValue(field.ValueJson, skipInputValidation: true);
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteString("occurredAt", e.OccurredAt.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
        json.WriteString("department", e.Department.Name());
        json.WriteString("channel", e.Channel.Name());
        json.WriteString("type", e.Type);
        if (e.Value != 0m)
        {
            json.WriteNumber("value", e.Value);
        }

        if (e.Currency is not null)
        {
            json.WriteString("currency", e.Currency);
        }

        if (e.Text is not null)
        {
            json.WriteString("text", e.Text);
        }

        if (e.AttributesJson is not null)
        {
            json.WritePropertyName("attributes");
            json.WriteRawValue(e.AttributesJson, skipInputValidation: true);
        }

        json.WriteEndObject();
    }
}
