using OpenCxo.Core.Feedback;
using OpenCxo.Core.Ingest;

namespace OpenCxo.Core.Tests.Feedback;

public sealed class SurveyRulesTests
{
    private static LocalizedText T(string en) => new(en, "es: " + en);

    private static SurveyDefinition Relationship() => new(
        T("How are we doing?"),
        [
            new SurveyQuestion("nps", QuestionKind.Nps, T("Would you recommend us?"), Required: true),
            new SurveyQuestion("what_went_wrong", QuestionKind.Text, T("What went wrong?"), Required: true, ShowIf: new ShowIf("nps", AtMost: 6)),
            new SurveyQuestion("contact", QuestionKind.SingleChoice, T("How did you contact us?"),
                Options: [new ChoiceOption("phone", T("Phone")), new ChoiceOption("chat", T("Chat")), new ChoiceOption("store", T("Store"))]),
            new SurveyQuestion("waited", QuestionKind.Rating, T("How long did you wait?"), Scale: 4, ShowIf: new ShowIf("contact", AnyOf: ["phone", "chat"])),
            new SurveyQuestion("liked", QuestionKind.MultipleChoice, T("What did you like?"),
                Options: [new ChoiceOption("price", T("Price")), new ChoiceOption("staff", T("Staff")), new ChoiceOption("speed", T("Speed"))]),
            new SurveyQuestion("effort", QuestionKind.Ces, T("How easy was it?")),
        ],
        Thanks: T("Thank you"));

    private static Dictionary<string, IReadOnlyList<string>> Raw(params (string Key, string[] Values)[] answers) =>
        answers.ToDictionary(a => a.Key, a => (IReadOnlyList<string>)a.Values);

    [Fact]
    public void A_sound_definition_has_no_errors()
    {
        Assert.Empty(SurveyRules.Check(Relationship()));
    }

    [Fact]
    public void Every_fault_is_named_by_its_field()
    {
        var broken = new SurveyDefinition(
            new LocalizedText("Title", " "),
            [
                new SurveyQuestion("nps", QuestionKind.Nps, T("a"), Scale: 10),
                new SurveyQuestion("nps", QuestionKind.Nps, T("b")),
                new SurveyQuestion("Bad Key", QuestionKind.Text, T("c"), ShowIf: new ShowIf("later")),
                new SurveyQuestion("email", QuestionKind.Rating, T("d"), Scale: 11),
                new SurveyQuestion("pick", QuestionKind.SingleChoice, T("e"), Options: [new ChoiceOption("x", T("X")), new ChoiceOption("x", T("Y"))]),
                new SurveyQuestion("why", QuestionKind.Text, T("f"), ShowIf: new ShowIf("nps", AtLeast: 8, AtMost: 11, AnyOf: ["a"])),
                new SurveyQuestion("then", QuestionKind.Text, T("g"), ShowIf: new ShowIf("pick", AnyOf: ["z"])),
                new SurveyQuestion("after_text", QuestionKind.Csat, T("h"), ShowIf: new ShowIf("why", AtLeast: 1)),
                new SurveyQuestion("low_high", QuestionKind.Text, T("i"), ShowIf: new ShowIf("nps", AtLeast: 9, AtMost: 3)),
            ]);

        var fields = SurveyRules.Check(broken).Select(e => e.Field).ToList();

        Assert.Equal(
            [
                "title.es",
                "questions[0].scale",
                "questions[1].key", "questions[1].kind",
                "questions[2].key", "questions[2].showIf.question",
                "questions[3].key", "questions[3].scale",
                "questions[4].options[1].key",
                "questions[5].showIf.anyOf", "questions[5].showIf.atMost",
                "questions[6].showIf.anyOf",
                "questions[7].showIf.question",
                "questions[8].showIf",
            ],
            fields);
    }

    [Fact]
    public void A_survey_has_questions_and_choices_have_options()
    {
        Assert.Contains(SurveyRules.Check(new SurveyDefinition(T("t"), [])), e => e.Field == "questions");
        var lonely = new SurveyDefinition(T("t"), [new SurveyQuestion("pick", QuestionKind.MultipleChoice, T("p"), Options: [new ChoiceOption("a", T("A"))])]);
        Assert.Contains(SurveyRules.Check(lonely), e => e.Field == "questions[0].options");
        var scored = new SurveyDefinition(T("t"), [new SurveyQuestion("n", QuestionKind.Nps, T("p"), Options: [new ChoiceOption("a", T("A")), new ChoiceOption("b", T("B"))])]);
        Assert.Contains(SurveyRules.Check(scored), e => e.Field == "questions[0].options");
    }

    [Fact]
    public void A_detractor_is_asked_what_went_wrong_and_a_promoter_is_not()
    {
        var survey = Relationship();

        var (detractor, detractorErrors) = SurveyRules.CheckAnswers(survey, Raw(("nps", ["3"])), complete: true);
        Assert.Equal([new FieldError("what_went_wrong", "is required")], detractorErrors);
        Assert.Equal(3, detractor["nps"].Score);

        // A promoter's answer to the hidden question was never asked for: it is dropped, not an error.
        var (promoter, promoterErrors) = SurveyRules.CheckAnswers(survey, Raw(("nps", ["9"]), ("what_went_wrong", ["nothing"])), complete: true);
        Assert.Empty(promoterErrors);
        Assert.Equal(["nps"], promoter.Keys);

        // The boundary: 6 is a detractor, 7 is not.
        Assert.True(SurveyRules.IsShown(survey.Questions[1], new Dictionary<string, Answer> { ["nps"] = new(Score: 6) }));
        Assert.False(SurveyRules.IsShown(survey.Questions[1], new Dictionary<string, Answer> { ["nps"] = new(Score: 7) }));
    }

    [Fact]
    public void Partial_answers_skip_the_required_check()
    {
        var (answers, errors) = SurveyRules.CheckAnswers(Relationship(), Raw(("nps", ["2"])), complete: false);
        Assert.Empty(errors);
        Assert.Single(answers);
    }

    [Fact]
    public void Answers_are_read_by_kind_and_blank_ones_are_no_answer()
    {
        var (answers, errors) = SurveyRules.CheckAnswers(
            Relationship(),
            Raw(("nps", [" 10 "]), ("contact", ["chat"]), ("waited", ["4"]), ("liked", ["speed", "price"]), ("effort", [""])),
            complete: true);

        Assert.Empty(errors);
        Assert.Equal(10, answers["nps"].Score);
        Assert.Equal("chat", answers["contact"].Choice);
        Assert.Equal(4, answers["waited"].Score);
        Assert.Equal(["price", "speed"], answers["liked"].Choices!);
        Assert.False(answers.ContainsKey("effort"));
    }

    [Fact]
    public void Bad_answers_name_the_question_and_the_rule()
    {
        var (answers, errors) = SurveyRules.CheckAnswers(
            Relationship(),
            Raw(("nps", ["11"]), ("contact", ["fax"]), ("liked", ["staff", "staff"]), ("effort", ["2.5"]), ("bogus", ["1"]), ("what_went_wrong", [new string('x', 5001)])),
            complete: false);

        Assert.Empty(answers);
        Assert.Equal(
            [
                new FieldError("bogus", "the survey has no such question"),
                new FieldError("nps", "must be a whole number from 0 to 10"),
                new FieldError("contact", "'fax' is not one of phone, chat, store"),
                new FieldError("liked", "names an option twice"),
                new FieldError("effort", "must be a whole number from 1 to 7"),
            ],
            errors);
    }

    [Fact]
    public void A_bad_answer_to_a_question_that_is_not_asked_is_no_fault()
    {
        // A promoter is not asked what went wrong: an over-long answer there is dropped, not refused.
        var (answers, errors) = SurveyRules.CheckAnswers(Relationship(), Raw(("nps", ["9"]), ("what_went_wrong", [new string('x', 5001)])), complete: true);
        Assert.Empty(errors);
        Assert.Equal(["nps"], answers.Keys);

        // A detractor is asked, so the same answer is refused.
        var (_, detractor) = SurveyRules.CheckAnswers(Relationship(), Raw(("nps", ["2"]), ("what_went_wrong", [new string('x', 5001)])), complete: true);
        Assert.Equal([new FieldError("what_went_wrong", "is longer than 5,000 characters")], detractor);
    }

    [Fact]
    public void A_required_question_with_a_bad_answer_is_reported_once()
    {
        var (_, errors) = SurveyRules.CheckAnswers(Relationship(), Raw(("nps", ["ten"])), complete: true);
        Assert.Equal([new FieldError("nps", "must be a whole number from 0 to 10")], errors);
    }

    [Fact]
    public void Texts_are_shown_in_the_customers_language()
    {
        var text = new LocalizedText("Thanks", "Gracias");
        Assert.Equal("Gracias", text.In("es-MX"));
        Assert.Equal("Thanks", text.In("en"));
        Assert.Equal("Thanks", text.In("fr"));
        Assert.Equal("Thanks", text.In(null));
    }
}
