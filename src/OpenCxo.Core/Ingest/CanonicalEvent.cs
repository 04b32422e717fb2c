using OpenCxo.Core.Profiles;

namespace OpenCxo.Core.Ingest;

/// <summary>
/// One touchpoint in the canonical shape of DESIGN.md, already validated and normalised:
/// identities are normalised keys, the time is UTC, the value is exact to four decimals.
/// </summary>
public sealed record CanonicalEvent(
    string Id,
    IReadOnlyList<IdentityKey> Identities,
    DateTime OccurredAt,
    Department Department,
    Channel Channel,
    string Type,
    decimal Value,
    string? Currency,
    string? Text,
    string? AttributesJson,
    IReadOnlyList<ProfileField> ProfileFields)
{
    /// <summary>The value in ten-thousandths, as stored (exact sums, no floating point).</summary>
    public long ValueE4 => (long)(Value * 10_000m);
}

/// <summary>A customer-level attribute carried by an event (<c>customer.attributes</c>); the newest by event time wins.</summary>
public sealed record ProfileField(string Name, string ValueJson);

/// <summary>A problem with one field of one input record.</summary>
public sealed record FieldError(string Field, string Message);
