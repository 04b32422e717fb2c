using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Web;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using OpenCxo.App.Security;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Tests.Api;

/// <summary>
/// Issue 9: sign-in through OpenID Connect, the authorization code flow with PKCE, step by step as a browser makes
/// it. The identity provider is played by the test: its metadata is given to the server and its token endpoint
/// answers the server's back-channel request, checking the client secret and the PKCE verifier, with an ID token
/// signed by the provider's RSA key. Everything on OpenCXO's side is the real handler and the real database.
/// </summary>
public sealed class SingleSignOnTests
{
    private const string Issuer = "https://idp.example";
    private const string ClientId = "opencxo";
    private const string ClientSecret = "s3cret-for-tests";

    private sealed class Provider : HttpMessageHandler
    {
        public RsaSecurityKey Key { get; } = new(RSA.Create(2048)) { KeyId = "k1" };

        /// <summary>The claims the next token carries, beside iss, aud, sub, nonce and the times.</summary>
        public Dictionary<string, object> Claims { get; set; } = [];

        public string Subject { get; set; } = "u-1";

        public SigningCredentials? SignWith { get; set; }

        public string? Challenge { get; set; }

        public string? Nonce { get; set; }

        public int TokenRequests { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Assert.Equal(Issuer + "/token", request.RequestUri!.ToString());
            TokenRequests++;
            var form = HttpUtility.ParseQueryString(await request.Content!.ReadAsStringAsync(cancellationToken));
            var secret = form["client_secret"] ?? Encoding.UTF8.GetString(Convert.FromBase64String(request.Headers.Authorization?.Parameter ?? "")).Split(':').Last();
            var verifier = form["code_verifier"]!;
            if (secret != ClientSecret || form["code"] != "the-code" || Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))) != Challenge)
            {
                return new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StringContent("{\"error\":\"invalid_grant\"}", Encoding.UTF8, "application/json") };
            }

            var now = DateTime.UtcNow;
            var claims = new Dictionary<string, object>(Claims) { ["sub"] = Subject, ["nonce"] = Nonce! };
            var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Issuer = Issuer, Audience = ClientId, IssuedAt = now, NotBefore = now, Expires = now.AddMinutes(5), Claims = claims,
                SigningCredentials = SignWith ?? new SigningCredentials(Key, SecurityAlgorithms.RsaSha256),
            });
            var body = new JsonObject { ["id_token"] = token, ["access_token"] = "at", ["token_type"] = "Bearer", ["expires_in"] = 300 };
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        }
    }

    private static Task<ApiHost> StartAsync(Provider provider, string? defaultRole = null) =>
        ApiHost.StartAsync("sqlite", new Dictionary<string, string?>
        {
            ["Security:Oidc:Authority"] = Issuer, ["Security:Oidc:ClientId"] = ClientId, ["Security:Oidc:ClientSecret"] = ClientSecret,
            ["Security:Oidc:DisplayName"] = "Example ID", ["Security:Oidc:DefaultRole"] = defaultRole,
        }, b => b.Services.PostConfigure<OpenIdConnectOptions>(SingleSignOn.Scheme, o =>
        {
            var metadata = new OpenIdConnectConfiguration { Issuer = Issuer, AuthorizationEndpoint = Issuer + "/authorize", TokenEndpoint = Issuer + "/token" };
            metadata.SigningKeys.Add(provider.Key);
            o.Configuration = metadata;
            o.Backchannel = new HttpClient(provider);
        }));

    /// <summary>The browser's trip: to the provider (which the test plays), back with a code, and the answer OpenCXO gives.</summary>
    private static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, Provider provider, string returnUrl = "/cxo")
    {
        var start = await browser.GetAsync("/account/sso?returnUrl=" + Uri.EscapeDataString(returnUrl));
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var authorize = start.Headers.Location!;
        Assert.StartsWith(Issuer + "/authorize?", authorize.ToString(), StringComparison.Ordinal);
        var query = HttpUtility.ParseQueryString(authorize.Query);
        Assert.Equal(ClientId, query["client_id"]);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        provider.Challenge = query["code_challenge"];
        provider.Nonce = query["nonce"];
        return await browser.PostAsync(new Uri(query["redirect_uri"]!).PathAndQuery, new FormUrlEncodedContent([new("code", "the-code"), new("state", query["state"]!)]));
    }

    [Fact]
    public async Task A_person_with_a_role_from_the_provider_signs_in_and_gets_a_session_of_that_role()
    {
        var provider = new Provider { Claims = { ["preferred_username"] = "lucia@example.com", ["roles"] = new[] { "staff", "Marketing" } } };
        await using var host = await StartAsync(provider);
        var cookies = new CookieContainer();
        var browser = host.BrowserClient(cookies);

        var login = await browser.GetStringAsync("/login");
        Assert.Contains("Sign in with Example ID", login, StringComparison.Ordinal);
        var back = await SignInAsync(browser, provider, "/marketing");
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        Assert.Equal("/marketing", back.Headers.Location!.OriginalString);
        Assert.Equal(1, provider.TokenRequests);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/marketing")).StatusCode);
        var forbidden = await browser.GetAsync("/admin");
        Assert.Contains("/forbidden", forbidden.Headers.Location!.OriginalString, StringComparison.Ordinal);

        await using (var db = host.Factory.CreateDbContext())
        {
            var user = await db.Users.SingleAsync();
            Assert.Equal("lucia@example.com", user.Name);
            Assert.Equal(Roles.Marketing, user.Role);
            Assert.Equal(Issuer + "|u-1", user.ExternalId);
            Assert.Equal(["config.user.create", "sign-in"], await db.AuditLog.OrderBy(a => a.Id).Select(a => a.Action).ToArrayAsync());
            // No password: the local form cannot sign this person in.
            Assert.Null(await UserAccounts.VerifyAsync(db, "lucia@example.com", ""));
        }

        // Next time the provider says cxo: the same user, with the new role.
        provider.Claims["roles"] = "cxo";
        var again = host.BrowserClient(new CookieContainer());
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(again, provider)).StatusCode);
        await using (var db = host.Factory.CreateDbContext())
        {
            Assert.Equal(Roles.Cxo, (await db.Users.SingleAsync()).Role);
        }

        // The first browser's session carried the old role: it ends.
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/marketing")).StatusCode);
    }

    [Fact]
    public async Task Without_a_role_a_forged_signature_or_a_disabled_user_nobody_is_let_in()
    {
        var provider = new Provider { Claims = { ["preferred_username"] = "mallory" } };
        await using var host = await StartAsync(provider);

        // No role from the provider and no default role.
        var browser = host.BrowserClient(new CookieContainer());
        var refused = await SignInAsync(browser, provider);
        Assert.Equal("/login?sso=failed", refused.Headers.Location!.OriginalString);
        Assert.Contains("did not let you in", await browser.GetStringAsync("/login?sso=failed"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/cxo")).StatusCode);

        // A token signed with another key.
        provider.Claims["roles"] = "admin";
        provider.SignWith = new SigningCredentials(new RsaSecurityKey(RSA.Create(2048)) { KeyId = "k1" }, SecurityAlgorithms.RsaSha256);
        var forged = host.BrowserClient(new CookieContainer());
        Assert.Equal("/login?sso=failed", (await SignInAsync(forged, provider)).Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await forged.GetAsync("/admin")).StatusCode);

        // The right key: in; then disabled: out.
        provider.SignWith = null;
        var good = host.BrowserClient(new CookieContainer());
        Assert.Equal("/cxo", (await SignInAsync(good, provider)).Headers.Location!.OriginalString);
        await using (var db = host.Factory.CreateDbContext())
        {
            var user = await db.Users.SingleAsync();
            user.DisabledAt = DateTime.UtcNow;
            await db.SaveChangesAsync();
        }

        Assert.Equal("/login?sso=failed", (await SignInAsync(host.BrowserClient(new CookieContainer()), provider)).Headers.Location!.OriginalString);
        await using (var db = host.Factory.CreateDbContext())
        {
            var failures = await db.AuditLog.Where(a => a.Action == "sign-in.failed").Select(a => a.Detail).ToListAsync();
            Assert.Contains("single sign-on: no OpenCXO role for this account", failures);
            Assert.Contains("single sign-on: disabled user", failures);
        }
    }

    [Fact]
    public async Task A_default_role_lets_new_people_in_and_without_a_provider_there_is_no_sso()
    {
        var provider = new Provider { Subject = "u-9", Claims = { ["email"] = "pat@example.com" } };
        await using (var host = await StartAsync(provider, defaultRole: "viewer"))
        {
            var browser = host.BrowserClient(new CookieContainer());
            Assert.Equal("/cxo", (await SignInAsync(browser, provider)).Headers.Location!.OriginalString);
            await using var db = host.Factory.CreateDbContext();
            Assert.Equal(Roles.Viewer, (await db.Users.SingleAsync(u => u.Name == "pat@example.com")).Role);
        }

        await using var plain = await ApiHost.StartAsync("sqlite");
        var anonymous = plain.AnonymousClient();
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/account/sso")).StatusCode);
        Assert.DoesNotContain("sign-in-sso", await anonymous.GetStringAsync("/login"), StringComparison.Ordinal);
    }
}
