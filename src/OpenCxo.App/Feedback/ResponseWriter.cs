using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenCxo.App.Analytics;
using OpenCxo.Core.Feedback;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Profiles;
using OpenCxo.Data.Ingest;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Feedback;

public sealed record SurveyOptions
{
    /// <summary>A response left unfinished this long becomes final with the answers it has.</summary>
    public TimeSpan FinalizeAfter { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How often unfinished responses are looked at.</summary>
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromMinutes(1);
}

/// <summary>Answers to store: the full set given so far (a later submission replaces an earlier one's answers).</summary>
/// <param name="ResponseKey">Unique per workspace: one response per personal link, per public-link visit, per imported row.</param>
/// <param name="Complete">The respondent finished (or the row was imported): the response becomes final.</param>
public sealed record ResponseSubmission(
    long WorkspaceId,
    SurveyRow Survey,
    int Version,
    SurveyDefinition Definition,
    string ResponseKey,
    string Source,
    long? CustomerId,
    SurveyInvitationRow? Invitation,
    string Language,
    IReadOnlyDictionary<string, Answer> Answers,
    bool Complete,
    DateTime At);

public enum ResponseOutcome
{
    /// <summary>Stored (partial answers kept, or the response made final).</summary>
    Stored,

    /// <summary>The response was already final: one response per link.</summary>
    AlreadyFinal,
}

/// <summary>
/// Stores survey responses durably in groups: every submission waiting when a write starts goes into one transaction
/// (group commit), so thousands of respondents a second cost a few transactions, and each caller hears back only once
/// its answers are committed. A response that becomes final is also stored as a <c>survey.response</c> touchpoint.
/// </summary>
public sealed partial class ResponseWriter : BackgroundService
{
    /// <summary>Most submissions per transaction.</summary>
    private const int GroupLimit = 2_000;

    private readonly System.Threading.Channels.Channel<Pending> _queue =
        System.Threading.Channels.Channel.CreateUnbounded<Pending>(new System.Threading.Channels.UnboundedChannelOptions { SingleReader = true });
    private readonly CxoDbFactory _databases;
    private readonly EventIngestor _ingestor;
    private readonly AnalyticsSignal _signal;
    private readonly TimeProvider _time;
    private readonly ILogger<ResponseWriter> _logger;

    private readonly SurveyOptions _options;

    public ResponseWriter(
        CxoDbFactory databases, EventIngestor ingestor, AnalyticsSignal signal, TimeProvider time, IOptions<SurveyOptions> options, ILogger<ResponseWriter> logger)
    {
        _options = options.Value;
        _databases = databases;
        _ingestor = ingestor;
        _signal = signal;
        _time = time;
        _logger = logger;
    }

    public async Task<ResponseOutcome> SubmitAsync(ResponseSubmission submission, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(submission);
        var pending = new Pending(submission);
        await _queue.Writer.WriteAsync(pending, ct).ConfigureAwait(false);
        return await pending.Outcome.Task.WaitAsync(ct).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var group = new List<Pending>();
        var nextSweep = _time.GetUtcNow();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // Sweeping runs here, between groups, so that this loop is the only writer of responses.
                if (_time.GetUtcNow() >= nextSweep)
                {
                    await GuardAsync(() => SweepAsync(stoppingToken), 0, stoppingToken).ConfigureAwait(false);
                    nextSweep = _time.GetUtcNow() + _options.SweepInterval;
                }

                if (!await WaitForWorkAsync(nextSweep - _time.GetUtcNow(), stoppingToken).ConfigureAwait(false))
                {
                    continue;
                }

                while (group.Count < GroupLimit && _queue.Reader.TryRead(out var next))
                {
                    group.Add(next);
                }

                if (!await GuardAsync(() => WriteAsync(group, stoppingToken), group.Count, stoppingToken).ConfigureAwait(false))
                {
                    foreach (var pending in group)
                    {
                        pending.Outcome.TrySetException(new InvalidOperationException("the responses could not be stored; the error was logged"));
                    }
                }

                group.Clear();
            }
        }
        finally
        {
            foreach (var pending in group)
            {
                pending.Outcome.TrySetCanceled(stoppingToken);
            }

            while (_queue.Reader.TryRead(out var left))
            {
                left.Outcome.TrySetCanceled(stoppingToken);
            }
        }
    }

    /// <summary>True when submissions are waiting; false when <paramref name="timeout"/> passed first.</summary>
    private async Task<bool> WaitForWorkAsync(TimeSpan timeout, CancellationToken stoppingToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timer.CancelAfter(timeout < TimeSpan.Zero ? TimeSpan.Zero : timeout);
        try
        {
            return await _queue.Reader.WaitToReadAsync(timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Runs one step, logging a failure instead of ending the loop; false when it failed.</summary>
    private async Task<bool> GuardAsync(Func<Task> step, int count, CancellationToken stoppingToken)
    {
        try
        {
            await step().ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            LogFailed(_logger, e, count);
            return false;
        }
    }

    /// <summary>
    /// Responses left unfinished for <see cref="SurveyOptions.FinalizeAfter"/> become final with the answers they have
    /// (partial answers count); ones left with no answer at all are dropped. Final responses whose touchpoint was not
    /// stored (the process stopped in between) get it now.
    /// </summary>
    internal async Task SweepAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var before = now - _options.FinalizeAfter;
        List<SurveyResponseRow> finals;
        await using (var db = _databases.CreateDbContext())
        {
            await db.SurveyResponses.Where(r => !r.Final && r.UpdatedAt < before && r.AnswersJson == "{}").ExecuteDeleteAsync(ct).ConfigureAwait(false);
            var abandoned = await db.SurveyResponses.Where(r => !r.Final && r.UpdatedAt < before).Take(GroupLimit).ToListAsync(ct).ConfigureAwait(false);
            foreach (var row in abandoned)
            {
                row.Final = true;
                row.AnsweredAt = row.UpdatedAt;
            }

            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            var settled = now - TimeSpan.FromMinutes(1);
            finals = await db.SurveyResponses.AsNoTracking()
                .Where(r => r.Final && r.EventId == null && r.UpdatedAt < settled)
                .Take(GroupLimit)
                .ToListAsync(ct).ConfigureAwait(false);
            finals.AddRange(abandoned.Where(a => finals.All(f => f.Id != a.Id)));
        }

        await StoreTouchpointsAsync(finals, ct).ConfigureAwait(false);
    }

    private async Task WriteAsync(List<Pending> group, CancellationToken ct)
    {
        var finals = new List<(ResponseSubmission Submission, SurveyResponseRow Row)>();
        await using (var db = _databases.CreateDbContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
            foreach (var workspace in group.GroupBy(p => p.Submission.WorkspaceId))
            {
                var keys = workspace.Select(p => p.Submission.ResponseKey).Distinct().ToList();
                var rows = await db.SurveyResponses
                    .Where(r => r.WorkspaceId == workspace.Key && keys.Contains(r.ResponseKey))
                    .ToDictionaryAsync(r => r.ResponseKey, StringComparer.Ordinal, ct).ConfigureAwait(false);
                foreach (var pending in workspace)
                {
                    var s = pending.Submission;
                    if (rows.TryGetValue(s.ResponseKey, out var row) && row.Final)
                    {
                        pending.Result = ResponseOutcome.AlreadyFinal;
                        continue;
                    }

                    if (row is null)
                    {
                        row = new SurveyResponseRow
                        {
                            WorkspaceId = s.WorkspaceId,
                            SurveyId = s.Survey.Id,
                            Version = s.Version,
                            ResponseKey = s.ResponseKey,
                            CustomerId = s.CustomerId,
                            Source = s.Source,
                            Language = s.Language,
                            StartedAt = s.At,
                            AnswersJson = "{}",
                            TriggerEventId = s.Invitation?.TriggerEventId,
                        };
                        db.SurveyResponses.Add(row);
                        rows[s.ResponseKey] = row;
                    }

                    Apply(row, s);
                    pending.Result = ResponseOutcome.Stored;
                    if (row.Final)
                    {
                        finals.Add((s, row));
                    }
                }
            }

            var answered = finals.Where(f => f.Submission.Invitation is not null).Select(f => f.Submission.Invitation!.Id).ToList();
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            if (answered.Count > 0)
            {
                var now = _time.GetUtcNow().UtcDateTime;
                await db.SurveyInvitations.Where(i => answered.Contains(i.Id))
                    .ExecuteUpdateAsync(i => i.SetProperty(x => x.RespondedAt, now).SetProperty(x => x.Status, "answered"), ct).ConfigureAwait(false);
            }

            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }

        // The touchpoints after the responses, before answering, so that a respondent's answer is on the timeline
        // when the page says thanks. A failure here (or a crash) leaves final responses without their touchpoint,
        // which the sweeper stores later (their event ids make that idempotent); the answers themselves are safe.
        await GuardAsync(() => StoreTouchpointsAsync([.. finals.Select(f => f.Row)], ct), finals.Count, ct).ConfigureAwait(false);
        foreach (var pending in group)
        {
            pending.Outcome.TrySetResult(pending.Result);
        }
    }

    /// <summary>Stores the <c>survey.response</c> touchpoints of final responses that have none yet, and marks them.</summary>
    internal async Task StoreTouchpointsAsync(IReadOnlyList<SurveyResponseRow> finals, CancellationToken ct)
    {
        if (finals.Count == 0)
        {
            return;
        }

        await using var db = _databases.CreateDbContext();
        foreach (var workspace in finals.GroupBy(r => r.WorkspaceId))
        {
            var events = new List<CanonicalEvent>();
            foreach (var row in workspace)
            {
                if (await TouchpointOfAsync(db, row, ct).ConfigureAwait(false) is { } touchpoint)
                {
                    events.Add(touchpoint);
                }
            }

            await _ingestor.IngestAsync(workspace.Key, events, ct).ConfigureAwait(false);
            var ids = workspace.Select(r => r.Id).ToList();
            await db.SurveyResponses.Where(r => ids.Contains(r.Id))
                .ExecuteUpdateAsync(r => r.SetProperty(x => x.EventId, x => "survey-response:" + x.ResponseKey), ct).ConfigureAwait(false);
        }

        _signal.Notify();
    }

    private static void Apply(SurveyResponseRow row, ResponseSubmission s)
    {
        row.AnswersJson = JsonSerializer.Serialize(s.Answers, Surveys.Json);
        row.Language = s.Language;
        row.UpdatedAt = s.At;
        row.Nps = ScoreOf(s, QuestionKind.Nps);
        row.Csat = ScoreOf(s, QuestionKind.Csat);
        row.Ces = ScoreOf(s, QuestionKind.Ces);
        if (s.Complete)
        {
            row.Completed = true;
            row.Final = true;
            row.AnsweredAt = s.At;
        }
    }

    private static int? ScoreOf(ResponseSubmission s, QuestionKind kind) =>
        s.Definition.Questions.FirstOrDefault(q => q.Kind == kind) is { } question && s.Answers.TryGetValue(question.Key, out var answer) ? answer.Score : null;

    /// <summary>The touchpoint of a final response, filed under one of its customer's identities.</summary>
    private static async Task<CanonicalEvent?> TouchpointOfAsync(CxoDb db, SurveyResponseRow row, CancellationToken ct)
    {
        if (await IdentityOfAsync(db, row, ct).ConfigureAwait(false) is not { } identity)
        {
            return null;
        }

        var survey = await db.Surveys.AsNoTracking().SingleAsync(s => s.Id == row.SurveyId, ct).ConfigureAwait(false);
        var version = await db.SurveyVersions.AsNoTracking().SingleAsync(v => v.SurveyId == row.SurveyId && v.Version == row.Version, ct).ConfigureAwait(false);
        var answers = JsonSerializer.Deserialize<Dictionary<string, Answer>>(row.AnswersJson, Surveys.Json) ?? [];
        InteractionRow? trigger = row.TriggerEventId is { } triggerId
            ? await db.Interactions.AsNoTracking().FirstOrDefaultAsync(i => i.WorkspaceId == row.WorkspaceId && i.EventId == triggerId, ct).ConfigureAwait(false)
            : null;
        return ResponseTouchpoint.Build(
            [identity], row.ResponseKey, row.AnsweredAt ?? row.UpdatedAt, row.Source, row.Language, row.Completed,
            survey.Key, row.Version, Surveys.Definition(version.DefinitionJson), answers, trigger, null);
    }

    /// <summary>
    /// An identity of the response's customer, to file the touchpoint under; an anonymous response gets a profile of
    /// its own, known by the response's key.
    /// </summary>
    private static async Task<IdentityKey?> IdentityOfAsync(CxoDb db, SurveyResponseRow row, CancellationToken ct)
    {
        if (row.CustomerId is not { } customer)
        {
            return IdentityKey.External(AnonymousSystem, row.ResponseKey);
        }

        var live = await Profiles.CustomerProfiles.ResolveIdAsync(db, row.WorkspaceId, customer, ct).ConfigureAwait(false) ?? customer;
        var identity = await db.Identities.AsNoTracking()
            .Where(i => i.WorkspaceId == row.WorkspaceId && i.CustomerId == live)
            .OrderBy(i => i.Kind).ThenBy(i => i.Value)
            .FirstOrDefaultAsync(ct).ConfigureAwait(false);
        return identity is null ? null : new IdentityKey(identity.Kind, identity.Value);
    }

    /// <summary>The external-id system of anonymous respondents' profiles.</summary>
    public const string AnonymousSystem = "survey-anonymous";

    [LoggerMessage(Level = LogLevel.Error, Message = "Storing {Count} survey responses failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, int count);

    private sealed class Pending(ResponseSubmission submission)
    {
        public ResponseSubmission Submission { get; } = submission;

        public TaskCompletionSource<ResponseOutcome> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ResponseOutcome Result { get; set; }
    }
}
