using System.Text.Json;
using OpenCxo.Core.Feedback;
using OpenCxo.Core.Ingest;

namespace OpenCxo.App.Feedback;

/// <summary>
/// A survey as the builder page edits it: every field a plain settable value, so half-typed input can live in the page.
/// <see cref="ToJson"/> gives the same JSON the API takes, and the same <see cref="Surveys"/> code checks it, so the
/// page and the API accept and refuse exactly the same surveys. Nothing is checked or dropped here.
/// </summary>
public sealed class SurveyDraft
{
    public string Key { get; set; } = "";
    public TextDraft Title { get; set; } = new();
    public TextDraft Intro { get; set; } = new();
    public TextDraft Thanks { get; set; } = new();
    public List<QuestionDraft> Questions { get; } = [];

    public static SurveyDraft From(string key, SurveyDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var draft = new SurveyDraft
        {
            Key = key,
            Title = TextDraft.From(definition.Title),
            Intro = TextDraft.From(definition.Intro),
            Thanks = TextDraft.From(definition.Thanks),
        };
        draft.Questions.AddRange(definition.Questions.Select(QuestionDraft.From));
        return draft;
    }

    /// <summary>
    /// A new question of <paramref name="kind"/> with a key not yet used and, for the score kinds, the standard wording
    /// in both languages, ready to be reworded.
    /// </summary>
    public QuestionDraft Add(QuestionKind kind)
    {
        var stem = kind switch
        {
            QuestionKind.Nps => "nps",
            QuestionKind.Csat => "csat",
            QuestionKind.Ces => "ces",
            QuestionKind.Rating => "rating",
            QuestionKind.SingleChoice or QuestionKind.MultipleChoice => "choice",
            _ => "comment",
        };
        var key = stem;
        for (var n = 2; Questions.Any(q => q.Key == key); n++)
        {
            key = stem + "_" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var question = new QuestionDraft { Key = key, Required = kind is QuestionKind.Nps or QuestionKind.Csat or QuestionKind.Ces };
        question.ChangeKind(kind);
        Questions.Add(question);
        return question;
    }

    public void Move(QuestionDraft question, int by)
    {
        var from = Questions.IndexOf(question);
        var to = from + by;
        if (from < 0 || to < 0 || to >= Questions.Count)
        {
            return;
        }

        Questions.RemoveAt(from);
        Questions.Insert(to, question);
    }

    /// <summary>The questions before <paramref name="question"/> that a condition can look at: scores and choices.</summary>
    public IEnumerable<QuestionDraft> ConditionSources(QuestionDraft question) =>
        Questions.TakeWhile(q => q != question).Where(q => q.Kind != QuestionKind.Text && !string.IsNullOrWhiteSpace(q.Key));

    public SurveyDefinition ToDefinition() => new(
        Title.ToText(),
        [.. Questions.Select(q => q.ToQuestion(this))],
        Intro.ToOptionalText(),
        Thanks.ToOptionalText());

    public JsonElement ToJson() => JsonSerializer.SerializeToElement(ToDefinition(), Surveys.Json);
}

public sealed class TextDraft
{
    public string En { get; set; } = "";
    public string Es { get; set; } = "";

    public static TextDraft From(LocalizedText? text) => new() { En = text?.En ?? "", Es = text?.Es ?? "" };

    public LocalizedText ToText() => new(En.Trim(), Es.Trim());

    /// <summary>An optional text left blank in both languages is no text; half filled, it goes to the check as it is.</summary>
    public LocalizedText? ToOptionalText() => string.IsNullOrWhiteSpace(En) && string.IsNullOrWhiteSpace(Es) ? null : ToText();
}

public sealed class OptionDraft
{
    public string Key { get; set; } = "";
    public TextDraft Label { get; set; } = new();
}

public sealed class QuestionDraft
{
    public string Key { get; set; } = "";
    public QuestionKind Kind { get; private set; } = QuestionKind.Text;
    public TextDraft Prompt { get; set; } = new();
    public bool Required { get; set; }
    public int Scale { get; set; } = 5;
    public List<OptionDraft> Options { get; } = [];

    /// <summary>The key of the earlier question that decides whether this one is asked; empty: always asked.</summary>
    public string ShowIfQuestion { get; set; } = "";
    public int? ShowIfAtLeast { get; set; }
    public int? ShowIfAtMost { get; set; }
    public IReadOnlyCollection<string> ShowIfAnyOf { get; set; } = [];

    public static QuestionDraft From(SurveyQuestion question)
    {
        ArgumentNullException.ThrowIfNull(question);
        var draft = new QuestionDraft
        {
            Key = question.Key,
            Kind = question.Kind,
            Prompt = TextDraft.From(question.Prompt),
            Required = question.Required,
            Scale = question.Scale ?? 5,
            ShowIfQuestion = question.ShowIf?.Question ?? "",
            ShowIfAtLeast = question.ShowIf?.AtLeast,
            ShowIfAtMost = question.ShowIf?.AtMost,
            ShowIfAnyOf = question.ShowIf?.AnyOf is { } any ? [.. any] : [],
        };
        draft.Options.AddRange((question.Options ?? []).Select(o => new OptionDraft { Key = o.Key, Label = TextDraft.From(o.Label) }));
        return draft;
    }

    public bool IsChoice => Kind is QuestionKind.SingleChoice or QuestionKind.MultipleChoice;

    /// <summary>
    /// Switches the kind, keeping what still fits: a choice gets two options to start from, and the score kinds get
    /// their standard prompt where the prompt is still empty.
    /// </summary>
    public void ChangeKind(QuestionKind kind)
    {
        Kind = kind;
        if (IsChoice && Options.Count == 0)
        {
            Options.Add(new OptionDraft { Key = "yes", Label = new TextDraft { En = "Yes", Es = "Sí" } });
            Options.Add(new OptionDraft { Key = "no", Label = new TextDraft { En = "No", Es = "No" } });
        }

        if (Prompt.En.Length == 0 && Prompt.Es.Length == 0 && StandardPrompt(kind) is { } standard)
        {
            Prompt = TextDraft.From(standard);
        }
    }

    /// <summary>The usual wording of the score questions (Reichheld 2003 for NPS; Dixon, Freeman & Toman 2010 for CES).</summary>
    public static LocalizedText? StandardPrompt(QuestionKind kind) => kind switch
    {
        QuestionKind.Nps => new LocalizedText(
            "How likely are you to recommend us to a friend or colleague?",
            "¿Con qué probabilidad nos recomendaría a un amigo o colega?"),
        QuestionKind.Csat => new LocalizedText(
            "How satisfied are you with the service you received?",
            "¿Qué tan satisfecho está con la atención recibida?"),
        QuestionKind.Ces => new LocalizedText(
            "The company made it easy for me to handle my issue.",
            "La empresa me facilitó resolver mi gestión."),
        _ => null,
    };

    public OptionDraft AddOption()
    {
        var key = "option";
        for (var n = Options.Count + 1; Options.Any(o => o.Key == key); n++)
        {
            key = "option_" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var option = new OptionDraft { Key = key };
        Options.Add(option);
        return option;
    }

    internal SurveyQuestion ToQuestion(SurveyDraft survey)
    {
        ShowIf? condition = null;
        if (ShowIfQuestion.Length > 0)
        {
            var source = survey.Questions.FirstOrDefault(q => q.Key == ShowIfQuestion);
            condition = source is { IsChoice: true }
                ? new ShowIf(ShowIfQuestion, AnyOf: [.. ShowIfAnyOf])
                : new ShowIf(ShowIfQuestion, ShowIfAtLeast, ShowIfAtMost);
        }

        return new SurveyQuestion(
            Key.Trim(),
            Kind,
            Prompt.ToText(),
            Required,
            Kind == QuestionKind.Rating ? Scale : null,
            IsChoice ? [.. Options.Select(o => new ChoiceOption(o.Key.Trim(), o.Label.ToText()))] : null,
            condition);
    }
}
