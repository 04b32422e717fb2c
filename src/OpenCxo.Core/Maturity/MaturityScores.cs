namespace OpenCxo.Core.Maturity;

/// <summary>
/// The scores of one assessment: <see cref="Overall"/> is the mean of every answered practice (so an area with more
/// answered practices weighs more, as each practice counts once); each area's is the mean of its answered practices,
/// null when none was answered. Unanswered practices are left out, never counted as 0.
/// </summary>
public sealed record MaturityScores(double Overall, IReadOnlyDictionary<string, double?> Areas, int Answered)
{
    public static MaturityScores Of(IReadOnlyDictionary<string, MaturityAnswer> answers)
    {
        ArgumentNullException.ThrowIfNull(answers);
        var scored = MaturityChecklist.Practices.Where(p => answers.ContainsKey(p.Key)).Select(p => (p.Area, answers[p.Key].Score)).ToList();
        if (scored.Count == 0)
        {
            throw new ArgumentException("An assessment answers at least one practice.", nameof(answers));
        }

        var areas = MaturityChecklist.Areas.ToDictionary(
            a => a.Key,
            a => scored.Where(s => s.Area == a.Key).Select(s => (double)s.Score).ToList() is { Count: > 0 } area ? area.Average() : (double?)null,
            StringComparer.Ordinal);
        return new MaturityScores(scored.Average(s => s.Score), areas, scored.Count);
    }

    /// <summary>
    /// What changed since <paramref name="previous"/>: this overall score less its, and per area where both answered it
    /// (null where either did not).
    /// </summary>
    public MaturityChange Since(MaturityScores previous)
    {
        ArgumentNullException.ThrowIfNull(previous);
        return new MaturityChange(
            Overall - previous.Overall,
            Areas.ToDictionary(a => a.Key, a => a.Value is { } now && previous.Areas.GetValueOrDefault(a.Key) is { } before ? now - before : (double?)null, StringComparer.Ordinal));
    }
}

/// <summary>The change between two assessments of one department, overall and per area.</summary>
public sealed record MaturityChange(double Overall, IReadOnlyDictionary<string, double?> Areas);
