using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using OpenCxo.Core.Clv;

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
        var json = Cli.Cli.Json();
        var fit = new Command("fit", "Fit BG/NBD, Pareto/NBD or Gamma-Gamma by maximum likelihood and print the parameters and log-likelihood")
        {
            summary, transactions, calibrationEnd, model, json,
        };
        fit.SetAction((result, cancellationToken) => Cli.Cli.RunAsync(() =>
        {
            var (file, purchases, end) = (result.GetValue(summary), result.GetValue(transactions), result.GetValue(calibrationEnd));
            if ((file is null) == (purchases is null))
            {
                return Task.FromResult(Cli.Cli.Usage("give one of --summary FILE or --transactions FILE"));
            }

            if ((purchases is null) != (end is null))
            {
                return Task.FromResult(Cli.Cli.Usage("--calibration-end goes with --transactions, and --transactions needs it"));
            }

            var name = result.GetValue(model)!.ToLowerInvariant();
            if (name is not ("bgnbd" or "paretonbd" or "gammagamma"))
            {
                return Task.FromResult(Cli.Cli.Usage($"--model: bgnbd, paretonbd or gammagamma, not {name}"));
            }

            IReadOnlyList<CustomerSummary> customers;
            var unobserved = 0;
            if (file is not null)
            {
                using var reader = new StreamReader(file);
                customers = RfmFiles.ReadSummary(reader);
            }
            else
            {
                if (!DateOnly.TryParseExact(end, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var last))
                {
                    return Task.FromResult(Cli.Cli.Usage($"--calibration-end: a date yyyy-MM-dd, not {end}"));
                }

                using var reader = new StreamReader(purchases!);
                (customers, unobserved) = RfmFiles.Summarise(RfmFiles.ReadTransactions(reader), last);
            }

            var summaries = customers.Select(c => c.Summary).ToList();
            var clock = Stopwatch.StartNew();
            var (parameters, logLikelihood, fitted, iterations) = name switch
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
            }

            return Task.FromResult(Cli.Cli.Ok);
        }));
        return new Command("clv", "Customer lifetime value models: buy-till-you-die fits (docs/clv.md)") { fit };
    }

    private static (JsonObject Parameters, double LogLikelihood, int Customers, int Iterations) Describe<T>(ModelFit<T> fit, Func<T, JsonObject> parameters) =>
        (parameters(fit.Parameters), fit.LogLikelihood, fit.Customers, fit.Iterations);
}
