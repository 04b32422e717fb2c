using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using OpenCxo.App.Ingest;
using OpenCxo.Core.Feedback;
using OpenCxo.Core.Ingest;
using OpenCxo.Data.Ingest;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Feedback;

/// <summary>
/// Imports survey responses collected elsewhere (<c>cxo import responses FILE.csv</c>): one row per response with
/// <c>id</c>, <c>answeredAt</c>, <c>survey</c>, an identity (<c>email</c>, <c>phone</c>, <c>ext.SYSTEM</c>), and a
/// column per question key; optionally <c>language</c>, <c>channel</c> and <c>triggerEventId</c>. Identities and
/// times follow the same rules as events. Bad rows go with their errors to <c>FILE.rejected.jsonl</c>; the rest are
/// imported; a re-run imports nothing twice (by <c>id</c>).
/// </summary>
public sealed class ResponseFileImporter(CxoDbFactory databases, EventParser parser, EventIngestor ingestor)
{
    public const int MaxIdLength = 150;


    private static readonly string[] ResponseColumns = ["id", "answeredAt", "survey", "email", "phone", "language", "channel", "triggerEventId"];

    /// <summary>Rows stored per transaction.</summary>
    public int BatchSize { get; init; } = 5_000;

    public async Task<ImportSummary> ImportAsync(string path, long workspaceId, IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var compressed = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        if (!Path.GetExtension(compressed ? path[..^3] : path).Equals(".csv", StringComparison.OrdinalIgnoreCase))
        {
            throw new ImportException($"{path}: responses are imported from CSV (.csv, or .csv.gz)");
        }

        if (!File.Exists(path))
        {
            throw new ImportException($"{path}: no such file");
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var rejectedPath = path + EventFileImporter.RejectedSuffix;
        File.Delete(rejectedPath);
        var surveys = await SurveysAsync(workspaceId, ct).ConfigureAwait(false);
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous);
        await using var input = compressed ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true) : (Stream)file;
        using var rejected = new RejectedLines(rejectedPath);
        var malformed = new Queue<CsvMalformedRecord>();
        var csv = CsvReader.Create(input, CsvEventReader.Options(malformed), leaveOpen: true);
        await using var csvScope = csv.ConfigureAwait(false);

        var batch = new List<Row>(BatchSize);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long imported = 0, duplicates = 0, lastReport = 0;
        try
        {
            await csv.ReadHeaderAsync(ct).ConfigureAwait(false);
            var columns = Columns(csv.Headers, surveys, path);
            while (await csv.ReadAsync(ct).ConfigureAwait(false))
            {
                RejectMalformed(malformed, rejected);
                var line = csv.LineNumber;
                if (progress is not null && Environment.TickCount64 - lastReport > 100)
                {
                    lastReport = Environment.TickCount64;
                    progress.Report(new ImportProgress(file.Position, file.Length, line));
                }

                if (csv.FieldCount == 1 && csv.RawRecord.Trim(" \t"u8).IsEmpty)
                {
                    continue;
                }

                if (csv.FieldCount != columns.Length)
                {
                    rejected.Add(line, [new("$", $"has {csv.FieldCount} fields, the header has {columns.Length}")], csv.RawRecord);
                    continue;
                }

                var cells = new string[columns.Length];
                try
                {
                    for (var i = 0; i < cells.Length; i++)
                    {
                        cells[i] = CsvEventReader.StrictUtf8.GetString(csv.GetSpan(i)).Trim();
                    }
                }
                catch (DecoderFallbackException)
                {
                    rejected.Add(line, [new("$", "is not valid UTF-8")], csv.RawRecord);
                    continue;
                }

                var (row, errors) = Read(line, columns, cells, surveys);
                if (row is null)
                {
                    rejected.Add(line, errors, csv.RawRecord);
                    continue;
                }

                if (!seen.Add(row.Id))
                {
                    duplicates++;
                    continue;
                }

                batch.Add(row);
                if (batch.Count >= BatchSize)
                {
                    var (added, repeated) = await StoreAsync(workspaceId, batch, ct).ConfigureAwait(false);
                    (imported, duplicates) = (imported + added, duplicates + repeated);
                    batch.Clear();
                }
            }

            RejectMalformed(malformed, rejected);
        }
        catch (CsvFormatException e)
        {
            throw new ImportException($"{path}, line {e.LineNumber}: a record longer than {Utf8LineReader.MaxLineBytes / (1024 * 1024)} MB, probably a quote that is never closed", e);
        }
        finally
        {
            // What was read before a failure is still stored: nothing already accepted is lost.
            if (batch.Count > 0)
            {
                var (added, repeated) = await StoreAsync(workspaceId, batch, ct).ConfigureAwait(false);
                (imported, duplicates) = (imported + added, duplicates + repeated);
            }
        }

        progress?.Report(new ImportProgress(file.Length, file.Length, csv.LineNumber));
        return new ImportSummary(imported, duplicates, rejected.Count, Math.Round(clock.Elapsed.TotalSeconds, 3), rejected.Count > 0 ? rejectedPath : null);
    }

    private sealed record SurveyInfo(SurveyRow Survey, int Version, SurveyDefinition Definition);

    private enum ColumnKind
    {
        Id,
        AnsweredAt,
        Survey,
        Email,
        Phone,
        External,
        Language,
        Channel,
        Trigger,
        Question,
    }

    private sealed record Column(string Header, ColumnKind Kind);

    private sealed record Row(
        long Line, string Id, SurveyInfo Survey, CanonicalEvent Event, Dictionary<string, Answer> Answers, bool Completed, string Language, string? TriggerEventId);

    /// <summary>The workspace's surveys that have a published version, with that version's questions.</summary>
    private async Task<Dictionary<string, SurveyInfo>> SurveysAsync(long workspaceId, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var rows = await db.Surveys.AsNoTracking()
            .Where(s => s.WorkspaceId == workspaceId && s.PublishedVersion != null)
            .Join(db.SurveyVersions, s => new { Id = s.Id, Version = s.PublishedVersion!.Value }, v => new { Id = v.SurveyId, v.Version }, (s, v) => new { s, v.DefinitionJson })
            .ToListAsync(ct).ConfigureAwait(false);
        return rows.ToDictionary(r => r.s.Key, r => new SurveyInfo(r.s, r.s.PublishedVersion!.Value, Surveys.Definition(r.DefinitionJson)), StringComparer.Ordinal);
    }

    /// <summary>
    /// The header's columns. A column that is neither a response column nor a question of any published survey fails
    /// the import before a row is read: a typo would otherwise drop a column of answers without a word.
    /// </summary>
    private static Column[] Columns(IReadOnlyList<string> headers, Dictionary<string, SurveyInfo> surveys, string path)
    {
        var questions = surveys.Values.SelectMany(s => s.Definition.Questions).Select(q => q.Key).ToHashSet(StringComparer.Ordinal);
        var columns = new Column[headers.Count];
        for (var i = 0; i < headers.Count; i++)
        {
            var header = headers[i].Trim();
            columns[i] = new Column(header, header switch
            {
                "id" => ColumnKind.Id,
                "answeredAt" => ColumnKind.AnsweredAt,
                "survey" => ColumnKind.Survey,
                "email" => ColumnKind.Email,
                "phone" => ColumnKind.Phone,
                "language" => ColumnKind.Language,
                "channel" => ColumnKind.Channel,
                "triggerEventId" => ColumnKind.Trigger,
                _ when header.StartsWith("ext.", StringComparison.Ordinal) && header.Length > 4 => ColumnKind.External,
                _ when questions.Contains(header) => ColumnKind.Question,
                _ => throw new ImportException(
                    $"{path}: column '{header}' is neither a response column ({string.Join(", ", ResponseColumns)}, ext.SYSTEM) nor a question of a published survey"),
            });
        }

        var duplicate = columns.GroupBy(c => c.Header).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ImportException($"{path}: column '{duplicate.Key}' appears twice");
        }

        foreach (var required in new[] { ColumnKind.Id, ColumnKind.AnsweredAt, ColumnKind.Survey })
        {
            if (columns.All(c => c.Kind != required))
            {
                throw new ImportException($"{path}: the header has no '{ResponseColumns[(int)required]}' column");
            }
        }

        if (!columns.Any(c => c.Kind is ColumnKind.Email or ColumnKind.Phone or ColumnKind.External))
        {
            throw new ImportException($"{path}: the header names no identity column (email, phone or ext.SYSTEM)");
        }

        return columns;
    }

    /// <summary>One row as a response, or every error it has, named by column.</summary>
    private (Row? Row, List<FieldError> Errors) Read(long line, Column[] columns, string[] cells, Dictionary<string, SurveyInfo> surveys)
    {
        var errors = new List<FieldError>();
        string Cell(ColumnKind kind) => columns.Select((c, i) => (c, i)).Where(x => x.c.Kind == kind).Select(x => cells[x.i]).FirstOrDefault() ?? "";

        var id = Cell(ColumnKind.Id);
        if (id.Length == 0 || id.Length > MaxIdLength || id.Any(char.IsControl))
        {
            errors.Add(new FieldError("id", id.Length == 0 ? "is required" : $"must be 1–{MaxIdLength} characters without control characters"));
        }

        var surveyKey = Cell(ColumnKind.Survey);
        if (!surveys.TryGetValue(surveyKey, out var survey))
        {
            errors.Add(new FieldError("survey", surveyKey.Length == 0 ? "is required" : $"no published survey has the key '{Clip(surveyKey)}'"));
        }

        var language = Cell(ColumnKind.Language);
        if (language is not ("" or "en" or "es"))
        {
            errors.Add(new FieldError("language", "must be en or es"));
        }

        var channel = Cell(ColumnKind.Channel);
        if (channel.Length > 0 && !Vocabulary.TryParseChannel(channel, out _))
        {
            errors.Add(new FieldError("channel", $"must be one of {string.Join(", ", Vocabulary.Channels)}"));
        }

        var trigger = Cell(ColumnKind.Trigger);
        if (trigger.Length > EventParser.MaxIdLength)
        {
            errors.Add(new FieldError("triggerEventId", $"is longer than {EventParser.MaxIdLength} characters"));
        }

        // Identities and the time follow the event rules: the row is checked as the event it will become.
        var parsed = ParseEvent(id, columns, cells, channel, errors);

        var raw = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        for (var i = 0; i < columns.Length; i++)
        {
            if (columns[i].Kind != ColumnKind.Question || cells[i].Length == 0)
            {
                continue;
            }

            if (survey is not null && survey.Definition.Question(columns[i].Header) is null)
            {
                errors.Add(new FieldError(columns[i].Header, $"is not a question of survey '{survey.Survey.Key}'"));
                continue;
            }

            // Several choices in one cell are separated by '|'.
            raw[columns[i].Header] = cells[i].Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        }

        Dictionary<string, Answer> answers = [];
        var completed = false;
        if (survey is not null)
        {
            var (kept, answerErrors) = SurveyRules.CheckAnswers(survey.Definition, raw, complete: false);
            errors.AddRange(answerErrors);
            answers = kept;
            completed = SurveyRules.CheckAnswers(survey.Definition, raw, complete: true).Errors.Count == 0;
            if (answerErrors.Count == 0 && kept.Count == 0)
            {
                errors.Add(new FieldError("$", $"has no answer to any question of survey '{survey.Survey.Key}'"));
            }
        }

        return errors.Count > 0 || parsed is null || survey is null
            ? (null, errors)
            : (new Row(line, id, survey, parsed, answers, completed, language.Length == 0 ? "en" : language, trigger.Length == 0 ? null : trigger), errors);
    }

    private CanonicalEvent? ParseEvent(string id, Column[] columns, string[] cells, string channel, List<FieldError> errors)
    {
        var json = new Dictionary<string, object?>
        {
            ["id"] = ResponseTouchpoint.EventIdOf(ResponseKeyOf(id.Length == 0 ? "-" : id)),
            ["occurredAt"] = columns.Select((c, i) => (c, i)).Where(x => x.c.Kind == ColumnKind.AnsweredAt).Select(x => cells[x.i]).First(),
            ["department"] = "other",
            // A bad channel is reported once, by the row's own check.
            ["channel"] = Vocabulary.TryParseChannel(channel, out _) ? channel : "other",
            ["type"] = ResponseTouchpoint.Type,
        };
        var customer = new Dictionary<string, object?>();
        var external = new Dictionary<string, string>();
        for (var i = 0; i < columns.Length; i++)
        {
            if (cells[i].Length == 0)
            {
                continue;
            }

            switch (columns[i].Kind)
            {
                case ColumnKind.Email:
                    customer["email"] = cells[i];
                    break;
                case ColumnKind.Phone:
                    customer["phone"] = cells[i];
                    break;
                case ColumnKind.External:
                    external[columns[i].Header[4..]] = cells[i];
                    break;
            }
        }

        if (external.Count > 0)
        {
            customer["externalIds"] = external;
        }

        json["customer"] = customer;
        using var document = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(json));
        if (parser.TryParse(document.RootElement, out var parsed, out var eventErrors))
        {
            return parsed;
        }

        // In the file's words: answeredAt, email, phone, ext.SYSTEM.
        errors.AddRange(eventErrors.Where(e => e.Field != "id").Select(e => e with { Field = ColumnOf(e.Field) }));
        return null;
    }

    private static string ColumnOf(string field) => field switch
    {
        "occurredAt" => "answeredAt",
        "customer" => "email, phone or ext.SYSTEM",
        "customer.email" => "email",
        "customer.phone" => "phone",
        _ when field.StartsWith("customer.externalIds.", StringComparison.Ordinal) => "ext." + field["customer.externalIds.".Length..],
        _ => field,
    };

    public static string ResponseKeyOf(string id) => "import:" + id;

    /// <summary>
    /// Stores a batch: the touchpoints first (their customers are resolved or created there, as for any event), then
    /// the responses, each linked to its touchpoint's customer. Rows already imported are counted as duplicates.
    /// </summary>
    private async Task<(long Imported, long Duplicates)> StoreAsync(long workspaceId, List<Row> batch, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var keys = batch.Select(r => ResponseKeyOf(r.Id)).ToList();
        var existing = (await db.SurveyResponses.AsNoTracking()
            .Where(r => r.WorkspaceId == workspaceId && keys.Contains(r.ResponseKey))
            .Select(r => r.ResponseKey)
            .ToListAsync(ct).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        var fresh = batch.Where(r => !existing.Contains(ResponseKeyOf(r.Id))).ToList();
        if (fresh.Count == 0)
        {
            return (0, batch.Count);
        }

        var triggerIds = fresh.Select(r => r.TriggerEventId).OfType<string>().Distinct().ToList();
        var triggers = triggerIds.Count == 0 ? [] : await db.Interactions.AsNoTracking()
            .Where(i => i.WorkspaceId == workspaceId && triggerIds.Contains(i.EventId))
            .ToDictionaryAsync(i => i.EventId, StringComparer.Ordinal, ct).ConfigureAwait(false);
        var events = fresh.Select(r => ResponseTouchpoint.Build(
            r.Event.Identities, ResponseKeyOf(r.Id), r.Event.OccurredAt, "import", r.Language, r.Completed, r.Survey.Survey.Key, r.Survey.Version,
            r.Survey.Definition, r.Answers, r.TriggerEventId is { } t ? triggers.GetValueOrDefault(t) : null, r.Event.Channel)).ToList();
        await ingestor.IngestAsync(workspaceId, events, ct).ConfigureAwait(false);

        var eventIds = events.Select(e => e.Id).ToList();
        var customers = await db.Interactions.AsNoTracking()
            .Where(i => i.WorkspaceId == workspaceId && eventIds.Contains(i.EventId))
            .ToDictionaryAsync(i => i.EventId, i => i.CustomerId, StringComparer.Ordinal, ct).ConfigureAwait(false);
        for (var i = 0; i < fresh.Count; i++)
        {
            var row = fresh[i];
            var (answers, definition) = (row.Answers, row.Survey.Definition);
            db.SurveyResponses.Add(new SurveyResponseRow
            {
                WorkspaceId = workspaceId,
                SurveyId = row.Survey.Survey.Id,
                Version = row.Survey.Version,
                ResponseKey = ResponseKeyOf(row.Id),
                CustomerId = customers.TryGetValue(events[i].Id, out var customer) ? customer : null,
                Source = "import",
                Language = row.Language,
                StartedAt = row.Event.OccurredAt,
                UpdatedAt = row.Event.OccurredAt,
                AnsweredAt = row.Event.OccurredAt,
                Completed = row.Completed,
                Final = true,
                AnswersJson = JsonSerializer.Serialize(answers, Surveys.Json),
                Nps = definition.ScoreOf(QuestionKind.Nps, answers),
                Csat = definition.ScoreOf(QuestionKind.Csat, answers),
                Ces = definition.ScoreOf(QuestionKind.Ces, answers),
                TriggerEventId = row.TriggerEventId,
                EventId = events[i].Id,
            });
        }

        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return (fresh.Count, batch.Count - fresh.Count);
    }

    private static void RejectMalformed(Queue<CsvMalformedRecord> malformed, RejectedLines rejected)
    {
        while (malformed.TryDequeue(out var record))
        {
            rejected.Add(record.LineNumber, [new("$", CsvEventReader.Problem(record))], record.RawRecord);
        }
    }

    private static string Clip(string value) => value.Length > 60 ? value[..60] + "…" : value;
}
