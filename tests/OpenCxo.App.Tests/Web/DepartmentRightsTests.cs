using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OpenCxo.App.Initiatives;
using OpenCxo.App.Security;
using OpenCxo.App.Tests.Api;
using OpenCxo.Core.Initiatives;
using OpenCxo.Core.Maturity;
using OpenCxo.Testing;

namespace OpenCxo.App.Tests.Web;

/// <summary>
/// Per-department rights in the web UI's CX programme: a department changes its own initiatives and maturity
/// assessments, the CXO's office and admins any department's, viewers none; and the initiatives service enforces it on
/// the stored owner as well as the new one, so a page opened before a reassignment cannot take an initiative back.
/// </summary>
public sealed class DepartmentRightsTests
{
    public static IEnumerable<object[]> Providers => TestDatabases.Providers;

    private static ClaimsPrincipal Person(string role) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, role + "-person"), new Claim(ClaimTypes.Role, role)], "test"));

    [Fact]
    public void Each_role_changes_the_departments_the_matrix_gives_it()
    {
        // The rule written out by hand, department by department (company is the CXO's view of the whole).
        var expected = new Dictionary<string, string[]>
        {
            [Roles.Admin] = ["company", "marketing", "sales", "service", "product", "other"],
            [Roles.Cxo] = ["company", "marketing", "sales", "service", "product", "other"],
            [Roles.Marketing] = ["marketing"],
            [Roles.Sales] = ["sales"],
            [Roles.Service] = ["service"],
            [Roles.Viewer] = [],
        };
        Assert.Equal(Roles.All.Order(), expected.Keys.Order());
        foreach (var (role, departments) in expected)
        {
            var may = MaturityChecklist.Departments.Where(d => DepartmentRights.MayChange(Person(role), d));
            Assert.Equal(departments.Order(), may.Order());
        }

        var refusal = DepartmentRights.Refusal(Person(Roles.Sales), "service", "ownerDepartment");
        Assert.Equal("ownerDepartment", refusal?.Field);
        Assert.Contains("belongs to service", refusal?.Message, StringComparison.Ordinal);
        Assert.Null(DepartmentRights.Refusal(Person(Roles.Service), "service", "ownerDepartment"));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task An_initiative_is_changed_only_by_its_department_the_cxo_or_an_admin(string provider)
    {
        await using var host = await ApiHost.StartAsync(provider, new Dictionary<string, string?> { ["Kpis:Evaluate"] = "false" });
        var client = await host.ClientAsync("a");
        var body = new JsonObject
        {
            ["key"] = "night-callbacks", ["name"] = "Call back the night's unresolved calls", ["ownerDepartment"] = "service", ["sponsor"] = "Ana Ruiz",
            ["status"] = "active", ["start"] = "2026-09-01", ["themes"] = new JsonArray(), ["kpis"] = new JsonArray(), ["journeys"] = new JsonArray(),
        };
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/initiatives", body)).StatusCode);
        long workspace;
        await using (var db = host.Factory.CreateDbContext())
        {
            workspace = (await Workspaces.FindAsync(db, "a"))!.Id;
        }

        var initiatives = host.Services.GetRequiredService<InitiativeService>();
        var stored = (await initiatives.GetAsync(workspace, "night-callbacks", default))!.Value.Definition;

        Task<OpenCxo.App.Kpis.Saved> SaveAs(string role, InitiativeDefinition definition) => initiatives.SaveAsync(
            workspace, definition, role + "-person", replace: true, default, department => DepartmentRights.Refusal(Person(role), department, "ownerDepartment"));

        // Marketing may neither change service's initiative nor take it over: both the stored and the new owner count.
        var renamed = stored with { Name = "Marketing's night callbacks" };
        var refused = await SaveAs(Roles.Marketing, renamed);
        Assert.Equal("ownerDepartment", Assert.Single(refused.Errors).Field);
        refused = await SaveAs(Roles.Marketing, renamed with { OwnerDepartment = "marketing" });
        Assert.Equal("ownerDepartment", Assert.Single(refused.Errors).Field);
        Assert.Equal(stored.Name, (await initiatives.GetAsync(workspace, "night-callbacks", default))!.Value.Definition.Name);

        // Service changes its own but may not hand it to product; the CXO's office may.
        Assert.True((await SaveAs(Roles.Service, stored with { Sponsor = "Luis Gómez" })).Ok);
        Assert.False((await SaveAs(Roles.Service, stored with { OwnerDepartment = "product" })).Ok);
        Assert.True((await SaveAs(Roles.Cxo, stored with { OwnerDepartment = "product", Sponsor = "Luis Gómez" })).Ok);

        // Now product's, it is out of service's hands, which a page opened before the move would have tried.
        var late = await SaveAs(Roles.Service, stored with { Sponsor = "Someone else" });
        Assert.Contains("belongs to product", Assert.Single(late.Errors).Message, StringComparison.Ordinal);
        var now = (await initiatives.GetAsync(workspace, "night-callbacks", default))!.Value.Definition;
        Assert.Equal(("product", "Luis Gómez"), (now.OwnerDepartment, now.Sponsor));

        // A new initiative: a department creates its own only.
        var fresh = stored with { Key = "sales-handover", OwnerDepartment = "service" };
        Assert.False((await initiatives.SaveAsync(workspace, fresh, "sales-person", replace: false, default,
            d => DepartmentRights.Refusal(Person(Roles.Sales), d, "ownerDepartment"))).Ok);
        Assert.Null(await initiatives.GetAsync(workspace, "sales-handover", default));
        Assert.True((await initiatives.SaveAsync(workspace, fresh with { OwnerDepartment = "sales" }, "sales-person", replace: false, default,
            d => DepartmentRights.Refusal(Person(Roles.Sales), d, "ownerDepartment"))).Ok);

        // API keys act for the workspace: their scope decides, not a department.
        body["ownerDepartment"] = "other";
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/api/v1/initiatives/night-callbacks", body)).StatusCode);
    }
}
