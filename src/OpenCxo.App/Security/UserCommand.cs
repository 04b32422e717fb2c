using System.CommandLine;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Security;

public static class UserCommand
{
    public static Command Create()
    {
        var name = new Option<string>("--name") { Description = "The name to sign in with", Required = true };
        var role = new Option<string>("--role") { Description = $"One of: {string.Join(", ", Roles.All)}", Required = true };
        var passwordStdin = new Option<bool>("--password-stdin")
        {
            Description = $"Read the password from standard input ({UserAccounts.MinPasswordLength} characters or more) instead of generating one",
        };
        var workspace = Cli.Cli.Workspace();
        var json = Cli.Cli.Json();
        var create = new Command("create", "Create a user of the web UI; a generated password is printed once") { name, role, passwordStdin, workspace, json };
        create.SetAction((result, cancellationToken) => Cli.Cli.RunAsync(async () =>
        {
            string? password = null;
            if (result.GetValue(passwordStdin))
            {
                password = (await Console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false))?.TrimEnd('\r');
                if (string.IsNullOrEmpty(password))
                {
                    return Cli.Cli.Usage("--password-stdin: standard input has no password");
                }
            }

            var factory = new CxoDbFactory(Cli.Cli.Database(result));
            await Cli.Cli.PrepareDatabaseAsync(factory, cancellationToken).ConfigureAwait(false);
            await using var db = factory.CreateDbContext();
            var user = await UserAccounts.CreateAsync(
                db, result.GetValue(workspace)!, result.GetValue(name)!, result.GetValue(role)!, password, DateTime.UtcNow, cancellationToken).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                Cli.Cli.WriteJson(new { user.Id, user.Name, user.Role, user.Workspace, Password = user.PasswordGenerated ? user.Password : null });
            }
            else
            {
                Console.Out.WriteLine($"User '{user.Name}' ({user.Role}) in workspace '{user.Workspace}'.");
                if (user.PasswordGenerated)
                {
                    Console.Out.WriteLine($"Password: {user.Password}");
                    Console.Out.WriteLine("Store it now: only its hash is kept.");
                }
            }

            return Cli.Cli.Ok;
        }));
        var unlockName = new Option<string>("--name") { Description = "The locked user", Required = true };
        var unlock = new Command("unlock", "Lift a lock-out after too many wrong passwords, before it ends by itself") { unlockName };
        unlock.SetAction((result, cancellationToken) => Cli.Cli.RunAsync(async () =>
        {
            var factory = new CxoDbFactory(Cli.Cli.Database(result));
            await Cli.Cli.PrepareDatabaseAsync(factory, cancellationToken).ConfigureAwait(false);
            await using var db = factory.CreateDbContext();
            var name = result.GetValue(unlockName)!;
            if (!await UserAccounts.UnlockAsync(db, name, cancellationToken).ConfigureAwait(false))
            {
                return Cli.Cli.Fail($"--name: no user '{name}'");
            }

            Console.Out.WriteLine($"User '{name.Trim()}' can sign in again.");
            return Cli.Cli.Ok;
        }));
        return new Command("user", "Manage users of the web UI") { create, unlock };
    }
}
