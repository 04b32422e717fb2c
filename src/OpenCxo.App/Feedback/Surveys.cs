using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using OpenCxo.Core.Feedback;
using OpenCxo.Core.Ingest;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Feedback;

/// <summary>A survey as the API and the UI show it: where it stands and the questions of one of its versions.</summary>
public sealed record SurveyDetail(
    string Key,
    SurveyStatus Status,
    int LatestVersion,
    int? PublishedVersion,
    int Version,
    SurveyDefinition Definition,
    IReadOnlyList<SurveyVersionInfo> Versions,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? ClosedAt);

public sealed record SurveyVersionInfo(int Version, DateTime CreatedAt, DateTime? PublishedAt);

/// <summary>One line of the survey list.</summary>
public sealed record SurveySummary(string Key, SurveyStatus Status, int LatestVersion, int? PublishedVersion, LocalizedText Title, DateTime UpdatedAt);

/// <summary>The outcome of a change: the survey, or what was wrong with the request (field errors, or a state that forbids it).</summary>
public sealed record SurveyChange(SurveyDetail? Survey, IReadOnlyList<FieldError> Errors, string? Conflict, bool NotFound = false, bool NewVersion = false)
{
    public static SurveyChange Invalid(IReadOnlyList<FieldError> errors) => new(null, errors, null);

    public static SurveyChange Refused(string reason) => new(null, [], reason);

    public static SurveyChange Missing { get; } = new(null, [], null, NotFound: true);
}

/// <summary>
/// Surveys of a workspace: create, edit, publish, close, reopen and delete, with <see cref="SurveyState"/> deciding
/// what is allowed and <see cref="SurveyRules"/> what is sound. Used by the API and the web UI alike.
/// </summary>
public static class Surveys
{
    /// <summary>How definitions are read and stored: camelCase, unknown fields refused (a typo would otherwise vanish).</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Reads a definition from JSON; a shape error names the JSON path of the field at fault.</summary>
    public static (SurveyDefinition? Definition, List<FieldError> Errors) Read(JsonElement json)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            return (null, [new FieldError("$", "a survey is a JSON object with title and questions")]);
        }

        SurveyDefinition? definition;
        try
        {
            definition = json.Deserialize<SurveyDefinition>(Json);
        }
        catch (JsonException e)
        {
            return (null, [Describe(e)]);
        }

        if (definition is null)
        {
            return (null, [new FieldError("$", "is empty")]);
        }

        var errors = SurveyRules.Check(definition);
        return (errors.Count == 0 ? definition : null, errors);
    }

    public static async Task<IReadOnlyList<SurveySummary>> ListAsync(CxoDb db, long workspaceId, CancellationToken ct)
    {
        var rows = await db.Surveys.AsNoTracking()
            .Where(s => s.WorkspaceId == workspaceId)
            .OrderBy(s => s.Key)
            .Join(db.SurveyVersions, s => new { Id = s.Id, Version = s.LatestVersion }, v => new { Id = v.SurveyId, v.Version }, (s, v) => new { s, v.DefinitionJson })
            .ToListAsync(ct).ConfigureAwait(false);
        return [.. rows.Select(r => new SurveySummary(
            r.s.Key, ParseStatus(r.s.Status), r.s.LatestVersion, r.s.PublishedVersion, Definition(r.DefinitionJson).Title, r.s.UpdatedAt))];
    }

    /// <summary>The survey with the questions of <paramref name="version"/> (default: the latest); null when either is unknown.</summary>
    public static async Task<SurveyDetail?> GetAsync(CxoDb db, long workspaceId, string key, int? version, CancellationToken ct)
    {
        var survey = await db.Surveys.AsNoTracking().FirstOrDefaultAsync(s => s.WorkspaceId == workspaceId && s.Key == key, ct).ConfigureAwait(false);
        return survey is null ? null : await DetailAsync(db, survey, version ?? survey.LatestVersion, ct).ConfigureAwait(false);
    }

    public static async Task<SurveyChange> CreateAsync(CxoDb db, long workspaceId, string key, JsonElement definitionJson, DateTime now, CancellationToken ct)
    {
        if (key is null || !SurveyRules.SurveyKeyPattern().IsMatch(key))
        {
            return SurveyChange.Invalid([new FieldError("key", "must be 2–60 characters of a-z, 0-9 and -, e.g. post-ticket-csat")]);
        }

        var (definition, errors) = Read(definitionJson);
        if (definition is null)
        {
            return SurveyChange.Invalid(errors);
        }

        if (await db.Surveys.AnyAsync(s => s.WorkspaceId == workspaceId && s.Key == key, ct).ConfigureAwait(false))
        {
            return SurveyChange.Refused($"a survey with key '{key}' exists; edit it with PUT, or choose another key");
        }

        var state = SurveyState.New;
        var survey = new SurveyRow
        {
            WorkspaceId = workspaceId,
            Key = key,
            Status = StatusName(state.Status),
            LatestVersion = state.LatestVersion,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Surveys.Add(survey);
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // Another request created the same key between the check and the insert.
            return SurveyChange.Refused($"a survey with key '{key}' exists; edit it with PUT, or choose another key");
        }

        db.SurveyVersions.Add(new SurveyVersionRow { WorkspaceId = workspaceId, SurveyId = survey.Id, Version = 1, DefinitionJson = Serialize(definition), CreatedAt = now });
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return new SurveyChange(await DetailAsync(db, survey, 1, ct).ConfigureAwait(false), [], null, NewVersion: true);
    }

    /// <summary>Replaces the draft's questions, or, after a published version, starts the next version with them.</summary>
    public static Task<SurveyChange> EditAsync(CxoDb db, long workspaceId, string key, JsonElement definitionJson, DateTime now, CancellationToken ct)
    {
        var (definition, errors) = Read(definitionJson);
        return definition is null
            ? Task.FromResult(SurveyChange.Invalid(errors))
            : ChangeAsync(db, workspaceId, key, now, async (survey, state) =>
            {
                var (next, isNew) = state.Edit();
                var json = Serialize(definition);
                if (isNew)
                {
                    db.SurveyVersions.Add(new SurveyVersionRow { WorkspaceId = workspaceId, SurveyId = survey.Id, Version = next.LatestVersion, DefinitionJson = json, CreatedAt = now });
                }
                else
                {
                    var draft = await db.SurveyVersions.SingleAsync(v => v.SurveyId == survey.Id && v.Version == state.LatestVersion, ct).ConfigureAwait(false);
                    draft.DefinitionJson = json;
                }

                return (next, isNew);
            }, ct);
    }

    public static Task<SurveyChange> PublishAsync(CxoDb db, long workspaceId, string key, DateTime now, CancellationToken ct) =>
        ChangeAsync(db, workspaceId, key, now, async (survey, state) =>
        {
            var next = state.Publish();
            var version = await db.SurveyVersions.SingleAsync(v => v.SurveyId == survey.Id && v.Version == next.PublishedVersion, ct).ConfigureAwait(false);
            version.PublishedAt = now;
            return (next, false);
        }, ct);

    public static Task<SurveyChange> CloseAsync(CxoDb db, long workspaceId, string key, DateTime now, CancellationToken ct) =>
        ChangeAsync(db, workspaceId, key, now, (survey, state) =>
        {
            survey.ClosedAt = now;
            return Task.FromResult((state.Close(), false));
        }, ct);

    public static Task<SurveyChange> ReopenAsync(CxoDb db, long workspaceId, string key, DateTime now, CancellationToken ct) =>
        ChangeAsync(db, workspaceId, key, now, (survey, state) =>
        {
            survey.ClosedAt = null;
            return Task.FromResult((state.Reopen(), false));
        }, ct);

    /// <summary>Deletes a survey that was never published; null when there is no such survey.</summary>
    public static async Task<SurveyChange> DeleteAsync(CxoDb db, long workspaceId, string key, CancellationToken ct)
    {
        var survey = await db.Surveys.FirstOrDefaultAsync(s => s.WorkspaceId == workspaceId && s.Key == key, ct).ConfigureAwait(false);
        if (survey is null)
        {
            return SurveyChange.Missing;
        }

        try
        {
            StateOf(survey).EnsureDeletable();
        }
        catch (SurveyStateException e)
        {
            return SurveyChange.Refused(e.Message);
        }

        await db.SurveyVersions.Where(v => v.SurveyId == survey.Id).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        db.Surveys.Remove(survey);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return new SurveyChange(null, [], null);
    }

    public static SurveyDefinition Definition(string json) =>
        JsonSerializer.Deserialize<SurveyDefinition>(json, Json) ?? throw new InvalidDataException("a stored survey definition is empty");

    public static string Serialize(SurveyDefinition definition) => JsonSerializer.Serialize(definition, Json);

    public static SurveyState StateOf(SurveyRow survey) => new(ParseStatus(survey.Status), survey.LatestVersion, survey.PublishedVersion);

    public static string StatusName(SurveyStatus status) => status switch
    {
        SurveyStatus.Draft => "draft",
        SurveyStatus.Published => "published",
        _ => "closed",
    };

    private static SurveyStatus ParseStatus(string status) => status switch
    {
        "draft" => SurveyStatus.Draft,
        "published" => SurveyStatus.Published,
        "closed" => SurveyStatus.Closed,
        _ => throw new InvalidDataException($"unknown survey status '{status}'"),
    };

    /// <summary>Loads the survey, applies one transition in a transaction, and answers with the survey as it now is.</summary>
    private static async Task<SurveyChange> ChangeAsync(
        CxoDb db, long workspaceId, string key, DateTime now, Func<SurveyRow, SurveyState, Task<(SurveyState State, bool NewVersion)>> change, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        var survey = await db.Surveys.FirstOrDefaultAsync(s => s.WorkspaceId == workspaceId && s.Key == key, ct).ConfigureAwait(false);
        if (survey is null)
        {
            return SurveyChange.Missing;
        }

        SurveyState next;
        bool isNew;
        try
        {
            (next, isNew) = await change(survey, StateOf(survey)).ConfigureAwait(false);
        }
        catch (SurveyStateException e)
        {
            return SurveyChange.Refused(e.Message);
        }

        survey.Status = StatusName(next.Status);
        survey.LatestVersion = next.LatestVersion;
        survey.PublishedVersion = next.PublishedVersion;
        survey.UpdatedAt = now;
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // Two edits raced to start the same new version; the other one won.
            return SurveyChange.Refused("the survey was changed by someone else at the same moment; load it again and retry");
        }

        return new SurveyChange(await DetailAsync(db, survey, survey.LatestVersion, ct).ConfigureAwait(false), [], null, NewVersion: isNew);
    }

    private static async Task<SurveyDetail?> DetailAsync(CxoDb db, SurveyRow survey, int version, CancellationToken ct)
    {
        var versions = await db.SurveyVersions.AsNoTracking()
            .Where(v => v.SurveyId == survey.Id)
            .OrderBy(v => v.Version)
            .ToListAsync(ct).ConfigureAwait(false);
        var chosen = versions.FirstOrDefault(v => v.Version == version);
        return chosen is null
            ? null
            : new SurveyDetail(
                survey.Key, ParseStatus(survey.Status), survey.LatestVersion, survey.PublishedVersion, version, Definition(chosen.DefinitionJson),
                [.. versions.Select(v => new SurveyVersionInfo(v.Version, v.CreatedAt, v.PublishedAt))],
                survey.CreatedAt, survey.UpdatedAt, survey.ClosedAt);
    }

    // System.Text.Json paths look like "$.questions[0].kind"; the API names fields without the "$.".
    private static string Field(string? path) => path is null or "$" ? "$" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;

    /// <summary>Says what System.Text.Json found wrong in the words of the API, without .NET type names.</summary>
    private static FieldError Describe(JsonException e)
    {
        var field = Field(e.Path);
        var message = e.Message;
        if (message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            return new FieldError(field, "is not a field of a survey (check its spelling)");
        }

        const string Missing = "missing required properties including: '";
        var missing = message.IndexOf(Missing, StringComparison.Ordinal);
        if (missing >= 0)
        {
            var name = message[(missing + Missing.Length)..].Split('\'')[0];
            return new FieldError(field == "$" ? name : $"{field}.{name}", "is required");
        }

        if (message.Contains("allow null", StringComparison.Ordinal))
        {
            return new FieldError(field, "must not be null");
        }

        return new FieldError(field, "has the wrong type or an unknown value");
    }
}
