using OpenCxo.Core.Ingest;

namespace OpenCxo.App.Ingest;

/// <summary>Reads events from JSON Lines: one JSON object per line, blank lines skipped.</summary>
internal static class JsonLinesEventReader
{
    public static async Task ReadAsync(Stream input, string path, ImportRun run, CancellationToken ct)
    {
        var lines = new Utf8LineReader(input);
        var first = true;
        while (await lines.ReadAsync(ct).ConfigureAwait(false))
        {
            var number = lines.LineNumber;
            run.Advance(number);
            var line = lines.Line;
            if (number == 1 && line.Span.StartsWith("\uFEFF"u8))
            {
                line = line[3..];
            }

            if (lines.IsTooLong)
            {
                first = false;
                run.Reject(number, [new("$", $"the line is longer than {Utf8LineReader.MaxLineBytes / (1024 * 1024)} MB")], line.Span);
                continue;
            }

            var text = line.Span.Trim(" \t"u8);
            if (text.IsEmpty)
            {
                continue;
            }

            if (first && text[0] == (byte)'[')
            {
                // A JSON array would otherwise give one rejection per line of it.
                throw new ImportException(
                    $"{path}: line {number} starts a JSON array; the file must be JSON Lines, one event object per line");
            }

            first = false;
            await run.AddAsync(number, line, line.Span, null, ct).ConfigureAwait(false);
        }
    }
}

/// <summary>
/// Splits a stream into lines of raw bytes (not decoded: a decoder would silently replace invalid UTF-8), without
/// the line break ('\n' or "\r\n"). A last line without a line break is still a line. Memory is bounded by
/// <see cref="MaxLineBytes"/>: a longer line is skipped to its end and returned with <see cref="IsTooLong"/> set and
/// only its start in <see cref="Line"/>.
/// </summary>
internal sealed class Utf8LineReader(Stream stream)
{
    public const int MaxLineBytes = 4 * 1024 * 1024;

    /// <summary>Bytes kept of a line that is too long: more than enough for the clipped input of the rejected file.</summary>
    private const int TooLongPrefixBytes = RejectedLines.MaxInputChars * 4;

    private byte[] _buffer = new byte[256 * 1024];
    private int _start;
    private int _end;
    private bool _endOfStream;

    public long LineNumber { get; private set; }

    /// <summary>The current line; valid until the next read.</summary>
    public ReadOnlyMemory<byte> Line { get; private set; }

    public bool IsTooLong { get; private set; }

    public ValueTask<bool> ReadAsync(CancellationToken ct)
    {
        var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
        if (newline >= 0)
        {
            TakeLine(newline, newline + 1);
            return ValueTask.FromResult(true);
        }

        return ReadMoreAsync(ct);
    }

    private async ValueTask<bool> ReadMoreAsync(CancellationToken ct)
    {
        byte[]? tooLong = null;
        while (true)
        {
            var pending = _buffer.AsSpan(_start, _end - _start);
            var newline = pending.IndexOf((byte)'\n');
            if (newline >= 0 || (_endOfStream && (tooLong is not null || pending.Length > 0)))
            {
                var length = newline >= 0 ? newline : pending.Length;
                var consumed = newline >= 0 ? newline + 1 : length;
                if (tooLong is null)
                {
                    TakeLine(length, consumed);
                }
                else
                {
                    _start += consumed;
                    LineNumber++;
                    Line = tooLong;
                    IsTooLong = true;
                }

                return true;
            }

            if (_endOfStream)
            {
                Line = default;
                return false;
            }

            if (tooLong is not null)
            {
                // Skipping the rest of a line that is too long: drop what was read of it.
                _start = _end = 0;
            }
            else if (pending.Length > MaxLineBytes + 1)
            {
                // One byte more than the limit may be the '\r' of "\r\n".
                tooLong = pending[..TooLongPrefixBytes].ToArray();
                _start = _end = 0;
            }
            else
            {
                pending.CopyTo(_buffer);
                _start = 0;
                _end = pending.Length;
                if (_end == _buffer.Length)
                {
                    Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, MaxLineBytes + 2));
                }
            }

            var read = await stream.ReadAsync(_buffer.AsMemory(_end), ct).ConfigureAwait(false);
            if (read == 0)
            {
                _endOfStream = true;
            }

            _end += read;
        }
    }

    private void TakeLine(int length, int consumed)
    {
        var line = _buffer.AsMemory(_start, length);
        _start += consumed;
        LineNumber++;
        if (line.Span.EndsWith((byte)'\r'))
        {
            line = line[..^1];
        }

        IsTooLong = line.Length > MaxLineBytes;
        Line = IsTooLong ? line[..TooLongPrefixBytes] : line;
    }
}
