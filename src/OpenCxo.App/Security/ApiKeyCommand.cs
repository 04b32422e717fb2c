using System.CommandLine;
using System.Globalization;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Security;

public static class ApiKeyCommand
{
    public static Command Create() => new("apikey", "Manage API keys: create (with scopes and an expiry), list, revoke") { CreateKey(), ListKeys(), RevokeKey() };

    private static Command CreateKey()
    {
        var name = new Option<string>("--name") { Description = "A name to recognise the key by", Required = true };
        var scopes = new Option<string>("--scopes") { Description = $"Comma-separated: {string.Join(", ", Scopes.All)}", Required = true };
        var expires = new Option<string?>("--expires") { Description = "When the key stops working: a number of days (90d) or a day (yyyy-MM-dd, UTC midnight); default: never" };
        var workspace = Cli.Cli.Workspace();
        var json = Cli.Cli.Json();
        var create = new Command("create", "Create an API key; it is printed once and only its hash is stored") { name, scopes, expires, workspace, json };
        create.SetAction((result, cancellationToken) => Cli.Cli.RunAsync(async () =>
        {
            var now = DateTime.UtcNow;
            var expiresAt = ParseExpiry(result.GetValue(expires), now);
            var factory = new CxoDbFactory(Cli.Cli.Database(result));
            await Cli.Cli.PrepareDatabaseAsync(factory, cancellationToken).ConfigureAwait(false);
            await using var db = factory.CreateDbContext();
            var list = result.GetValue(scopes)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var key = await ApiKeyService.CreateAsync(db, result.GetValue(workspace)!, result.GetValue(name)!, list, now, expiresAt, cancellationToken).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                Cli.Cli.WriteJson(new { key.Id, key.Name, key.Key, key.Workspace, key.Scopes, key.ExpiresAt });
            }
            else
            {
                var until = key.ExpiresAt is { } end ? $", valid until {end.ToString("u", CultureInfo.InvariantCulture)}" : "";
                Console.Out.WriteLine($"API key '{key.Name}' (id {key.Id}) for workspace '{key.Workspace}' with scopes {string.Join(", ", key.Scopes)}{until}:");
                Console.Out.WriteLine(key.Key);
                Console.Out.WriteLine("Store it now: it is not shown again.");
            }

            return Cli.Cli.Ok;
        }));
        return create;
    }

    private static Command ListKeys()
    {
        var workspace = Cli.Cli.Workspace();
        var json = Cli.Cli.Json();
        var list = new Command("list", "The workspace's keys (never the keys themselves): id, name, first characters, scopes, state") { workspace, json };
        list.SetAction((result, cancellationToken) => Cli.Cli.RunAsync(async () =>
        {
            var (_, factory, found) = await Cli.Cli.WorkspaceAsync(result, workspace, cancellationToken).ConfigureAwait(false);
            if (found is not { } workspaceId)
            {
                return Cli.Cli.Fail($"no workspace '{result.GetValue(workspace)}'");
            }

            await using var db = factory.CreateDbContext();
            var keys = await ApiKeyService.ListAsync(db, workspaceId, DateTime.UtcNow, cancellationToken).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                Cli.Cli.WriteJson(keys);
                return Cli.Cli.Ok;
            }

            foreach (var k in keys)
            {
                var expiry = k.ExpiresAt is { } end ? end.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "never";
                Console.Out.WriteLine($"{k.Id,6}  {k.State,-8}  {k.Prefix}…  {k.Name}  [{string.Join(' ', k.Scopes)}]  expires {expiry}");
            }

            Console.Out.WriteLine($"{keys.Count} key(s).");
            return Cli.Cli.Ok;
        }));
        return list;
    }

    private static Command RevokeKey()
    {
        var id = new Option<long>("--id") { Description = "The key's id, as 'apikey list' shows it", Required = true };
        var workspace = Cli.Cli.Workspace();
        var revoke = new Command("revoke", "Revoke a key: it is refused from then on (by a running server within 10 seconds)") { id, workspace };
        revoke.SetAction((result, cancellationToken) => Cli.Cli.RunAsync(async () =>
        {
            var (_, factory, found) = await Cli.Cli.WorkspaceAsync(result, workspace, cancellationToken).ConfigureAwait(false);
            if (found is not { } workspaceId)
            {
                return Cli.Cli.Fail($"no workspace '{result.GetValue(workspace)}'");
            }

            await using var db = factory.CreateDbContext();
            var keyId = result.GetValue(id);
            if (!await ApiKeyService.RevokeAsync(db, workspaceId, keyId, DateTime.UtcNow, cancellationToken).ConfigureAwait(false))
            {
                return Cli.Cli.Fail($"--id: workspace '{result.GetValue(workspace)}' has no live key {keyId}");
            }

            Console.Out.WriteLine($"Key {keyId} revoked.");
            return Cli.Cli.Ok;
        }));
        return revoke;
    }

    /// <summary><c>90d</c> from now, or a day's UTC midnight.</summary>
    /// <exception cref="ArgumentException">Neither form, or not in the future.</exception>
    public static DateTime? ParseExpiry(string? text, DateTime now)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        text = text.Trim();
        if (text.EndsWith('d') && int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days is >= 1 and <= 3650)
        {
            return now.AddDays(days);
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) && day.Year <= 2200
            && day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) > now)
        {
            return day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        }

        throw new ArgumentException($"--expires: '{text}' is neither a number of days from 1 to 3650 (90d) nor a future day (yyyy-MM-dd)");
    }
}
