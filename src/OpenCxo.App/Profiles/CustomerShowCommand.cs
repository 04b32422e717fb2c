using System.CommandLine;
using System.Globalization;
using OpenCxo.App.Security;
using OpenCxo.Core.Profiles;
using OpenCxo.Data.Storage;
using Spectre.Console;

namespace OpenCxo.App.Profiles;

public static class CustomerShowCommand
{
    public static Command Create()
    {
        var query = new Argument<string>("customer") { Description = "An email, a phone number, system:external-id, or a customer id" };
        var workspace = Cli.Cli.Workspace();
        var json = Cli.Cli.Json();
        var recent = new Option<int>("--recent") { Description = "How many recent touchpoints to list", DefaultValueFactory = _ => 10 };
        var show = new Command("show", "Print a customer's 360° profile and recent touchpoints") { query, workspace, json, recent };
        show.SetAction((result, cancellationToken) => Cli.Cli.RunAsync(async () =>
        {
            var settings = Cli.Cli.Settings(result);
            var factory = new CxoDbFactory(settings.Database);
            await Cli.Cli.PrepareDatabaseAsync(factory, cancellationToken).ConfigureAwait(false);
            await using var db = factory.CreateDbContext();
            var space = await Workspaces.FindAsync(db, result.GetValue(workspace)!, cancellationToken).ConfigureAwait(false);
            if (space is null)
            {
                return Cli.Cli.Fail($"no workspace '{result.GetValue(workspace)}'");
            }

            var text = result.GetValue(query)!.Trim();
            var id = await FindAsync(db, space.Id, text, new IdentityNormalizer(settings.DefaultRegion), cancellationToken).ConfigureAwait(false);
            var profile = id is null ? null : await CustomerProfiles.GetAsync(db, space.Id, id.Value, cancellationToken).ConfigureAwait(false);
            if (profile is null)
            {
                return Cli.Cli.Fail($"no customer matches '{text}' in workspace '{space.Slug}'");
            }

            var timeline = await CustomerProfiles.TimelineAsync(db, space.Id, profile.Id, Math.Clamp(result.GetValue(recent), 1, CustomerProfiles.MaxPageSize), null, TimelineFilter.All, cancellationToken).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                Cli.Cli.WriteJson(new { profile, recent = timeline!.Items });
            }
            else if (Console.IsOutputRedirected)
            {
                RenderPlain(profile, timeline!.Items);
            }
            else
            {
                Render(profile, timeline!.Items);
            }

            return Cli.Cli.Ok;
        }));
        return new Command("customer", "Look at customers") { show };
    }

    internal static async Task<long?> FindAsync(CxoDb db, long workspaceId, string text, IdentityNormalizer normalizer, CancellationToken cancellationToken)
    {
        if (text.Contains('@', StringComparison.Ordinal) && IdentityNormalizer.TryNormalizeEmail(text, out var email, out _))
        {
            return await CustomerProfiles.FindByIdentityAsync(db, workspaceId, IdentityKey.Email(email), cancellationToken).ConfigureAwait(false);
        }

        // Digits may be a customer id or a national phone number: an existing customer id wins, then the phone.
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            && await CustomerProfiles.ResolveIdAsync(db, workspaceId, id, cancellationToken).ConfigureAwait(false) is { } byId)
        {
            return byId;
        }

        if (IdentityNormalizer.TryParseExternalLookup(text, out var external, out _)
            && await CustomerProfiles.FindByIdentityAsync(db, workspaceId, external, cancellationToken).ConfigureAwait(false) is { } byExternal)
        {
            return byExternal;
        }

        return normalizer.TryNormalizePhone(text, out var phone, out _)
            ? await CustomerProfiles.FindByIdentityAsync(db, workspaceId, IdentityKey.Phone(phone), cancellationToken).ConfigureAwait(false)
            : null;
    }

    /// <summary>For pipes and files: one fact per line, touchpoints tab-separated, nothing wrapped.</summary>
    private static void RenderPlain(CustomerProfile p, IReadOnlyList<TimelineEntry> recent)
    {
        var o = Console.Out;
        o.WriteLine($"{(p.Attributes.TryGetValue("name", out var n) ? n.ToString() : "Customer")} (id {p.Id})");
        o.WriteLine($"emails\t{string.Join(", ", p.Emails)}");
        o.WriteLine($"phones\t{string.Join(", ", p.Phones)}");
        o.WriteLine($"externalIds\t{string.Join(", ", p.ExternalIds.SelectMany(x => x.Value.Select(v => $"{x.Key}:{v}")))}");
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"firstSeen\t{p.FirstSeen:O}"));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"lastSeen\t{p.LastSeen:O}"));
        o.WriteLine($"attributes\t{string.Join(", ", p.Attributes.Select(a => $"{a.Key}={a.Value}"))}");
        o.WriteLine($"touchpoints\t{p.Touchpoints.Total}: {string.Join(", ", p.Touchpoints.ByDepartment.Select(x => $"{x.Key} {x.Value}"))}");
        o.WriteLine($"channels\t{string.Join(", ", p.Touchpoints.ByChannel.Select(x => $"{x.Key} {x.Value}"))}");
        o.WriteLine($"lifetimeValue\t{string.Join("; ", p.LifetimeValue.Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.Net:0.00} {v.Currency}")))}");
        o.WriteLine($"mergedProfiles\t{string.Join(", ", p.Merges.Select(m => m.AbsorbedId))}");
        o.WriteLine("When (UTC)\tDepartment\tChannel\tType\tValue\tText");
        foreach (var e in recent)
        {
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{e.OccurredAt:yyyy-MM-dd HH:mm}\t{e.Department}\t{e.Channel}\t{e.Type}\t{(e.Value == 0 ? "" : $"{e.Value:0.00} {e.Currency}")}\t{e.Text?.ReplaceLineEndings(" ")}"));
        }
    }

    private static void Render(CustomerProfile p, IReadOnlyList<TimelineEntry> recent)
    {
        var console = AnsiConsole.Console;
        var name = p.Attributes.TryGetValue("name", out var n) ? n.ToString() : $"Customer {p.Id}";
        console.Write(new Rule($"[bold]{Markup.Escape(name)}[/] (id {p.Id})").LeftJustified());
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("Emails", Markup.Escape(string.Join(", ", p.Emails)));
        grid.AddRow("Phones", Markup.Escape(string.Join(", ", p.Phones)));
        grid.AddRow("External ids", Markup.Escape(string.Join(", ", p.ExternalIds.SelectMany(x => x.Value.Select(v => $"{x.Key}:{v}")))));
        grid.AddRow("First / last seen", $"{p.FirstSeen:yyyy-MM-dd HH:mm} / {p.LastSeen:yyyy-MM-dd HH:mm} UTC");
        grid.AddRow("Attributes", Markup.Escape(string.Join(", ", p.Attributes.Select(a => $"{a.Key}={a.Value}"))));
        grid.AddRow("Touchpoints", $"{p.Touchpoints.Total}: " + Markup.Escape(string.Join(", ", p.Touchpoints.ByDepartment.Select(x => $"{x.Key} {x.Value}"))));
        grid.AddRow("Channels", Markup.Escape(string.Join(", ", p.Touchpoints.ByChannel.Select(x => $"{x.Key} {x.Value}"))));
        grid.AddRow("Lifetime value", Markup.Escape(string.Join("; ", p.LifetimeValue.Select(v => $"{v.Net:0.00} {v.Currency} (purchases {v.Purchases:0.00}, refunds {v.Refunds:0.00})"))));
        grid.AddRow("Merged profiles", p.Merges.Count == 0 ? "none" : Markup.Escape(string.Join(", ", p.Merges.Select(m => $"{m.AbsorbedId} (by {m.EventId})"))));
        console.Write(grid);
        var table = new Table().AddColumns("When (UTC)", "Department", "Channel", "Type", "Value", "Text");
        foreach (var e in recent)
        {
            table.AddRow(
                e.OccurredAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                e.Department,
                e.Channel,
                Markup.Escape(e.Type),
                e.Value == 0 ? "" : $"{e.Value:0.00} {e.Currency}",
                Markup.Escape(e.Text is { Length: > 60 } t ? t[..60] + "…" : e.Text ?? ""));
        }

        console.Write(table);
    }
}
