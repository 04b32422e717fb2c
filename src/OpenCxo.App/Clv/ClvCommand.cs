using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using OpenCxo.Core.Clv;
using OpenCxo.Data.Analytics;

namespace OpenCxo.App.Clv;

/// <summary><c>cxo clv fit</c>: fits a buy-till-you-die model to a summary or transaction file and prints its parameters.</summary>
public static class ClvCommand
{
    public static Command Create()
    {
        var summary = new Option<string?>("--summary") { Description = "CSV with frequency (or x), recency (or t_x), T and, for gammagamma, monetary_value (or zbar); times in weeks" };
        var transactions = new Option<string?>("--transactions") { Description = "Purchases: CSV with customer, date, value, or CDNOW's \"id sample-id yyyyMMdd units value\" lines" };
        var calibrationEnd = new Option<string?>("--calibration-end") { Description = "With --transactions: the last day of calibration, yyyy-MM-dd (summaries are built up to it, in weeks)" };
        var model = new Option<string>("--model") { Description = "bgnbd (default), paretonbd or gammagamma", DefaultValueFactory = _ => "bgnbd" };
        var currency = new Option<string?>("--currency") { Description = "Without a file: the orders' currency (default: the one of most revenue touchpoints)" };
        var workspace = Cli.Cli.Workspace();
        var json = Cli.Cli.Json();
        var fit = new Command(
            "fit",
            "Fit BG/NBD, Pareto/NBD or Gamma-Gamma by maximum likelihood and print the parameters and log-likelihood; without a file, on the workspace's order.placed touchpoints up to --calibration-end (default today)")
        {
            summary, transactions, calibrationEnd, model, currency, workspace, json,
        };
        fit.SetAction((result, cancellationToken) => Cli.Cli.RunAsync(async () =>
        {
            var (file, purchases, end) = (result.GetValue(summary), result.GetValue(transactions), result.GetValue(calibrationEnd));
            if (file is not null && purchases is not null)
            {
                return Cli.Cli.Usage("give --summary FILE or --transactions FILE, not both");
            }

            if (purchases is not null && end is null)
            {
                return Cli.Cli.Usage("--transactions needs --calibration-end");
            }

            if (file is not null && end is not null)
            {
                return Cli.Cli.Usage("--calibration-end goes with --transactions or the workspace's orders, not a summary");
            }

            var name = result.GetValue(model)!.ToLowerInvariant();
            if (name is not ("bgnbd" or "paretonbd" or "gammagamma"))
            {
                return Cli.Cli.Usage($"--model: bgnbd, paretonbd or gammagamma, not {name}");
            }

            var last = DateOnly.FromDateTime(DateTime.UtcNow);
            if (end is not null && !DateOnly.TryParseExact(end, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out last))
            {
                return Cli.Cli.Usage($"--calibration-end: a date yyyy-MM-dd, not {end}");
            }

            IReadOnlyList<CustomerSummary> customers;
            var unobserved = 0;
            if (file is not null)
            {
                using var reader = new StreamReader(file);
                customers = RfmFiles.ReadSummary(reader);
            }
            else if (purchases is not null)
            {
                using var reader = new StreamReader(purchases);
                (customers, unobserved) = RfmFiles.Summarise(RfmFiles.ReadTransactions(reader), last);
            }
            else
            {
                var (location, factory, found) = await Cli.Cli.WorkspaceAsync(result, workspace, cancellationToken).ConfigureAwait(false);
                if (found is not { } workspaceId)
                {
                    return Cli.Cli.Fail($"no workspace '{result.GetValue(workspace)}'");
                }

                await using var store = new AnalyticsStore(AnalyticsStore.DefaultPathFor(location), factory);
                await store.SyncAsync(cancellationToken).ConfigureAwait(false);
                var money = result.GetValue(currency) ?? await store.MainCurrencyAsync(workspaceId, cancellationToken).ConfigureAwait(false);
                if (money is null)
                {
                    return Cli.Cli.Fail("the workspace has no orders with a currency to fit");
                }

                var orders = await store.PurchaseSummariesAsync(workspaceId, last, money, cancellationToken).ConfigureAwait(false);
                customers = [.. orders.Select(s => new CustomerSummary(s.Customer.ToString(CultureInfo.InvariantCulture), s.Summary))];
                if (customers.Count == 0)
                {
                    return Cli.Cli.Fail($"no customer has orders in {money} before {last:yyyy-MM-dd}");
                }
            }

            var summaries = customers.Select(c => c.Summary).ToList();
            var clock = Stopwatch.StartNew();
            var (parameters, logLikelihood, fitted, iterations, atBound) = name switch
            {
                "bgnbd" => Describe(BgNbd.Fit(summaries), p => new JsonObject { ["r"] = p.R, ["alpha"] = p.Alpha, ["a"] = p.A, ["b"] = p.B }),
                "paretonbd" => Describe(ParetoNbd.Fit(summaries), p => new JsonObject { ["r"] = p.R, ["alpha"] = p.Alpha, ["s"] = p.S, ["beta"] = p.Beta }),
                _ => Describe(GammaGamma.Fit(summaries), p => new JsonObject { ["p"] = p.P, ["q"] = p.Q, ["gamma"] = p.Gamma }),
            };
            var elapsed = clock.Elapsed.TotalMilliseconds;
            var report = new JsonObject
            {
                ["model"] = name,
                ["customers"] = fitted,
                ["parameters"] = parameters,
                ["logLikelihood"] = logLikelihood,
                ["iterations"] = iterations,
                ["milliseconds"] = Math.Round(elapsed, 1),
            };
            if (unobserved > 0)
            {
                report["leftOut"] = unobserved;
            }

            if (atBound.Count > 0)
            {
                report["atBound"] = new JsonArray([.. atBound.Select(n => (JsonNode)n)]);
            }

            if (result.GetValue(json))
            {
                Console.Out.WriteLine(report.ToJsonString(Cli.Cli.JsonOutput));
            }
            else
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} on {fitted:N0} customers: log-likelihood {logLikelihood:0.###} ({iterations} iterations, {elapsed:0} ms)"));
                foreach (var (key, value) in parameters)
                {
                    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {key,-6} {(double)value!:0.######}"));
                }

                if (unobserved > 0)
                {
                    Console.Out.WriteLine($"  {unobserved} customers left out: their first purchase was on the calibration end (T = 0)");
                }

                if (atBound.Count > 0)
                {
                    Console.Out.WriteLine($"  at the search's bound (10⁻⁶ or 10⁶): {string.Join(", ", atBound)} — the data only say it is very small or very large");
                }
            }

            return Cli.Cli.Ok;
        }));
        return new Command("clv", "Customer lifetime value models: buy-till-you-die fits (docs/clv.md)") { fit };
    }

    private static (JsonObject Parameters, double LogLikelihood, int Customers, int Iterations, List<string> AtBound) Describe<T>(
        ModelFit<T> fit, Func<T, JsonObject> parameters)
    {
        var named = parameters(fit.Parameters);
        var names = named.Select(p => p.Key).ToList();
        return (named, fit.LogLikelihood, fit.Customers, fit.Iterations, [.. fit.AtBound.Select(i => names[i])]);
    }
}
