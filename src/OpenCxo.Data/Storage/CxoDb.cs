using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace OpenCxo.Data.Storage;

/// <summary>
/// The system of record. One model, two providers: <see cref="SqliteCxoDb"/> and <see cref="PostgresCxoDb"/>
/// exist only so that each provider has its own migrations set (as Jellyfin does).
/// </summary>
public abstract class CxoDb(DbContextOptions options) : DbContext(options)
{
    public DbSet<Workspace> Workspaces => Set<Workspace>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<UserRow> Users => Set<UserRow>();
    public DbSet<CustomerRow> Customers => Set<CustomerRow>();
    public DbSet<IdentityRow> Identities => Set<IdentityRow>();
    public DbSet<CustomerTraitRow> CustomerTraits => Set<CustomerTraitRow>();
    public DbSet<CustomerMergeRow> CustomerMerges => Set<CustomerMergeRow>();
    public DbSet<InteractionRow> Interactions => Set<InteractionRow>();
    public DbSet<IngestState> IngestStates => Set<IngestState>();
    public DbSet<SurveyRow> Surveys => Set<SurveyRow>();
    public DbSet<SurveyVersionRow> SurveyVersions => Set<SurveyVersionRow>();
    public DbSet<SurveyResponseRow> SurveyResponses => Set<SurveyResponseRow>();
    public DbSet<SurveyInvitationRow> SurveyInvitations => Set<SurveyInvitationRow>();
    public DbSet<SurveyRuleRow> SurveyRules => Set<SurveyRuleRow>();
    public DbSet<SurveyOptOutRow> SurveyOptOuts => Set<SurveyOptOutRow>();
    public DbSet<TextAnalysisRow> TextAnalyses => Set<TextAnalysisRow>();
    public DbSet<TextAnalysisState> TextAnalysisStates => Set<TextAnalysisState>();
    public DbSet<TextTaxonomyRow> TextTaxonomies => Set<TextTaxonomyRow>();
    public DbSet<KpiRow> Kpis => Set<KpiRow>();
    public DbSet<KpiSnapshotRow> KpiSnapshots => Set<KpiSnapshotRow>();
    public DbSet<AlertRuleRow> AlertRules => Set<AlertRuleRow>();
    public DbSet<AlertRow> Alerts => Set<AlertRow>();
    public DbSet<AlertDeliveryRow> AlertDeliveries => Set<AlertDeliveryRow>();
    public DbSet<ModelRunRow> ModelRuns => Set<ModelRunRow>();
    public DbSet<CustomerScoreRow> CustomerScores => Set<CustomerScoreRow>();
    public DbSet<ActionRuleSetRow> ActionRuleSets => Set<ActionRuleSetRow>();
    public DbSet<CaseRow> Cases => Set<CaseRow>();
    public DbSet<CaseNoteRow> CaseNotes => Set<CaseNoteRow>();
    public DbSet<CaseSettingsRow> CaseSettings => Set<CaseSettingsRow>();
    public DbSet<CaseOpenerStateRow> CaseOpenerStates => Set<CaseOpenerStateRow>();
    public DbSet<PromiseRow> Promises => Set<PromiseRow>();
    public DbSet<CustomerNeedsRow> CustomerNeeds => Set<CustomerNeedsRow>();
    public DbSet<DigestRow> Digests => Set<DigestRow>();
    public DbSet<DigestSettingsRow> DigestSettings => Set<DigestSettingsRow>();
    public DbSet<JourneySettingsRow> JourneySettings => Set<JourneySettingsRow>();
    public DbSet<AuditRow> AuditLog => Set<AuditRow>();
    public DbSet<ConsentRow> Consents => Set<ConsentRow>();
    public DbSet<ErasureRow> Erasures => Set<ErasureRow>();
    public DbSet<LeaseRow> Leases => Set<LeaseRow>();
    public DbSet<RetentionSettingsRow> RetentionSettings => Set<RetentionSettingsRow>();
    public DbSet<SegmentRow> Segments => Set<SegmentRow>();
    public DbSet<SegmentMemberRow> SegmentMembers => Set<SegmentMemberRow>();
    public DbSet<SegmentSnapshotRow> SegmentSnapshots => Set<SegmentSnapshotRow>();
    public DbSet<CampaignRow> Campaigns => Set<CampaignRow>();
    public DbSet<CampaignMemberRow> CampaignMembers => Set<CampaignMemberRow>();
    public DbSet<InitiativeRow> Initiatives => Set<InitiativeRow>();
    public DbSet<MaturityAssessmentRow> MaturityAssessments => Set<MaturityAssessmentRow>();

    public abstract DatabaseProvider Provider { get; }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(CxoDb).Assembly);
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(SnakeCase(property.Name));
            }
        }
    }

    internal static string SnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0 && !char.IsUpper(name[i - 1]))
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }
}

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

public sealed class SqliteCxoDb(DbContextOptions<SqliteCxoDb> options) : CxoDb(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Times are stored as UTC microseconds since 1970: compact, ordered and cheap to compare in SQLite,
        // where EF's default (text) is neither.
        configurationBuilder.Properties<DateTime>().HaveConversion<UnixMicrosConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UnixMicrosConverter>();
    }
}

public sealed class PostgresCxoDb(DbContextOptions<PostgresCxoDb> options) : CxoDb(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.Postgres;
}

public sealed class UnixMicrosConverter() : ValueConverter<DateTime, long>(
    time => UnixMicros.From(time),
    micros => UnixMicros.ToDateTime(micros));

public static class UnixMicros
{
    public static long From(DateTime time) => (time.ToUniversalTime().Ticks - DateTime.UnixEpoch.Ticks) / 10;

    public static DateTime ToDateTime(long micros) => new(DateTime.UnixEpoch.Ticks + (micros * 10), DateTimeKind.Utc);
}
