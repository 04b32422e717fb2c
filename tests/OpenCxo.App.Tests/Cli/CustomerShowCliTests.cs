using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenCxo.Core.Profiles;

namespace OpenCxo.App.Tests.Cli;

/// <summary>A sandbox (database <c>data/shop.db</c>) into which <c>cxo import events</c> has imported <see cref="SampleEvents"/>.</summary>
public sealed class ImportedSandbox : IAsyncLifetime
{
    public CliSandbox Sandbox { get; } = CliSandbox.WithDatabaseAt(Path.Combine("data", "shop.db"));

    public long AnaId { get; private set; }

    public async Task InitializeAsync()
    {
        Sandbox.WriteFile("events.jsonl", SampleEvents.Lines);
        (await Sandbox.RunAsync("import", "events", "events.jsonl")).ShouldExit(0);
        await using var db = Sandbox.Factory.CreateDbContext();
        AnaId = await db.Identities.Where(i => i.Kind == IdentityKey.EmailKind && i.Value == SampleEvents.AnaEmail).Select(i => i.CustomerId).SingleAsync();
    }

    public Task DisposeAsync()
    {
        Sandbox.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>One import for the customer and analytics verbs that read it: a process start is the expensive part.</summary>
[CollectionDefinition(Name)]
public sealed class ImportedSandboxGroup : ICollectionFixture<ImportedSandbox>
{
    public const string Name = "cxo with the sample imported";
}

/// <summary><c>cxo customer show EMAIL|PHONE|system:ID|ID [--json]</c> after an import.</summary>
[Collection(ImportedSandboxGroup.Name)]
public sealed class CustomerShowCliTests(ImportedSandbox imported)
{
    private readonly CliSandbox _sandbox = imported.Sandbox;

    [Fact]
    public async Task By_email_json_prints_the_profile_and_the_recent_timeline_newest_first()
    {
        var output = (await _sandbox.RunAsync("customer", "show", "ANA@example.com ", "--json")).ShouldExit(0).Json();

        Assert.Equal(["profile", "recent"], output.EnumerateObject().Select(p => p.Name));
        var profile = output.GetProperty("profile");
        Assert.Equal(imported.AnaId, profile.GetProperty("id").GetInt64());
        Assert.Equal([SampleEvents.AnaEmail], Strings(profile.GetProperty("emails")));
        Assert.Equal([SampleEvents.AnaPhone], Strings(profile.GetProperty("phones")));
        Assert.Equal(["C-1"], Strings(profile.GetProperty("externalIds").GetProperty("crm")));
        Assert.Equal("Ana", profile.GetProperty("attributes").GetProperty("name").GetString());
        Assert.Equal(2, profile.GetProperty("touchpoints").GetProperty("total").GetInt64());
        Assert.Equal(1, profile.GetProperty("touchpoints").GetProperty("byDepartment").GetProperty("service").GetInt64());
        Assert.Equal(12.5m, profile.GetProperty("lifetimeValue")[0].GetProperty("net").GetDecimal());
        Assert.Equal("2026-03-01T10:00:00Z", profile.GetProperty("firstSeen").GetString());
        var recent = output.GetProperty("recent").EnumerateArray().ToList();
        Assert.Equal(["e2", "e1"], recent.Select(e => e.GetProperty("id").GetString()));
        Assert.Equal("Llamé a las 3 de la mañana", recent[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task By_phone_and_by_crm_id_it_is_the_same_customer()
    {
        string[] queries = ["+34 600 111 222", "crm:C-1"];

        var results = await Task.WhenAll(queries.Select(q => _sandbox.RunAsync("customer", "show", q, "--json", "--recent", "1")));

        foreach (var result in results)
        {
            var output = result.ShouldExit(0).Json();
            Assert.Equal(imported.AnaId, output.GetProperty("profile").GetProperty("id").GetInt64());
            Assert.Equal(["e2"], output.GetProperty("recent").EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        }
    }

    [Fact]
    public async Task By_customer_id_without_json_prints_a_readable_profile()
    {
        var id = imported.AnaId.ToString(CultureInfo.InvariantCulture);

        var result = (await _sandbox.RunOnceAsync("customer", "show", id)).ShouldExit(0);

        Assert.False(result.Stdout.TrimStart().StartsWith('{'), result.ToString());
        foreach (var expected in new[] { $"Ana (id {id})", SampleEvents.AnaEmail, SampleEvents.AnaPhone, "crm:C-1", "2: sales 1, service 1", "12.50 EUR", "When (UTC)" })
        {
            result.ShouldPrint(expected);
        }

        Assert.DoesNotContain("\u001b[", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_customer_exits_1_naming_what_was_asked()
    {
        var result = (await _sandbox.RunAsync("customer", "show", "nobody@example.com", "--json")).ShouldExit(1);

        Assert.Contains("no customer matches 'nobody@example.com'", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    /// <summary>
    /// Bug: a phone number typed as digits only, the way people write national numbers ("600111222" in Spain, the
    /// default region), is taken for a customer id, and 'customer show' answers "no customer matches".
    /// </summary>
    [Fact]
    public async Task A_national_phone_number_written_as_digits_finds_the_customer()
    {
        var result = await _sandbox.RunAsync("customer", "show", "600111222", "--json");

        Assert.Equal(imported.AnaId, result.ShouldExit(0).Json().GetProperty("profile").GetProperty("id").GetInt64());
    }

    /// <summary>
    /// Bug: piped or redirected (| grep, > file), the table is laid out for 80 columns and breaks values inside
    /// words ("ticket.opene" / "d"), so 'cxo customer show X | grep ticket.opened' finds nothing.
    /// </summary>
    [Fact]
    public async Task Redirected_output_keeps_each_touchpoint_type_and_time_whole()
    {
        var result = (await _sandbox.RunOnceAsync("customer", "show", imported.AnaId.ToString(CultureInfo.InvariantCulture))).ShouldExit(0);

        result.ShouldPrint("ticket.opened").ShouldPrint("2026-03-02 10:00");
    }

    private static IEnumerable<string?> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString());
}
