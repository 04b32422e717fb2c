using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.EntityFrameworkCore;
using OpenCxo.App.Web;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Security;

/// <summary>
/// Sign-in through an OpenID Connect provider (<c>Security:Oidc</c>): Entra ID, Okta, Keycloak, Google Workspace, …
/// Authorization code flow with PKCE; the provider says who the person is, OpenCXO decides what they may do.
/// </summary>
public sealed record OidcOptions
{
    /// <summary>The provider's issuer URL; its <c>/.well-known/openid-configuration</c> is read from there.</summary>
    public string? Authority { get; init; }

    public string? ClientId { get; init; }

    public string? ClientSecret { get; init; }

    /// <summary>The provider's name on the sign-in button ("Sign in with …").</summary>
    public string DisplayName { get; init; } = "single sign-on";

    /// <summary>The claim whose values name OpenCXO roles (admin, cxo, marketing, sales, service, viewer); the first known one wins.</summary>
    public string RoleClaim { get; init; } = "roles";

    /// <summary>The role of a person the provider names no role for; none (the default): such a person is not let in.</summary>
    public string? DefaultRole { get; init; }

    /// <summary>The workspace people who sign in this way belong to.</summary>
    public string Workspace { get; init; } = Workspaces.DefaultSlug;

    /// <summary>Metadata over HTTPS only; turn off only for a provider on localhost in development.</summary>
    public bool RequireHttpsMetadata { get; init; } = true;

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority) && !string.IsNullOrWhiteSpace(ClientId);
}

public static class SingleSignOn
{
    public const string Scheme = "oidc";

    /// <summary>Adds the OpenID Connect scheme when <c>Security:Oidc</c> names a provider; without one, sign-in is local only.</summary>
    public static IServiceCollection AddSingleSignOn(this IServiceCollection services, IConfiguration configuration)
    {
        var oidc = configuration.GetSection("Security:Oidc").Get<OidcOptions>() ?? new OidcOptions();
        if (!oidc.Enabled)
        {
            return services;
        }

        if (oidc.DefaultRole is { } role && !Roles.All.Contains(role))
        {
            throw new InvalidOperationException($"Security:Oidc:DefaultRole: unknown role '{role}' (known: {string.Join(", ", Roles.All)})");
        }

        services.AddAuthentication().AddOpenIdConnect(Scheme, oidc.DisplayName, o =>
        {
            o.Authority = oidc.Authority;
            o.ClientId = oidc.ClientId;
            o.ClientSecret = oidc.ClientSecret;
            o.ResponseType = "code";
            o.UsePkce = true;
            o.SignInScheme = SecurityExtensions.CookieScheme;
            o.CallbackPath = "/signin-oidc";
            o.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
            o.MapInboundClaims = false;
            o.SaveTokens = false;
            o.Scope.Clear();
            o.Scope.Add("openid");
            o.Scope.Add("profile");
            o.Scope.Add("email");

            o.Events.OnTokenValidated = context => SignedInAsync(context, oidc);
            o.Events.OnRemoteFailure = context =>
            {
                context.Response.Redirect("/login?sso=failed");
                context.HandleResponse();
                return Task.CompletedTask;
            };
        });
        return services;
    }

    /// <summary>The provider's answer checked (signature, issuer, audience, nonce): now the OpenCXO user it stands for.</summary>
    private static async Task SignedInAsync(TokenValidatedContext context, OidcOptions oidc)
    {
        var identity = context.Principal!;
        var subject = identity.FindFirst("sub");
        var http = context.HttpContext;
        var databases = http.RequestServices.GetRequiredService<CxoDbFactory>();
        var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        var roles = identity.FindAll(oidc.RoleClaim).Select(c => c.Value.Trim().ToLowerInvariant());
        var login = new ExternalLogin(
            subject?.Issuer ?? "?", subject?.Value ?? "",
            identity.FindFirstValue("preferred_username") ?? identity.FindFirstValue("email") ?? subject?.Value ?? "",
            roles.FirstOrDefault(Roles.All.Contains) ?? oidc.DefaultRole);
        await using var db = databases.CreateDbContext();
        var (user, failure) = await ResolveAsync(db, login, oidc.Workspace, AuditActors.Of(http), now, http.RequestAborted).ConfigureAwait(false);
        if (user is null)
        {
            context.Fail(failure!);
            return;
        }

        context.Principal = SecurityExtensions.PrincipalOf(user);
    }

    /// <summary>Who the provider says signed in: its issuer and subject, a name to show, and the role its claims give (if any).</summary>
    public sealed record ExternalLogin(string Issuer, string Subject, string Name, string? Role);

    /// <summary>
    /// The user linked to the provider's subject; a first sign-in creates one when a role is known (from the
    /// provider's claim or the default), and a role the provider names replaces the stored one. A disabled user, or
    /// a new person without a role, is refused. Every outcome is audited.
    /// </summary>
    public static async Task<(UserRow? User, string? Failure)> ResolveAsync(
        CxoDb db, ExternalLogin login, string workspaceSlug, AuditActor client, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(login);
        var external = Clip(login.Issuer, 300) + "|" + Clip(login.Subject, 200);
        var user = login.Subject.Length == 0 ? null : await db.Users.FirstOrDefaultAsync(u => u.ExternalId == external, ct).ConfigureAwait(false);
        var tried = new AuditActor(Clip(login.Name.Length == 0 ? "?" : login.Name, 100), "anonymous", client.Ip);
        string? failure = null;
        if (login.Subject.Length == 0)
        {
            failure = "the provider named no subject";
        }
        else if (user is { DisabledAt: not null })
        {
            failure = "disabled user";
        }
        else if (user is null && login.Role is null)
        {
            failure = "no OpenCXO role for this account";
        }

        if (failure is not null)
        {
            db.AuditLog.Add(AuditTrail.Entry(tried, user?.WorkspaceId, "sign-in.failed", user is null ? null : "user:" + user.Name, "single sign-on: " + failure, now));
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return (null, failure);
        }

        if (user is null)
        {
            var workspace = await Workspaces.GetOrCreateAsync(db, workspaceSlug, now, ct).ConfigureAwait(false);
            var name = await FreeNameAsync(db, login.Name, ct).ConfigureAwait(false);
            user = new UserRow
            {
                WorkspaceId = workspace.Id,
                Name = name,
                Role = login.Role!,
                // No password: this person signs in through the provider only (an empty hash never verifies).
                PasswordHash = "",
                SecurityStamp = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)),
                CreatedAt = now,
                ExternalId = external,
            };
            db.Users.Add(user);
            db.AuditLog.Add(AuditTrail.Entry(AuditActor.System, workspace.Id, "config.user.create", "user:" + name, $"first single sign-on, role {login.Role}", now));
        }
        else if (login.Role is { } role && role != user.Role)
        {
            db.AuditLog.Add(AuditTrail.Entry(AuditActor.System, user.WorkspaceId, "config.user.update", "user:" + user.Name, $"role {user.Role} → {role} from the provider", now));
            user.Role = role;
        }

        db.AuditLog.Add(AuditTrail.Entry(tried with { Name = user.Name, Kind = "user" }, user.WorkspaceId, "sign-in", "user:" + user.Name, "single sign-on", now));
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return (user, null);
    }

    /// <summary>A user name from the provider's, kept to the characters local names use, made unique with a number.</summary>
    private static async Task<string> FreeNameAsync(CxoDb db, string wanted, CancellationToken ct)
    {
        var name = new string([.. wanted.Trim().Where(c => char.IsLetterOrDigit(c) || c is '.' or '-' or '_' or '@')]);
        name = Clip(name.Length == 0 ? "sso-user" : name, 90);
        var candidate = name;
        for (var n = 2; await db.Users.AnyAsync(u => u.Name == candidate, ct).ConfigureAwait(false); n++)
        {
            candidate = name + "-" + n.ToString(CultureInfo.InvariantCulture);
        }

        return candidate;
    }

    private static string Clip(string text, int length) => text.Length <= length ? text : text[..length];

    /// <summary><c>GET /account/sso?returnUrl=</c>: off to the provider, back to the page asked for.</summary>
    public static IEndpointRouteBuilder MapSingleSignOn(this IEndpointRouteBuilder app)
    {
        app.MapGet("/account/sso", async (string? returnUrl, HttpContext http) =>
        {
            var schemes = http.RequestServices.GetRequiredService<IAuthenticationSchemeProvider>();
            if (await schemes.GetSchemeAsync(Scheme) is null)
            {
                return Results.NotFound();
            }

            return Results.Challenge(new AuthenticationProperties { RedirectUri = LocalUrl.OrNull(returnUrl) ?? "/" }, [Scheme]);
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
