using System.Globalization;
using Microsoft.Extensions.Localization;
using OpenCxo.App.Web;
using OpenCxo.Core.Maturity;

namespace OpenCxo.App.Maturity;

/// <summary>How the maturity pages name departments and write changes.</summary>
public static class MaturityText
{
    public static string Department(IStringLocalizer<Ui> l, string department) =>
        department == MaturityChecklist.Company ? l["Maturity_Company"] : l["Department_" + department];

    /// <summary>A change with its sign (+0.50, −0.25); a dash when there was no assessment before.</summary>
    public static string Change(double? change) => change is { } c ? c.ToString("+0.00;−0.00;0.00", CultureInfo.CurrentCulture) : "—";
}
