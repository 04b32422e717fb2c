using System.Text.Json;

namespace OpenCxo.App.Profiles;

/// <summary>How a yes/no customer attribute (surveyConsent, marketingConsent, doNotContact) reads, however a source wrote it.</summary>
public static class TraitFlags
{
    /// <summary>false, "false", "no" or 0.</summary>
    public static bool Refuses(string valueJson) => Read(valueJson) == false;

    /// <summary>true, "true", "yes" or 1 (any nonzero number).</summary>
    public static bool Affirms(string valueJson) => Read(valueJson) == true;

    private static bool? Read(string valueJson)
    {
        using var value = JsonDocument.Parse(valueJson);
        return value.RootElement.ValueKind switch
        {
            JsonValueKind.False => false,
            JsonValueKind.True => true,
            JsonValueKind.String => value.RootElement.GetString()!.Trim().ToLowerInvariant() switch
            {
                "false" or "no" or "0" => false,
                "true" or "yes" or "1" => true,
                _ => null,
            },
            JsonValueKind.Number => value.RootElement.GetDouble() != 0,
            _ => null,
        };
    }
}
