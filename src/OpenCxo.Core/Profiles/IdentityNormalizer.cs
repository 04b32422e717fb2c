using System.Collections.Concurrent;
using PhoneNumbers;

namespace OpenCxo.Core.Profiles;

/// <summary>
/// Turns what sources send (" Ana@Example.COM ", "600 111 222", crm "C-1001") into identity keys.
/// Email: trimmed and lower-cased. Phone: E.164, national numbers read in <see cref="DefaultRegion"/>.
/// External ids: system name lower-cased, id trimmed and kept case-sensitive.
/// </summary>
public sealed class IdentityNormalizer
{
    public const int MaxEmailLength = 254;
    public const int MaxExternalIdLength = 200;
    private const int PhoneCacheLimit = 200_000;

    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();
    private readonly ConcurrentDictionary<string, string?> _phoneCache = new(StringComparer.Ordinal);

    public IdentityNormalizer(string defaultRegion = "ES")
    {
        if (!Phones.GetSupportedRegions().Contains(defaultRegion.ToUpperInvariant()))
        {
            throw new ArgumentException($"'{defaultRegion}' is not a region code libphonenumber knows (use ISO 3166 alpha-2, e.g. ES, US, GB).", nameof(defaultRegion));
        }

        DefaultRegion = defaultRegion.ToUpperInvariant();
    }

    /// <summary>The ISO 3166 region used to read phone numbers written without a country code.</summary>
    public string DefaultRegion { get; }

    public static bool TryNormalizeEmail(string? raw, out string email, out string error)
    {
        email = (raw ?? "").Trim().ToLowerInvariant();
        error = "";
        if (email.Length == 0)
        {
            error = "is empty";
            return false;
        }

        if (email.Length > MaxEmailLength)
        {
            error = $"is longer than {MaxEmailLength} characters";
            return false;
        }

        var at = email.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at != email.LastIndexOf('@') || at == email.Length - 1)
        {
            error = "is not an email address (expected one '@' between a name and a domain)";
            return false;
        }

        var domain = email.AsSpan(at + 1);
        if (!domain.Contains('.') || domain[0] == '.' || domain[^1] == '.' || domain.Contains("..", StringComparison.Ordinal))
        {
            error = "has no valid domain";
            return false;
        }

        foreach (var c in email)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c) || c is '<' or '>' or '(' or ')' or ',' or ';' or ':' or '"' or '[' or ']' or '\\')
            {
                error = "contains a character not allowed in an email address";
                return false;
            }
        }

        return true;
    }

    public bool TryNormalizePhone(string? raw, out string e164, out string error)
    {
        var text = (raw ?? "").Trim();
        error = "";
        e164 = "";
        if (text.Length == 0)
        {
            error = "is empty";
            return false;
        }

        if (text.Length > 40)
        {
            error = "is longer than 40 characters";
            return false;
        }

        if (!_phoneCache.TryGetValue(text, out var cached))
        {
            cached = Parse(text);
            if (_phoneCache.Count >= PhoneCacheLimit)
            {
                _phoneCache.Clear();
            }

            _phoneCache[text] = cached;
        }

        if (cached is null)
        {
            error = $"is not a possible phone number (numbers without a +country code are read as {DefaultRegion})";
            return false;
        }

        e164 = cached;
        return true;
    }

    private string? Parse(string text)
    {
        try
        {
            var number = Phones.Parse(text, DefaultRegion);
            return Phones.IsPossibleNumber(number) ? Phones.Format(number, PhoneNumberFormat.E164) : null;
        }
        catch (NumberParseException)
        {
            return null;
        }
    }

    public static bool TryNormalizeSystem(string? raw, out string system, out string error)
    {
        system = (raw ?? "").Trim().ToLowerInvariant();
        error = "";
        if (system.Length is 0 or > 64)
        {
            error = "system name must be 1 to 64 characters";
            return false;
        }

        foreach (var c in system)
        {
            if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '_' or '.'))
            {
                error = "system name may contain only a-z, 0-9, '-', '_' and '.'";
                return false;
            }
        }

        return true;
    }

    public static bool TryNormalizeExternalId(string? raw, out string id, out string error)
    {
        id = (raw ?? "").Trim();
        error = "";
        if (id.Length == 0)
        {
            error = "is empty";
            return false;
        }

        if (id.Length > MaxExternalIdLength)
        {
            error = $"is longer than {MaxExternalIdLength} characters";
            return false;
        }

        if (id.Any(char.IsControl))
        {
            error = "contains control characters";
            return false;
        }

        return true;
    }

    /// <summary>Reads a lookup written as <c>system:value</c> (the API's <c>externalId</c> parameter).</summary>
    public static bool TryParseExternalLookup(string? raw, out IdentityKey key, out string error)
    {
        key = default;
        var colon = (raw ?? "").IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            error = "must be written as system:value, e.g. crm:C-1001";
            return false;
        }

        if (!TryNormalizeSystem(raw![..colon], out var system, out error) || !TryNormalizeExternalId(raw[(colon + 1)..], out var id, out error))
        {
            return false;
        }

        key = IdentityKey.External(system, id);
        return true;
    }
}
