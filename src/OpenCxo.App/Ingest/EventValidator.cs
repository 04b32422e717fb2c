using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using OpenCxo.Core.Ingest;

namespace OpenCxo.App.Ingest;

/// <summary>
/// Reads one event from UTF-8 JSON with <see cref="EventParser"/>, turning what the parser cannot see into field
/// errors too: bytes that are not UTF-8 (System.Text.Json only notices them when a string is read) and malformed JSON.
/// </summary>
internal sealed class EventValidator(EventParser parser)
{
    public bool TryRead(ReadOnlyMemory<byte> json, out CanonicalEvent? parsed, out List<FieldError> errors)
    {
        parsed = null;
        if (!Utf8.IsValid(json.Span))
        {
            var at = Utf8Text.FirstInvalidByte(json.Span);
            errors = [new(JsonFieldLocator.FieldAt(json.Span, at), $"contains invalid UTF-8 (byte {at + 1} of the line)")];
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
            return parser.TryParse(document.RootElement, out parsed, out errors);
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
