using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenCxo.Data.Storage;

/// <summary>
/// One entry of the audit log (issue 9): who did what, to what, and from where. Append-only — the database refuses
/// updates and deletes of these rows (triggers in both providers), so an entry, once written, stays as written.
/// </summary>
public sealed class AuditRow
{
    public long Id { get; set; }

    /// <summary>None for a failed sign-in under an unknown name: no workspace is known.</summary>
    public long? WorkspaceId { get; set; }

    public DateTime At { get; set; }

    /// <summary>The user's or API key's name, <c>cli:OS-USER</c> for the command line, or the name tried at a failed sign-in.</summary>
    public required string Actor { get; set; }

    /// <summary><c>user</c>, <c>key</c>, <c>cli</c>, <c>system</c> or <c>anonymous</c>.</summary>
    public required string ActorKind { get; set; }

    /// <summary>What happened, e.g. <c>sign-in</c>, <c>customer.view</c>, <c>export</c>, <c>config.kpi.update</c>, <c>customer.erase</c>.</summary>
    public required string Action { get; set; }

    /// <summary>What it happened to, e.g. <c>customer:42</c>, <c>kpi:nps</c>, <c>user:ana</c>.</summary>
    public string? Target { get; set; }

    /// <summary>A short description without personal data: changed fields, counts, the reason of a failure.</summary>
    public string? Detail { get; set; }

    public string? Ip { get; set; }
}

/// <summary>
/// A customer's consent for one purpose (<c>surveys</c>, <c>marketing</c>, <c>profiling</c>), as recorded at one time.
/// Every change is a new row; the latest per purpose is in force. A purpose without a row has no recorded answer.
/// </summary>
public sealed class ConsentRow
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public long CustomerId { get; set; }
    public required string Purpose { get; set; }
    public bool Granted { get; set; }
    public DateTime RecordedAt { get; set; }

    /// <summary>Where the answer came from: <c>api</c>, <c>ui</c>, <c>event</c>, <c>import</c>, with an optional note after a colon.</summary>
    public required string Source { get; set; }
}

/// <summary>
/// A customer erased on request (identified only by the internal id, which carries no personal data). Analytics stores
/// apply the erasures above their own mark, so every instance's derived copy forgets the customer too.
/// </summary>
public sealed class ErasureRow
{
    public long Seq { get; set; }
    public long WorkspaceId { get; set; }
    public long CustomerId { get; set; }
    public DateTime ErasedAt { get; set; }
}

/// <summary>A lease on a background job: the one instance holding it runs the job until it expires or is renewed.</summary>
public sealed class LeaseRow
{
    public required string Name { get; set; }
    public required string Holder { get; set; }
    public DateTime ExpiresAt { get; set; }
}

/// <summary>A workspace's retention policies as last saved (JSON, the API's shape); none: keep everything.</summary>
public sealed class RetentionSettingsRow : IWorkspaceDocument
{
    public long WorkspaceId { get; set; }
    public required string RetentionJson { get; set; }
    public DateTime UpdatedAt { get; set; }

    string IWorkspaceDocument.Json { get => RetentionJson; set => RetentionJson = value; }
}

internal sealed class AuditConfiguration : IEntityTypeConfiguration<AuditRow>
{
    public void Configure(EntityTypeBuilder<AuditRow> builder)
    {
        builder.ToTable("audit_log");
        builder.Property(x => x.Actor).HasMaxLength(200);
        builder.Property(x => x.ActorKind).HasMaxLength(20);
        builder.Property(x => x.Action).HasMaxLength(60);
        builder.Property(x => x.Target).HasMaxLength(200);
        builder.Property(x => x.Detail).HasMaxLength(2000);
        builder.Property(x => x.Ip).HasMaxLength(64);
        builder.HasIndex(x => new { x.WorkspaceId, x.At });
        builder.HasIndex(x => new { x.WorkspaceId, x.Target });
    }
}

internal sealed class ConsentConfiguration : IEntityTypeConfiguration<ConsentRow>
{
    public void Configure(EntityTypeBuilder<ConsentRow> builder)
    {
        builder.ToTable("consents");
        builder.Property(x => x.Purpose).HasMaxLength(40);
        builder.Property(x => x.Source).HasMaxLength(200);
        builder.HasIndex(x => new { x.WorkspaceId, x.CustomerId, x.Purpose, x.RecordedAt });
    }
}

internal sealed class ErasureConfiguration : IEntityTypeConfiguration<ErasureRow>
{
    public void Configure(EntityTypeBuilder<ErasureRow> builder)
    {
        builder.ToTable("erasures");
        builder.HasKey(x => x.Seq);
    }
}

internal sealed class LeaseConfiguration : IEntityTypeConfiguration<LeaseRow>
{
    public void Configure(EntityTypeBuilder<LeaseRow> builder)
    {
        builder.ToTable("leases");
        builder.HasKey(x => x.Name);
        builder.Property(x => x.Name).HasMaxLength(100);
        builder.Property(x => x.Holder).HasMaxLength(200);
    }
}

internal sealed class RetentionSettingsConfiguration : IEntityTypeConfiguration<RetentionSettingsRow>
{
    public void Configure(EntityTypeBuilder<RetentionSettingsRow> builder)
    {
        builder.ToTable("retention_settings");
        builder.HasKey(x => x.WorkspaceId);
        builder.Property(x => x.WorkspaceId).ValueGeneratedNever();
    }
}
