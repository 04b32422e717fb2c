using System.Text.Json;
using OpenCxo.Core.Ingest;

namespace OpenCxo.Core.Maturity;

/// <summary>One practice's answer: a whole score 0–4 and an optional note (what was seen, what is missing).</summary>
public sealed record MaturityAnswer(int Score, string? Note = null);

/// <summary>
/// Reads and writes the answers of an assessment, <c>{"practice-key": {"score": 0–4, "note": "…"}}</c>, reporting each
/// problem by its path (<c>answers.measurement.kpi-owners.score</c>). Practices left out are unanswered, not 0.
/// </summary>
public static class MaturityAnswers
{
    /// <summary>Problems reported at most: a hostile body gets a readable answer, not thousands of lines.</summary>
    public const int MaxErrors = 20;

    /// <summary>
    /// Reads <paramref name="answers"/>, the value of the body's <c>answers</c> field (<c>default</c>, undefined, when the
    /// body has none); <paramref name="at"/> prefixes the paths.
    /// </summary>
    public static (IReadOnlyDictionary<string, MaturityAnswer> Answers, IReadOnlyList<FieldError> Errors) Read(JsonElement answers, string at = "answers") =>
        Read(answers, at, MaxErrors);

    /// <summary>As <see cref="Read(JsonElement, string)"/>, giving up after <paramref name="maxErrors"/> problems.</summary>
    private static (IReadOnlyDictionary<string, MaturityAnswer> Answers, IReadOnlyList<FieldError> Errors) Read(JsonElement answers, string at, int maxErrors)
    {
        var errors = new List<FieldError>();
        var read = new Dictionary<string, MaturityAnswer>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (answers.ValueKind == JsonValueKind.Undefined)
        {
            return (read, [new FieldError(at, "is required: {\"practice-key\": {\"score\": 0–4, \"note\": \"…\"}}")]);
        }

        if (answers.ValueKind != JsonValueKind.Object)
        {
            return (read, [new FieldError(at, "must be an object: {\"practice-key\": {\"score\": 0–4, \"note\": \"…\"}}")]);
        }

        foreach (var property in answers.EnumerateObject())
        {
            if (errors.Count >= maxErrors)
            {
                break;
            }

            var path = $"{at}.{Clip(property.Name)}";
            if (MaturityChecklist.Find(property.Name) is null)
            {
                errors.Add(new FieldError(path, "is not a practice of the checklist (GET /api/v1/maturity/checklist lists them)"));
                continue;
            }

            if (!seen.Add(property.Name))
            {
                errors.Add(new FieldError(path, "is answered twice"));
                continue;
            }

            if (ReadOne(property.Value, path, errors) is { } answer)
            {
                read[property.Name] = answer;
            }
        }

        if (errors.Count == 0 && read.Count == 0)
        {
            errors.Add(new FieldError(at, "answers no practice: score at least one"));
        }

        return (read, errors.Count > maxErrors ? errors[..maxErrors] : errors);
    }

    private static MaturityAnswer? ReadOne(JsonElement value, string path, List<FieldError> errors)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new FieldError(path, "must be an object: {\"score\": 0–4, \"note\": \"…\"}"));
            return null;
        }

        int? score = null;
        string? note = null;
        var ok = true;
        foreach (var field in value.EnumerateObject())
        {
            switch (field.Name)
            {
                case "score" when score is not null:
                case "note" when note is not null:
                    errors.Add(new FieldError($"{path}.{field.Name}", "is given twice"));
                    ok = false;
                    break;
                case "score":
                    if (field.Value.ValueKind == JsonValueKind.Number && field.Value.TryGetInt32(out var whole) && whole is >= 0 and <= 4)
                    {
                        score = whole;
                    }
                    else
                    {
                        errors.Add(new FieldError($"{path}.score", "must be a whole number from 0 to 4"));
                        ok = false;
                    }

                    break;
                case "note":
                    if (field.Value.ValueKind == JsonValueKind.Null)
                    {
                        break;
                    }

                    if (field.Value.ValueKind != JsonValueKind.String)
                    {
                        errors.Add(new FieldError($"{path}.note", "must be text"));
                        ok = false;
                    }
                    else if (field.Value.GetString()!.Trim() is var text && text.Length > MaturityChecklist.MaxNoteLength)
                    {
                        errors.Add(new FieldError($"{path}.note", $"is longer than {MaturityChecklist.MaxNoteLength} characters"));
                        ok = false;
                    }
                    else
                    {
                        note = text.Length == 0 ? null : text;
                    }

                    break;
                default:
                    errors.Add(new FieldError($"{path}.{Clip(field.Name)}", "is not a field of an answer (score, note)"));
                    ok = false;
                    break;
            }
        }

        if (ok && score is null)
        {
            errors.Add(new FieldError($"{path}.score", "is missing: give a whole number from 0 to 4"));
        }

        return ok && score is { } s ? new MaturityAnswer(s, note) : null;
    }

    /// <summary>The stored form: answered practices in checklist order, each <c>{"score": n, "note": "…"}</c> (no note when none).</summary>
    public static string Write(IReadOnlyDictionary<string, MaturityAnswer> answers)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var practice in MaturityChecklist.Practices.Where(p => answers.ContainsKey(p.Key)))
            {
                var answer = answers[practice.Key];
                json.WriteStartObject(practice.Key);
                json.WriteNumber("score", answer.Score);
                if (answer.Note is { } note)
                {
                    json.WriteString("note", note);
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Reads what <see cref="Write"/> stored; practices dropped from the checklist since are left out.</summary>
    public static IReadOnlyDictionary<string, MaturityAnswer> ReadStored(string json)
    {
        // However many stored practices were dropped since, every one still in the checklist is read.
        using var document = JsonDocument.Parse(json);
        var (answers, _) = Read(document.RootElement, "answers", int.MaxValue);
        return answers;
    }

    private static string Clip(string name) => name.Length > 64 ? name[..64] + "…" : name;
}
