namespace OpenCxo.App.Security;

/// <summary>What an API key may do. A key carries one or more; <see cref="Admin"/> implies all.</summary>
public static class Scopes
{
    public const string EventsWrite = "events:write";
    public const string CustomersRead = "customers:read";
    public const string StatsRead = "stats:read";
    public const string SurveysRead = "surveys:read";
    public const string SurveysWrite = "surveys:write";

    /// <summary>Analyse texts sent with the request (<c>POST /api/v1/text/analyze</c>); reads nothing stored.</summary>
    public const string TextAnalyze = "text:analyze";

    /// <summary>Create, replace and delete KPIs and alert rules; acknowledge alerts.</summary>
    public const string KpisWrite = "kpis:write";

    /// <summary>Work closed-loop cases: record contacts, resolve with a root cause, add notes.</summary>
    public const string CasesWrite = "cases:write";

    /// <summary>Search and export the audit log.</summary>
    public const string AuditRead = "audit:read";

    /// <summary>Data-subject rights: record consent, export and erase a customer's data, set retention policies.</summary>
    public const string PrivacyWrite = "privacy:write";

    /// <summary>Run the CX programme: create, replace, refresh and delete segments and campaigns.</summary>
    public const string ProgrammeWrite = "programme:write";

    public const string Admin = "admin";

    public static readonly string[] All = [EventsWrite, CustomersRead, StatsRead, SurveysRead, SurveysWrite, TextAnalyze, KpisWrite, CasesWrite, AuditRead, PrivacyWrite, ProgrammeWrite, Admin];

    public const string ClaimType = "scope";
    public const string WorkspaceClaim = "workspace";
}
