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

    public sealed record IssuedKey(long Id, string Name, string Key, string Workspace, IReadOnlyList<string> Scopes);

    public static async Task<IssuedKey> CreateAsync(CxoDb db, string workspaceSlug, string name, IReadOnlyList<string> scopes, DateTime now, CancellationToken cancellationToken = default)
    {
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
        };
        db.ApiKeys.Add(row);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return new IssuedKey(row.Id, name, key, workspace.Slug, [.. scopes.Distinct()]);
    }

    /// <summary>Revokes every live key of the workspace with this name (used to rotate the demo key).</summary>
    public static Task<int> RevokeByNameAsync(CxoDb db, long workspaceId, string name, DateTime now, CancellationToken cancellationToken = default) =>
        db.ApiKeys.Where(k => k.WorkspaceId == workspaceId && k.Name == name && k.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, now), cancellationToken);

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
