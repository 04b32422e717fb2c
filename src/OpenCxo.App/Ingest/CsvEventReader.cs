using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using CsvHelper;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Profiles;

namespace OpenCxo.App.Ingest;

/// <summary>
/// Reads events from CSV (RFC 4180, comma-separated, header row required). Each record is written as an event in
/// canonical JSON and validated by the same parser as JSON Lines, so both formats follow the same rules.
/// </summary>
internal static class CsvEventReader
{
    public static async Task ReadAsync(Stream input, string path, ImportRun run, CancellationToken ct)
    {
        var malformed = new Queue<CsvMalformedRecord>();
        var options = Options(malformed);

        var csv = CsvReader.Create(input, options, leaveOpen: true);
        await using var csvScope = csv.ConfigureAwait(false);
        try
        {
            await csv.ReadHeaderAsync(ct).ConfigureAwait(false);
            var columns = CsvColumns.Parse(csv.Headers, path);
            using var rows = new CsvEventWriter(columns);
            while (await csv.ReadAsync(ct).ConfigureAwait(false))
            {
                RejectMalformed(malformed, run);
                var line = csv.LineNumber;
                run.Advance(line);
                if (csv.FieldCount == 1 && csv.RawRecord.Trim(" \t"u8).IsEmpty)
                {
                    // A line of spaces is blank, as in JSON Lines.
                    continue;
                }

                if (csv.FieldCount != columns.Count)
                {
                    run.Reject(line, [new("$", $"has {csv.FieldCount} {(csv.FieldCount == 1 ? "field" : "fields")}, the header has {columns.Count}")], csv.RawRecord);
                    continue;
                }

                var json = rows.Write(csv);
                await run.AddAsync(line, json, csv.RawRecord, rows.Errors, ct).ConfigureAwait(false);
            }

            RejectMalformed(malformed, run);
        }
        catch (CsvFormatException e)
        {
            // With malformed records skipped, the reader throws for a record longer than MaxRecordSize, and cannot go
            // on after it: almost always a quote that is never closed.
            var where = e.LineNumber > 0 ? $"line {e.LineNumber}" : $"byte {e.ByteOffset}";
            var what = e.Message.Contains(nameof(CsvReaderOptions.MaxRecordSize), StringComparison.Ordinal)
                ? $"a record longer than {Utf8LineReader.MaxLineBytes / (1024 * 1024)} MB, probably a quote that is never closed"
                : e.Message;
            throw new ImportException($"{path}, {where}: {what}", e);
        }
    }

    /// <summary>
    /// How every import reads CSV: RFC 4180, a header row, line numbers kept for errors, a malformed record set aside
    /// into <paramref name="malformed"/> rather than ending the file, and records no longer than a JSON line may be.
    /// </summary>
    public static CsvReaderOptions Options(Queue<CsvMalformedRecord> malformed) => new()
    {
        Separator = ',',
        TrackLineNumbers = true,
        MalformedData = CsvMalformedDataHandling.Skip,
        OnMalformedRecord = malformed.Enqueue,
        FieldCountMismatch = CsvFieldCountHandling.Allow,
        MaxRecordSize = Utf8LineReader.MaxLineBytes,
    };

    /// <summary>Cells are UTF-8; invalid bytes are an error, never replaced silently.</summary>
    public static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>What is wrong with a record the reader set aside, as the rest of a sentence about it ("the record …").</summary>
    public static string Problem(CsvMalformedRecord record) => record.Reason switch
    {
        CsvMalformedReason.StrayQuote => "has a quote inside an unquoted field; quote the field and double the quote (\"a \"\"b\"\" c\")",
        CsvMalformedReason.TextAfterClosingQuote => "has text after the closing quote of a field",
        CsvMalformedReason.UnterminatedQuote => "has a quoted field that is never closed: it runs to the end of the file",
        _ => $"is malformed CSV ({record.Reason})",
    };

    private static void RejectMalformed(Queue<CsvMalformedRecord> malformed, ImportRun run)
    {
        while (malformed.TryDequeue(out var record))
        {
            run.Reject(record.LineNumber, [new("$", Problem(record))], record.RawRecord);
        }
    }
}

internal enum CsvColumnKind
{
    Event,
    Value,
    Identity,
    ExternalId,
    ProfileAttribute,
    Attribute,
}

/// <summary>One CSV column: where its cells go in the canonical event, and the field name errors use.</summary>
internal sealed record CsvColumn(int Index, string Header, CsvColumnKind Kind, string Name, string Field)
{
    public JsonEncodedText JsonName { get; } = JsonEncodedText.Encode(Name, JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
}

/// <summary>
/// The columns of a CSV header. Header names are the canonical field names; a name that is not one fails the whole
/// import before any row is read, since a typo would otherwise drop a column of data without a word.
/// </summary>
internal sealed class CsvColumns
{
    private const string Columns =
        "id, occurredAt, department, channel, type, value, currency, text, customer.email (or email), customer.phone (or phone), "
        + "ext.SYSTEM (or customer.externalIds.SYSTEM), attr.NAME (or attributes.NAME), customer.attr.NAME (or customer.attributes.NAME)";

    private static readonly string[] EventFields = ["id", "occurredAt", "department", "channel", "type", "currency", "text"];
    private static readonly string[] RequiredFields = ["id", "occurredAt", "department", "channel", "type"];
    private static readonly string[] IdentityFields = ["email", "phone"];

    private static readonly (string Prefix, CsvColumnKind Kind, string FieldPrefix)[] Prefixes =
    [
        ("customer.externalIds.", CsvColumnKind.ExternalId, "customer.externalIds."),
        ("customer.attributes.", CsvColumnKind.ProfileAttribute, "customer.attributes."),
        ("customer.attr.", CsvColumnKind.ProfileAttribute, "customer.attributes."),
        ("ext.", CsvColumnKind.ExternalId, "customer.externalIds."),
        ("attributes.", CsvColumnKind.Attribute, "attributes."),
        ("attr.", CsvColumnKind.Attribute, "attributes."),
    ];

    private CsvColumns(List<CsvColumn> all) => All = all;

    public IReadOnlyList<CsvColumn> All { get; }

    public int Count => All.Count;

    public static CsvColumns Parse(IReadOnlyList<string> headers, string path)
    {
        if (headers.Count == 0)
        {
            throw new ImportException($"{path}: the file is empty; a CSV file needs a header row naming its columns ({Columns})");
        }

        var columns = new List<CsvColumn>(headers.Count);
        var byField = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < headers.Count; i++)
        {
            var column = ParseOne(i, headers[i].Trim(), path);
            if (!byField.TryAdd(column.Field, column.Header))
            {
                throw new ImportException($"{path}: columns '{byField[column.Field]}' and '{column.Header}' are both {column.Field}");
            }

            columns.Add(column);
        }

        foreach (var required in RequiredFields)
        {
            if (!byField.ContainsKey(required))
            {
                throw new ImportException($"{path}: the header has no '{required}' column, which every event needs");
            }
        }

        if (!columns.Any(c => c.Kind is CsvColumnKind.Identity or CsvColumnKind.ExternalId))
        {
            throw new ImportException(
                $"{path}: the header has no customer identity column; add customer.email, customer.phone or ext.SYSTEM (an external id)");
        }

        return new CsvColumns(columns);
    }

    private static CsvColumn ParseOne(int index, string header, string path)
    {
        if (header.Contains('\uFFFD', StringComparison.Ordinal))
        {
            throw new ImportException($"{path}: the name of column {index + 1} contains invalid UTF-8");
        }

        foreach (var field in EventFields)
        {
            if (header.Equals(field, StringComparison.OrdinalIgnoreCase))
            {
                return new CsvColumn(index, header, CsvColumnKind.Event, field, field);
            }
        }

        if (header.Equals("value", StringComparison.OrdinalIgnoreCase))
        {
            return new CsvColumn(index, header, CsvColumnKind.Value, "value", "value");
        }

        foreach (var identity in IdentityFields)
        {
            if (header.Equals(identity, StringComparison.OrdinalIgnoreCase) || header.Equals("customer." + identity, StringComparison.OrdinalIgnoreCase))
            {
                return new CsvColumn(index, header, CsvColumnKind.Identity, identity, "customer." + identity);
            }
        }

        foreach (var (prefix, kind, fieldPrefix) in Prefixes)
        {
            if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var name = header[prefix.Length..];
            if (kind == CsvColumnKind.ExternalId)
            {
                if (!IdentityNormalizer.TryNormalizeSystem(name, out var system, out var error))
                {
                    throw new ImportException($"{path}: column '{header}': {error}");
                }

                // The parser normalises system names, so ext.CRM and ext.crm would be the same identity.
                return new CsvColumn(index, header, kind, name, fieldPrefix + system);
            }

            if (name.Length is 0 or > 64)
            {
                throw new ImportException($"{path}: column '{header}': attribute names must be 1 to 64 characters");
            }

            return new CsvColumn(index, header, kind, name, fieldPrefix + name);
        }

        var hint = header.Contains(';', StringComparison.Ordinal) || header.Contains('\t', StringComparison.Ordinal)
            ? " (fields must be separated by commas)"
            : "";
        var label = header.Length == 0 ? $"column {index + 1} has no name" : $"unknown column '{header}' (column {index + 1})";
        throw new ImportException($"{path}: {label}{hint}; columns are: {Columns}");
    }
}

/// <summary>
/// Writes CSV records as events in canonical JSON, into one reused buffer. Empty cells are absent fields;
/// attribute cells become JSON numbers or booleans when they read as one, strings otherwise.
/// </summary>
internal sealed class CsvEventWriter : IDisposable
{
    /// <summary>A double keeps any decimal of up to 15 significant digits exactly (IEEE 754, DBL_DIG); longer digit strings stay text.</summary>
    private const int MaxNumberDigits = 15;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // The attributes JSON is stored as written here: keep accented text as it is, as a JSON Lines file would have it.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _json;
    private readonly CsvColumn[] _event;
    private readonly CsvColumn[] _identities;
    private readonly CsvColumn[] _externalIds;
    private readonly CsvColumn[] _profile;
    private readonly CsvColumn[] _attributes;

    public CsvEventWriter(CsvColumns columns)
    {
        _json = new Utf8JsonWriter(_buffer, WriterOptions);
        _event = [.. columns.All.Where(c => c.Kind is CsvColumnKind.Event or CsvColumnKind.Value)];
        _identities = [.. columns.All.Where(c => c.Kind == CsvColumnKind.Identity)];
        _externalIds = [.. columns.All.Where(c => c.Kind == CsvColumnKind.ExternalId)];
        _profile = [.. columns.All.Where(c => c.Kind == CsvColumnKind.ProfileAttribute)];
        _attributes = [.. columns.All.Where(c => c.Kind == CsvColumnKind.Attribute)];
    }

    /// <summary>Problems of the last record that its JSON cannot show (a value that is not a number, invalid UTF-8).</summary>
    public List<FieldError> Errors { get; } = [];

    /// <summary>The current record as an event; valid until the next call.</summary>
    public ReadOnlyMemory<byte> Write(CsvReader csv)
    {
        Errors.Clear();
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        _json.WriteStartObject();
        foreach (var column in _event)
        {
            var cell = csv.GetSpan(column.Index);
            if (cell.IsEmpty)
            {
                continue;
            }

            if (column.Kind == CsvColumnKind.Value)
            {
                WriteValue(column, cell);
            }
            else
            {
                WriteText(column, cell);
            }
        }

        var customer = false;
        foreach (var column in _identities)
        {
            WriteTextIn(csv, column, ref customer, "customer"u8);
        }

        var externalIds = false;
        foreach (var column in _externalIds)
        {
            if (!csv.GetSpan(column.Index).IsEmpty)
            {
                Open(ref customer, "customer"u8);
                WriteTextIn(csv, column, ref externalIds, "externalIds"u8);
            }
        }

        Close(ref externalIds);
        var profile = false;
        foreach (var column in _profile)
        {
            if (!csv.GetSpan(column.Index).IsEmpty)
            {
                Open(ref customer, "customer"u8);
                WriteTypedIn(csv, column, ref profile, "attributes"u8);
            }
        }

        Close(ref profile);
        Close(ref customer);
        var attributes = false;
        foreach (var column in _attributes)
        {
            WriteTypedIn(csv, column, ref attributes, "attributes"u8);
        }

        Close(ref attributes);
        _json.WriteEndObject();
        _json.Flush();
        return _buffer.WrittenMemory;
    }

    private void WriteTextIn(CsvReader csv, CsvColumn column, ref bool open, ReadOnlySpan<byte> objectName)
    {
        var cell = csv.GetSpan(column.Index);
        if (!cell.IsEmpty)
        {
            Open(ref open, objectName);
            WriteText(column, cell);
        }
    }

    private void WriteTypedIn(CsvReader csv, CsvColumn column, ref bool open, ReadOnlySpan<byte> objectName)
    {
        var cell = csv.GetSpan(column.Index);
        if (cell.IsEmpty)
        {
            return;
        }

        Open(ref open, objectName);
        if (IsPlainNumber(cell))
        {
            _json.WritePropertyName(column.JsonName);
            _json.WriteRawValue(cell, skipInputValidation: true);
        }
        else if (cell.SequenceEqual("true"u8) || cell.SequenceEqual("TRUE"u8) || cell.SequenceEqual("True"u8))
        {
            _json.WriteBoolean(column.JsonName, true);
        }
        else if (cell.SequenceEqual("false"u8) || cell.SequenceEqual("FALSE"u8) || cell.SequenceEqual("False"u8))
        {
            _json.WriteBoolean(column.JsonName, false);
        }
        else
        {
            WriteText(column, cell);
        }
    }

    private void WriteText(CsvColumn column, ReadOnlySpan<byte> cell)
    {
        if (Utf8.IsValid(cell))
        {
            _json.WriteString(column.JsonName, cell);
            return;
        }

        // Still written (with U+FFFD) so the parser checks the rest of the record as usual.
        Errors.Add(new(column.Field, "contains invalid UTF-8"));
        _json.WriteString(column.JsonName, Encoding.UTF8.GetString(cell));
    }

    private void WriteValue(CsvColumn column, ReadOnlySpan<byte> cell)
    {
        // Invariant culture: a decimal point, no thousands separators ("1,5" is a mistake, not one and a half).
        const NumberStyles Style = NumberStyles.Float;
        if (decimal.TryParse(cell, Style, CultureInfo.InvariantCulture, out var amount))
        {
            _json.WriteNumber(column.JsonName, amount);
        }
        else if (double.TryParse(cell, Style, CultureInfo.InvariantCulture, out var large) && double.IsFinite(large))
        {
            // Beyond decimal's range: let the parser report the range it accepts.
            _json.WriteNumber(column.JsonName, large);
        }
        else
        {
            var text = Utf8Text.DecodeClipped(cell, 40);
            Errors.Add(new(column.Field, $"'{text}' is not a number (use a decimal point, e.g. 12.5)"));
        }
    }

    public void Dispose() => _json.Dispose();

    private void Open(ref bool open, ReadOnlySpan<byte> objectName)
    {
        if (!open)
        {
            _json.WriteStartObject(objectName);
            open = true;
        }
    }

    private void Close(ref bool open)
    {
        if (open)
        {
            _json.WriteEndObject();
            open = false;
        }
    }

    /// <summary>JSON number syntax without exponent: -?(0|[1-9][0-9]*)(.[0-9]+)?, and few enough digits to stay exact.</summary>
    private static bool IsPlainNumber(ReadOnlySpan<byte> cell)
    {
        var i = cell.Length > 0 && cell[0] == (byte)'-' ? 1 : 0;
        var integerStart = i;
        while (i < cell.Length && char.IsAsciiDigit((char)cell[i]))
        {
            i++;
        }

        var integerDigits = i - integerStart;
        if (integerDigits == 0 || (integerDigits > 1 && cell[integerStart] == (byte)'0'))
        {
            return false;
        }

        var fractionDigits = 0;
        if (i < cell.Length && cell[i] == (byte)'.')
        {
            i++;
            while (i < cell.Length && char.IsAsciiDigit((char)cell[i]))
            {
                i++;
                fractionDigits++;
            }

            if (fractionDigits == 0)
            {
                return false;
            }
        }

        return i == cell.Length && integerDigits + fractionDigits <= MaxNumberDigits;
    }
}
