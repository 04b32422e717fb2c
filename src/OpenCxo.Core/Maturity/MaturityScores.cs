namespace OpenCxo.Core.Maturity;

/// <summary>
/// The scores of one assessment: <see cref="Overall"/> is the mean of every answered practice (so an area with more
/// answered practices weighs more, as each practice counts once); each area's is the mean of its answered practices,
/// null when none was answered. Unanswered practices are left out, never counted as 0. An assessment none of whose
/// practices is in the checklist any more (all dropped since it was recorded) has no score: <see cref="Overall"/> is null.
/// </summary>
public sealed record MaturityScores(double? Overall, IReadOnlyDictionary<string, double?> Areas, int Answered)
{
    public static MaturityScores Of(IReadOnlyDictionary<string, MaturityAnswer> answers)
    {
        ArgumentNullException.ThrowIfNull(answers);
        var scored = MaturityChecklist.Practices.Where(p => answers.ContainsKey(p.Key)).Select(p => (p.Area, answers[p.Key].Score)).ToList();
        return new MaturityScores(Mean(scored.Select(s => s.Score)), AreaMeans(scored), scored.Count);
    }

    internal static IReadOnlyDictionary<string, double?> AreaMeans(IReadOnlyList<(string Area, int Score)> scored) =>
        MaturityChecklist.Areas.ToDictionary(a => a.Key, a => Mean(scored.Where(s => s.Area == a.Key).Select(s => s.Score)), StringComparer.Ordinal);

    internal static double? Mean(IEnumerable<int> scores) => scores.ToList() is { Count: > 0 } list ? list.Average() : null;
}

/// <summary>
/// The change between two assessments of one department, like for like: only the <see cref="Practices"/> answered in
/// both count, so a practice answered for the first time (or left out this time) does not move the change. Overall is
/// the mean over those practices now less their mean before; each area likewise over its own; null where there are none.
/// </summary>
public sealed record MaturityChange(double? Overall, IReadOnlyDictionary<string, double?> Areas, int Practices)
{
    public static MaturityChange Between(IReadOnlyDictionary<string, MaturityAnswer> before, IReadOnlyDictionary<string, MaturityAnswer> now)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(now);
        var both = MaturityChecklist.Practices.Where(p => before.ContainsKey(p.Key) && now.ContainsKey(p.Key)).ToList();
        var then = both.Select(p => (p.Area, before[p.Key].Score)).ToList();
        var today = both.Select(p => (p.Area, now[p.Key].Score)).ToList();
        var areasThen = MaturityScores.AreaMeans(then);
        var areasNow = MaturityScores.AreaMeans(today);
        return new MaturityChange(
            Difference(MaturityScores.Mean(today.Select(s => s.Score)), MaturityScores.Mean(then.Select(s => s.Score))),
            MaturityChecklist.Areas.ToDictionary(a => a.Key, a => Difference(areasNow[a.Key], areasThen[a.Key]), StringComparer.Ordinal),
            both.Count);
    }

    private static double? Difference(double? now, double? before) => now is { } n && before is { } b ? n - b : null;
}
