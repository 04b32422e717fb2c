namespace OpenCxo.Data.Storage;

/// <summary>
/// One training and scoring pass of the predictive models (issue 7) for a workspace: when, on data up to when, how it
/// went, and what it measured (hold-out AUC, log-loss, calibration, feature importance; the CLV fits' parameters) as
/// one JSON document the app reads back.
/// </summary>
public sealed class ModelRunRow
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime FinishedAt { get; set; }

    /// <summary>The moment the models looked from: features up to it, scores about what follows.</summary>
    public DateTime AsOf { get; set; }

    /// <summary><c>ok</c>, <c>partial</c> (one model could not be fitted; <see cref="Message"/> says why) or <c>failed</c>.</summary>
    public required string Status { get; set; }

    public string? Message { get; set; }
    public long Customers { get; set; }
    public required string ReportJson { get; set; }
}

/// <summary>
/// A customer's latest predictions: churn risk with its reasons (JSON), and the lifetime value models' probability
/// alive, expected purchases and spend, and discounted value. One row per live customer; each run replaces the
/// workspace's rows.
/// </summary>
public sealed class CustomerScoreRow
{
    public long WorkspaceId { get; set; }
    public long CustomerId { get; set; }
    public long RunId { get; set; }
    public double? ChurnRisk { get; set; }

    /// <summary>[{"feature","value","logOdds"}…], largest first; null where no churn score.</summary>
    public string? ChurnReasonsJson { get; set; }

    public double? ProbabilityAlive { get; set; }

    /// <summary>Purchases expected over the run's horizon (52 weeks by default).</summary>
    public double? ExpectedPurchases { get; set; }

    public double? ExpectedSpend { get; set; }
    public double? LifetimeValue { get; set; }
    public string? Currency { get; set; }
}

/// <summary>
/// A workspace's next-best-action rules as its users last saved them: one JSON document (the API's shape), replaced
/// whole so a rule set is never half-saved. No row: the built-in rules apply.
/// </summary>
public sealed class ActionRuleSetRow : IWorkspaceDocument
{
    public long WorkspaceId { get; set; }
    public required string RulesJson { get; set; }
    public DateTime UpdatedAt { get; set; }

    string IWorkspaceDocument.Json { get => RulesJson; set => RulesJson = value; }
}
