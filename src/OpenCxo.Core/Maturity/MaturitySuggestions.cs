using System.Globalization;

namespace OpenCxo.Core.Maturity;

/// <summary>
/// A suggested initiative, in the initiatives portfolio's draft shape: what <c>POST /api/v1/initiatives</c> and the
/// <c>/initiatives/new</c> form take. Status is always <c>proposed</c> and the start the day it was suggested (the
/// portfolio requires one; the owner moves it); KPIs, journeys and themes are left for the owner.
/// </summary>
public sealed record InitiativeDraft(
    string Key, string Name, string Description, string OwnerDepartment, string Status, DateOnly Start,
    IReadOnlyList<string> Kpis, IReadOnlyList<string> Journeys, IReadOnlyList<string> Themes, string ExpectedImpact);

/// <summary>One weak practice of a department and the initiative suggested for it.</summary>
public sealed record MaturitySuggestion(MaturityPractice Practice, int Score, string? Note, InitiativeDraft Initiative)
{
    /// <summary>The link that opens the initiatives form filled in with this suggestion.</summary>
    public string CreateUrl => "/initiatives/new?key=" + Uri.EscapeDataString(Initiative.Key)
        + "&name=" + Uri.EscapeDataString(Initiative.Name)
        + "&department=" + Uri.EscapeDataString(Initiative.OwnerDepartment)
        + "&description=" + Uri.EscapeDataString(Initiative.Description)
        + "&expectedImpact=" + Uri.EscapeDataString(Initiative.ExpectedImpact);
}

/// <summary>
/// Turns a department's weakest practices into initiative drafts: the answered practices scored at most
/// <see cref="Threshold"/> (defined but not yet managed), lowest first, ties in checklist order, at most <see cref="Most"/>.
/// Practices at 3 or 4 are already managed and never suggested; unanswered ones are not known to be weak.
/// </summary>
public static class MaturitySuggestions
{
    public const int Threshold = 2;
    public const int Most = 5;

    /// <summary>The level every suggestion aims for.</summary>
    public const int Goal = 3;

    /// <summary>The suggestions from <paramref name="answers"/>, written in <paramref name="language"/>, each starting <paramref name="today"/>.</summary>
    public static IReadOnlyList<MaturitySuggestion> For(string department, IReadOnlyDictionary<string, MaturityAnswer> answers, string language, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(answers);
        return [.. MaturityChecklist.Practices
            .Select((practice, order) => (practice, order))
            .Where(p => answers.TryGetValue(p.practice.Key, out var a) && a.Score <= Threshold)
            .OrderBy(p => answers[p.practice.Key].Score).ThenBy(p => p.order)
            .Take(Most)
            .Select(p => Suggest(department, p.practice, answers[p.practice.Key], language, today))];
    }

    private static MaturitySuggestion Suggest(string department, MaturityPractice practice, MaturityAnswer answer, string language, DateOnly today)
    {
        var es = language == "es";
        var level = MaturityChecklist.Levels[answer.Score];
        var goal = MaturityChecklist.Levels[Goal];
        var who = department == MaturityChecklist.Company ? (es ? "toda la empresa" : "the whole company") : department;
        var description = string.Format(
            CultureInfo.InvariantCulture,
            es ? "{0} Práctica «{1}» ({2}): puntuada {3}/4 ({4}) para {5}. Cómo se ve cuando está bien: {6}"
               : "{0} Practice “{1}” ({2}): scored {3}/4 ({4}) for {5}. What good looks like: {6}",
            practice.InitiativeDescription.In(language), practice.Text.In(language), practice.Key, answer.Score, level.Name.In(language), who, practice.Evidence.In(language));
        var impact = string.Format(
            CultureInfo.InvariantCulture,
            es ? "Llevar «{0}» de {1} ({2}) a al menos {3} ({4}): se sigue como rutina y se mide."
               : "Raise “{0}” from {1} ({2}) to at least {3} ({4}): followed as a routine and measured.",
            practice.InitiativeName.In(language), answer.Score, level.Name.In(language), Goal, goal.Name.In(language));
        var draft = new InitiativeDraft(
            $"maturity-{department}-{practice.Slug}",
            practice.InitiativeName.In(language),
            description,
            // Initiatives are owned by a department; a company-wide gap goes to "other" until someone takes it on.
            department == MaturityChecklist.Company ? "other" : department,
            "proposed", today, [], [], [], impact);
        return new MaturitySuggestion(practice, answer.Score, answer.Note, draft);
    }
}
