using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Security;

/// <summary>
/// Issues and checks API keys. A key is 32 random bytes (base64url) behind a readable prefix; only its SHA-256 is
/// stored, which is enough for a secret of that entropy (no slow hash needed), and a lost database leaks no key.
/// </summary>
public static class ApiKeyService
{
    public const string Prefix = "cxo_";

    public sealed record IssuedKey(long Id, string Name, string Key, string Workspace, IReadOnlyList<string> Scopes, DateTime? ExpiresAt = null);

    /// <summary>A key as listed: never the key itself, only its first characters to recognise it by.</summary>
    public sealed record KeyInfo(long Id, string Name, string Prefix, IReadOnlyList<string> Scopes, DateTime CreatedAt, DateTime? ExpiresAt, DateTime? RevokedAt, string State);

    /// <param name="expiresAt">After this instant the key is refused; null: it lasts until revoked.</param>
    public static async Task<IssuedKey> CreateAsync(
        CxoDb db, string workspaceSlug, string name, IReadOnlyList<string> scopes, DateTime now, DateTime? expiresAt = null, CancellationToken cancellationToken = default)
    {
        if (expiresAt is { } end && end <= now)
        {
            throw new ArgumentException("the expiry must be in the future", nameof(expiresAt));
        }

        var unknown = scopes.Where(s => !Scopes.All.Contains(s)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"unknown scope(s): {string.Join(", ", unknown)} (known: {string.Join(", ", Scopes.All)})", nameof(scopes));
        }

        if (scopes.Count == 0)
        {
            throw new ArgumentException("give at least one scope", nameof(scopes));
        }

        if (string.IsNullOrWhiteSpace(name) || name.Length > 200)
        {
            throw new ArgumentException("the key name must be 1 to 200 characters", nameof(name));
        }

        var workspace = await Workspaces.GetOrCreateAsync(db, workspaceSlug, now, cancellationToken).ConfigureAwait(false);
        var key = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var row = new ApiKey
        {
            WorkspaceId = workspace.Id,
            Name = name,
            KeyHash = Hash(key),
            KeyPrefix = key[..12],
            Scopes = string.Join(' ', scopes.Distinct()),
            CreatedAt = now,
            ExpiresAt = expiresAt,
        };
        db.ApiKeys.Add(row);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return new IssuedKey(row.Id, name, key, workspace.Slug, [.. scopes.Distinct()], expiresAt);
    }

    /// <summary>The workspace's keys, newest first, each with its state at <paramref name="now"/>: active, expired or revoked.</summary>
    public static async Task<IReadOnlyList<KeyInfo>> ListAsync(CxoDb db, long workspaceId, DateTime now, CancellationToken cancellationToken = default)
    {
        var rows = await db.ApiKeys.AsNoTracking().Where(k => k.WorkspaceId == workspaceId).OrderByDescending(k => k.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.Select(k => new KeyInfo(
            k.Id, k.Name, k.KeyPrefix, k.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries), k.CreatedAt, k.ExpiresAt, k.RevokedAt,
            k.RevokedAt is not null ? "revoked" : k.ExpiresAt <= now ? "expired" : "active")).ToList();
    }

    /// <summary>Revokes one key by its id; false when the workspace has no such live key.</summary>
    public static async Task<bool> RevokeAsync(CxoDb db, long workspaceId, long id, DateTime now, CancellationToken cancellationToken = default)
    {
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.WorkspaceId == workspaceId && k.Id == id && k.RevokedAt == null, cancellationToken).ConfigureAwait(false);
        if (key is null)
        {
            return false;
        }

        key.RevokedAt = now;
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        ApiKeyAuthenticationHandler.ClearCache();
        return true;
    }

    /// <summary>Revokes every live key of the workspace with this name (used to rotate the demo key).</summary>
    public static async Task<int> RevokeByNameAsync(CxoDb db, long workspaceId, string name, DateTime now, CancellationToken cancellationToken = default)
    {
        var keys = await db.ApiKeys.Where(k => k.WorkspaceId == workspaceId && k.Name == name && k.RevokedAt == null).ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var key in keys)
        {
            key.RevokedAt = now;
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return keys.Count;
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
