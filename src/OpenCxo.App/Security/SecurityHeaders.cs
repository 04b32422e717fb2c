namespace OpenCxo.App.Security;

/// <summary>
/// Headers every answer carries (OWASP Secure Headers Project): no MIME sniffing, no framing by other sites (clickjacking),
/// no referrer beyond this site, no camera, microphone or location, and a browsing context of its own.
/// </summary>
public static class SecurityHeaders
{
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        http.Response.OnStarting(() =>
        {
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            return Task.CompletedTask;
        });
        await next(http).ConfigureAwait(false);
    });
}
