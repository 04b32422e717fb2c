using System.Security.Claims;
using OpenCxo.Core.Ingest;

namespace OpenCxo.App.Security;

/// <summary>
/// Which department's part of the CX programme a person may change in the web UI: the initiatives a department owns
/// and its maturity assessments. The CXO's office and admins change any department's (and the company's); Marketing,
/// Sales and Service change their own; viewers change none. API keys and the CLI act for the whole workspace: their
/// scope decides, not a department.
/// </summary>
public static class DepartmentRights
{
    public static bool MayChange(ClaimsPrincipal user, string department)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.IsInRole(Roles.Admin) || user.IsInRole(Roles.Cxo)
            || (department is Roles.Marketing or Roles.Sales or Roles.Service && user.IsInRole(department));
    }

    /// <summary>The refusal to show on <paramref name="field"/> when <paramref name="user"/> may not change <paramref name="department"/>'s part; null when they may.</summary>
    public static FieldError? Refusal(ClaimsPrincipal user, string department, string field) => MayChange(user, department)
        ? null
        : new FieldError(field, $"this belongs to {department}: only {department}, the CXO's office or an admin changes it");
}
