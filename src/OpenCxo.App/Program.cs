using System.CommandLine;
using OpenCxo.App.Actions;
using OpenCxo.App.Alignment;
using OpenCxo.App.Analytics;
using OpenCxo.App.Campaigns;
using OpenCxo.App.Cases;
using OpenCxo.App.Churn;
using OpenCxo.App.Cli;
using OpenCxo.App.Clv;
using OpenCxo.App.Drivers;
using OpenCxo.App.Demo;
using OpenCxo.App.Hosting;
using OpenCxo.App.Ingest;
using OpenCxo.App.Initiatives;
using OpenCxo.App.Journeys;
using OpenCxo.App.Kpis;
using OpenCxo.App.Metrics;
using OpenCxo.App.Privacy;
using OpenCxo.App.Profiles;
using OpenCxo.App.Security;
using OpenCxo.App.Maturity;
using OpenCxo.App.Segments;
using OpenCxo.App.Text;

var root = new RootCommand("OpenCXO: one customer, honest metrics, a loop that closes.")
{
    Cli.Db,
    Cli.Region,
    ServeCommand.Create(),
    ImportCommand.Create(),
    CustomerShowCommand.Create(),
    ApiKeyCommand.Create(),
    UserCommand.Create(),
    AuditCommand.Create(),
    GdprCommand.Create(),
    GdprCommand.Retention(),
    DbCommand.Create(),
    BackupCommand.Backup(),
    BackupCommand.Restore(),
    AnalyticsCommand.Create(),
    MetricsCommand.Create(),
    ClvCommand.Create(),
    ChurnCommand.Create(),
    DriversCommand.Create(),
    ActionsCommand.Create(),
    CasesCommand.Create(),
    PromisesCommand.Create(),
    SalesQualityCommand.Create(),
    ServiceBalanceCommand.Create(),
    DigestsCommand.Create(),
    JourneyService.Command(),
    KpiCommand.Create(),
    SegmentCommand.Create(),
    CampaignCommand.Create(),
    InitiativeCommand.Create(),
    MaturityCommand.Create(),
    TextCommand.Create(),
    DemoLoader.Create(),
};

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine("cxo: " + error.Message);
    }

    Console.Error.WriteLine("Run 'cxo --help' for usage.");
    return Cli.BadUsage;
}

return await parsed.InvokeAsync();
