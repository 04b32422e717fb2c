using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Security;

/// <summary>
/// <c>Authorization: Bearer cxo_…</c>: looks the key's hash up (cached for a few seconds, so revocation takes
/// effect within <see cref="CacheFor"/>) and signs the request in as the key's workspace with its scopes.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    CxoDbFactory databases,
    TimeProvider time) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);
    private static readonly ConcurrentDictionary<string, (ApiKey? Key, DateTime Until)> Cache = new();

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("Authorization must be 'Bearer <api key>'");
        }

        var key = header["Bearer ".Length..].Trim();
        if (!key.StartsWith(ApiKeyService.Prefix, StringComparison.Ordinal) || key.Length > 100)
        {
            return AuthenticateResult.Fail("not an OpenCXO API key");
        }

        var hash = ApiKeyService.Hash(key);
        var now = time.GetUtcNow().UtcDateTime;
        if (!Cache.TryGetValue(hash, out var cached) || cached.Until < now)
        {
            await using var db = databases.CreateDbContext();
            var row = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.KeyHash == hash, Context.RequestAborted).ConfigureAwait(false);
            cached = (row, now + CacheFor);
            if (Cache.Count > 10_000)
            {
                Cache.Clear();
            }

            Cache[hash] = cached;
        }

        if (cached.Key is not { } apiKey || apiKey.RevokedAt is not null)
        {
            return AuthenticateResult.Fail("unknown or revoked API key");
        }

        if (apiKey.ExpiresAt is { } expires && expires <= now)
        {
            return AuthenticateResult.Fail("expired API key");
        }

        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, apiKey.Name),
            new(Scopes.WorkspaceClaim, apiKey.WorkspaceId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        claims.AddRange(apiKey.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => new Claim(Scopes.ClaimType, s)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    /// <summary>Forget cached look-ups (after a key is revoked in this process).</summary>
    public static void ClearCache() => Cache.Clear();
}
