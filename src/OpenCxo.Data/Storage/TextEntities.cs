namespace OpenCxo.Data.Storage;

/// <summary>
/// The analysis of one touchpoint's text (issue 5). Written by the analysis job after the touchpoint, and written again
/// (delete, then insert under a new <see cref="Id"/>) when texts are re-analysed, so that the analytics store can copy
/// by <see cref="Id"/> alone. The raw text stays in the interaction; this holds only its redacted form.
/// </summary>
public sealed class TextAnalysisRow
{
    public long Id { get; set; }
    public long InteractionSeq { get; set; }
    public long WorkspaceId { get; set; }

    /// <summary>The analyser's version and the taxonomy's revision it ran with, "v1/t0": re-analysis replaces older ones.</summary>
    public required string Analyzer { get; set; }

    /// <summary><c>es</c>, <c>en</c> or <c>other</c>.</summary>
    public required string Language { get; set; }

    /// <summary>VADER compound score, −1 … 1.</summary>
    public double Sentiment { get; set; }

    /// <summary>JSON: <c>[{"key":"billing","sentiment":-0.42,"spans":[[12,7]]}]</c>, spans into <see cref="Redacted"/>.</summary>
    public required string Themes { get; set; }

    /// <summary>JSON: <c>[{"key":"churn_intent","spans":[[40,14]]}]</c>.</summary>
    public required string Flags { get; set; }

    public required string Redacted { get; set; }

    /// <summary>How many pieces of personal data were masked.</summary>
    public int Redactions { get; set; }

    public DateTime AnalyzedAt { get; set; }
}

/// <summary>How far the analysis job got: every interaction up to this seq has been looked at. One row.</summary>
public sealed class TextAnalysisState
{
    public int Id { get; set; }
    public long InteractionSeq { get; set; }
}

/// <summary>A workspace's own theme taxonomy (edited in the UI); workspaces without one use the shipped taxonomy.</summary>
public sealed class TextTaxonomyRow
{
    public long WorkspaceId { get; set; }
    public required string Json { get; set; }

    /// <summary>Grows by one with each change; analyses record the revision they used.</summary>
    public int Revision { get; set; }

    public DateTime UpdatedAt { get; set; }
    public required string UpdatedBy { get; set; }
}
