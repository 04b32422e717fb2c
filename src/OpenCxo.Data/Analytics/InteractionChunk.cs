namespace OpenCxo.Data.Analytics;

/// <summary>
/// One chunk of interactions on its way from the system of record to the store. Texts (department, channel, type,
/// currency: a handful of distinct values) are kept once in <see cref="Texts"/> and rows refer to them by index, so
/// the row buffer holds no references: the garbage collector then has nothing to scan in it, where a buffer of
/// rows with strings made every young collection walk it (a third of the sync's time went to GC pauses).
/// </summary>
internal sealed class InteractionChunk
{
    public const int NoText = -1;

    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);

    public List<Row> Rows { get; } = new(AnalyticsStore.ChunkSize);

    public List<string> Texts { get; } = [];

    public int TextId(string? text)
    {
        if (text is null)
        {
            return NoText;
        }

        if (!_ids.TryGetValue(text, out var id))
        {
            id = Texts.Count;
            Texts.Add(text);
            _ids.Add(text, id);
        }

        return id;
    }

    public string? Text(int id) => id == NoText ? null : Texts[id];

    public void Clear()
    {
        Rows.Clear();
        Texts.Clear();
        _ids.Clear();
    }

    public readonly record struct Row(
        long Seq, long WorkspaceId, long CustomerId, DateTime OccurredAt, int Department, int Channel, int Type, long ValueE4, int Currency,
        int Campaign, int SalesRep, int Team, int Agent, int HandleSeconds, int Segment, int Survey, int Nps, int Csat, int Ces, int FirstContactResolution,
        int Ticket, long CostE4, int WaitSeconds, int Resolved);

    /// <summary>A number (<see cref="Row.HandleSeconds"/>, a score) the event does not have.</summary>
    public const int NoNumber = int.MinValue;

    /// <summary>An amount (<see cref="Row.CostE4"/>) the event does not have.</summary>
    public const long NoAmount = long.MinValue;
}
