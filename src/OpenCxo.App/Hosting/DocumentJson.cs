using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenCxo.App.Hosting;

/// <summary>How the API, the CLI's files and the stored rows read and write configuration documents (KPIs, segments).</summary>
public static class DocumentJson
{
    /// <summary>
    /// camelCase; unknown fields refused (a typo must not lose a setting silently); nullability and required
    /// constructor parameters enforced; enums as camelCase names only; nulls left out when written.
    /// </summary>
    public static JsonSerializerOptions Strict { get; } = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };
}
