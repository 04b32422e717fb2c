using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenCxo.Data.Storage;

internal sealed class CaseConfiguration : IEntityTypeConfiguration<CaseRow>
{
    public void Configure(EntityTypeBuilder<CaseRow> builder)
    {
        builder.ToTable("cases");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.TriggerKey).HasMaxLength(200);
        builder.Property(x => x.RuleKey).HasMaxLength(40);
        builder.Property(x => x.Trigger).HasMaxLength(20);
        builder.Property(x => x.Reason).HasMaxLength(500);
        builder.Property(x => x.Department).HasMaxLength(20);
        builder.Property(x => x.Team).HasMaxLength(100);
        builder.Property(x => x.Owner).HasMaxLength(100);
        builder.Property(x => x.Priority).HasMaxLength(10);
        builder.Property(x => x.Status).HasMaxLength(16);
        builder.Property(x => x.EscalatedTo).HasMaxLength(100);
        builder.Property(x => x.RootCause).HasMaxLength(40);
        // One case per trigger, whichever server or retry got there first.
        builder.HasIndex(x => new { x.WorkspaceId, x.TriggerKey }).IsUnique();
        builder.HasIndex(x => new { x.WorkspaceId, x.Status, x.DueAt });
        builder.HasIndex(x => new { x.WorkspaceId, x.CustomerId });
    }
}

internal sealed class CaseNoteConfiguration : IEntityTypeConfiguration<CaseNoteRow>
{
    public void Configure(EntityTypeBuilder<CaseNoteRow> builder)
    {
        builder.ToTable("case_notes");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.Author).HasMaxLength(100);
        builder.Property(x => x.Kind).HasMaxLength(16);
        builder.Property(x => x.Text).HasMaxLength(4000);
        builder.HasIndex(x => new { x.WorkspaceId, x.CaseId, x.At });
    }
}

internal sealed class CaseSettingsConfiguration : IEntityTypeConfiguration<CaseSettingsRow>
{
    public void Configure(EntityTypeBuilder<CaseSettingsRow> builder)
    {
        builder.ToTable("case_settings");
        builder.HasKey(x => x.WorkspaceId);
        builder.Property(x => x.WorkspaceId).ValueGeneratedNever();
    }
}

internal sealed class CaseOpenerStateConfiguration : IEntityTypeConfiguration<CaseOpenerStateRow>
{
    public void Configure(EntityTypeBuilder<CaseOpenerStateRow> builder)
    {
        builder.ToTable("case_opener_state");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.Id).ValueGeneratedNever();
    }
}
