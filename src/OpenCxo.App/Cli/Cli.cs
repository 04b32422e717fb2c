using System.CommandLine;
using System.Text.Json;
using OpenCxo.App.Hosting;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Cli;

/// <summary>Options every verb shares, exit codes, and output helpers (DESIGN.md: 0 ok, 1 failure, 2 bad usage).</summary>
public static class Cli
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int BadUsage = 2;

    public static readonly Option<string?> Db = new("--db")
    {
        Description = "Database: sqlite:PATH (default sqlite:./data/opencxo.db) or postgres:CONNECTION-STRING; also OPENCXO_DB",
        Recursive = true,
    };

    public static readonly Option<string> Region = new("--default-region")
    {
        Description = "ISO 3166 region for phone numbers written without +country code (default ES; also OPENCXO_DEFAULT_REGION)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("OPENCXO_DEFAULT_REGION") ?? "ES",
    };

    public static Option<string> Workspace() => new("--workspace")
    {
        Description = "Workspace slug (default: default)",
        DefaultValueFactory = _ => Security.Workspaces.DefaultSlug,
    };

    public static Option<bool> Json() => new("--json") { Description = "Print machine-readable JSON" };

    public static readonly JsonSerializerOptions JsonOutput = CreateJsonOutput();

    private static JsonSerializerOptions CreateJsonOutput()
    {
        var options = new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        OpenCxoHost.ConfigureJson(options);
        return options;
    }

    public static DatabaseLocation Database(ParseResult result) =>
        DatabaseLocation.Parse(result.GetValue(Db) ?? Environment.GetEnvironmentVariable("OPENCXO_DB"));

    /// <summary>
    /// The command's database, migrated as <see cref="PrepareDatabaseAsync"/> does, and the id of the workspace
    /// <paramref name="workspace"/> names; null when there is no such workspace (the caller says so and fails).
    /// </summary>
    public static async Task<(DatabaseLocation Location, CxoDbFactory Factory, long? WorkspaceId)> WorkspaceAsync(
        ParseResult result, Option<string> workspace, CancellationToken ct)
    {
        var location = Database(result);
        var factory = new CxoDbFactory(location);
        await PrepareDatabaseAsync(factory, ct).ConfigureAwait(false);
        await using var db = factory.CreateDbContext();
        var space = await Security.Workspaces.FindAsync(db, result.GetValue(workspace)!, ct).ConfigureAwait(false);
        return (location, factory, space?.Id);
    }

    /// <summary>
    /// Runs a verb that reads the analytics store of the workspace <paramref name="workspace"/> names: texts stored while
    /// no server ran are analysed first, as the server would have, and the store is opened beside the database.
    /// </summary>
    public static Func<ParseResult, CancellationToken, Task<int>> WithAnalytics(
        Option<string> workspace, Func<ParseResult, CxoDbFactory, Data.Analytics.AnalyticsStore, long, CancellationToken, Task<int>> verb) =>
        (result, ct) => RunAsync(async () =>
        {
            var (location, factory, found) = await WorkspaceAsync(result, workspace, ct).ConfigureAwait(false);
            if (found is not { } workspaceId)
            {
                return Fail($"no workspace '{result.GetValue(workspace)}'");
            }

            await new Text.TextAnalyses(factory).CatchUpAsync(DateTime.UtcNow, ct).ConfigureAwait(false);
            await using var store = new Data.Analytics.AnalyticsStore(Data.Analytics.AnalyticsStore.DefaultPathFor(location), factory);
            return await verb(result, factory, store, workspaceId, ct).ConfigureAwait(false);
        });

    public static HostSettings Settings(ParseResult result) =>
        new(Database(result)) { DefaultRegion = result.GetValue(Region)! };

    public static void WriteJson<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, JsonOutput));

    public static int Fail(string message)
    {
        Console.Error.WriteLine("cxo: " + message);
        return Failure;
    }

    public static int Usage(string message)
    {
        Console.Error.WriteLine("cxo: " + message);
        return BadUsage;
    }

    /// <summary>Runs a verb, turning the errors users can cause into a message and an exit code instead of a stack trace.</summary>
    public static async Task<int> RunAsync(Func<Task<int>> verb)
    {
        // What a verb changes is written to the audit log as the operating-system user's doing.
        AuditContext.Current = AuditActor.Cli();
        try
        {
            return await verb().ConfigureAwait(false);
        }
        catch (FormatException e)
        {
            return Usage(e.Message);
        }
        catch (ArgumentException e)
        {
            return Usage(e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal));
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or System.Data.Common.DbException)
        {
            return Fail(e.Message);
        }
    }

    /// <summary>The embedded SQLite file is migrated by whatever verb touches it first; PostgreSQL only by 'cxo db migrate'.</summary>
    public static async Task PrepareDatabaseAsync(CxoDbFactory factory, CancellationToken cancellationToken)
    {
        if (factory.Location.Provider == DatabaseProvider.Sqlite)
        {
            await factory.MigrateAsync(cancellationToken).ConfigureAwait(false);
        }
        else if ((await factory.PendingMigrationsAsync(cancellationToken).ConfigureAwait(false)).Count > 0)
        {
            throw new InvalidOperationException("the PostgreSQL database needs migrations: run 'cxo db migrate --db postgres:…' first");
        }
    }
}
