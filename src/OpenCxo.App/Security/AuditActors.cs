using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Security;

/// <summary>Who is behind a request or a circuit, for the audit log, and the records the web host writes on its own.</summary>
public static class AuditActors
{
    /// <summary>A signed-in person (<c>user</c>), an API key (<c>key</c>), or nobody (<c>anonymous</c>).</summary>
    public static AuditActor Of(ClaimsPrincipal principal, string? ip)
    {
        if (principal.Identity is not { IsAuthenticated: true } identity)
        {
            return new AuditActor("anonymous", "anonymous", ip);
        }

        var kind = identity.AuthenticationType == ApiKeyAuthenticationHandler.SchemeName ? "key" : "user";
        return new AuditActor(principal.FindFirstValue(ClaimTypes.Name) ?? "?", kind, ip);
    }

    public static AuditActor Of(HttpContext http) => Of(http.User, http.Connection.RemoteIpAddress?.ToString());

    /// <summary>After authentication: every change saved while the request runs names its actor.</summary>
    public static IApplicationBuilder UseAuditActor(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        AuditContext.Current = Of(http);
        return next(http);
    });

    /// <summary>
    /// Appends an entry when the endpoint answers with success: <paramref name="target"/> names what was read or
    /// exported from the route and the answer's value (null: the target is not known and the entry is skipped).
    /// </summary>
    /// <param name="detail">What else to record (an export's filters); never personal data.</param>
    public static TBuilder Audited<TBuilder>(this TBuilder builder, string action, Func<HttpContext, object?, string?> target, Func<HttpContext, string?>? detail = null)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var result = await next(context).ConfigureAwait(false);
            var http = context.HttpContext;
            var (status, value) = Unwrap(result);
            if (status is >= 200 and < 300 && target(http, value) is { } what)
            {
                var services = http.RequestServices;
                await AuditTrail.RecordAsync(
                    services.GetRequiredService<CxoDbFactory>(), Of(http), http.User.WorkspaceId(), action, what, detail?.Invoke(http),
                    services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime, http.RequestAborted).ConfigureAwait(false);
            }

            return result;
        });

    /// <summary>The customer the route names: <c>customer:ID</c>.</summary>
    public static string? RouteCustomer(HttpContext http, object? value) =>
        http.GetRouteValue("id") is { } id ? "customer:" + Convert.ToString(id, CultureInfo.InvariantCulture) : null;

    /// <summary>An export's query string, which names filters (days, departments, ids), for its entry.</summary>
    public static string? Filters(HttpContext http) => http.Request.QueryString.HasValue ? Uri.UnescapeDataString(http.Request.QueryString.Value!) : null;

    private static (int? Status, object? Value) Unwrap(object? result)
    {
        while (result is INestedHttpResult nested)
        {
            result = nested.Result;
        }

        return result switch
        {
            IStatusCodeHttpResult coded => (coded.StatusCode ?? 200, (result as IValueHttpResult)?.Value),
            IResult => (200, null),
            _ => (200, result),
        };
    }
}

/// <summary>
/// Records a person's look at a customer's personal data in the UI — once per person, customer and minute, so that
/// the page's first render and its live circuit, or a refresh, make one entry.
/// </summary>
public sealed class CustomerViewAudit(CxoDbFactory databases, TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<(string Actor, long Workspace, string Target), DateTime> _recent = new();

    public async Task RecordAsync(ClaimsPrincipal user, long customerId, string? ip, CancellationToken ct)
    {
        var actor = AuditContext.Current is { IsAccountable: true } ambient ? ambient : AuditActors.Of(user, ip);
        var workspace = user.WorkspaceId();
        var target = "customer:" + customerId.ToString(CultureInfo.InvariantCulture);
        var now = time.GetUtcNow().UtcDateTime;
        var key = (actor.Name, workspace, target);
        if (_recent.TryGetValue(key, out var last) && now - last < Window)
        {
            return;
        }

        _recent[key] = now;
        if (_recent.Count > 10_000)
        {
            foreach (var old in _recent.Where(p => now - p.Value >= Window).Select(p => p.Key).ToList())
            {
                _recent.TryRemove(old, out _);
            }
        }

        await AuditTrail.RecordAsync(databases, actor, workspace, "customer.view", target, "web UI", now, ct).ConfigureAwait(false);
    }
}

/// <summary>Names the signed-in person as the actor of everything a circuit does (a button, a form, a live update).</summary>
internal sealed class AuditCircuitHandler(AuthenticationStateProvider authentication, IHttpContextAccessor accessor) : CircuitHandler
{
    // The circuit is opened by a request from the person's browser; later events arrive over its connection.
    private readonly string? _ip = accessor.HttpContext?.Connection.RemoteIpAddress?.ToString();

    public override Func<CircuitInboundActivityContext, Task> CreateInboundActivityHandler(Func<CircuitInboundActivityContext, Task> next) =>
        async context =>
        {
            // On the circuit's own context: the event handlers that follow must run there.
            var state = await authentication.GetAuthenticationStateAsync();
            AuditContext.Current = AuditActors.Of(state.User, _ip);
            await next(context);
        };
}
