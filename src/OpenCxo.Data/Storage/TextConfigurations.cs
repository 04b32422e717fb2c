using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenCxo.Data.Storage;

internal sealed class TextAnalysisConfiguration : IEntityTypeConfiguration<TextAnalysisRow>
{
    public void Configure(EntityTypeBuilder<TextAnalysisRow> builder)
    {
        builder.ToTable("text_analyses");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.Analyzer).HasMaxLength(40);
        builder.Property(x => x.Language).HasMaxLength(8);
        builder.HasIndex(x => x.InteractionSeq).IsUnique();
    }
}

internal sealed class TextAnalysisStateConfiguration : IEntityTypeConfiguration<TextAnalysisState>
{
    public void Configure(EntityTypeBuilder<TextAnalysisState> builder)
    {
        builder.ToTable("text_analysis_state");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.Id).ValueGeneratedNever();
    }
}

internal sealed class TextTaxonomyConfiguration : IEntityTypeConfiguration<TextTaxonomyRow>
{
    public void Configure(EntityTypeBuilder<TextTaxonomyRow> builder)
    {
        builder.ToTable("text_taxonomies");
        builder.HasKey(x => x.WorkspaceId);
        builder.Property(x => x.WorkspaceId).ValueGeneratedNever();
        builder.Property(x => x.UpdatedBy).HasMaxLength(100);
    }
}
