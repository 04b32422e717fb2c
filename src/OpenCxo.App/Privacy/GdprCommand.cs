using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenCxo.App.Analytics;
using OpenCxo.App.Profiles;
using OpenCxo.Core.Profiles;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Privacy;

/// <summary><c>cxo gdpr</c> (data-subject rights) and <c>cxo retention</c>.</summary>
public static class GdprCommand
{
    public static Command Create() => new("gdpr", "Data-subject rights: export everything held about a customer, erase a customer, record consent")
    {
        ExportVerb(), EraseVerb(), ConsentVerb(),
    };

    private static Argument<string> CustomerArgument() => new("customer") { Description = "A customer id, an email, a phone number or system:external-id" };

    /// <summary>The workspace and the customer the argument names, or the exit code of a failure already reported.</summary>
    private static async Task<(CxoDbFactory Factory, long Workspace, long Customer)?> FindAsync(
        ParseResult result, Option<string> workspace, Argument<string> customer, CancellationToken ct)
    {
        var (_, factory, found) = await Cli.Cli.WorkspaceAsync(result, workspace, ct).ConfigureAwait(false);
        if (found is not { } workspaceId)
        {
            Cli.Cli.Fail($"no workspace '{result.GetValue(workspace)}'");
            return null;
        }

        var text = result.GetValue(customer)!.Trim();
        await using var db = factory.CreateDbContext();
        var id = await CustomerShowCommand.FindAsync(db, workspaceId, text, new IdentityNormalizer(result.GetValue(Cli.Cli.Region)!), ct).ConfigureAwait(false);
        if (id is null)
        {
            Cli.Cli.Fail($"no customer matches '{text}' in workspace '{result.GetValue(workspace)}'");
            return null;
        }

        return (factory, workspaceId, id.Value);
    }

    private static CustomerPrivacy Privacy(CxoDbFactory factory) => new(factory, new AnalyticsSignal(), TimeProvider.System);

    private static Command ExportVerb()
    {
        var customer = CustomerArgument();
        var output = new Option<FileInfo?>("--output") { Description = "Write the JSON to this file (default: standard output)" };
        var workspace = Cli.Cli.Workspace();
        var export = new Command("export", "Everything held about the customer and every profile merged into it, as JSON (GDPR articles 15 and 20)") { customer, output, workspace };
        export.SetAction((result, ct) => Cli.Cli.RunAsync(async () =>
        {
            if (await FindAsync(result, workspace, customer, ct).ConfigureAwait(false) is not { } found)
            {
                return Cli.Cli.Failure;
            }

            var document = (await Privacy(found.Factory).ExportAsync(found.Workspace, found.Customer, AuditActor.Cli(), ct).ConfigureAwait(false))!;
            var json = document.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            if (result.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, json + "\n", ct).ConfigureAwait(false);
                Console.Error.WriteLine($"Wrote {file.FullName}.");
            }
            else
            {
                Console.Out.WriteLine(json);
            }

            return Cli.Cli.Ok;
        }));
        return export;
    }

    private static Command EraseVerb()
    {
        var customer = CustomerArgument();
        var yes = new Option<bool>("--yes") { Description = "Confirm: the erasure cannot be undone" };
        var reason = new Option<string?>("--reason") { Description = "Why (a request's reference); recorded in the audit log" };
        var workspace = Cli.Cli.Workspace();
        var json = Cli.Cli.Json();
        var erase = new Command("erase", "Erase the customer and every profile merged into it (GDPR article 17); leaves only an audit entry") { customer, yes, reason, workspace, json };
        erase.SetAction((result, ct) => Cli.Cli.RunAsync(async () =>
        {
            if (!result.GetValue(yes))
            {
                return Cli.Cli.Usage("erasing cannot be undone: add --yes to confirm");
            }

            if (result.GetValue(reason) is { Length: > 500 })
            {
                return Cli.Cli.Usage("--reason: at most 500 characters");
            }

            if (await FindAsync(result, workspace, customer, ct).ConfigureAwait(false) is not { } found)
            {
                return Cli.Cli.Failure;
            }

            var report = (await Privacy(found.Factory).EraseAsync(found.Workspace, found.Customer, AuditActor.Cli(), result.GetValue(reason), ct).ConfigureAwait(false))!;
            if (result.GetValue(json))
            {
                Cli.Cli.WriteJson(report);
            }
            else
            {
                Console.Out.WriteLine($"Erased customer {report.CustomerId} (profiles {string.Join(", ", report.CustomerIds)}): "
                    + string.Join(", ", report.Removed.Where(p => p.Value > 0).Select(p => $"{p.Value} {p.Key}")) + ".");
                Console.Out.WriteLine("The analytics store forgets the customer at its next sync (a running server does so within seconds).");
            }

            return Cli.Cli.Ok;
        }));
        return erase;
    }

    private static Command ConsentVerb()
    {
        var customer = CustomerArgument();
        var purpose = new Option<string?>("--purpose") { Description = $"Record an answer for: {string.Join(", ", CustomerPrivacy.Purposes)}" };
        var grant = new Option<bool>("--grant") { Description = "The customer agrees" };
        var refuse = new Option<bool>("--refuse") { Description = "The customer refuses or withdraws" };
        var source = new Option<string>("--source") { Description = "Where the answer came from", DefaultValueFactory = _ => "cli" };
        var workspace = Cli.Cli.Workspace();
        var json = Cli.Cli.Json();
        var consent = new Command("consent", "Show the customer's consent per purpose, or record an answer with --purpose and --grant or --refuse")
        {
            customer, purpose, grant, refuse, source, workspace, json,
        };
        consent.SetAction((result, ct) => Cli.Cli.RunAsync(async () =>
        {
            var what = result.GetValue(purpose);
            if (what is not null && result.GetValue(grant) == result.GetValue(refuse))
            {
                return Cli.Cli.Usage("--purpose needs exactly one of --grant and --refuse");
            }

            if (what is null && (result.GetValue(grant) || result.GetValue(refuse)))
            {
                return Cli.Cli.Usage("--grant and --refuse need --purpose");
            }

            if (await FindAsync(result, workspace, customer, ct).ConfigureAwait(false) is not { } found)
            {
                return Cli.Cli.Failure;
            }

            var privacy = Privacy(found.Factory);
            if (what is not null)
            {
                await privacy.RecordAsync(found.Workspace, found.Customer, what, result.GetValue(grant), result.GetValue(source)!, ct).ConfigureAwait(false);
            }

            var states = (await privacy.ConsentsAsync(found.Workspace, found.Customer, ct).ConfigureAwait(false))!;
            if (result.GetValue(json))
            {
                Cli.Cli.WriteJson(states);
                return Cli.Cli.Ok;
            }

            foreach (var s in states)
            {
                var answer = s.Granted switch { true => "granted", false => "refused", null => "not recorded" };
                var when = s.RecordedAt is { } at ? $" ({at.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}, {s.Source})" : "";
                Console.Out.WriteLine($"{s.Purpose,-10} {answer}{when}");
            }

            return Cli.Cli.Ok;
        }));
        return consent;
    }

    public static Command Retention()
    {
        var workspace = Cli.Cli.Workspace();
        var show = new Command("show", "Print the workspace's retention policies as JSON") { workspace };
        show.SetAction((result, ct) => WithRetention(result, workspace, async (service, id) =>
        {
            Console.Out.WriteLine(RetentionPolicies.ToJson(await service.GetAsync(id, ct).ConfigureAwait(false)).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return Cli.Cli.Ok;
        }, ct));

        var file = new Argument<FileInfo>("file") { Description = "JSON: {\"policies\": [{\"data\": \"touchpoints\", \"months\": 36, \"action\": \"delete\"}, …]}" };
        var setWorkspace = Cli.Cli.Workspace();
        var set = new Command("set", $"Replace the policies. Kinds: {string.Join("; ", RetentionPolicies.Kinds.Select(k => $"{k.Key} ({string.Join('|', k.Value)})"))}") { file, setWorkspace };
        set.SetAction((result, ct) => WithRetention(result, setWorkspace, async (service, id) =>
        {
            var path = result.GetValue(file)!;
            JsonNode? body;
            try
            {
                body = JsonNode.Parse(await File.ReadAllTextAsync(path.FullName, ct).ConfigureAwait(false));
            }
            catch (JsonException e)
            {
                return Cli.Cli.Usage($"{path.Name}: not JSON ({e.Message})");
            }

            var (policies, errors) = RetentionPolicies.Parse(body);
            if (policies is null)
            {
                return Cli.Cli.Usage(string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")));
            }

            await service.SaveAsync(id, policies, ct).ConfigureAwait(false);
            Console.Out.WriteLine($"{policies.Count} retention polic{(policies.Count == 1 ? "y" : "ies")} saved; a running server applies them within the hour, or run 'cxo retention run'.");
            return Cli.Cli.Ok;
        }, ct));

        var runWorkspace = Cli.Cli.Workspace();
        var run = new Command("run", "Apply the policies now and print what each removed or anonymised") { runWorkspace };
        run.SetAction((result, ct) => WithRetention(result, runWorkspace, async (service, id) =>
        {
            var report = await service.RunAsync(id, AuditActor.Cli(), ct).ConfigureAwait(false);
            Console.Out.WriteLine(report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return Cli.Cli.Ok;
        }, ct));
        return new Command("retention", "Retention policies: per kind of data, delete or anonymise what is older than N months") { show, set, run };
    }

    private static Task<int> WithRetention(ParseResult result, Option<string> workspace, Func<RetentionService, long, Task<int>> verb, CancellationToken ct) =>
        Cli.Cli.RunAsync(async () =>
        {
            var (_, factory, found) = await Cli.Cli.WorkspaceAsync(result, workspace, ct).ConfigureAwait(false);
            if (found is not { } id)
            {
                return Cli.Cli.Fail($"no workspace '{result.GetValue(workspace)}'");
            }

            var signal = new AnalyticsSignal();
            return await verb(new RetentionService(factory, new CustomerPrivacy(factory, signal, TimeProvider.System), signal, TimeProvider.System), id).ConfigureAwait(false);
        });
}
