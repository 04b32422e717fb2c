namespace OpenCxo.Core.Churn;

/// <summary>
/// Turns a <see cref="FeatureTable"/> row into the numbers a tree model reads, learnt from the training rows only (so
/// nothing about held-out customers shapes the encoding): a number keeps its value, a blank number takes the training
/// median and sets a "blank" flag, a category becomes one flag per frequent value plus "other" and "blank". Every
/// slot remembers its column so a model's reasons come back as the customer's own features.
/// </summary>
internal sealed class FeatureEncoding
{
    /// <summary>At most this many values of one category get a slot of their own; the rest are "other".</summary>
    private const int MaxLevels = 30;

    private readonly List<Encoded> _columns;
    private readonly int[] _featureOf;

    private FeatureEncoding(List<Encoded> columns)
    {
        _columns = columns;
        Width = columns.Sum(c => c.Width);
        _featureOf = [.. columns.SelectMany((c, i) => Enumerable.Repeat(i, c.Width))];
        Names = [.. columns.Select(c => c.Name)];
    }

    public int Width { get; }

    /// <summary>The features' names, in the order of the training table.</summary>
    public string[] Names { get; }

    public static FeatureEncoding Fit(FeatureTable table, IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(rows);
        var columns = new List<Encoded>();
        var offset = 0;
        foreach (var column in table.Columns)
        {
            Encoded encoded = column.Kind == FeatureKind.Number ? NumberOf(column, rows, offset) : CategoryOf(column, rows, offset);
            columns.Add(encoded);
            offset += encoded.Width;
        }

        return new FeatureEncoding(columns);
    }

    /// <summary>Which column of the training table each of <paramref name="table"/>'s columns is, checked once per table.</summary>
    /// <exception cref="ArgumentException">A feature the model was trained on is missing, or is a number where it was a category.</exception>
    public int[] Bind(FeatureTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var byName = table.Columns.Select((c, i) => (c, i)).ToDictionary(x => x.c.Name, x => x.i, StringComparer.Ordinal);
        return [.. _columns.Select(c => byName.TryGetValue(c.Name, out var index)
            ? table.Columns[index].Kind == c.Kind ? index : throw new ArgumentException($"feature {c.Name} was a {c.Kind} in training, is a {table.Columns[index].Kind} here", nameof(table))
            : throw new ArgumentException($"feature {c.Name} is missing; the model was trained with it", nameof(table)))];
    }

    public void Encode(FeatureTable table, int[] binding, int row, Span<float> into)
    {
        into.Clear();
        for (var c = 0; c < _columns.Count; c++)
        {
            _columns[c].Encode(table.Columns[binding[c]], row, into);
        }
    }

    /// <summary>The index (in training order) of the feature a slot belongs to.</summary>
    public int FeatureOf(int slot) => _featureOf[slot];

    private static NumberEncoded NumberOf(FeatureColumn column, IReadOnlyList<int> rows, int offset)
    {
        var values = rows.Select(column.Number).Where(v => !double.IsNaN(v)).Order().ToList();
        var median = values.Count == 0 ? 0 : values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
        return new NumberEncoded(column.Name, offset, (float)median, blankFlag: values.Count < rows.Count);
    }

    private static CategoryEncoded CategoryOf(FeatureColumn column, IReadOnlyList<int> rows, int offset)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var blanks = 0;
        foreach (var row in rows)
        {
            if (column.Category(row) is { } value)
            {
                counts[value] = counts.GetValueOrDefault(value) + 1;
            }
            else
            {
                blanks++;
            }
        }

        // A value seen on fewer than five training customers cannot teach a tree anything reliable.
        var minimum = Math.Min(5, Math.Max(1, rows.Count / 100));
        var levels = counts.Where(kv => kv.Value >= minimum)
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Take(MaxLevels).Select(kv => kv.Key).ToList();
        var other = counts.Count > levels.Count;
        return new CategoryEncoded(column.Name, offset, levels, other, blankFlag: blanks > 0);
    }

    private abstract class Encoded(string name, int offset)
    {
        public string Name { get; } = name;

        public int Offset { get; } = offset;

        public abstract FeatureKind Kind { get; }

        public abstract int Width { get; }

        public abstract void Encode(FeatureColumn column, int row, Span<float> into);
    }

    private sealed class NumberEncoded(string name, int offset, float median, bool blankFlag) : Encoded(name, offset)
    {
        public override FeatureKind Kind => FeatureKind.Number;

        public override int Width => blankFlag ? 2 : 1;

        public override void Encode(FeatureColumn column, int row, Span<float> into)
        {
            var value = column.Number(row);
            var blank = double.IsNaN(value);
            into[Offset] = blank ? median : (float)value;
            if (blankFlag && blank)
            {
                into[Offset + 1] = 1;
            }
        }
    }

    private sealed class CategoryEncoded : Encoded
    {
        private readonly Dictionary<string, int> _levels;
        private readonly int _other;
        private readonly int _blank;

        public CategoryEncoded(string name, int offset, List<string> levels, bool other, bool blankFlag)
            : base(name, offset)
        {
            _levels = levels.Select((level, i) => (level, i)).ToDictionary(x => x.level, x => offset + x.i, StringComparer.Ordinal);
            var next = offset + levels.Count;
            _other = other ? next++ : -1;
            _blank = blankFlag ? next++ : -1;
            Width = next - offset;
        }

        public override FeatureKind Kind => FeatureKind.Category;

        public override int Width { get; }

        public override void Encode(FeatureColumn column, int row, Span<float> into)
        {
            var slot = column.Category(row) is { } value ? _levels.GetValueOrDefault(value, _other) : _blank;
            if (slot >= 0)
            {
                into[slot] = 1;
            }
        }
    }
}
