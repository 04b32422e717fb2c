namespace OpenCxo.App.Web;

/// <summary>The web UI's texts: <c>Ui.resx</c> (English) and <c>Ui.es.resx</c> (Spanish), read through <c>IStringLocalizer&lt;Ui&gt;</c>.</summary>
public sealed class Ui
{
    public static readonly string[] Cultures = ["en", "es"];
}
