using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Security;

/// <summary>
/// People who sign in to the web UI. Passwords are hashed with ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/>
/// (PBKDF2-HMAC-SHA512, 100,000 iterations, per-user salt); only the hash is stored.
/// </summary>
public enum SignInOutcome
{
    SignedIn,
    Failed,
    LockedOut,
}

public sealed record SignInAttempt(UserRow? User, SignInOutcome Outcome);

/// <summary>How many wrong passwords in a row lock an account, and for how long.</summary>
public sealed record LockoutPolicy(int Attempts, TimeSpan Duration)
{
    public static readonly LockoutPolicy Default = new(5, TimeSpan.FromMinutes(15));
}

public static class UserAccounts
{
    public const int MinPasswordLength = 12;
    public const int MaxPasswordLength = 200;

    private static readonly PasswordHasher<UserRow> Hasher = new();

    // Hashed once so that a sign-in with an unknown name costs as much as one with a wrong password.
    private static readonly string UnknownUserHash = Hasher.HashPassword(null!, "no user has this password");

    public sealed record CreatedUser(long Id, string Name, string Role, string Workspace, string Password, bool PasswordGenerated);

    /// <exception cref="ArgumentException">The name, role or password is not acceptable, or the name is taken.</exception>
    public static async Task<CreatedUser> CreateAsync(
        CxoDb db, string workspaceSlug, string name, string role, string? password, DateTime now, CancellationToken cancellationToken = default)
    {
        name = ValidName(name);
        role = ValidRole(role);
        var generated = password is null;
        password ??= GeneratePassword();
        ValidatePassword(password);
        if (await db.Users.AnyAsync(u => u.Name == name, cancellationToken).ConfigureAwait(false))
        {
            throw new ArgumentException($"a user named '{name}' exists already", nameof(name));
        }

        var workspace = await Workspaces.GetOrCreateAsync(db, workspaceSlug, now, cancellationToken).ConfigureAwait(false);
        var user = new UserRow
        {
            WorkspaceId = workspace.Id,
            Name = name,
            Role = role,
            PasswordHash = "",
            SecurityStamp = NewStamp(),
            CreatedAt = now,
        };
        user.PasswordHash = Hasher.HashPassword(user, password);
        db.Users.Add(user);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return new CreatedUser(user.Id, name, role, workspace.Slug, password, generated);
    }

    /// <summary>Sets a new password (generated when none is given) and ends the user's existing sessions.</summary>
    /// <returns>The password now in force, or null when there is no such user.</returns>
    public static async Task<string?> ResetPasswordAsync(CxoDb db, string name, string? password, CancellationToken cancellationToken = default)
    {
        password ??= GeneratePassword();
        ValidatePassword(password);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Name == name.Trim(), cancellationToken).ConfigureAwait(false);
        if (user is null)
        {
            return null;
        }

        user.PasswordHash = Hasher.HashPassword(user, password);
        user.SecurityStamp = NewStamp();
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return password;
    }

    /// <summary>The user with this name and password, or null; see <see cref="SignInAsync"/>.</summary>
    public static async Task<UserRow?> VerifyAsync(CxoDb db, string name, string password, CancellationToken cancellationToken = default) =>
        (await SignInAsync(db, name, password, LockoutPolicy.Default, AuditActor.System, DateTime.UtcNow, cancellationToken).ConfigureAwait(false)).User;

    /// <summary>
    /// Checks a sign-in and writes its outcome to the audit log in the same transaction. After
    /// <see cref="LockoutPolicy.Attempts"/> wrong passwords in a row an account is locked for
    /// <see cref="LockoutPolicy.Duration"/>: even the right password is refused until then, and the answer is the same
    /// as for a wrong one, so that a guesser learns nothing. An outdated hash format is upgraded on the way.
    /// </summary>
    /// <param name="client">Where the attempt came from (its name is replaced by the name tried).</param>
    public static async Task<SignInAttempt> SignInAsync(
        CxoDb db, string name, string password, LockoutPolicy policy, AuditActor client, DateTime now, CancellationToken cancellationToken = default)
    {
        var trimmed = name.Trim();
        var user = trimmed.Length is 0 or > 100 || password.Length > MaxPasswordLength
            ? null
            : await db.Users.FirstOrDefaultAsync(u => u.Name == trimmed, cancellationToken).ConfigureAwait(false);
        var tried = new AuditActor(trimmed.Length == 0 ? "?" : trimmed, "anonymous", client.Ip);
        if (user is null || user.DisabledAt is not null)
        {
            Hasher.VerifyHashedPassword(null!, UnknownUserHash, password);
            db.AuditLog.Add(AuditTrail.Entry(tried, user?.WorkspaceId, "sign-in.failed", user is null ? null : "user:" + user.Name,
                user is null ? "unknown user" : "disabled user", now));
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return new SignInAttempt(null, SignInOutcome.Failed);
        }

        var target = "user:" + user.Name;
        if (user.LockedUntil is { } until && until > now)
        {
            Hasher.VerifyHashedPassword(null!, UnknownUserHash, password);
            db.AuditLog.Add(AuditTrail.Entry(tried, user.WorkspaceId, "sign-in.locked", target, "locked until " + until.ToString("u", CultureInfo.InvariantCulture), now));
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return new SignInAttempt(null, SignInOutcome.LockedOut);
        }

        var result = Hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (result == PasswordVerificationResult.Failed)
        {
            user.FailedSignIns++;
            var locks = user.FailedSignIns >= policy.Attempts;
            db.AuditLog.Add(AuditTrail.Entry(tried, user.WorkspaceId, "sign-in.failed", target, "wrong password", now));
            if (locks)
            {
                user.FailedSignIns = 0;
                user.LockedUntil = now + policy.Duration;
                db.AuditLog.Add(AuditTrail.Entry(AuditActor.System, user.WorkspaceId, "account.lock", target,
                    $"{policy.Attempts} wrong passwords in a row; locked until {user.LockedUntil.Value.ToString("u", CultureInfo.InvariantCulture)}", now));
            }

            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return new SignInAttempt(null, locks ? SignInOutcome.LockedOut : SignInOutcome.Failed);
        }

        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = Hasher.HashPassword(user, password);
        }

        user.FailedSignIns = 0;
        user.LockedUntil = null;
        db.AuditLog.Add(AuditTrail.Entry(tried with { Kind = "user" }, user.WorkspaceId, "sign-in", target, null, now));
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return new SignInAttempt(user, SignInOutcome.SignedIn);
    }

    /// <summary>Lifts a lock-out at once (an admin's act) and clears the count of failures.</summary>
    /// <returns>False when there is no such user.</returns>
    public static async Task<bool> UnlockAsync(CxoDb db, string name, CancellationToken cancellationToken = default)
    {
        var user = await db.Users.FirstOrDefaultAsync(u => u.Name == name.Trim(), cancellationToken).ConfigureAwait(false);
        if (user is null)
        {
            return false;
        }

        user.FailedSignIns = 0;
        user.LockedUntil = null;
        db.AuditLog.Add(AuditTrail.Entry(AuditContext.Current ?? AuditActor.System, user.WorkspaceId, "account.unlock", "user:" + user.Name, null, DateTime.UtcNow));
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>20 characters from a 55-symbol alphabet without look-alikes (0/O, 1/l/I): about 115 bits.</summary>
    public static string GeneratePassword()
    {
        const string alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return RandomNumberGenerator.GetString(alphabet, 20);
    }

    private static string ValidName(string name)
    {
        var trimmed = name.Trim();
        if (trimmed.Length is 0 or > 100 || !trimmed.All(c => char.IsLetterOrDigit(c) || c is '.' or '-' or '_' or '@'))
        {
            throw new ArgumentException("a user name is 1 to 100 letters, digits, '.', '-', '_' or '@'", nameof(name));
        }

        return trimmed;
    }

    private static string ValidRole(string role)
    {
        var normalised = role.Trim().ToLowerInvariant();
        if (!Roles.All.Contains(normalised))
        {
            throw new ArgumentException($"unknown role '{role}' (known: {string.Join(", ", Roles.All)})", nameof(role));
        }

        return normalised;
    }

    private static void ValidatePassword(string password)
    {
        if (password.Length is < MinPasswordLength or > MaxPasswordLength)
        {
            throw new ArgumentException($"a password is {MinPasswordLength} to {MaxPasswordLength} characters", nameof(password));
        }
    }

    private static string NewStamp() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
}
