using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace OpenCxo.App.Tests.Cli;

/// <summary><c>cxo apikey create</c>: the key is printed once, and only its SHA-256 is kept.</summary>
public sealed class ApiKeyCliTests(CliSandbox sandbox) : IClassFixture<CliSandbox>
{
    private readonly CliSandbox _sandbox = sandbox;

    private Task<CxoResult> CreateWithAnUnknownScopeAsync() =>
        _sandbox.RunOnceAsync("apikey", "create", "--name", "rejected", "--scopes", "events:write,events:delete");

    [Fact]
    public async Task Create_prints_the_key_once_and_the_database_holds_only_its_sha256()
    {
        var output = (await _sandbox.RunAsync("apikey", "create", "--name", "ci", "--scopes", "events:write, customers:read", "--json")).ShouldExit(0).Json();

        Assert.Equal(["id", "name", "key", "workspace", "scopes"], output.EnumerateObject().Select(p => p.Name));
        var key = output.GetProperty("key").GetString()!;
        Assert.StartsWith("cxo_", key, StringComparison.Ordinal);
        Assert.True(key.Length >= 4 + 43, $"a 256-bit secret takes at least 43 base64url characters: {key}");
        Assert.Equal("ci", output.GetProperty("name").GetString());
        Assert.Equal("default", output.GetProperty("workspace").GetString());
        Assert.Equal(["events:write", "customers:read"], output.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));

        await using (var db = _sandbox.Factory.CreateDbContext())
        {
            var row = await db.ApiKeys.AsNoTracking().SingleAsync(k => k.Name == "ci");
            Assert.Equal(output.GetProperty("id").GetInt64(), row.Id);
            Assert.Equal("ci", row.Name);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))), row.KeyHash);
            Assert.Equal("events:write customers:read", row.Scopes);
            Assert.Null(row.RevokedAt);
        }

        var secret = key["cxo_".Length..];
        // The database file and its -wal and -shm companions.
        var files = Directory.GetFiles(_sandbox.Folder, Path.GetFileName(_sandbox.DatabasePath) + "*");
        Assert.Contains(_sandbox.DatabasePath, files);
        foreach (var file in files)
        {
            var text = Encoding.Latin1.GetString(File.ReadAllBytes(file));
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(secret[^16..], text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_unknown_scope_is_bad_usage_naming_it_and_creates_no_key()
    {
        var result = (await CreateWithAnUnknownScopeAsync()).ShouldExit(2);

        Assert.Contains("unknown scope(s): events:delete", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
        if (File.Exists(_sandbox.DatabasePath))
        {
            await using var db = _sandbox.Factory.CreateDbContext();
            Assert.Equal(0, await db.ApiKeys.CountAsync(k => k.Name == "rejected"));
        }
    }

    /// <summary>Bug: ArgumentException.Message is printed as is, so users read "… (Parameter 'scopes')".</summary>
    [Fact]
    public async Task A_usage_message_carries_no_dotnet_parameter_name()
    {
        var result = (await CreateWithAnUnknownScopeAsync()).ShouldExit(2);

        Assert.False(result.Stderr.Contains("(Parameter '", StringComparison.Ordinal), result.ToString());
    }
}
