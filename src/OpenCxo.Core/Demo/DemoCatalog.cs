using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using OpenCxo.Core.Ingest;

namespace OpenCxo.Core.Demo;

/// <summary>A device or kit the demo company sells, with prices in EUR, GBP, USD and MXN.</summary>
internal sealed record DemoProduct(string Slug, string DeviceType, string NameEs, string NameEn, decimal[] Prices)
{
    public string Name(bool spanish) => spanish ? NameEs : NameEn;
}

/// <summary>
/// What the demo company sells: a smart-home security service (alarm, cameras, sensors, an app) on a monthly or
/// annual plan, to households, small businesses and chains.
/// </summary>
internal static class DemoCatalog
{
    public const string CompanyName = "Hogara";

    public static readonly DemoProduct Hub = new("starter-kit", "hub", "la central", "the hub", [199m, 179m, 219m, 3_990m]);
    public static readonly DemoProduct BusinessKit = new("business-kit", "hub", "la central", "the hub", [690m, 600m, 749m, 13_900m]);
    public static readonly DemoProduct Keypad = new("keypad", "keypad", "el teclado", "the keypad", [49m, 45m, 55m, 990m]);
    public static readonly DemoProduct DoorSensor = new("door-sensor", "door-sensor", "el sensor de la puerta", "the door sensor", [24.99m, 21.99m, 27.99m, 499m]);

    /// <summary>Add-ons customers order after they join, with how often each is chosen.</summary>
    public static readonly DemoProduct[] Accessories =
    [
        new("indoor-camera", "camera", "la cámara del salón", "the living-room camera", [59m, 49m, 69m, 1_190m]),
        new("outdoor-camera", "camera", "la cámara exterior", "the outdoor camera", [129m, 109m, 139m, 2_590m]),
        DoorSensor,
        new("smoke-detector", "smoke-detector", "el detector de humo", "the smoke detector", [39m, 35m, 45m, 799m]),
        new("thermostat", "thermostat", "el termostato", "the thermostat", [149m, 129m, 159m, 2_990m]),
        Keypad,
    ];

    public static readonly double[] AccessoryWeights = [30, 20, 20, 15, 8, 7];

    public static readonly string[] Plans = ["basic", "plus", "pro", "business", "enterprise"];

    private static readonly decimal[][] PlanPrices =
    [
        [9.99m, 8.99m, 10.99m, 199m],
        [19.99m, 17.99m, 21.99m, 399m],
        [29.99m, 25.99m, 32.99m, 599m],
        [79m, 69m, 89m, 1_590m],
        [449m, 390m, 499m, 8_900m],
    ];

    public static int CurrencyIndex(string currency) => currency switch
    {
        "EUR" => 0,
        "GBP" => 1,
        "USD" => 2,
        _ => 3,
    };

    public static decimal PlanPrice(int plan, string currency) => PlanPrices[plan][CurrencyIndex(currency)];

    public static decimal Price(DemoProduct product, string currency) => product.Prices[CurrencyIndex(currency)];

    // What one campaign send costs (EUR, GBP, USD, MXN): an e-mail next to nothing, a paid social post far more.
    private static readonly decimal[] EmailSendCosts = [0.02m, 0.02m, 0.02m, 0.4m];
    private static readonly decimal[] SocialSendCosts = [0.35m, 0.3m, 0.4m, 7m];
    private static readonly decimal[] OtherSendCosts = [0.1m, 0.09m, 0.11m, 2m];

    public static decimal SendCost(Channel channel, string currency) => (channel switch
    {
        Channel.Email => EmailSendCosts,
        Channel.Social => SocialSendCosts,
        _ => OtherSendCosts,
    })[CurrencyIndex(currency)];

    /// <summary>An amount as the customer would write it: 29,99 €, £25.99, $32.99, $599 MXN.</summary>
    public static string Money(decimal amount, string currency) => currency switch
    {
        "EUR" => amount.ToString("0.00", CultureInfo.InvariantCulture).Replace('.', ',') + " €",
        "GBP" => "£" + amount.ToString("0.00", CultureInfo.InvariantCulture),
        "USD" => "$" + amount.ToString("0.00", CultureInfo.InvariantCulture),
        _ => "$" + amount.ToString("0", CultureInfo.InvariantCulture) + " MXN",
    };

    /// <summary>What a device alert says, and how serious it is.</summary>
    public static (string Code, string Severity) Alert(DemoRandom rng, string deviceType) => deviceType switch
    {
        "hub" => rng.Next(10) switch { < 5 => ("offline", "warning"), < 7 => ("power-loss", "critical"), _ => ("firmware-updated", "info") },
        "camera" => rng.Next(10) switch { < 4 => ("offline", "warning"), < 8 => ("motion-detected", "info"), _ => ("storage-full", "warning") },
        "door-sensor" => rng.Next(10) switch { < 6 => ("battery-low", "info"), < 8 => ("tamper", "critical"), _ => ("open-too-long", "warning") },
        "smoke-detector" => rng.Next(10) switch { < 6 => ("battery-low", "info"), < 8 => ("self-test-failed", "warning"), _ => ("alarm", "critical") },
        "thermostat" => rng.Next(10) switch { < 6 => ("offline", "warning"), _ => ("temperature-high", "warning") },
        _ => rng.Next(10) switch { < 6 => ("battery-low", "info"), < 9 => ("wrong-code", "warning"), _ => ("intrusion-alarm", "critical") },
    };
}

/// <summary>
/// Writes small JSON objects and values for events, reusing one buffer. Letters of every script are written as
/// they are (José, not Jos\u00e9); characters that matter in HTML are still escaped.
/// </summary>
internal sealed class DemoJson : IDisposable
{
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _writer;

    public DemoJson()
    {
        _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) });
    }

    /// <summary>Starts an object; write its properties on the returned writer, then call <see cref="Finish"/>.</summary>
    public Utf8JsonWriter Begin()
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        _writer.WriteStartObject();
        return _writer;
    }

    public string Finish()
    {
        _writer.WriteEndObject();
        _writer.Flush();
        return Encoding.UTF8.GetString(_buffer.WrittenSpan);
    }

    /// <summary>A string as a JSON value, quotes included.</summary>
    public string Value(string text)
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        _writer.WriteStringValue(text);
        _writer.Flush();
        return Encoding.UTF8.GetString(_buffer.WrittenSpan);
    }

    public void Dispose() => _writer.Dispose();
}
