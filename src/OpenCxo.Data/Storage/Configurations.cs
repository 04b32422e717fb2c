using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenCxo.Data.Storage;

internal sealed class WorkspaceConfiguration : IEntityTypeConfiguration<Workspace>
{
    public void Configure(EntityTypeBuilder<Workspace> builder)
    {
        builder.ToTable("workspaces");
        builder.Property(x => x.Slug).HasMaxLength(64);
        builder.Property(x => x.Name).HasMaxLength(200);
        builder.HasIndex(x => x.Slug).IsUnique();
    }
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("api_keys");
        builder.Property(x => x.Name).HasMaxLength(200);
        builder.Property(x => x.KeyHash).HasMaxLength(64);
        builder.Property(x => x.KeyPrefix).HasMaxLength(16);
        builder.Property(x => x.Scopes).HasMaxLength(500);
        builder.HasIndex(x => x.KeyHash).IsUnique();
        builder.HasIndex(x => new { x.WorkspaceId, x.Name });
    }
}

internal sealed class UserConfiguration : IEntityTypeConfiguration<UserRow>
{
    public void Configure(EntityTypeBuilder<UserRow> builder)
    {
        builder.ToTable("users");
        builder.Property(x => x.Name).HasMaxLength(100);
        builder.Property(x => x.Role).HasMaxLength(20);
        builder.Property(x => x.PasswordHash).HasMaxLength(200);
        builder.Property(x => x.SecurityStamp).HasMaxLength(64);
        builder.Property(x => x.ExternalId).HasMaxLength(500);
        builder.HasIndex(x => x.Name).IsUnique();
        builder.HasIndex(x => x.ExternalId).IsUnique().HasFilter("external_id IS NOT NULL");
    }
}

internal sealed class CustomerConfiguration : IEntityTypeConfiguration<CustomerRow>
{
    public void Configure(EntityTypeBuilder<CustomerRow> builder)
    {
        builder.ToTable("customers");
        builder.Property(x => x.Id).ValueGeneratedNever();
        builder.HasIndex(x => new { x.WorkspaceId, x.Id });

        // A merge re-points the customers earlier absorbed into the one it absorbs; few customers are ever absorbed.
        builder.HasIndex(x => x.MergedInto).HasFilter("merged_into IS NOT NULL");
    }
}

internal sealed class IdentityConfiguration : IEntityTypeConfiguration<IdentityRow>
{
    public void Configure(EntityTypeBuilder<IdentityRow> builder)
    {
        builder.ToTable("identities");
        builder.HasKey(x => new { x.WorkspaceId, x.Kind, x.Value });
        builder.Property(x => x.Kind).HasMaxLength(70);
        builder.Property(x => x.Value).HasMaxLength(300);
        builder.HasIndex(x => new { x.WorkspaceId, x.CustomerId });
    }
}

internal sealed class CustomerTraitConfiguration : IEntityTypeConfiguration<CustomerTraitRow>
{
    public void Configure(EntityTypeBuilder<CustomerTraitRow> builder)
    {
        builder.ToTable("customer_traits");
        builder.HasKey(x => new { x.WorkspaceId, x.CustomerId, x.Name });
        builder.Property(x => x.Name).HasMaxLength(64);
    }
}

internal sealed class CustomerMergeConfiguration : IEntityTypeConfiguration<CustomerMergeRow>
{
    public void Configure(EntityTypeBuilder<CustomerMergeRow> builder)
    {
        builder.ToTable("customer_merges");
        builder.HasKey(x => x.Seq);
        builder.Property(x => x.EventId).HasMaxLength(200);
        builder.HasIndex(x => new { x.WorkspaceId, x.SurvivorId });
        builder.HasIndex(x => new { x.WorkspaceId, x.AbsorbedId });
    }
}

internal sealed class InteractionConfiguration : IEntityTypeConfiguration<InteractionRow>
{
    public void Configure(EntityTypeBuilder<InteractionRow> builder)
    {
        builder.ToTable("interactions");
        builder.HasKey(x => x.Seq);
        builder.Property(x => x.EventId).HasMaxLength(200);
        builder.Property(x => x.Department).HasMaxLength(20);
        builder.Property(x => x.Channel).HasMaxLength(20);
        builder.Property(x => x.Type).HasMaxLength(100);
        builder.Property(x => x.Currency).HasMaxLength(3);
        builder.HasIndex(x => new { x.WorkspaceId, x.EventId }).IsUnique();
        builder.HasIndex(x => new { x.WorkspaceId, x.CustomerId, x.OccurredAt, x.Seq });
    }
}

internal sealed class IngestStateConfiguration : IEntityTypeConfiguration<IngestState>
{
    public void Configure(EntityTypeBuilder<IngestState> builder)
    {
        builder.ToTable("ingest_state");
        builder.HasKey(x => x.WorkspaceId);
        builder.Property(x => x.WorkspaceId).ValueGeneratedNever();
    }
}
