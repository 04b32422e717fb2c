using Microsoft.EntityFrameworkCore;
using OpenCxo.App.Profiles;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Privacy;

/// <summary>Who may be offered something and who may not be contacted at all: next best actions and every segment export read the same.</summary>
public static class ContactPreferences
{
    /// <summary>
    /// The live customers (among the profiles <paramref name="profiles"/>, or all) who opted out of surveys, refused
    /// survey or marketing consent (as an attribute, or recorded as consent), and those marked do-not-contact. Read from the system of record, not the analytics
    /// copy, so a preference counts the moment it is accepted; one given under a profile since merged counts for the
    /// survivor.
    /// </summary>
    public static async Task<(HashSet<long> OptedOut, HashSet<long> DoNotContact)> ReadAsync(CxoDb db, long workspaceId, IReadOnlyCollection<long>? profiles, CancellationToken ct)
    {
        if (profiles is not null)
        {
            // The pages' customers are live ids: add the profiles merged into them.
            var live = profiles.ToList();
            profiles = [.. live, .. await db.Customers.AsNoTracking().Where(c => c.WorkspaceId == workspaceId && c.MergedInto != null && live.Contains(c.MergedInto.Value)).Select(c => c.Id).ToListAsync(ct).ConfigureAwait(false)];
        }

        var merged = db.Customers.AsNoTracking().Where(c => c.WorkspaceId == workspaceId);
        var optOuts = await db.SurveyOptOuts.AsNoTracking()
            .Where(o => o.WorkspaceId == workspaceId && (profiles == null || profiles.Contains(o.CustomerId)))
            .Join(merged, o => o.CustomerId, c => c.Id, (o, c) => c.MergedInto ?? c.Id)
            .ToListAsync(ct).ConfigureAwait(false);
        var flags = await db.CustomerTraits.AsNoTracking()
            .Where(t => t.WorkspaceId == workspaceId && (t.Name == "marketingConsent" || t.Name == "surveyConsent" || t.Name == "doNotContact")
                && (profiles == null || profiles.Contains(t.CustomerId)))
            .Join(merged, t => t.CustomerId, c => c.Id, (t, c) => new { Live = c.MergedInto ?? c.Id, t.Name, t.ValueJson })
            .ToListAsync(ct).ConfigureAwait(false);
        // Marketing consent recorded through the privacy API or the Customer 360 page: the latest answer counts.
        var refusedMarketing = await CustomerPrivacy.RefusedAsync(db, workspaceId, CustomerPrivacy.Marketing, ct).ConfigureAwait(false);
        var optedOut = optOuts.ToHashSet();
        optedOut.UnionWith(flags.Where(f => f.Name is "marketingConsent" or "surveyConsent" && TraitFlags.Refuses(f.ValueJson)).Select(f => f.Live));
        optedOut.UnionWith(refusedMarketing);
        var doNotContact = flags.Where(f => f.Name == "doNotContact" && TraitFlags.Affirms(f.ValueJson)).Select(f => f.Live).ToHashSet();
        return (optedOut, doNotContact);
    }
}
