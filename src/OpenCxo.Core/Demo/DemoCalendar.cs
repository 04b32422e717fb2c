using System.Globalization;
using OpenCxo.Core.Ingest;

namespace OpenCxo.Core.Demo;

/// <summary>The time zones demo customers live in.</summary>
internal enum DemoZone
{
    Madrid,
    London,
    MexicoCity,
    NewYork,
    Chicago,
    Denver,
    LosAngeles,
}

/// <summary>
/// Local time for the demo's zones with the EU and US daylight-saving rules written out, so the demo gives the
/// same hours on every machine whatever time-zone database it has (or lacks).
/// </summary>
internal static class DemoClock
{
    public static string ZoneId(DemoZone zone) => zone switch
    {
        DemoZone.Madrid => "Europe/Madrid",
        DemoZone.London => "Europe/London",
        DemoZone.MexicoCity => "America/Mexico_City",
        DemoZone.NewYork => "America/New_York",
        DemoZone.Chicago => "America/Chicago",
        DemoZone.Denver => "America/Denver",
        _ => "America/Los_Angeles",
    };

    private static int StandardHours(DemoZone zone) => zone switch
    {
        DemoZone.Madrid => 1,
        DemoZone.London => 0,
        DemoZone.MexicoCity => -6, // no daylight saving since 2022
        DemoZone.NewYork => -5,
        DemoZone.Chicago => -6,
        DemoZone.Denver => -7,
        _ => -8,
    };

    public static TimeSpan Offset(DemoZone zone, DateTime utc)
    {
        var standard = StandardHours(zone);
        var summer = zone switch
        {
            // EU: last Sunday of March 01:00 UTC to last Sunday of October 01:00 UTC.
            DemoZone.Madrid or DemoZone.London =>
                utc >= LastSunday(utc.Year, 3).AddHours(1) && utc < LastSunday(utc.Year, 10).AddHours(1),
            DemoZone.MexicoCity => false,
            // US: second Sunday of March 02:00 local standard time to first Sunday of November 02:00 local summer time.
            _ => utc >= NthSunday(utc.Year, 3, 2).AddHours(2 - standard) && utc < NthSunday(utc.Year, 11, 1).AddHours(1 - standard),
        };
        return TimeSpan.FromHours(standard + (summer ? 1 : 0));
    }

    public static DateTime ToLocal(DemoZone zone, DateTime utc) => utc + Offset(zone, utc);

    /// <summary>The UTC instant of a local wall-clock time.</summary>
    public static DateTime FromLocal(DemoZone zone, DateTime local)
    {
        var guess = local - TimeSpan.FromHours(StandardHours(zone));
        return DateTime.SpecifyKind(local - Offset(zone, guess), DateTimeKind.Utc);
    }

    /// <summary>The first moment at or after <paramref name="notBefore"/> whose local time is the given time of day.</summary>
    public static DateTime NextLocal(DemoZone zone, DateTime notBefore, int hour, int minute, int second)
    {
        var day = ToLocal(zone, notBefore).Date;
        for (var i = 0; i < 3; i++)
        {
            var candidate = FromLocal(zone, day.AddDays(i).AddHours(hour).AddMinutes(minute).AddSeconds(second));
            if (candidate >= notBefore)
            {
                return candidate;
            }
        }

        return notBefore;
    }

    public static int LocalHour(DemoZone zone, DateTime utc) => ToLocal(zone, utc).Hour;

    private static DateTime LastSunday(int year, int month)
    {
        var last = new DateTime(year, month, DateTime.DaysInMonth(year, month), 0, 0, 0, DateTimeKind.Utc);
        return last.AddDays(-(int)last.DayOfWeek);
    }

    private static DateTime NthSunday(int year, int month, int n)
    {
        var first = new DateTime(year, month, 1, 0, 0, 0, DateTimeKind.Utc);
        return first.AddDays(((7 - (int)first.DayOfWeek) % 7) + (7 * (n - 1)));
    }
}

/// <summary>A marketing campaign: <see cref="Slug"/> is what events carry in <c>attributes.campaign</c>.</summary>
internal sealed record DemoCampaign(string Slug, string NameEs, string NameEn, DateTime From, DateTime To)
{
    public string Name(bool spanish) => spanish ? NameEs : NameEn;
}

/// <summary>One send of a campaign on one local day, to a share (<see cref="Reach"/>) of the people it targets.</summary>
internal readonly record struct CampaignWave(DateTime Day, DemoCampaign Campaign, Channel Channel, double Reach, bool IsNewsletter);

/// <summary>What happens to the whole company: campaigns, survey waves and app releases over the demo's time span.</summary>
internal sealed class DemoCalendar
{
    public const string SupportCampaignSlug = "soporte-24-7";
    private const int ReleaseEveryDays = 42;

    private static readonly string[] MonthsEs =
        ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"];

    private readonly List<DemoCampaign> _seasonal = [];

    public DemoCalendar(DateTime start, DateTime end)
    {
        Start = start;
        End = end;
        var days = (end - start).TotalDays;

        // The silo story's campaign runs from about month 3 to month 10 of a two-year span, leaving time to see what follows.
        Support = new DemoCampaign(
            SupportCampaignSlug, "Soporte 24/7", "24/7 support", start.AddDays(Math.Floor(days * 0.14)), start.AddDays(Math.Floor(days * 0.42)));

        var waves = new List<CampaignWave>();
        for (var month = new DateTime(start.Year, start.Month, 1, 0, 0, 0, DateTimeKind.Utc); month < end; month = month.AddMonths(1))
        {
            var tuesday = month.AddDays(((int)DayOfWeek.Tuesday - (int)month.DayOfWeek + 7) % 7);
            var newsletter = new DemoCampaign(
                string.Create(CultureInfo.InvariantCulture, $"boletin-{month:yyyy-MM}"),
                "Boletín de " + MonthsEs[month.Month - 1],
                CultureInfo.InvariantCulture.DateTimeFormat.GetMonthName(month.Month) + " newsletter",
                tuesday,
                tuesday.AddDays(1));
            Add(waves, new CampaignWave(tuesday, newsletter, Channel.Email, 1.0, true));
            AddSeasonal(waves, month);
        }

        for (var day = Support.From; day < Support.To; day = day.AddDays(7))
        {
            if ((day - Support.From).Days % 14 == 0)
            {
                Add(waves, new CampaignWave(day, Support, Channel.Email, 0.10, false));
            }

            Add(waves, new CampaignWave(day.AddDays(3), Support, Channel.Social, 0.05, false));
        }

        Waves = [.. waves.OrderBy(w => w.Day).ThenBy(w => w.Campaign.Slug, StringComparer.Ordinal).ThenBy(w => w.Channel)];

        // The relationship survey goes out twice a year, the last wave 12 days before the end: the answers of a fresh
        // demo are recent enough to open cases for its detractors.
        var nps = new List<DateTime>();
        for (var day = end.Date.AddDays(-12); day >= start; day = day.AddDays(-182))
        {
            nps.Insert(0, day);
        }

        NpsWaves = nps;
        CrashyRelease = (int)(days * 0.55 / ReleaseEveryDays);
    }

    public DateTime Start { get; }

    public DateTime End { get; }

    /// <summary>"Soporte 24/7": the promise marketing made and service could not keep.</summary>
    public DemoCampaign Support { get; }

    /// <summary>Every campaign send, by day.</summary>
    public IReadOnlyList<CampaignWave> Waves { get; }

    /// <summary>Days the relationship NPS survey goes out (twice a year).</summary>
    public IReadOnlyList<DateTime> NpsWaves { get; }

    /// <summary>The app release that crashed far more than the others.</summary>
    public int CrashyRelease { get; }

    public double Fraction(DateTime time) => (time - Start).TotalDays / (End - Start).TotalDays;

    /// <summary>A seasonal campaign running at <paramref name="time"/>, if any.</summary>
    public DemoCampaign? SeasonalAt(DateTime time) => _seasonal.Find(c => c.From <= time && time < c.To);

    /// <summary>The newsletter of the month of <paramref name="time"/>.</summary>
    public DemoCampaign NewsletterAt(DateTime time)
    {
        for (var i = Waves.Count - 1; i >= 0; i--)
        {
            if (Waves[i].IsNewsletter && Waves[i].Day <= time)
            {
                return Waves[i].Campaign;
            }
        }

        return Waves.First(w => w.IsNewsletter).Campaign;
    }

    public int ReleaseAt(DateTime time) => Math.Max(0, (int)Math.Floor((time - Start).TotalDays / ReleaseEveryDays));

    public static string AppVersion(int release) =>
        string.Create(CultureInfo.InvariantCulture, $"{5 + (release / 10)}.{release % 10}.{(release * 7) % 3}");

    private void AddSeasonal(List<CampaignWave> waves, DateTime month)
    {
        var y = month.Year;
        DemoCampaign? campaign = month.Month switch
        {
            1 => new($"rebajas-{y}", "Rebajas de enero", "January sale", Day(y, 1, 8), Day(y, 1, 31)),
            4 => new($"camaras-exterior-{y}", "Cámaras de exterior: 20 % de descuento", "Outdoor cameras: 20% off", Day(y, 4, 15), Day(y, 5, 15)),
            7 => new($"vacaciones-tranquilas-{y}", "Vacaciones tranquilas", "Holiday peace of mind", Day(y, 7, 1), Day(y, 8, 10)),
            11 => new($"black-friday-{y}", "Black Friday", "Black Friday", Day(y, 11, 21), Day(y, 12, 1)),
            12 => new($"navidad-{y}", "Regalos de Navidad", "Christmas gifts", Day(y, 12, 5), Day(y, 12, 22)),
            _ => null,
        };
        if (campaign is null)
        {
            return;
        }

        _seasonal.Add(campaign);
        Add(waves, new CampaignWave(campaign.From, campaign, Channel.Email, 0.22, false));
        Add(waves, new CampaignWave(campaign.From.AddDays(2), campaign, Channel.Social, 0.15, false));
        Add(waves, new CampaignWave(campaign.From.AddDays((campaign.To - campaign.From).Days / 2), campaign, Channel.Email, 0.12, false));
    }

    private void Add(List<CampaignWave> waves, CampaignWave wave)
    {
        if (wave.Day >= Start && wave.Day < End)
        {
            waves.Add(wave);
        }
    }

    private static DateTime Day(int year, int month, int day) => new(year, month, day, 0, 0, 0, DateTimeKind.Utc);
}
