using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.Localization;
using MudBlazor;
using MudBlazor.Services;
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
        services.Configure<RequestLocalizationOptions>(o =>
        {
            o.SetDefaultCulture(Ui.Cultures[0]);
            o.AddSupportedCultures(Ui.Cultures);
            o.AddSupportedUICultures(Ui.Cultures);

            // The cookie set by the language switch first, then the browser's Accept-Language.
            o.RequestCultureProviders = [new CookieRequestCultureProvider(), new AcceptLanguageHeaderRequestCultureProvider()];
        });
        return services;
    }

    public static WebApplication MapWebUi(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapAccountEndpoints();
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
