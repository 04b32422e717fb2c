using System.Globalization;

namespace OpenCxo.Core.Churn;

public enum FeatureKind
{
    Number,
    Category,
}

/// <summary>
/// One feature of every customer in a <see cref="FeatureTable"/>: a number (NaN where blank) or a category (null where
/// blank). Blanks are kept as blanks; the model decides what a blank means.
/// </summary>
public sealed class FeatureColumn
{
    private readonly double[]? _numbers;
    private readonly string?[]? _categories;

    private FeatureColumn(string name, double[]? numbers, string?[]? categories)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        _numbers = numbers;
        _categories = categories;
    }

    public string Name { get; }

    public FeatureKind Kind => _numbers is null ? FeatureKind.Category : FeatureKind.Number;

    public int Count => _numbers?.Length ?? _categories!.Length;

    /// <exception cref="ArgumentException">An infinite value: a number too large is an input error, not a feature.</exception>
    public static FeatureColumn Numbers(string name, double[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var infinite = Array.FindIndex(values, double.IsInfinity);
        if (infinite >= 0)
        {
            throw new ArgumentException($"feature {name}, row {infinite + 1}: {values[infinite]} is not a finite number", nameof(values));
        }

        return new FeatureColumn(name, values, null);
    }

    public static FeatureColumn Categories(string name, string?[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new FeatureColumn(name, null, values);
    }

    /// <summary>The row's number, NaN where blank; only for <see cref="FeatureKind.Number"/>.</summary>
    public double Number(int row) => _numbers is { } numbers ? numbers[row] : throw new InvalidOperationException($"{Name} is a category");

    /// <summary>The row's category, null where blank; only for <see cref="FeatureKind.Category"/>.</summary>
    public string? Category(int row) => _categories is { } categories ? categories[row] : throw new InvalidOperationException($"{Name} is a number");

    public bool IsBlank(int row) => _numbers is { } numbers ? double.IsNaN(numbers[row]) : _categories![row] is null;

    /// <summary>The row's value as a person reads it: the number (invariant, at most 4 decimals), the category, or "blank".</summary>
    public string Describe(int row) => IsBlank(row)
        ? "blank"
        : _numbers is { } numbers ? numbers[row].ToString("0.####", CultureInfo.InvariantCulture) : _categories![row]!;
}

/// <summary>One row per customer: an id and the features the churn model learns from. Labels are kept apart so a feature can never be the label.</summary>
public sealed class FeatureTable
{
    public FeatureTable(IReadOnlyList<string> ids, IReadOnlyList<FeatureColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(columns);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var column in columns)
        {
            if (column.Count != ids.Count)
            {
                throw new ArgumentException($"feature {column.Name} has {column.Count} rows, the table has {ids.Count}", nameof(columns));
            }

            if (!names.Add(column.Name))
            {
                throw new ArgumentException($"feature {column.Name} appears twice", nameof(columns));
            }
        }

        Ids = ids;
        Columns = columns;
    }

    public IReadOnlyList<string> Ids { get; }

    public IReadOnlyList<FeatureColumn> Columns { get; }

    public int Count => Ids.Count;
}
