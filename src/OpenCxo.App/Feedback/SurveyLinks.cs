using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Feedback;

public enum LinkKind : byte
{
    /// <summary>One customer's personal link: one response.</summary>
    Invitation = 1,

    /// <summary>A survey's anonymous link, shared anywhere: one response per visit.</summary>
    Public = 2,
}

/// <summary>What a valid link points at.</summary>
public sealed record LinkTarget(LinkKind Kind, long WorkspaceId, long SurveyId, SurveyInvitationRow? Invitation);

/// <summary>
/// Survey links: <c>/s/TOKEN</c>, where the token is the link's kind and id followed by the first 128 bits of an
/// HMAC-SHA256 over them (and over the survey, for an invitation) with the workspace's secret. A token cannot be
/// guessed (2¹²⁸ tags), forged without the secret, or moved to another survey or invitation: the tag covers both.
/// </summary>
public sealed class SurveyLinks(CxoDbFactory databases)
{
    private const int TagBytes = 16;
    private const int TokenBytes = 1 + 8 + TagBytes;

    private readonly ConcurrentDictionary<long, byte[]> _secrets = new();

    public async Task<string> InvitationTokenAsync(SurveyInvitationRow invitation, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(invitation);
        var secret = await SecretAsync(invitation.WorkspaceId, ct).ConfigureAwait(false);
        return Encode(LinkKind.Invitation, invitation.Id, Tag(secret, LinkKind.Invitation, invitation.Id, invitation.SurveyId));
    }

    public async Task<string> PublicTokenAsync(long workspaceId, long surveyId, CancellationToken ct)
    {
        var secret = await SecretAsync(workspaceId, ct).ConfigureAwait(false);
        return Encode(LinkKind.Public, surveyId, Tag(secret, LinkKind.Public, surveyId, surveyId));
    }

    /// <summary>The link's target, or null for anything that is not a token this server made (malformed, forged, for a deleted row).</summary>
    public async Task<LinkTarget?> ResolveAsync(string? token, CancellationToken ct)
    {
        Span<byte> bytes = stackalloc byte[TokenBytes];
        if (token is null || token.Length != 34 || !TryDecode(token, bytes))
        {
            return null;
        }

        var kind = (LinkKind)bytes[0];
        var id = BinaryPrimitives.ReadInt64BigEndian(bytes[1..9]);
        var tag = bytes[9..].ToArray();
        await using var db = databases.CreateDbContext();
        switch (kind)
        {
            case LinkKind.Invitation:
                var invitation = await db.SurveyInvitations.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, ct).ConfigureAwait(false);
                return invitation is not null
                    && Matches(tag, Tag(await SecretAsync(invitation.WorkspaceId, ct).ConfigureAwait(false), kind, id, invitation.SurveyId))
                    ? new LinkTarget(kind, invitation.WorkspaceId, invitation.SurveyId, invitation)
                    : null;
            case LinkKind.Public:
                var workspace = await db.Surveys.AsNoTracking().Where(s => s.Id == id).Select(s => (long?)s.WorkspaceId).FirstOrDefaultAsync(ct).ConfigureAwait(false);
                return workspace is { } ws && Matches(tag, Tag(await SecretAsync(ws, ct).ConfigureAwait(false), kind, id, id))
                    ? new LinkTarget(kind, ws, id, null)
                    : null;
            default:
                return null;
        }
    }

    private static byte[] Tag(byte[] secret, LinkKind kind, long id, long surveyId)
    {
        Span<byte> message = stackalloc byte[17];
        message[0] = (byte)kind;
        BinaryPrimitives.WriteInt64BigEndian(message[1..9], id);
        BinaryPrimitives.WriteInt64BigEndian(message[9..], surveyId);
        return HMACSHA256.HashData(secret, message)[..TagBytes];
    }

    private static bool Matches(byte[] given, byte[] expected) => CryptographicOperations.FixedTimeEquals(given, expected);

    private static string Encode(LinkKind kind, long id, byte[] tag)
    {
        Span<byte> bytes = stackalloc byte[TokenBytes];
        bytes[0] = (byte)kind;
        BinaryPrimitives.WriteInt64BigEndian(bytes[1..9], id);
        tag.CopyTo(bytes[9..]);
        return System.Buffers.Text.Base64Url.EncodeToString(bytes);
    }

    private static bool TryDecode(string token, Span<byte> bytes) =>
        System.Buffers.Text.Base64Url.TryDecodeFromChars(token, bytes, out var written) && written == TokenBytes;

    /// <summary>The workspace's signing secret, made on first use; two servers racing to make it agree on the stored one.</summary>
    private async Task<byte[]> SecretAsync(long workspaceId, CancellationToken ct)
    {
        if (_secrets.TryGetValue(workspaceId, out var known))
        {
            return known;
        }

        await using var db = databases.CreateDbContext();
        var stored = await db.Workspaces.Where(w => w.Id == workspaceId).Select(w => w.SurveySecret).SingleAsync(ct).ConfigureAwait(false);
        if (stored is null)
        {
            var made = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            await db.Workspaces.Where(w => w.Id == workspaceId && w.SurveySecret == null)
                .ExecuteUpdateAsync(w => w.SetProperty(x => x.SurveySecret, made), ct).ConfigureAwait(false);
            stored = await db.Workspaces.Where(w => w.Id == workspaceId).Select(w => w.SurveySecret).SingleAsync(ct).ConfigureAwait(false);
        }

        return _secrets.GetOrAdd(workspaceId, Convert.FromBase64String(stored!));
    }
}
