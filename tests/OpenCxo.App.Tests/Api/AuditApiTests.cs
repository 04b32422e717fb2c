using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenCxo.App.Security;
using OpenCxo.Data.Storage;
using OpenCxo.Testing;

namespace OpenCxo.App.Tests.Api;

/// <summary>Issue 9: the audit log records who changed, read and exported what; it is searchable, exportable and append-only.</summary>
public sealed class AuditApiTests
{
    public static IEnumerable<object[]> Providers => TestDatabases.Providers;

    private static JsonObject Kpi(string key) => new()
    {
        ["key"] = key, ["name"] = key, ["metric"] = "nps", ["target"] = new JsonObject { ["value"] = 30 }, ["owner"] = "marketing",
        ["raci"] = new JsonObject { ["accountable"] = new JsonArray("marketing") },
    };

    private static async Task<JsonObject> GetJsonAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private static List<JsonObject> Items(JsonObject page) => page["items"]!.AsArray().Select(i => i!.AsObject()).ToList();

    [Theory, MemberData(nameof(Providers))]
    public async Task Changes_views_and_exports_are_recorded_with_their_actor_and_only_for_their_workspace(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider, new Dictionary<string, string?> { ["Kpis:Evaluate"] = "false" });
        var admin = await host.ClientAsync("a");
        var other = await host.ClientAsync("b");

        // A KPI created, changed and deleted through the API: three entries naming the key, the KPI and the fields changed.
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/kpis", Kpi("nps-q4"))).StatusCode);
        var changed = Kpi("nps-q4");
        changed["target"] = new JsonObject { ["value"] = 40 };
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/api/v1/kpis/nps-q4", changed)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/v1/kpis/nps-q4")).StatusCode);

        // A customer read, a missing one not (nothing was shown), and an export.
        var posted = await admin.PostAsJsonAsync("/api/v1/events", new JsonObject
        {
            ["events"] = new JsonArray(new JsonObject
            {
                ["id"] = "e1", ["customer"] = new JsonObject { ["email"] = "ana@example.com" }, ["occurredAt"] = "2026-03-02T03:14:00Z",
                ["department"] = "service", ["channel"] = "phone", ["type"] = "ticket.resolved",
            }),
        });
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var customer = (long)(await GetJsonAsync(admin, "/api/v1/customers?email=ana@example.com"))["id"]!;
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/v1/customers/{customer}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/customers/999999")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/interactions?format=csv&from=2026-01-01&to=2026-12-31")).StatusCode);

        var config = Items(await GetJsonAsync(admin, "/api/v1/audit?action=config"));
        Assert.Equal(["config.kpi.delete", "config.kpi.update", "config.kpi.create"], config.Select(e => (string)e["action"]!).ToArray());
        Assert.All(config, e =>
        {
            Assert.Equal("test", (string)e["actor"]!);
            Assert.Equal("key", (string)e["actorKind"]!);
            Assert.Equal("kpi:nps-q4", (string)e["target"]!);
        });
        Assert.Equal("changed: DefinitionJson", (string)config[1]["detail"]!);

        var views = Items(await GetJsonAsync(admin, "/api/v1/audit?action=customer.view"));
        Assert.Equal([$"customer:{customer}", $"customer:{customer}"], views.Select(e => (string)e["target"]!).ToArray());
        Assert.DoesNotContain(views, e => (string)e["target"]! == "customer:999999");
        var exports = Items(await GetJsonAsync(admin, "/api/v1/audit?action=export"));
        var export = Assert.Single(exports);
        Assert.Equal("interactions.csv", (string)export["target"]!);
        Assert.Contains("from=2026-01-01", (string)export["detail"]!, StringComparison.Ordinal);

        // Workspace b sees none of it.
        Assert.Empty(Items(await GetJsonAsync(other, "/api/v1/audit")));
    }

    [Fact]
    public async Task The_log_pages_filters_exports_and_refuses_bad_queries_by_field()
    {
        await using var host = await ApiHost.StartAsync("sqlite");
        var admin = await host.ClientAsync("a");
        long workspace;
        await using (var db = host.Factory.CreateDbContext())
        {
            workspace = (await Workspaces.FindAsync(db, "a"))!.Id;
        }

        var start = new DateTime(2026, 5, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < 25; i++)
        {
            await AuditTrail.RecordAsync(host.Factory, new AuditActor(i % 2 == 0 ? "ana" : "bob", "user"), workspace, "customer.view", $"customer:{i}", null, start.AddHours(i));
        }

        // Three pages of ten, newest first, each beginning where the last ended.
        var seen = new List<string>();
        string? before = null;
        do
        {
            var page = await GetJsonAsync(admin, "/api/v1/audit?limit=10&action=customer.view" + (before is null ? "" : "&before=" + before));
            seen.AddRange(Items(page).Select(e => (string)e["target"]!));
            before = page["nextBefore"]?.ToString();
        }
        while (before is not null);
        Assert.Equal(Enumerable.Range(0, 25).Reverse().Select(i => $"customer:{i}"), seen);

        var ana = Items(await GetJsonAsync(admin, "/api/v1/audit?actor=ana&from=2026-05-01T10:00:00Z&to=2026-05-01T20:00:00Z"));
        Assert.Equal([18, 16, 14, 12, 10], ana.Select(e => int.Parse(((string)e["target"]!)[9..], System.Globalization.CultureInfo.InvariantCulture)).ToArray());

        var csv = await admin.GetAsync("/api/v1/audit/export?actor=bob");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("id,at,actor,actorKind,action,target,detail,ip", lines[0]);
        Assert.Equal(12, lines.Length - 1);
        Assert.All(lines.Skip(1), l => Assert.Contains(",bob,user,customer.view,", l, StringComparison.Ordinal));
        var json = await admin.GetFromJsonAsync<JsonArray>("/api/v1/audit/export?format=json&target=customer:3");
        Assert.Equal("bob", (string)Assert.Single(json!)!["actor"]!);
        // Each export left its own entry.
        Assert.Equal(2, Items(await GetJsonAsync(admin, "/api/v1/audit?action=export&target=audit")).Count);

        foreach (var (query, field) in new[]
        {
            ("limit=0", "limit"), ("limit=1001", "limit"), ("limit=abc", "limit"), ("before=-3", "before"), ("from=yesterday", "from"),
            ("from=2026-05-02&to=2026-05-01", "from"), ("to=3000-01-01", "to"), ("actor=" + new string('x', 201), "actor"),
            ("action=%27%3B%20DROP%20TABLE%20audit_log%3B--&limit=5000", "limit"),
        })
        {
            var response = await admin.GetAsync("/api/v1/audit?" + query);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True((await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]![field] is not null, query);
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/v1/audit/export?format=xml")).StatusCode);
        // An injection attempt in a filter is just a string that matches nothing.
        Assert.Empty(Items(await GetJsonAsync(admin, "/api/v1/audit?action=%27%20OR%201%3D1--")));

        // Reading the log needs audit:read (or admin).
        var reader = await host.ClientAsync("a", Scopes.CustomersRead);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync("/api/v1/audit")).StatusCode);
        var auditor = await host.ClientAsync("a", Scopes.AuditRead);
        Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync("/api/v1/audit")).StatusCode);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task The_database_refuses_to_change_or_delete_an_entry(string provider)
    {
        var factory = new CxoDbFactory(DatabaseLocation.Parse(await TestDatabases.NewDatabaseAsync(provider)));
        await factory.MigrateAsync();
        await AuditTrail.RecordAsync(factory, new AuditActor("ana", "user"), null, "sign-in", "user:ana", null, DateTime.UtcNow);
        await using var db = factory.CreateDbContext();
        await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync("UPDATE audit_log SET actor = 'mallory'"));
        await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync("DELETE FROM audit_log"));
        if (provider == "postgres")
        {
            await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync("TRUNCATE audit_log"));
        }

        var entry = await db.AuditLog.SingleAsync();
        Assert.Equal("ana", entry.Actor);
    }

    [Fact]
    public async Task Expired_and_revoked_keys_are_refused_and_listed_with_their_state()
    {
        await using var host = await ApiHost.StartAsync("sqlite");
        var now = DateTime.UtcNow;
        ApiKeyService.IssuedKey live, expiring, revoked;
        await using (var db = host.Factory.CreateDbContext())
        {
            live = await ApiKeyService.CreateAsync(db, "a", "live", [Scopes.StatsRead], now, now.AddDays(30));
            expiring = await ApiKeyService.CreateAsync(db, "a", "short", [Scopes.StatsRead], now, now.AddSeconds(2));
            revoked = await ApiKeyService.CreateAsync(db, "a", "gone", [Scopes.StatsRead], now);
            await Assert.ThrowsAsync<ArgumentException>(() => ApiKeyService.CreateAsync(db, "a", "past", [Scopes.StatsRead], now, now.AddMinutes(-1)));
        }

        HttpClient Client(string key)
        {
            var client = host.AnonymousClient();
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
            return client;
        }

        Assert.Equal(HttpStatusCode.OK, (await Client(expiring.Key).GetAsync("/api/v1/promises")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client(revoked.Key).GetAsync("/api/v1/promises")).StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.Equal(HttpStatusCode.Unauthorized, (await Client(expiring.Key).GetAsync("/api/v1/promises")).StatusCode);
        await using (var db = host.Factory.CreateDbContext())
        {
            var workspace = (await Workspaces.FindAsync(db, "a"))!.Id;
            Assert.True(await ApiKeyService.RevokeAsync(db, workspace, revoked.Id, DateTime.UtcNow));
            Assert.False(await ApiKeyService.RevokeAsync(db, workspace, revoked.Id, DateTime.UtcNow));
            Assert.False(await ApiKeyService.RevokeAsync(db, workspace + 1, live.Id, DateTime.UtcNow));
            var states = (await ApiKeyService.ListAsync(db, workspace, DateTime.UtcNow)).ToDictionary(k => k.Name, k => k.State);
            Assert.Equal("active", states["live"]);
            Assert.Equal("expired", states["short"]);
            Assert.Equal("revoked", states["gone"]);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await Client(revoked.Key).GetAsync("/api/v1/promises")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client(live.Key).GetAsync("/api/v1/promises")).StatusCode);
    }

    [Fact]
    public async Task Each_key_has_its_own_budget_and_a_spent_one_answers_429_with_retry_after()
    {
        await using var host = await ApiHost.StartAsync("sqlite", new Dictionary<string, string?>
        {
            ["Security:RateLimits:KeyBurst"] = "5",
            ["Security:RateLimits:KeyPermitsPerSecond"] = "1",
        });
        var first = await host.ClientAsync("a", Scopes.StatsRead);
        var second = await host.ClientAsync("a", Scopes.StatsRead);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            statuses.Add((await first.GetAsync("/api/v1/promises")).StatusCode);
        }

        Assert.Equal(5, statuses.Count(s => s != HttpStatusCode.TooManyRequests));
        var refused = await first.GetAsync("/api/v1/promises");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal("Too many requests", (string)(await refused.Content.ReadFromJsonAsync<JsonObject>())!["title"]!);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await second.GetAsync("/api/v1/promises")).StatusCode);
    }

    [Fact]
    public async Task Wrong_passwords_lock_the_account_until_the_lock_ends_and_every_attempt_is_audited()
    {
        var factory = new CxoDbFactory(DatabaseLocation.Parse(await TestDatabases.NewDatabaseAsync("sqlite")));
        await factory.MigrateAsync();
        var now = new DateTime(2026, 11, 24, 9, 0, 0, DateTimeKind.Utc);
        var policy = new LockoutPolicy(3, TimeSpan.FromMinutes(15));
        var client = new AuditActor("?", "anonymous", "203.0.113.7");
        await using var db = factory.CreateDbContext();
        // Created from the command line: the interceptor records it; the counters of failures it does not.
        AuditContext.Current = new AuditActor("cli:root", "cli");
        var user = await UserAccounts.CreateAsync(db, "a", "lucia", Roles.Service, "correct horse battery", now);

        Assert.Equal(SignInOutcome.Failed, (await UserAccounts.SignInAsync(db, "lucia", "wrong 1", policy, client, now)).Outcome);
        Assert.Equal(SignInOutcome.Failed, (await UserAccounts.SignInAsync(db, "lucia", "wrong 2", policy, client, now)).Outcome);
        Assert.Equal(SignInOutcome.LockedOut, (await UserAccounts.SignInAsync(db, "lucia", "wrong 3", policy, client, now)).Outcome);
        // Locked: the right password is refused too, until the lock ends.
        Assert.Equal(SignInOutcome.LockedOut, (await UserAccounts.SignInAsync(db, "lucia", "correct horse battery", policy, client, now.AddMinutes(14))).Outcome);
        var signedIn = await UserAccounts.SignInAsync(db, "lucia", "correct horse battery", policy, client, now.AddMinutes(15).AddSeconds(1));
        Assert.Equal(SignInOutcome.SignedIn, signedIn.Outcome);
        Assert.Equal(user.Id, signedIn.User!.Id);
        Assert.Equal(SignInOutcome.Failed, (await UserAccounts.SignInAsync(db, "nobody", "whatever it is", policy, client, now)).Outcome);

        var actions = await db.AuditLog.OrderBy(a => a.Id).Select(a => new { a.Action, a.Target, a.Ip, a.ActorKind }).ToListAsync();
        Assert.Equal(
            ["config.user.create", "sign-in.failed", "sign-in.failed", "sign-in.failed", "account.lock", "sign-in.locked", "sign-in", "sign-in.failed"],
            actions.Select(a => a.Action).ToArray());
        Assert.All(actions.Where(a => a.Action.StartsWith("sign-in", StringComparison.Ordinal)), a => Assert.Equal("203.0.113.7", a.Ip));
        Assert.Equal("user", actions[6].ActorKind);
        Assert.Null(actions[^1].Target);

        // After a success the count starts again: two more failures do not lock.
        await UserAccounts.SignInAsync(db, "lucia", "wrong 4", policy, client, now.AddMinutes(20));
        await UserAccounts.SignInAsync(db, "lucia", "wrong 5", policy, client, now.AddMinutes(20));
        Assert.Equal(SignInOutcome.SignedIn, (await UserAccounts.SignInAsync(db, "lucia", "correct horse battery", policy, client, now.AddMinutes(20))).Outcome);
    }
}
