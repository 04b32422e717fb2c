using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using OpenCxo.App.Security;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Web.Account;

public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        // A form field makes the endpoint check the antiforgery token, so another site cannot sign a person out.
        app.MapPost("/account/logout", async (HttpContext http, [FromForm] string? returnUrl, CxoDbFactory databases, TimeProvider time) =>
        {
            if (http.User.Identity?.IsAuthenticated == true && http.User.FindFirst(Scopes.WorkspaceClaim) is not null)
            {
                await AuditTrail.RecordAsync(databases, AuditActors.Of(http), http.User.WorkspaceId(), "sign-out", "user:" + http.User.Identity.Name, null, time.GetUtcNow().UtcDateTime);
            }

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
