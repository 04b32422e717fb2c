using System.CommandLine;
using System.Globalization;
using System.Text;
using OpenCxo.App.Kpis;
using OpenCxo.Core.Maturity;

namespace OpenCxo.App.Maturity;

/// <summary><c>cxo maturity checklist|show|assess|history|suggest</c>: CX maturity assessments from the terminal, as the API serves them.</summary>
public static class MaturityCommand
{
    private static readonly string DepartmentList = string.Join(", ", MaturityChecklist.Departments);

    public static Command Create()
    {
        var maturity = new Command("maturity", "CX maturity: the checklist of practices, assessments per department, history and suggested initiatives (docs/maturity.md)");

        var checklistLang = Lang();
        var checklistJson = Cli.Cli.Json();
        var checklist = new Command("checklist", "The built-in checklist: the 0–4 levels, and each area's practices with what evidence looks like") { checklistLang, checklistJson };
        checklist.SetAction(result =>
        {
            var language = result.GetValue(checklistLang)!;
            if (result.GetValue(checklistJson))
            {
                Console.Out.WriteLine(MaturityJson.Checklist(language).ToJsonString(Cli.Cli.JsonOutput));
                return Cli.Cli.Ok;
            }

            foreach (var level in MaturityChecklist.Levels)
            {
                Console.Out.WriteLine($"{level.Score} {level.Name.In(language)}: {level.Meaning.In(language)}");
            }

            foreach (var area in MaturityChecklist.Areas)
            {
                Console.Out.WriteLine();
                Console.Out.WriteLine(area.Name.In(language));
                foreach (var practice in MaturityChecklist.Practices.Where(p => p.Area == area.Key))
                {
                    Console.Out.WriteLine($"  {practice.Key}");
                    Console.Out.WriteLine($"    {practice.Text.In(language)}");
                    Console.Out.WriteLine($"    {(language == "es" ? "evidencia" : "evidence")}: {practice.Evidence.In(language)}");
                }
            }

            return Cli.Cli.Ok;
        });
        maturity.Subcommands.Add(checklist);

        var showJson = Cli.Cli.Json();
        var showWorkspace = Cli.Cli.Workspace();
        var show = new Command("show", "Every department's latest score and area scores (the department × area matrix), with the change since the assessment before")
        {
            showWorkspace, showJson,
        };
        show.SetAction(WithService(showWorkspace, async (result, service, workspaceId, ct) =>
        {
            var standings = await service.OverviewAsync(workspaceId, ct).ConfigureAwait(false);
            if (result.GetValue(showJson))
            {
                Console.Out.WriteLine(MaturityJson.Overview(standings, "en").ToJsonString(Cli.Cli.JsonOutput));
                return Cli.Cli.Ok;
            }

            Console.Out.WriteLine($"{"department",-11} {"score",5} {"level",-10} " + string.Join(" ", MaturityChecklist.Areas.Select(a => $"{Short(a.Key),8}")) + "  change  assessed");
            foreach (var s in standings)
            {
                Console.Out.WriteLine(s.Latest is not { } latest
                    ? $"{s.Department,-11} {"—",5} not assessed"
                    : Invariant($"{s.Department,-11} {Number(latest.Scores.Overall),5} {Level(latest.Scores.Overall),-10} ")
                        + string.Join(" ", MaturityChecklist.Areas.Select(a => $"{Number(latest.Scores.Areas[a.Key]),8}"))
                        + Invariant($"  {Signed(s.Change?.Overall),6}  {latest.AssessedAt:yyyy-MM-dd} by {latest.AssessedBy}"));
            }

            return Cli.Cli.Ok;
        }));
        maturity.Subcommands.Add(show);

        var assessDepartment = Department();
        var assessFile = new Option<FileInfo?>("--file")
        {
            Description = "The answers as JSON, {\"answers\": {\"practice-key\": {\"score\": 0–4, \"note\": \"…\"}}}; standard input when left out or -",
        };
        var assessWorkspace = Cli.Cli.Workspace();
        var assess = new Command("assess", "Records an assessment of a department from JSON answers; practices left out are unanswered, not 0")
        {
            assessDepartment, assessFile, assessWorkspace,
        };
        assess.SetAction(WithService(assessWorkspace, async (result, service, workspaceId, ct) =>
        {
            var department = result.GetValue(assessDepartment)!;
            if (MaturityService.CheckDepartment(department) is { } wrong)
            {
                return Cli.Cli.Usage($"{wrong.Field}: {wrong.Message}");
            }

            var (bytes, tooLarge) = await ReadInputAsync(result.GetValue(assessFile), ct).ConfigureAwait(false);
            if (tooLarge is not null)
            {
                return Cli.Cli.Usage(tooLarge);
            }

            var (request, problem) = KpiEndpoints.Parse<MaturityAssessmentRequest>(bytes, MaturityService.Json);
            var (recorded, errors) = request is null
                ? (null, [problem!])
                : await service.RecordAsync(workspaceId, department, request.Answers, Environment.UserName, ct).ConfigureAwait(false);
            if (recorded is null)
            {
                foreach (var e in errors)
                {
                    Console.Error.WriteLine($"cxo: {e.Field}: {e.Message}");
                }

                return Cli.Cli.BadUsage;
            }

            var standing = await service.StandingAsync(workspaceId, department, ct).ConfigureAwait(false);
            Console.Out.WriteLine(Invariant($"{department} assessed: {Number(recorded.Scores.Overall)} ({Level(recorded.Scores.Overall)}) ({recorded.Scores.Answered} answered)")
                + (standing.Change is { } change
                    ? Invariant($", {Signed(change.Overall)} since the assessment before, over the practices answered in both ({change.Practices})")
                    : ", its first assessment"));
            return Cli.Cli.Ok;
        }));
        maturity.Subcommands.Add(assess);

        var historyDepartment = Department();
        var historyJson = Cli.Cli.Json();
        var historyWorkspace = Cli.Cli.Workspace();
        var history = new Command("history", "A department's assessments, oldest first, with their area scores; --json adds the latest answers and notes")
        {
            historyDepartment, historyWorkspace, historyJson,
        };
        history.SetAction(WithService(historyWorkspace, async (result, service, workspaceId, ct) =>
        {
            var department = result.GetValue(historyDepartment)!;
            if (MaturityService.CheckDepartment(department) is { } wrong)
            {
                return Cli.Cli.Usage($"{wrong.Field}: {wrong.Message}");
            }

            var standing = await service.StandingAsync(workspaceId, department, ct).ConfigureAwait(false);
            if (result.GetValue(historyJson))
            {
                Console.Out.WriteLine(MaturityJson.Standing(standing).ToJsonString(Cli.Cli.JsonOutput));
                return Cli.Cli.Ok;
            }

            if (standing.History.Count == 0)
            {
                Console.Out.WriteLine($"{department} has not been assessed yet: cxo maturity assess {department} --file answers.json");
                return Cli.Cli.Ok;
            }

            Console.Out.WriteLine($"{"assessed (UTC)",-16} {"score",5} " + string.Join(" ", MaturityChecklist.Areas.Select(a => $"{Short(a.Key),8}")) + "  by");
            foreach (var a in standing.History)
            {
                Console.Out.WriteLine(Invariant($"{a.AssessedAt,-16:yyyy-MM-dd HH:mm} {Number(a.Scores.Overall),5} ")
                    + string.Join(" ", MaturityChecklist.Areas.Select(x => $"{Number(a.Scores.Areas[x.Key]),8}")) + $"  {a.AssessedBy}");
            }

            return Cli.Cli.Ok;
        }));
        maturity.Subcommands.Add(history);

        var suggestDepartment = Department();
        var suggestLang = Lang();
        var suggestJson = Cli.Cli.Json();
        var suggestWorkspace = Cli.Cli.Workspace();
        var suggest = new Command("suggest", "The latest assessment's weakest practices (scored 2 or less, lowest first, at most 5) as initiative drafts")
        {
            suggestDepartment, suggestLang, suggestWorkspace, suggestJson,
        };
        suggest.SetAction(WithService(suggestWorkspace, async (result, service, workspaceId, ct) =>
        {
            var department = result.GetValue(suggestDepartment)!;
            if (MaturityService.CheckDepartment(department) is { } wrong)
            {
                return Cli.Cli.Usage($"{wrong.Field}: {wrong.Message}");
            }

            var language = result.GetValue(suggestLang)!;
            var standing = await service.StandingAsync(workspaceId, department, ct).ConfigureAwait(false);
            if (result.GetValue(suggestJson))
            {
                Console.Out.WriteLine(MaturityJson.Suggestions(standing, language, MaturityJson.Today(TimeProvider.System)).ToJsonString(Cli.Cli.JsonOutput));
                return Cli.Cli.Ok;
            }

            var suggestions = standing.Latest is { } latest ? MaturitySuggestions.For(department, latest.Answers, language, MaturityJson.Today(TimeProvider.System)) : [];
            if (suggestions.Count == 0)
            {
                Console.Out.WriteLine(standing.Latest is null ? $"{department} has not been assessed yet" : $"no practice of {department} scores 2 or less");
            }

            foreach (var s in suggestions)
            {
                Console.Out.WriteLine($"{s.Score}/4 {s.Practice.Key}: {s.Initiative.Name}");
                Console.Out.WriteLine($"    {s.Initiative.ExpectedImpact}");
                Console.Out.WriteLine($"    create: {s.CreateUrl}");
            }

            return Cli.Cli.Ok;
        }));
        maturity.Subcommands.Add(suggest);
        return maturity;
    }

    private static Argument<string> Department() => new("department") { Description = $"Who is assessed: {DepartmentList}" };

    private static Option<string> Lang()
    {
        var lang = new Option<string>("--lang") { Description = "Language of the texts: en or es", DefaultValueFactory = _ => "en" };
        lang.AcceptOnlyFromAmong("en", "es");
        return lang;
    }

    /// <summary>The answers file, or standard input, up to the API's 64 KB.</summary>
    private static async Task<(byte[] Bytes, string? TooLarge)> ReadInputAsync(FileInfo? file, CancellationToken ct)
    {
        if (file is not null && file.Name != "-")
        {
            if (!file.Exists)
            {
                return ([], $"--file: {file.FullName} does not exist");
            }

            return file.Length > KpiEndpoints.MaxBodyBytes
                ? ([], $"--file: {file.FullName} is larger than 64 KB")
                : (await File.ReadAllBytesAsync(file.FullName, ct).ConfigureAwait(false), null);
        }

        await using var stdin = Console.OpenStandardInput();
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await stdin.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > KpiEndpoints.MaxBodyBytes)
            {
                return ([], "standard input is larger than 64 KB");
            }

            buffer.Write(chunk, 0, read);
        }

        return (buffer.ToArray(), null);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Short(string area) => area == "customer-understanding" ? "customer" : area.Length > 8 ? area[..8] : area;

    private static string Number(double? value) => value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "—";

    private static string Level(double? score) => score is { } s ? MaturityChecklist.LevelOf(s).Key : "—";

    private static string Signed(double? value) => value is { } v ? v.ToString("+0.00;−0.00;0.00", CultureInfo.InvariantCulture) : "—";

    private static Func<ParseResult, CancellationToken, Task<int>> WithService(
        Option<string> workspace, Func<ParseResult, MaturityService, long, CancellationToken, Task<int>> verb) => (result, ct) => Cli.Cli.RunAsync(async () =>
    {
        var (_, factory, found) = await Cli.Cli.WorkspaceAsync(result, workspace, ct).ConfigureAwait(false);
        return found is { } workspaceId
            ? await verb(result, new MaturityService(factory, TimeProvider.System), workspaceId, ct).ConfigureAwait(false)
            : Cli.Cli.Fail($"no workspace '{result.GetValue(workspace)}'");
    });
}
