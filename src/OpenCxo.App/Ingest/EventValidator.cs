using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using OpenCxo.Core.Ingest;

namespace OpenCxo.App.Ingest;

/// <summary>
/// Reads one event from UTF-8 JSON with <see cref="EventParser"/>, turning what the parser cannot see into field
/// errors too: bytes that are not UTF-8 (System.Text.Json only notices them when a string is read), malformed JSON,
/// and <c>\u</c> escapes of half a surrogate pair.
/// </summary>
internal sealed class EventValidator(EventParser parser)
{
    public bool TryRead(ReadOnlyMemory<byte> json, out CanonicalEvent? parsed, out List<FieldError> errors)
    {
        parsed = null;
        if (!Utf8.IsValid(json.Span))
        {
            var at = Utf8Text.FirstInvalidByte(json.Span);
            errors = [new(FieldAt(json.Span, at), $"contains invalid UTF-8 (byte {at + 1} of the line)")];
            return false;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            errors = [new("$", NotJson(e))];
            return false;
        }

        using (document)
        {
            try
            {
                return parser.TryParse(document.RootElement, out parsed, out errors);
            }
            catch (InvalidOperationException)
            {
                // JsonElement.GetString throws on an escaped lone surrogate (\ud800): valid JSON, but not text.
                errors = [new(FieldAt(json.Span, -1), "contains a \\u escape of half a surrogate pair, which is not text")];
                return false;
            }
        }
    }

    private static string NotJson(JsonException e)
    {
        // The reader's message ends with its own position ("LineNumber: 0 | BytePositionInLine: 7."): say it once, plainly.
        var message = e.Message;
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        }

        if (cut >= 0)
        {
            message = message[..cut];
        }

        return e.BytePositionInLine is { } position
            ? $"not valid JSON at byte {position + 1}: {message}"
            : $"not valid JSON: {message}";
    }

    /// <summary>
    /// The dotted path of the property name or value that holds byte <paramref name="offset"/>, or, for an offset of
    /// -1, of the first string whose escapes do not make text. "$" when none does.
    /// </summary>
    private static string FieldAt(ReadOnlySpan<byte> json, int offset)
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

internal static class Utf8Text
{
    /// <summary>The offset of the first byte that does not start a valid UTF-8 sequence, or -1.</summary>
    public static int FirstInvalidByte(ReadOnlySpan<byte> bytes)
    {
        var offset = 0;
        while (offset < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[offset..], out _, out var consumed) != OperationStatus.Done)
            {
                return offset;
            }

            offset += consumed;
        }

        return -1;
    }

    /// <summary>
    /// Decodes at most <paramref name="maxChars"/> characters of UTF-8, invalid bytes as U+FFFD: enough of an
    /// input for a person to find it, without decoding megabytes of it.
    /// </summary>
    public static string DecodeClipped(ReadOnlySpan<byte> bytes, int maxChars)
    {
        // A character takes at most four bytes (and then is two UTF-16 chars), so this prefix decodes to at least maxChars.
        var prefix = bytes.Length > maxChars * 4 ? bytes[..(maxChars * 4)] : bytes;
        return Clip(Encoding.UTF8.GetString(prefix), maxChars);
    }

    public static string Clip(string text, int maxChars)
    {
        if (text.Length <= maxChars)
        {
            return text;
        }

        // Do not split a surrogate pair.
        var length = char.IsHighSurrogate(text[maxChars - 1]) ? maxChars - 1 : maxChars;
        return text[..length];
    }
}
