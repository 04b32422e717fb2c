using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using OpenCxo.App.Security;

namespace OpenCxo.App.Web.Account;

public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        // A form field makes the endpoint check the antiforgery token, so another site cannot sign a person out.
        app.MapPost("/account/logout", async (HttpContext http, [FromForm] string? returnUrl) =>
        {
            await http.SignOutAsync(SecurityExtensions.CookieScheme);
            return TypedResults.LocalRedirect("/login");
        }).ExcludeFromDescription();
        app.MapGet("/culture/{culture}", SetCulture).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>Remembers the chosen language for a year and goes back to the page the switch was used on.</summary>
    private static Results<RedirectHttpResult, BadRequest> SetCulture(string culture, string? returnUrl, HttpContext http)
    {
        if (!Ui.Cultures.Contains(culture))
        {
            return TypedResults.BadRequest();
        }

        http.Response.Cookies.Append(
            CookieRequestCultureProvider.DefaultCookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
            new CookieOptions { MaxAge = TimeSpan.FromDays(365), HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true });
        return TypedResults.LocalRedirect(LocalUrl.OrNull(returnUrl) ?? "/");
    }
}
