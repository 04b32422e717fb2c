using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenCxo.App.Ingest;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Profiles;
using OpenCxo.Data.Ingest;
using OpenCxo.Data.Storage;
using OpenCxo.Testing;

namespace OpenCxo.App.Tests.Ingest;

/// <summary>One migrated SQLite file for the class; every test imports into a workspace of its own.</summary>
public sealed class ImportDatabase : IAsyncLifetime
{
    private long _nextWorkspace;

    public CxoDbFactory Factory { get; } = new(DatabaseLocation.Parse("sqlite:" + TestDatabases.NewSqlitePath()));

    public long NewWorkspaceId() => Interlocked.Increment(ref _nextWorkspace);

    public Task InitializeAsync() => Factory.MigrateAsync();

    public Task DisposeAsync() => Task.CompletedTask;
}

public sealed class EventFileImporterTests(ImportDatabase database) : IClassFixture<ImportDatabase>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("opencxo-import-").FullName;
    private readonly long _workspace = database.NewWorkspaceId();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Good_lines_are_imported_and_each_bad_line_is_rejected_with_its_line_number_and_field()
    {
        var path = Write("mixed.jsonl",
            Event("e1"),
            """{"id":"e2", "customer": {"email": "ana@example.com"}, oops}""",
            Event("e3", extra: "\"value\":\"12\",\"currency\":\"EUR\""),
            Event("e4", department: "5", quoteDepartment: false),
            """{"customer":{"email":"ana@example.com"},"occurredAt":"2026-03-02T03:14:00Z","department":"service","channel":"phone","type":"ticket.resolved"}""",
            Event("e6", department: "finance"),
            "",
            Event("e8"));

        var summary = await ImportAsync(path);

        Assert.Equal(new ImportSummary(2, 0, 5, summary.Seconds, path + ".rejected.jsonl"), summary);
        var rejected = ReadRejected(path);
        Assert.Equal([2, 3, 4, 5, 6], rejected.Select(r => r.Line));
        Assert.Equal("$", rejected[0].Errors.Single().Field);
        Assert.StartsWith("not valid JSON at byte ", rejected[0].Errors.Single().Message, StringComparison.Ordinal);
        Assert.Equal(["value"], rejected[1].Errors.Select(e => e.Field));
        Assert.Contains("must be a number, not a string", rejected[1].Errors[0].Message, StringComparison.Ordinal);
        Assert.Equal(["department"], rejected[2].Errors.Select(e => e.Field));
        Assert.Equal(["id"], rejected[3].Errors.Select(e => e.Field));
        Assert.Equal(["department"], rejected[4].Errors.Select(e => e.Field));
        Assert.Contains("'finance' is not a department", rejected[4].Errors[0].Message, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllLines(path)[3], rejected[2].Input);
        Assert.Equal(["e1", "e8"], await StoredIdsAsync());
    }

    [Fact]
    public async Task A_text_over_the_parsers_limit_is_rejected_and_its_input_clipped_in_the_rejected_file()
    {
        var path = Write("long-text.jsonl", Event("e1"), Event("e2", text: new string('x', 1_000_000)), Event("e3"));

        var summary = await ImportAsync(path);

        Assert.Equal((2, 1), (summary.Imported, summary.Rejected));
        var rejected = ReadRejected(path).Single();
        Assert.Equal(2, rejected.Line);
        Assert.Equal("text", rejected.Errors.Single().Field);
        Assert.Equal(RejectedLines.MaxInputChars, rejected.Input.Length);
    }

    [Fact]
    public async Task A_line_over_4_MB_is_rejected_without_losing_the_lines_around_it()
    {
        var huge = Event("e2", text: new string('y', Utf8LineReader.MaxLineBytes + 10));
        var path = Write("huge-line.jsonl", Event("e1"), huge, Event("e3"));

        var summary = await ImportAsync(path);

        Assert.Equal((2, 1), (summary.Imported, summary.Rejected));
        var rejected = ReadRejected(path).Single();
        Assert.Equal(2, rejected.Line);
        Assert.Contains("longer than 4 MB", rejected.Errors.Single().Message, StringComparison.Ordinal);
        Assert.StartsWith("{\"id\":\"e2\"", rejected.Input, StringComparison.Ordinal);
        Assert.Equal(["e1", "e3"], await StoredIdsAsync());
    }

    [Fact]
    public async Task Invalid_utf8_in_a_json_line_is_rejected_naming_the_field()
    {
        var bad = Encoding.UTF8.GetBytes(Event("e2", text: "caf__ con leche"));
        var at = Array.IndexOf(bad, (byte)'_');
        bad[at] = 0xC3;
        bad[at + 1] = 0x28;
        var path = Path.Combine(_dir, "bad-utf8.jsonl");
        File.WriteAllBytes(path, [.. Encoding.UTF8.GetBytes(Event("e1") + "\n"), .. bad, (byte)'\n', .. Encoding.UTF8.GetBytes(Event("e3") + "\n")]);

        var summary = await ImportAsync(path);

        Assert.Equal((2, 1), (summary.Imported, summary.Rejected));
        var error = ReadRejected(path).Single().Errors.Single();
        Assert.Equal("text", error.Field);
        Assert.Equal($"contains invalid UTF-8 (byte {at + 1} of the line)", error.Message);
    }

    [Fact]
    public async Task An_escaped_lone_surrogate_is_rejected_instead_of_failing_the_import()
    {
        var path = Write("surrogate.jsonl", Event("e1", text: "half \\ud800 a pair"), Event("e2"));

        var summary = await ImportAsync(path);

        Assert.Equal((1, 1), (summary.Imported, summary.Rejected));
        Assert.Equal("text", ReadRejected(path).Single().Errors.Single().Field);
    }

    [Fact]
    public async Task An_id_repeated_in_the_file_is_counted_as_a_duplicate_within_and_across_batches()
    {
        var path = Write("repeats.jsonl", Event("a"), Event("a"), Event("b"), Event("c"), Event("a"), Event("b"));

        var summary = await ImportAsync(path, batchSize: 2);

        Assert.Equal((3, 3, 0), (summary.Imported, summary.Duplicates, summary.Rejected));
        Assert.Null(summary.RejectedFile);
        Assert.False(File.Exists(path + ".rejected.jsonl"));
        Assert.Equal(["a", "b", "c"], await StoredIdsAsync());
    }

    [Fact]
    public async Task A_file_cut_off_mid_line_imports_every_earlier_line_and_rejects_the_fragment()
    {
        var whole = Event("e3");
        var path = Path.Combine(_dir, "cut.jsonl");
        File.WriteAllText(path, Event("e1") + "\n" + Event("e2") + "\n" + whole[..(whole.Length / 2)]);

        var summary = await ImportAsync(path);

        Assert.Equal((2, 1), (summary.Imported, summary.Rejected));
        var rejected = ReadRejected(path).Single();
        Assert.Equal(3, rejected.Line);
        Assert.StartsWith("not valid JSON", rejected.Errors.Single().Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Crlf_line_endings_blank_lines_a_byte_order_mark_and_a_last_line_without_newline_are_read()
    {
        var path = Path.Combine(_dir, "windows.json");
        File.WriteAllText(path, "\uFEFF" + Event("e1") + "\r\n\r\n   \r\n" + Event("e2") + "\r\n\n" + Event("e3") + "\r\n" + "{broken\r\n" + Event("e4"));

        var summary = await ImportAsync(path);

        Assert.Equal((4, 0, 1), (summary.Imported, summary.Duplicates, summary.Rejected));
        var rejected = ReadRejected(path).Single();
        Assert.Equal((7, "{broken"), (rejected.Line, rejected.Input));
        Assert.Equal(["e1", "e2", "e3", "e4"], await StoredIdsAsync());
    }

    [Fact]
    public async Task Importing_the_same_file_again_imports_nothing_and_replaces_the_rejected_file()
    {
        var path = Write("again.jsonl", Event("e1"), Event("e2"), "not json", Event("e3"));
        var first = await ImportAsync(path);
        File.AppendAllText(path + ".rejected.jsonl", "stale\n");

        var second = await ImportAsync(path);

        Assert.Equal((3, 0, 1), (first.Imported, first.Duplicates, first.Rejected));
        Assert.Equal((0, 3, 1), (second.Imported, second.Duplicates, second.Rejected));
        Assert.Equal([3], ReadRejected(path).Select(r => r.Line));
        Assert.Equal(3, await StoredCountAsync());
    }

    [Fact]
    public async Task A_stale_rejected_file_is_deleted_when_nothing_is_rejected()
    {
        var path = Write("clean.jsonl", Event("e1"));
        File.WriteAllText(path + ".rejected.jsonl", "{\"line\":1}\n");

        var summary = await ImportAsync(path);

        Assert.Null(summary.RejectedFile);
        Assert.False(File.Exists(path + ".rejected.jsonl"));
    }

    [Fact]
    public async Task Gzip_compressed_json_lines_are_read()
    {
        var path = Path.Combine(_dir, "events.ndjson.gz");
        using (var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(Event("e1") + "\n" + Event("e2") + "\n"));
        }

        var summary = await ImportAsync(path);

        Assert.Equal(2, summary.Imported);
    }

    [Fact]
    public async Task A_damaged_gzip_file_fails_with_a_clear_message()
    {
        var path = Path.Combine(_dir, "damaged.jsonl.gz");
        File.WriteAllText(path, Event("e1") + "\n");

        var error = await Assert.ThrowsAsync<ImportException>(() => ImportAsync(path));

        Assert.StartsWith(path + ": ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_file_an_unknown_extension_and_a_json_array_fail_with_a_clear_message()
    {
        var missing = Path.Combine(_dir, "nope.jsonl");
        var xml = Write("events.xml", "<events/>");
        var array = Write("array.json", "[", Event("e1") + ",", Event("e2"), "]");

        var e1 = await Assert.ThrowsAsync<ImportException>(() => ImportAsync(missing));
        var e2 = await Assert.ThrowsAsync<ImportException>(() => ImportAsync(xml));
        var e3 = await Assert.ThrowsAsync<ImportException>(() => ImportAsync(array));

        Assert.Equal(missing + ": no such file", e1.Message);
        Assert.Contains("unknown file type '.xml'", e2.Message, StringComparison.Ordinal);
        Assert.Contains("JSON array", e3.Message, StringComparison.Ordinal);
        Assert.Equal(0, await StoredCountAsync());
    }

    [Fact]
    public async Task Csv_reads_quoted_commas_and_newlines_identities_and_typed_attributes()
    {
        var path = Write("events.csv",
            "id,occurredAt,department,channel,type,value,currency,text,email,customer.phone,ext.crm,attr.handleSeconds,attr.fcr,attr.agent,attr.rate,customer.attr.tier",
            "c1,2026-03-02T03:14:00Z,service,phone,ticket.resolved,0,,\"Llamé, y nadie\ncontestó \"\"nunca\"\"\",ana@example.com,,C-1001,240,false,a-12,0.25,gold",
            "c2,2026-03-03T10:00:00+01:00,sales,store,order.placed,19.90,EUR,,,+34 600 111 222,,,TRUE,007,,",
            "c3,2026-03-04T10:00:00Z,sales,store,order.placed,12,,,bea@example.com,,,,,,,");

        var summary = await ImportAsync(path);

        Assert.Equal((2, 0, 1), (summary.Imported, summary.Duplicates, summary.Rejected));
        var rejected = ReadRejected(path).Single();
        Assert.Equal(5, rejected.Line);
        Assert.Equal(["currency"], rejected.Errors.Select(e => e.Field));
        Assert.Equal("c3,2026-03-04T10:00:00Z,sales,store,order.placed,12,,,bea@example.com,,,,,,,", rejected.Input);

        await using var db = database.Factory.CreateDbContext();
        var c1 = await db.Interactions.AsNoTracking().SingleAsync(i => i.WorkspaceId == _workspace && i.EventId == "c1");
        Assert.Equal("Llamé, y nadie\ncontestó \"nunca\"", c1.Text);
        using (var attributes = JsonDocument.Parse(c1.Attributes!))
        {
            var root = attributes.RootElement;
            Assert.Equal(240, root.GetProperty("handleSeconds").GetInt32());
            Assert.Equal(JsonValueKind.False, root.GetProperty("fcr").ValueKind);
            Assert.Equal("a-12", root.GetProperty("agent").GetString());
            Assert.Equal(0.25m, root.GetProperty("rate").GetDecimal());
        }

        var c2 = await db.Interactions.AsNoTracking().SingleAsync(i => i.WorkspaceId == _workspace && i.EventId == "c2");
        Assert.Equal((199_000L, "EUR"), (c2.ValueE4, c2.Currency));
        Assert.Null(c2.Text);
        using (var attributes = JsonDocument.Parse(c2.Attributes!))
        {
            Assert.Equal(JsonValueKind.True, attributes.RootElement.GetProperty("fcr").ValueKind);
            Assert.Equal("007", attributes.RootElement.GetProperty("agent").GetString());
        }

        var identities = await db.Identities.AsNoTracking().Where(i => i.WorkspaceId == _workspace).Select(i => i.Kind + "=" + i.Value).ToListAsync();
        Assert.Contains("email=ana@example.com", identities);
        Assert.Contains("ext:crm=C-1001", identities);
        Assert.Contains("phone=+34600111222", identities);
        var tier = await db.CustomerTraits.AsNoTracking().SingleAsync(t => t.WorkspaceId == _workspace);
        Assert.Equal(("tier", "\"gold\""), (tier.Name, tier.ValueJson));
    }

    [Fact]
    public async Task Csv_rows_with_a_bad_value_bad_quoting_or_the_wrong_field_count_are_rejected_by_line()
    {
        var path = Write("bad-rows.csv",
            "id,occurredAt,department,channel,type,value,currency,email",
            "r1,2026-03-02T03:14:00Z,service,phone,ticket.resolved,1,5,EUR,ana@example.com",
            "r2,2026-03-02T03:14:00Z,service,phone,ticket.resolved,\"1,5\",EUR,ana@example.com",
            "r3,2026-03-02T03:14:00Z,service,phone,ticket.\"resolved\",0,,ana@example.com",
            "",
            "r4,2026-03-02T03:14:00Z,service,phone,ticket.resolved,,,ana@example.com");

        var summary = await ImportAsync(path);

        Assert.Equal((1, 3), (summary.Imported, summary.Rejected));
        var rejected = ReadRejected(path);
        Assert.Equal([2, 3, 4], rejected.Select(r => r.Line));
        Assert.Equal("has 9 fields, the header has 8", rejected[0].Errors.Single().Message);
        Assert.Equal(("value", "'1,5' is not a number (use a decimal point, e.g. 12.5)"), (rejected[1].Errors.Single().Field, rejected[1].Errors.Single().Message));
        Assert.Contains("quote", rejected[2].Errors.Single().Message, StringComparison.Ordinal);
        Assert.Equal(["r4"], await StoredIdsAsync());
    }

    [Fact]
    public async Task Csv_with_a_quote_never_closed_over_4_MB_stops_with_a_message_and_keeps_the_rows_before_it()
    {
        var path = Write("unclosed.csv", [
            "id,occurredAt,department,channel,type,email,text",
            "q1,2026-03-02T03:14:00Z,service,phone,ticket.resolved,ana@example.com,fine",
            "q2,2026-03-02T03:14:00Z,service,phone,ticket.resolved,ana@example.com,\"never closed",
            .. Enumerable.Repeat(new string('z', 1_000), Utf8LineReader.MaxLineBytes / 1_000 + 10),
        ]);

        var error = await Assert.ThrowsAsync<ImportException>(() => ImportAsync(path));

        Assert.Contains("probably a quote that is never closed", error.Message, StringComparison.Ordinal);
        Assert.Contains("the 1 new events before it were imported", error.Message, StringComparison.Ordinal);
        Assert.Equal(["q1"], await StoredIdsAsync());
    }

    [Fact]
    public async Task Csv_invalid_utf8_is_rejected_naming_the_field()
    {
        var header = "id,occurredAt,department,channel,type,email,attr.note\n";
        var good = "u1,2026-03-02T03:14:00Z,service,phone,ticket.resolved,ana@example.com,ok\n";
        var path = Path.Combine(_dir, "bad-utf8.csv");
        File.WriteAllBytes(path, [
            .. Encoding.UTF8.GetBytes(header + good + "u2,2026-03-02T03:14:00Z,service,phone,ticket.resolved,ana@example.com,caf"),
            0xFF, 0xFE,
            .. Encoding.UTF8.GetBytes("\n"),
        ]);

        var summary = await ImportAsync(path);

        Assert.Equal((1, 1), (summary.Imported, summary.Rejected));
        var rejected = ReadRejected(path).Single();
        Assert.Equal(3, rejected.Line);
        Assert.Equal(("attributes.note", "contains invalid UTF-8"), (rejected.Errors.Single().Field, rejected.Errors.Single().Message));
    }

    [Fact]
    public async Task Csv_with_an_unknown_column_fails_before_importing_anything()
    {
        var path = Write("typo.csv",
            "id,occurredAt,department,channel,type,email,atr.team",
            "t1,2026-03-02T03:14:00Z,service,phone,ticket.resolved,ana@example.com,L1");

        var error = await Assert.ThrowsAsync<ImportException>(() => ImportAsync(path));

        Assert.Contains("unknown column 'atr.team' (column 7)", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await StoredCountAsync());
    }

    [Fact]
    public async Task Csv_without_a_required_or_identity_column_fails_before_importing_anything()
    {
        var noType = Write("no-type.csv", "id,occurredAt,department,channel,email", "t1,2026-03-02T03:14:00Z,service,phone,ana@example.com");
        var noIdentity = Write("no-identity.csv", "id,occurredAt,department,channel,type", "t1,2026-03-02T03:14:00Z,service,phone,ticket.resolved");
        var twice = Write("twice.csv", "id,occurredAt,department,channel,type,email,customer.email", "t1,2026-03-02T03:14:00Z,service,phone,ticket.resolved,a@x.es,b@x.es");

        Assert.Contains("no 'type' column", (await Assert.ThrowsAsync<ImportException>(() => ImportAsync(noType))).Message, StringComparison.Ordinal);
        Assert.Contains("no customer identity column", (await Assert.ThrowsAsync<ImportException>(() => ImportAsync(noIdentity))).Message, StringComparison.Ordinal);
        Assert.Contains("'email' and 'customer.email'", (await Assert.ThrowsAsync<ImportException>(() => ImportAsync(twice))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Thousands_of_generated_lines_are_all_imported_and_progress_reaches_the_end()
    {
        const int Count = 3_000;
        var lines = Enumerable.Range(0, Count).Select(i => Event($"g{i}", email: $"user{i % 500}@example.com", text: $"Comentario número {i}"));
        var path = Write("many.jsonl", [.. lines]);
        var reports = new List<ImportProgress>();

        var summary = await ImportAsync(path, batchSize: 500, progress: new Recorder(reports));

        Assert.Equal((Count, 0, 0), (summary.Imported, summary.Duplicates, summary.Rejected));
        Assert.Equal(Count, await StoredCountAsync());
        var last = reports[^1];
        Assert.Equal((new FileInfo(path).Length, new FileInfo(path).Length, (long)Count), (last.BytesRead, last.TotalBytes, last.Lines));
    }

    [Fact]
    public async Task Counts_add_up_to_the_non_blank_lines()
    {
        var path = Write("counts.jsonl", Event("k1"), "", Event("k1"), "{", Event("k2", department: "hr"), "  ", Event("k3"), Event("k2"));

        var summary = await ImportAsync(path);

        Assert.Equal((3, 1, 2), (summary.Imported, summary.Duplicates, summary.Rejected));
        Assert.Equal(6, summary.Imported + summary.Duplicates + summary.Rejected);
    }

    private async Task<ImportSummary> ImportAsync(string path, int batchSize = 20_000, IProgress<ImportProgress>? progress = null)
    {
        await using var ingestor = new EventIngestor(database.Factory, TimeProvider.System);
        var importer = new EventFileImporter(new EventParser(new IdentityNormalizer("ES")), ingestor) { BatchSize = batchSize, CommitEvery = 3 * batchSize };
        return await importer.ImportAsync(path, _workspace, progress, CancellationToken.None);
    }

    private async Task<List<string>> StoredIdsAsync()
    {
        await using var db = database.Factory.CreateDbContext();
        return await db.Interactions.AsNoTracking().Where(i => i.WorkspaceId == _workspace).OrderBy(i => i.EventId).Select(i => i.EventId).ToListAsync();
    }

    private async Task<int> StoredCountAsync()
    {
        await using var db = database.Factory.CreateDbContext();
        return await db.Interactions.CountAsync(i => i.WorkspaceId == _workspace);
    }

    private string Write(string name, params string[] lines)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }

    private static string Event(string id, string email = "ana@example.com", string department = "service", bool quoteDepartment = true, string? text = null, string? extra = null)
    {
        var json = new StringBuilder();
        json.Append(CultureInfo.InvariantCulture, $$"""{"id":"{{id}}","customer":{"email":"{{email}}"},"occurredAt":"2026-03-02T03:14:00Z",""");
        json.Append(quoteDepartment ? $"\"department\":\"{department}\"" : $"\"department\":{department}");
        json.Append(""","channel":"phone","type":"ticket.resolved" """.TrimEnd());
        if (text is not null)
        {
            json.Append(CultureInfo.InvariantCulture, $",\"text\":\"{text}\"");
        }

        if (extra is not null)
        {
            json.Append(',').Append(extra);
        }

        return json.Append('}').ToString();
    }

    private static List<Rejection> ReadRejected(string path) =>
        [.. File.ReadAllLines(path + ".rejected.jsonl").Select(line => JsonSerializer.Deserialize<Rejection>(line, JsonSerializerOptions.Web)!)];

    private sealed record Rejection(long Line, List<FieldError> Errors, string Input);

    private sealed class Recorder(List<ImportProgress> reports) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
