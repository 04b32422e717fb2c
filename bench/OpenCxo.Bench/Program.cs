using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;
using OpenCxo.App.Hosting;
using OpenCxo.App.Ingest;
using OpenCxo.App.Profiles;
using OpenCxo.App.Security;
using OpenCxo.Core.Demo;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Profiles;
using OpenCxo.Data.Ingest;
using OpenCxo.Data.Storage;

// Benchmarks for issue 2. They print figures; nothing here is a test. Run with -c Release:
//   dotnet run -c Release --project bench/OpenCxo.Bench -- import   [--events N] [--postgres CONNECTION-STRING [--postgres-only]]
//   dotnet run -c Release --project bench/OpenCxo.Bench -- parse    [--events N]
//   dotnet run -c Release --project bench/OpenCxo.Bench -- http     [--events N] [--clients C]
//   dotnet run -c Release --project bench/OpenCxo.Bench -- memory   [--events N]
//   dotnet run -c Release --project bench/OpenCxo.Bench -- timeline [--interactions N]
//   dotnet run -c Release --project bench/OpenCxo.Bench -- ui       [--db SQLITE-FILE] [--rounds N]   (issue 3: pages interactive)
//   dotnet run -c Release --project bench/OpenCxo.Bench -- survey   [--invitations N] [--clients C] [--seconds S]   (issue 4: page, responses/s)
//   dotnet run -c Release --project bench/OpenCxo.Bench -- metrics  [--responses N]   (issue 4: scores over N responses)
//   dotnet run -c Release --project bench/OpenCxo.Bench -- text     [--comments N]    (issue 5: agreement with human labels, comments/s)
//   dotnet run -c Release --project bench/OpenCxo.Bench -- catalogue [--db SQLITE-FILE] [--skip-record] [--metric NAME]   (issue 6: catalogue metrics by week over a year; the file from `timeline`)
//   dotnet run -c Release --project bench/OpenCxo.Bench -- clv [--summary CSV] [--customers N]   (issue 7: BG/NBD fit time on CDNOW and on N customers drawn from known parameters)
//   dotnet run -c Release --project bench/OpenCxo.Bench -- churn [--customers N] [--training N]   (issue 7: churn model training on the sample cap, scoring N customers with reasons)
//   dotnet run -c Release --project bench/OpenCxo.Bench -- actions [--customers N]   (issue 7: next best action and department worklists for N customers)
//   dotnet run -c Release --project bench/OpenCxo.Bench -- cases [--events N]   (issue 8: case opener over N freshly ingested events)
//   dotnet run -c Release --project bench/OpenCxo.Bench -- drivers [--answers N]   (issue 7: key drivers of N answers over 64 candidate drivers)
//   dotnet run -c Release --project bench/OpenCxo.Bench -- alignment [--db SQLITE-FILE]   (issue 8: promise gap, sales quality and service balance; the file from `timeline`)
//   dotnet run -c Release --project bench/OpenCxo.Bench -- segments [--customers N] [--per-customer K]   (issue 10: segment counts and a 1 M-member export)
//   dotnet run -c Release --project bench/OpenCxo.Bench -- programme [--initiatives N]   (issue 10: duplicate and conflict findings over a portfolio)
//   dotnet run -c Release --project bench/OpenCxo.Bench -- kpis [--db SQLITE-FILE]   (issue 6: the demo KPIs' scorecards, snapshots and council report; the file from `timeline`)
//   dotnet run -c Release --project bench/OpenCxo.Bench -- kill-trials [--trials N]   (issue 9: kill -9 of cxo serve during ingest; acknowledged events lost or duplicated)
//   dotnet run -c Release --project bench/OpenCxo.Bench -- scaleout --postgres CS [--events N] [--clients C]   (issue 9: HTTP ingest through one and through two servers on one PostgreSQL)
//   dotnet run -c Release --project bench/OpenCxo.Bench -- soak [--minutes M] [--rate EVENTS-PER-SECOND]   (issue 9: steady ingest; errors, latency, memory)
var verb = args.FirstOrDefault() ?? "help";
var work = Path.Combine(Path.GetTempPath(), "opencxo-bench");
Directory.CreateDirectory(work);
switch (verb)
{
    case "import":
        await Bench.ImportAsync(work, Bench.Arg(args, "--events", 1_000_000), Bench.ArgText(args, "--postgres"), args.Contains("--postgres-only"));
        break;
    case "parse":
        Bench.Parse(work, Bench.Arg(args, "--events", 200_000));
        break;
    case "http":
        await Bench.HttpAsync(work, Bench.Arg(args, "--events", 200_000), Bench.Arg(args, "--clients", 4));
        break;
    case "memory":
        await Bench.MemoryAsync(work, Bench.Arg(args, "--events", 5_000_000));
        break;
    case "timeline":
        await Bench.TimelineAsync(work, Bench.Arg(args, "--interactions", 10_000_000));
        break;
    case "ui":
        await UiBench.RunAsync(work, Bench.ArgText(args, "--db"), Bench.Arg(args, "--rounds", 5));
        break;
    case "survey":
        await SurveyBench.PageAndResponsesAsync(work, Bench.Arg(args, "--invitations", 20_000), Bench.Arg(args, "--clients", 16), Bench.Arg(args, "--seconds", 10));
        break;
    case "metrics":
        await SurveyBench.MetricsAsync(work, Bench.Arg(args, "--responses", 1_000_000));
        break;
    case "text":
        TextBench.Run(Bench.Arg(args, "--comments", 200_000));
        break;
    case "catalogue":
        await CatalogueBench.RunAsync(Bench.ArgText(args, "--db") ?? Path.Combine(work, "timeline-10000000.db"), args.Contains("--skip-record"), Bench.ArgText(args, "--metric"));
        break;
    case "clv":
        await ClvBench.RunAsync(Bench.ArgText(args, "--summary") ?? Path.Combine("..", "shared", "data", "cdnow", "cdnow_customers_summary_with_transactions.csv"), Bench.Arg(args, "--customers", 1_000_000));
        break;
    case "churn":
        ChurnBench.Run(Bench.Arg(args, "--customers", 1_000_000), Bench.Arg(args, "--training", 200_000));
        break;
    case "actions":
        ActionBench.Run(Bench.Arg(args, "--customers", 1_000_000));
        break;
    case "cases":
        await CaseBench.RunAsync(work, Bench.Arg(args, "--events", 500_000));
        break;
    case "drivers":
        DriverBench.Run(Bench.Arg(args, "--answers", 1_000_000));
        break;
    case "alignment":
        await AlignmentBench.RunAsync(Bench.ArgText(args, "--db") ?? Path.Combine(work, "timeline-10000000.db"));
        break;
    case "kpis":
        await KpiBench.RunAsync(Bench.ArgText(args, "--db") ?? Path.Combine(work, "timeline-10000000.db"));
        break;
    case "kill-trials":
        await TrustBench.KillTrialsAsync(work, Bench.Arg(args, "--trials", 1000));
        break;
    case "scaleout":
        await Bench.ScaleOutAsync(work, Bench.Arg(args, "--events", 200_000), Bench.Arg(args, "--clients", 8), Bench.ArgText(args, "--postgres")
            ?? throw new ArgumentException("scaleout needs --postgres CONNECTION-STRING (a server where it may create databases)"));
        break;
    case "segments":
        await SegmentBench.RunAsync(work, Bench.Arg(args, "--customers", 1_000_000), Bench.Arg(args, "--per-customer", 10));
        break;
    case "programme":
        foreach (var size in new[] { 100, 500, Bench.Arg(args, "--initiatives", 2_000) })
        {
            ProgrammeBench.Run(size);
        }

        break;
    case "soak":
        await TrustBench.SoakAsync(work, Bench.Arg(args, "--minutes", 10), Bench.Arg(args, "--rate", 25_000));
        break;
    default:
        Console.WriteLine("verbs: segments [--customers N] [--per-customer K] | programme [--initiatives N] | kill-trials [--trials N] | soak [--minutes M] [--rate R] | alignment [--db SQLITE-FILE] | cases [--events N] | actions [--customers N] | drivers [--answers N] | churn [--customers N] [--training N] | clv [--summary CSV] [--customers N] | catalogue [--db SQLITE-FILE] [--skip-record] [--metric NAME] | kpis [--db SQLITE-FILE] | text [--comments N] | survey [--invitations N] [--clients C] [--seconds S] | metrics [--responses N] | ui [--db SQLITE-FILE] [--rounds N] | import [--events N] [--postgres CS [--postgres-only]] | parse [--events N] | http [--events N] [--clients C] | memory [--events N] | timeline [--interactions N]");
        break;
}

internal static class Bench
{
    /// <summary>Rows per transaction of the raw baseline: what <see cref="EventFileImporter.CommitEvery"/> commits at once.</summary>
    private const int RawTransactionRows = 250_000;

    public static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    public static string? ArgText(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>A demo company of about <paramref name="events"/> events as JSON Lines (cached between runs).</summary>
    private static string DemoFile(string work, int events)
    {
        var customers = Math.Max(1, events / 40);
        var path = Path.Combine(work, $"demo-{customers}.jsonl");
        if (!File.Exists(path))
        {
            var clock = Stopwatch.StartNew();
            var count = OpenCxo.App.Demo.DemoLoader.WriteJsonLines(new DemoOptions(customers, 7), path);
            Console.WriteLine($"generated {count:N0} events ({new FileInfo(path).Length / 1e6:0} MB) in {clock.Elapsed.TotalSeconds:0.0} s");
        }

        return path;
    }

    private static async Task<DatabaseLocation> FreshSqliteAsync(string work, string name)
    {
        var path = Path.Combine(work, name + ".db");
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }

        var location = DatabaseLocation.Parse("sqlite:" + path);
        await new CxoDbFactory(location).MigrateAsync();
        return location;
    }

    /// <summary>Validation alone (JSON parse and <see cref="EventParser"/>), on one thread, after a warm-up pass.</summary>
    public static void Parse(string work, int events)
    {
        var lines = File.ReadLines(DemoFile(work, events)).Select(Encoding.UTF8.GetBytes).ToArray();
        var parser = new EventParser(new IdentityNormalizer("ES"));
        for (var pass = 0; pass < 3; pass++)
        {
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            foreach (var line in lines)
            {
                using var doc = System.Text.Json.JsonDocument.Parse(line);
                if (!parser.TryParse(doc.RootElement, out _, out var errors))
                {
                    throw new InvalidDataException($"demo event rejected: {errors[0].Field} {errors[0].Message}");
                }
            }

            var seconds = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"pass {pass}: {lines.Length:N0} events, {seconds * 1e6 / lines.Length:0.00} µs and {(GC.GetAllocatedBytesForCurrentThread() - allocated) / lines.Length:N0} bytes allocated an event");
        }
    }

    public static async Task ImportAsync(string work, int events, string? postgres, bool postgresOnly)
    {
        var file = DemoFile(work, events);
        var parser = new EventParser(new IdentityNormalizer("ES"));
        if (!postgresOnly)
        {
            await SqliteImportAsync(work, file, parser);
        }

        if (postgres is not null)
        {
            await PostgresImportAsync(postgres, parser, file);
        }
    }

    private static async Task SqliteImportAsync(string work, string file, EventParser parser)
    {
        var parsed = new List<CanonicalEvent>();
        var parseClock = Stopwatch.StartNew();
        foreach (var line in File.ReadLines(file))
        {
            using var doc = System.Text.Json.JsonDocument.Parse(line);
            if (parser.TryParse(doc.RootElement, out var e, out var errors))
            {
                parsed.Add(e!);
            }
            else
            {
                throw new InvalidDataException($"demo event rejected: {errors[0].Field} {errors[0].Message}");
            }
        }

        Console.WriteLine($"file: {parsed.Count:N0} events, {new FileInfo(file).Length / 1e6:0} MB, parsed in {parseClock.Elapsed.TotalSeconds:0.00} s on one thread");

        // Baseline: the same rows, raw batched INSERT into the same schema (prepared statement, as many rows per transaction as an import commits), no parsing, no resolution, no dedupe.
        var raw = await FreshSqliteAsync(work, "raw");
        var rawSeconds = RawSqliteInsert(raw, parsed);
        Console.WriteLine($"sqlite raw INSERT, ADO.NET command:   {rawSeconds,7:0.00} s  {parsed.Count / rawSeconds,10:N0} rows/s  (the baseline of the ratios)");
        var floor = await FreshSqliteAsync(work, "raw-sqlite3");
        var floorSeconds = RawSqlite3Insert(floor, parsed);
        Console.WriteLine($"sqlite raw INSERT, sqlite3 API:       {floorSeconds,7:0.00} s  {parsed.Count / floorSeconds,10:N0} rows/s  (the ingest writer's own insert path)");

        var only = await FreshSqliteAsync(work, "ingest-only");
        await using (var ingestOnly = new EventIngestor(new CxoDbFactory(only), TimeProvider.System))
        {
            var clock = Stopwatch.StartNew();
            await using (var session = ingestOnly.BeginSession(1))
            {
                foreach (var chunk in parsed.Chunk(10_000))
                {
                    await session.IngestAsync(chunk, CancellationToken.None);
                }

                await session.CommitAsync(CancellationToken.None);
            }

            Console.WriteLine($"sqlite ingest of parsed events:       {clock.Elapsed.TotalSeconds,7:0.00} s  {parsed.Count / clock.Elapsed.TotalSeconds,10:N0} events/s  {clock.Elapsed.TotalSeconds / rawSeconds:0.00}x raw ({clock.Elapsed.TotalSeconds / floorSeconds:0.00}x sqlite3 API)");
        }

        var target = await FreshSqliteAsync(work, "import");
        var (importSeconds, imported) = await ImportFileAsync(target, parser, file);
        Console.WriteLine($"sqlite import of the file (e2e):      {importSeconds,7:0.00} s  {imported / importSeconds,10:N0} events/s  {importSeconds / rawSeconds:0.00}x raw ({importSeconds / floorSeconds:0.00}x sqlite3 API)");

        var (againSeconds, again) = await ImportFileAsync(target, parser, file);
        Console.WriteLine($"sqlite re-import (all duplicates): {againSeconds:0.00} s, {again} imported");
    }

    private static async Task PostgresImportAsync(string postgres, EventParser parser, string file)
    {
        var name = "bench_" + Guid.NewGuid().ToString("N")[..8];
        await using (var admin = new NpgsqlConnection(postgres))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE DATABASE " + name, admin);
            await create.ExecuteNonQueryAsync();
        }

        var location = DatabaseLocation.Parse("postgres:" + new NpgsqlConnectionStringBuilder(postgres) { Database = name });
        await new CxoDbFactory(location).MigrateAsync();
        var (pgSeconds, pgImported) = await ImportFileAsync(location, parser, file);
        Console.WriteLine($"postgres cxo import (COPY, e2e): {pgSeconds,7:0.00} s  {pgImported / pgSeconds,10:N0} events/s");
    }

    private static async Task<(double Seconds, long Imported)> ImportFileAsync(DatabaseLocation location, EventParser parser, string file)
    {
        var factory = new CxoDbFactory(location);
        await using var ingestor = new EventIngestor(factory, TimeProvider.System);
        var importer = new EventFileImporter(parser, ingestor);
        var clock = Stopwatch.StartNew();
        var summary = await importer.ImportAsync(file, 1, null, CancellationToken.None);
        return (clock.Elapsed.TotalSeconds, summary.Imported);
    }

    /// <summary>The same raw INSERT through the sqlite3 API, as the ingest writer inserts interactions: the floor.</summary>
    private static double RawSqlite3Insert(DatabaseLocation location, List<CanonicalEvent> events)
    {
        using var connection = OpenRawConnection(location);

        var clock = Stopwatch.StartNew();
        var db = connection.Handle!;
        SqliteException.ThrowExceptionForRC(
            SQLitePCL.raw.sqlite3_prepare_v2(db, """
                INSERT INTO interactions (workspace_id, event_id, customer_id, occurred_at, received_at, department, channel, type, value_e4, currency, text, attributes)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                """, out var statement),
            db);
        using var insert = statement;
        var received = UnixMicros.From(DateTime.UtcNow);
        SqliteTransaction? transaction = null;
        for (var i = 0; i < events.Count; i++)
        {
            if (i % RawTransactionRows == 0)
            {
                transaction?.Commit();
                transaction = connection.BeginTransaction();
            }

            var e = events[i];
            SQLitePCL.raw.sqlite3_bind_int64(insert, 1, 1);
            Text(2, e.Id);
            SQLitePCL.raw.sqlite3_bind_int64(insert, 3, i % 25_000);
            SQLitePCL.raw.sqlite3_bind_int64(insert, 4, UnixMicros.From(e.OccurredAt));
            SQLitePCL.raw.sqlite3_bind_int64(insert, 5, received);
            Text(6, e.Department.Name());
            Text(7, e.Channel.Name());
            Text(8, e.Type);
            SQLitePCL.raw.sqlite3_bind_int64(insert, 9, e.ValueE4);
            Text(10, e.Currency);
            Text(11, e.Text);
            Text(12, e.AttributesJson);
            var rc = SQLitePCL.raw.sqlite3_step(insert);
            SQLitePCL.raw.sqlite3_reset(insert);
            if (rc != SQLitePCL.raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(rc, db);
            }
        }

        transaction?.Commit();
        transaction?.Dispose();
        return clock.Elapsed.TotalSeconds;

        void Text(int index, string? value)
        {
            if (value is null)
            {
                SQLitePCL.raw.sqlite3_bind_null(insert, index);
            }
            else
            {
                SQLitePCL.raw.sqlite3_bind_text(insert, index, value);
            }
        }
    }

    /// <summary>A connection with the ingest writer's settings, so that the ratios measure our work, not tuning.</summary>
    private static SqliteConnection OpenRawConnection(DatabaseLocation location)
    {
        var connection = new SqliteConnection(location.ConnectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 16384;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    private static double RawSqliteInsert(DatabaseLocation location, List<CanonicalEvent> events)
    {
        using var connection = OpenRawConnection(location);

        var clock = Stopwatch.StartNew();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO interactions (workspace_id, event_id, customer_id, occurred_at, received_at, department, channel, type, value_e4, currency, text, attributes)
            VALUES (@w, @e, @c, @o, @r, @d, @ch, @ty, @v, @cur, @tx, @a)
            """;
        foreach (var name in new[] { "@w", "@e", "@c", "@o", "@r", "@d", "@ch", "@ty", "@v", "@cur", "@tx", "@a" })
        {
            command.Parameters.Add(new SqliteParameter(name, null));
        }

        var p = command.Parameters;
        var received = UnixMicros.From(DateTime.UtcNow);
        SqliteTransaction? transaction = null;
        for (var i = 0; i < events.Count; i++)
        {
            if (i % RawTransactionRows == 0)
            {
                transaction?.Commit();
                transaction = connection.BeginTransaction();
                command.Transaction = transaction;
            }

            var e = events[i];
            p[0].Value = 1L;
            p[1].Value = e.Id;
            p[2].Value = (long)(i % 25_000);
            p[3].Value = UnixMicros.From(e.OccurredAt);
            p[4].Value = received;
            p[5].Value = e.Department.Name();
            p[6].Value = e.Channel.Name();
            p[7].Value = e.Type;
            p[8].Value = e.ValueE4;
            p[9].Value = (object?)e.Currency ?? DBNull.Value;
            p[10].Value = (object?)e.Text ?? DBNull.Value;
            p[11].Value = (object?)e.AttributesJson ?? DBNull.Value;
            command.ExecuteNonQuery();
        }

        transaction?.Commit();
        return clock.Elapsed.TotalSeconds;
    }

    public static async Task HttpAsync(string work, int events, int clients)
    {
        var file = DemoFile(work, events);
        var lines = File.ReadAllLines(file);
        var bodies = lines.Chunk(1_000).Select(chunk => "{\"events\":[" + string.Join(',', chunk) + "]}").ToArray();
        var location = await FreshSqliteAsync(work, "http");
        await using var app = OpenCxoHost.Build(new HostSettings(location) { Urls = "http://127.0.0.1:5099", AnalyticsPath = Path.Combine(work, "http.duckdb") });
        await app.StartAsync();
        string key;
        await using (var db = new CxoDbFactory(location).CreateDbContext())
        {
            key = (await ApiKeyService.CreateAsync(db, "default", "bench", [Scopes.EventsWrite], DateTime.UtcNow)).Key;
        }

        using var http = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:5099") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var next = -1;
        long accepted = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < bodies.Length)
            {
                using var response = await http.PostAsync("/api/v1/events", new StringContent(bodies[i], Encoding.UTF8, "application/json"));
                response.EnsureSuccessStatusCode();
                var text = await response.Content.ReadAsStringAsync();
                using var doc = System.Text.Json.JsonDocument.Parse(text);
                Interlocked.Add(ref accepted, doc.RootElement.GetProperty("accepted").GetInt64());
            }
        }));
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"http ingest: {accepted:N0} events in {bodies.Length} requests of 1,000, {clients} clients: {seconds:0.00} s, {accepted / seconds:N0} events/s");
        await app.StopAsync();
    }

    /// <summary>
    /// HTTP ingest into one PostgreSQL database, in batches of 1,000 from <paramref name="clients"/> clients: first
    /// through one server, then (into a fresh database) through two servers sharing it, the clients split between
    /// them. Both servers run in this process, on the same cores: the figure says what a second instance costs or
    /// gains when the database is the shared part, not what a second machine would add.
    /// </summary>
    public static async Task ScaleOutAsync(string work, int events, int clients, string postgres)
    {
        var lines = File.ReadAllLines(DemoFile(work, events));
        var bodies = lines.Chunk(1_000).Select(chunk => "{\"events\":[" + string.Join(',', chunk) + "]}").ToArray();
        foreach (var servers in new[] { 1, 2 })
        {
            var name = "scaleout_" + Guid.NewGuid().ToString("N")[..8];
            await using (var admin = new NpgsqlConnection(postgres))
            {
                await admin.OpenAsync();
                await using var create = new NpgsqlCommand("CREATE DATABASE " + name, admin);
                await create.ExecuteNonQueryAsync();
            }

            var location = DatabaseLocation.Parse("postgres:" + new NpgsqlConnectionStringBuilder(postgres) { Database = name });
            await new CxoDbFactory(location).MigrateAsync();
            string key;
            await using (var db = new CxoDbFactory(location).CreateDbContext())
            {
                key = (await ApiKeyService.CreateAsync(db, "default", "bench", [Scopes.EventsWrite], DateTime.UtcNow)).Key;
            }

            var apps = new List<Microsoft.AspNetCore.Builder.WebApplication>();
            for (var i = 0; i < servers; i++)
            {
                var app = OpenCxoHost.Build(new HostSettings(location) { Urls = $"http://127.0.0.1:{5110 + i}", AnalyticsPath = Path.Combine(work, $"{name}-{i}.duckdb") });
                await app.StartAsync();
                apps.Add(app);
            }

            var next = -1;
            long accepted = 0;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
            {
                using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{5110 + c % servers}"), Timeout = TimeSpan.FromMinutes(2) };
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
                int i;
                while ((i = Interlocked.Increment(ref next)) < bodies.Length)
                {
                    using var response = await http.PostAsync("/api/v1/events", new StringContent(bodies[i], Encoding.UTF8, "application/json"));
                    response.EnsureSuccessStatusCode();
                    using var doc = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                    Interlocked.Add(ref accepted, doc.RootElement.GetProperty("accepted").GetInt64());
                }
            }));
            var seconds = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"scale-out: {servers} server(s) on one PostgreSQL, {clients} clients: {accepted:N0} events in {seconds:0.00} s, {accepted / seconds:N0} events/s");
            foreach (var app in apps)
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Runs the real <c>cxo import events</c> (this build's cxo.dll, its own runtime settings) on a large file and
    /// reports the process's peak resident memory, read from /proc while it runs.
    /// </summary>
    public static async Task MemoryAsync(string work, int events)
    {
        var file = DemoFile(work, events);
        var location = await FreshSqliteAsync(work, "memory");
        var cxo = Path.Combine(AppContext.BaseDirectory, "cxo.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { cxo, "import", "events", file, "--db", "sqlite:" + location.SqlitePath, "--json" })
        {
            start.ArgumentList.Add(arg);
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        var peakKb = 0L;
        while (!process.HasExited)
        {
            try
            {
                var line = File.ReadLines($"/proc/{process.Id}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
                if (line is not null)
                {
                    peakKb = Math.Max(peakKb, long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture));
                }
            }
            catch (IOException)
            {
                // The process ended between the check and the read.
            }

            await Task.Delay(50);
        }

        Console.WriteLine((await output).Trim());
        Console.Error.Write(await errors);
        Console.WriteLine($"memory: cxo import events of {events:N0} demo events took {clock.Elapsed.TotalSeconds:0.0} s (exit {process.ExitCode}); peak resident {peakKb / 1024.0:N0} MB");
    }

    public static async Task TimelineAsync(string work, int interactions)
    {
        var path = Path.Combine(work, $"timeline-{interactions}.db");
        var location = DatabaseLocation.Parse("sqlite:" + path);
        var customers = interactions / 40;
        var loaded = path + ".loaded";
        if (!File.Exists(loaded))
        {
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(file);
            }

            await new CxoDbFactory(location).MigrateAsync();
            var clock = Stopwatch.StartNew();
            await using var ingestor = new EventIngestor(new CxoDbFactory(location), TimeProvider.System);
            await using (var session = ingestor.BeginSession(1))
            {
                foreach (var batch in DemoCompany.Generate(new DemoOptions(customers, 11)).Chunk(10_000))
                {
                    await session.IngestAsync(batch, CancellationToken.None);
                }

                await session.CommitAsync(CancellationToken.None);
            }

            Console.WriteLine($"stored {interactions:N0}-ish interactions in {clock.Elapsed.TotalSeconds:0} s");
            await File.WriteAllTextAsync(loaded, DateTime.UtcNow.ToString("O"));
        }

        var factory = new CxoDbFactory(location);
        long maxId;
        await using (var db = factory.CreateDbContext())
        {
            maxId = db.Customers.Max(c => c.Id);
            Console.WriteLine($"interactions stored: {db.Interactions.LongCount():N0}, customers: {db.Customers.LongCount():N0}");
        }

        var random = new Random(3);
        var first = new List<double>();
        var next = new List<double>();
        for (var i = 0; i < 2_000; i++)
        {
            var id = random.NextInt64(1, maxId + 1);
            await using var db = factory.CreateDbContext();
            var clock = Stopwatch.StartNew();
            var page = await CustomerProfiles.TimelineAsync(db, 1, id, 50, null, TimelineFilter.All, CancellationToken.None);
            first.Add(clock.Elapsed.TotalMilliseconds);
            if (page?.NextCursor is { } cursor)
            {
                clock.Restart();
                await CustomerProfiles.TimelineAsync(db, 1, id, 50, cursor, TimelineFilter.All, CancellationToken.None);
                next.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        Console.WriteLine($"timeline, first page of 50, 2,000 random customers: {Percentiles(first)}");
        Console.WriteLine($"timeline, next page by cursor ({next.Count} customers with more than 50): {Percentiles(next)}");
    }

    private static string Percentiles(List<double> timings)
    {
        if (timings.Count == 0)
        {
            return "no samples";
        }

        timings.Sort();
        double At(double q) => timings[Math.Min(timings.Count - 1, (int)(q * timings.Count))];
        return $"p50 {At(0.50):0.00} ms, p95 {At(0.95):0.00} ms, p99 {At(0.99):0.00} ms";
    }
}
