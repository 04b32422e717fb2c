using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using OpenCxo.App.Kpis;
using OpenCxo.Core.Alignment;

namespace OpenCxo.App.Alignment;

/// <summary><c>cxo digests list|generate|settings</c>: the weekly insight digests from the terminal.</summary>
public static class DigestsCommand
{
    public static Command Create()
    {
        var command = new Command("digests", "Weekly insight digests per department: what customers value, failing promises, early churn, repeat contacts (docs/digests.md)");

        var department = new Option<string?>("--department") { Description = "marketing, sales or service (default: all)" };
        var listWorkspace = Cli.Cli.Workspace();
        var listJson = Cli.Cli.Json();
        var list = new Command("list", "The digests written, newest week first, as text or JSON") { department, listWorkspace, listJson };
        list.SetAction(WithService(listWorkspace, async (result, digests, workspaceId, ct) =>
        {
            var wanted = result.GetValue(department);
            if (wanted is not null && !Digests.Departments.Contains(wanted))
            {
                return Cli.Cli.Usage("--department: must be marketing, sales or service");
            }

            Write(await digests.ListAsync(workspaceId, wanted, 12, ct).ConfigureAwait(false), result.GetValue(listJson));
            return Cli.Cli.Ok;
        }));
        command.Subcommands.Add(list);

        var week = new Option<string?>("--week") { Description = "A day of the ISO week wanted, yyyy-MM-dd (default: last week)" };
        var generateWorkspace = Cli.Cli.Workspace();
        var generateJson = Cli.Cli.Json();
        var generate = new Command("generate", "Write each department's digest of a week unless written already (cxo serve does it every week); e-mails and webhooks go out from the server")
        {
            week, generateWorkspace, generateJson,
        };
        generate.SetAction(WithService(generateWorkspace, async (result, digests, workspaceId, ct) =>
        {
            var day = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-7);
            if (result.GetValue(week) is { } text && !SalesQualityEndpoints.TryDay(text, out day))
            {
                return Cli.Cli.Usage("--week: must be a day, yyyy-MM-dd");
            }

            var written = await digests.GenerateAsync(workspaceId, day, ct).ConfigureAwait(false);
            Write([.. written.Select(w => w.Entry)], result.GetValue(generateJson));
            return Cli.Cli.Ok;
        }));
        command.Subcommands.Add(generate);

        var set = new Option<string?>("--set") { Description = "Replace the recipients with those in this JSON file (as GET /api/v1/digests/settings prints them)" };
        var settingsWorkspace = Cli.Cli.Workspace();
        var settings = new Command("settings", "Print who receives each department's digest, or replace it from a file (checked whole)") { set, settingsWorkspace };
        settings.SetAction(WithService(settingsWorkspace, async (result, digests, workspaceId, ct) =>
        {
            if (result.GetValue(set) is { } path)
            {
                if (!File.Exists(path))
                {
                    return Cli.Cli.Fail($"{path}: no such file");
                }

                var (document, problem) = KpiEndpoints.Parse<DigestSettings>(await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false), DigestService.Json);
                if (document is null)
                {
                    return Cli.Cli.Fail($"{path}: {problem!.Field}: {problem.Message}");
                }

                // The CLI sends no mail itself: an address is checked when the server, which has the SMTP settings, uses it.
                var errors = await digests.SaveSettingsAsync(workspaceId, document, ct).ConfigureAwait(false);
                if (errors.Count > 0)
                {
                    return Cli.Cli.Fail($"{path}: " + string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")));
                }
            }

            Cli.Cli.WriteJson(await digests.SettingsAsync(workspaceId, ct).ConfigureAwait(false));
            return Cli.Cli.Ok;
        }));
        command.Subcommands.Add(settings);
        return command;
    }

    private static void Write(IReadOnlyList<DigestEntry> entries, bool json)
    {
        if (json)
        {
            Console.Out.WriteLine(new JsonObject { ["digests"] = new JsonArray([.. entries.Select(e => (JsonNode)DigestEndpoints.Json(e, quotes: true))]) }.ToJsonString(Cli.Cli.JsonOutput));
            return;
        }

        foreach (var entry in entries)
        {
            Console.Out.WriteLine(Digests.Text(entry.Digest));
        }
    }

    private static Func<ParseResult, CancellationToken, Task<int>> WithService(
        Option<string> workspace, Func<ParseResult, DigestService, long, CancellationToken, Task<int>> verb) =>
        Cli.Cli.WithAnalytics(workspace, (result, factory, store, workspaceId, ct) =>
        {
            var time = TimeProvider.System;
            var digests = new DigestService(
                factory, store, new PromiseService(factory, store, time), new SalesQualityService(factory, store, time), new ServiceBalanceService(store, time), time);
            return verb(result, digests, workspaceId, ct);
        });
}
