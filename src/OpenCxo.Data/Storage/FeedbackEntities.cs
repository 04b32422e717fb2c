namespace OpenCxo.Data.Storage;

/// <summary>A survey: its key, where it stands, and which of its versions asks (see <c>Core.Feedback.SurveyState</c>).</summary>
public sealed class SurveyRow
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }

    /// <summary>Unique per workspace, e.g. <c>post-ticket-csat</c>; names the survey in the API, in links and in response files.</summary>
    public required string Key { get; set; }

    /// <summary><c>draft</c>, <c>published</c> or <c>closed</c>.</summary>
    public required string Status { get; set; }

    public int LatestVersion { get; set; }
    public int? PublishedVersion { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? ClosedAt { get; set; }
}

/// <summary>One version of a survey's questions; a published version is never changed again.</summary>
public sealed class SurveyVersionRow
{
    public long WorkspaceId { get; set; }
    public long SurveyId { get; set; }
    public int Version { get; set; }

    /// <summary>The <c>Core.Feedback.SurveyDefinition</c> as JSON.</summary>
    public required string DefinitionJson { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime? PublishedAt { get; set; }
}

/// <summary>
/// One customer's answers to one survey version. Kept while partial; once final (completed, left unfinished for a
/// while, or imported) it no longer changes and stands on the customer's timeline as a <c>survey.response</c>.
/// </summary>
public sealed class SurveyResponseRow
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public long SurveyId { get; set; }
    public int Version { get; set; }

    /// <summary>Unique per workspace: an imported file's <c>id</c>, or the link's own key; a repeat is a duplicate.</summary>
    public required string ResponseKey { get; set; }

    /// <summary>Null for an anonymous answer through the public link.</summary>
    public long? CustomerId { get; set; }

    /// <summary><c>invitation</c>, <c>public</c> or <c>import</c>.</summary>
    public required string Source { get; set; }

    /// <summary><c>en</c> or <c>es</c>: the language the questions were asked in.</summary>
    public required string Language { get; set; }

    public DateTime StartedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    /// <summary>When the answers became final; the time metrics use.</summary>
    public DateTime? AnsweredAt { get; set; }

    public bool Completed { get; set; }
    public bool Final { get; set; }

    /// <summary>Answers by question key: <c>{"nps":{"score":9},"liked":{"choices":["staff"]}}</c>.</summary>
    public required string AnswersJson { get; set; }

    public int? Nps { get; set; }
    public int? Csat { get; set; }
    public int? Ces { get; set; }

    /// <summary>The touchpoint that prompted the survey, if any (its event id).</summary>
    public string? TriggerEventId { get; set; }

    /// <summary>The event id of the <c>survey.response</c> touchpoint, once final.</summary>
    public string? EventId { get; set; }
}

/// <summary>
/// One customer asked to answer one survey version, through a personal link. Made by a trigger rule, by the API, or
/// by a recurring rule; sent by e-mail, handed to a webhook, or exported.
/// </summary>
public sealed class SurveyInvitationRow
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public long SurveyId { get; set; }

    /// <summary>The version published when the invitation was made; the link asks its questions even after a new version.</summary>
    public int Version { get; set; }

    public long CustomerId { get; set; }

    /// <summary><c>email</c>, <c>webhook</c>, <c>export</c> or <c>api</c> (the caller delivers the link itself).</summary>
    public required string Channel { get; set; }

    /// <summary><c>en</c> or <c>es</c>.</summary>
    public required string Language { get; set; }

    /// <summary>The touchpoint that prompted the invitation (its event id), if any.</summary>
    public string? TriggerEventId { get; set; }

    /// <summary>The rule that made it, if any.</summary>
    public long? RuleId { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>Not sent before this moment (e.g. two hours after the ticket was resolved).</summary>
    public DateTime SendAt { get; set; }

    public DateTime? SentAt { get; set; }
    public DateTime? RemindedAt { get; set; }
    public DateTime? RespondedAt { get; set; }

    /// <summary><c>scheduled</c>, <c>sent</c>, <c>failed</c>, <c>skipped</c> (opt-out or fatigue at send time) or <c>answered</c>.</summary>
    public required string Status { get; set; }

    public int Attempts { get; set; }
    public string? LastError { get; set; }
}

/// <summary>
/// When to invite whom to a survey: on a touchpoint of a type (optionally in a department or channel), after a delay;
/// or, for a recurring rule, every so many days to an audience. The scheduler reads touchpoints past
/// <see cref="Seq"/>, so each is considered once.
/// </summary>
public sealed class SurveyRuleRow
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public long SurveyId { get; set; }

    /// <summary><c>event</c> or <c>recurring</c>.</summary>
    public string Kind { get; set; } = "event";

    /// <summary>The touchpoint type that prompts an invitation, e.g. <c>ticket.resolved</c> (event rules).</summary>
    public string? EventType { get; set; }

    /// <summary>Recurring rules: each customer of the audience is asked at most once in this many days.</summary>
    public int? EveryDays { get; set; }

    /// <summary>Recurring rules: <c>activeSubscribers</c> or <c>activeCustomers</c>.</summary>
    public string? Audience { get; set; }

    /// <summary>Recurring rules: when the audience was last looked at.</summary>
    public DateTime? LastRunAt { get; set; }

    public string? Department { get; set; }
    public string? Channel { get; set; }

    /// <summary>Minutes after the touchpoint before the invitation goes out.</summary>
    public int DelayMinutes { get; set; }

    /// <summary><c>webhook</c> (POSTed to <see cref="WebhookUrl"/>) or <c>export</c> (collected as CSV).</summary>
    public required string Delivery { get; set; }

    public string? WebhookUrl { get; set; }
    public bool Enabled { get; set; }
    public DateTime CreatedAt { get; set; }

    /// <summary>The last touchpoint seq the scheduler has considered for this rule.</summary>
    public long Seq { get; set; }
}

/// <summary>A customer who asked not to be surveyed; no invitation is made or sent to them.</summary>
public sealed class SurveyOptOutRow
{
    public long WorkspaceId { get; set; }
    public long CustomerId { get; set; }
    public DateTime At { get; set; }

    /// <summary><c>link</c> (from a survey page) or <c>api</c>.</summary>
    public required string Source { get; set; }
}
