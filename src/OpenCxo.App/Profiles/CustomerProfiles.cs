using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenCxo.App.Predict;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Profiles;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Profiles;

/// <summary>The 360° view of one customer, as the API and <c>cxo customer show</c> present it.</summary>
public sealed record CustomerProfile(
    long Id,
    DateTime FirstSeen,
    DateTime LastSeen,
    IReadOnlyList<string> Emails,
    IReadOnlyList<string> Phones,
    IReadOnlyDictionary<string, IReadOnlyList<string>> ExternalIds,
    IReadOnlyDictionary<string, JsonElement> Attributes,
    TouchpointCounts Touchpoints,
    IReadOnlyList<LifetimeValue> LifetimeValue,
    IReadOnlyList<MergeRecord> Merges,
    CustomerPredictions? Predictions);

/// <summary>
/// The latest model run's view of the customer (docs/churn.md, docs/clv.md): churn risk over the run's window with the
/// reasons that raised it most, and the buy-till-you-die models' probability alive, expected purchases, expected spend
/// per purchase and discounted lifetime value over the run's horizon. Null parts: the model could not score them.
/// </summary>
public sealed record CustomerPredictions(
    DateTime AsOf,
    double? ChurnRisk,
    IReadOnlyList<ChurnReasonView> ChurnReasons,
    double? ProbabilityAlive,
    double? ExpectedPurchases,
    double? ExpectedSpend,
    double? PredictedLifetimeValue,
    string? Currency);

/// <summary>One reason: the feature, the customer's value of it, how much it raised the log-odds of churn, and in plain words.</summary>
public sealed record ChurnReasonView(string Feature, string Value, double LogOdds, string Text);

public sealed record TouchpointCounts(long Total, IReadOnlyDictionary<string, long> ByDepartment, IReadOnlyDictionary<string, long> ByChannel);

/// <summary>Purchases (order.placed, subscription.started, subscription.renewed) less refunds (refund.issued), per currency.</summary>
public sealed record LifetimeValue(string Currency, decimal Purchases, decimal Refunds, decimal Net);

public sealed record MergeRecord(long AbsorbedId, string EventId, DateTime OccurredAt, DateTime MergedAt);

public sealed record TimelineEntry(string Id, DateTime OccurredAt, string Department, string Channel, string Type, decimal Value, string? Currency, string? Text, JsonElement? Attributes);

public sealed record TimelinePage(long CustomerId, IReadOnlyList<TimelineEntry> Items, string? NextCursor);

/// <summary>Which touchpoints a timeline shows; an empty list means all.</summary>
public sealed record TimelineFilter(IReadOnlyList<string> Departments, IReadOnlyList<string> Channels)
{
    public static readonly TimelineFilter All = new([], []);
}

public static class CustomerProfiles
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;


    /// <summary>
    /// One identity of each customer's live profile (a merged id answers with its survivor's), the first by kind and
    /// value, so that the same one is chosen every time; null for a customer with none. For touchpoints the product
    /// writes about a customer (a survey answer, a closed case) through the ingest pipeline, which takes identities.
    /// </summary>
    public static async Task<Dictionary<long, IdentityKey?>> IdentityOfAsync(CxoDb db, long workspaceId, IReadOnlyCollection<long> customers, CancellationToken ct)
    {
        var live = await db.Customers.AsNoTracking()
            .Where(c => c.WorkspaceId == workspaceId && customers.Contains(c.Id))
            .ToDictionaryAsync(c => c.Id, c => c.MergedInto ?? c.Id, ct).ConfigureAwait(false);
        var liveIds = live.Values.Distinct().ToList();
        var known = (await db.Identities.AsNoTracking()
            .Where(i => i.WorkspaceId == workspaceId && liveIds.Contains(i.CustomerId))
            .Select(i => new { i.CustomerId, i.Kind, i.Value })
            .ToListAsync(ct).ConfigureAwait(false))
            .GroupBy(i => i.CustomerId)
            .ToDictionary(g => g.Key, g => g.OrderBy(i => i.Kind, StringComparer.Ordinal).ThenBy(i => i.Value, StringComparer.Ordinal).Select(i => new IdentityKey(i.Kind, i.Value)).First());
        return customers.Distinct().ToDictionary(c => c, c => live.TryGetValue(c, out var id) && known.TryGetValue(id, out var key) ? (IdentityKey?)key : null);
    }

    /// <summary>The live customer an id stands for: a merged profile answers with its survivor.</summary>
    public static async Task<long?> ResolveIdAsync(CxoDb db, long workspaceId, long customerId, CancellationToken cancellationToken)
    {
        var row = await db.Customers.AsNoTracking()
            .Where(c => c.WorkspaceId == workspaceId && c.Id == customerId)
            .Select(c => new { c.Id, c.MergedInto })
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return row?.MergedInto ?? row?.Id;
    }

    /// <summary>
    /// Exactly one identity, given as an email, a phone or <c>system:value</c>, normalised as ingest does; otherwise
    /// the field at fault (<paramref name="field"/> when not exactly one is given).
    /// </summary>
    public static (IdentityKey? Key, FieldError? Problem) ParseLookup(
        IdentityNormalizer normalizer, string? email, string? phone, string? externalId, string field)
    {
        if (new[] { email, phone, externalId }.Count(v => v is not null) != 1)
        {
            return (null, new FieldError(field, "give exactly one of email, phone or externalId"));
        }

        string error;
        if (email is not null)
        {
            return IdentityNormalizer.TryNormalizeEmail(email, out var normalised, out error)
                ? (IdentityKey.Email(normalised), null)
                : (null, new FieldError("email", error));
        }

        if (phone is not null)
        {
            return normalizer.TryNormalizePhone(phone, out var e164, out error)
                ? (IdentityKey.Phone(e164), null)
                : (null, new FieldError("phone", error));
        }

        return IdentityNormalizer.TryParseExternalLookup(externalId, out var key, out error)
            ? (key, null)
            : (null, new FieldError("externalId", error));
    }

    public static async Task<long?> FindByIdentityAsync(CxoDb db, long workspaceId, IdentityKey key, CancellationToken cancellationToken)
    {
        var id = await db.Identities.AsNoTracking()
            .Where(i => i.WorkspaceId == workspaceId && i.Kind == key.Kind && i.Value == key.Value)
            .Select(i => (long?)i.CustomerId)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return id is null ? null : await ResolveIdAsync(db, workspaceId, id.Value, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<CustomerProfile?> GetAsync(CxoDb db, long workspaceId, long customerId, CancellationToken cancellationToken)
    {
        var id = await ResolveIdAsync(db, workspaceId, customerId, cancellationToken).ConfigureAwait(false);
        if (id is not { } live)
        {
            return null;
        }

        var customer = await db.Customers.AsNoTracking().FirstAsync(c => c.WorkspaceId == workspaceId && c.Id == live, cancellationToken).ConfigureAwait(false);
        var identities = await db.Identities.AsNoTracking()
            .Where(i => i.WorkspaceId == workspaceId && i.CustomerId == live)
            .Select(i => new { i.Kind, i.Value })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var traits = await db.CustomerTraits.AsNoTracking()
            .Where(t => t.WorkspaceId == workspaceId && t.CustomerId == live)
            .OrderBy(t => t.Name)
            .Select(t => new { t.Name, t.ValueJson })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var counts = await db.Interactions.AsNoTracking()
            .Where(x => x.WorkspaceId == workspaceId && x.CustomerId == live)
            .GroupBy(x => new { x.Department, x.Channel })
            .Select(g => new { g.Key.Department, g.Key.Channel, Count = g.LongCount() })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var money = await db.Interactions.AsNoTracking()
            .Where(x => x.WorkspaceId == workspaceId && x.CustomerId == live && x.Currency != null
                && (AnalyticsStore.PurchaseTypes.Contains(x.Type) || x.Type == AnalyticsStore.RefundType))
            .GroupBy(x => new { x.Currency, Refund = x.Type == AnalyticsStore.RefundType })
            .Select(g => new { g.Key.Currency, g.Key.Refund, SumE4 = g.Sum(x => x.ValueE4) })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var merges = await db.CustomerMerges.AsNoTracking()
            .Where(m => m.WorkspaceId == workspaceId && m.SurvivorId == live)
            .OrderBy(m => m.Seq)
            .Select(m => new MergeRecord(m.AbsorbedId, m.EventId, m.OccurredAt, m.MergedAt))
            .ToListAsync(cancellationToken).ConfigureAwait(false);

        var external = identities.Where(i => i.Kind.StartsWith(IdentityKey.ExternalPrefix, StringComparison.Ordinal))
            .GroupBy(i => i.Kind[IdentityKey.ExternalPrefix.Length..])
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(i => i.Value).Order(StringComparer.Ordinal)]);
        var lifetime = money.GroupBy(m => m.Currency!)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var purchases = g.Where(m => !m.Refund).Sum(m => m.SumE4) / 10_000m;
                var refunds = g.Where(m => m.Refund).Sum(m => m.SumE4) / 10_000m;
                return new LifetimeValue(g.Key, purchases, refunds, purchases - refunds);
            })
            .ToList();

        return new CustomerProfile(
            live,
            customer.FirstSeen,
            customer.LastSeen,
            [.. identities.Where(i => i.Kind == IdentityKey.EmailKind).Select(i => i.Value).Order(StringComparer.Ordinal)],
            [.. identities.Where(i => i.Kind == IdentityKey.PhoneKind).Select(i => i.Value).Order(StringComparer.Ordinal)],
            external,
            traits.ToDictionary(t => t.Name, t => JsonDocument.Parse(t.ValueJson).RootElement.Clone()),
            new TouchpointCounts(
                counts.Sum(c => c.Count),
                counts.GroupBy(c => c.Department).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(c => c.Count)),
                counts.GroupBy(c => c.Channel).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(c => c.Count))),
            lifetime,
            merges,
            await PredictionsAsync(db, workspaceId, live, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<CustomerPredictions?> PredictionsAsync(CxoDb db, long workspaceId, long live, CancellationToken ct)
    {
        var score = await db.CustomerScores.AsNoTracking()
            .Where(s => s.WorkspaceId == workspaceId && s.CustomerId == live)
            .Join(db.ModelRuns, s => s.RunId, r => r.Id, (s, r) => new { Score = s, r.AsOf })
            .FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (score is null)
        {
            return null;
        }

        var s = score.Score;
        var reasons = s.ChurnReasonsJson is null
            ? []
            : PredictionService.Reasons(s.ChurnReasonsJson)
                .Select(r => new ChurnReasonView(r.Feature, r.Value, r.LogOdds, ChurnReasonText.Describe(r.Feature, r.Value)))
                .ToList();
        return new CustomerPredictions(score.AsOf, s.ChurnRisk, reasons, s.ProbabilityAlive, s.ExpectedPurchases, s.ExpectedSpend, s.LifetimeValue, s.Currency);
    }

    /// <summary>Touchpoints newest first; the cursor is the (time, seq) of the last entry returned, so pages never skip or repeat.</summary>
    public static async Task<TimelinePage?> TimelineAsync(
        CxoDb db, long workspaceId, long customerId, int limit, string? cursor, TimelineFilter filter, CancellationToken cancellationToken)
    {
        var id = await ResolveIdAsync(db, workspaceId, customerId, cancellationToken).ConfigureAwait(false);
        if (id is not { } live)
        {
            return null;
        }

        var query = db.Interactions.AsNoTracking().Where(x => x.WorkspaceId == workspaceId && x.CustomerId == live);
        if (filter.Departments.Count > 0)
        {
            query = query.Where(x => filter.Departments.Contains(x.Department));
        }

        if (filter.Channels.Count > 0)
        {
            query = query.Where(x => filter.Channels.Contains(x.Channel));
        }
        if (cursor is not null)
        {
            var (time, seq) = DecodeCursor(cursor);
            query = query.Where(x => x.OccurredAt < time || (x.OccurredAt == time && x.Seq < seq));
        }

        var rows = await query
            .OrderByDescending(x => x.OccurredAt).ThenByDescending(x => x.Seq)
            .Take(limit + 1)
            .Select(x => new { x.Seq, x.EventId, x.OccurredAt, x.Department, x.Channel, x.Type, x.ValueE4, x.Currency, x.Text, x.Attributes })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var page = rows.Take(limit).ToList();
        var next = rows.Count > limit ? EncodeCursor(page[^1].OccurredAt, page[^1].Seq) : null;
        return new TimelinePage(
            live,
            [.. page.Select(x => new TimelineEntry(
                x.EventId, x.OccurredAt, x.Department, x.Channel, x.Type, x.ValueE4 / 10_000m, x.Currency, x.Text,
                x.Attributes is null ? null : JsonDocument.Parse(x.Attributes).RootElement.Clone()))],
            next);
    }

    public static string EncodeCursor(DateTime time, long seq) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{UnixMicros.From(time)}:{seq}")))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <exception cref="FormatException">The cursor was not made by <see cref="EncodeCursor"/>.</exception>
    public static (DateTime Time, long Seq) DecodeCursor(string cursor)
    {
        try
        {
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            var text = Encoding.ASCII.GetString(Convert.FromBase64String(base64));
            var parts = text.Split(':');
            if (parts.Length == 2
                && long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var micros)
                && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var seq)
                && micros is >= 0 and < 253_402_300_800_000_000)
            {
                return (UnixMicros.ToDateTime(micros), seq);
            }
        }
        catch (FormatException)
        {
        }

        throw new FormatException("cursor is not one this API returned");
    }
}
