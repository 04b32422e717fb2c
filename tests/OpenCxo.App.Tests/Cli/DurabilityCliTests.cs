using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace OpenCxo.App.Tests.Cli;

/// <summary>
/// Issue 9: an acknowledged event survives <c>kill -9</c> of the server in the middle of a burst of API calls, and an
/// online backup restores to the same state. The 1,000-trial version is <c>bench kill-trials</c>.
/// </summary>
public sealed class DurabilityCliTests
{
    private static JsonObject Batch(string prefix, int size) => new()
    {
        ["events"] = new JsonArray([.. Enumerable.Range(0, size).Select(i => (JsonNode)new JsonObject
        {
            ["id"] = $"{prefix}-{i}", ["customer"] = new JsonObject { ["email"] = $"c{i % 97}@example.com" },
            ["occurredAt"] = "2026-06-01T10:00:00Z", ["department"] = "service", ["channel"] = "chat", ["type"] = "chat.closed",
        })]),
    };

    private static async Task<string> KeyAsync(CliSandbox sandbox) =>
        (await sandbox.RunAsync("apikey", "create", "--name", "load", "--scopes", "admin", "--json")).ShouldExit(0).Json().GetProperty("key").GetString()!;

    /// <summary>Posts batches from several clients until cancelled; returns the ids of the events the server acknowledged.</summary>
    private static async Task<ConcurrentBag<string>> FireAsync(string url, string key, int clients, CancellationToken stop, ConcurrentBag<string>? into = null)
    {
        var acknowledged = into ?? [];
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async client =>
        {
            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var prefix = $"k{client}-{n}";
                try
                {
                    using var response = await http.PostAsJsonAsync("/api/v1/events", Batch(prefix, 50), stop);
                    if (response.IsSuccessStatusCode && (int)(await response.Content.ReadFromJsonAsync<JsonObject>(stop))!["accepted"]! == 50)
                    {
                        foreach (var i in Enumerable.Range(0, 50))
                        {
                            acknowledged.Add($"{prefix}-{i}");
                        }
                    }
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException or IOException)
                {
                    // The server died under this request: it was not acknowledged, so it may or may not be stored.
                    if (!stop.IsCancellationRequested)
                    {
                        await Task.Delay(20, CancellationToken.None);
                    }
                }
            }
        }));
        return acknowledged;
    }

    private static List<string> StoredEventIds(string database)
    {
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT event_id FROM interactions";
        using var reader = command.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    [Fact]
    public async Task Acknowledged_events_survive_kill_9_mid_burst_and_the_restarted_server_catches_up()
    {
        using var sandbox = new CliSandbox();
        var key = await KeyAsync(sandbox);
        var environment = new Dictionary<string, string?> { ["OPENCXO_DB"] = sandbox.Db };
        var everything = new HashSet<string>();
        var random = new Random(20261124);
        for (var trial = 0; trial < 3; trial++)
        {
            var url = $"http://127.0.0.1:{CliSandbox.FreeTcpPort()}";
            await using var server = CxoProcess.Start(sandbox.Folder, environment, ["serve", "--urls", url]);
            using (var probe = new HttpClient { BaseAddress = new Uri(url) })
            {
                await server.WaitUntilHealthyAsync(probe, TimeSpan.FromSeconds(60));
            }

            using var stop = new CancellationTokenSource();
            var acks = new ConcurrentBag<string>();
            var firing = FireAsync(url, key, clients: 4, stop.Token, acks);
            // Killed at a random moment once the burst is under way.
            for (var wait = 0; acks.IsEmpty && wait < 600; wait++)
            {
                await Task.Delay(50);
            }

            await Task.Delay(random.Next(50, 800));
            // Process.Kill is SIGKILL on Linux: no shutdown, no flush, no finally.
            await server.DisposeAsync();
            await stop.CancelAsync();
            var acknowledged = await firing;
            Assert.NotEmpty(acknowledged);
            everything.UnionWith(acknowledged);

            var stored = StoredEventIds(sandbox.DatabasePath);
            Assert.Equal(stored.Count, stored.Distinct().Count());
            var lost = everything.Except(stored).ToList();
            Assert.True(lost.Count == 0, $"trial {trial}: {lost.Count} acknowledged events lost, e.g. {string.Join(", ", lost.Take(5))}");
        }

        // A restarted server recovers and its analytics store catches up with every stored event.
        var stored2 = StoredEventIds(sandbox.DatabasePath).Count;
        var last = $"http://127.0.0.1:{CliSandbox.FreeTcpPort()}";
        await using var restarted = CxoProcess.Start(sandbox.Folder, environment, ["serve", "--urls", last]);
        using var client = new HttpClient { BaseAddress = new Uri(last) };
        await restarted.WaitUntilHealthyAsync(client, TimeSpan.FromSeconds(60));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        long total = 0;
        for (var wait = 0; wait < 120 && total != stored2; wait++)
        {
            total = (long)(await client.GetFromJsonAsync<JsonObject>("/api/v1/interactions?from=2026-01-01&to=2026-12-31"))!["total"]!;
            if (total != stored2)
            {
                await Task.Delay(500);
            }
        }

        Assert.Equal(stored2, total);
    }

    /// <summary>Every table's rows, in a stable order, hashed: two databases in the same state hash the same.</summary>
    private static Dictionary<string, string> Fingerprint(string database)
    {
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var prints = new Dictionary<string, string>();
        foreach (var table in tables)
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\" ORDER BY 1, 2";
            using var reader = command.ExecuteReader();
            var text = new StringBuilder();
            while (reader.Read())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    text.Append(reader.IsDBNull(i) ? "∅" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture)).Append('|');
                }

                text.Append('\n');
            }

            prints[table] = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
        }

        return prints;
    }

    [Fact]
    public async Task An_online_backup_is_consistent_and_a_restore_gives_back_the_same_state()
    {
        using var sandbox = new CliSandbox();
        var key = await KeyAsync(sandbox);
        var environment = new Dictionary<string, string?> { ["OPENCXO_DB"] = sandbox.Db };
        var url = $"http://127.0.0.1:{CliSandbox.FreeTcpPort()}";
        await using var server = CxoProcess.Start(sandbox.Folder, environment, ["serve", "--urls", url]);
        using (var probe = new HttpClient { BaseAddress = new Uri(url) })
        {
            await server.WaitUntilHealthyAsync(probe, TimeSpan.FromSeconds(60));
        }

        // The backup is taken while four clients keep writing.
        using var stop = new CancellationTokenSource();
        var firing = FireAsync(url, key, clients: 4, stop.Token);
        await Task.Delay(500);
        var backup = sandbox.PathOf("backup/opencxo-online.db");
        (await sandbox.RunAsync("backup", backup)).ShouldExit(0).ShouldPrint("integrity ok");
        await Task.Delay(300);
        await stop.CancelAsync();
        var acknowledged = await firing;

        // A consistent moment: whole batches only (each batch is one transaction), and fewer than were acknowledged in all.
        var inBackup = StoredEventIds(backup);
        Assert.NotEmpty(inBackup);
        Assert.All(inBackup.GroupBy(id => id[..id.LastIndexOf('-')]), batch => Assert.Equal(50, batch.Count()));
        Assert.True(inBackup.Count < acknowledged.Count, $"{inBackup.Count} in the backup, {acknowledged.Count} acknowledged");
        Assert.Contains("exists already", (await sandbox.RunAsync("backup", backup)).ShouldExit(1).Stderr, StringComparison.Ordinal);

        // Restored into another database: the very state of the backup, table by table.
        var restored = sandbox.PathOf("restored/opencxo.db");
        (await sandbox.RunWithEnvironmentAsync(new Dictionary<string, string?> { ["OPENCXO_DB"] = "sqlite:" + restored }, "restore", backup)).ShouldExit(2);
        Assert.False(File.Exists(restored));
        var expected = Fingerprint(backup);
        (await sandbox.RunWithEnvironmentAsync(new Dictionary<string, string?> { ["OPENCXO_DB"] = "sqlite:" + restored }, "restore", backup, "--yes")).ShouldExit(0);
        var actual = Fingerprint(restored);
        foreach (var (table, print) in expected.Where(t => t.Key != "audit_log"))
        {
            Assert.True(actual[table] == print, $"table {table} differs after the restore");
        }

        // The restore left one audit entry more; the backup's own entries are all there.
        using (var connection = new SqliteConnection($"Data Source={restored};Mode=ReadOnly;Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT action FROM audit_log ORDER BY id DESC LIMIT 1";
            Assert.Equal("restore", command.ExecuteScalar());
        }

        // A file that is not a database is refused, and the target is left as it was.
        var junk = sandbox.WriteFile("junk.db", "not a database");
        (await sandbox.RunWithEnvironmentAsync(new Dictionary<string, string?> { ["OPENCXO_DB"] = "sqlite:" + restored }, "restore", junk, "--yes")).ShouldExit(1);
        Assert.Equal(actual["interactions"], Fingerprint(restored)["interactions"]);
    }
}
