using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace OpenCxo.Data.Storage;

/// <summary>Who is acting: a signed-in person, an API key, the command line, or a background job.</summary>
/// <param name="Name">The user's or key's name, or <c>cli:OS-USER</c>.</param>
/// <param name="Kind"><c>user</c>, <c>key</c>, <c>cli</c>, <c>system</c> or <c>anonymous</c>.</param>
public sealed record AuditActor(string Name, string Kind, string? Ip = null)
{
    public static readonly AuditActor System = new("system", "system");

    public static AuditActor Cli() => new("cli:" + Environment.UserName, "cli");

    /// <summary>Whether the person or program behind this actor answers for what it changes (background jobs do not).</summary>
    public bool IsAccountable => Kind is "user" or "key" or "cli";
}

/// <summary>
/// The actor of the current request, circuit event or command, carried along async calls. The web host sets it after
/// authentication, the UI for every event of a circuit, and the command line once; background jobs leave it unset.
/// </summary>
public static class AuditContext
{
    private static readonly AsyncLocal<AuditActor?> Ambient = new();

    public static AuditActor? Current
    {
        get => Ambient.Value;
        set => Ambient.Value = value;
    }
}

/// <summary>Writes audit entries, and finds them again.</summary>
public static class AuditTrail
{
    public const int MaxDetail = 2000;

    /// <summary>Appends one entry on its own.</summary>
    public static async Task RecordAsync(CxoDbFactory databases, AuditActor actor, long? workspaceId, string action, string? target, string? detail, DateTime now, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(databases);
        await using var db = databases.CreateDbContext();
        db.AuditLog.Add(Entry(actor, workspaceId, action, target, detail, now));
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
    }

    public static AuditRow Entry(AuditActor actor, long? workspaceId, string action, string? target, string? detail, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return new AuditRow
        {
            WorkspaceId = workspaceId,
            At = now,
            Actor = Clip(actor.Name, 200),
            ActorKind = actor.Kind,
            Action = Clip(action, 60),
            Target = target is null ? null : Clip(target, 200),
            Detail = detail is null ? null : Clip(detail, MaxDetail),
            Ip = actor.Ip is null ? null : Clip(actor.Ip, 64),
        };
    }

    private static string Clip(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}

/// <summary>
/// Records every change to configuration and consent saved through EF by an accountable actor (a person, a key, the
/// command line), in the same transaction as the change: an entry per created, changed or deleted row, naming the
/// fields that changed but not their values (which may be long documents). Changes made with bulk
/// <c>ExecuteUpdate</c>/<c>ExecuteDelete</c> bypass it, so configuration is never changed that way.
/// </summary>
public sealed class AuditInterceptor(TimeProvider time) : SaveChangesInterceptor
{
    public static readonly AuditInterceptor Instance = new(TimeProvider.System);

    /// <summary>What is audited: the kind named in the action, and how a row is named in the target.</summary>
    private static readonly Dictionary<Type, (string Kind, Func<object, string> Target, string[] Ignored)> Audited = new()
    {
        [typeof(KpiRow)] = ("kpi", r => "kpi:" + ((KpiRow)r).Key, []),
        [typeof(AlertRuleRow)] = ("alert-rule", r => "alert-rule:" + ((AlertRuleRow)r).Key, []),
        [typeof(PromiseRow)] = ("promise", r => "promise:" + ((PromiseRow)r).Key, []),
        [typeof(SurveyRow)] = ("survey", r => "survey:" + ((SurveyRow)r).Key, []),
        [typeof(SurveyRuleRow)] = ("survey-rule", r => "survey-rule:" + ((SurveyRuleRow)r).Id.ToString(CultureInfo.InvariantCulture), ["LastRunAt"]),
        [typeof(TextTaxonomyRow)] = ("taxonomy", _ => "taxonomy", []),
        [typeof(ActionRuleSetRow)] = ("action-rules", _ => "action-rules", []),
        [typeof(CaseSettingsRow)] = ("case-settings", _ => "case-settings", []),
        [typeof(DigestSettingsRow)] = ("digest-settings", _ => "digest-settings", []),
        [typeof(JourneySettingsRow)] = ("journey-stages", _ => "journey-stages", []),
        [typeof(CustomerNeedsRow)] = ("customer-needs", _ => "customer-needs", []),
        [typeof(RetentionSettingsRow)] = ("retention", _ => "retention", []),
        [typeof(SegmentRow)] = ("segment", r => "segment:" + ((SegmentRow)r).Key, ["RefreshedAt", "Members", "ChangeSequence"]),
        [typeof(CampaignRow)] = ("campaign", r => "campaign:" + ((CampaignRow)r).Key, []),
        [typeof(InitiativeRow)] = ("initiative", r => "initiative:" + ((InitiativeRow)r).Key, []),
        [typeof(MaturityAssessmentRow)] = ("maturity", r => "maturity:" + ((MaturityAssessmentRow)r).Department, []),
        [typeof(UserRow)] = ("user", r => "user:" + ((UserRow)r).Name, ["FailedSignIns", "LockedUntil"]),
        [typeof(ApiKey)] = ("api-key", r => "api-key:" + ((ApiKey)r).Name, []),
        [typeof(ConsentRow)] = ("consent", r => "customer:" + ((ConsentRow)r).CustomerId.ToString(CultureInfo.InvariantCulture), []),
    };

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        AddEntries(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        AddEntries(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private void AddEntries(DbContext? context)
    {
        if (context is not CxoDb db || AuditContext.Current is not { IsAccountable: true } actor)
        {
            return;
        }

        db.ChangeTracker.DetectChanges();
        var now = time.GetUtcNow().UtcDateTime;
        var entries = new List<AuditRow>();
        foreach (var entry in db.ChangeTracker.Entries())
        {
            if (!Audited.TryGetValue(entry.Entity.GetType(), out var audited) || entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted))
            {
                continue;
            }

            var (verb, detail) = Describe(entry, audited.Kind, audited.Ignored);
            if (verb is null)
            {
                continue;
            }

            var workspace = entry.Metadata.FindProperty("WorkspaceId") is { } property ? (long?)entry.Property(property.Name).CurrentValue : null;
            entries.Add(AuditTrail.Entry(actor, workspace, $"config.{audited.Kind}.{verb}", audited.Target(entry.Entity), detail, now));
        }

        db.AuditLog.AddRange(entries);
    }

    private static (string? Verb, string? Detail) Describe(EntityEntry entry, string kind, string[] ignored)
    {
        if (entry.Entity is ConsentRow consent)
        {
            return ("record", $"{consent.Purpose}: {(consent.Granted ? "granted" : "refused")} ({consent.Source})");
        }

        switch (entry.State)
        {
            case EntityState.Added:
                return ("create", null);
            case EntityState.Deleted:
                return ("delete", null);
        }

        var changed = entry.Properties
            .Where(p => p.IsModified && !Equals(p.OriginalValue, p.CurrentValue) && !ignored.Contains(p.Metadata.Name) && p.Metadata.Name is not ("UpdatedAt" or "UpdatedBy"))
            .Select(p => p.Metadata.Name)
            .ToList();
        if (changed.Count == 0)
        {
            return (null, null);
        }

        // A revoked key, a disabled user or a new password is worth its own word.
        var verb = kind switch
        {
            "api-key" when changed.Contains(nameof(ApiKey.RevokedAt)) => "revoke",
            "user" when changed.Contains(nameof(UserRow.DisabledAt)) => "disable",
            "user" when changed.Contains(nameof(UserRow.PasswordHash)) => "password",
            _ => "update",
        };
        return (verb, "changed: " + string.Join(", ", changed));
    }
}
