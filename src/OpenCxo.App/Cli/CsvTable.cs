using System.Text;
using CsvHelper;
using OpenCxo.App.Ingest;
using OpenCxo.Core.Ingest;

namespace OpenCxo.App.Cli;

/// <summary>A whole CSV table for a verb that needs every row before it can work (a model fit, a cross validation).</summary>
internal static class CsvTable
{
    /// <summary>The header and every record, read as RFC 4180 CSV; a malformed record or invalid UTF-8 stops the read with its line.</summary>
    public static async Task<(IReadOnlyList<string> Header, List<TextRecord> Records)> ReadAsync(string path, CancellationToken ct)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous);
        var malformed = new Queue<CsvMalformedRecord>();
        var csv = CsvReader.Create(file, CsvEventReader.Options(malformed), leaveOpen: true);
        await using var scope = csv.ConfigureAwait(false);
        var records = new List<TextRecord>();
        try
        {
            await csv.ReadHeaderAsync(ct).ConfigureAwait(false);
            var header = csv.Headers.ToList();
            if (header.Count == 0)
            {
                throw new FormatException($"{path}: the file is empty; it needs a header naming its columns");
            }

            while (await csv.ReadAsync(ct).ConfigureAwait(false))
            {
                Malformed(malformed, path);
                if (csv.FieldCount == 1 && csv.RawRecord.Trim(" \t\r"u8).IsEmpty)
                {
                    continue;
                }

                var fields = new string[csv.FieldCount];
                try
                {
                    for (var i = 0; i < fields.Length; i++)
                    {
                        fields[i] = CsvEventReader.StrictUtf8.GetString(csv.GetSpan(i));
                    }
                }
                catch (DecoderFallbackException)
                {
                    throw new FormatException($"{path}, line {csv.LineNumber}: not valid UTF-8");
                }

                records.Add(new TextRecord(csv.LineNumber, fields));
            }

            Malformed(malformed, path);
            return (header, records);
        }
        catch (CsvFormatException e)
        {
            throw new FormatException($"{path}, line {e.LineNumber}: {e.Message}", e);
        }
    }

    private static void Malformed(Queue<CsvMalformedRecord> malformed, string path)
    {
        if (malformed.TryDequeue(out var record))
        {
            throw new FormatException($"{path}, line {record.LineNumber}: malformed CSV, the record {CsvEventReader.Problem(record)}");
        }
    }
}
