namespace OpenCxo.App.Web;

public static class LocalUrl
{
    /// <summary>The URL when it is a path on this site, else null: an absolute or protocol-relative return URL would make a redirect open.</summary>
    public static string? OrNull(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && (url.Length == 1 || url[1] is not ('/' or '\\')) ? url : null;
}
