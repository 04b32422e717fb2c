using MudBlazor;

namespace OpenCxo.App.Web.Layout;

public static class UiTheme
{
    /// <summary>System fonts (nothing is fetched from outside), colours with at least 4.5:1 contrast on white (WCAG AA).</summary>
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1f4e8c",
            Secondary = "#8a3b12",
            AppbarBackground = "#1f4e8c",
            Success = "#1b6e3a",
            Error = "#b3261e",
            Warning = "#8a5a00",
            Info = "#1f5f8b",
            TextSecondary = "rgba(0,0,0,0.68)",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography
            {
                FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"],
            },
        },
    };
}
