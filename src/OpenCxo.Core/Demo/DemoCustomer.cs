using System.Globalization;
using System.Text.Json;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Profiles;

namespace OpenCxo.Core.Demo;

/// <summary>
/// One demo customer's life, played lazily: a handful of processes (campaign sends, billing, service issues, app
/// use, device alerts, orders, surveys, a review, a referral, churn), each knowing when it next happens. Playing the
/// earliest one ("an episode") writes its touchpoints into a small buffer; an episode never writes anything earlier
/// than its own start, so the customer's next touchpoint is known as soon as no episode starts before it.
/// Memory is a few kilobytes per customer (who they are, when each process next happens, a handful of pending
/// touchpoints), whatever the number of touchpoints.
/// </summary>
internal sealed class DemoCustomer
{
    private const int Begin = 0;
    private const int Marketing = 1;
    private const int Billing = 2;
    private const int Issue = 3;
    private const int TriggeredIssue = 4;
    private const int AppSession = 5;
    private const int DeviceAlert = 6;
    private const int Order = 7;
    private const int Nps = 8;
    private const int Review = 9;
    private const int Referral = 10;
    private const int Upsell = 11;
    private const int Churn = 12;
    private const int ProcessCount = 13;

    private const double DaysPerMonth = 30.44;

    private static readonly string[] InsideSales = Pool("s", 1, 16);
    private static readonly string[] SupportCampaignClosers = ["s-03", "s-07", "s-11"];
    private static readonly string[] Retail = Pool("s", 17, 26);
    private static readonly string[] FieldSales = Pool("s", 27, 34);
    private static readonly string[] Online = Pool("s", 35, 40);
    private static readonly string[] AgentsL1Es = Pool("a", 1, 18);
    private static readonly string[] AgentsL1En = Pool("a", 19, 30);
    private static readonly string[] AgentsL2Es = Pool("a", 31, 38);
    private static readonly string[] AgentsL2En = Pool("a", 39, 44);
    private static readonly string[] AgentsNightEs = Pool("a", 45, 48);
    private static readonly string[] AgentsNightEn = Pool("a", 49, 52);
    private static readonly string[] Technicians = Pool("t", 1, 25);
    private static readonly double[] ServiceHourWeights = [0, 0, 0, 0, 0, 0, 0, 0, 4, 8, 10, 10, 9, 7, 7, 8, 9, 9, 8, 6, 4, 2, 0, 0];
    private static readonly double[] AppHourWeights = [1, 0.5, 0.3, 0.2, 0.2, 0.5, 2, 5, 6, 4, 3, 3, 4, 4, 3, 3, 4, 5, 6, 7, 8, 8, 6, 3];
    private static readonly double[] TopicWeights = [22, 6, 15, 25, 12, 5, 8];
    private static readonly double[] NightTopicWeights = [0, 0, 15, 45, 35, 0, 5];
    private static readonly ProfileField[] NoFields = [];

    private readonly int _seed;
    private readonly DemoCalendar _calendar;
    private readonly DemoJson _json;
    private readonly DemoRandom _rng;
    private readonly DateTime[] _next = new DateTime[ProcessCount];
    private readonly List<CanonicalEvent> _pending = new(8);
    private readonly DemoKind _kind;
    private readonly DemoSegment _segment;
    private readonly bool _support;

    private DemoPersona _persona = null!;
    private List<ProfileField>? _profile;
    private List<DemoProduct> _devices = null!;
    private DateTime _now;
    private DateTime _busyUntil;
    private DateTime _activeUntil = DateTime.MaxValue;
    private int _sequence;
    private int _tickets;
    private int _orders;
    private int _waveIndex;
    private int _npsIndex;
    private int _plan;
    private int _sites = 1;
    private bool _annual;
    private bool _subscribed;
    private bool _newsletter;
    private bool _waveTargeted;
    private bool _waveBanner;
    private double _openRate;
    private double _clickRate;
    private double _appSessionsPerMonth;
    private double _satisfaction;
    private bool _nextIssueNight;
    private Theme _triggeredTopic;
    private bool _triggeredNight;
    private bool _reviewAboutNight;
    private Theme _lastTopic = Theme.General;
    private bool _lastNightFailed;
    private int _lastNightHour = 3;
    private string _salesRep = "";
    private string _salesTeam = "";

    public DemoCustomer(int number, int seed, DemoCalendar calendar, DemoJson json)
    {
        Number = number;
        _seed = seed;
        _calendar = calendar;
        _json = json;
        _rng = DemoRandom.For(seed, number);
        Array.Fill(_next, DateTime.MaxValue);

        var roll = _rng.NextDouble();
        _kind = roll < 0.25 ? DemoKind.Existing : roll < 0.32 ? DemoKind.Prospect : DemoKind.New;
        var support = calendar.Support;
        if (_kind == DemoKind.New && _rng.Chance(0.16))
        {
            // The campaign worked, as campaigns are measured: many leads, many deals.
            _support = true;
            _segment = _rng.Chance(0.75) ? DemoSegment.Consumer : DemoSegment.Smb;
            _next[Begin] = Between(support.From, support.To.AddDays(-10));
        }
        else
        {
            _segment = (DemoSegment)_rng.Weighted([80, 16, 4]);
            var start = calendar.Start;
            var days = (calendar.End - start).TotalDays;
            _next[Begin] = _kind == DemoKind.Existing ? start : Between(start.AddDays(days * 0.02), start.AddDays(days * 0.95));
            if (_kind == DemoKind.Prospect && _next[Begin] >= support.From && _next[Begin] < support.To && _rng.Chance(0.5))
            {
                _support = true;
            }
        }
    }

    private enum DemoKind
    {
        Existing,
        New,
        Prospect,
    }

    private enum Fragment
    {
        None,
        StoreVisit,
        ShopClick,
        CrmLead,
    }

    public int Number { get; }

    /// <summary>When the next episode starts; <see cref="DateTime.MaxValue"/> when the story is over.</summary>
    public DateTime NextEpisodeAt { get; private set; }

    /// <summary>The earliest touchpoint written and not yet taken, if any.</summary>
    public CanonicalEvent? Head => _pending.Count > 0 ? _pending[0] : null;

    public void Start() => NextEpisodeAt = NextEpisode();

    /// <summary>Removes and returns the earliest pending touchpoint; the first one carries the customer's profile.</summary>
    public CanonicalEvent Take()
    {
        var e = _pending[0];
        _pending.RemoveAt(0);
        if (_profile is not null)
        {
            var own = e.ProfileFields;
            _profile.RemoveAll(f => own.Any(o => o.Name == f.Name));
            _profile.AddRange(own);
            e = e with { ProfileFields = [.. _profile] };
            _profile = null;
        }

        return e;
    }

    /// <summary>Plays the earliest episode.</summary>
    public void Play()
    {
        _now = Earliest(out var process);
        _next[process] = DateTime.MaxValue;
        switch (process)
        {
            case Begin:
                if (_kind == DemoKind.Existing)
                {
                    BeginExisting();
                }
                else
                {
                    BeginAcquisition();
                }

                break;
            case Marketing:
                PlayWave();
                break;
            case Billing:
                PlayRenewal();
                break;
            case Issue:
                PlayIssue((Theme)_rng.Weighted(_nextIssueNight ? NightTopicWeights : TopicWeights), _nextIssueNight);
                ScheduleIssue(_now);
                break;
            case TriggeredIssue:
                PlayIssue(_triggeredTopic, _triggeredNight);
                break;
            case AppSession:
                PlayAppSession();
                break;
            case DeviceAlert:
                PlayDeviceAlert();
                break;
            case Order:
                PlayOrder();
                break;
            case Nps:
                PlayNps();
                break;
            case Review:
                PlayReview();
                break;
            case Referral:
                PlayReferral();
                break;
            case Upsell:
                PlayUpsell();
                break;
            default:
                PlayChurn();
                break;
        }

        NextEpisodeAt = NextEpisode();
    }

    /// <summary>Episodes starting at or after the end of the span write nothing, so the story stops there.</summary>
    private DateTime NextEpisode()
    {
        var next = Earliest(out _);
        return next < _calendar.End ? next : DateTime.MaxValue;
    }

    private DateTime Earliest(out int process)
    {
        process = 0;
        var earliest = _next[0];
        for (var i = 1; i < ProcessCount; i++)
        {
            if (_next[i] < earliest)
            {
                earliest = _next[i];
                process = i;
            }
        }

        return earliest;
    }

    // ---- Beginnings -------------------------------------------------------------------------------------------

    private void CreatePersona()
    {
        _persona = new DemoPersona(Number, _seed, _rng, _segment);
        var p = _persona;
        _satisfaction = _support ? _rng.Normal(0.1, 0.4) : _rng.Normal(0.3, 0.4);
        _newsletter = _rng.Chance(_kind == DemoKind.Prospect ? 0.25 : 0.32);
        _openRate = _rng.Uniform(0.15, 0.6);
        _clickRate = _rng.Uniform(0.05, 0.3);
        _appSessionsPerMonth = Math.Clamp(_rng.LogNormal(0.7, 0.6), 0.15, 5);
        _plan = _segment switch
        {
            DemoSegment.Consumer => _rng.Weighted([35, 45, 20]),
            DemoSegment.Smb => 3,
            _ => 4,
        };
        _sites = _segment == DemoSegment.Enterprise ? _rng.Next(2, 13) : 1;
        _annual = _segment switch
        {
            DemoSegment.Consumer => _rng.Chance(0.3),
            DemoSegment.Smb => _rng.Chance(0.5),
            _ => true,
        };
        _devices = [_segment == DemoSegment.Consumer ? DemoCatalog.Hub : DemoCatalog.BusinessKit, DemoCatalog.Keypad, DemoCatalog.DoorSensor];

        _profile =
        [
            Field("name", p.Name),
            Field("language", p.Language),
            Field("country", p.Country),
            Field("city", p.City),
            Field("timeZone", DemoClock.ZoneId(p.Zone)),
            Field("segment", p.SegmentName),
        ];
        if (p.Company is not null)
        {
            _profile.Add(Field("company", p.Company));
        }
    }

    private void BeginExisting()
    {
        CreatePersona();
        var since = _now.AddDays(-_rng.Next(30, 1_500));
        _profile!.Add(Field("customerSince", since.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        _profile.Add(Field("plan", DemoCatalog.Plans[_plan]));
        _profile.Add(Field("status", "active"));
        _salesRep = _rng.Pick(_segment == DemoSegment.Consumer ? InsideSales : FieldSales);
        _salesTeam = _segment == DemoSegment.Consumer ? "inside-sales" : "field-sales";

        // A renewal falls somewhere in the first period, so every existing customer shows up at least once.
        var firstRenewal = _now.AddDays(_rng.Uniform(0, _annual ? 365 : DaysPerMonth));
        StartLife(_now, firstRenewal);
    }

    private void BeginAcquisition()
    {
        CreatePersona();
        var p = _persona;
        var won = _kind == DemoKind.New;
        var fragment = won && _rng.Chance(0.13) ? (Fragment)_rng.Weighted([0, 40, 30, 30]) : Fragment.None;
        p.Ensure(phone: fragment == Fragment.StoreVisit, crm: fragment == Fragment.CrmLead, shop: fragment == Fragment.ShopClick);
        _profile!.Add(Field("status", "prospect"));

        // Where the lead came from.
        string source;
        DemoCampaign? campaign = null;
        if (_support)
        {
            source = "campaign";
            campaign = _calendar.Support;
        }
        else
        {
            var seasonal = _calendar.SeasonalAt(_now);
            source = _rng.Weighted([seasonal is null ? 0 : 30, 30, 20, 12, _segment == DemoSegment.Consumer ? 2 : 25]) switch
            {
                0 => "campaign",
                1 => "web",
                2 => "store",
                3 => "referral",
                _ => "outbound",
            };
            campaign = source == "campaign" ? seasonal : null;
        }

        var t = _now;
        var touch = campaign == _calendar.Support && _rng.Chance(0.4) ? Channel.Social : Channel.Email;

        // A fragment needs an email touchpoint before it, so the later link has two customers to merge.
        var mail = campaign ?? (fragment != Fragment.None ? _calendar.NewsletterAt(t) : null);
        if (mail is not null)
        {
            Emit(t, Department.Marketing, touch, "campaign.sent", p.EmailOnly, attributes: SentAttributes(mail, touch), costed: true);
            if (touch == Channel.Email && _rng.Chance(campaign is null ? 0.4 : 0.8))
            {
                t = t.AddMinutes(_rng.Uniform(5, 1_440));
                Emit(t, Department.Marketing, Channel.Email, "campaign.opened", p.EmailOnly, attributes: CampaignAttributes(mail));
            }

            if (fragment == Fragment.ShopClick)
            {
                // Clicked while signed in to the shop: the web analytics know the shop account, not the email.
                t = t.AddMinutes(_rng.Uniform(1, 600));
                Emit(t, Department.Marketing, Channel.Web, "campaign.clicked", [p.ShopKey!.Value], attributes: CampaignAttributes(mail));
            }
            else if (campaign is not null && _rng.Chance(0.85))
            {
                t = t.AddMinutes(_rng.Uniform(1, 90));
                Emit(t, Department.Marketing, touch, "campaign.clicked", p.EmailOnly, attributes: CampaignAttributes(mail));
            }
        }

        if (fragment == Fragment.StoreVisit)
        {
            // The loyalty desk in the shop looks people up by phone.
            t = LocalTime(t.AddDays(_rng.Uniform(0.5, 4)), _rng.Next(10, 20));
            Emit(t, Department.Sales, Channel.Store, "store.visited", [p.PhoneKey!.Value], attributes: Attributes(w => w.WriteString("store", p.City)));
        }

        var leadId = "L-" + Number.ToString("D6", CultureInfo.InvariantCulture);
        var leadChannel = source switch
        {
            "store" => Channel.Store,
            "outbound" => Channel.Phone,
            "campaign" when touch == Channel.Social => Channel.Social,
            _ => Channel.Web,
        };
        t = t.AddMinutes(_rng.Uniform(2, 240));
        Emit(t, Department.Marketing, leadChannel, "lead.created", fragment == Fragment.CrmLead ? [p.CrmKey!.Value] : p.CrmKeys,
            attributes: Attributes(w =>
            {
                w.WriteString("leadId", leadId);
                w.WriteString("source", source);
                WriteCampaign(w, campaign);
                w.WriteString("interest", _segment == DemoSegment.Consumer ? "home-security" : "business-security");
            }));

        if (_rng.Chance(won ? 0.9 : 0.55))
        {
            t = LocalTime(t.AddHours(_rng.Uniform(6, 96)), _rng.Next(9, 19));
            Emit(t, Department.Marketing, _rng.Chance(0.6) ? Channel.Email : Channel.Phone, "lead.qualified", LinkKeys(fragment),
                attributes: Attributes(w =>
                {
                    w.WriteString("leadId", leadId);
                    WriteCampaign(w, campaign);
                    w.WriteNumber("score", _rng.Next(won ? 55 : 30, 100));
                }));
        }

        // The deal.
        _salesTeam = _segment switch
        {
            DemoSegment.Enterprise => "field-sales",
            DemoSegment.Smb => _rng.Chance(0.4) ? "field-sales" : "inside-sales",
            _ when source == "store" => "retail",
            _ when source == "campaign" => _rng.Chance(0.75) ? "inside-sales" : "online",
            _ => _rng.Chance(0.55) ? "online" : "inside-sales",
        };
        _salesRep = _salesTeam switch
        {
            "field-sales" => _rng.Pick(FieldSales),
            "retail" => _rng.Pick(Retail),
            "online" => _rng.Pick(Online),
            _ => _support && _rng.Chance(0.7) ? _rng.Pick(SupportCampaignClosers) : _rng.Pick(InsideSales),
        };
        var dealChannel = _salesTeam switch
        {
            "field-sales" => Channel.Field,
            "retail" => Channel.Store,
            "online" => Channel.Web,
            _ => Channel.Phone,
        };
        t = LocalTime(t.AddDays(_segment == DemoSegment.Enterprise ? _rng.Uniform(10, 40) : _rng.Uniform(1, 14)), _rng.Next(9, 20));
        var monthly = DemoCatalog.PlanPrice(_plan, p.Currency) * _sites;
        var kit = _devices[0];
        var dealValue = (12 * monthly) + (DemoCatalog.Price(kit, p.Currency) * _sites);
        var dealId = "D-" + Number.ToString("D6", CultureInfo.InvariantCulture) + "-1";
        string? note = null;
        if (_rng.Chance(_support ? 0.6 : 0.25))
        {
            note = DemoTexts.Write(_rng, p.Voice, won ? TextKind.DealNote : TextKind.DealLost,
                _support ? Theme.Night : _rng.Chance(0.5) ? Theme.Price : Theme.General, won ? Mood.Positive : Mood.Negative, Slots());
        }

        var lostReason = won ? null : _rng.Pick(["price", "competitor", "no-decision", "timing"]);
        Emit(t, Department.Sales, dealChannel, won ? "deal.won" : "deal.lost", LinkKeys(fragment), dealValue, note,
            Attributes(w =>
            {
                w.WriteString("dealId", dealId);
                w.WriteString("dealType", "new");
                w.WriteString("salesRep", _salesRep);
                w.WriteString("team", _salesTeam);
                w.WriteString("plan", DemoCatalog.Plans[_plan]);
                WriteCampaign(w, campaign);
                if (lostReason is not null)
                {
                    w.WriteString("reason", lostReason);
                }
            }),
            won ? NoFields : [Field("status", "lost")]);

        if (!won)
        {
            // Marketing keeps writing for a while, then gives up.
            StartMarketing(t, t.AddDays(_rng.Uniform(90, 270)));
            return;
        }

        var dealAt = t;
        _subscribed = true;
        t = t.AddMinutes(_rng.Uniform(2, 15));
        Emit(t, Department.Sales, dealChannel, "subscription.started", p.CrmKeys, monthly, null, SubscriptionAttributes(null),
            [Field("plan", DemoCatalog.Plans[_plan]), Field("status", "active")]);

        t = t.AddMinutes(_rng.Uniform(3, 60));
        var orderChannel = dealChannel switch
        {
            Channel.Store => Channel.Store,
            Channel.Web => p.App is not null && _rng.Chance(0.3) ? Channel.App : Channel.Web,
            _ => Channel.Web,
        };
        PlaceOrder(t, orderChannel, kit, _sites, orderChannel == Channel.Store ? p.PhoneKeys : p.ShopKeys);

        if (_rng.Chance(_segment switch { DemoSegment.Consumer => 0.45, DemoSegment.Smb => 0.8, _ => 1.0 }))
        {
            var visitAt = LocalTime(t.AddDays(_rng.Uniform(2, 10)), _rng.Next(9, 18));
            Emit(visitAt, Department.Service, Channel.Field, "visit.completed", p.PhoneKeys, attributes: Attributes(w =>
            {
                w.WriteString("visitId", "V-" + Number.ToString("D6", CultureInfo.InvariantCulture) + "-1");
                w.WriteString("technician", _rng.Pick(Technicians));
                w.WriteString("reason", "installation");
                w.WriteNumber("durationMinutes", _rng.Next(45, 180));
            }));
        }

        var firstRenewal = _annual ? dealAt.AddYears(1) : dealAt.AddMonths(1);
        StartLife(dealAt, firstRenewal);
    }

    /// <summary>The customer is subscribed from <paramref name="from"/>: every process starts.</summary>
    private void StartLife(DateTime from, DateTime firstRenewal)
    {
        _subscribed = true;
        StartMarketing(from, DateTime.MaxValue);
        _next[Billing] = Later(firstRenewal);
        ScheduleIssue(from);
        if (_persona.App is not null)
        {
            ScheduleAppSession(from);
        }

        ScheduleDeviceAlert(from);
        ScheduleOrder(from);
        _npsIndex = 0;
        while (_npsIndex < _calendar.NpsWaves.Count && _calendar.NpsWaves[_npsIndex] < from)
        {
            _npsIndex++;
        }

        ScheduleNps();
        if (_rng.Chance(0.22))
        {
            _next[Review] = LocalTime(from.AddDays(_rng.Uniform(20, 500)), _rng.Next(8, 24));
        }

        if (_rng.Chance(_satisfaction > 0.45 ? 0.35 : 0.04))
        {
            _next[Referral] = LocalTime(from.AddDays(_rng.Uniform(30, 500)), _rng.Next(8, 23));
        }

        if (_segment != DemoSegment.Consumer && _rng.Chance(_segment == DemoSegment.Smb ? 0.3 : 0.7))
        {
            _next[Upsell] = LocalTime(from.AddDays(_rng.Uniform(90, 600)), _rng.Next(9, 19));
        }

        ScheduleChurn();
    }

    // ---- Marketing ---------------------------------------------------------------------------------------------

    private void StartMarketing(DateTime from, DateTime until)
    {
        _activeUntil = until;
        var waves = _calendar.Waves;
        _waveIndex = 0;
        while (_waveIndex < waves.Count && waves[_waveIndex].Day.AddDays(1) <= from)
        {
            _waveIndex++;
        }

        ScheduleWave();
    }

    /// <summary>
    /// Finds the next wave that reaches this customer, deciding now whether each one does: a wave that reaches nobody
    /// is not an episode, which keeps the merge's work proportional to touchpoints.
    /// </summary>
    private void ScheduleWave()
    {
        var waves = _calendar.Waves;
        while (_waveIndex < waves.Count && waves[_waveIndex].Day < _activeUntil)
        {
            var wave = waves[_waveIndex];
            _waveTargeted = wave.IsNewsletter ? _newsletter : _rng.Chance(wave.Reach);
            _waveBanner = _persona.App is not null && _rng.Chance(0.03);
            if (_waveTargeted || _waveBanner)
            {
                _next[Marketing] = Later(DemoClock.NextLocal(_persona.Zone, wave.Day, 9 + _rng.Next(2), _rng.Next(60), _rng.Next(60)));
                return;
            }

            _waveIndex++;
        }
    }

    private void PlayWave()
    {
        var wave = _calendar.Waves[_waveIndex++];
        var p = _persona;
        var attributes = CampaignAttributes(wave.Campaign);
        if (_waveTargeted)
        {
            Emit(_now, Department.Marketing, wave.Channel, "campaign.sent", p.EmailOnly, attributes: SentAttributes(wave.Campaign, wave.Channel), costed: true);
            if (wave.Channel == Channel.Email)
            {
                if (_rng.Chance(_openRate))
                {
                    var opened = _now.AddMinutes(Math.Min(_rng.Exponential(360), 4_000));
                    Emit(opened, Department.Marketing, Channel.Email, "campaign.opened", p.EmailOnly, attributes: attributes);
                    if (_rng.Chance(_clickRate))
                    {
                        Emit(opened.AddSeconds(_rng.Next(5, 300)), Department.Marketing, Channel.Email, "campaign.clicked", p.EmailOnly, attributes: attributes);
                    }
                }
            }
            else if (_rng.Chance(0.04))
            {
                Emit(_now.AddMinutes(_rng.Uniform(1, 600)), Department.Marketing, Channel.Social, "campaign.clicked", p.EmailOnly, attributes: attributes);
            }
        }

        if (_waveBanner)
        {
            // A banner on the site, clicked while signed in.
            Emit(_now.AddHours(_rng.Uniform(1, 48)), Department.Marketing, Channel.Web, "campaign.clicked", p.EmailOnly, attributes: attributes);
        }

        ScheduleWave();
    }

    // ---- Billing, orders, refunds --------------------------------------------------------------------------------

    private void PlayRenewal()
    {
        var monthly = DemoCatalog.PlanPrice(_plan, _persona.Currency) * _sites;
        Emit(_now, Department.Sales, Channel.Other, "subscription.renewed", _persona.CrmKeys, monthly, null, SubscriptionAttributes(null));
        if (_rng.Chance(0.012))
        {
            // A double charge: the customer will be in touch.
            Trigger(Theme.Billing, ServiceHours(_now.AddDays(_rng.Uniform(0.2, 3))), night: false);
        }

        _next[Billing] = Later(_annual ? _now.AddYears(1) : _now.AddMonths(1));
    }

    private void ScheduleOrder(DateTime from)
    {
        var perMonth = _segment switch { DemoSegment.Consumer => 0.05, DemoSegment.Smb => 0.07, _ => 0.1 };
        _next[Order] = LocalTime(from.AddDays(_rng.Exponential(DaysPerMonth / perMonth)), _rng.Next(8, 24));
    }

    private void PlayOrder()
    {
        var p = _persona;
        var product = DemoCatalog.Accessories[_rng.Weighted(DemoCatalog.AccessoryWeights)];
        var channel = (Channel)_rng.Weighted([0, 55, p.App is null ? 0 : 25, 0, 0, 0, 20]);
        var quantity = _segment == DemoSegment.Enterprise ? _rng.Next(2, 20) : _rng.Chance(0.2) ? 2 : 1;
        PlaceOrder(_now, channel, product, quantity, channel == Channel.Store ? p.PhoneKeys : p.ShopKeys);
        _devices.Add(product);
        ScheduleOrder(_now);
    }

    private void PlaceOrder(DateTime at, Channel channel, DemoProduct product, int quantity, IdentityKey[] keys)
    {
        var p = _persona;
        var orderId = "O-" + Number.ToString("D6", CultureInfo.InvariantCulture) + "-" + (++_orders).ToString(CultureInfo.InvariantCulture);
        var value = DemoCatalog.Price(product, p.Currency) * quantity;
        Emit(at, Department.Sales, channel, "order.placed", keys, value, null, Attributes(w =>
        {
            w.WriteString("orderId", orderId);
            w.WriteString("product", product.Slug);
            w.WriteNumber("items", quantity);
            w.WriteString("fulfilment", channel == Channel.Store ? "pickup" : "delivery");
        }));

        if (channel != Channel.Store && _rng.Chance(0.07))
        {
            Trigger(Theme.Delivery, ServiceHours(at.AddDays(_rng.Uniform(3, 8))), night: false);
        }

        if (_rng.Chance(0.05))
        {
            var refundAt = at.AddDays(_rng.Uniform(4, 20));
            Refund(refundAt, value, orderId, _rng.Pick(["damaged", "not-as-described", "late-delivery", "changed-mind"]));
        }
    }

    private void Refund(DateTime at, decimal value, string reference, string reason)
    {
        Emit(at, Department.Other, Channel.Other, "refund.issued", _persona.CrmKeys, value, null, Attributes(w =>
        {
            w.WriteString("refundId", "R-" + Number.ToString("D6", CultureInfo.InvariantCulture) + "-" + _sequence.ToString(CultureInfo.InvariantCulture));
            w.WriteString("reference", reference);
            w.WriteString("reason", reason);
        }));
    }

    private void PlayUpsell()
    {
        var p = _persona;
        var won = _rng.Chance(0.6);
        var extraSites = _segment == DemoSegment.Enterprise ? _rng.Next(1, 6) : 1;
        var value = 12 * DemoCatalog.PlanPrice(_plan, p.Currency) * extraSites;
        var channel = _salesTeam == "field-sales" ? Channel.Field : Channel.Phone;
        Emit(_now, Department.Sales, won ? channel : Channel.Email, won ? "deal.won" : "deal.lost", p.CrmKeys, value, null, Attributes(w =>
        {
            w.WriteString("dealId", "D-" + Number.ToString("D6", CultureInfo.InvariantCulture) + "-2");
            w.WriteString("dealType", "expansion");
            w.WriteString("salesRep", _salesRep);
            w.WriteString("team", _salesTeam);
            w.WriteString("plan", DemoCatalog.Plans[_plan]);
            if (!won)
            {
                w.WriteString("reason", _rng.Pick(["price", "no-decision", "timing"]));
            }
        }));
        if (won)
        {
            _sites += extraSites;
        }
    }

    // ---- Service -----------------------------------------------------------------------------------------------

    private double IssuesPerYear => _support ? 3.0 : _segment switch { DemoSegment.Consumer => 1.0, DemoSegment.Smb => 1.6, _ => 2.6 };

    /// <summary>
    /// How often the customer needs help at night. Customers won by the 24/7 campaign bought it for exactly that.
    /// </summary>
    private double NightShare => _support ? 0.7 : 0.04;

    private void ScheduleIssue(DateTime from)
    {
        var day = from.AddDays(_rng.Exponential(365.0 / IssuesPerYear));
        _nextIssueNight = _rng.Chance(NightShare);
        _next[Issue] = _nextIssueNight ? NightTime(day) : ServiceHours(day);
    }

    private void Trigger(Theme topic, DateTime at, bool night)
    {
        if (_next[TriggeredIssue] != DateTime.MaxValue || !_subscribed)
        {
            return;
        }

        _triggeredTopic = topic;
        _triggeredNight = night;
        _next[TriggeredIssue] = Later(at);
    }

    private void PlayIssue(Theme topic, bool night)
    {
        if (_tickets >= 999)
        {
            return;
        }

        var p = _persona;
        var ticketId = Number.ToString(CultureInfo.InvariantCulture) + (++_tickets).ToString("D3", CultureInfo.InvariantCulture);
        _lastTopic = topic;
        var t = _now;
        var channel = night
            ? (p.Phone is not null && _rng.Chance(0.8) ? Channel.Phone : Channel.Chat)
            : (Channel)_rng.Weighted([12, 8, 0, p.Phone is null ? 0 : 50, 30]);
        var slots = Slots(topic, DemoClock.LocalHour(p.Zone, t));
        var text = DemoTexts.Write(_rng, p.Voice, TextKind.Ticket, night && _support ? Theme.Night : topic, Mood.Negative, slots);
        var priority = night || topic == Theme.FalseAlarm ? "high" : topic is Theme.Device or Theme.Delivery ? "normal" : "low";
        Emit(t, Department.Service, channel, "ticket.opened", p.HelpdeskKeys, 0, text, Attributes(w =>
        {
            w.WriteString("ticketId", ticketId);
            w.WriteString("topic", TopicName(topic));
            w.WriteString("priority", priority);
        }));

        var contact = 0;
        bool resolved;
        bool firstResolved;
        var lastChannel = channel;
        if (channel is Channel.Phone or Channel.Chat)
        {
            (t, resolved) = Contact(t.AddSeconds(_rng.Next(5, 60)), channel, ticketId, topic, night, ++contact, escalated: false);
            firstResolved = resolved;
        }
        else
        {
            // Written tickets are answered in writing, in office hours.
            t = ServiceHours(t.AddHours(_rng.Exponential(8)));
            resolved = _rng.Chance(0.7);
            firstResolved = resolved;
        }

        var nightFailed = night && !firstResolved;
        while (!resolved && contact < 4)
        {
            if (topic is Theme.Installation or Theme.Device && contact >= 1 && _rng.Chance(0.35))
            {
                t = ServiceHours(t.AddDays(_rng.Uniform(1, 6)));
                resolved = Visit(t, ticketId);
                lastChannel = Channel.Field;
                contact++;
                continue;
            }

            // Customers promised 24/7 support call back at night too, and get the night desk again.
            lastChannel = p.Phone is not null && _rng.Chance(0.65) ? Channel.Phone : Channel.Chat;
            var again = nightFailed && _rng.Chance(0.55);
            var when = again ? NightTime(t.AddHours(_rng.Uniform(12, 72))) : ServiceHours(t.AddHours(_rng.Exponential(20)));
            (t, resolved) = Contact(when, lastChannel, ticketId, topic, night: again, ++contact, escalated: !again && _rng.Chance(0.5));
        }

        if (!resolved && _rng.Chance(0.5))
        {
            // Some tickets are simply left open.
            AfterIssue(nightFailed);
            return;
        }

        t = t.AddMinutes(_rng.Uniform(1, 10));
        Resolve(t, lastChannel, ticketId, topic, contact);
        if (topic == Theme.Billing && _rng.Chance(0.35))
        {
            Refund(t.AddDays(_rng.Uniform(1, 4)), DemoCatalog.PlanPrice(_plan, p.Currency) * _sites, "T-" + ticketId, "billing-error");
        }

        var reopened = false;
        if (_rng.Chance(nightFailed ? 0.45 : firstResolved ? 0.06 : 0.15))
        {
            reopened = true;
            var reopenNight = nightFailed && _rng.Chance(0.75);
            t = reopenNight ? NightTime(t.AddDays(_rng.Uniform(1, 10))) : ServiceHours(t.AddDays(_rng.Uniform(1, 10)));
            var reopenChannel = reopenNight || p.Phone is not null && _rng.Chance(0.6) ? (p.Phone is null ? Channel.Chat : Channel.Phone) : Channel.Email;
            Emit(t, Department.Service, reopenChannel, "ticket.reopened", p.HelpdeskKeys, 0,
                DemoTexts.Write(_rng, p.Voice, TextKind.Reopen, reopenNight ? Theme.Night : Theme.General, Mood.Negative, Slots(topic, DemoClock.LocalHour(p.Zone, t))),
                Attributes(w => w.WriteString("ticketId", ticketId)));
            Shift(-0.08);
            var contactChannel = reopenChannel == Channel.Email ? Channel.Chat : reopenChannel;
            (t, resolved) = Contact(t.AddMinutes(_rng.Uniform(0.5, 5)), contactChannel, ticketId, topic, reopenNight, ++contact, escalated: !reopenNight);
            if (!resolved)
            {
                (t, _) = Contact(ServiceHours(t.AddHours(_rng.Exponential(20))), contactChannel, ticketId, topic, night: false, ++contact, escalated: true);
            }

            Resolve(t.AddMinutes(_rng.Uniform(1, 10)), contactChannel, ticketId, topic, contact);
            if (nightFailed && _rng.Chance(0.25))
            {
                _reviewAboutNight = true;
                _next[Review] = Later(LocalTime(t.AddDays(_rng.Uniform(0.1, 3)), _rng.Next(8, 24)));
            }
        }

        if (_rng.Chance(0.35))
        {
            var score = (int)Math.Round(4.0 + (0.9 * _satisfaction) + (firstResolved ? 0.4 : -0.7) + (reopened ? -1.0 : 0) + (nightFailed ? -0.8 : 0) + _rng.Normal(0, 0.6));
            score = Math.Clamp(score, 1, 5);
            var at = LocalTime(t.AddHours(_rng.Uniform(1, 30)), _rng.Next(8, 23));
            Survey(at, "csat", score, score >= 4 ? Mood.Positive : score == 3 ? Mood.Mixed : Mood.Negative, ticketId, null);
        }

        AfterIssue(nightFailed);
    }

    private void AfterIssue(bool nightFailed)
    {
        _lastNightFailed = nightFailed;
        if (_subscribed)
        {
            ScheduleChurn();
        }
    }

    /// <summary>One call or chat about a ticket; returns when it ended and whether it solved the problem.</summary>
    private (DateTime End, bool Resolved) Contact(DateTime start, Channel channel, string ticketId, Theme topic, bool night, int number, bool escalated)
    {
        var p = _persona;
        var team = night ? "night" : escalated || (_segment == DemoSegment.Enterprise && _rng.Chance(0.5)) || _rng.Chance(0.15) ? "L2" : "L1";
        var agent = _rng.Pick(team switch
        {
            "night" => p.Spanish ? AgentsNightEs : AgentsNightEn,
            "L2" => p.Spanish ? AgentsL2Es : AgentsL2En,
            _ => p.Spanish ? AgentsL1Es : AgentsL1En,
        });

        // The night desk is staffed to keep calls short, not to solve problems: it has no engineers and no tools.
        var wait = (int)Math.Clamp(_rng.LogNormal(team == "night" ? 25 : team == "L2" ? 120 : 80, 0.7), 3, 1_800);
        var handle = team switch
        {
            "night" => _rng.LogNormal(140, 0.4),
            "L2" => _rng.LogNormal(620, 0.45),
            _ => _rng.LogNormal(380, 0.45),
        };
        if (channel == Channel.Chat)
        {
            handle *= 1.15;
        }

        var handleSeconds = (int)Math.Clamp(handle, 40, 3_600);
        var solveRate = team switch { "night" => _support ? 0.12 : 0.25, "L2" => 0.8, _ => 0.7 };
        solveRate *= topic switch
        {
            Theme.Billing or Theme.Account => 1.1,
            Theme.Installation => 0.6,
            Theme.Device or Theme.FalseAlarm => 0.85,
            _ => 1.0,
        };
        var resolved = _rng.Chance(Math.Min(solveRate, 0.95));
        var end = start.AddSeconds(wait + handleSeconds);
        var hour = DemoClock.LocalHour(p.Zone, end);
        var slots = Slots(topic, hour) with { Times = number + 1 };
        var summaryTheme = team == "night" && !resolved && _rng.Chance(0.8) ? Theme.Night : topic;
        var summary = DemoTexts.Write(_rng, p.Voice, TextKind.Summary, summaryTheme, resolved ? Mood.Positive : Mood.Negative, slots);
        Emit(end, Department.Service, channel, channel == Channel.Phone ? "call.completed" : "chat.completed",
            channel == Channel.Phone ? p.PhoneKeys : p.HelpdeskKeys, 0, summary, Attributes(w =>
            {
                w.WriteString("ticketId", ticketId);
                w.WriteString("agent", agent);
                w.WriteString("team", team);
                w.WriteNumber("handleSeconds", handleSeconds);
                w.WriteNumber("waitSeconds", wait);
                w.WriteBoolean("firstContactResolution", number == 1 && resolved);
                w.WriteBoolean("resolved", resolved);
                w.WriteNumber("contactNumber", number);
                w.WriteNumber("hourLocal", hour);
                w.WriteString("topic", TopicName(topic));
            }));

        if (team == "night" && !resolved)
        {
            _lastNightHour = hour;
        }

        Shift(resolved ? 0.03 : team == "night" ? -0.17 : -0.04);
        return (end, resolved);
    }

    private bool Visit(DateTime at, string ticketId)
    {
        var resolved = _rng.Chance(0.85);
        Emit(at, Department.Service, Channel.Field, "visit.completed", _persona.PhoneKeys, attributes: Attributes(w =>
        {
            w.WriteString("visitId", "V-" + ticketId);
            w.WriteString("ticketId", ticketId);
            w.WriteString("technician", _rng.Pick(Technicians));
            w.WriteString("reason", "repair");
            w.WriteNumber("durationMinutes", _rng.Next(30, 150));
            w.WriteBoolean("resolved", resolved);
        }));
        return resolved;
    }

    private void Resolve(DateTime at, Channel channel, string ticketId, Theme topic, int contacts)
    {
        Emit(at, Department.Service, channel, "ticket.resolved", _persona.HelpdeskKeys, attributes: Attributes(w =>
        {
            w.WriteString("ticketId", ticketId);
            w.WriteString("topic", TopicName(topic));
            w.WriteNumber("contacts", contacts);
        }));
    }

    /// <summary>Experiences move satisfaction, and satisfaction moves the chance of leaving.</summary>
    private void Shift(double delta) => _satisfaction = Math.Clamp(_satisfaction + delta, -2, 2);

    // ---- Product: app and devices -----------------------------------------------------------------------------

    private void ScheduleAppSession(DateTime from)
    {
        var day = from.AddDays(_rng.Exponential(DaysPerMonth / _appSessionsPerMonth));
        _next[AppSession] = LocalTime(day, _rng.Weighted(AppHourWeights));
    }

    private void PlayAppSession()
    {
        var p = _persona;
        var release = _calendar.ReleaseAt(_now);
        var crashed = _rng.Chance(release == _calendar.CrashyRelease ? 0.12 : 0.015);
        var duration = (int)Math.Clamp(_rng.LogNormal(75, 0.8), 5, 3_600);
        Emit(_now, Department.Product, Channel.App, "app.session", p.AppKeys, attributes: Attributes(w =>
        {
            w.WriteNumber("durationSeconds", crashed ? Math.Min(duration, 40) : duration);
            w.WriteString("platform", p.Platform);
            w.WriteString("appVersion", DemoCalendar.AppVersion(release));
            w.WriteBoolean("crashed", crashed);
        }));
        if (crashed && _rng.Chance(0.12))
        {
            Trigger(Theme.App, ServiceHours(_now.AddHours(_rng.Uniform(1, 20))), night: false);
        }

        ScheduleAppSession(_now);
    }

    private void ScheduleDeviceAlert(DateTime from)
    {
        var day = from.AddDays(_rng.Exponential(DaysPerMonth / 0.12));
        _next[DeviceAlert] = LocalTime(day, _rng.Next(24));
    }

    private void PlayDeviceAlert()
    {
        var p = _persona;
        var index = _rng.Next(_devices.Count);
        var device = _devices[index];
        var (code, severity) = DemoCatalog.Alert(_rng, device.DeviceType);
        Emit(_now, Department.Product, Channel.Iot, "device.alert", p.AppKeys, attributes: Attributes(w =>
        {
            w.WriteString("deviceId", "dev-" + Number.ToString("D6", CultureInfo.InvariantCulture) + "-" + index.ToString(CultureInfo.InvariantCulture));
            w.WriteString("deviceType", device.DeviceType);
            w.WriteString("code", code);
            w.WriteString("severity", severity);
        }));

        if (severity == "critical" && _rng.Chance(_support ? 0.6 : 0.3))
        {
            var topic = code is "offline" or "power-loss" ? Theme.Device : Theme.FalseAlarm;
            var hour = DemoClock.LocalHour(p.Zone, _now);
            var atNight = hour is >= 22 or < 7;

            // Customers promised 24/7 support call straight away; the others wait for the morning.
            if (atNight && _support)
            {
                Trigger(topic, _now.AddMinutes(_rng.Uniform(3, 25)), night: true);
            }
            else
            {
                Trigger(topic, ServiceHours(_now.AddMinutes(_rng.Uniform(3, 120))), night: false);
            }
        }

        ScheduleDeviceAlert(_now);
    }

    // ---- Feedback ----------------------------------------------------------------------------------------------

    private void ScheduleNps()
    {
        if (_npsIndex < _calendar.NpsWaves.Count)
        {
            var wave = _calendar.NpsWaves[_npsIndex];
            _next[Nps] = Later(LocalTime(wave.AddDays(_rng.Uniform(0, 6)), _rng.Next(8, 23)));
        }
    }

    private void PlayNps()
    {
        var wave = _calendar.NpsWaves[_npsIndex++];
        if (_rng.Chance(0.3))
        {
            var score = Math.Clamp((int)Math.Round(7.6 + (2.4 * _satisfaction) + _rng.Normal(0, 1.3)), 0, 10);
            Survey(_now, "nps", score, score >= 9 ? Mood.Positive : score >= 7 ? Mood.Mixed : Mood.Negative, null,
                wave.ToString("yyyy-MM", CultureInfo.InvariantCulture));
        }

        ScheduleNps();
    }

    private void Survey(DateTime at, string survey, int score, Mood mood, string? ticketId, string? wave)
    {
        var p = _persona;
        string? text = null;
        if (_rng.Chance(survey == "nps" ? 0.55 : 0.45))
        {
            text = DemoTexts.Write(_rng, p.Voice, TextKind.Survey, FeedbackTheme(mood), mood, Slots(_lastTopic, _lastNightHour));
        }

        Emit(at, Department.Other, _rng.Chance(0.7) ? Channel.Email : Channel.Web, "survey.response", p.EmailOnly, 0, text, Attributes(w =>
        {
            w.WriteString("survey", survey);
            w.WriteNumber("score", score);

            // The names survey metrics read, as the hosted survey page writes them.
            w.WriteNumber(survey == "nps" ? "npsScore" : "csatScore", score);
            if (ticketId is not null)
            {
                w.WriteString("ticketId", ticketId);
            }

            if (wave is not null)
            {
                w.WriteString("wave", wave);
            }
        }));
    }

    private void PlayReview()
    {
        var p = _persona;
        var rating = Math.Clamp((int)Math.Round(3.7 + (1.7 * _satisfaction) + (_reviewAboutNight ? -1.5 : 0) + _rng.Normal(0, 0.8)), 1, 5);
        var mood = rating >= 4 ? Mood.Positive : rating == 3 ? Mood.Mixed : Mood.Negative;
        var theme = _reviewAboutNight && mood == Mood.Negative ? Theme.Night : FeedbackTheme(mood);
        var social = _rng.Chance(0.45);
        var platform = social ? _rng.Pick(["facebook", "instagram", "x"]) : _rng.Pick(["google", "trustpilot", "app-store"]);
        Emit(_now, Department.Marketing, social ? Channel.Social : Channel.Web, "review.posted", p.EmailOnly, 0,
            DemoTexts.Write(_rng, p.Voice, TextKind.Review, theme, mood, Slots(_lastTopic, _lastNightHour)),
            Attributes(w =>
            {
                w.WriteNumber("rating", rating);
                w.WriteString("platform", platform);
            }));
        _reviewAboutNight = false;
    }

    private void PlayReferral()
    {
        var p = _persona;
        var channel = (Channel)_rng.Weighted([25, 40, p.App is null ? 0 : 25, 0, 0, 10]);
        Emit(_now, Department.Marketing, channel, "referral.made", p.EmailOnly, attributes: Attributes(w =>
        {
            w.WriteString("referralCode", "REF-" + Number.ToString("D6", CultureInfo.InvariantCulture));
            w.WriteString("program", p.Spanish ? "trae-a-un-amigo" : "refer-a-friend");
        }));
    }

    /// <summary>What a comment is about: the night, if that is what went wrong; otherwise the last topic or a common theme.</summary>
    private Theme FeedbackTheme(Mood mood)
    {
        if (mood == Mood.Negative && _lastNightFailed && _rng.Chance(0.7))
        {
            return Theme.Night;
        }

        if (_rng.Chance(0.4))
        {
            return _lastTopic switch
            {
                Theme.FalseAlarm => Theme.Device,
                Theme.Account => Theme.General,
                _ => _lastTopic,
            };
        }

        return mood == Mood.Negative
            ? _rng.Pick([Theme.Wait, Theme.Billing, Theme.App, Theme.Price, Theme.Staff, Theme.Delivery])
            : _rng.Pick([Theme.Staff, Theme.App, Theme.General, Theme.Price, Theme.Installation, Theme.Delivery]);
    }

    // ---- Churn -------------------------------------------------------------------------------------------------

    /// <summary>
    /// Monthly hazard of cancelling. The waiting time is exponential, so drawing it again whenever satisfaction
    /// changes is exactly the process with the new rate (memorylessness).
    /// </summary>
    private void ScheduleChurn()
    {
        var segment = _segment switch { DemoSegment.Consumer => 1.0, DemoSegment.Smb => 0.85, _ => 0.5 };
        var hazard = 0.016 * segment * Math.Exp(-1.5 * _satisfaction);
        var from = _busyUntil > _now ? _busyUntil : _now;
        _next[Churn] = Later(from.AddDays(Math.Min(_rng.Exponential(DaysPerMonth / hazard), 36_500)));
    }

    private void PlayChurn()
    {
        var p = _persona;
        Theme reason;
        if (_support && (_lastNightFailed || _rng.Chance(0.6)))
        {
            reason = Theme.Night;
        }
        else if (_satisfaction < -0.2 && _rng.Chance(0.6))
        {
            reason = _lastTopic == Theme.Billing ? Theme.Billing : Theme.Staff;
        }
        else
        {
            reason = _rng.Pick([Theme.Price, Theme.Price, Theme.Moving, Theme.Competitor, Theme.General, Theme.Staff]);
        }

        var reasonName = reason switch
        {
            Theme.Night or Theme.Staff => "service",
            Theme.Billing => "billing",
            Theme.Price => "price",
            Theme.Moving => "moving",
            Theme.Competitor => "competitor",
            _ => "no-longer-needed",
        };
        var channel = p.Phone is not null && _rng.Chance(0.5) ? Channel.Phone : _rng.Chance(0.7) ? Channel.Web : Channel.Email;
        var text = _rng.Chance(0.55)
            ? DemoTexts.Write(_rng, p.Voice, TextKind.Cancellation, reason, reason is Theme.Moving or Theme.Competitor or Theme.General ? Mood.Mixed : Mood.Negative, Slots())
            : null;
        Emit(_now, Department.Service, channel, "subscription.cancelled", p.CrmKeys, DemoCatalog.PlanPrice(_plan, p.Currency) * _sites, text,
            SubscriptionAttributes(reasonName), [Field("status", "cancelled")]);

        // The story ends here; whatever was already under way (an open ticket, a survey) still arrives.
        _subscribed = false;
        Array.Fill(_next, DateTime.MaxValue);
    }

    // ---- Writing events ----------------------------------------------------------------------------------------

    private void Emit(
        DateTime at,
        Department department,
        Channel channel,
        string type,
        IReadOnlyList<IdentityKey> keys,
        decimal value = 0,
        string? text = null,
        string? attributes = null,
        ProfileField[]? profile = null,
        bool costed = false)
    {
        at = WholeSecond(at);
        if (at < _calendar.Start || at >= _calendar.End)
        {
            return;
        }

        if (at > _busyUntil)
        {
            _busyUntil = at;
        }

        var id = string.Create(CultureInfo.InvariantCulture, $"demo-{Number:D6}-{++_sequence:D4}");

        // A touchpoint with a cost carries the currency of that cost, as the ingest format says.
        var e = new CanonicalEvent(id, keys, at, department, channel, type, value, value == 0 && !costed ? null : _persona.Currency, text, attributes, profile ?? NoFields);

        // Keep the buffer sorted by (time, id); it holds a few events, so a backwards scan is the fastest insert.
        var i = _pending.Count;
        while (i > 0 && EventOrder.Compare(_pending[i - 1], e) > 0)
        {
            i--;
        }

        _pending.Insert(i, e);
    }

    private string Attributes(Action<Utf8JsonWriter> write)
    {
        var writer = _json.Begin();
        write(writer);
        return _json.Finish();
    }

    private string CampaignAttributes(DemoCampaign campaign) => Attributes(w =>
    {
        w.WriteString("campaign", campaign.Slug);
        w.WriteString("campaignName", campaign.Name(_persona.Spanish));
    });

    /// <summary>A send's attributes: its campaign and what it cost, in the customer's currency (no random draw).</summary>
    private string SentAttributes(DemoCampaign campaign, Channel channel) => Attributes(w =>
    {
        w.WriteString("campaign", campaign.Slug);
        w.WriteString("campaignName", campaign.Name(_persona.Spanish));
        w.WriteNumber("cost", DemoCatalog.SendCost(channel, _persona.Currency));
    });

    private static void WriteCampaign(Utf8JsonWriter w, DemoCampaign? campaign)
    {
        if (campaign is not null)
        {
            w.WriteString("campaign", campaign.Slug);
        }
    }

    private string SubscriptionAttributes(string? reason) => Attributes(w =>
    {
        w.WriteString("subscriptionId", "SUB-" + Number.ToString("D6", CultureInfo.InvariantCulture));
        w.WriteString("plan", DemoCatalog.Plans[_plan]);
        w.WriteString("billing", _annual ? "annual" : "monthly");
        if (_sites > 1)
        {
            w.WriteNumber("sites", _sites);
        }

        if (reason is not null)
        {
            w.WriteString("reason", reason);
        }
    });

    private ProfileField Field(string name, string value) => new(name, _json.Value(value));

    private IdentityKey[] LinkKeys(Fragment fragment)
    {
        var p = _persona;
        return fragment switch
        {
            // Same order as the parser gives: email, phone, then external ids.
            Fragment.StoreVisit => [p.EmailKey, p.PhoneKey!.Value, .. p.CrmKeys.Skip(1)],
            Fragment.ShopClick => [.. p.CrmKeys, p.ShopKey!.Value],
            _ => p.CrmKeys,
        };
    }

    private TextSlots Slots(Theme topic = Theme.General, int hour = 3)
    {
        var p = _persona;
        var device = _devices.Count == 0 ? DemoCatalog.Hub : _devices[_rng.Next(_devices.Count)];
        return new TextSlots(
            device.Name(p.Spanish),
            DemoCatalog.Money(DemoCatalog.PlanPrice(_plan, p.Currency) * _sites, p.Currency),
            _rng.Next(2, 16),
            _rng.Next(2, 6),
            hour,
            DemoClock.ToLocal(p.Zone, _now).Month,
            _rng.Next(20, 75),
            DemoCatalog.Plans[_plan],
            topic);
    }

    private static string TopicName(Theme topic) => topic switch
    {
        Theme.Billing => "billing",
        Theme.Delivery => "delivery",
        Theme.App => "app",
        Theme.Device => "device",
        Theme.FalseAlarm => "false-alarm",
        Theme.Installation => "installation",
        _ => "account",
    };

    // ---- Time --------------------------------------------------------------------------------------------------

    /// <summary>Nothing is scheduled before the episode being played: that is what keeps the stream in order.</summary>
    private DateTime Later(DateTime at)
    {
        at = WholeSecond(at);
        return at < _now ? _now : at;
    }

    /// <summary>Times are kept to whole seconds, rounded up so that nothing moves before the episode that wrote it.</summary>
    private static DateTime WholeSecond(DateTime at)
    {
        var extra = at.Ticks % TimeSpan.TicksPerSecond;
        return extra == 0 || at.Ticks > DateTime.MaxValue.Ticks - TimeSpan.TicksPerSecond ? at : new DateTime(at.Ticks - extra + TimeSpan.TicksPerSecond, DateTimeKind.Utc);
    }

    private DateTime Between(DateTime from, DateTime to) => WholeSecond(from.AddSeconds(Math.Floor(_rng.NextDouble() * (to - from).TotalSeconds)));

    /// <summary>The first moment at or after <paramref name="after"/> at the given local hour (random minute and second).</summary>
    private DateTime LocalTime(DateTime after, int hour) =>
        Later(DemoClock.NextLocal(_persona.Zone, after, hour, _rng.Next(60), _rng.Next(60)));

    private DateTime ServiceHours(DateTime after) => LocalTime(after, _rng.Weighted(ServiceHourWeights));

    private DateTime NightTime(DateTime after) =>
        LocalTime(after, _support ? _rng.Next(0, 6) : _rng.Pick([22, 23, 0, 1, 2, 3, 4, 5]));

    private static string[] Pool(string prefix, int first, int last) =>
        [.. Enumerable.Range(first, last - first + 1).Select(n => prefix + "-" + n.ToString("D2", CultureInfo.InvariantCulture))];
}

/// <summary>The order of the stream: by time, then by id (ordinal).</summary>
internal static class EventOrder
{
    public static int Compare(CanonicalEvent a, CanonicalEvent b)
    {
        var byTime = a.OccurredAt.CompareTo(b.OccurredAt);
        return byTime != 0 ? byTime : string.CompareOrdinal(a.Id, b.Id);
    }
}
