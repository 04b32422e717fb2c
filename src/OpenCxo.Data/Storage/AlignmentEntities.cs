using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenCxo.Data.Storage;

/// <summary>A promise marketing made, written as a measurable rule; its definition (contacts, test, target, owners) is one JSON document.</summary>
public sealed class PromiseRow
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public required string Key { get; set; }
    public required string DefinitionJson { get; set; }
    public bool Enabled { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public required string UpdatedBy { get; set; }
}

internal sealed class PromiseConfiguration : IEntityTypeConfiguration<PromiseRow>
{
    public void Configure(EntityTypeBuilder<PromiseRow> builder)
    {
        builder.ToTable("promises");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.Key).HasMaxLength(64);
        builder.Property(x => x.UpdatedBy).HasMaxLength(100);
        builder.HasIndex(x => new { x.WorkspaceId, x.Key }).IsUnique();
    }
}

/// <summary>A workspace's customer needs that decide customer fit, as last saved (JSON, the API's shape); none: the built-in ones.</summary>
public sealed class CustomerNeedsRow : IWorkspaceDocument
{
    public long WorkspaceId { get; set; }
    public required string NeedsJson { get; set; }
    public DateTime UpdatedAt { get; set; }

    string IWorkspaceDocument.Json { get => NeedsJson; set => NeedsJson = value; }
}

internal sealed class CustomerNeedsConfiguration : IEntityTypeConfiguration<CustomerNeedsRow>
{
    public void Configure(EntityTypeBuilder<CustomerNeedsRow> builder)
    {
        builder.ToTable("customer_needs");
        builder.HasKey(x => x.WorkspaceId);
        builder.Property(x => x.WorkspaceId).ValueGeneratedNever();
    }
}
