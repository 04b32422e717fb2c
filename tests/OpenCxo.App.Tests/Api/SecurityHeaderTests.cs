using System.Net;

namespace OpenCxo.App.Tests.Api;

/// <summary>Issue 9 (security headers): every kind of answer — API, problem details, the web UI, a missing page — carries them.</summary>
public sealed class SecurityHeaderTests
{
    [Fact]
    public async Task Every_answer_carries_the_security_headers()
    {
        await using var host = await ApiHost.StartAsync("sqlite");
        var client = await host.ClientAsync("a");
        var anonymous = host.AnonymousClient();
        foreach (var (response, what) in new[]
        {
            (await client.GetAsync("/api/v1/promises"), "an API answer"),
            (await client.GetAsync("/api/v1/promises/none"), "a 404 problem"),
            (await anonymous.GetAsync("/api/v1/promises"), "a 401"),
            (await anonymous.GetAsync("/login"), "the sign-in page"),
            (await anonymous.GetAsync("/healthz"), "the health check"),
        })
        {
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound or HttpStatusCode.Unauthorized, what);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("same-origin", response.Headers.GetValues("Referrer-Policy").Single());
            Assert.Contains("camera=()", response.Headers.GetValues("Permissions-Policy").Single(), StringComparison.Ordinal);
        }
    }
}
