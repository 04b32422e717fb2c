namespace OpenCxo.Core.Profiles;

/// <summary>
/// A normalised identity: <c>email</c>, <c>phone</c> (E.164) or <c>ext:SYSTEM</c> with the id that system gives the customer.
/// Two events carrying the same key belong to the same customer.
/// <para>
/// The hash code is computed once, when the key is made (by the parser, on the reading thread of an import), not at
/// every look-up in the identity graph by the single writer.
/// </para>
/// </summary>
public readonly struct IdentityKey : IEquatable<IdentityKey>
{
    private readonly int _hash;

    public IdentityKey(string kind, string value)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(value);
        Kind = kind;
        Value = value;
        _hash = HashCode.Combine(StringComparer.Ordinal.GetHashCode(kind), StringComparer.Ordinal.GetHashCode(value));
    }

    public string Kind { get; }

    public string Value { get; }

    public const string EmailKind = "email";
    public const string PhoneKind = "phone";
    public const string ExternalPrefix = "ext:";

    public static IdentityKey Email(string normalised) => new(EmailKind, normalised);

    public static IdentityKey Phone(string e164) => new(PhoneKind, e164);

    public static IdentityKey External(string system, string id) => new(ExternalPrefix + system, id);

    public bool IsExternal => Kind.StartsWith(ExternalPrefix, StringComparison.Ordinal);

    /// <summary>The source system of an external id, or null for email and phone.</summary>
    public string? System => IsExternal ? Kind[ExternalPrefix.Length..] : null;

    public override string ToString() => $"{Kind}={Value}";

    public bool Equals(IdentityKey other) =>
        _hash == other._hash && string.Equals(Value, other.Value, StringComparison.Ordinal) && string.Equals(Kind, other.Kind, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is IdentityKey other && Equals(other);

    public override int GetHashCode() => _hash;

    public static bool operator ==(IdentityKey left, IdentityKey right) => left.Equals(right);

    public static bool operator !=(IdentityKey left, IdentityKey right) => !left.Equals(right);
}
