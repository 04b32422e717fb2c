using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using OpenCxo.Data.Storage;
using OpenCxo.Testing;

namespace OpenCxo.App.Tests.Cli;

/// <summary>
/// A temporary working directory for <c>cxo</c> with a SQLite database in it, given to the program through
/// <c>OPENCXO_DB</c> unless a run says otherwise. Deleted on dispose.
/// </summary>
public sealed class CliSandbox : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<CxoResult>>> _runs = new();

    public CliSandbox()
        : this("cxo.db")
    {
    }

    private CliSandbox(string databaseFile)
    {
        var root = Environment.GetEnvironmentVariable(TestDatabases.TempVariable);
        var parent = string.IsNullOrEmpty(root) ? Path.Combine(Path.GetTempPath(), "opencxo-tests") : root;
        Folder = Path.Combine(parent, "cli-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Folder);
        DatabasePath = Path.Combine(Folder, databaseFile);
    }

    public string Folder { get; }

    /// <summary>A sandbox whose database is at <paramref name="relativePath"/> inside it (folders are the program's to create).</summary>
    public static CliSandbox WithDatabaseAt(string relativePath) => new(relativePath);

    public string DatabasePath { get; }

    /// <summary>The sandbox database as <c>--db</c> takes it.</summary>
    public string Db => "sqlite:" + DatabasePath;

    public CxoDbFactory Factory => new(DatabaseLocation.Parse(Db));

    public string PathOf(string name) => Path.Combine(Folder, name);

    public string WriteFile(string name, params string[] lines)
    {
        var path = PathOf(name);
        File.WriteAllText(path, string.Join('\n', lines) + "\n", new UTF8Encoding(false));
        return path;
    }

    /// <summary>Runs <c>cxo ARGS</c> here, with <c>OPENCXO_DB</c> set to the sandbox database.</summary>
    public Task<CxoResult> RunAsync(params string[] args) =>
        CxoProcess.RunAsync(Folder, new Dictionary<string, string?> { ["OPENCXO_DB"] = Db }, args);

    /// <summary>
    /// Runs <c>cxo ARGS</c> here once, however many tests ask: tests that check different things about the same
    /// run share one process start, the expensive part.
    /// </summary>
    public Task<CxoResult> RunOnceAsync(params string[] args) =>
        _runs.GetOrAdd(string.Join('\0', args), _ => new Lazy<Task<CxoResult>>(() => RunAsync(args))).Value;

    /// <summary>Runs <c>cxo ARGS</c> here with exactly the given <c>OPENCXO_*</c> variables.</summary>
    public Task<CxoResult> RunWithEnvironmentAsync(IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        CxoProcess.RunAsync(Folder, environment, args);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // Left for the temp root's owner (test.sh removes OPENCXO_TEST_TMP); not worth failing a test over.
        }
    }

    public static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
