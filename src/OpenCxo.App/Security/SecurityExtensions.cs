using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Security;

/// <summary>Sessions, lock-out, cookies and rate limits; bound from the <c>Security</c> configuration section.</summary>
public sealed record SecurityOptions
{
    /// <summary>A session ends this long after the last request (sliding).</summary>
    public TimeSpan SessionLifetime { get; init; } = TimeSpan.FromHours(8);

    /// <summary>Wrong passwords in a row that lock an account.</summary>
    public int LockoutAttempts { get; init; } = LockoutPolicy.Default.Attempts;

    /// <summary>How long a locked account stays locked.</summary>
    public TimeSpan LockoutDuration { get; init; } = LockoutPolicy.Default.Duration;

    /// <summary>
    /// Send the session cookie over HTTPS only. Off by default so that <c>http://localhost</c> works; turn it on
    /// wherever OpenCXO is reached over HTTPS (behind a proxy, with <see cref="ForwardedHeaders"/> too).
    /// </summary>
    public bool SecureCookies { get; init; }

    /// <summary>
    /// Take the client's address and scheme from <c>X-Forwarded-For</c>/<c>X-Forwarded-Proto</c>: only behind a
    /// proxy or load balancer that sets them, or any client could pose as any address.
    /// </summary>
    public bool ForwardedHeaders { get; init; }

    public RateLimitOptions RateLimits { get; init; } = new();

    /// <summary>Sign-in through an OpenID Connect provider, besides local users.</summary>
    public OidcOptions Oidc { get; init; } = new();

    public LockoutPolicy Lockout => new(LockoutAttempts, LockoutDuration);
}

public static class SecurityExtensions
{
    public const string CookieScheme = CookieAuthenticationDefaults.AuthenticationScheme;
    private const string EitherScheme = "ApiKeyOrCookie";
    public const string StampClaim = "stamp";

    /// <param name="keysFolder">Where the keys that encrypt session cookies live, so that sessions survive a restart.</param>
    public static IServiceCollection AddOpenCxoSecurity(this IServiceCollection services, string keysFolder)
    {
        services.AddOptions<SecurityOptions>().BindConfiguration("Security")
            .Validate(o => o.SessionLifetime > TimeSpan.Zero, "Security:SessionLifetime must be positive")
            .Validate(o => o.LockoutAttempts is >= 1 and <= 1000, "Security:LockoutAttempts must be between 1 and 1000")
            .Validate(o => o.LockoutDuration > TimeSpan.Zero, "Security:LockoutDuration must be positive")
            .Validate(o => o.RateLimits.Problem() is null, "Security:RateLimits: every limit must be positive")
            .ValidateOnStart();
        services.AddDataProtection().SetApplicationName("OpenCXO").PersistKeysToFileSystem(new DirectoryInfo(keysFolder));

        // API clients send a bearer key; people in a browser carry the session cookie.
        services.AddAuthentication(EitherScheme)
            .AddPolicyScheme(EitherScheme, null, o => o.ForwardDefaultSelector = http =>
                http.Request.Headers.Authorization.Count > 0 ? ApiKeyAuthenticationHandler.SchemeName : CookieScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddCookie(CookieScheme);
        services.AddOptions<CookieAuthenticationOptions>(CookieScheme)
            .Configure<Microsoft.Extensions.Options.IOptions<SecurityOptions>>((cookie, security) =>
            {
                cookie.Cookie.Name = ".OpenCxo.Session";
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.Cookie.SecurePolicy = security.Value.SecureCookies ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
                cookie.ExpireTimeSpan = security.Value.SessionLifetime;
                cookie.SlidingExpiration = true;
                cookie.LoginPath = "/login";
                cookie.AccessDeniedPath = "/forbidden";
                cookie.Events.OnValidatePrincipal = ValidateSessionAsync;
                cookie.Events.OnRedirectToLogin = context => RedirectUnlessApi(context, StatusCodes.Status401Unauthorized);
                cookie.Events.OnRedirectToAccessDenied = context => RedirectUnlessApi(context, StatusCodes.Status403Forbidden);
            });

        // One policy per scope; surveys:write implies surveys:read.
        var authorization = services.AddAuthorizationBuilder();
        foreach (var scope in Scopes.All)
        {
            authorization.AddPolicy(scope, p => p.RequireAssertion(c => HasScope(c.User, scope) || (scope == Scopes.SurveysRead && HasScope(c.User, Scopes.SurveysWrite))));
        }

        foreach (var (policy, roles) in UiPolicies.RolesOf)
        {
            authorization.AddPolicy(policy, p => p.AddAuthenticationSchemes(CookieScheme).RequireRole(roles));
        }

        services.AddHttpContextAccessor();
        services.AddScoped<Microsoft.AspNetCore.Components.Server.Circuits.CircuitHandler, AuditCircuitHandler>();
        services.AddSingleton<CustomerViewAudit>();
        services.AddOpenCxoRateLimits();
        return services;
    }

    /// <summary>The claims of a signed-in person: who, which role, which workspace, and the password generation.</summary>
    public static ClaimsPrincipal PrincipalOf(UserRow user) => new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, user.Id.ToString(CultureInfo.InvariantCulture)),
            new Claim(ClaimTypes.Name, user.Name),
            new Claim(ClaimTypes.Role, user.Role),
            new Claim(Scopes.WorkspaceClaim, user.WorkspaceId.ToString(CultureInfo.InvariantCulture)),
            new Claim(StampClaim, user.SecurityStamp),
        ],
        CookieScheme));

    private static bool HasScope(ClaimsPrincipal user, string scope) =>
        user.Identity?.IsAuthenticated == true && (user.HasClaim(Scopes.ClaimType, scope) || user.HasClaim(Scopes.ClaimType, Scopes.Admin));

    /// <summary>The workspace of the signed-in key or person: every query filters by it.</summary>
    public static long WorkspaceId(this ClaimsPrincipal user) =>
        long.Parse(user.FindFirstValue(Scopes.WorkspaceClaim) ?? throw new InvalidOperationException("no workspace claim"), CultureInfo.InvariantCulture);

    /// <summary>A session ends when its user is removed or disabled, changes role or gets a new password.</summary>
    private static async Task ValidateSessionAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        if (!long.TryParse(principal?.FindFirstValue(ClaimTypes.NameIdentifier), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            context.RejectPrincipal();
            return;
        }

        var databases = context.HttpContext.RequestServices.GetRequiredService<CxoDbFactory>();
        await using var db = databases.CreateDbContext();
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, context.HttpContext.RequestAborted).ConfigureAwait(false);
        if (user is null || user.DisabledAt is not null
            || user.SecurityStamp != principal!.FindFirstValue(StampClaim)
            || user.Role != principal.FindFirstValue(ClaimTypes.Role))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieScheme).ConfigureAwait(false);
        }
    }

    private static Task RedirectUnlessApi(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.StatusCode = status;
        }
        else
        {
            context.Response.Redirect(context.RedirectUri);
        }

        return Task.CompletedTask;
    }
}
