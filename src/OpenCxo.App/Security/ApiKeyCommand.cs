using System.CommandLine;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Security;

public static class ApiKeyCommand
{
    public static Command Create()
    {
        var name = new Option<string>("--name") { Description = "A name to recognise the key by", Required = true };
        var scopes = new Option<string>("--scopes") { Description = $"Comma-separated: {string.Join(", ", Scopes.All)}", Required = true };
        var workspace = Cli.Cli.Workspace();
        var json = Cli.Cli.Json();
        var create = new Command("create", "Create an API key; it is printed once and only its hash is stored") { name, scopes, workspace, json };
        create.SetAction((result, cancellationToken) => Cli.Cli.RunAsync(async () =>
        {
            var factory = new CxoDbFactory(Cli.Cli.Database(result));
            await Cli.Cli.PrepareDatabaseAsync(factory, cancellationToken).ConfigureAwait(false);
            await using var db = factory.CreateDbContext();
            var list = result.GetValue(scopes)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var key = await ApiKeyService.CreateAsync(db, result.GetValue(workspace)!, result.GetValue(name)!, list, DateTime.UtcNow, cancellationToken).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                Cli.Cli.WriteJson(new { key.Id, key.Name, key.Key, key.Workspace, key.Scopes });
            }
            else
            {
                Console.Out.WriteLine($"API key '{key.Name}' for workspace '{key.Workspace}' with scopes {string.Join(", ", key.Scopes)}:");
                Console.Out.WriteLine(key.Key);
                Console.Out.WriteLine("Store it now: it is not shown again.");
            }

            return Cli.Cli.Ok;
        }));
        return new Command("apikey", "Manage API keys") { create };
    }
}
