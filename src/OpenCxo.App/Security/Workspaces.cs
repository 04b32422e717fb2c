using Microsoft.EntityFrameworkCore;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Security;

/// <summary>Workspaces are addressed by slug on the command line; every row of data belongs to exactly one.</summary>
public static class Workspaces
{
    public const string DefaultSlug = "default";

    public static async Task<Workspace> GetOrCreateAsync(CxoDb db, string slug, DateTime now, CancellationToken cancellationToken = default)
    {
        slug = slug.Trim().ToLowerInvariant();
        if (slug.Length is 0 or > 64 || !slug.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-'))
        {
            throw new ArgumentException($"workspace '{slug}': use 1 to 64 characters a-z, 0-9 and '-'", nameof(slug));
        }

        var existing = await db.Workspaces.AsNoTracking().FirstOrDefaultAsync(w => w.Slug == slug, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            return existing;
        }

        var workspace = new Workspace { Slug = slug, Name = slug, CreatedAt = now };
        db.Workspaces.Add(workspace);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return workspace;
    }

    public static Task<Workspace?> FindAsync(CxoDb db, string slug, CancellationToken cancellationToken = default)
    {
        var normalised = slug.Trim().ToLowerInvariant();
        return db.Workspaces.AsNoTracking().FirstOrDefaultAsync(w => w.Slug == normalised, cancellationToken);
    }
}
