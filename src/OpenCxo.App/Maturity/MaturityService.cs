using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Maturity;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Maturity;

/// <summary>One stored assessment with its scores.</summary>
public sealed record MaturityAssessment(
    long Id, string Department, DateTime AssessedAt, string AssessedBy, IReadOnlyDictionary<string, MaturityAnswer> Answers, MaturityScores Scores);

/// <summary>A department's maturity: its latest assessment, the change since the one before (like for like), and its history oldest first.</summary>
public sealed record MaturityStanding(string Department, MaturityAssessment? Latest, MaturityChange? Change, IReadOnlyList<MaturityAssessment> History);

/// <summary>
/// What an assessment body holds: the answers, read by <see cref="MaturityAnswers"/> so each problem names its path
/// (left out, they stay undefined and are refused as <c>answers</c>, not as the whole body).
/// </summary>
public sealed record MaturityAssessmentRequest(JsonElement Answers = default);

/// <summary>
/// CX maturity assessments (docs/maturity.md): records a department's (or the whole company's) scores against the
/// built-in checklist, and reads them back as the latest standing, history and the department × area matrix. An
/// assessment is never changed after it is recorded: a reassessment is a new one, so the history stays true.
/// </summary>
public sealed class MaturityService(CxoDbFactory databases, TimeProvider time)
{
    /// <summary>Assessments of one department read back at most, newest kept: years of monthly reassessments.</summary>
    public const int HistoryLimit = 120;

    public static JsonSerializerOptions Json => Hosting.DocumentJson.Strict;

    public static FieldError? CheckDepartment(string? department) => department is not null && MaturityChecklist.Departments.Contains(department)
        ? null
        : new FieldError("department", $"'{Clip(department ?? "")}' is not one of: {string.Join(", ", MaturityChecklist.Departments)}");

    /// <summary>Records an assessment from its JSON answers; the problems, each naming its path, when it cannot.</summary>
    public async Task<(MaturityAssessment? Recorded, IReadOnlyList<FieldError> Errors)> RecordAsync(
        long workspaceId, string department, JsonElement answers, string by, CancellationToken ct)
    {
        if (CheckDepartment(department) is { } wrong)
        {
            return (null, [wrong]);
        }

        var (read, errors) = MaturityAnswers.Read(answers);
        if (errors.Count > 0)
        {
            return (null, errors);
        }

        return (await RecordAsync(workspaceId, department, read, by, time.GetUtcNow().UtcDateTime, ct).ConfigureAwait(false), []);
    }

    /// <summary>Records checked answers as assessed at <paramref name="at"/> (now, except for the demo's past assessments).</summary>
    public async Task<MaturityAssessment> RecordAsync(
        long workspaceId, string department, IReadOnlyDictionary<string, MaturityAnswer> answers, string by, DateTime at, CancellationToken ct)
    {
        if (CheckDepartment(department) is { } wrong)
        {
            throw new ArgumentException(wrong.Message, nameof(department));
        }

        if (answers.FirstOrDefault(a => MaturityChecklist.Find(a.Key) is null || a.Value.Score is < 0 or > 4) is { Key: not null } bad)
        {
            throw new ArgumentException($"'{bad.Key}' is not a practice of the checklist or its score is not 0–4", nameof(answers));
        }

        var scores = MaturityScores.Of(answers);
        if (scores.Overall is not { } overall)
        {
            throw new ArgumentException("An assessment answers at least one practice.", nameof(answers));
        }

        var row = new MaturityAssessmentRow
        {
            WorkspaceId = workspaceId, Department = department, AssessedAt = at, AssessedBy = Clip(by, 100),
            AnswersJson = MaturityAnswers.Write(answers), Score = overall,
        };
        await using var db = databases.CreateDbContext();
        db.MaturityAssessments.Add(row);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return ToAssessment(row);
    }

    /// <summary>One department's standing; an empty history when it was never assessed.</summary>
    public async Task<MaturityStanding> StandingAsync(long workspaceId, string department, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var rows = await db.MaturityAssessments.AsNoTracking()
            .Where(a => a.WorkspaceId == workspaceId && a.Department == department)
            .OrderByDescending(a => a.AssessedAt).ThenByDescending(a => a.Id).Take(HistoryLimit)
            .ToListAsync(ct).ConfigureAwait(false);
        return Standing(department, [.. rows.AsEnumerable().Reverse().Select(ToAssessment)]);
    }

    /// <summary>Every department's latest assessment and change, in <see cref="MaturityChecklist.Departments"/> order: the matrix's rows.</summary>
    public async Task<IReadOnlyList<MaturityStanding>> OverviewAsync(long workspaceId, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();

        // The last two of each department: a department is reassessed a handful of times a year, so reading them all is cheap.
        var rows = await db.MaturityAssessments.AsNoTracking().Where(a => a.WorkspaceId == workspaceId).ToListAsync(ct).ConfigureAwait(false);
        var byDepartment = rows.ToLookup(r => r.Department);
        return [.. MaturityChecklist.Departments.Select(d => Standing(d,
            [.. byDepartment[d].OrderByDescending(a => a.AssessedAt).ThenByDescending(a => a.Id).Take(2).Reverse().Select(ToAssessment)]))];
    }

    private static MaturityStanding Standing(string department, IReadOnlyList<MaturityAssessment> history) =>
        new(department,
            history.Count > 0 ? history[^1] : null,
            history.Count > 1 ? MaturityChange.Between(history[^2].Answers, history[^1].Answers) : null,
            history);

    /// <summary>The stored assessment as the checklist reads it now: dropped practices left out, no score when none is left.</summary>
    private static MaturityAssessment ToAssessment(MaturityAssessmentRow row)
    {
        var answers = MaturityAnswers.ReadStored(row.AnswersJson);
        return new MaturityAssessment(row.Id, row.Department, DateTime.SpecifyKind(row.AssessedAt, DateTimeKind.Utc), row.AssessedBy, answers, MaturityScores.Of(answers));
    }

    private static string Clip(string text, int length = 64) => text.Length > length ? text[..length] : text;
}
