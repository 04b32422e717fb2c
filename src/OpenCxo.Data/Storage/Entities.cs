namespace OpenCxo.Data.Storage;

// The system of record's rows. Every table carries WorkspaceId so that a workspace is a hard boundary and a
// future Citus distribution key (DESIGN.md, scale-out).

public sealed class Workspace
{
    public long Id { get; set; }
    public required string Slug { get; set; }
    public required string Name { get; set; }
    public DateTime CreatedAt { get; set; }

    /// <summary>Base64 of 32 random bytes that sign survey links (HMAC-SHA256); made when the first link is.</summary>
    public string? SurveySecret { get; set; }
}

public sealed class ApiKey
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public required string Name { get; set; }

    /// <summary>SHA-256 of the whole key, hex; the key itself is shown once and never stored.</summary>
    public required string KeyHash { get; set; }

    /// <summary>The first characters of the key, to tell keys apart in listings.</summary>
    public required string KeyPrefix { get; set; }

    /// <summary>Space-separated scopes, e.g. "events:write customers:read".</summary>
    public required string Scopes { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime? RevokedAt { get; set; }

    /// <summary>After this the key no longer signs anything in; none: it lasts until revoked.</summary>
    public DateTime? ExpiresAt { get; set; }
}

/// <summary>A person who signs in to the web UI. Names are unique across workspaces: a name alone identifies the sign-in.</summary>
public sealed class UserRow
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public required string Name { get; set; }

    /// <summary><c>admin</c>, <c>cxo</c>, <c>marketing</c>, <c>sales</c>, <c>service</c> or <c>viewer</c>.</summary>
    public required string Role { get; set; }

    /// <summary>ASP.NET Core Identity's PBKDF2 format (version marker, salt, iteration count and subkey in one string).</summary>
    public required string PasswordHash { get; set; }

    /// <summary>Changes with the password, so that sessions signed in with an older password end.</summary>
    public required string SecurityStamp { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime? DisabledAt { get; set; }

    /// <summary>Wrong passwords since the last successful sign-in; reaching the limit locks the account.</summary>
    public int FailedSignIns { get; set; }

    /// <summary>While in the future, every sign-in is refused, even with the right password.</summary>
    public DateTime? LockedUntil { get; set; }

    /// <summary>For a person who signs in through OpenID Connect: the provider's issuer and subject, "ISSUER|SUB".</summary>
    public string? ExternalId { get; set; }
}

public sealed class CustomerRow
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public DateTime FirstSeen { get; set; }
    public DateTime LastSeen { get; set; }
    public DateTime CreatedAt { get; set; }

    /// <summary>Set when this profile was merged into an older one; reads follow it to the survivor.</summary>
    public long? MergedInto { get; set; }
}

public sealed class IdentityRow
{
    public long WorkspaceId { get; set; }

    /// <summary><c>email</c>, <c>phone</c> or <c>ext:SYSTEM</c>.</summary>
    public required string Kind { get; set; }

    public required string Value { get; set; }

    /// <summary>Always a live customer: merges move identities to the survivor.</summary>
    public long CustomerId { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>A profile attribute of a customer (name, language, …); the value observed at the latest event time wins.</summary>
public sealed class CustomerTraitRow
{
    public long WorkspaceId { get; set; }
    public long CustomerId { get; set; }
    public required string Name { get; set; }
    public required string ValueJson { get; set; }
    public DateTime ObservedAt { get; set; }
}

public sealed class CustomerMergeRow
{
    public long Seq { get; set; }
    public long WorkspaceId { get; set; }
    public long SurvivorId { get; set; }
    public long AbsorbedId { get; set; }
    public required string EventId { get; set; }
    public DateTime OccurredAt { get; set; }
    public DateTime MergedAt { get; set; }
}

/// <summary>One touchpoint. <see cref="Seq"/> grows monotonically and drives incremental copies to the analytics store.</summary>
public sealed class InteractionRow
{
    public long Seq { get; set; }
    public long WorkspaceId { get; set; }
    public required string EventId { get; set; }
    public long CustomerId { get; set; }
    public DateTime OccurredAt { get; set; }
    public DateTime ReceivedAt { get; set; }
    public required string Department { get; set; }
    public required string Channel { get; set; }
    public required string Type { get; set; }

    /// <summary>Value in ten-thousandths of <see cref="Currency"/>: exact sums without floating point.</summary>
    public long ValueE4 { get; set; }

    public string? Currency { get; set; }
    public string? Text { get; set; }
    public string? Attributes { get; set; }
}

/// <summary>Bumped by every ingest commit, so a writer's cached identity graph knows when another writer changed things.</summary>
public sealed class IngestState
{
    public long WorkspaceId { get; set; }
    public long Generation { get; set; }
}
