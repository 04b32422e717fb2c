using System.Text;
using System.Text.RegularExpressions;

namespace OpenCxo.Core.Text;

/// <summary>A piece of personal data found in a text: its kind (<c>email</c>, <c>phone</c>, <c>card</c>, <c>iban</c>, <c>id</c>) and where it was.</summary>
public readonly record struct Redaction(string Kind, int Start, int Length);

/// <summary>
/// Masks personal data in free text: e-mail addresses, phone numbers, payment card numbers (Luhn-checked), IBANs
/// (ISO 13616 mod-97 checked), Spanish DNI and NIE (check letter), US social security numbers, UK National Insurance
/// numbers and Mexican CURP. Each is replaced by its kind in brackets (<c>[email]</c>). Errs on the side of masking:
/// any run of 9–15 digits that looks like a phone number is masked, even if it was an order number.
/// </summary>
public static partial class PiiRedactor
{
    // Candidates are found by pattern, then confirmed by checksum where the kind has one.
    [GeneratedRegex(@"(?<![\w.+-])[\w.%+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})*\.[A-Za-z]{2,24}(?![\w-])", RegexOptions.CultureInvariant)]
    private static partial Regex Email();

    // Written in capitals, in groups of four or run together (ES91 2100 0418 4502 0005 1332, GB82WEST12345698765432).
    [GeneratedRegex(@"(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?(?![A-Za-z0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex Iban();

    [GeneratedRegex(@"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])", RegexOptions.CultureInvariant)]
    private static partial Regex Card();

    [GeneratedRegex(@"(?<![\w])(?:\d{8}[ -]?[A-Za-z]|[XYZxyz][ -]?\d{7}[ -]?[A-Za-z])(?![\w])", RegexOptions.CultureInvariant)]
    private static partial Regex SpanishId();

    [GeneratedRegex(@"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])|(?<![\w])[A-CEGHJ-PR-TW-Za-ceghj-pr-tw-z][A-CEGHJ-NPR-TW-Za-ceghj-npr-tw-z] ?\d{2} ?\d{2} ?\d{2} ?[A-Da-d](?![\w])|(?<![\w])[A-Za-z]{4}\d{6}[HMhm][A-Za-z]{5}[A-Za-z0-9]\d(?![\w])", RegexOptions.CultureInvariant)]
    private static partial Regex OtherId();

    [GeneratedRegex(@"(?<![\w+])(?:\+|00)?\(?\d(?:[ .()\-/]{0,2}\d){6,16}(?![\w])", RegexOptions.CultureInvariant)]
    private static partial Regex Phone();

    private const string DniLetters = "TRWAGMYFPDXBNJZSQVHLCKE";

    /// <summary>The personal data in <paramref name="text"/>, in text order, never overlapping.</summary>
    public static List<Redaction> Find(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var found = new List<Redaction>();
        var hasDigit = text.AsSpan().IndexOfAnyInRange('0', '9') >= 0;
        if (text.Contains('@', StringComparison.Ordinal))
        {
            Add(found, Email(), text, "email", _ => true);
        }

        if (!hasDigit)
        {
            return Sorted(found);
        }

        Add(found, Iban(), text, "iban", IsIban);
        Add(found, Card(), text, "card", IsCard);
        Add(found, SpanishId(), text, "id", IsSpanishId);
        Add(found, OtherId(), text, "id", _ => true);
        Add(found, Phone(), text, "phone", IsPhone);
        return Sorted(found);
    }

    /// <summary>The text with each piece of personal data replaced by its kind in brackets.</summary>
    public static string Mask(string text, IReadOnlyList<Redaction> redactions)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(redactions);
        if (redactions.Count == 0)
        {
            return text;
        }

        var masked = new StringBuilder(text.Length);
        var at = 0;
        foreach (var redaction in redactions)
        {
            masked.Append(text, at, redaction.Start - at).Append('[').Append(redaction.Kind).Append(']');
            at = redaction.Start + redaction.Length;
        }

        return masked.Append(text, at, text.Length - at).ToString();
    }

    private static void Add(List<Redaction> found, Regex pattern, string text, string kind, Func<string, bool> confirm)
    {
        foreach (var match in pattern.EnumerateMatches(text))
        {
            var (start, length) = (match.Index, match.Length);
            var overlaps = found.Exists(r => r.Start < start + length && start < r.Start + r.Length);
            if (!overlaps && confirm(text.Substring(start, length)))
            {
                found.Add(new Redaction(kind, start, length));
            }
        }
    }

    private static List<Redaction> Sorted(List<Redaction> found)
    {
        found.Sort((a, b) => a.Start.CompareTo(b.Start));
        return found;
    }

    /// <summary>Luhn's check (ISO/IEC 7812-1) on 13–19 digits: what every payment card number satisfies.</summary>
    public static bool IsCard(string candidate)
    {
        var digits = Digits(candidate);
        if (digits.Length is < 13 or > 19)
        {
            return false;
        }

        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[digits.Length - 1 - i] - '0';
            if (i % 2 == 1)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
        }

        return sum % 10 == 0;
    }

    /// <summary>ISO 13616: move the first four characters to the end, letters to 10–35, and the number mod 97 is 1.</summary>
    public static bool IsIban(string candidate)
    {
        var compact = candidate.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        if (compact.Length is < 15 or > 34 || !char.IsAsciiLetter(compact[0]) || !char.IsAsciiLetter(compact[1]) || !char.IsAsciiDigit(compact[2]) || !char.IsAsciiDigit(compact[3]))
        {
            return false;
        }

        var remainder = 0;
        foreach (var c in compact[4..] + compact[..4])
        {
            var value = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiLetterUpper(c) ? c - 'A' + 10 : -1;
            if (value < 0)
            {
                return false;
            }

            remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
        }

        return remainder == 1;
    }

    /// <summary>DNI: 8 digits and the letter of their remainder by 23; NIE: X, Y or Z (0, 1, 2), 7 digits and the same letter.</summary>
    public static bool IsSpanishId(string candidate)
    {
        var compact = candidate.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToUpperInvariant();
        var prefix = compact[0] switch { 'X' => "0", 'Y' => "1", 'Z' => "2", _ => "" };
        var number = prefix + compact[(prefix.Length == 0 ? 0 : 1)..^1];
        return number.Length == 8 && int.TryParse(number, System.Globalization.CultureInfo.InvariantCulture, out var n) && DniLetters[n % 23] == compact[^1];
    }

    /// <summary>
    /// A phone number: 9–15 digits; with + or 00 in front, or 9 digits starting 6–9 (Spain), or 10 digits (North
    /// America, Mexico), or 11 starting with 0 or 1 (UK, US with trunk prefix). Dates and times are not phones.
    /// </summary>
    private static bool IsPhone(string candidate)
    {
        var digits = Digits(candidate);
        if (digits.Length is < 9 or > 15 || DateLike().IsMatch(candidate))
        {
            return false;
        }

        if (candidate.StartsWith('+') || candidate.StartsWith("00", StringComparison.Ordinal))
        {
            return true;
        }

        return digits.Length switch
        {
            9 => digits[0] is >= '6' and <= '9',
            10 => true,
            11 => digits[0] is '0' or '1',
            _ => candidate.Any(c => c is ' ' or '-' or '.' or '(' or ')'),
        };
    }

    [GeneratedRegex(@"^(?:\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})(?!\d)", RegexOptions.CultureInvariant)]
    private static partial Regex DateLike();

    private static string Digits(string candidate) => string.Concat(candidate.Where(char.IsAsciiDigit));
}
