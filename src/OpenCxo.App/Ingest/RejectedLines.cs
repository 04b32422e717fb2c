using System.Text.Encodings.Web;
using System.Text.Json;
using OpenCxo.Core.Ingest;

namespace OpenCxo.App.Ingest;

/// <summary>
/// <c>FILE.rejected.jsonl</c>: one line per rejected input line,
/// <c>{"line":N,"errors":[{"field":"…","message":"…"}],"input":"…"}</c>. Created on the first rejection only.
/// </summary>
internal sealed class RejectedLines(string path) : IDisposable
{
    /// <summary>The input is clipped: enough to find and fix the line, not a second copy of a huge one.</summary>
    public const int MaxInputChars = 10_000;

    // The file is read by people and tools, never embedded in HTML: keep accented text readable.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private FileStream? _file;
    private Utf8JsonWriter? _json;

    public long Count { get; private set; }

    public void Add(long line, IReadOnlyList<FieldError> errors, ReadOnlySpan<byte> input) =>
        Add(line, errors, Utf8Text.DecodeClipped(input, MaxInputChars));

    public void Add(long line, IReadOnlyList<FieldError> errors, string input)
    {
        if (_json is null)
        {
            _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 1 << 16);
            _json = new Utf8JsonWriter(_file, WriterOptions);
        }

        _json.WriteStartObject();
        _json.WriteNumber("line", line);
        _json.WriteStartArray("errors");
        foreach (var error in errors)
        {
            _json.WriteStartObject();
            _json.WriteString("field", error.Field);
            _json.WriteString("message", error.Message);
            _json.WriteEndObject();
        }

        _json.WriteEndArray();
        _json.WriteString("input", Utf8Text.Clip(input, MaxInputChars));
        _json.WriteEndObject();
        _json.Flush();
        _json.Reset();
        _file!.WriteByte((byte)'\n');
        Count++;
    }

    public void Dispose()
    {
        _json?.Dispose();
        _file?.Dispose();
    }
}
