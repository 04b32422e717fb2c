using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Microsoft.Data.Sqlite;

/// <summary>
/// Issue 9's reliability figures, against the real <c>cxo serve</c> process: kill-and-restart trials during ingest
/// (acknowledged events lost or duplicated), and a soak at a steady ingest rate (errors, latency, resident memory).
/// </summary>
internal static class TrustBench
{
    private static string Cxo => Path.Combine(AppContext.BaseDirectory, "cxo.dll");

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Process Start(string folder, string db, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Cxo);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["OPENCXO_DB"] = "sqlite:" + db;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<string> KeyAsync(string folder, string db)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { Cxo, "apikey", "create", "--name", "bench", "--scopes", "admin", "--json" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["OPENCXO_DB"] = "sqlite:" + db;
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        using var json = System.Text.Json.JsonDocument.Parse(output);
        return json.RootElement.GetProperty("key").GetString()!;
    }

    private static async Task WaitHealthyAsync(HttpClient client, Process server)
    {
        for (var i = 0; i < 600; i++)
        {
            if (server.HasExited)
            {
                throw new InvalidOperationException("cxo serve exited while starting");
            }

            try
            {
                using var response = await client.GetAsync("/healthz");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("cxo serve did not become healthy");
    }

    private static string Batch(string prefix, int size)
    {
        var text = new StringBuilder("{\"events\":[");
        for (var i = 0; i < size; i++)
        {
            text.Append(i == 0 ? "" : ",").Append(CultureInfo.InvariantCulture,
                $"{{\"id\":\"{prefix}-{i}\",\"customer\":{{\"email\":\"c{(prefix.GetHashCode() + i) & 0xFFFF}@example.com\"}},\"occurredAt\":\"2026-06-01T10:00:00Z\",\"department\":\"service\",\"channel\":\"chat\",\"type\":\"chat.closed\"}}");
        }

        return text.Append("]}").ToString();
    }

    private static HashSet<string> StoredIds(string db, out int rows)
    {
        using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT event_id FROM interactions";
        using var reader = command.ExecuteReader();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        rows = 0;
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
            rows++;
        }

        return ids;
    }

    /// <summary>
    /// <paramref name="trials"/> times: start the server, send batches of 50 events from two clients, kill it with
    /// SIGKILL after a random 0.02–0.5 s of acknowledged traffic, and check every acknowledged event is stored once.
    /// </summary>
    public static async Task KillTrialsAsync(string work, int trials)
    {
        var folder = Path.Combine(work, "kill-trials");
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        var db = Path.Combine(folder, "opencxo.db");
        var key = await KeyAsync(folder, db);
        var random = new Random(9);
        var acknowledged = new HashSet<string>(StringComparer.Ordinal);
        long lost = 0, duplicated = 0, unacknowledgedStored = 0, sentBatches = 0;
        var clock = Stopwatch.StartNew();
        for (var trial = 0; trial < trials; trial++)
        {
            var url = $"http://127.0.0.1:{FreePort()}";
            using var server = Start(folder, db, "serve", "--urls", url);
            using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
            await WaitHealthyAsync(client, server);
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            var acks = new ConcurrentBag<string>();
            using var stop = new CancellationTokenSource();
            var firing = Task.WhenAll(Enumerable.Range(0, 2).Select(async c =>
            {
                for (var n = 0; !stop.IsCancellationRequested; n++)
                {
                    var prefix = $"t{trial}-c{c}-{n}";
                    Interlocked.Increment(ref sentBatches);
                    try
                    {
                        using var response = await client.PostAsync("/api/v1/events", new StringContent(Batch(prefix, 50), Encoding.UTF8, "application/json"), stop.Token);
                        if (response.IsSuccessStatusCode)
                        {
                            for (var i = 0; i < 50; i++)
                            {
                                acks.Add($"{prefix}-{i}");
                            }
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
                    {
                        await Task.Delay(10, CancellationToken.None);
                    }
                }
            }));
            while (acks.IsEmpty)
            {
                await Task.Delay(10);
            }

            await Task.Delay(random.Next(20, 500));
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            await stop.CancelAsync();
            await firing;
            acknowledged.UnionWith(acks);

            var stored = StoredIds(db, out var rows);
            duplicated += rows - stored.Count;
            var missing = acknowledged.Count(id => !stored.Contains(id));
            lost = Math.Max(lost, missing);
            unacknowledgedStored = stored.Count - acknowledged.Count(stored.Contains);
            if ((trial + 1) % 50 == 0 || trial + 1 == trials)
            {
                Console.WriteLine($"{trial + 1,5} trials, {clock.Elapsed.TotalMinutes:0.0} min: {acknowledged.Count:N0} acknowledged events, {stored.Count:N0} stored, lost {missing}, duplicated {rows - stored.Count}");
            }
        }

        Console.WriteLine($"kill trials: {trials} kill -9 during ingest, {acknowledged.Count:N0} events acknowledged, {lost} lost, {duplicated} duplicated; " +
            $"{unacknowledgedStored:N0} stored whose answer never arrived (batches cut mid-reply); {sentBatches:N0} batches sent; {clock.Elapsed.TotalMinutes:0.0} min");

        // The restarted server's analytics store catches up with everything stored.
        var last = $"http://127.0.0.1:{FreePort()}";
        using var restarted = Start(folder, db, "serve", "--urls", last);
        using var reader = new HttpClient { BaseAddress = new Uri(last) };
        await WaitHealthyAsync(reader, restarted);
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var total = StoredIds(db, out _).Count;
        var catchUp = Stopwatch.StartNew();
        long seen = 0;
        while (seen != total && catchUp.Elapsed < TimeSpan.FromMinutes(5))
        {
            using var doc = System.Text.Json.JsonDocument.Parse(await reader.GetStringAsync("/api/v1/interactions?from=2026-01-01&to=2026-12-31"));
            seen = doc.RootElement.GetProperty("total").GetInt64();
            await Task.Delay(seen == total ? 0 : 200);
        }

        Console.WriteLine($"restart: the analytics store shows {seen:N0} of {total:N0} stored events after {catchUp.Elapsed.TotalSeconds:0.0} s");
        restarted.Kill(entireProcessTree: true);
    }

    /// <summary>A steady <paramref name="rate"/> events/s (batches of 1,000) for <paramref name="minutes"/>; errors, latency and the server's memory each minute.</summary>
    public static async Task SoakAsync(string work, int minutes, int rate)
    {
        var folder = Path.Combine(work, "soak");
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        var db = Path.Combine(folder, "opencxo.db");
        var key = await KeyAsync(folder, db);
        var url = $"http://127.0.0.1:{FreePort()}";
        using var server = Start(folder, db, "serve", "--urls", url);
        using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
        await WaitHealthyAsync(client, server);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        var perSecond = rate / 1000.0;
        var latencies = new ConcurrentBag<double>();
        long accepted = 0, errors = 0, sent = 0;
        var clock = Stopwatch.StartNew();
        var end = TimeSpan.FromMinutes(minutes);
        var inFlight = new List<Task>();
        var sampler = Task.Run(async () =>
        {
            Console.WriteLine("minute | events accepted (total) | errors | p50 ms | p99 ms | server RSS MB");
            for (var minute = 1; minute <= minutes; minute++)
            {
                await Task.Delay(TimeSpan.FromMinutes(1));
                var window = latencies.ToArray();
                latencies.Clear();
                Array.Sort(window);
                var rss = File.ReadLines($"/proc/{server.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
                var mb = long.Parse(rss.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
                Console.WriteLine($"{minute,6} | {Interlocked.Read(ref accepted),23:N0} | {Interlocked.Read(ref errors),6} | {Percentile(window, 0.5),6:0} | {Percentile(window, 0.99),6:0} | {mb,13:0}");
            }
        });

        for (long n = 0; clock.Elapsed < end; n++)
        {
            // Paced: batch n leaves at n / perSecond seconds, whatever the previous answers took.
            var due = TimeSpan.FromSeconds(n / perSecond);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }

            var body = Batch($"s{n}", 1000);
            inFlight.Add(Task.Run(async () =>
            {
                var started = Stopwatch.GetTimestamp();
                Interlocked.Increment(ref sent);
                try
                {
                    using var response = await client.PostAsync("/api/v1/events", new StringContent(body, Encoding.UTF8, "application/json"));
                    if (response.IsSuccessStatusCode)
                    {
                        Interlocked.Add(ref accepted, 1000);
                    }
                    else
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    Interlocked.Increment(ref errors);
                }

                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }));
            inFlight.RemoveAll(t => t.IsCompleted);
        }

        await Task.WhenAll(inFlight);
        await sampler;
        Console.WriteLine($"soak: {minutes} min at {rate:N0} events/s asked: {accepted:N0} accepted ({accepted / clock.Elapsed.TotalSeconds:N0}/s), {errors} errors of {sent:N0} requests");
        server.Kill(entireProcessTree: true);
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}
