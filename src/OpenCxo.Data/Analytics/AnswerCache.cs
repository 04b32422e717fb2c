using System.Collections.Concurrent;

namespace OpenCxo.Data.Analytics;

/// <summary>
/// Recent query answers, valid until the store's data changes. A page of the web UI is rendered twice (once on the
/// server for the first paint, once more when its circuit starts) and several people look at the same dashboards:
/// the second asking costs a dictionary look-up instead of a scan. Every change to the data bumps
/// <see cref="Generation"/>; an answer computed under an older generation is never served or stored.
/// </summary>
internal sealed class AnswerCache
{
    private const int MaxEntries = 512;

    private readonly ConcurrentDictionary<string, (long Generation, object Answer)> _answers = new(StringComparer.Ordinal);
    private long _generation;

    public long Generation => Interlocked.Read(ref _generation);

    public bool TryGet(string key, out object answer)
    {
        if (_answers.TryGetValue(key, out var entry) && entry.Generation == Generation)
        {
            answer = entry.Answer;
            return true;
        }

        answer = null!;
        return false;
    }

    public void Add(string key, object answer, long generation)
    {
        if (generation != Generation)
        {
            return;
        }

        if (_answers.Count >= MaxEntries)
        {
            _answers.Clear();
        }

        _answers[key] = (generation, answer);
    }

    /// <summary>The data changed: every answer so far is stale.</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        _answers.Clear();
    }
}
