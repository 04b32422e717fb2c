using System.Globalization;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.Localization;
using MudBlazor;
using MudBlazor.Services;
using OpenCxo.App.Security;
using OpenCxo.App.Web.Account;

namespace OpenCxo.App.Web;

/// <summary>The web UI: Blazor with server interactivity, MudBlazor, English and Spanish.</summary>
public static class WebUi
{
    public static IServiceCollection AddWebUi(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddCascadingAuthenticationState();
        services.AddMudServices();
        services.AddLocalization();
        services.AddTransient<MudLocalizer, UiMudLocalizer>();
        services.AddSingleton<Admin.AdminTasks>();
        // Texts come in English and Spanish; dates and numbers follow the browser's region too (en-GB writes 23/11/2026,
        // en-US 11/23/2026, es-MX 1,234.5), so every regional culture of the two languages is accepted.
        var cultures = CultureInfo.GetCultures(CultureTypes.AllCultures)
            .Where(c => Ui.Cultures.Contains(c.TwoLetterISOLanguageName) && (!c.IsNeutralCulture || Ui.Cultures.Contains(c.Name)))
            .Select(c => c.Name)
            .Order(StringComparer.Ordinal)
            .ToArray();
        services.Configure<RequestLocalizationOptions>(o =>
        {
            o.SetDefaultCulture(Ui.Cultures[0]);
            o.AddSupportedCultures(cultures);
            o.AddSupportedUICultures(cultures);

            // The cookie set by the language switch first, then the browser's Accept-Language.
            o.RequestCultureProviders = [new CookieRequestCultureProvider(), new AcceptLanguageHeaderRequestCultureProvider()];
        });
        return services;
    }

    public static WebApplication MapWebUi(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapAccountEndpoints();
        app.MapSingleSignOn();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}

/// <summary>MudBlazor's own texts (pager, date picker, …) from the same resources as ours, keys prefixed <c>Mud_</c>.</summary>
internal sealed class UiMudLocalizer(IStringLocalizer<Ui> texts) : MudLocalizer
{
    public override LocalizedString this[string key]
    {
        get
        {
            var text = texts["Mud_" + key];
            return text.ResourceNotFound ? new LocalizedString(key, key, resourceNotFound: true) : new LocalizedString(key, text.Value);
        }
    }
}
