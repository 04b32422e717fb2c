using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using OpenCxo.App.Kpis;
using OpenCxo.Core.Segments;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Segments;

/// <summary><c>cxo segment list|show|set|delete|count|refresh|export</c>: segments from the terminal, as the API serves them.</summary>
public static class SegmentCommand
{
    public static Command Create()
    {
        var segment = new Command("segment", "Saved, dynamic segments: definitions, counts, membership and exports (docs/segments.md)");

        var listJson = Cli.Cli.Json();
        var listWorkspace = Cli.Cli.Workspace();
        var list = new Command("list", "Every segment with its size at the last refresh") { listWorkspace, listJson };
        list.SetAction(WithService(listWorkspace, sync: false, async (result, segments, workspaceId, ct) =>
        {
            var all = await segments.ListAsync(workspaceId, ct).ConfigureAwait(false);
            if (result.GetValue(listJson))
            {
                Console.Out.WriteLine(new JsonObject { ["segments"] = new JsonArray([.. all.Select(s => (JsonNode)SegmentEndpoints.Summary(s.Row, s.Definition))]) }.ToJsonString(Cli.Cli.JsonOutput));
                return Cli.Cli.Ok;
            }

            foreach (var (row, definition) in all)
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{row.Key,-28} {(row.Members is { } n ? n.ToString("N0", CultureInfo.InvariantCulture) : "—"),12} members  {definition.Name}{(row.RefreshedAt is { } at ? $"  (refreshed {at:yyyy-MM-dd HH:mm} UTC)" : "  (not refreshed yet)")}"));
            }

            return Cli.Cli.Ok;
        }));
        segment.Subcommands.Add(list);

        var showKey = new Argument<string>("key") { Description = "The segment's key" };
        var showWorkspace = Cli.Cli.Workspace();
        var show = new Command("show", "One segment's definition and history, as JSON") { showKey, showWorkspace };
        show.SetAction(WithService(showWorkspace, sync: false, async (result, segments, workspaceId, ct) =>
        {
            if (await segments.GetAsync(workspaceId, result.GetValue(showKey)!, ct).ConfigureAwait(false) is not var (row, definition))
            {
                return Cli.Cli.Fail($"no segment '{result.GetValue(showKey)}'");
            }

            var json = SegmentEndpoints.Summary(row, definition);
            json["history"] = new JsonArray([.. (await segments.HistoryAsync(row.Id, 366, ct).ConfigureAwait(false))
                .Select(s => (JsonNode)new JsonObject { ["at"] = s.TakenAt, ["members"] = s.Members, ["joined"] = s.Joined, ["left"] = s.Left })]);
            Console.Out.WriteLine(json.ToJsonString(Cli.Cli.JsonOutput));
            return Cli.Cli.Ok;
        }));
        segment.Subcommands.Add(show);

        var setFile = new Option<FileInfo>("--file") { Description = "The segment's JSON definition (docs/segments.md); an existing key is replaced", Required = true };
        var setWorkspace = Cli.Cli.Workspace();
        var set = new Command("set", "Creates or replaces a segment from a JSON file") { setFile, setWorkspace };
        set.SetAction(WithService(setWorkspace, sync: false, async (result, segments, workspaceId, ct) =>
        {
            var (definition, problems) = await ReadAsync<SegmentDefinition>(result.GetValue(setFile)!, ct).ConfigureAwait(false);
            problems ??= (await segments.SaveAsync(workspaceId, definition!, Environment.UserName, replace: true, ct).ConfigureAwait(false)).Errors;
            if (Report(problems))
            {
                return Cli.Cli.BadUsage;
            }

            Console.Out.WriteLine($"segment {definition!.Key} saved; `cxo segment refresh {definition.Key}` fills in its members now");
            return Cli.Cli.Ok;
        }));
        segment.Subcommands.Add(set);

        var deleteKey = new Argument<string>("key") { Description = "The segment's key" };
        var deleteWorkspace = Cli.Cli.Workspace();
        var delete = new Command("delete", "Deletes a segment and its membership history") { deleteKey, deleteWorkspace };
        delete.SetAction(WithService(deleteWorkspace, sync: false, async (result, segments, workspaceId, ct) =>
            await segments.DeleteAsync(workspaceId, result.GetValue(deleteKey)!, ct).ConfigureAwait(false) ? Cli.Cli.Ok : Cli.Cli.Fail($"no segment '{result.GetValue(deleteKey)}'")));
        segment.Subcommands.Add(delete);

        var countFile = new Option<FileInfo>("--file") { Description = "A definition, or just {\"conditions\": […], \"match\": \"all\"}", Required = true };
        var countWorkspace = Cli.Cli.Workspace();
        var count = new Command("count", "How many customers a definition holds now, without saving it") { countFile, countWorkspace };
        count.SetAction(WithService(countWorkspace, sync: true, async (result, segments, workspaceId, ct) =>
        {
            var (draft, problems) = await ReadAsync<SegmentDraft>(result.GetValue(countFile)!, ct).ConfigureAwait(false);
            var definition = draft?.AsDefinition();
            problems ??= definition!.Validate();
            if (Report(problems))
            {
                return Cli.Cli.BadUsage;
            }

            var counted = await segments.CountAsync(workspaceId, definition!, ct).ConfigureAwait(false);
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{counted.Members:N0} customers ({counted.Elapsed.TotalMilliseconds:0} ms)"));
            return Cli.Cli.Ok;
        }));
        segment.Subcommands.Add(count);

        var refreshKey = new Argument<string?>("key") { Description = "The segment's key; all segments when left out", Arity = ArgumentArity.ZeroOrOne };
        var refreshWorkspace = Cli.Cli.Workspace();
        var refresh = new Command("refresh", "Refreshes membership now, as the server does every 15 minutes: history and webhook changes") { refreshKey, refreshWorkspace };
        refresh.SetAction(WithService(refreshWorkspace, sync: true, async (result, segments, workspaceId, ct) =>
        {
            var keys = result.GetValue(refreshKey) is { } one ? [one] : (await segments.ListAsync(workspaceId, ct).ConfigureAwait(false)).Select(s => s.Row.Key).ToList();
            foreach (var key in keys)
            {
                if (await segments.GetAsync(workspaceId, key, ct).ConfigureAwait(false) is null)
                {
                    return Cli.Cli.Fail($"no segment '{key}'");
                }

                var r = await segments.RefreshAsync(workspaceId, key, ct).ConfigureAwait(false);
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{key}: {r.Members:N0} members, {r.Joined:N0} joined, {r.Left:N0} left; webhook: {r.Added:N0} added, {r.Removed:N0} removed ({r.Elapsed.TotalMilliseconds:0} ms)"));
            }

            return Cli.Cli.Ok;
        }));
        segment.Subcommands.Add(refresh);

        var exportKey = new Argument<string>("key") { Description = "The segment's key" };
        var exportOut = new Option<FileInfo?>("--out") { Description = "Where to write the CSV; standard output when left out. An existing file is not overwritten" };
        var exportWorkspace = Cli.Cli.Workspace();
        var export = new Command("export", "The segment's audience as CSV (customer, email, phone), leaving out who refused marketing, opted out or is do-not-contact; audited")
        {
            exportKey, exportOut, exportWorkspace,
        };
        export.SetAction(WithService(exportWorkspace, sync: true, async (result, segments, workspaceId, ct) =>
        {
            var key = result.GetValue(exportKey)!;
            if (await segments.GetAsync(workspaceId, key, ct).ConfigureAwait(false) is not var (_, definition))
            {
                return Cli.Cli.Fail($"no segment '{key}'");
            }

            if (result.GetValue(exportOut) is { Exists: true } existing)
            {
                return Cli.Cli.Usage($"--out: {existing.FullName} exists; choose another file");
            }

            var audience = await segments.AudienceAsync(workspaceId, definition, ct).ConfigureAwait(false);
            await WriteAsync(result.GetValue(exportOut), audience, ct).ConfigureAwait(false);
            await AuditTrail.RecordAsync(segments.Databases, AuditActor.Cli(), workspaceId, "export", "segment:" + key, null, DateTime.UtcNow, ct).ConfigureAwait(false);
            return Cli.Cli.Ok;
        }));
        segment.Subcommands.Add(export);
        return segment;
    }

    /// <summary>Contacts as CSV to <paramref name="file"/> (a new file) or, when null, to standard output.</summary>
    internal static async Task WriteAsync(FileInfo? file, IReadOnlyList<SegmentContact> contacts, CancellationToken ct)
    {
        if (file is not null)
        {
            await using var stream = new FileStream(file.FullName, FileMode.CreateNew, FileAccess.Write);
            await SegmentService.WriteCsvAsync(stream, contacts, ct).ConfigureAwait(false);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{contacts.Count:N0} customers written to {file.FullName}"));
        }
        else
        {
            await using var stdout = Console.OpenStandardOutput();
            await SegmentService.WriteCsvAsync(stdout, contacts, ct).ConfigureAwait(false);
        }
    }

    internal static async Task<(T? Value, IReadOnlyList<Core.Ingest.FieldError>? Problems)> ReadAsync<T>(FileInfo path, CancellationToken ct)
        where T : class
    {
        if (!path.Exists || path.Length > KpiEndpoints.MaxBodyBytes)
        {
            return (null, [new("--file", $"{path.FullName} {(path.Exists ? "is larger than 64 KB" : "does not exist")}")]);
        }

        var (value, problem) = KpiEndpoints.Parse<T>(await File.ReadAllBytesAsync(path.FullName, ct).ConfigureAwait(false), SegmentService.Json);
        return value is null ? (null, [problem!]) : (value, null);
    }

    internal static bool Report(IReadOnlyList<Core.Ingest.FieldError> problems)
    {
        foreach (var p in problems)
        {
            Console.Error.WriteLine($"cxo: {p.Field}: {p.Message}");
        }

        return problems.Count > 0;
    }

    private static Func<ParseResult, CancellationToken, Task<int>> WithService(
        Option<string> workspace, bool sync, Func<ParseResult, SegmentService, long, CancellationToken, Task<int>> verb) =>
        WithService(workspace, sync, (result, segments, _, workspaceId, ct) => verb(result, segments, workspaceId, ct));

    /// <summary>Runs <paramref name="verb"/> on the workspace's segments and analytics store, synced first when <paramref name="sync"/>.</summary>
    internal static Func<ParseResult, CancellationToken, Task<int>> WithService(
        Option<string> workspace, bool sync, Func<ParseResult, SegmentService, AnalyticsStore, long, CancellationToken, Task<int>> verb) => (result, ct) => Cli.Cli.RunAsync(async () =>
    {
        var (location, factory, found) = await Cli.Cli.WorkspaceAsync(result, workspace, ct).ConfigureAwait(false);
        if (found is not { } workspaceId)
        {
            return Cli.Cli.Fail($"no workspace '{result.GetValue(workspace)}'");
        }

        await using var store = new AnalyticsStore(AnalyticsStore.DefaultPathFor(location), factory);
        if (sync)
        {
            // No server may be running to keep the analytics store current.
            await new Text.TextAnalyses(factory).CatchUpAsync(DateTime.UtcNow, ct).ConfigureAwait(false);
            await store.SyncAsync(ct).ConfigureAwait(false);
        }

        return await verb(result, new SegmentService(factory, store, TimeProvider.System), store, workspaceId, ct).ConfigureAwait(false);
    });
}
