namespace OpenCxo.Core.Ingest;

/// <summary>The part of the company a touchpoint belongs to.</summary>
public enum Department
{
    Marketing,
    Sales,
    Service,
    Product,
    Other,
}

/// <summary>Where a touchpoint happened.</summary>
public enum Channel
{
    Email,
    Web,
    App,
    Phone,
    Chat,
    Social,
    Store,
    Field,
    Iot,
    Other,
}

/// <summary>The lower-case names used on the wire and in storage.</summary>
public static class Vocabulary
{
    public static readonly string[] Departments = ["marketing", "sales", "service", "product", "other"];
    public static readonly string[] Channels = ["email", "web", "app", "phone", "chat", "social", "store", "field", "iot", "other"];

    public static string Name(this Department department) => Departments[(int)department];

    /// <summary>An ISO 4217 code as the wire carries it: three capital letters, e.g. EUR.</summary>
    public static bool IsCurrency(string? code) => code is { Length: 3 } && code.All(c => c is >= 'A' and <= 'Z');

    public static string Name(this Channel channel) => Channels[(int)channel];

    public static bool TryParseDepartment(string? text, out Department department)
    {
        var index = Array.IndexOf(Departments, text);
        department = (Department)Math.Max(index, 0);
        return index >= 0;
    }

    public static bool TryParseChannel(string? text, out Channel channel)
    {
        var index = Array.IndexOf(Channels, text);
        channel = (Channel)Math.Max(index, 0);
        return index >= 0;
    }
}
