using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenCxo.Data.Storage;

internal sealed class KpiConfiguration : IEntityTypeConfiguration<KpiRow>
{
    public void Configure(EntityTypeBuilder<KpiRow> builder)
    {
        builder.ToTable("kpis");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.Key).HasMaxLength(64);
        builder.Property(x => x.OwnerDepartment).HasMaxLength(40);
        builder.Property(x => x.UpdatedBy).HasMaxLength(100);
        builder.HasIndex(x => new { x.WorkspaceId, x.Key }).IsUnique();
    }
}

internal sealed class KpiSnapshotConfiguration : IEntityTypeConfiguration<KpiSnapshotRow>
{
    public void Configure(EntityTypeBuilder<KpiSnapshotRow> builder)
    {
        builder.ToTable("kpi_snapshots");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.Status).HasMaxLength(16);
        builder.HasIndex(x => new { x.KpiId, x.PeriodFrom }).IsUnique();
        builder.HasOne<KpiRow>().WithMany().HasForeignKey(x => x.KpiId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AlertRuleConfiguration : IEntityTypeConfiguration<AlertRuleRow>
{
    public void Configure(EntityTypeBuilder<AlertRuleRow> builder)
    {
        builder.ToTable("alert_rules");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.Key).HasMaxLength(64);
        builder.Property(x => x.UpdatedBy).HasMaxLength(100);
        builder.HasIndex(x => new { x.WorkspaceId, x.Key }).IsUnique();
    }
}

internal sealed class AlertConfiguration : IEntityTypeConfiguration<AlertRow>
{
    public void Configure(EntityTypeBuilder<AlertRow> builder)
    {
        builder.ToTable("alerts");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.DedupeKey).HasMaxLength(300);
        builder.Property(x => x.Subject).HasMaxLength(200);
        builder.Property(x => x.Summary).HasMaxLength(500);
        builder.Property(x => x.AcknowledgedBy).HasMaxLength(100);
        builder.HasIndex(x => new { x.RuleId, x.DedupeKey }).IsUnique();
        builder.HasIndex(x => new { x.WorkspaceId, x.FiredAt });
        builder.HasOne<AlertRuleRow>().WithMany().HasForeignKey(x => x.RuleId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AlertDeliveryConfiguration : IEntityTypeConfiguration<AlertDeliveryRow>
{
    public void Configure(EntityTypeBuilder<AlertDeliveryRow> builder)
    {
        builder.ToTable("alert_deliveries");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.Channel).HasMaxLength(16);
        builder.Property(x => x.Target).HasMaxLength(500);
        builder.Property(x => x.LastError).HasMaxLength(1000);
        builder.HasIndex(x => new { x.DeliveredAt, x.GaveUp, x.NextAttemptAt });
        builder.HasOne<AlertRow>().WithMany().HasForeignKey(x => x.AlertId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<DigestRow>().WithMany().HasForeignKey(x => x.DigestId).OnDelete(DeleteBehavior.Cascade);
    }
}
