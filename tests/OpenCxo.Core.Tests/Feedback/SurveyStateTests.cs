using OpenCxo.Core.Feedback;

namespace OpenCxo.Core.Tests.Feedback;

public sealed class SurveyStateTests
{
    [Fact]
    public void A_draft_is_edited_in_place_and_a_published_survey_gets_a_new_version()
    {
        var draft = SurveyState.New;
        Assert.Equal((draft, false), draft.Edit());

        var published = draft.Publish();
        Assert.Equal(new SurveyState(SurveyStatus.Published, 1, 1), published);
        Assert.False(published.HasDraft);

        var (next, isNew) = published.Edit();
        Assert.True(isNew);
        Assert.Equal(new SurveyState(SurveyStatus.Published, 2, 1), next);

        // The second edit goes into the same draft; publishing it makes it the version that asks.
        Assert.Equal((next, false), next.Edit());
        Assert.Equal(new SurveyState(SurveyStatus.Published, 2, 2), next.Publish());
    }

    [Fact]
    public void Invalid_transitions_say_what_to_do_instead()
    {
        var published = SurveyState.New.Publish();
        Assert.Equal("version 1 is already published; edit the survey to start version 2",
            Assert.Throws<SurveyStateException>(published.Publish).Message);
        Assert.Contains("delete it instead", Assert.Throws<SurveyStateException>(SurveyState.New.Close).Message);
        Assert.Contains("close it instead", Assert.Throws<SurveyStateException>(published.EnsureDeletable).Message);
        Assert.Throws<SurveyStateException>(published.Reopen);

        var closed = published.Close();
        Assert.Equal(SurveyStatus.Closed, closed.Status);
        Assert.Throws<SurveyStateException>(() => closed.Edit());
        Assert.Throws<SurveyStateException>(closed.Publish);
        Assert.Throws<SurveyStateException>(closed.Close);
        Assert.Equal(published, closed.Reopen());
        SurveyState.New.EnsureDeletable();
    }
}
