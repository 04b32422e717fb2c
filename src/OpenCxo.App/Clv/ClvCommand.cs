using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using OpenCxo.App.Touchpoints;
using OpenCxo.Core.Clv;
using OpenCxo.Data.Analytics;

namespace OpenCxo.App.Clv;

/// <summary><c>cxo clv fit|predict</c>: buy-till-you-die fits of a summary, a transaction file or the workspace's orders, and per-customer predictions.</summary>
public static class ClvCommand
{
    public static Command Create()
    {
        var input = new Input();
        var model = new Option<string>("--model") { Description = "bgnbd (default), paretonbd or gammagamma", DefaultValueFactory = _ => "bgnbd" };
        var json = Cli.Cli.Json();
        var fit = new Command(
            "fit",
            "Fit BG/NBD, Pareto/NBD or Gamma-Gamma by maximum likelihood and print the parameters and log-likelihood; without a file, on the workspace's order.placed touchpoints up to --calibration-end (default today)")
        {
            input.Summary, input.Transactions, input.CalibrationEnd, model, input.Currency, input.Workspace, json,
        };
        fit.SetAction((result, cancellationToken) => Cli.Cli.RunAsync(async () =>
        {
            var name = result.GetValue(model)!.ToLowerInvariant();
            if (name is not ("bgnbd" or "paretonbd" or "gammagamma"))
            {
                return Cli.Cli.Usage($"--model: bgnbd, paretonbd or gammagamma, not {name}");
            }

            var (customers, unobserved, exit) = await input.LoadAsync(result, cancellationToken).ConfigureAwait(false);
            if (customers is null)
            {
                return exit;
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
        return new Command("clv", "Customer lifetime value models: buy-till-you-die fits and per-customer predictions (docs/clv.md)") { fit, Predict() };
    }

    /// <summary>
    /// <c>cxo clv predict</c>: fits BG/NBD and Gamma-Gamma on the same input and writes, per customer, P(alive), the
    /// purchases expected over the horizon, the expected spend per purchase and the discounted lifetime value, as CSV.
    /// </summary>
    private static Command Predict()
    {
        var input = new Input();
        var horizon = new Option<double>("--horizon") { Description = "Weeks ahead for expected purchases and lifetime value [default: 52]", DefaultValueFactory = _ => 52 };
        var discount = new Option<double>("--discount") { Description = "Annual discount rate of lifetime value, 0.1 for 10 % [default: 0.1]", DefaultValueFactory = _ => 0.1 };
        var output = new Option<string?>("--out") { Description = "Write the CSV to this file instead of standard output" };
        var predict = new Command(
            "predict",
            "Per customer: probability alive, expected purchases over --horizon weeks, expected spend per purchase (Gamma-Gamma) and lifetime value discounted at --discount a year (BG/NBD), as CSV")
        {
            input.Summary, input.Transactions, input.CalibrationEnd, input.Currency, input.Workspace, horizon, discount, output,
        };
        predict.SetAction((result, cancellationToken) => Cli.Cli.RunAsync(async () =>
        {
            var (weeks, rate) = (result.GetValue(horizon), result.GetValue(discount));
            if (!(weeks > 0) || !double.IsFinite(weeks))
            {
                return Cli.Cli.Usage($"--horizon: a number of weeks > 0, not {weeks}");
            }

            if (!(rate > -1) || !double.IsFinite(rate))
            {
                return Cli.Cli.Usage($"--discount: an annual rate > −1 (0.1 for 10 %), not {rate}");
            }

            var (customers, _, exit) = await input.LoadAsync(result, cancellationToken).ConfigureAwait(false);
            if (customers is null)
            {
                return exit;
            }

            var summaries = customers.Select(c => c.Summary).ToList();
            var purchases = BgNbd.Fit(summaries).Parameters;
            var spend = GammaGamma.Fit(summaries).Parameters;
            var file = result.GetValue(output);
            await using var owned = file is null ? null : new StreamWriter(file);
            var writer = owned ?? Console.Out;
            await writer.WriteLineAsync("id,frequency,recency,T,p_alive,expected_purchases,expected_spend,clv").ConfigureAwait(false);
            foreach (var customer in customers)
            {
                var c = customer.Summary;
                var predicted = LifetimeValue.Predict(purchases, spend, c, weeks, rate);
                await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{TouchpointExplorer.CsvCell(customer.Id)},{c.Frequency},{c.Recency},{c.Age},{predicted.ProbabilityAlive:0.######},{predicted.ExpectedPurchases:0.######},{predicted.ExpectedSpend:0.####},{predicted.Value:0.####}"))
                    .ConfigureAwait(false);
            }

            return Cli.Cli.Ok;
        }));
        return predict;
    }

    /// <summary>Where the customers come from: a summary file, a transaction file, or the workspace's orders.</summary>
    private sealed class Input
    {
        public Option<string?> Summary { get; } = new("--summary") { Description = "CSV with frequency (or x), recency (or t_x), T and, for spend, monetary_value (or zbar); times in one unit (weeks for CDNOW)" };

        public Option<string?> Transactions { get; } = new("--transactions") { Description = "Purchases: CSV with customer, date, value, or CDNOW's \"id sample-id yyyyMMdd units value\" lines" };

        public Option<string?> CalibrationEnd { get; } = new("--calibration-end") { Description = "With --transactions or the workspace's orders: the last day of calibration, yyyy-MM-dd (default today; summaries in weeks)" };

        public Option<string?> Currency { get; } = new("--currency") { Description = "Without a file: the orders' currency (default: the one of most revenue touchpoints)" };

        public Option<string> Workspace { get; } = Cli.Cli.Workspace();

        /// <summary>The customers, or null with the exit code after saying why.</summary>
        public async Task<(IReadOnlyList<CustomerSummary>? Customers, int Unobserved, int Exit)> LoadAsync(ParseResult result, CancellationToken cancellationToken)
        {
            var (file, purchases, end) = (result.GetValue(Summary), result.GetValue(Transactions), result.GetValue(CalibrationEnd));
            if (file is not null && purchases is not null)
            {
                return (null, 0, Cli.Cli.Usage("give --summary FILE or --transactions FILE, not both"));
            }

            if (purchases is not null && end is null)
            {
                return (null, 0, Cli.Cli.Usage("--transactions needs --calibration-end"));
            }

            if (file is not null && end is not null)
            {
                return (null, 0, Cli.Cli.Usage("--calibration-end goes with --transactions or the workspace's orders, not a summary"));
            }

            var last = DateOnly.FromDateTime(DateTime.UtcNow);
            if (end is not null && !DateOnly.TryParseExact(end, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out last))
            {
                return (null, 0, Cli.Cli.Usage($"--calibration-end: a date yyyy-MM-dd, not {end}"));
            }

            if (file is not null)
            {
                var (header, records) = await Cli.CsvTable.ReadAsync(file, cancellationToken).ConfigureAwait(false);
                return (RfmFiles.ReadSummary(header, records), 0, Cli.Cli.Ok);
            }

            if (purchases is not null)
            {
                var (built, unobserved) = RfmFiles.Summarise(await ReadTransactionsAsync(purchases, cancellationToken).ConfigureAwait(false), last);
                return (built, unobserved, Cli.Cli.Ok);
            }

            var (location, factory, found) = await Cli.Cli.WorkspaceAsync(result, Workspace, cancellationToken).ConfigureAwait(false);
            if (found is not { } workspaceId)
            {
                return (null, 0, Cli.Cli.Fail($"no workspace '{result.GetValue(Workspace)}'"));
            }

            await using var store = new AnalyticsStore(AnalyticsStore.DefaultPathFor(location), factory);
            await store.SyncAsync(cancellationToken).ConfigureAwait(false);
            var money = result.GetValue(Currency) ?? await store.MainCurrencyAsync(workspaceId, cancellationToken).ConfigureAwait(false);
            if (money is null)
            {
                return (null, 0, Cli.Cli.Fail("the workspace has no orders with a currency to fit"));
            }

            var (orders, firstOnLastDay) = await store.PurchaseSummariesAsync(workspaceId, last, money, cancellationToken).ConfigureAwait(false);
            if (orders.Count == 0)
            {
                return (null, 0, Cli.Cli.Fail($"no customer has orders in {money} before {last:yyyy-MM-dd}"));
            }

            return ([.. orders.Select(s => new CustomerSummary(s.Customer.ToString(CultureInfo.InvariantCulture), s.Summary))], firstOnLastDay, Cli.Cli.Ok);
        }
    }

    /// <summary>A CSV of purchases (its first line names columns, with commas), or CDNOW's whitespace-separated lines.</summary>
    private static async Task<IReadOnlyList<Purchase>> ReadTransactionsAsync(string path, CancellationToken ct)
    {
        string? first;
        using (var peek = new StreamReader(path))
        {
            first = await peek.ReadLineAsync(ct).ConfigureAwait(false);
        }

        if (first is not null && first.Contains(',', StringComparison.Ordinal))
        {
            var (header, records) = await Cli.CsvTable.ReadAsync(path, ct).ConfigureAwait(false);
            return RfmFiles.ReadTransactions(header, records);
        }

        using var reader = new StreamReader(path);
        return RfmFiles.ReadCdnowTransactions(reader);
    }

    private static (JsonObject Parameters, double LogLikelihood, int Customers, int Iterations, List<string> AtBound) Describe<T>(
        ModelFit<T> fit, Func<T, JsonObject> parameters)
    {
        var named = parameters(fit.Parameters);
        var names = named.Select(p => p.Key).ToList();
        return (named, fit.LogLikelihood, fit.Customers, fit.Iterations, [.. fit.AtBound.Select(i => names[i])]);
    }
}
