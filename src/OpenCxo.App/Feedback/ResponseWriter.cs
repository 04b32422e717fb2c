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

    /// <summary>Contact fatigue: at most one invitation per customer in this many days, across all surveys.</summary>
    public int FatigueDays { get; init; } = 30;

    /// <summary>A reminder goes once to invitations sent this many days ago and not answered; 0 sends none.</summary>
    public int ReminderDays { get; init; } = 3;

    /// <summary>How often a recurring rule looks at its audience.</summary>
    public TimeSpan RecurringInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How often trigger rules look for new touchpoints, and due invitations are sent.</summary>
    public TimeSpan ScheduleInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The address customers reach this server at (https://feedback.example.com), for links the server sends itself.</summary>
    public string? PublicUrl { get; init; }
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

    /// <summary>
    /// Stores the <c>survey.response</c> touchpoints of final responses that have none yet, and marks them. What the
    /// touchpoints need (surveys, customers' identities, prompting touchpoints) is read once per group, not per row.
    /// </summary>
    internal async Task StoreTouchpointsAsync(IReadOnlyList<SurveyResponseRow> finals, CancellationToken ct)
    {
        if (finals.Count == 0)
        {
            return;
        }

        await using var db = _databases.CreateDbContext();
        foreach (var workspace in finals.GroupBy(r => r.WorkspaceId))
        {
            var rows = workspace.ToList();
            var surveyIds = rows.Select(r => r.SurveyId).Distinct().ToList();
            var surveys = await db.Surveys.AsNoTracking().Where(s => surveyIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Key, ct).ConfigureAwait(false);
            var versions = (await db.SurveyVersions.AsNoTracking().Where(v => surveyIds.Contains(v.SurveyId)).ToListAsync(ct).ConfigureAwait(false))
                .ToDictionary(v => (v.SurveyId, v.Version), v => Surveys.Definition(v.DefinitionJson));
            var identities = await Profiles.CustomerProfiles.IdentityOfAsync(db, workspace.Key, [.. rows.Select(r => r.CustomerId).OfType<long>().Distinct()], ct).ConfigureAwait(false);
            var triggerIds = rows.Select(r => r.TriggerEventId).OfType<string>().Distinct().ToList();
            var triggers = triggerIds.Count == 0 ? [] : await db.Interactions.AsNoTracking()
                .Where(i => i.WorkspaceId == workspace.Key && triggerIds.Contains(i.EventId))
                .ToDictionaryAsync(i => i.EventId, StringComparer.Ordinal, ct).ConfigureAwait(false);

            var events = new List<CanonicalEvent>(rows.Count);
            foreach (var row in rows)
            {
                var identity = row.CustomerId is { } customer ? identities.GetValueOrDefault(customer) : IdentityKey.External(AnonymousSystem, row.ResponseKey);
                if (identity is null)
                {
                    continue;
                }

                var answers = JsonSerializer.Deserialize<Dictionary<string, Answer>>(row.AnswersJson, Surveys.Json) ?? [];
                events.Add(ResponseTouchpoint.Build(
                    [identity.Value], row.ResponseKey, row.AnsweredAt ?? row.UpdatedAt, row.Source, row.Language, row.Completed,
                    surveys[row.SurveyId], row.Version, versions[(row.SurveyId, row.Version)], answers,
                    row.TriggerEventId is { } trigger ? triggers.GetValueOrDefault(trigger) : null, null));
            }

            await _ingestor.IngestAsync(workspace.Key, events, ct).ConfigureAwait(false);
            var ids = rows.Select(r => r.Id).ToList();
            await db.SurveyResponses.Where(r => ids.Contains(r.Id))
                .ExecuteUpdateAsync(r => r.SetProperty(x => x.EventId, x => ResponseTouchpoint.EventIdPrefix + x.ResponseKey), ct).ConfigureAwait(false);
        }

        _signal.Notify();
    }

    /// <summary>
    /// One identity of each response's customer (of the profile it was merged into, if it was), to file the touchpoint
    /// under: ingest resolves it back to the same live customer.
    /// </summary>
    private static void Apply(SurveyResponseRow row, ResponseSubmission s)
    {
        row.AnswersJson = JsonSerializer.Serialize(s.Answers, Surveys.Json);
        row.Language = s.Language;
        row.UpdatedAt = s.At;
        row.Nps = s.Definition.ScoreOf(QuestionKind.Nps, s.Answers);
        row.Csat = s.Definition.ScoreOf(QuestionKind.Csat, s.Answers);
        row.Ces = s.Definition.ScoreOf(QuestionKind.Ces, s.Answers);
        if (s.Complete)
        {
            row.Completed = true;
            row.Final = true;
            row.AnsweredAt = s.At;
        }
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
