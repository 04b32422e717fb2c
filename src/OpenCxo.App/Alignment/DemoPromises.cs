using Microsoft.EntityFrameworkCore;
using OpenCxo.Core.Alignment;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Alignment;

/// <summary>The demo company's promises: the "soporte 24/7" the spring campaign made, and an answer within the hour for written tickets.</summary>
public static class DemoPromises
{
    public static IReadOnlyList<PromiseDefinition> Promises { get; } =
    [
        new("soporte-24-7", "Soporte 24/7", "Soporte 24/7: te atendemos y lo resolvemos a cualquier hora / 24/7 support: we answer and fix it at any hour",
            new PromiseContacts(["call.completed", "chat.completed"], FallbackTimeZone: "Europe/Madrid"),
            new PromiseKept(Resolved: true), 70,
            new PromiseOwner("marketing"), new PromiseOwner("service"),
            Campaigns: ["soporte-24-7"], Themes: ["support_availability", "waiting_time"]),
        new("respuesta-1-hora", "Respuesta en menos de 1 hora", "Respuesta en menos de 1 hora / An answer within the hour",
            new PromiseContacts(["ticket.opened"], FromHour: 8, ToHour: 20, Days: ["mon", "tue", "wed", "thu", "fri"], FallbackTimeZone: "Europe/Madrid"),
            new PromiseKept(FollowedBy: ["call.completed", "chat.completed", "ticket.resolved"], WithinHours: 1, SameTicket: true), 80,
            new PromiseOwner("marketing"), new PromiseOwner("service"),
            Themes: ["waiting_time"]),
    ];

    /// <summary>Sets the demo promises unless the workspace has promises of its own; answers how many it set.</summary>
    public static async Task<int> SeedAsync(IServiceProvider services, long workspaceId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(services);
        await using (var db = services.GetRequiredService<CxoDbFactory>().CreateDbContext())
        {
            if (await db.Promises.AnyAsync(p => p.WorkspaceId == workspaceId, ct).ConfigureAwait(false))
            {
                return 0;
            }
        }

        var promises = services.GetRequiredService<PromiseService>();
        foreach (var promise in Promises)
        {
            if ((await promises.SaveAsync(workspaceId, promise, "demo", replace: true, ct).ConfigureAwait(false)).Errors is [var problem, ..])
            {
                throw new InvalidOperationException($"Demo promise {promise.Key}: {problem.Field}: {problem.Message}");
            }
        }

        return Promises.Count;
    }
}
