using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenCxo.Data.Storage;

internal sealed class SurveyConfiguration : IEntityTypeConfiguration<SurveyRow>
{
    public void Configure(EntityTypeBuilder<SurveyRow> builder)
    {
        builder.ToTable("surveys");
        builder.Property(x => x.Key).HasMaxLength(60);
        builder.Property(x => x.Status).HasMaxLength(10);
        builder.HasIndex(x => new { x.WorkspaceId, x.Key }).IsUnique();
    }
}

internal sealed class SurveyVersionConfiguration : IEntityTypeConfiguration<SurveyVersionRow>
{
    public void Configure(EntityTypeBuilder<SurveyVersionRow> builder)
    {
        builder.ToTable("survey_versions");
        builder.HasKey(x => new { x.SurveyId, x.Version });
    }
}

internal sealed class SurveyResponseConfiguration : IEntityTypeConfiguration<SurveyResponseRow>
{
    public void Configure(EntityTypeBuilder<SurveyResponseRow> builder)
    {
        builder.ToTable("survey_responses");
        builder.Property(x => x.ResponseKey).HasMaxLength(200);
        builder.Property(x => x.Source).HasMaxLength(12);
        builder.Property(x => x.Language).HasMaxLength(5);
        builder.Property(x => x.TriggerEventId).HasMaxLength(200);
        builder.Property(x => x.EventId).HasMaxLength(200);
        builder.HasIndex(x => new { x.WorkspaceId, x.ResponseKey }).IsUnique();
        builder.HasIndex(x => new { x.WorkspaceId, x.SurveyId, x.AnsweredAt });
        builder.HasIndex(x => new { x.WorkspaceId, x.CustomerId });

        // The sweeper that makes abandoned partial responses final reads only the unfinished ones.
        builder.HasIndex(x => x.UpdatedAt).HasFilter("final = FALSE");
    }
}

internal sealed class SurveyInvitationConfiguration : IEntityTypeConfiguration<SurveyInvitationRow>
{
    public void Configure(EntityTypeBuilder<SurveyInvitationRow> builder)
    {
        builder.ToTable("survey_invitations");
        builder.Property(x => x.Channel).HasMaxLength(10);
        builder.Property(x => x.Language).HasMaxLength(5);
        builder.Property(x => x.TriggerEventId).HasMaxLength(200);
        builder.Property(x => x.Status).HasMaxLength(10);
        builder.Property(x => x.LastError).HasMaxLength(1000);

        // Contact fatigue asks "when was this customer last invited to anything".
        builder.HasIndex(x => new { x.WorkspaceId, x.CustomerId, x.CreatedAt });
        builder.HasIndex(x => new { x.WorkspaceId, x.SurveyId, x.CreatedAt });

        // The sender reads what is due.
        builder.HasIndex(x => new { x.Status, x.SendAt });
    }
}

internal sealed class SurveyRuleConfiguration : IEntityTypeConfiguration<SurveyRuleRow>
{
    public void Configure(EntityTypeBuilder<SurveyRuleRow> builder)
    {
        builder.ToTable("survey_rules");
        builder.Property(x => x.Kind).HasMaxLength(10);
        builder.Property(x => x.EventType).HasMaxLength(100);
        builder.Property(x => x.Audience).HasMaxLength(20);
        builder.Property(x => x.Department).HasMaxLength(20);
        builder.Property(x => x.Channel).HasMaxLength(20);
        builder.Property(x => x.Delivery).HasMaxLength(10);
        builder.Property(x => x.WebhookUrl).HasMaxLength(2000);
        builder.HasIndex(x => new { x.WorkspaceId, x.SurveyId });
    }
}

internal sealed class SurveyOptOutConfiguration : IEntityTypeConfiguration<SurveyOptOutRow>
{
    public void Configure(EntityTypeBuilder<SurveyOptOutRow> builder)
    {
        builder.ToTable("survey_opt_outs");
        builder.HasKey(x => new { x.WorkspaceId, x.CustomerId });
        builder.Property(x => x.Source).HasMaxLength(10);
    }
}
