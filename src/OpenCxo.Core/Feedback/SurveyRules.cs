using System.Globalization;
using System.Text.RegularExpressions;
using OpenCxo.Core.Ingest;

namespace OpenCxo.Core.Feedback;

/// <summary>One answer as kept: a score, one choice, several choices or a text.</summary>
public sealed record Answer(int? Score = null, string? Choice = null, IReadOnlyList<string>? Choices = null, string? Text = null);

/// <summary>
/// What makes a survey definition sound, and which answers it takes. Every problem names its field
/// (<c>questions[2].showIf.atMost</c>, <c>nps</c>), so a builder or an importer can point at it.
/// </summary>
public static partial class SurveyRules
{
    public const int MaxQuestions = 50;
    public const int MaxOptions = 30;
    public const int MaxTitleLength = 200;
    public const int MaxPromptLength = 500;
    public const int MaxLongTextLength = 2_000;
    public const int MaxAnswerTextLength = 5_000;

    /// <summary>Names an import file uses for its own columns; a question cannot take them.</summary>
    public static readonly IReadOnlySet<string> ReservedKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        "id", "survey", "email", "phone", "language", "channel", "answeredat",
    };

    [GeneratedRegex("^[a-z][a-z0-9_]{0,39}$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();

    /// <summary>A survey key: lower case letters, digits and dashes, 2–60 characters, e.g. <c>post-ticket-csat</c>.</summary>
    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,59}$", RegexOptions.CultureInvariant)]
    public static partial Regex SurveyKeyPattern();

    public static List<FieldError> Check(SurveyDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var errors = new List<FieldError>();
        CheckText(definition.Title, "title", MaxTitleLength, errors);
        if (definition.Intro is not null)
        {
            CheckText(definition.Intro, "intro", MaxLongTextLength, errors);
        }

        if (definition.Thanks is not null)
        {
            CheckText(definition.Thanks, "thanks", MaxLongTextLength, errors);
        }

        var questions = definition.Questions ?? [];
        if (questions.Count is 0 or > MaxQuestions)
        {
            errors.Add(new FieldError("questions", $"a survey asks 1 to {MaxQuestions} questions"));
        }

        var earlier = new Dictionary<string, SurveyQuestion>(StringComparer.Ordinal);
        var scoreKinds = new HashSet<QuestionKind>();
        for (var i = 0; i < questions.Count; i++)
        {
            var question = questions[i];
            var at = $"questions[{i}]";
            if (question is null)
            {
                errors.Add(new FieldError(at, "is empty"));
                continue;
            }

            CheckQuestion(question, at, earlier, errors);
            if (question.Kind is QuestionKind.Nps or QuestionKind.Csat or QuestionKind.Ces && !scoreKinds.Add(question.Kind))
            {
                errors.Add(new FieldError($"{at}.kind", $"a survey asks at most one {Name(question.Kind)} question, so its score is unambiguous"));
            }

            if (question.Key is not null)
            {
                earlier.TryAdd(question.Key, question);
            }
        }

        return errors;
    }

    /// <summary>
    /// Checks raw answers (as typed or imported: one text per value, several for a multiple choice) against a
    /// definition and keeps the good ones. Blank values are no answer. Answers to questions the branching hides are
    /// dropped, with any fault they have (they were not asked). With <paramref name="complete"/>, a shown required question left unanswered is
    /// an error; partial answers skip that check.
    /// </summary>
    public static (Dictionary<string, Answer> Answers, List<FieldError> Errors) CheckAnswers(
        SurveyDefinition definition, IReadOnlyDictionary<string, IReadOnlyList<string>> raw, bool complete)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(raw);
        var errors = new List<FieldError>();
        var answers = new Dictionary<string, Answer>(StringComparer.Ordinal);
        foreach (var key in raw.Keys.Where(k => definition.Question(k) is null).Order(StringComparer.Ordinal))
        {
            errors.Add(new FieldError(key, "the survey has no such question"));
        }

        foreach (var question in definition.Questions)
        {
            if (!raw.TryGetValue(question.Key, out var values))
            {
                continue;
            }

            var given = values.Select(v => v?.Trim() ?? "").Where(v => v.Length > 0).ToList();
            if (given.Count > 0 && Read(question, given, errors) is { } answer)
            {
                answers[question.Key] = answer;
            }
        }

        foreach (var question in definition.Questions)
        {
            if (!IsShown(question, answers))
            {
                // Not asked: its answer, right or wrong, is no part of the response.
                answers.Remove(question.Key);
                errors.RemoveAll(e => e.Field == question.Key);
            }
            else if (complete && question.Required && !answers.ContainsKey(question.Key) && errors.All(e => e.Field != question.Key))
            {
                errors.Add(new FieldError(question.Key, "is required"));
            }
        }

        return (answers, errors);
    }

    /// <summary>Whether the question is asked, given the answers so far (a condition on an unanswered question hides it).</summary>
    public static bool IsShown(SurveyQuestion question, IReadOnlyDictionary<string, Answer> answers)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(answers);
        if (question.ShowIf is not { } condition)
        {
            return true;
        }

        if (!answers.TryGetValue(condition.Question, out var answer))
        {
            return false;
        }

        if (answer.Score is { } score)
        {
            return score >= (condition.AtLeast ?? int.MinValue) && score <= (condition.AtMost ?? int.MaxValue);
        }

        var chosen = answer.Choices ?? (answer.Choice is { } one ? [one] : []);
        return condition.AnyOf is { } any && chosen.Any(any.Contains);
    }

    private static Answer? Read(SurveyQuestion question, List<string> given, List<FieldError> errors)
    {
        var key = question.Key;
        if (question.Kind != QuestionKind.MultipleChoice && given.Count > 1)
        {
            errors.Add(new FieldError(key, "takes one answer"));
            return null;
        }

        switch (question.Kind)
        {
            case QuestionKind.Text:
                if (given[0].Length > MaxAnswerTextLength)
                {
                    errors.Add(new FieldError(key, $"is longer than {MaxAnswerTextLength:N0} characters"));
                    return null;
                }

                return new Answer(Text: given[0]);
            case QuestionKind.SingleChoice:
                if (!HasOption(question, given[0]))
                {
                    errors.Add(new FieldError(key, $"'{Clip(given[0])}' is not one of {OptionList(question)}"));
                    return null;
                }

                return new Answer(Choice: given[0]);
            case QuestionKind.MultipleChoice:
                var unknown = given.FirstOrDefault(v => !HasOption(question, v));
                if (unknown is not null)
                {
                    errors.Add(new FieldError(key, $"'{Clip(unknown)}' is not one of {OptionList(question)}"));
                    return null;
                }

                if (given.Distinct(StringComparer.Ordinal).Count() != given.Count)
                {
                    errors.Add(new FieldError(key, "names an option twice"));
                    return null;
                }

                // Kept in the survey's order of options, whatever order they came in.
                return new Answer(Choices: [.. question.Options!.Select(o => o.Key).Where(given.Contains)]);
            default:
                var (low, high) = question.Range!.Value;
                if (!int.TryParse(given[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var score) || score < low || score > high)
                {
                    errors.Add(new FieldError(key, $"must be a whole number from {low} to {high}"));
                    return null;
                }

                return new Answer(Score: score);
        }
    }

    private static void CheckQuestion(SurveyQuestion question, string at, Dictionary<string, SurveyQuestion> earlier, List<FieldError> errors)
    {
        if (question.Key is null || !KeyPattern().IsMatch(question.Key))
        {
            errors.Add(new FieldError($"{at}.key", "must be 1–40 characters of a-z, 0-9 and _, starting with a letter (e.g. nps, what_went_wrong)"));
        }
        else if (ReservedKeys.Contains(question.Key))
        {
            errors.Add(new FieldError($"{at}.key", $"'{question.Key}' is a column of response files; choose another key"));
        }
        else if (earlier.ContainsKey(question.Key))
        {
            errors.Add(new FieldError($"{at}.key", $"'{question.Key}' is used by an earlier question"));
        }

        if (!Enum.IsDefined(question.Kind))
        {
            errors.Add(new FieldError($"{at}.kind", "must be nps, csat, ces, rating, singleChoice, multipleChoice or text"));
            return;
        }

        CheckText(question.Prompt, $"{at}.prompt", MaxPromptLength, errors);
        if (question.Kind == QuestionKind.Rating)
        {
            if (question.Scale is < 3 or > 10)
            {
                errors.Add(new FieldError($"{at}.scale", "a rating goes from 1 to 3 … 10"));
            }
        }
        else if (question.Scale is not null)
        {
            errors.Add(new FieldError($"{at}.scale", $"only a rating has a scale; {Name(question.Kind)} has a fixed one"));
        }

        var choice = question.Kind is QuestionKind.SingleChoice or QuestionKind.MultipleChoice;
        if (choice)
        {
            CheckOptions(question.Options ?? [], $"{at}.options", errors);
        }
        else if (question.Options is { Count: > 0 })
        {
            errors.Add(new FieldError($"{at}.options", "only choice questions have options"));
        }

        if (question.ShowIf is { } condition)
        {
            CheckCondition(condition, $"{at}.showIf", earlier, errors);
        }
    }

    private static void CheckOptions(IReadOnlyList<ChoiceOption> options, string at, List<FieldError> errors)
    {
        if (options.Count is < 2 or > MaxOptions)
        {
            errors.Add(new FieldError(at, $"a choice offers 2 to {MaxOptions} options"));
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Count; i++)
        {
            var option = options[i];
            if (option?.Key is null || !KeyPattern().IsMatch(option.Key))
            {
                errors.Add(new FieldError($"{at}[{i}].key", "must be 1–40 characters of a-z, 0-9 and _, starting with a letter"));
            }
            else if (!keys.Add(option.Key))
            {
                errors.Add(new FieldError($"{at}[{i}].key", $"'{option.Key}' is used by an earlier option"));
            }

            CheckText(option?.Label, $"{at}[{i}].label", MaxPromptLength, errors);
        }
    }

    private static void CheckCondition(ShowIf condition, string at, Dictionary<string, SurveyQuestion> earlier, List<FieldError> errors)
    {
        if (condition.Question is null || !earlier.TryGetValue(condition.Question, out var source))
        {
            errors.Add(new FieldError($"{at}.question", "must name an earlier question"));
            return;
        }

        if (source.Range is { } range)
        {
            if (condition.AnyOf is not null)
            {
                errors.Add(new FieldError($"{at}.anyOf", $"'{source.Key}' is a score: use atLeast and atMost"));
            }

            if (condition.AtLeast is null && condition.AtMost is null)
            {
                errors.Add(new FieldError(at, "needs atLeast, atMost or both"));
            }

            foreach (var (name, bound) in new[] { ("atLeast", condition.AtLeast), ("atMost", condition.AtMost) })
            {
                if (bound is { } value && (value < range.Low || value > range.High))
                {
                    errors.Add(new FieldError($"{at}.{name}", $"'{source.Key}' is answered from {range.Low} to {range.High}"));
                }
            }

            if (condition.AtLeast > condition.AtMost)
            {
                errors.Add(new FieldError(at, "atLeast is above atMost: the question would never be asked"));
            }
        }
        else if (source.Kind is QuestionKind.SingleChoice or QuestionKind.MultipleChoice)
        {
            if (condition.AtLeast is not null || condition.AtMost is not null)
            {
                errors.Add(new FieldError(at, $"'{source.Key}' is a choice: use anyOf"));
            }

            if (condition.AnyOf is not { Count: > 0 } any)
            {
                errors.Add(new FieldError($"{at}.anyOf", "lists the options that show the question"));
            }
            else if (any.FirstOrDefault(o => !HasOption(source, o)) is { } unknown)
            {
                errors.Add(new FieldError($"{at}.anyOf", $"'{Clip(unknown ?? "")}' is not an option of '{source.Key}'"));
            }
        }
        else
        {
            errors.Add(new FieldError($"{at}.question", "a free-text answer cannot decide what is asked next"));
        }
    }

    private static void CheckText(LocalizedText? text, string at, int maxLength, List<FieldError> errors)
    {
        if (text is null)
        {
            errors.Add(new FieldError(at, "is required, in English (en) and Spanish (es)"));
            return;
        }

        foreach (var (language, value) in new[] { ("en", text.En), ("es", text.Es) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                errors.Add(new FieldError($"{at}.{language}", "is required: every text is in English and Spanish"));
            }
            else if (value.Length > maxLength)
            {
                errors.Add(new FieldError($"{at}.{language}", $"is longer than {maxLength:N0} characters"));
            }
        }
    }

    private static bool HasOption(SurveyQuestion question, string key) => question.Options?.Any(o => o.Key == key) == true;

    private static string OptionList(SurveyQuestion question) => string.Join(", ", question.Options!.Select(o => o.Key));

    private static string Clip(string value) => value.Length > 40 ? value[..40] + "…" : value;

    private static string Name(QuestionKind kind) => kind switch
    {
        QuestionKind.Nps => "NPS",
        QuestionKind.Csat => "CSAT",
        QuestionKind.Ces => "CES",
        _ => kind.ToString(),
    };
}
