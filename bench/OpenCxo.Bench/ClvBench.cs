using System.Diagnostics;
using System.Globalization;
using OpenCxo.Core.Clv;

/// <summary>
/// Issue 7: BG/NBD fit time on the CDNOW summary (warm, median of ten fits) and on customers drawn from known
/// parameters (how long, and how close the fit comes back to them).
/// </summary>
internal static class ClvBench
{
    public static async Task RunAsync(string summary, int customers)
    {
        var (header, records) = await OpenCxo.App.Cli.CsvTable.ReadAsync(summary, CancellationToken.None);
        List<RfmSummary> cdnow = [.. RfmFiles.ReadSummary(header, records).Select(c => c.Summary)];

        var times = new List<double>();
        ModelFit<BgNbdParameters>? fit = null;
        for (var run = 0; run < 11; run++)
        {
            var clock = Stopwatch.StartNew();
            fit = BgNbd.Fit(cdnow);
            if (run > 0)
            {
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"clv: BG/NBD on {cdnow.Count:N0} CDNOW customers: median {times[5]:0.0} ms, worst {times[^1]:0.0} ms (first fit, with JIT, not counted); r {fit!.Parameters.R:0.######} α {fit.Parameters.Alpha:0.######} a {fit.Parameters.A:0.######} b {fit.Parameters.B:0.######}, LL {fit.LogLikelihood:0.###}"));

        foreach (var name in new[] { "gammagamma", "paretonbd" })
        {
            var clock = Stopwatch.StartNew();
            var iterations = name == "gammagamma" ? GammaGamma.Fit(cdnow).Iterations : ParetoNbd.Fit(cdnow).Iterations;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"clv: {name} on CDNOW: {clock.Elapsed.TotalMilliseconds:0} ms ({iterations} iterations)"));
        }

        var truth = new BgNbdParameters(0.25, 4.4, 0.8, 2.4);
        var drawClock = Stopwatch.StartNew();
        var drawn = BgNbd.Simulate(truth, customers, 26, 78, new Random(20261124));
        var drawing = drawClock.Elapsed.TotalSeconds;
        var fitClock = Stopwatch.StartNew();
        var recovered = BgNbd.Fit(drawn);
        var seconds = fitClock.Elapsed.TotalSeconds;
        var errors = new[]
        {
            (recovered.Parameters.R / truth.R) - 1, (recovered.Parameters.Alpha / truth.Alpha) - 1,
            (recovered.Parameters.A / truth.A) - 1, (recovered.Parameters.B / truth.B) - 1,
        };
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"clv: BG/NBD on {customers:N0} customers drawn from r {truth.R} α {truth.Alpha} a {truth.A} b {truth.B} (drawn in {drawing:0.0} s): fit in {seconds:0.00} s, {recovered.Iterations} iterations; r {recovered.Parameters.R:0.####} α {recovered.Parameters.Alpha:0.####} a {recovered.Parameters.A:0.####} b {recovered.Parameters.B:0.####}; largest error {errors.Max(Math.Abs):P2}"));
    }
}
