using OpenCxo.Core.Ingest;

namespace OpenCxo.App.Web;

/// <summary>A check's findings by field path (<c>questions[2].prompt.es</c>), for putting each message beside its field.</summary>
public sealed class FieldErrors(IReadOnlyList<FieldError> errors)
{
    private readonly ILookup<string, string> _byField = errors.ToLookup(e => e.Field, e => e.Message, StringComparer.Ordinal);

    public static FieldErrors None { get; } = new([]);

    public IReadOnlyList<FieldError> All { get; } = errors;

    public bool Any => All.Count > 0;

    /// <summary>The messages for exactly this field, joined; null when it has none.</summary>
    public string? For(string field) => _byField[field].ToList() is { Count: > 0 } messages ? string.Join(" ", messages) : null;
}
