using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpenCxo.App.Security;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Tests.Cli;

/// <summary><c>cxo user create</c>: a generated password printed once, only its hash stored, bad input named.</summary>
public sealed class UserCliTests(CliSandbox sandbox) : IClassFixture<CliSandbox>
{
    private readonly CliSandbox _sandbox = sandbox;

    [Fact]
    public async Task Create_prints_a_password_that_verifies_against_the_stored_hash_only()
    {
        var output = (await _sandbox.RunAsync("user", "create", "--name", "lucia", "--role", "Service", "--json")).ShouldExit(0).Json();
        var password = output.GetProperty("password").GetString()!;
        Assert.Equal(20, password.Length);
        Assert.Equal("service", output.GetProperty("role").GetString());

        await using var db = _sandbox.Factory.CreateDbContext();
        var row = await db.Users.AsNoTracking().SingleAsync(u => u.Name == "lucia");
        Assert.DoesNotContain(password, row.PasswordHash, StringComparison.Ordinal);
        Assert.Equal(PasswordVerificationResult.Success, new PasswordHasher<UserRow>().VerifyHashedPassword(row, row.PasswordHash, password));
        Assert.NotNull(await UserAccounts.VerifyAsync(db, " lucia ", password));
        Assert.Null(await UserAccounts.VerifyAsync(db, "lucia", password + "x"));
        Assert.Null(await UserAccounts.VerifyAsync(db, "lucia", new string('a', 10_000)));
    }

    [Theory]
    [InlineData("role", "--name", "pablo", "--role", "superuser")]
    [InlineData("user name", "--name", "a b", "--role", "viewer")]
    [InlineData("user name", "--name", "<script>", "--role", "viewer")]
    public async Task Bad_input_is_refused_with_the_field_named(string field, params string[] args)
    {
        var result = (await _sandbox.RunAsync(["user", "create", .. args])).ShouldExit(2);
        Assert.Contains(field, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_taken_name_is_refused_and_the_first_user_keeps_their_password()
    {
        var first = (await _sandbox.RunAsync("user", "create", "--name", "marta", "--role", "sales", "--json")).ShouldExit(0).Json().GetProperty("password").GetString()!;
        var second = (await _sandbox.RunAsync("user", "create", "--name", "marta", "--role", "admin")).ShouldExit(2);
        Assert.Contains("exists already", second.Stderr, StringComparison.Ordinal);

        await using var db = _sandbox.Factory.CreateDbContext();
        var user = await UserAccounts.VerifyAsync(db, "marta", first);
        Assert.Equal("sales", user!.Role);
    }
}
