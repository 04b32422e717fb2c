using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using OpenCxo.Core.Ingest;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Security;

/// <summary>
/// A search of the audit log. <see cref="Action"/> matches an action or a family of them (<c>config</c> finds
/// <c>config.kpi.update</c>); <see cref="Actor"/> and <see cref="Target"/> match exactly; times are UTC, <c>To</c>
/// exclusive. Entries come newest first; <see cref="Before"/> is the id the previous page ended at.
/// </summary>
public sealed record AuditQuery(string? Actor, string? Action, string? Target, DateTime? From, DateTime? To, long? Before, int Limit)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>An export takes every matching entry, up to this many.</summary>
    public const int MaxExport = 100_000;

    /// <summary>Reads a query from strings (query string, command line, UI), naming the first field it cannot use.</summary>
    public static (AuditQuery? Query, FieldError? Problem) Parse(string? actor, string? action, string? target, string? from, string? to, string? before, string? limit)
    {
        foreach (var (field, value) in new[] { ("actor", actor), ("action", action), ("target", target) })
        {
            if (value is { Length: > 200 })
            {
                return (null, new FieldError(field, "must be at most 200 characters"));
            }
        }

        DateTime? first = null, last = null;
        if (!string.IsNullOrWhiteSpace(from))
        {
            if (!TryTime(from, out var value))
            {
                return (null, new FieldError("from", "must be a day (yyyy-MM-dd) or an ISO 8601 time, from 1900 to 2200"));
            }

            first = value;
        }

        if (!string.IsNullOrWhiteSpace(to))
        {
            if (!TryTime(to, out var value))
            {
                return (null, new FieldError("to", "must be a day (yyyy-MM-dd) or an ISO 8601 time, from 1900 to 2200"));
            }

            last = value;
        }

        if (first > last)
        {
            return (null, new FieldError("from", "must not be after 'to'"));
        }

        long? cursor = null;
        if (!string.IsNullOrWhiteSpace(before))
        {
            if (!long.TryParse(before, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id < 1)
            {
                return (null, new FieldError("before", "must be the positive id of an entry"));
            }

            cursor = id;
        }

        var size = DefaultLimit;
        if (!string.IsNullOrWhiteSpace(limit) && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxLimit))
        {
            return (null, new FieldError("limit", $"must be between 1 and {MaxLimit}"));
        }

        return (new AuditQuery(Blank(actor), Blank(action), Blank(target), first, last, cursor, size), null);
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    /// <summary>A day is its midnight UTC; a time with an offset is converted to UTC; one without is taken as UTC.</summary>
    private static bool TryTime(string text, out DateTime value)
    {
        var ok = DateTime.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out value);
        return ok && value.Year is >= 1900 and <= 2200;
    }
}

/// <summary>One entry as the API, the command line and the UI show it.</summary>
public sealed record AuditEntry(long Id, DateTime At, string Actor, string ActorKind, string Action, string? Target, string? Detail, string? Ip);

public sealed record AuditEntries(IReadOnlyList<AuditEntry> Items, long? NextBefore);

public static class AuditSearch
{
    public static readonly string[] CsvColumns = ["id", "at", "actor", "actorKind", "action", "target", "detail", "ip"];

    /// <summary>One page of the workspace's entries, newest first.</summary>
    public static async Task<AuditEntries> PageAsync(CxoDb db, long workspaceId, AuditQuery query, CancellationToken ct)
    {
        var rows = await Filter(db, workspaceId, query).Take(query.Limit + 1).ToListAsync(ct).ConfigureAwait(false);
        var more = rows.Count > query.Limit;
        var items = rows.Take(query.Limit).Select(Entry).ToList();
        return new AuditEntries(items, more ? items[^1].Id : null);
    }

    /// <summary>Every matching entry (newest first), up to <see cref="AuditQuery.MaxExport"/>, read in pages.</summary>
    public static async IAsyncEnumerable<AuditEntry> AllAsync(CxoDb db, long workspaceId, AuditQuery query, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var page = query with { Limit = AuditQuery.MaxLimit };
        var written = 0;
        while (written < AuditQuery.MaxExport)
        {
            var result = await PageAsync(db, workspaceId, page, ct).ConfigureAwait(false);
            foreach (var entry in result.Items.Take(AuditQuery.MaxExport - written))
            {
                written++;
                yield return entry;
            }

            if (result.NextBefore is not { } next)
            {
                yield break;
            }

            page = page with { Before = next };
        }
    }

    /// <summary>RFC 4180 CSV with free text made harmless for spreadsheets; times ISO 8601 UTC.</summary>
    public static async Task WriteCsvAsync(TextWriter writer, IAsyncEnumerable<AuditEntry> entries, CancellationToken ct)
    {
        await writer.WriteAsync(string.Join(',', CsvColumns) + "\r\n").ConfigureAwait(false);
        await foreach (var e in entries.WithCancellation(ct).ConfigureAwait(false))
        {
            var line = new StringBuilder()
                .Append(e.Id.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(e.At.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)).Append(',')
                .Append(Touchpoints.TouchpointExplorer.CsvCell(e.Actor)).Append(',')
                .Append(e.ActorKind).Append(',')
                .Append(Touchpoints.TouchpointExplorer.CsvCell(e.Action)).Append(',')
                .Append(Touchpoints.TouchpointExplorer.CsvCell(e.Target)).Append(',')
                .Append(Touchpoints.TouchpointExplorer.CsvCell(e.Detail)).Append(',')
                .Append(Touchpoints.TouchpointExplorer.CsvCell(e.Ip))
                .Append("\r\n");
            await writer.WriteAsync(line.ToString()).ConfigureAwait(false);
        }
    }

    private static IQueryable<AuditRow> Filter(CxoDb db, long workspaceId, AuditQuery query)
    {
        var rows = db.AuditLog.AsNoTracking().Where(a => a.WorkspaceId == workspaceId);
        if (query.Actor is { } actor)
        {
            rows = rows.Where(a => a.Actor == actor);
        }

        if (query.Action is { } action)
        {
            var family = action + ".";
            rows = rows.Where(a => a.Action == action || a.Action.StartsWith(family));
        }

        if (query.Target is { } target)
        {
            rows = rows.Where(a => a.Target == target);
        }

        if (query.From is { } from)
        {
            rows = rows.Where(a => a.At >= from);
        }

        if (query.To is { } to)
        {
            rows = rows.Where(a => a.At < to);
        }

        if (query.Before is { } before)
        {
            rows = rows.Where(a => a.Id < before);
        }

        return rows.OrderByDescending(a => a.Id);
    }

    private static AuditEntry Entry(AuditRow r) => new(r.Id, DateTime.SpecifyKind(r.At, DateTimeKind.Utc), r.Actor, r.ActorKind, r.Action, r.Target, r.Detail, r.Ip);
}
