using System.Globalization;
using System.Text;
using OpenCxo.Core.Profiles;

namespace OpenCxo.Core.Demo;

internal enum DemoSegment
{
    Consumer,
    Smb,
    Enterprise,
}

/// <summary>
/// Who a demo customer is: name, place, language and the identities each of the company's systems knows them by.
/// Every identity is unique by construction (it embeds the customer number), so two demo customers never
/// merge by accident; the only merges are the fragments the story creates on purpose.
/// </summary>
internal sealed class DemoPersona
{
    // Reserved names (RFC 2606) so that no demo address can ever reach a real inbox.
    private static readonly string[] ConsumerDomains = ["example.com", "example.net", "example.org"];

    private static readonly string[] SpanishWomen =
    [
        "Lucía", "María", "Carmen", "Ana", "Laura", "Marta", "Paula", "Sara", "Elena", "Isabel", "Cristina", "Raquel",
        "Beatriz", "Silvia", "Patricia", "Nuria", "Rocío", "Alba", "Irene", "Julia", "Claudia", "Andrea", "Sofía", "Inés",
        "Pilar", "Teresa", "Mercedes", "Lorena", "Natalia", "Verónica", "Montserrat", "Begoña", "Ainhoa", "Noelia",
        "Esther", "Rosa", "Alicia", "Marina", "Celia", "Míriam",
    ];

    private static readonly string[] SpanishMen =
    [
        "Javier", "Antonio", "José", "Manuel", "David", "Daniel", "Carlos", "Miguel", "Alejandro", "Pablo", "Sergio",
        "Jorge", "Alberto", "Luis", "Álvaro", "Fernando", "Raúl", "Rubén", "Adrián", "Diego", "Iván", "Óscar", "Andrés",
        "Ramón", "Enrique", "Víctor", "Francisco", "Jesús", "Ignacio", "Gonzalo", "Íñigo", "Jaime", "Marcos", "Hugo",
        "Mario", "Rafael", "Joaquín", "Emilio", "Tomás", "Nicolás",
    ];

    private static readonly string[] MexicanWomen =
        ["Guadalupe", "Ximena", "Fernanda", "Valeria", "Daniela", "Mariana", "Regina", "Itzel", "Karla", "Brenda", "Alejandra", "Gabriela"];

    private static readonly string[] MexicanMen =
        ["Juan Pablo", "Emiliano", "Santiago", "Leonardo", "Rodrigo", "Arturo", "Eduardo", "Héctor", "Jesús", "Ricardo", "Alfonso", "Omar"];

    private static readonly string[] SpanishSurnames =
    [
        "García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Martín",
        "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Alonso", "Gutiérrez", "Navarro",
        "Torres", "Domínguez", "Vázquez", "Ramos", "Gil", "Ramírez", "Serrano", "Blanco", "Molina", "Morales", "Suárez",
        "Ortega", "Delgado", "Castro", "Ortiz", "Rubio", "Marín", "Sanz", "Núñez", "Iglesias", "Medina", "Garrido",
        "Cortés", "Castillo", "Santos", "Lozano", "Guerrero", "Cano", "Prieto", "Peña", "Ibáñez",
    ];

    private static readonly string[] MexicanSurnames =
    [
        "Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez", "Ramírez", "Cruz",
        "Flores", "Gómez", "Morales", "Vázquez", "Reyes", "Jiménez", "Torres", "Díaz", "Gutiérrez", "Ruiz", "Mendoza",
        "Aguilar", "Ortiz", "Moreno", "Castillo", "Romero", "Álvarez", "Méndez", "Chávez", "Rivera", "Juárez", "Domínguez",
        "Salazar", "Castañeda", "Ibarra", "Núñez", "Ochoa", "Zúñiga",
    ];

    private static readonly string[] EnglishWomen =
    [
        "Emma", "Olivia", "Sophie", "Charlotte", "Amelia", "Jessica", "Emily", "Lucy", "Hannah", "Grace", "Chloe", "Ella",
        "Katie", "Sarah", "Rebecca", "Rachel", "Megan", "Holly", "Lauren", "Jennifer", "Ashley", "Madison", "Abigail",
        "Elizabeth", "Victoria", "Natalie", "Samantha", "Heather", "Melissa", "Amanda", "Nicole", "Stephanie", "Michelle",
        "Karen", "Susan", "Claire", "Fiona", "Aisha", "Priya", "Zoe",
    ];

    private static readonly string[] EnglishMen =
    [
        "James", "Oliver", "Jack", "Harry", "George", "Thomas", "William", "Daniel", "Matthew", "Joshua", "Michael",
        "David", "Christopher", "Andrew", "Robert", "John", "Joseph", "Ryan", "Tyler", "Brandon", "Kevin", "Jason",
        "Justin", "Eric", "Steven", "Mark", "Paul", "Richard", "Samuel", "Benjamin", "Alexander", "Liam", "Noah", "Ethan",
        "Callum", "Connor", "Rhys", "Mohammed", "Arjun", "Lewis",
    ];

    private static readonly string[] EnglishSurnames =
    [
        "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright", "Thompson",
        "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Patel", "Khan", "Lewis",
        "James", "Phillips", "Mason", "Mitchell", "Rose", "Davis", "Miller", "Moore", "Anderson", "Thomas", "Martin", "Lee",
        "Harris", "Clark", "Young", "Allen", "King", "Scott", "Baker", "Adams", "Nelson", "Hill", "Campbell", "Carter",
        "Murphy", "Cooper", "Reed", "O'Brien", "Nguyen",
    ];

    private static readonly (string City, double Weight)[] SpanishCities =
    [
        ("Madrid", 18), ("Barcelona", 14), ("Valencia", 7), ("Sevilla", 6), ("Zaragoza", 4), ("Málaga", 5), ("Bilbao", 4),
        ("Murcia", 3), ("Palma", 3), ("Valladolid", 3), ("Alicante", 3), ("Córdoba", 2), ("Granada", 2), ("A Coruña", 2),
        ("Vigo", 2), ("Gijón", 2), ("Santander", 2), ("Pamplona", 2), ("San Sebastián", 2), ("Salamanca", 1),
    ];

    private static readonly (string City, string Area, double Weight)[] MexicanCities =
    [
        ("Ciudad de México", "55", 35), ("Guadalajara", "33", 15), ("Monterrey", "81", 14), ("Puebla", "222", 8),
        ("Querétaro", "442", 7), ("Mérida", "999", 6), ("Tijuana", "664", 6), ("León", "477", 5),
    ];

    private static readonly (string City, double Weight)[] BritishCities =
    [
        ("London", 30), ("Manchester", 9), ("Birmingham", 9), ("Leeds", 6), ("Glasgow", 6), ("Bristol", 5), ("Liverpool", 5),
        ("Edinburgh", 5), ("Cardiff", 4), ("Sheffield", 4), ("Newcastle", 4), ("Nottingham", 4), ("Brighton", 3),
    ];

    private static readonly (string City, string Area, DemoZone Zone, double Weight)[] AmericanCities =
    [
        ("New York", "212", DemoZone.NewYork, 16), ("Boston", "617", DemoZone.NewYork, 6), ("Miami", "305", DemoZone.NewYork, 6),
        ("Atlanta", "404", DemoZone.NewYork, 6), ("Chicago", "312", DemoZone.Chicago, 10), ("Houston", "713", DemoZone.Chicago, 7),
        ("Austin", "512", DemoZone.Chicago, 5), ("Dallas", "214", DemoZone.Chicago, 6), ("Denver", "303", DemoZone.Denver, 5),
        ("Los Angeles", "213", DemoZone.LosAngeles, 12), ("San Francisco", "415", DemoZone.LosAngeles, 7),
        ("Seattle", "206", DemoZone.LosAngeles, 6), ("San Diego", "619", DemoZone.LosAngeles, 4),
    ];

    private static readonly string[] SpanishSmallBusinesses =
    [
        "Ferretería {0}", "Clínica Dental {0}", "Panadería {0}", "Talleres {0}", "Gestoría {0}", "Farmacia {0}",
        "Óptica {0}", "Restaurante Casa {0}", "Inmobiliaria {0}", "Peluquería {0}", "Frutería {0}", "Autoescuela {0}",
    ];

    private static readonly string[] EnglishSmallBusinesses =
    [
        "{0} & Sons", "{0} Dental Care", "{0}'s Bakery", "{0} Motors", "{0} Accountants", "{0} Pharmacy", "{0} Opticians",
        "The {0} Kitchen", "{0} Lettings", "{0} Hair Studio", "{0} Florist", "{0} Driving School",
    ];

    private static readonly string[] SpanishEnterprises =
    [
        "Grupo Hostelero Atlántico", "Logística Ibérica", "Supermercados del Norte", "Residencias Sol y Mar", "Hoteles Mirador",
        "Clínicas Vitalia", "Gimnasios Activa", "Farmacias Unidas", "Grupo Educativo Horizonte", "Almacenes del Sur",
    ];

    private static readonly string[] EnglishEnterprises =
    [
        "Harbor Retail Group", "Apex Logistics", "Northstar Hotels", "Greenfield Care Homes", "Summit Fitness",
        "Brightway Pharmacies", "Crescent Schools Trust", "Riverside Storage", "Meridian Clinics", "Oakwood Foods",
    ];

    private static readonly double[] SpanishCityWeights = [.. SpanishCities.Select(c => c.Weight)];
    private static readonly double[] MexicanCityWeights = [.. MexicanCities.Select(c => c.Weight)];
    private static readonly double[] BritishCityWeights = [.. BritishCities.Select(c => c.Weight)];
    private static readonly double[] AmericanCityWeights = [.. AmericanCities.Select(c => c.Weight)];

    private readonly string _phoneNumber;

    public DemoPersona(int number, int seed, DemoRandom rng, DemoSegment segment)
    {
        Number = number;
        Segment = segment;
        var spanish = rng.Chance(0.60);
        Spanish = spanish;
        Country = spanish ? (rng.Chance(0.75) ? "ES" : "MX") : (rng.Chance(0.55) ? "GB" : "US");
        var woman = rng.Chance(0.5);
        string phoneNumber;
        switch (Country)
        {
            case "ES":
                FirstName = rng.Pick(woman ? SpanishWomen : SpanishMen);
                Surname = rng.Pick(SpanishSurnames) + " " + rng.Pick(SpanishSurnames);
                City = SpanishCities[rng.Weighted(SpanishCityWeights)].City;
                Zone = DemoZone.Madrid;
                Currency = "EUR";
                phoneNumber = "+346" + Digits(Scramble(number, seed, 100_000_000), 8);
                break;
            case "MX":
                FirstName = rng.Chance(0.5) ? rng.Pick(woman ? MexicanWomen : MexicanMen) : rng.Pick(woman ? SpanishWomen : SpanishMen);
                Surname = rng.Pick(MexicanSurnames) + " " + rng.Pick(MexicanSurnames);
                var mx = MexicanCities[rng.Weighted(MexicanCityWeights)];
                City = mx.City;
                Zone = DemoZone.MexicoCity;
                Currency = "MXN";
                phoneNumber = "+52" + mx.Area + Digits(Scramble(number, seed, 10_000_000), 10 - mx.Area.Length);
                break;
            case "GB":
                FirstName = rng.Pick(woman ? EnglishWomen : EnglishMen);
                Surname = rng.Pick(EnglishSurnames);
                City = BritishCities[rng.Weighted(BritishCityWeights)].City;
                Zone = DemoZone.London;
                Currency = "GBP";
                phoneNumber = "+447" + "45789"[rng.Next(5)] + Digits(Scramble(number, seed, 100_000_000), 8);
                break;
            default:
                FirstName = rng.Pick(woman ? EnglishWomen : EnglishMen);
                Surname = rng.Pick(EnglishSurnames);
                var us = AmericanCities[rng.Weighted(AmericanCityWeights)];
                City = us.City;
                Zone = us.Zone;
                Currency = "USD";
                // Exchange codes start with 2-9 in the North American plan.
                phoneNumber = "+1" + us.Area + Digits(2_000_000 + Scramble(number, seed, 8_000_000), 7);
                break;
        }

        Name = FirstName + " " + Surname;
        if (segment != DemoSegment.Consumer)
        {
            Company = segment == DemoSegment.Enterprise
                ? rng.Pick(spanish ? SpanishEnterprises : EnglishEnterprises)
                : string.Format(CultureInfo.InvariantCulture, rng.Pick(spanish ? SpanishSmallBusinesses : EnglishSmallBusinesses), Surname.Split(' ')[0]);
        }

        Email = MakeEmail(rng, number);
        _phoneNumber = phoneNumber;
        Phone = segment != DemoSegment.Consumer || rng.Chance(0.82) ? phoneNumber : null;
        Crm = segment != DemoSegment.Consumer || rng.Chance(0.55) ? "C-" + number.ToString("D6", CultureInfo.InvariantCulture) : null;
        Helpdesk = rng.Chance(0.35) ? "u-" + (10_000 + number).ToString(CultureInfo.InvariantCulture) : null;
        Shop = rng.Chance(0.45) ? "W" + (100_000 + (number * 7L)).ToString(CultureInfo.InvariantCulture) : null;
        App = rng.Chance(segment switch { DemoSegment.Consumer => 0.6, DemoSegment.Smb => 0.45, _ => 0.25 })
            ? "U" + Digits(Scramble(number, seed ^ 0x3F1, 100_000_000), 8)
            : null;
        Platform = rng.Chance(Country is "US" or "GB" ? 0.55 : 0.35) ? "ios" : "android";
        RebuildKeys();
    }

    public int Number { get; }

    public DemoSegment Segment { get; }

    public bool Spanish { get; }

    public string Language => Spanish ? "es" : "en";

    public Voice Voice => !Spanish ? Voice.English : Country == "MX" ? Voice.Mexico : Voice.Spain;

    public string Country { get; }

    public string City { get; }

    public DemoZone Zone { get; }

    public string Currency { get; }

    public string FirstName { get; }

    public string Surname { get; }

    public string Name { get; }

    public string? Company { get; }

    public string Email { get; }

    public string? Phone { get; private set; }

    public string? Crm { get; private set; }

    public string? Helpdesk { get; }

    public string? Shop { get; private set; }

    public string? App { get; }

    public string Platform { get; }

    public string SegmentName => Segment switch { DemoSegment.Consumer => "consumer", DemoSegment.Smb => "smb", _ => "enterprise" };

    public IdentityKey EmailKey { get; private set; }

    /// <summary>What marketing's email tool knows.</summary>
    public IdentityKey[] EmailOnly { get; private set; } = [];

    /// <summary>What the CRM knows (sales, subscriptions, billing).</summary>
    public IdentityKey[] CrmKeys { get; private set; } = [];

    /// <summary>What the call centre knows: the caller's number and the account's email.</summary>
    public IdentityKey[] PhoneKeys { get; private set; } = [];

    /// <summary>What the help desk knows.</summary>
    public IdentityKey[] HelpdeskKeys { get; private set; } = [];

    /// <summary>What the web shop knows.</summary>
    public IdentityKey[] ShopKeys { get; private set; } = [];

    /// <summary>What the app and the device cloud know.</summary>
    public IdentityKey[] AppKeys { get; private set; } = [];

    public IdentityKey? PhoneKey => Phone is null ? null : IdentityKey.Phone(Phone);

    public IdentityKey? CrmKey => Crm is null ? null : IdentityKey.External("crm", Crm);

    public IdentityKey? ShopKey => Shop is null ? null : IdentityKey.External("shop", Shop);

    /// <summary>Gives the customer a phone, a CRM id or a shop account the story needs.</summary>
    public void Ensure(bool phone, bool crm, bool shop)
    {
        if (phone)
        {
            Phone = _phoneNumber;
        }

        if (crm && Crm is null)
        {
            Crm = "C-" + Number.ToString("D6", CultureInfo.InvariantCulture);
        }

        if (shop && Shop is null)
        {
            Shop = "W" + (100_000 + (Number * 7L)).ToString(CultureInfo.InvariantCulture);
        }

        RebuildKeys();
    }

    private void RebuildKeys()
    {
        EmailKey = IdentityKey.Email(Email);
        EmailOnly = [EmailKey];
        CrmKeys = Crm is null ? EmailOnly : [EmailKey, IdentityKey.External("crm", Crm)];
        PhoneKeys = Phone is null ? EmailOnly : [EmailKey, IdentityKey.Phone(Phone)];
        HelpdeskKeys = Helpdesk is null ? EmailOnly : [EmailKey, IdentityKey.External("helpdesk", Helpdesk)];
        ShopKeys = Shop is null ? EmailOnly : [EmailKey, IdentityKey.External("shop", Shop)];
        AppKeys = App is null ? EmailOnly : [EmailKey, IdentityKey.External("app", App)];
    }

    private string MakeEmail(DemoRandom rng, int number)
    {
        var first = Ascii(FirstName.Split(' ')[0]);
        var last = Ascii(Surname.Split(' ')[0]);
        var n = number.ToString(CultureInfo.InvariantCulture);

        // The local part is letters, dots and underscores followed by the customer number, so it is unique.
        var local = rng.Next(5) switch
        {
            0 => first + "." + last + n,
            1 => first[0] + last + n,
            2 => first + n,
            3 => first + "_" + last + n,
            _ => last + "." + first + n,
        };
        var domain = Company is null
            ? rng.Pick(ConsumerDomains)
            : Ascii(Company).Replace("&", "and", StringComparison.Ordinal).Replace(' ', '-') + ".example";
        return local + "@" + domain;
    }

    /// <summary>Lower-case ASCII: what people type in addresses (José → jose, Muñoz → munoz).</summary>
    private static string Ascii(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.ToLowerInvariant())
        {
            builder.Append(c switch
            {
                'á' or 'à' or 'ä' => 'a',
                'é' or 'è' or 'ë' => 'e',
                'í' or 'ì' or 'ï' => 'i',
                'ó' or 'ò' or 'ö' => 'o',
                'ú' or 'ù' or 'ü' => 'u',
                'ñ' => 'n',
                'ç' => 'c',
                _ => c,
            });
        }

        return builder.ToString().Replace("'", "", StringComparison.Ordinal);
    }

    /// <summary>
    /// A bijection of [0, <paramref name="modulus"/>) (48271 is prime, so coprime with powers of 2 and 5): distinct
    /// customers below the modulus get distinct numbers, spread out instead of consecutive.
    /// </summary>
    private static long Scramble(int number, int seed, long modulus) =>
        ((number * 48_271L) + ((uint)seed * 2_654_435_761L)) % modulus;

    private static string Digits(long value, int width) =>
        value.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0');
}
