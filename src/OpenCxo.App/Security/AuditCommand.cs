using System.CommandLine;
using System.Globalization;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Security;

public static class AuditCommand
{
    public static Command Create()
    {
        var actor = new Option<string?>("--actor") { Description = "Only this user, key or cli:NAME" };
        var action = new Option<string?>("--action") { Description = "Only this action or family (config, sign-in, customer.view, export, customer.erase, …)" };
        var target = new Option<string?>("--target") { Description = "Only this target (customer:42, kpi:nps, user:ana)" };
        var from = new Option<string?>("--from") { Description = "From this day (yyyy-MM-dd) or time (ISO 8601), UTC" };
        var to = new Option<string?>("--to") { Description = "Up to this day or time, exclusive" };
        var limit = new Option<string?>("--limit") { Description = $"At most this many entries, newest first (default {AuditQuery.DefaultLimit}; ignored with --format csv or json, which export up to {AuditQuery.MaxExport:N0})" };
        var format = new Option<string>("--format") { Description = "table, csv or json", DefaultValueFactory = _ => "table" };
        var workspace = Cli.Cli.Workspace();
        var command = new Command("audit", "Search or export the audit log: sign-ins, exports, views of customers' data, configuration changes, erasures")
        {
            actor, action, target, from, to, limit, format, workspace,
        };
        command.SetAction((result, ct) => Cli.Cli.RunAsync(async () =>
        {
            var shape = result.GetValue(format);
            if (shape is not ("table" or "csv" or "json"))
            {
                return Cli.Cli.Usage($"--format: '{shape}' is not table, csv or json");
            }

            var (query, problem) = AuditQuery.Parse(
                result.GetValue(actor), result.GetValue(action), result.GetValue(target), result.GetValue(from), result.GetValue(to), null, result.GetValue(limit));
            if (problem is { } p)
            {
                return Cli.Cli.Usage($"--{p.Field}: {p.Message}");
            }

            var (_, factory, found) = await Cli.Cli.WorkspaceAsync(result, workspace, ct).ConfigureAwait(false);
            if (found is not { } workspaceId)
            {
                return Cli.Cli.Fail($"no workspace '{result.GetValue(workspace)}'");
            }

            await using var db = factory.CreateDbContext();
            if (shape == "table")
            {
                var page = await AuditSearch.PageAsync(db, workspaceId, query!, ct).ConfigureAwait(false);
                foreach (var e in page.Items)
                {
                    Console.Out.WriteLine($"{e.Id,8}  {e.At.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}  {e.Actor} ({e.ActorKind})  {e.Action}  {e.Target}  {e.Detail}");
                }

                Console.Out.WriteLine(page.NextBefore is null ? $"{page.Items.Count} entr{(page.Items.Count == 1 ? "y" : "ies")}." : $"{page.Items.Count} newest entries shown; more with --to or --limit.");
                return Cli.Cli.Ok;
            }

            var entries = AuditSearch.AllAsync(db, workspaceId, query!, ct);
            if (shape == "csv")
            {
                await AuditSearch.WriteCsvAsync(Console.Out, entries, ct).ConfigureAwait(false);
            }
            else
            {
                var all = new List<AuditEntry>();
                await foreach (var entry in entries.ConfigureAwait(false))
                {
                    all.Add(entry);
                }

                Cli.Cli.WriteJson(all);
            }

            await AuditTrail.RecordAsync(factory, AuditActor.Cli(), workspaceId, "export", "audit", AuditEndpoints.Describe(query!, shape!), DateTime.UtcNow, ct).ConfigureAwait(false);
            return Cli.Cli.Ok;
        }));
        return command;
    }
}
