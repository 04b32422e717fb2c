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
