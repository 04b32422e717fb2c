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

/// <summary>
/// One department's weekly insight digest, generated once: (workspace, department, week) is unique, so two servers or
/// two passes never write it twice. Its content is one JSON document (the API's shape).
/// </summary>
public sealed class DigestRow
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public required string Department { get; set; }

    /// <summary>The ISO week it covers, e.g. 2026-W47.</summary>
    public required string Week { get; set; }

    public DateTime GeneratedAt { get; set; }
    public required string ContentJson { get; set; }
}

/// <summary>Who receives each department's digest (JSON, the API's shape); none: nobody beyond the web UI.</summary>
public sealed class DigestSettingsRow : IWorkspaceDocument
{
    public long WorkspaceId { get; set; }
    public required string SettingsJson { get; set; }
    public DateTime UpdatedAt { get; set; }

    string IWorkspaceDocument.Json { get => SettingsJson; set => SettingsJson = value; }
}

internal sealed class DigestConfiguration : IEntityTypeConfiguration<DigestRow>
{
    public void Configure(EntityTypeBuilder<DigestRow> builder)
    {
        builder.ToTable("digests");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.Department).HasMaxLength(16);
        builder.Property(x => x.Week).HasMaxLength(10);
        builder.HasIndex(x => new { x.WorkspaceId, x.Department, x.Week }).IsUnique();
    }
}

internal sealed class DigestSettingsConfiguration : IEntityTypeConfiguration<DigestSettingsRow>
{
    public void Configure(EntityTypeBuilder<DigestSettingsRow> builder)
    {
        builder.ToTable("digest_settings");
        builder.HasKey(x => x.WorkspaceId);
        builder.Property(x => x.WorkspaceId).ValueGeneratedNever();
    }
}

/// <summary>A workspace's journey stages as last saved (JSON, the API's shape); none: the built-in ones.</summary>
public sealed class JourneySettingsRow : IWorkspaceDocument
{
    public long WorkspaceId { get; set; }
    public required string JourneyJson { get; set; }
    public DateTime UpdatedAt { get; set; }

    string IWorkspaceDocument.Json { get => JourneyJson; set => JourneyJson = value; }
}

internal sealed class JourneySettingsConfiguration : IEntityTypeConfiguration<JourneySettingsRow>
{
    public void Configure(EntityTypeBuilder<JourneySettingsRow> builder)
    {
        builder.ToTable("journey_settings");
        builder.HasKey(x => x.WorkspaceId);
        builder.Property(x => x.WorkspaceId).ValueGeneratedNever();
    }
}
