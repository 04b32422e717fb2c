using System.Text;
using System.Text.Json;

namespace OpenCxo.Core.Ingest;

/// <summary>Names the field of a JSON text where something is wrong, for error messages that say where to look.</summary>
public static class JsonFieldLocator
{
    /// <summary>
    /// The dotted path of the property name or value that holds byte <paramref name="offset"/>, or, for an offset of
    /// -1, of the first string whose escapes do not make text. "$" when none does.
    /// </summary>
    public static string FieldAt(ReadOnlySpan<byte> json, int offset)
    {
        var containers = new List<string?>();
        string? name = null;
        var reader = new Utf8JsonReader(json);
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        name = Clip(Encoding.UTF8.GetString(reader.ValueSpan));
                        if (Holds(ref reader, offset))
                        {
                            return PathOf(containers, name);
                        }

                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        containers.Add(name);
                        name = null;
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        containers.RemoveAt(containers.Count - 1);
                        name = null;
                        break;
                    default:
                        if (Holds(ref reader, offset))
                        {
                            return PathOf(containers, name);
                        }

                        name = null;
                        break;
                }
            }
        }
        catch (JsonException e) when (offset >= 0 && e.BytePositionInLine == offset)
        {
            // The invalid byte is where a value should start: that value's field.
            return PathOf(containers, name);
        }
        catch (JsonException)
        {
            // A path is a courtesy; "$" will do.
        }

        return "$";
    }

    private static bool Holds(ref Utf8JsonReader reader, int offset)
    {
        if (offset >= 0)
        {
            return offset >= reader.TokenStartIndex && offset < reader.BytesConsumed;
        }

        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName) || !reader.ValueIsEscaped)
        {
            return false;
        }

        try
        {
            _ = reader.GetString();
            return false;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    private static string PathOf(List<string?> containers, string? name)
    {
        var parts = containers.Where(c => c is not null).Append(name).Where(p => p is not null);
        var path = string.Join('.', parts);
        return path.Length == 0 ? "$" : path;
    }

    private static string Clip(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
