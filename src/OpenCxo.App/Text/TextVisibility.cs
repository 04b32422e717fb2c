using System.Security.Claims;
using OpenCxo.App.Profiles;
using OpenCxo.App.Security;
using OpenCxo.App.Touchpoints;
using OpenCxo.Core.Text;

namespace OpenCxo.App.Text;

/// <summary>
/// Customers' words as written may hold personal data (a phone number in a ticket, a card number in a chat): only
/// admins see them so; everyone else, in every page, API answer and export, sees them with personal data masked by
/// <see cref="PiiRedactor"/>. Masking happens where text leaves, so a text never analysed yet is masked too.
/// </summary>
public static class TextVisibility
{
    /// <summary>A signed-in admin, or an API key with the admin scope.</summary>
    public static bool MaySeeRawText(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.IsInRole(Roles.Admin) || user.HasClaim(Scopes.ClaimType, Scopes.Admin);
    }

    public static string? Shown(string? text, bool raw) =>
        text is null || raw ? text : PiiRedactor.Mask(text, PiiRedactor.Find(text));

    public static TimelinePage Shown(TimelinePage page, bool raw)
    {
        ArgumentNullException.ThrowIfNull(page);
        return raw ? page : page with { Items = [.. page.Items.Select(e => e with { Text = Shown(e.Text, raw) })] };
    }

    public static TouchpointPage Shown(TouchpointPage page, bool raw)
    {
        ArgumentNullException.ThrowIfNull(page);
        return raw ? page : page with { Items = [.. page.Items.Select(r => r with { Text = Shown(r.Text, raw) })] };
    }
}
