namespace OpenCxo.Data.Storage;

/// <summary>
/// A KPI (issue 6): a metric, its slice and filters, a target (typed or derived from what customers said or signed),
/// direction, horizon, period, owner department and RACI. The definition is one JSON document, checked by the app;
/// the key and owner are columns because lists and scorecards select by them.
/// </summary>
public sealed class KpiRow
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }

    /// <summary>Unique per workspace: <c>^[a-z0-9][a-z0-9-]{0,63}$</c>.</summary>
    public required string Key { get; set; }

    public required string OwnerDepartment { get; set; }
    public required string DefinitionJson { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public required string UpdatedBy { get; set; }
}

/// <summary>A KPI's value, interval, target and status over one complete calendar period; one per KPI and period.</summary>
public sealed class KpiSnapshotRow
{
    public long Id { get; set; }
    public long KpiId { get; set; }
    public long WorkspaceId { get; set; }
    public DateOnly PeriodFrom { get; set; }
    public DateOnly PeriodTo { get; set; }
    public double? Value { get; set; }
    public double? Low { get; set; }
    public double? High { get; set; }
    public long N { get; set; }
    public double? Target { get; set; }

    /// <summary><c>noData</c>, <c>tooFew</c>, <c>onTrack</c>, <c>atRisk</c> or <c>offTrack</c>.</summary>
    public required string Status { get; set; }

    public DateTime TakenAt { get; set; }
}

/// <summary>An alert rule on a KPI or a metric; its definition (condition, recipients, quiet period) is one JSON document.</summary>
public sealed class AlertRuleRow
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public required string Key { get; set; }
    public required string DefinitionJson { get; set; }
    public bool Enabled { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public required string UpdatedBy { get; set; }
}

/// <summary>
/// One alert a rule raised. (RuleId, DedupeKey) is unique: the same breach (rule, slice, period) is stored, and so
/// delivered, once however often the rule is evaluated or however many servers evaluate it.
/// </summary>
public sealed class AlertRow
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public long RuleId { get; set; }
    public required string DedupeKey { get; set; }

    /// <summary>The slice the alert is about (empty for the whole metric): the quiet period is per rule and slice.</summary>
    public required string Subject { get; set; }

    public DateTime FiredAt { get; set; }
    public required string Summary { get; set; }
    public required string DetailJson { get; set; }
    public DateTime? AcknowledgedAt { get; set; }
    public string? AcknowledgedBy { get; set; }
}

/// <summary>
/// An alert's or a weekly digest's delivery (<see cref="AlertId"/> or <see cref="DigestId"/>), or a stored payload's, to one
/// e-mail address or webhook URL, retried with backoff until delivered or given up.
/// </summary>
public sealed class AlertDeliveryRow
{
    public long Id { get; set; }
    public long? AlertId { get; set; }
    public long? DigestId { get; set; }

    /// <summary>A payload stored whole, for deliveries that are neither an alert nor a digest (a segment's member changes).</summary>
    public string? PayloadJson { get; set; }

    public long WorkspaceId { get; set; }

    /// <summary><c>email</c> or <c>webhook</c>.</summary>
    public required string Channel { get; set; }

    public required string Target { get; set; }
    public int Attempts { get; set; }
    public DateTime NextAttemptAt { get; set; }
    public DateTime? DeliveredAt { get; set; }
    public bool GaveUp { get; set; }
    public string? LastError { get; set; }
}
