using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Profiles;
using OpenCxo.Data.Ingest;
using OpenCxo.Data.Storage;
using OpenCxo.Testing;

namespace OpenCxo.Data.Tests.Ingest;

/// <summary>A fresh, migrated database of one provider; a SQLite file is deleted on dispose.</summary>
public sealed class IngestDatabase : IAsyncDisposable
{
    private IngestDatabase(CxoDbFactory factory) => Factory = factory;

    public CxoDbFactory Factory { get; }

    public static async Task<IngestDatabase> CreateAsync(string provider)
    {
        var factory = new CxoDbFactory(DatabaseLocation.Parse(await TestDatabases.NewDatabaseAsync(provider)));
        await factory.MigrateAsync();
        return new IngestDatabase(factory);
    }

    public EventIngestor NewIngestor() => new(Factory, TimeProvider.System);

    public ValueTask DisposeAsync()
    {
        if (Factory.Location.SqlitePath is { } path)
        {
            using (var connection = new SqliteConnection(Factory.Location.ConnectionString))
            {
                SqliteConnection.ClearPool(connection);
            }

            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(file);
            }
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// One database per provider shared by a test class, with one ingestor (as the app runs: one per database and
/// process); each test takes its own workspace, which the storage model keeps apart. Creating a PostgreSQL
/// database and warming a new ingestor's connection pool cost about a second, so per-test databases would not fit
/// the time budget.
/// </summary>
public sealed class SharedIngestDatabases : IAsyncLifetime
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Task<(IngestDatabase Database, EventIngestor Ingestor)>> _databases = [];
    private long _lastWorkspaceId;

    public async Task<IngestWorkspace> NewWorkspaceAsync(string provider)
    {
        var (database, ingestor) = await SharedAsync(provider);
        return new IngestWorkspace(database, ingestor, Interlocked.Increment(ref _lastWorkspaceId));
    }

    public async Task<IngestDatabase> DatabaseAsync(string provider) => (await SharedAsync(provider)).Database;

    private Task<(IngestDatabase Database, EventIngestor Ingestor)> SharedAsync(string provider)
    {
        lock (_lock)
        {
            if (!_databases.TryGetValue(provider, out var shared))
            {
                shared = CreateAsync(provider);
                _databases[provider] = shared;
            }

            return shared;
        }
    }

    private static async Task<(IngestDatabase Database, EventIngestor Ingestor)> CreateAsync(string provider)
    {
        var database = await IngestDatabase.CreateAsync(provider);
        return (database, database.NewIngestor());
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var shared in _databases.Values.Where(t => t.IsCompletedSuccessfully))
        {
            var (database, ingestor) = await shared;
            await ingestor.DisposeAsync();
            await database.DisposeAsync();
        }
    }
}

/// <summary>A workspace of its own in a shared database.</summary>
public sealed record IngestWorkspace(IngestDatabase Database, EventIngestor Ingestor, long Id)
{
    public CxoDbFactory Factory => Database.Factory;

    public Task<IngestOutcome> IngestAsync(IReadOnlyList<CanonicalEvent> events) => Ingestor.IngestAsync(Id, events);

    public Task<List<string>> CanonicalAsync() => IngestTestKit.CanonicalAsync(Factory, Id);

    public Task AssertConsistentAsync() => IngestTestKit.AssertConsistentAsync(Factory, Id);

    public async Task<long> CustomerOfAsync(string eventId)
    {
        await using var db = Factory.CreateDbContext();
        return await db.Interactions.Where(i => i.WorkspaceId == Id && i.EventId == eventId).Select(i => i.CustomerId).SingleAsync();
    }
}

/// <summary>Events to ingest and what storage must hold after them, derived without the code under test.</summary>
public static class IngestTestKit
{
    public static readonly DateTime T0 = new(2026, 3, 2, 9, 0, 0, DateTimeKind.Utc);

    public static readonly IdentityKey Ana = IdentityKey.Email("ana@example.com");
    public static readonly IdentityKey AnaPhone = IdentityKey.Phone("+34600111222");
    public static readonly IdentityKey AnaCrm = IdentityKey.External("crm", "C-1001");
    public static readonly IdentityKey Bob = IdentityKey.Email("bob@example.com");

    public static CanonicalEvent Event(string id, DateTime occurredAt, IdentityKey[] keys, params ProfileField[] profile) =>
        new(id, keys, occurredAt, Department.Service, Channel.Phone, "ticket.resolved", 12.5m, "EUR", "text of " + id,
            """{"agent":"a-12"}""", profile);

    public static ProfileField Name(string name) => new("name", "\"" + name + "\"");

    /// <summary>A stream over a pool of 24 keys (customers collide and merge often) with profile fields at colliding times.</summary>
    public static List<CanonicalEvent> RandomEvents(Random random, int count)
    {
        var pool = new List<IdentityKey>();
        for (var i = 0; i < 24; i++)
        {
            pool.Add((i % 3) switch
            {
                0 => IdentityKey.Email($"c{i}@example.com"),
                1 => IdentityKey.Phone($"+3460011{i:D4}"),
                _ => IdentityKey.External(i % 2 == 0 ? "crm" : "helpdesk", "C-" + i),
            });
        }

        string[] names = ["\"Ana\"", "\"Ana García\"", "\"ana\"", "\"Bob\""];
        string[] tiers = ["\"gold\"", "\"silver\"", "3", "null"];
        var events = new List<CanonicalEvent>(count);
        for (var n = 0; n < count; n++)
        {
            // Mostly one key per event: several customers per stream, some of them merged by the rarer multi-key events.
            var keys = pool.OrderBy(_ => random.Next()).Take(random.Next(20) switch { < 14 => 1, < 19 => 2, _ => 3 }).ToArray();
            var profile = new List<ProfileField>();
            if (random.Next(2) == 0)
            {
                profile.Add(new ProfileField("name", names[random.Next(names.Length)]));
            }

            if (random.Next(3) == 0)
            {
                profile.Add(new ProfileField("tier", tiers[random.Next(tiers.Length)]));
            }

            // Few distinct minutes: equal times (of events and of traits) must not make order matter either.
            var occurredAt = T0.AddMinutes(random.Next(0, 60));
            events.Add(new CanonicalEvent(
                $"ev-{n:D3}", keys, occurredAt, (Department)random.Next(5), (Channel)random.Next(10), "ticket.resolved",
                random.Next(-100, 100), "EUR", null, null, profile));
        }

        return events;
    }

    /// <summary>
    /// What storage must hold, one line per live customer, from connected components of "keys share an event":
    /// its identities, its events, its first and last touchpoint and, per trait, the value at the latest time
    /// (equal times: the greater JSON text).
    /// </summary>
    public static List<string> Expected(IReadOnlyList<CanonicalEvent> events)
    {
        var parent = new Dictionary<IdentityKey, IdentityKey>();
        IdentityKey Root(IdentityKey key)
        {
            while (parent[key] != key)
            {
                key = parent[key];
            }

            return key;
        }

        foreach (var e in events)
        {
            foreach (var key in e.Identities)
            {
                parent.TryAdd(key, key);
            }

            foreach (var key in e.Identities.Skip(1))
            {
                parent[Root(key)] = Root(e.Identities[0]);
            }
        }

        return [.. events
            .GroupBy(e => Root(e.Identities[0]))
            .Select(g => Describe(
                g.SelectMany(e => e.Identities).Distinct().Select(k => k.ToString()),
                g.Select(e => e.Id),
                g.Min(e => e.OccurredAt),
                g.Max(e => e.OccurredAt),
                g.SelectMany(e => e.ProfileFields.Select(f => (f.Name, f.ValueJson, e.OccurredAt)))
                    .GroupBy(f => f.Name)
                    .Select(t => t.OrderByDescending(f => f.OccurredAt).ThenByDescending(f => f.ValueJson, StringComparer.Ordinal).First())))
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>What storage holds, in the form of <see cref="Expected"/>: customer ids left out, since they depend on arrival order.</summary>
    public static async Task<List<string>> CanonicalAsync(CxoDbFactory factory, long workspaceId)
    {
        await using var db = factory.CreateDbContext();
        var live = await db.Customers.AsNoTracking().Where(c => c.WorkspaceId == workspaceId && c.MergedInto == null).ToListAsync();
        var identities = (await db.Identities.AsNoTracking().Where(i => i.WorkspaceId == workspaceId).ToListAsync()).ToLookup(i => i.CustomerId);
        var interactions = (await db.Interactions.AsNoTracking().Where(i => i.WorkspaceId == workspaceId)
            .Select(i => new { i.CustomerId, i.EventId }).ToListAsync()).ToLookup(i => i.CustomerId);
        var traits = (await db.CustomerTraits.AsNoTracking().Where(t => t.WorkspaceId == workspaceId).ToListAsync()).ToLookup(t => t.CustomerId);

        return [.. live
            .Select(c => Describe(
                identities[c.Id].Select(i => new IdentityKey(i.Kind, i.Value).ToString()),
                interactions[c.Id].Select(i => i.EventId),
                c.FirstSeen,
                c.LastSeen,
                traits[c.Id].Select(t => (t.Name, t.ValueJson, t.ObservedAt))))
            .Order(StringComparer.Ordinal)];
    }

    private static string Describe(
        IEnumerable<string> keys, IEnumerable<string> eventIds, DateTime firstSeen, DateTime lastSeen,
        IEnumerable<(string Name, string ValueJson, DateTime ObservedAt)> traits) =>
        $"events [{string.Join(" ", eventIds.Order(StringComparer.Ordinal))}]"
        + $" keys [{string.Join(" ", keys.Order(StringComparer.Ordinal))}]"
        + $" seen {firstSeen.ToUniversalTime():O} .. {lastSeen.ToUniversalTime():O}"
        + $" traits [{string.Join(" ", traits.Select(t => $"{t.Name}={t.ValueJson}@{t.ObservedAt.ToUniversalTime():O}").Order(StringComparer.Ordinal))}]";

    public static async Task<int> MergeCountAsync(CxoDbFactory factory)
    {
        await using var db = factory.CreateDbContext();
        return await db.CustomerMerges.CountAsync();
    }

    /// <summary>The invariants of the storage model: rows point at live customers, and every absorbed customer has its merge.</summary>
    public static async Task AssertConsistentAsync(CxoDbFactory factory, long workspaceId)
    {
        await using var db = factory.CreateDbContext();
        var customers = await db.Customers.AsNoTracking().Where(c => c.WorkspaceId == workspaceId).ToDictionaryAsync(c => c.Id);
        var live = customers.Values.Where(c => c.MergedInto is null).Select(c => c.Id).ToHashSet();
        var absorbed = customers.Values.Where(c => c.MergedInto is not null).ToList();

        var interactionOwners = await db.Interactions.AsNoTracking().Where(i => i.WorkspaceId == workspaceId).Select(i => i.CustomerId).ToListAsync();
        Assert.All(interactionOwners, id => Assert.Contains(id, live));
        Assert.Equal(live.Order(), interactionOwners.Distinct().Order());

        var identityOwners = await db.Identities.AsNoTracking().Where(i => i.WorkspaceId == workspaceId).Select(i => i.CustomerId).ToListAsync();
        Assert.All(identityOwners, id => Assert.Contains(id, live));
        Assert.Equal(live.Order(), identityOwners.Distinct().Order());

        var traitOwners = await db.CustomerTraits.AsNoTracking().Where(t => t.WorkspaceId == workspaceId).Select(t => t.CustomerId).ToListAsync();
        Assert.All(traitOwners, id => Assert.Contains(id, live));

        // An absorbed customer points straight at a live one: reads follow one hop.
        Assert.All(absorbed, c => Assert.Contains(c.MergedInto!.Value, live));

        var merges = await db.CustomerMerges.AsNoTracking().Where(m => m.WorkspaceId == workspaceId).ToListAsync();
        Assert.Equal(absorbed.Select(c => c.Id).Order(), merges.Select(m => m.AbsorbedId).Order());
        Assert.All(merges, m =>
        {
            Assert.True(customers.ContainsKey(m.SurvivorId), $"merge into unknown customer {m.SurvivorId}");
            Assert.NotNull(customers[m.AbsorbedId].MergedInto);
            Assert.NotEqual(m.SurvivorId, m.AbsorbedId);
        });
    }
}
