using System.Text.Json.Serialization;

namespace OpenCxo.Core.Cases;

[JsonConverter(typeof(JsonStringEnumConverter<CaseStatus>))]
public enum CaseStatus
{
    /// <summary>Opened; nobody has reached the customer yet. The SLA runs until the first contact.</summary>
    [JsonStringEnumMemberName("new")]
    New,

    /// <summary>Someone spoke with the customer; the problem is not solved yet.</summary>
    [JsonStringEnumMemberName("contacted")]
    Contacted,

    /// <summary>Solved, with its root cause.</summary>
    [JsonStringEnumMemberName("resolved")]
    Resolved,

    /// <summary>Closed after the customer could not be reached.</summary>
    [JsonStringEnumMemberName("not-reachable")]
    NotReachable,
}

/// <summary>The statuses' names as stored and shown in the API: new, contacted, resolved, not-reachable.</summary>
public static class CaseStatuses
{
    public static string Name(CaseStatus status) => status switch
    {
        CaseStatus.Contacted => "contacted",
        CaseStatus.Resolved => "resolved",
        CaseStatus.NotReachable => "not-reachable",
        _ => "new",
    };

    public static CaseStatus Parse(string name) => name switch
    {
        "contacted" => CaseStatus.Contacted,
        "resolved" => CaseStatus.Resolved,
        "not-reachable" => CaseStatus.NotReachable,
        _ => CaseStatus.New,
    };
}

/// <summary>A step a case's state does not allow; the message says why and what to do instead.</summary>
public sealed class CaseStateException(string message) : Exception(message);

/// <summary>
/// Where a closed-loop case stands: new → contacted → resolved or not reachable (a case can also be resolved or
/// closed as not reachable straight from new). The SLA is the time to first contact: a case still new after
/// <see cref="DueAt"/> is overdue, and is escalated once.
/// </summary>
public sealed record CaseState(
    CaseStatus Status, DateTime OpenedAt, DateTime DueAt, DateTime? FirstContactAt, DateTime? ClosedAt, DateTime? EscalatedAt, string? RootCause)
{
    public static CaseState Open(DateTime at, TimeSpan sla)
    {
        if (sla <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(sla), sla, "an SLA is a positive time");
        }

        return new(CaseStatus.New, at, at + sla, null, null, null, null);
    }

    public bool IsClosed => Status is CaseStatus.Resolved or CaseStatus.NotReachable;

    /// <summary>Still waiting for a first contact after its due time.</summary>
    public bool IsOverdue(DateTime now) => Status == CaseStatus.New && now > DueAt;

    /// <summary>The customer was reached. Later contacts keep the first contact's time.</summary>
    public CaseState Contact(DateTime at)
    {
        Open("contacted");
        return this with { Status = CaseStatus.Contacted, FirstContactAt = FirstContactAt ?? NotBefore(at) };
    }

    /// <summary>Solved, for <paramref name="rootCause"/> (one of the workspace's root-cause codes).</summary>
    public CaseState Resolve(DateTime at, string rootCause)
    {
        Open("resolved");
        if (string.IsNullOrWhiteSpace(rootCause))
        {
            throw new CaseStateException("a case is resolved with its root cause");
        }

        var when = NotBefore(at);
        return this with { Status = CaseStatus.Resolved, FirstContactAt = FirstContactAt ?? when, ClosedAt = when, RootCause = rootCause };
    }

    /// <summary>Closed without reaching the customer (after the attempts the team's routine asks for).</summary>
    public CaseState NotReachable(DateTime at)
    {
        Open("closed as not reachable");
        return this with { Status = CaseStatus.NotReachable, ClosedAt = NotBefore(at) };
    }

    /// <summary>Marks an overdue case escalated, once; a case not overdue, or escalated already, is left as it is.</summary>
    public CaseState Escalate(DateTime now) => IsOverdue(now) && EscalatedAt is null ? this with { EscalatedAt = now } : this;

    private void Open(string step)
    {
        if (IsClosed)
        {
            throw new CaseStateException($"the case is already {(Status == CaseStatus.Resolved ? "resolved" : "closed as not reachable")}: it cannot be {step}; open a new case if the customer needs more");
        }
    }

    private DateTime NotBefore(DateTime at) => at < OpenedAt ? OpenedAt : at;
}
