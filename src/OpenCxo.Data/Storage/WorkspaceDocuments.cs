using Microsoft.EntityFrameworkCore;

namespace OpenCxo.Data.Storage;

/// <summary>A workspace's one settings document (JSON in the API's shape), saved and replaced whole; no row: the built-in one.</summary>
public interface IWorkspaceDocument
{
    long WorkspaceId { get; }

    string Json { get; set; }

    DateTime UpdatedAt { get; set; }
}

public static class WorkspaceDocuments
{
    /// <summary>The workspace's document and when it was saved, or null when it has none.</summary>
    public static async Task<(string Json, DateTime UpdatedAt)?> ReadAsync<TRow>(CxoDbFactory databases, long workspaceId, CancellationToken ct)
        where TRow : class, IWorkspaceDocument
    {
        await using var db = databases.CreateDbContext();
        var row = await db.Set<TRow>().AsNoTracking().FirstOrDefaultAsync(r => EF.Property<long>(r, nameof(IWorkspaceDocument.WorkspaceId)) == workspaceId, ct).ConfigureAwait(false);
        return row is null ? null : (row.Json, row.UpdatedAt);
    }

    /// <summary>Creates or replaces the workspace's document; when a concurrent first save made the row, this one replaces it.</summary>
    public static async Task SaveAsync<TRow>(CxoDbFactory databases, long workspaceId, string json, DateTime now, Func<TRow> create, CancellationToken ct)
        where TRow : class, IWorkspaceDocument
    {
        for (var attempt = 0; ; attempt++)
        {
            await using var db = databases.CreateDbContext();
            var row = await db.Set<TRow>().FirstOrDefaultAsync(r => EF.Property<long>(r, nameof(IWorkspaceDocument.WorkspaceId)) == workspaceId, ct).ConfigureAwait(false);
            if (row is null)
            {
                db.Set<TRow>().Add(create());
            }
            else
            {
                row.Json = json;
                row.UpdatedAt = now;
            }

            try
            {
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                return;
            }
            catch (DbUpdateException) when (row is null && attempt == 0)
            {
                // Another save created the row first: replace it.
            }
        }
    }
}
