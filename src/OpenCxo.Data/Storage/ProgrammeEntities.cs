using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenCxo.Data.Storage;

/// <summary>
/// A saved, dynamic segment (issue 10): its definition is one JSON document (the API's shape), checked by the app.
/// <see cref="Members"/> and <see cref="RefreshedAt"/> are the last refresh's count and time.
/// </summary>
public sealed class SegmentRow
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }

    /// <summary>Unique per workspace: <c>^[a-z0-9][a-z0-9-]{0,63}$</c>.</summary>
    public required string Key { get; set; }

    public required string DefinitionJson { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public required string UpdatedBy { get; set; }
    public DateTime? RefreshedAt { get; set; }
    public long? Members { get; set; }

    /// <summary>Numbers the webhook batches of member changes, so a receiver can apply them in order.</summary>
    public long ChangeSequence { get; set; }
}

/// <summary>One stay of a customer (a live profile) in a segment: joined at one refresh, left at a later one (null: still in).</summary>
public sealed class SegmentMemberRow
{
    public long Id { get; set; }
    public long SegmentId { get; set; }
    public long WorkspaceId { get; set; }
    public long CustomerId { get; set; }
    public DateTime JoinedAt { get; set; }
    public DateTime? LeftAt { get; set; }

    /// <summary>Sent to the segment's webhook as added (and not since as removed): in the audience at the last refresh.</summary>
    public bool Synced { get; set; }
}

/// <summary>A segment's size at one refresh, and how many joined and left since the one before: its history.</summary>
public sealed class SegmentSnapshotRow
{
    public long Id { get; set; }
    public long SegmentId { get; set; }
    public DateTime TakenAt { get; set; }
    public long Members { get; set; }
    public long Joined { get; set; }
    public long Left { get; set; }
}

internal sealed class SegmentConfiguration : IEntityTypeConfiguration<SegmentRow>
{
    public void Configure(EntityTypeBuilder<SegmentRow> builder)
    {
        builder.ToTable("segments");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.Key).HasMaxLength(64);
        builder.Property(x => x.UpdatedBy).HasMaxLength(100);
        builder.HasIndex(x => new { x.WorkspaceId, x.Key }).IsUnique();
    }
}

internal sealed class SegmentMemberConfiguration : IEntityTypeConfiguration<SegmentMemberRow>
{
    public void Configure(EntityTypeBuilder<SegmentMemberRow> builder)
    {
        builder.ToTable("segment_members");
        builder.HasKey(x => x.Id);
        builder.HasIndex(x => new { x.SegmentId, x.LeftAt, x.CustomerId });
        builder.HasIndex(x => new { x.WorkspaceId, x.CustomerId });
        builder.HasOne<SegmentRow>().WithMany().HasForeignKey(x => x.SegmentId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SegmentSnapshotConfiguration : IEntityTypeConfiguration<SegmentSnapshotRow>
{
    public void Configure(EntityTypeBuilder<SegmentSnapshotRow> builder)
    {
        builder.ToTable("segment_snapshots");
        builder.HasKey(x => x.Id);
        builder.HasIndex(x => new { x.SegmentId, x.TakenAt });
        builder.HasOne<SegmentRow>().WithMany().HasForeignKey(x => x.SegmentId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>
/// A campaign measured against a held-out control group (issue 10). Its definition (segment, control share, weeks,
/// name, owner) is one JSON document checked by the app; <see cref="Status"/> is <c>draft</c>, <c>running</c> or
/// <c>ended</c>. <see cref="Seed"/> draws the control group at launch, so the draw can be reproduced.
/// </summary>
public sealed class CampaignRow
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }

    /// <summary>Unique per workspace: <c>^[a-z0-9][a-z0-9-]{0,63}$</c>; the <c>campaign</c> its touchpoints carry.</summary>
    public required string Key { get; set; }

    public required string DefinitionJson { get; set; }
    public required string Status { get; set; }
    public string? Seed { get; set; }
    public DateTime? LaunchedAt { get; set; }
    public DateTime? EndedAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public required string UpdatedBy { get; set; }
}

/// <summary>One customer of a campaign's audience at launch, treated or held out (<see cref="Control"/>).</summary>
public sealed class CampaignMemberRow
{
    public long Id { get; set; }
    public long CampaignId { get; set; }
    public long WorkspaceId { get; set; }
    public long CustomerId { get; set; }
    public bool Control { get; set; }
}

/// <summary>A CX initiative in the portfolio (issue 10): owner department, sponsor, budget, dates, targets; one JSON document checked by the app.</summary>
public sealed class InitiativeRow
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }

    /// <summary>Unique per workspace: <c>^[a-z0-9][a-z0-9-]{0,63}$</c>.</summary>
    public required string Key { get; set; }

    public required string OwnerDepartment { get; set; }
    public required string DefinitionJson { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public required string UpdatedBy { get; set; }
}

/// <summary>One CX maturity assessment of a department: a score per practice of the built-in checklist, with notes.</summary>
public sealed class MaturityAssessmentRow
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public required string Department { get; set; }
    public DateTime AssessedAt { get; set; }
    public required string AssessedBy { get; set; }

    /// <summary>The answers: <c>{"practice": {"score": 0–4, "note": "…"}}</c>.</summary>
    public required string AnswersJson { get; set; }

    /// <summary>The mean practice score, 0–4, of the answered practices.</summary>
    public double Score { get; set; }
}

internal sealed class CampaignConfiguration : IEntityTypeConfiguration<CampaignRow>
{
    public void Configure(EntityTypeBuilder<CampaignRow> builder)
    {
        builder.ToTable("campaigns");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.Key).HasMaxLength(64);

        // An edit or a delete that read a draft must not land on a campaign launched meanwhile.
        builder.Property(x => x.Status).HasMaxLength(16).IsConcurrencyToken();
        builder.Property(x => x.Seed).HasMaxLength(64);
        builder.Property(x => x.UpdatedBy).HasMaxLength(100);
        builder.HasIndex(x => new { x.WorkspaceId, x.Key }).IsUnique();
    }
}

internal sealed class CampaignMemberConfiguration : IEntityTypeConfiguration<CampaignMemberRow>
{
    public void Configure(EntityTypeBuilder<CampaignMemberRow> builder)
    {
        builder.ToTable("campaign_members");
        builder.HasKey(x => x.Id);
        builder.HasIndex(x => new { x.CampaignId, x.CustomerId }).IsUnique();
        builder.HasIndex(x => new { x.WorkspaceId, x.CustomerId });
        builder.HasOne<CampaignRow>().WithMany().HasForeignKey(x => x.CampaignId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class InitiativeConfiguration : IEntityTypeConfiguration<InitiativeRow>
{
    public void Configure(EntityTypeBuilder<InitiativeRow> builder)
    {
        builder.ToTable("initiatives");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.Key).HasMaxLength(64);
        builder.Property(x => x.OwnerDepartment).HasMaxLength(32);
        builder.Property(x => x.UpdatedBy).HasMaxLength(100);
        builder.HasIndex(x => new { x.WorkspaceId, x.Key }).IsUnique();
    }
}

internal sealed class MaturityAssessmentConfiguration : IEntityTypeConfiguration<MaturityAssessmentRow>
{
    public void Configure(EntityTypeBuilder<MaturityAssessmentRow> builder)
    {
        builder.ToTable("maturity_assessments");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.Department).HasMaxLength(32);
        builder.Property(x => x.AssessedBy).HasMaxLength(100);
        builder.HasIndex(x => new { x.WorkspaceId, x.Department, x.AssessedAt });
    }
}
