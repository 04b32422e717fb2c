using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenCxo.Core.Profiles;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Profiles;

/// <summary>One customer found by <see cref="CustomerSearch"/>, with what identifies them to a person.</summary>
public sealed record CustomerMatch(long Id, string? Name, string? Email, DateTime LastSeen, string MatchedBy);

/// <summary>
/// Finds customers from one search box: an email, a phone number, <c>system:value</c> or a bare external id, a
/// customer number, or part of a name or company. Exact identities are tried before names, and merged profiles
/// answer with their survivor.
/// </summary>
public static class CustomerSearch
{
    public const int MaxQueryLength = 200;
    public const int DefaultLimit = 25;

    private static readonly string[] NameTraits = ["name", "company"];

    /// <exception cref="ArgumentException">The query is empty or longer than <see cref="MaxQueryLength"/>.</exception>
    public static async Task<IReadOnlyList<CustomerMatch>> SearchAsync(
        CxoDb db, IdentityNormalizer normalizer, long workspaceId, string query, int limit = DefaultLimit, CancellationToken cancellationToken = default)
    {
        var q = query.Trim();
        if (q.Length is 0 or > MaxQueryLength)
        {
            throw new ArgumentException($"give 1 to {MaxQueryLength} characters to search for", nameof(query));
        }

        var found = new Dictionary<long, string>();
        async Task AddIdentityAsync(IdentityKey key, string matchedBy)
        {
            if (await CustomerProfiles.FindByIdentityAsync(db, workspaceId, key, cancellationToken).ConfigureAwait(false) is { } id)
            {
                found.TryAdd(id, matchedBy);
            }
        }

        if (q.Contains('@', StringComparison.Ordinal) && IdentityNormalizer.TryNormalizeEmail(q, out var email, out _))
        {
            await AddIdentityAsync(IdentityKey.Email(email), "email").ConfigureAwait(false);
        }

        if (q.Contains(':', StringComparison.Ordinal) && IdentityNormalizer.TryParseExternalLookup(q, out var external, out _))
        {
            await AddIdentityAsync(external, "externalId").ConfigureAwait(false);
        }

        if (LooksLikePhone(q) && normalizer.TryNormalizePhone(q, out var phone, out _))
        {
            await AddIdentityAsync(IdentityKey.Phone(phone), "phone").ConfigureAwait(false);
        }

        if (long.TryParse(q, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            && await CustomerProfiles.ResolveIdAsync(db, workspaceId, number, cancellationToken).ConfigureAwait(false) is { } byNumber)
        {
            found.TryAdd(byNumber, "id");
        }

        // A bare external id, in whichever system has it.
        if (q.Length <= IdentityNormalizer.MaxExternalIdLength)
        {
            var owners = await db.Identities.AsNoTracking()
                .Where(i => i.WorkspaceId == workspaceId && i.Value == q && EF.Functions.Like(i.Kind, IdentityKey.ExternalPrefix + "%"))
                .Select(i => i.CustomerId)
                .Take(limit)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var owner in owners)
            {
                found.TryAdd(owner, "externalId");
            }
        }

        if (found.Count < limit && q.Length >= 2)
        {
            // Traits are stored as the JSON their event carried, where "í" may be written as is or as "\u00ED":
            // look for both spellings.
            var lowered = q.ToLowerInvariant();
            var raw = "%" + EscapeLike(lowered) + "%";
            var escaped = "%" + EscapeLike(System.Text.Json.JsonSerializer.Serialize(lowered)[1..^1].ToLowerInvariant()) + "%";

            // string.ToLower() here is SQL's lower(), which the analyzers cannot tell from the .NET call.
#pragma warning disable CA1304, CA1311
            var byName = await db.CustomerTraits.AsNoTracking()
                .Where(t => t.WorkspaceId == workspaceId && NameTraits.Contains(t.Name)
                    && (EF.Functions.Like(t.ValueJson.ToLower(), raw, "\\") || EF.Functions.Like(t.ValueJson.ToLower(), escaped, "\\")))
                .Select(t => t.CustomerId)
                .Distinct()
                .Take(limit)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
#pragma warning restore CA1304, CA1311
            foreach (var id in byName)
            {
                if (await CustomerProfiles.ResolveIdAsync(db, workspaceId, id, cancellationToken).ConfigureAwait(false) is { } live)
                {
                    found.TryAdd(live, "name");
                }
            }
        }

        var ids = found.Keys.Take(limit).ToList();
        var seen = await db.Customers.AsNoTracking()
            .Where(c => c.WorkspaceId == workspaceId && ids.Contains(c.Id))
            .Select(c => new { c.Id, c.LastSeen })
            .ToDictionaryAsync(c => c.Id, c => c.LastSeen, cancellationToken).ConfigureAwait(false);
        var names = await db.CustomerTraits.AsNoTracking()
            .Where(t => t.WorkspaceId == workspaceId && ids.Contains(t.CustomerId) && t.Name == "name")
            .Select(t => new { t.CustomerId, t.ValueJson })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var emails = await db.Identities.AsNoTracking()
            .Where(i => i.WorkspaceId == workspaceId && ids.Contains(i.CustomerId) && i.Kind == IdentityKey.EmailKind)
            .Select(i => new { i.CustomerId, i.Value })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var nameOf = names.GroupBy(n => n.CustomerId).ToDictionary(g => g.Key, g => TextOf(g.First().ValueJson));
        var emailOf = emails.GroupBy(e => e.CustomerId).ToDictionary(g => g.Key, g => g.Select(e => e.Value).Order(StringComparer.Ordinal).First());
        return [.. ids.Where(seen.ContainsKey).Select(id => new CustomerMatch(
            id, nameOf.GetValueOrDefault(id), emailOf.GetValueOrDefault(id), seen[id], found[id]))];
    }

    /// <summary>A trait's display text: strings without their quotes, anything else as JSON.</summary>
    public static string TextOf(string valueJson)
    {
        using var document = JsonDocument.Parse(valueJson);
        return document.RootElement.ValueKind == JsonValueKind.String ? document.RootElement.GetString()! : document.RootElement.GetRawText();
    }

    private static bool LooksLikePhone(string q) =>
        q.Count(char.IsAsciiDigit) >= 6 && q.All(c => char.IsAsciiDigit(c) || c is '+' or ' ' or '-' or '(' or ')' or '.');

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
