using OpenCxo.Core.Ingest;

namespace OpenCxo.Data.Ingest;

/// <summary>
/// A bulk import into one workspace (<see cref="EventIngestor.BeginSession"/>). Batches go into one open
/// transaction, committed every <c>commitEvery</c> events, sooner when HTTP requests are waiting for the writer,
/// and at <see cref="CommitAsync"/>: large transactions dirty each index page once instead of once per batch.
/// What is not committed when the session is disposed (an error, a cancelled import) is rolled back; a re-run then
/// skips what was committed, as duplicates.
/// </summary>
public sealed class IngestSession : IAsyncDisposable
{
    /// <summary>Events in the open transaction after which a session commits early if requests are waiting.</summary>
    private const int YieldAfter = 20_000;

    private readonly EventIngestor _ingestor;
    private readonly long _workspaceId;
    private readonly int _commitEvery;
    private IngestTransaction? _transaction;
    private long _pendingEvents;
    private long _pendingAccepted;
    private long _pendingDuplicates;

    internal IngestSession(EventIngestor ingestor, long workspaceId, int commitEvery)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(commitEvery, 1);
        _ingestor = ingestor;
        _workspaceId = workspaceId;
        _commitEvery = commitEvery;
    }

    /// <summary>New events stored and committed so far.</summary>
    public long Accepted { get; private set; }

    /// <summary>Duplicates found in the batches committed so far.</summary>
    public long Duplicates { get; private set; }

    /// <summary>Writes a batch into the open transaction; its outcome is final once the session commits.</summary>
    public async Task<IngestOutcome> IngestAsync(IReadOnlyList<CanonicalEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return new IngestOutcome(0, []);
        }

        _transaction ??= await _ingestor.EnterAsync(_workspaceId, cancellationToken).ConfigureAwait(false);
        IngestOutcome outcome;
        try
        {
            outcome = await _transaction.WriteAsync(events, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await EndAsync().ConfigureAwait(false);
            throw;
        }

        _pendingEvents += events.Count;
        _pendingAccepted += outcome.Accepted;
        _pendingDuplicates += outcome.Duplicates.Count;
        if (_pendingEvents >= _commitEvery || (_pendingEvents >= YieldAfter && _ingestor.HasWaiters))
        {
            await CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return outcome;
    }

    /// <summary>Commits what the session has written; the next batch opens a new transaction.</summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (_transaction is null)
        {
            return;
        }

        try
        {
            await _transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            Accepted += _pendingAccepted;
            Duplicates += _pendingDuplicates;
        }
        finally
        {
            await EndAsync().ConfigureAwait(false);
        }
    }

    private async Task EndAsync()
    {
        var transaction = _transaction;
        _transaction = null;
        _pendingEvents = _pendingAccepted = _pendingDuplicates = 0;
        if (transaction is not null)
        {
            try
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                _ingestor.Leave();
            }
        }
    }

    /// <summary>Rolls back what is not committed.</summary>
    public async ValueTask DisposeAsync() => await EndAsync().ConfigureAwait(false);
}
