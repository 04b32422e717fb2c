using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace OpenCxo.App.Security;

/// <summary>
/// Request budgets (token buckets: a burst, then a steady rate). Each API key has its own; requests without a key
/// share their client address's; sign-in attempts have a small budget per address on top of the account lock-out.
/// </summary>
public sealed record RateLimitOptions
{
    public int KeyPermitsPerSecond { get; init; } = 100;
    public int KeyBurst { get; init; } = 1000;
    public int AddressPermitsPerSecond { get; init; } = 20;
    public int AddressBurst { get; init; } = 400;
    public int SignInsPerMinute { get; init; } = 30;

    public string? Problem() =>
        KeyPermitsPerSecond < 1 || KeyBurst < 1 || AddressPermitsPerSecond < 1 || AddressBurst < 1 || SignInsPerMinute < 1 ? "every limit must be positive" : null;
}

public static class RateLimits
{
    public static IServiceCollection AddOpenCxoRateLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<SecurityOptions>>((options, security) =>
        {
            var limits = security.Value.RateLimits;
            options.GlobalLimiter = PartitionedRateLimiter.CreateChained(Requests(limits), SignIns(limits));
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = RejectAsync;
        });
        return services;
    }

    private static PartitionedRateLimiter<HttpContext> Requests(RateLimitOptions limits) =>
        PartitionedRateLimiter.Create<HttpContext, string>(http =>
        {
            var authorization = http.Request.Headers.Authorization.ToString();
            if (authorization.Length > 0)
            {
                // The key itself is not kept in memory: its hash names the bucket (a wrong key has one too, and is refused after).
                var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(authorization)), 0, 12);
                return RateLimitPartition.GetTokenBucketLimiter("key:" + hash, _ => Bucket(limits.KeyBurst, limits.KeyPermitsPerSecond, TimeSpan.FromSeconds(1)));
            }

            if (IsAsset(http.Request.Path))
            {
                return RateLimitPartition.GetNoLimiter("asset");
            }

            return RateLimitPartition.GetTokenBucketLimiter("ip:" + Address(http), _ => Bucket(limits.AddressBurst, limits.AddressPermitsPerSecond, TimeSpan.FromSeconds(1)));
        });

    private static PartitionedRateLimiter<HttpContext> SignIns(RateLimitOptions limits) =>
        PartitionedRateLimiter.Create<HttpContext, string>(http =>
            HttpMethods.IsPost(http.Request.Method) && http.Request.Path.Equals("/login", StringComparison.OrdinalIgnoreCase)
                ? RateLimitPartition.GetTokenBucketLimiter("sign-in:" + Address(http), _ => Bucket(limits.SignInsPerMinute, 1, TimeSpan.FromMinutes(1.0 / limits.SignInsPerMinute)))
                : RateLimitPartition.GetNoLimiter("other"));

    private static TokenBucketRateLimiterOptions Bucket(int burst, int perPeriod, TimeSpan period) => new()
    {
        TokenLimit = burst,
        TokensPerPeriod = perPeriod,
        ReplenishmentPeriod = period,
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    private static string Address(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>The app's own scripts, styles and the live connection of the UI: never limited, or a page could not load.</summary>
    private static bool IsAsset(PathString path) =>
        path.StartsWithSegments("/_framework", StringComparison.Ordinal) || path.StartsWithSegments("/_content", StringComparison.Ordinal)
        || path.StartsWithSegments("/_blazor", StringComparison.Ordinal) || path.StartsWithSegments("/js", StringComparison.Ordinal)
        || Path.GetExtension(path.Value.AsSpan()) is ".css" or ".js" or ".svg" or ".png" or ".ico" or ".woff" or ".woff2";

    private static async ValueTask RejectAsync(OnRejectedContext context, CancellationToken ct)
    {
        var response = context.HttpContext.Response;
        var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var detail = $"too many requests: try again in {seconds} s";
        if (context.HttpContext.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            await response.WriteAsJsonAsync(
                new { type = "https://www.rfc-editor.org/rfc/rfc6585#section-4", title = "Too many requests", status = 429, detail },
                options: null, contentType: "application/problem+json", cancellationToken: ct).ConfigureAwait(false);
        }
        else
        {
            response.ContentType = "text/plain; charset=utf-8";
            await response.WriteAsync(detail, ct).ConfigureAwait(false);
        }
    }
}
