namespace OpenCxo.Data.Analytics;

/// <summary>
/// Lets any number of queries run together, and lets the store's file be swapped (rebuild) or closed (dispose)
/// only when none is running. Queries that arrive during a swap wait for it; a swap waits for running queries.
/// </summary>
internal sealed class SwapGate : IDisposable
{
    private readonly SemaphoreSlim _exclusive = new(1, 1);
    private int _readers;
    private TaskCompletionSource? _drained;

    public async Task<IDisposable> EnterSharedAsync(CancellationToken ct)
    {
        await _exclusive.WaitAsync(ct).ConfigureAwait(false);
        Interlocked.Increment(ref _readers);
        _exclusive.Release();
        return new Exit(this, exclusive: false);
    }

    public async Task<IDisposable> EnterExclusiveAsync()
    {
        await _exclusive.WaitAsync().ConfigureAwait(false);

        // No reader can enter now; wait for those inside to leave. A reader that leaves before _drained is set
        // is caught by the count check, one that leaves after it completes the task.
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _drained, drained);
        if (Volatile.Read(ref _readers) == 0)
        {
            drained.TrySetResult();
        }

        await drained.Task.ConfigureAwait(false);
        return new Exit(this, exclusive: true);
    }

    public void Dispose() => _exclusive.Dispose();

    private void LeaveShared()
    {
        if (Interlocked.Decrement(ref _readers) == 0)
        {
            Volatile.Read(ref _drained)?.TrySetResult();
        }
    }

    private void LeaveExclusive()
    {
        Volatile.Write(ref _drained, null);
        _exclusive.Release();
    }

    private sealed class Exit(SwapGate gate, bool exclusive) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) != 0)
            {
                return;
            }

            if (exclusive)
            {
                gate.LeaveExclusive();
            }
            else
            {
                gate.LeaveShared();
            }
        }
    }
}
