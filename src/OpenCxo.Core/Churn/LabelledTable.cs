using System.Globalization;
using OpenCxo.Core.Ingest;

namespace OpenCxo.Core.Churn;

/// <summary>A column of the input that is not a feature, and why.</summary>
public sealed record IgnoredColumn(string Name, string Reason);

/// <summary>
/// A labelled table read from text (one row per customer): the id column, a two-valued label, and every other column
/// as a feature — a number when every non-blank value is one, a category otherwise. Columns that cannot teach anything
/// (blank or constant everywhere, or a different value on nearly every row, like a second id) are set aside and named.
/// </summary>
public sealed record LabelledTable(FeatureTable Features, bool[] Labels, string PositiveLabel, IReadOnlyList<IgnoredColumn> Ignored)
{
    /// <summary>Values read as blank in any column (trimmed, any case).</summary>
    private static readonly HashSet<string> BlankMarkers = new(["", "na", "n/a", "nan", "null", "none", "?"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Label values read as "churned" when the other value is not one of them.</summary>
    private static readonly HashSet<string> PositiveNames = new(["1", "true", "yes", "y", "t", "churn", "churned", "left", "lost"], StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Builds the table. <paramref name="positive"/> names the label value that means "churned" when it cannot be
    /// told from the values (1/0, true/false, yes/no and churned/anything are told).
    /// </summary>
    /// <exception cref="FormatException">The id or label column is missing; a record has the wrong number of fields, a blank or repeated id, a blank label or a third label value; a number is out of range; the label has one value only (line and column named).</exception>
    public static LabelledTable FromRecords(IReadOnlyList<string> header, IEnumerable<TextRecord> records, string idColumn, string labelColumn, string? positive = null)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(records);
        var names = header.Select(h => h.Trim()).ToList();
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i].Length == 0)
            {
                throw new FormatException($"header: column {i + 1} has no name");
            }

            var first = names.FindIndex(n => string.Equals(n, names[i], StringComparison.OrdinalIgnoreCase));
            if (first != i)
            {
                throw new FormatException($"header: column {names[i]} appears twice (columns {first + 1} and {i + 1})");
            }
        }

        int Find(string name, string what) => names.FindIndex(n => string.Equals(n, name.Trim(), StringComparison.OrdinalIgnoreCase)) is var index and >= 0
            ? index
            : throw new FormatException($"header: no {what} column {name}; the columns are {string.Join(", ", names)}");
        var id = Find(idColumn, "id");
        var label = Find(labelColumn, "label");
        if (id == label)
        {
            throw new FormatException($"header: the id and the label are the same column, {names[id]}");
        }

        var ids = new List<string>();
        var lines = new List<long>();
        var rawLabels = new List<string>();
        var cells = names.Select(_ => new List<string?>()).ToList();
        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        var labelValues = new List<(string Value, long Line)>();
        foreach (var (line, fields) in records)
        {
            if (fields.Count != names.Count)
            {
                throw new FormatException($"line {line}: {fields.Count} {(fields.Count == 1 ? "field" : "fields")}, the header has {names.Count}");
            }

            var key = fields[id].Trim();
            if (IsBlank(key))
            {
                throw new FormatException($"line {line}, column {names[id]}: the id is blank");
            }

            if (!seen.TryAdd(key, line))
            {
                throw new FormatException($"line {line}, column {names[id]}: id {key} is already on line {seen[key]}; one row per customer");
            }

            var value = fields[label].Trim();
            if (IsBlank(value))
            {
                throw new FormatException($"line {line}, column {names[label]}: the label is blank");
            }

            if (!labelValues.Exists(v => string.Equals(v.Value, value, StringComparison.OrdinalIgnoreCase)))
            {
                if (labelValues.Count == 2)
                {
                    throw new FormatException($"line {line}, column {names[label]}: a third label value, {value}, after {labelValues[0].Value} and {labelValues[1].Value}; the label must have two values");
                }

                labelValues.Add((value, line));
            }

            ids.Add(key);
            lines.Add(line);
            rawLabels.Add(value);
            for (var c = 0; c < names.Count; c++)
            {
                if (c != id && c != label)
                {
                    var cell = fields[c].Trim();
                    cells[c].Add(IsBlank(cell) ? null : cell);
                }
            }
        }

        if (labelValues.Count < 2)
        {
            throw new FormatException(labelValues.Count == 0
                ? "no rows: the table has a header only"
                : $"column {names[label]}: every row has the label {labelValues[0].Value}; the model needs customers who churned and customers who did not");
        }

        var churned = PositiveOf(labelValues[0].Value, labelValues[1].Value, positive, names[label]);
        var labels = rawLabels.Select(v => string.Equals(v, churned, StringComparison.OrdinalIgnoreCase)).ToArray();
        var columns = new List<FeatureColumn>();
        var ignored = new List<IgnoredColumn>();
        for (var c = 0; c < names.Count; c++)
        {
            if (c == id || c == label)
            {
                continue;
            }

            var (column, reason) = Column(names[c], cells[c], lines);
            if (column is null)
            {
                ignored.Add(new IgnoredColumn(names[c], reason!));
            }
            else
            {
                columns.Add(column);
            }
        }

        return new LabelledTable(new FeatureTable(ids, columns), labels, churned, ignored);
    }

    private static bool IsBlank(string value) => BlankMarkers.Contains(value);

    private static string PositiveOf(string a, string b, string? positive, string column)
    {
        if (positive is not null)
        {
            var p = positive.Trim();
            return string.Equals(p, a, StringComparison.OrdinalIgnoreCase) ? a
                : string.Equals(p, b, StringComparison.OrdinalIgnoreCase) ? b
                : throw new FormatException($"column {column}: the positive label {p} is not one of its values, {a} and {b}");
        }

        return (PositiveNames.Contains(a), PositiveNames.Contains(b)) switch
        {
            (true, false) => a,
            (false, true) => b,
            _ => throw new FormatException($"column {column}: cannot tell which of {a} and {b} means churned; name it with --positive"),
        };
    }

    private static (FeatureColumn? Column, string? Reason) Column(string name, List<string?> cells, List<long> lines)
    {
        var present = cells.Where(c => c is not null).Select(c => c!).ToList();
        if (present.Count == 0)
        {
            return (null, "blank on every row");
        }

        var distinct = present.Distinct(StringComparer.Ordinal).Count();
        if (distinct == 1 && present.Count == cells.Count)
        {
            return (null, $"{present[0]} on every row");
        }

        var numbers = new double[cells.Count];
        var numeric = true;
        for (var row = 0; row < cells.Count && numeric; row++)
        {
            if (cells[row] is not { } cell)
            {
                numbers[row] = double.NaN;
            }
            else if (double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                numbers[row] = double.IsFinite(number)
                    ? number
                    : throw new FormatException($"line {lines[row]}, column {name}: {cell} is out of range");
            }
            else
            {
                numeric = false;
            }
        }

        if (numeric)
        {
            return (FeatureColumn.Numbers(name, numbers), null);
        }

        // A word on nearly every row different from every other row's is a second id or a free text, not a feature.
        if (distinct > 20 && distinct > present.Count / 2)
        {
            return (null, $"{distinct:N0} different values in {present.Count:N0} rows: an identifier or free text, not a category");
        }

        return (FeatureColumn.Categories(name, [.. cells]), null);
    }
}
