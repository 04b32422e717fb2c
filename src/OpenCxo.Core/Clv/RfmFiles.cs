using System.Globalization;
using OpenCxo.Core.Ingest;

namespace OpenCxo.Core.Clv;

/// <summary>A customer's summary as read from a file, with the id it had there.</summary>
public sealed record CustomerSummary(string Id, RfmSummary Summary);

/// <summary>One purchase: who, which day, how much.</summary>
public readonly record struct Purchase(string Customer, DateOnly Day, double Value);

/// <summary>
/// Reading summaries and transactions for the buy-till-you-die models. Bad input is refused with the line and field;
/// nothing is guessed.
/// </summary>
public static class RfmFiles
{
    private static readonly string[] FrequencyNames = ["frequency", "x"];
    private static readonly string[] RecencyNames = ["recency", "t_x"];
    private static readonly string[] AgeNames = ["t"];
    private static readonly string[] ValueNames = ["monetary_value", "zbar", "mean_value"];
    private static readonly string[] IdNames = ["id", "customer", "customer_id"];

    /// <summary>
    /// A CSV summary (header and records as the app's CSV reader gives them): frequency (or x), recency (or t_x), T,
    /// and optionally an id (id, customer) and the mean value of repeat purchases (monetary_value, zbar) — the layouts of
    /// the lifetimes library and of Hardie's CDNOW files. Times are in whatever unit the file uses (weeks for CDNOW).
    /// </summary>
    /// <exception cref="FormatException">A missing column, or a line whose field is not a valid number (line and field named).</exception>
    public static IReadOnlyList<CustomerSummary> ReadSummary(IReadOnlyList<string> header, IEnumerable<TextRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var names = Names(header, "frequency, recency and T");
        int Column(string[] accepted, bool required)
        {
            var index = names.FindIndex(n => accepted.Contains(n, StringComparer.Ordinal));
            if (index < 0 && required)
            {
                throw new FormatException($"line 1: no column {string.Join(" or ", accepted)} in the header ({string.Join(',', header)})");
            }

            return index;
        }

        var id = Column(IdNames, false);
        var frequency = Column(FrequencyNames, true);
        var recency = Column(RecencyNames, true);
        var age = Column(AgeNames, true);
        var value = Column(ValueNames, false);
        var customers = new List<CustomerSummary>();
        foreach (var (line, fields) in records)
        {
            Check(fields, names, line);
            double Number(int column) => double.TryParse(fields[column], NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
                ? number
                : throw new FormatException($"line {line}: {names[column]} is not a number ({fields[column]})");
            var summary = new RfmSummary(Number(frequency), Number(recency), Number(age), value < 0 ? 0 : Number(value));
            if (summary.Problem() is { } problem)
            {
                throw new FormatException($"line {line}: {problem}");
            }

            customers.Add(new CustomerSummary(id < 0 ? (line - 1).ToString(CultureInfo.InvariantCulture) : fields[id], summary));
        }

        if (customers.Count == 0)
        {
            throw new FormatException("the file has a header but no customers");
        }

        return customers;
    }

    /// <summary>Transactions as CSV (header and records as the app's CSV reader gives them): customer (or id), date (yyyy-MM-dd or yyyyMMdd) and value (or amount).</summary>
    /// <exception cref="FormatException">A missing column, or a line whose fields cannot be read (line and field named).</exception>
    public static IReadOnlyList<Purchase> ReadTransactions(IReadOnlyList<string> header, IEnumerable<TextRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var names = Names(header, "customer, date and value");
        var customer = names.FindIndex(n => IdNames.Contains(n, StringComparer.Ordinal));
        var date = names.FindIndex(n => n is "date" or "day");
        var value = names.FindIndex(n => n is "value" or "amount" or "spend");
        if (customer < 0 || date < 0 || value < 0)
        {
            throw new FormatException($"line 1: the header needs customer, date and value columns ({string.Join(',', header)})");
        }

        var purchases = new List<Purchase>();
        foreach (var (line, fields) in records)
        {
            Check(fields, names, line);
            purchases.Add(new Purchase(fields[customer], Day(fields[date], line, "date"), Value(fields[value], line)));
        }

        return purchases;
    }

    /// <summary>
    /// CDNOW's transaction lines, whitespace-separated "master-id sample-id yyyyMMdd units value", where the customer is
    /// the sample id without leading zeros (the ID of the published CDNOW summaries).
    /// </summary>
    /// <exception cref="FormatException">A line whose fields cannot be read (line and field named).</exception>
    public static IReadOnlyList<Purchase> ReadCdnowTransactions(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var purchases = new List<Purchase>();
        var line = 0L;
        while (reader.ReadLine() is { } text)
        {
            line++;
            var fields = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0)
            {
                continue;
            }

            if (fields.Length != 5)
            {
                throw new FormatException($"line {line}: {fields.Length} fields; expected id, sample id, yyyyMMdd date, units and value, or a CSV header");
            }

            purchases.Add(new Purchase(fields[1].TrimStart('0'), Day(fields[2], line, "date"), Value(fields[4], line)));
        }

        if (line == 0)
        {
            throw new FormatException("line 1: the file is empty");
        }

        return purchases;
    }

    /// <summary>
    /// Each customer's summary at the end of calibration (inclusive), in weeks: purchases on the same day are one
    /// purchase (their values summed); frequency counts the days with purchases after the first, recency is the last
    /// of them, T runs from the first to the calibration end, and the mean value is over the repeat purchases. Customers
    /// whose first purchase is after the end are left out, and so are those whose first is on it (T = 0: nothing
    /// observed), counted in <c>Unobserved</c>.
    /// </summary>
    public static (IReadOnlyList<CustomerSummary> Customers, int Unobserved) Summarise(IEnumerable<Purchase> purchases, DateOnly calibrationEnd)
    {
        ArgumentNullException.ThrowIfNull(purchases);
        var customers = new List<CustomerSummary>();
        var unobserved = 0;
        foreach (var group in purchases.Where(p => p.Day <= calibrationEnd).GroupBy(p => p.Customer, StringComparer.Ordinal))
        {
            var days = group.GroupBy(p => p.Day).Select(d => (Day: d.Key, Value: d.Sum(p => p.Value))).OrderBy(d => d.Day).ToList();
            var start = days[0].Day;
            var age = (calibrationEnd.DayNumber - start.DayNumber) / 7.0;
            if (age <= 0)
            {
                unobserved++;
                continue;
            }

            var repeats = days.Skip(1).ToList();
            var summary = new RfmSummary(
                repeats.Count,
                repeats.Count == 0 ? 0 : (repeats[^1].Day.DayNumber - start.DayNumber) / 7.0,
                age,
                repeats.Count == 0 ? 0 : repeats.Average(d => d.Value));
            customers.Add(new CustomerSummary(group.Key, summary));
        }

        return (customers, unobserved);
    }

    private static List<string> Names(IReadOnlyList<string> header, string expected)
    {
        ArgumentNullException.ThrowIfNull(header);
        return header.Count == 0
            ? throw new FormatException($"line 1: the file is empty; expected a header with {expected}")
            : [.. header.Select(n => n.Trim().ToLowerInvariant())];
    }

    private static void Check(IReadOnlyList<string> fields, List<string> names, long line)
    {
        if (fields.Count != names.Count)
        {
            throw new FormatException($"line {line}: {fields.Count} fields where the header has {names.Count}");
        }
    }

    private static DateOnly Day(string text, long line, string field) =>
        DateOnly.TryParseExact(text.Trim(), ["yyyy-MM-dd", "yyyyMMdd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : throw new FormatException($"line {line}: {field} is not a date yyyy-MM-dd or yyyyMMdd ({text})");

    private static double Value(string text, long line) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && value >= 0
            ? value
            : throw new FormatException($"line {line}: value must be a number ≥ 0 ({text})");
}
