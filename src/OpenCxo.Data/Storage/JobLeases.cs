using Microsoft.EntityFrameworkCore;

namespace OpenCxo.Data.Storage;

/// <summary>
/// Leases in the database that let several <c>cxo serve</c> processes share one PostgreSQL (or SQLite file) and still
/// run each background job once at a time: a pass runs only in the instance holding the job's lease. The holder
/// keeps it by renewing it at every pass and, during a long pass, every third of its term; an instance that stops or
/// dies lets it lapse and another takes the job over after at most one term.
/// </summary>
public sealed class JobLeases(CxoDbFactory databases, TimeProvider time)
{
    /// <summary>This process among the instances: machine, process id and a random part (a restarted process is a new holder).</summary>
    public string Holder { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Takes or renews the lease for <paramref name="term"/> from now; false while another instance holds it.</summary>
    public async Task<bool> TryAcquireAsync(string job, TimeSpan term, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var until = now + term;
        await using var db = databases.CreateDbContext();

        // One statement decides: the row is ours already, or its holder let it lapse. Row locks (PostgreSQL) or the
        // single writer (SQLite) make two instances' attempts take turns, and the second sees the first's holder.
        var holder = Holder;
        Task<int> TakeAsync() => db.Leases.Where(l => l.Name == job && (l.Holder == holder || l.ExpiresAt < now))
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Holder, holder).SetProperty(l => l.ExpiresAt, until), ct);
        if (await TakeAsync().ConfigureAwait(false) == 1)
        {
            return true;
        }

        // No row yet, or one that someone created a moment ago (perhaps this process): look again once it exists.
        if (!await db.Leases.AnyAsync(l => l.Name == job, ct).ConfigureAwait(false))
        {
            db.Leases.Add(new LeaseRow { Name = job, Holder = holder, ExpiresAt = until });
            try
            {
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                return true;
            }
            catch (DbUpdateException)
            {
                db.ChangeTracker.Clear();
            }
        }

        return await TakeAsync().ConfigureAwait(false) == 1;
    }

    /// <summary>A job's term: two of its intervals, and at least a minute, so that a holder between passes keeps it.</summary>
    public static TimeSpan TermFor(TimeSpan interval) => interval * 2 > TimeSpan.FromMinutes(1) ? interval * 2 : TimeSpan.FromMinutes(1);

    /// <summary>Gives the lease up at once (on shutdown), so another instance need not wait for it to lapse.</summary>
    public async Task ReleaseAsync(string job, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var holder = Holder;
        await db.Leases.Where(l => l.Name == job && l.Holder == holder).ExecuteDeleteAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs one pass of <paramref name="job"/> if this instance holds (or can take) its lease, renewing it while the
    /// pass runs; the pass's token is cancelled if the lease is lost. Returns whether the pass ran here.
    /// </summary>
    public async Task<bool> RunAsync(string job, TimeSpan term, Func<CancellationToken, Task> pass, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(pass);
        if (!await TryAcquireAsync(job, term, ct).ConfigureAwait(false))
        {
            return false;
        }

        using var held = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var renewing = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var renewal = RenewAsync(job, term, held, renewing.Token);
        try
        {
            await pass(held.Token).ConfigureAwait(false);
        }
        finally
        {
            await renewing.CancelAsync().ConfigureAwait(false);
            await renewal.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        // Kept for a term after the pass: the next pass is this instance's again.
        await TryAcquireAsync(job, term, ct).ConfigureAwait(false);
        return true;
    }

    private async Task RenewAsync(string job, TimeSpan term, CancellationTokenSource held, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(term / 3, time);
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            if (!await TryAcquireAsync(job, term, ct).ConfigureAwait(false))
            {
                await held.CancelAsync().ConfigureAwait(false);
                return;
            }
        }
    }
}
