using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using OpenCxo.App.Security;
using OpenCxo.Data.Analytics;

namespace OpenCxo.App.Dashboards;

/// <summary>What every dashboard page shares: the filter from the URL, the workspace, the segments, and loading.</summary>
public abstract class DashboardBase : ComponentBase
{
    private static readonly TimeSpan PrerenderPatience = TimeSpan.FromSeconds(1);

    [Inject]
    protected AnalyticsStore Store { get; set; } = default!;

    [Inject]
    protected TimeProvider Time { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> Auth { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "from")]
    private string? From { get; set; }

    [SupplyParameterFromQuery(Name = "to")]
    private string? To { get; set; }

    [SupplyParameterFromQuery(Name = "department")]
    private string[]? Department { get; set; }

    [SupplyParameterFromQuery(Name = "channel")]
    private string[]? Channel { get; set; }

    [SupplyParameterFromQuery(Name = "segment")]
    private string[]? Segment { get; set; }

    protected DashboardQuery Query { get; private set; } = default!;

    protected IReadOnlyList<string> Segments { get; private set; } = [];

    protected long Workspace { get; private set; }

    protected bool Loaded { get; private set; }

    protected override async Task OnParametersSetAsync()
    {
        Query = DashboardQuery.Parse(From, To, Department, Channel, Segment, DateOnly.FromDateTime(Time.GetUtcNow().UtcDateTime));
        Workspace = (await Auth).User.WorkspaceId();
        Loaded = false;

        // Catch up first, so a dashboard never misses touchpoints accepted before it was opened. A long catch-up (the
        // first copy of a large database) is not worth holding the first response for: that one shows its progress,
        // and the interactive render loads the figures once the copy is done.
        var sync = Store.SyncAsync();
        if (!RendererInfo.IsInteractive && await Task.WhenAny(sync, Task.Delay(PrerenderPatience)) != sync)
        {
            _ = sync.ContinueWith(t => t.Exception, TaskScheduler.Default);
            return;
        }

        await sync;
        Segments = await Store.SegmentsAsync(Workspace);
        await LoadAsync(Query.Filter);
        Loaded = true;
    }

    protected abstract Task LoadAsync(DashboardFilter filter);

    protected static IReadOnlyList<(DateOnly, string, double)> Series(IEnumerable<VolumePoint> points, Func<string, string> name) =>
        [.. points.Select(p => (p.Bucket, name(p.Key), (double)p.Count))];
}
