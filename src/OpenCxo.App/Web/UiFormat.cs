using System.Globalization;
using MudBlazor;

namespace OpenCxo.App.Web;

/// <summary>How the UI writes times, amounts and channels, in the culture of the request.</summary>
public static class UiFormat
{
    /// <summary>Stored times are UTC and shown as such, marked, so that people in different time zones read the same thing.</summary>
    public static string Time(DateTime utc) => utc.ToString("g", CultureInfo.CurrentCulture) + " UTC";

    public static string Date(DateTime utc) => utc.ToString("d", CultureInfo.CurrentCulture);

    public static string Date(DateOnly day) => day.ToString("d", CultureInfo.CurrentCulture);

    public static string Money(decimal amount, string? currency) =>
        amount.ToString("N2", CultureInfo.CurrentCulture) + (currency is null ? "" : " " + currency);

    public static string Count(long count) => count.ToString("N0", CultureInfo.CurrentCulture);

    public static string Percent(double ratio) => ratio.ToString("P1", CultureInfo.CurrentCulture);

    public static string ChannelIcon(string channel) => channel switch
    {
        "email" => Icons.Material.Filled.Email,
        "web" => Icons.Material.Filled.Language,
        "app" => Icons.Material.Filled.PhoneIphone,
        "phone" => Icons.Material.Filled.Phone,
        "chat" => Icons.Material.Filled.Chat,
        "social" => Icons.Material.Filled.Share,
        "store" => Icons.Material.Filled.Store,
        "field" => Icons.Material.Filled.Handyman,
        "iot" => Icons.Material.Filled.Sensors,
        _ => Icons.Material.Filled.MoreHoriz,
    };

    public static Color DepartmentColor(string department) => department switch
    {
        "marketing" => Color.Secondary,
        "sales" => Color.Success,
        "service" => Color.Info,
        "product" => Color.Primary,
        _ => Color.Default,
    };
}
