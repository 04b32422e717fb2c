namespace OpenCxo.Core.Profiles;

/// <summary>
/// A normalised identity: <c>email</c>, <c>phone</c> (E.164) or <c>ext:SYSTEM</c> with the id that system gives the customer.
/// Two events carrying the same key belong to the same customer.
/// </summary>
public readonly record struct IdentityKey(string Kind, string Value)
{
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
}
