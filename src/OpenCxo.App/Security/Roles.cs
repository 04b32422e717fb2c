namespace OpenCxo.App.Security;

/// <summary>
/// Who a person is in the company, which decides what the web UI shows them. Department roles see their own
/// department's home, the company overview and customer-level data; <see cref="Viewer"/> sees dashboards only,
/// never a person's data; <see cref="Admin"/> also manages users.
/// </summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string Cxo = "cxo";
    public const string Marketing = "marketing";
    public const string Sales = "sales";
    public const string Service = "service";
    public const string Viewer = "viewer";

    public static readonly string[] All = [Admin, Cxo, Marketing, Sales, Service, Viewer];

    /// <summary>The page a role lands on after signing in.</summary>
    public static string HomeOf(string role) => role switch
    {
        Admin => "/admin",
        Marketing => "/marketing",
        Sales => "/sales",
        Service => "/service",
        _ => "/cxo",
    };
}

/// <summary>Authorization policies of the web UI's pages, each a set of roles.</summary>
public static class UiPolicies
{
    /// <summary>The company at a glance: every signed-in person.</summary>
    public const string Overview = "ui:overview";

    public const string Marketing = "ui:marketing";
    public const string Sales = "ui:sales";
    public const string Service = "ui:service";

    /// <summary>Customer 360 and the touchpoint explorer: personal data, so not for <see cref="Roles.Viewer"/>.</summary>
    public const string CustomerData = "ui:customer-data";

    /// <summary>Building, publishing and closing surveys: the departments that ask customers.</summary>
    public const string SurveyBuilder = "ui:survey-builder";

    /// <summary>Editing the workspace's theme taxonomy, which changes how every text is read.</summary>
    public const string TaxonomyEditor = "ui:taxonomy-editor";

    /// <summary>Setting KPIs, their targets and owners, and alert rules: the CXO's office.</summary>
    public const string KpiEditor = "ui:kpi-editor";

    /// <summary>Proposing and running CX initiatives: every department has its own, so every role but viewer (which department's, <see cref="DepartmentRights"/>).</summary>
    public const string Programme = "ui:programme";

    /// <summary>Recording consent and answering export and erasure requests on the Customer 360 page.</summary>
    public const string Privacy = "ui:privacy";

    public const string Admin = "ui:admin";

    public static readonly IReadOnlyDictionary<string, string[]> RolesOf = new Dictionary<string, string[]>
    {
        [Overview] = Roles.All,
        [Marketing] = [Roles.Admin, Roles.Cxo, Roles.Marketing, Roles.Viewer],
        [Sales] = [Roles.Admin, Roles.Cxo, Roles.Sales, Roles.Viewer],
        [Service] = [Roles.Admin, Roles.Cxo, Roles.Service, Roles.Viewer],
        [CustomerData] = [Roles.Admin, Roles.Cxo, Roles.Marketing, Roles.Sales, Roles.Service],
        [SurveyBuilder] = [Roles.Admin, Roles.Cxo, Roles.Marketing, Roles.Service],
        [TaxonomyEditor] = [Roles.Admin, Roles.Cxo],
        [KpiEditor] = [Roles.Admin, Roles.Cxo],
        [Programme] = [Roles.Admin, Roles.Cxo, Roles.Marketing, Roles.Sales, Roles.Service],
        [Privacy] = [Roles.Admin, Roles.Cxo],
        [Admin] = [Roles.Admin],
    };
}
