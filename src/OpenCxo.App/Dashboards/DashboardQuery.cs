using System.Globalization;
using OpenCxo.Core.Ingest;
using OpenCxo.Data.Analytics;

namespace OpenCxo.App.Dashboards;

/// <summary>
/// A dashboard's filter as it travels in the URL (<c>?from=2026-01-01&amp;to=2026-03-31&amp;department=sales&amp;channel=phone&amp;segment=smb</c>),
/// so that a view can be shared. Dates are UTC calendar days, both inclusive; unknown departments or channels are dropped.
/// </summary>
public sealed record DashboardQuery(DateOnly From, DateOnly To, IReadOnlyList<string> Departments, IReadOnlyList<string> Channels, IReadOnlyList<string> Segments)
{
    public const int DefaultDays = 90;

    public static DashboardQuery Parse(string? from, string? to, string[]? departments, string[]? channels, string[]? segments, DateOnly today)
    {
        var end = ParseDate(to) ?? today;
        var start = ParseDate(from) ?? end.AddDays(-(DefaultDays - 1));
        if (start > end)
        {
            (start, end) = (end, start);
        }

        return new DashboardQuery(
            start,
            end,
            [.. (departments ?? []).Where(Vocabulary.Departments.Contains).Distinct()],
            [.. (channels ?? []).Where(Vocabulary.Channels.Contains).Distinct()],
            [.. (segments ?? []).Where(s => s.Length is > 0 and <= 100).Distinct()]);
    }

    public DashboardFilter Filter => new(
        From.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), To.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), Departments, Channels, Segments);

    /// <summary>Days up to two months, weeks up to a year and a bit, months beyond.</summary>
    public TimeBucket Bucket => (To.DayNumber - From.DayNumber) switch
    {
        <= 62 => TimeBucket.Day,
        <= 400 => TimeBucket.Week,
        _ => TimeBucket.Month,
    };

    public string ToQueryString()
    {
        var parts = new List<string>
        {
            "from=" + From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            "to=" + To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
        parts.AddRange(Departments.Select(d => "department=" + Uri.EscapeDataString(d)));
        parts.AddRange(Channels.Select(c => "channel=" + Uri.EscapeDataString(c)));
        parts.AddRange(Segments.Select(s => "segment=" + Uri.EscapeDataString(s)));
        return "?" + string.Join('&', parts);
    }

    private static DateOnly? ParseDate(string? text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;
}
