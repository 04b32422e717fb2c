using System.Text.Json.Serialization;

namespace OpenCxo.Core.Feedback;

/// <summary>The kinds of question a survey asks; the score kinds have fixed scales so that they compare across surveys.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<QuestionKind>))]
public enum QuestionKind
{
    /// <summary>Net Promoter: "how likely are you to recommend…", 0–10.</summary>
    [JsonStringEnumMemberName("nps")]
    Nps,

    /// <summary>Customer satisfaction, 1–5 (4 and 5 count as satisfied).</summary>
    [JsonStringEnumMemberName("csat")]
    Csat,

    /// <summary>Customer effort, 1–7 (7: very easy).</summary>
    [JsonStringEnumMemberName("ces")]
    Ces,

    /// <summary>A rating from 1 to <see cref="SurveyQuestion.Scale"/> (3–10).</summary>
    [JsonStringEnumMemberName("rating")]
    Rating,

    [JsonStringEnumMemberName("singleChoice")]
    SingleChoice,

    [JsonStringEnumMemberName("multipleChoice")]
    MultipleChoice,

    [JsonStringEnumMemberName("text")]
    Text,
}

/// <summary>A text in both languages the product speaks.</summary>
public sealed record LocalizedText(string En, string Es)
{
    /// <summary>The text in <paramref name="language"/> ("es…" is Spanish, anything else English).</summary>
    public string In(string? language) =>
        language is not null && language.StartsWith("es", StringComparison.OrdinalIgnoreCase) ? Es : En;
}

public sealed record ChoiceOption(string Key, LocalizedText Label);

/// <summary>
/// Simple branching: the question is asked only when an earlier question's answer is within
/// <see cref="AtLeast"/> … <see cref="AtMost"/> (score questions) or is one of <see cref="AnyOf"/> (choice questions).
/// </summary>
public sealed record ShowIf(string Question, int? AtLeast = null, int? AtMost = null, IReadOnlyList<string>? AnyOf = null);

public sealed record SurveyQuestion(
    string Key,
    QuestionKind Kind,
    LocalizedText Prompt,
    bool Required = false,
    int? Scale = null,
    IReadOnlyList<ChoiceOption>? Options = null,
    ShowIf? ShowIf = null)
{
    /// <summary>The answers a score question takes, lowest first; null for choice and text questions.</summary>
    [JsonIgnore]
    public (int Low, int High)? Range => Kind switch
    {
        QuestionKind.Nps => (0, 10),
        QuestionKind.Csat => (1, 5),
        QuestionKind.Ces => (1, 7),
        QuestionKind.Rating => (1, Scale ?? 5),
        _ => null,
    };
}

/// <summary>What a survey asks, in what order, and what it says around the questions. Immutable once published.</summary>
public sealed record SurveyDefinition(
    LocalizedText Title,
    IReadOnlyList<SurveyQuestion> Questions,
    LocalizedText? Intro = null,
    LocalizedText? Thanks = null)
{
    public SurveyQuestion? Question(string key) => Questions.FirstOrDefault(q => q.Key == key);

    /// <summary>The answer to the survey's question of a score kind (NPS, CSAT, CES: at most one each), if given.</summary>
    public int? ScoreOf(QuestionKind kind, IReadOnlyDictionary<string, Answer> answers) =>
        Questions.FirstOrDefault(q => q.Kind == kind) is { } question && answers.TryGetValue(question.Key, out var answer) ? answer.Score : null;
}
