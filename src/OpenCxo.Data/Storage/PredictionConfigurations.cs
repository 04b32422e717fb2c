using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenCxo.Data.Storage;

internal sealed class ModelRunConfiguration : IEntityTypeConfiguration<ModelRunRow>
{
    public void Configure(EntityTypeBuilder<ModelRunRow> builder)
    {
        builder.ToTable("model_runs");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.Status).HasMaxLength(16);
        builder.Property(x => x.Message).HasMaxLength(1000);
        builder.HasIndex(x => new { x.WorkspaceId, x.StartedAt });
    }
}

internal sealed class CustomerScoreConfiguration : IEntityTypeConfiguration<CustomerScoreRow>
{
    public void Configure(EntityTypeBuilder<CustomerScoreRow> builder)
    {
        builder.ToTable("customer_scores");
        builder.HasKey(x => new { x.WorkspaceId, x.CustomerId });
        builder.Property(x => x.Currency).HasMaxLength(3);
        builder.HasIndex(x => new { x.WorkspaceId, x.ChurnRisk });
    }
}

internal sealed class ActionRuleSetConfiguration : IEntityTypeConfiguration<ActionRuleSetRow>
{
    public void Configure(EntityTypeBuilder<ActionRuleSetRow> builder)
    {
        builder.ToTable("action_rule_sets");
        builder.HasKey(x => x.WorkspaceId);
        builder.Property(x => x.WorkspaceId).ValueGeneratedNever();
    }
}
