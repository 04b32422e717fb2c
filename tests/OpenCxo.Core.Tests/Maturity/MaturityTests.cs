using System.Text.Json;
using OpenCxo.Core.Maturity;

namespace OpenCxo.Core.Tests.Maturity;

public sealed class MaturityTests
{
    private static (IReadOnlyDictionary<string, MaturityAnswer> Answers, IReadOnlyList<OpenCxo.Core.Ingest.FieldError> Errors) Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return MaturityAnswers.Read(document.RootElement);
    }

    private static Dictionary<string, MaturityAnswer> Scores(params (string Key, int Score)[] answers) =>
        answers.ToDictionary(a => a.Key, a => new MaturityAnswer(a.Score));

    [Fact]
    public void The_checklist_has_six_areas_of_four_to_six_practices_with_unique_keys_slugs_and_both_languages()
    {
        Assert.Equal(["strategy", "customer-understanding", "design", "measurement", "governance", "culture"], MaturityChecklist.Areas.Select(a => a.Key));
        foreach (var area in MaturityChecklist.Areas)
        {
            Assert.InRange(MaturityChecklist.Practices.Count(p => p.Area == area.Key), 4, 6);
        }

        Assert.All(MaturityChecklist.Practices, p => Assert.Contains(MaturityChecklist.Areas, a => a.Key == p.Area));
        Assert.Equal(MaturityChecklist.Practices.Count, MaturityChecklist.Practices.Select(p => p.Key).Distinct().Count());

        // Suggested initiatives are keyed maturity-{department}-{slug}: slugs must not repeat across areas, and the
        // longest key must fit the initiatives' 64 characters.
        Assert.Equal(MaturityChecklist.Practices.Count, MaturityChecklist.Practices.Select(p => p.Slug).Distinct().Count());
        Assert.All(MaturityChecklist.Practices, p => Assert.Matches("^[a-z0-9][a-z0-9-]{0,63}$", $"maturity-{MaturityChecklist.Company}-{p.Slug}"));
        foreach (var text in MaturityChecklist.Practices.SelectMany(p => new[] { p.Text, p.Evidence, p.InitiativeName, p.InitiativeDescription }))
        {
            Assert.False(string.IsNullOrWhiteSpace(text.En) || string.IsNullOrWhiteSpace(text.Es));
            Assert.NotEqual(text.En, text.Es);
        }

        Assert.Equal([0, 1, 2, 3, 4], MaturityChecklist.Levels.Select(l => l.Score));
        Assert.NotNull(MaturityChecklist.Find("measurement.kpi-owners"));
        Assert.NotNull(MaturityChecklist.Find("governance.cx-council"));
        Assert.NotNull(MaturityChecklist.Find("culture.resolution-over-speed"));
    }

    [Fact]
    public void Area_scores_are_the_means_of_their_answered_practices_and_the_overall_the_mean_of_all_answered()
    {
        // measurement: 1, 2, 4 → 7/3; governance: 0 → 0; culture: 3, 4 → 3.5; the other three areas unanswered.
        // Overall: (1 + 2 + 4 + 0 + 3 + 4) / 6 = 14/6 — not the mean of the three area means ((7/3 + 0 + 3.5) / 3 = 1.944…).
        var scores = MaturityScores.Of(Scores(
            ("measurement.kpi-owners", 1), ("measurement.loop-closed", 2), ("measurement.drivers", 4),
            ("governance.cx-council", 0), ("culture.resolution-over-speed", 3), ("culture.recognition", 4)));

        Assert.Equal(14.0 / 6, scores.Overall!.Value, 12);
        Assert.Equal(6, scores.Answered);
        Assert.Equal(7.0 / 3, scores.Areas["measurement"]!.Value, 12);
        Assert.Equal(0.0, scores.Areas["governance"]);
        Assert.Equal(3.5, scores.Areas["culture"]);
        Assert.Null(scores.Areas["strategy"]);
        Assert.Null(scores.Areas["customer-understanding"]);
        Assert.Null(scores.Areas["design"]);
    }

    [Fact]
    public void Unanswered_practices_are_left_out_not_counted_as_zero()
    {
        // One practice of measurement at 4: the area is 4, not 4/5 as it would be with the other four counted as 0.
        var scores = MaturityScores.Of(Scores(("measurement.kpi-owners", 4)));
        Assert.Equal(4.0, scores.Overall);
        Assert.Equal(4.0, scores.Areas["measurement"]);
    }

    [Fact]
    public void An_assessment_whose_practices_were_all_dropped_from_the_checklist_has_no_score_rather_than_failing()
    {
        // Stored answers naming only practices the checklist no longer has: read back, they are left out, leaving none.
        var stored = MaturityAnswers.ReadStored("""{"measurement.retired-practice":{"score":1},"culture.gone":{"score":3}}""");
        Assert.Empty(stored);
        var scores = MaturityScores.Of(stored);
        Assert.Null(scores.Overall);
        Assert.Equal(0, scores.Answered);
        Assert.All(MaturityChecklist.Areas, a => Assert.Null(scores.Areas[a.Key]));
    }

    [Fact]
    public void Stored_answers_keep_every_practice_still_in_the_checklist_however_many_were_dropped_before_it()
    {
        // 25 dropped practices (more than a request's 20 reported problems) stored ahead of one the checklist still has.
        var kept = MaturityChecklist.Practices[0].Key;
        var dropped = string.Concat(Enumerable.Range(0, 25).Select(i => $"\"culture.gone-{i}\":{{\"score\":1}},"));
        var stored = MaturityAnswers.ReadStored("{" + dropped + $"\"{kept}\":{{\"score\":3}}}}");
        Assert.Equal(3, Assert.Single(stored, a => a.Key == kept).Value.Score);
    }

    [Fact]
    public void The_change_since_the_previous_assessment_is_overall_and_per_area_over_the_practices_answered_in_both()
    {
        // Before: measurement 1 and 1, governance 2. Now: measurement 3 and 2, culture 4. Only the two measurement
        // practices were answered both times: (3 + 2) / 2 − (1 + 1) / 2 = 1.5 — not 3 − 4/3 = 1.67 from the overall
        // scores, which mix governance (gone) and culture (new) in.
        var before = Scores(("measurement.kpi-owners", 1), ("measurement.loop-closed", 1), ("governance.cx-council", 2));
        var now = Scores(("measurement.kpi-owners", 3), ("measurement.loop-closed", 2), ("culture.recognition", 4));
        var change = MaturityChange.Between(before, now);

        Assert.Equal(1.5, change.Overall);
        Assert.Equal(2, change.Practices);
        Assert.Equal(1.5, change.Areas["measurement"]);
        Assert.Null(change.Areas["governance"]);
        Assert.Null(change.Areas["culture"]);
        Assert.Null(change.Areas["strategy"]);
    }

    [Fact]
    public void A_practice_answered_for_the_first_time_does_not_move_the_change()
    {
        // Nothing moved: kpi-owners 2 → 2, cx-council 2 → 2. The reassessment also answered recognition, at 4, and
        // loop-closed, at 4, for the first time. The overall scores went from 2 to (2 + 4 + 2 + 4) / 4 = 3, but like for like the
        // change is 0, in measurement too (kpi-owners 2 → 2; loop-closed was not answered before).
        var before = Scores(("measurement.kpi-owners", 2), ("governance.cx-council", 2));
        var now = Scores(("measurement.kpi-owners", 2), ("measurement.loop-closed", 4), ("governance.cx-council", 2), ("culture.recognition", 4));
        Assert.Equal(3.0, MaturityScores.Of(now).Overall);

        var change = MaturityChange.Between(before, now);
        Assert.Equal(0.0, change.Overall);
        Assert.Equal(2, change.Practices);
        Assert.Equal(0.0, change.Areas["measurement"]);
        Assert.Equal(0.0, change.Areas["governance"]);
        Assert.Null(change.Areas["culture"]);

        // No practice in common: no change at all, rather than 4 − 2.
        var apart = MaturityChange.Between(Scores(("measurement.kpi-owners", 2)), Scores(("culture.recognition", 4)));
        Assert.Null(apart.Overall);
        Assert.Equal(0, apart.Practices);
        Assert.All(MaturityChecklist.Areas, a => Assert.Null(apart.Areas[a.Key]));
    }

    [Fact]
    public void A_mean_is_labelled_with_the_level_it_fully_reached()
    {
        Assert.Equal("defined", MaturityChecklist.LevelOf(2.99).Key);
        Assert.Equal("managed", MaturityChecklist.LevelOf(3).Key);
        Assert.Equal("absent", MaturityChecklist.LevelOf(0.5).Key);
        Assert.Equal("optimised", MaturityChecklist.LevelOf(4).Key);
    }

    [Fact]
    public void Answers_are_read_with_notes_and_written_back_in_checklist_order()
    {
        var (answers, errors) = Read("""{"culture.recognition": {"score": 2}, "measurement.kpi-owners": {"score": 0, "note": "  none owned  "}}""");
        Assert.Empty(errors);
        Assert.Equal(new MaturityAnswer(0, "none owned"), answers["measurement.kpi-owners"]);
        Assert.Equal(new MaturityAnswer(2), answers["culture.recognition"]);

        var stored = MaturityAnswers.Write(answers);
        Assert.Equal("""{"measurement.kpi-owners":{"score":0,"note":"none owned"},"culture.recognition":{"score":2}}""", stored);
        Assert.Equal(answers, MaturityAnswers.ReadStored(stored));
    }

    [Theory]
    [InlineData("""{"measurement.kpi-owners": {"score": 5}}""", "answers.measurement.kpi-owners.score")]
    [InlineData("""{"measurement.kpi-owners": {"score": -1}}""", "answers.measurement.kpi-owners.score")]
    [InlineData("""{"measurement.kpi-owners": {"score": 2.5}}""", "answers.measurement.kpi-owners.score")]
    [InlineData("""{"measurement.kpi-owners": {"score": "2"}}""", "answers.measurement.kpi-owners.score")]
    [InlineData("""{"measurement.kpi-owners": {"note": "no score"}}""", "answers.measurement.kpi-owners.score")]
    [InlineData("""{"measurement.kpi-owners": {"score": 2, "note": 7}}""", "answers.measurement.kpi-owners.note")]
    [InlineData("""{"measurement.kpi-owners": {"score": 2, "sorce": 3}}""", "answers.measurement.kpi-owners.sorce")]
    [InlineData("""{"measurement.kpi-owners": 2}""", "answers.measurement.kpi-owners")]
    [InlineData("""{"measurement.kpi-owner": {"score": 2}}""", "answers.measurement.kpi-owner")]
    [InlineData("""{"measurement.kpi-owners": {"score": 2}, "measurement.kpi-owners": {"score": 3}}""", "answers.measurement.kpi-owners")]
    [InlineData("""{}""", "answers")]
    [InlineData("""[1, 2]""", "answers")]
    public void A_bad_answer_is_refused_naming_its_field(string json, string field)
    {
        var (_, errors) = Read(json);
        Assert.Equal(field, Assert.Single(errors).Field);
    }

    [Fact]
    public void A_body_without_answers_is_refused_as_answers_is_required()
    {
        var (answers, errors) = MaturityAnswers.Read(default);
        Assert.Empty(answers);
        var error = Assert.Single(errors);
        Assert.Equal("answers", error.Field);
        Assert.StartsWith("is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_note_longer_than_the_limit_is_refused_and_a_flood_of_bad_keys_is_cut_short()
    {
        var note = new string('x', MaturityChecklist.MaxNoteLength + 1);
        var (_, errors) = Read("{\"measurement.kpi-owners\": {\"score\": 1, \"note\": \"" + note + "\"}}");
        Assert.Equal("answers.measurement.kpi-owners.note", Assert.Single(errors).Field);

        var flood = "{" + string.Join(",", Enumerable.Range(0, 500).Select(i => $"\"bogus.{i}\": {{\"score\": 1}}")) + "}";
        (_, errors) = Read(flood);
        Assert.Equal(MaturityAnswers.MaxErrors, errors.Count);
        Assert.Equal("answers.bogus.0", errors[0].Field);

        // Each bad answer may hold several problems; the list is still cut at the limit.
        var several = "{" + string.Join(",", MaturityChecklist.Practices.Take(10).Select(p => $"\"{p.Key}\": {{\"score\": 9, \"note\": 1, \"x\": 0}}")) + "}";
        (_, errors) = Read(several);
        Assert.Equal(MaturityAnswers.MaxErrors, errors.Count);
    }

    [Fact]
    public void Suggestions_are_the_weakest_practices_at_most_two_lowest_first_ties_in_checklist_order()
    {
        var answers = Scores(
            ("strategy.cx-vision", 2), ("measurement.kpi-owners", 1), ("measurement.loop-closed", 3), ("governance.cx-council", 0),
            ("culture.resolution-over-speed", 1), ("culture.recognition", 4), ("design.root-causes", 2), ("design.handoffs", 2));
        var suggestions = MaturitySuggestions.For("service", answers, "en", new DateOnly(2026, 3, 9));

        // 0 first; then the 1s in checklist order (measurement before culture); then the first two 2s in checklist
        // order (strategy, then design.root-causes), cut at five; 3 and 4 never.
        Assert.Equal(
            ["governance.cx-council", "measurement.kpi-owners", "culture.resolution-over-speed", "strategy.cx-vision", "design.root-causes"],
            suggestions.Select(s => s.Practice.Key));
        Assert.Equal([0, 1, 1, 2, 2], suggestions.Select(s => s.Score));

        var kpiOwners = suggestions[1].Initiative;
        Assert.Equal("maturity-service-kpi-owners", kpiOwners.Key);
        Assert.Equal("Give every KPI an owner and a target", kpiOwners.Name);
        Assert.Equal(("service", "proposed"), (kpiOwners.OwnerDepartment, kpiOwners.Status));
        Assert.Empty(kpiOwners.Kpis);
        Assert.Contains("measurement.kpi-owners", kpiOwners.Description, StringComparison.Ordinal);
        Assert.Contains("scored 1/4 (Ad hoc)", kpiOwners.Description, StringComparison.Ordinal);
        Assert.Contains("What good looks like: The KPI list shows an owner", kpiOwners.Description, StringComparison.Ordinal);
        Assert.Contains("from 1 (Ad hoc) to at least 3 (Managed)", kpiOwners.ExpectedImpact, StringComparison.Ordinal);
        Assert.Equal(new DateOnly(2026, 3, 9), kpiOwners.Start);
        Assert.Equal(
            "/initiatives/new?key=maturity-service-kpi-owners&name=Give%20every%20KPI%20an%20owner%20and%20a%20target&department=service&description="
                + Uri.EscapeDataString(kpiOwners.Description)
                + "&expectedImpact=Raise%20%E2%80%9CGive%20every%20KPI%20an%20owner%20and%20a%20target%E2%80%9D%20from%201%20%28Ad%20hoc%29%20to%20at%20least%203%20%28Managed%29%3A%20followed%20as%20a%20routine%20and%20measured.",
            suggestions[1].CreateUrl);
        Assert.StartsWith("Go through", kpiOwners.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void A_company_wide_gap_is_suggested_to_other_and_in_spanish_when_asked()
    {
        var suggestion = Assert.Single(MaturitySuggestions.For(MaturityChecklist.Company, Scores(("governance.cx-council", 0), ("measurement.drivers", 3)), "es", new DateOnly(2026, 3, 9)));
        Assert.Equal("maturity-company-cx-council", suggestion.Initiative.Key);
        Assert.Equal("other", suggestion.Initiative.OwnerDepartment);
        Assert.Equal("Crear un comité de CX mensual", suggestion.Initiative.Name);
        Assert.Contains("puntuada 0/4 (Ausente) para toda la empresa", suggestion.Initiative.Description, StringComparison.Ordinal);
        Assert.Empty(MaturitySuggestions.For("sales", Scores(("measurement.drivers", 3)), "en", new DateOnly(2026, 3, 9)));
    }
}
