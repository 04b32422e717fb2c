namespace OpenCxo.Data.Storage;

/// <summary>
/// A closed-loop case (issue 8): opened by a rule for one trigger — <see cref="TriggerKey"/> is unique in a workspace,
/// so the same answer, text or model run never opens two — routed to a department, team or owner, with an SLA to
/// first contact.
/// </summary>
public sealed class CaseRow
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public long CustomerId { get; set; }

    /// <summary><c>nps:SEQ</c>, <c>csat:SEQ</c>, <c>text:SEQ:FLAG</c> or <c>risk:RUN:CUSTOMER</c>, with the rule's key in front.</summary>
    public required string TriggerKey { get; set; }

    public required string RuleKey { get; set; }
    public required string Trigger { get; set; }

    /// <summary>What opened it, in words: "NPS 3", "churn intent in a chat", "churn risk 62 %, lifetime value 1,240 EUR".</summary>
    public required string Reason { get; set; }

    /// <summary>The touchpoint that opened it (none for a churn-risk case).</summary>
    public long? SourceSeq { get; set; }

    public required string Department { get; set; }
    public string? Team { get; set; }
    public string? Owner { get; set; }
    public required string Priority { get; set; }

    /// <summary><c>new</c>, <c>contacted</c>, <c>resolved</c> or <c>not-reachable</c>.</summary>
    public required string Status { get; set; }

    public DateTime OpenedAt { get; set; }
    public DateTime DueAt { get; set; }
    public DateTime? FirstContactAt { get; set; }
    public DateTime? ClosedAt { get; set; }
    public DateTime? EscalatedAt { get; set; }
    public string? EscalatedTo { get; set; }
    public string? RootCause { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>A note on a case, or a record of a change of status, owner or escalation, by whom and when.</summary>
public sealed class CaseNoteRow
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public long CaseId { get; set; }
    public DateTime At { get; set; }
    public required string Author { get; set; }

    /// <summary><c>note</c>, <c>status</c>, <c>owner</c> or <c>escalation</c>.</summary>
    public required string Kind { get; set; }

    public required string Text { get; set; }
}

/// <summary>A workspace's case rules and root-cause codes as last saved (JSON, the API's shape); none: the built-in ones.</summary>
public sealed class CaseSettingsRow : IWorkspaceDocument
{
    public long WorkspaceId { get; set; }
    public required string SettingsJson { get; set; }
    public DateTime UpdatedAt { get; set; }

    string IWorkspaceDocument.Json { get => SettingsJson; set => SettingsJson = value; }
}

/// <summary>How far the case opener got: touchpoints up to this seq, text analyses up to this id, model runs up to this id. One row.</summary>
public sealed class CaseOpenerStateRow
{
    public int Id { get; set; }
    public long InteractionSeq { get; set; }
    public long TextAnalysisId { get; set; }
    public long ModelRunId { get; set; }
}
