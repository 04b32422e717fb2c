namespace OpenCxo.App.Tests.Cli;

/// <summary>
/// <c>cxo clv fit</c> on the CDNOW files: the published parameters (../shared/data/README.md) in JSON, from the summary
/// and from the raw transactions, and bad input refused with the line and field.
/// </summary>
public sealed class ClvCliTests : IDisposable
{
    private readonly CliSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task Fit_of_the_cdnow_summary_prints_the_published_bg_nbd_parameters()
    {
        var json = (await _sandbox.RunAsync("clv", "fit", "--summary", RepoFiles.SharedData("cdnow/cdnow_customers_summary.csv"), "--json"))
            .ShouldExit(0).Json();
        Assert.Equal("bgnbd", json.GetProperty("model").GetString());
        Assert.Equal(2357, json.GetProperty("customers").GetInt32());
        var parameters = json.GetProperty("parameters");

        // BTYD: r = 0.2425982, α = 4.413684, a = 0.7929899, b = 2.426167; log-likelihood −9582.429.
        Assert.Equal(0.2425982, parameters.GetProperty("r").GetDouble(), 0.2425982 * 0.005);
        Assert.Equal(4.413684, parameters.GetProperty("alpha").GetDouble(), 4.413684 * 0.005);
        Assert.Equal(0.7929899, parameters.GetProperty("a").GetDouble(), 0.7929899 * 0.005);
        Assert.Equal(2.426167, parameters.GetProperty("b").GetDouble(), 2.426167 * 0.005);
        Assert.Equal(-9582.43, json.GetProperty("logLikelihood").GetDouble(), 0.01);
    }

    [Fact]
    public async Task Fit_from_transactions_builds_the_summary_first_and_fits_spend()
    {
        var json = (await _sandbox.RunAsync(
                "clv", "fit", "--transactions", RepoFiles.SharedData("cdnow/CDNOW_sample.txt"), "--calibration-end", "1997-09-30",
                "--model", "gammagamma", "--json"))
            .ShouldExit(0).Json();

        // Fader & Hardie (2013): p = 6.25, q = 3.74, γ = 15.44 on the 946 repeat buyers.
        Assert.Equal(946, json.GetProperty("customers").GetInt32());
        var parameters = json.GetProperty("parameters");
        Assert.Equal(6.25, parameters.GetProperty("p").GetDouble(), 6.25 * 0.01);
        Assert.Equal(3.74, parameters.GetProperty("q").GetDouble(), 3.74 * 0.01);
        Assert.Equal(15.44, parameters.GetProperty("gamma").GetDouble(), 15.44 * 0.01);
        Assert.False(json.TryGetProperty("leftOut", out _));
    }

    [Fact]
    public async Task Bad_files_and_options_are_refused_with_the_line_field_or_option()
    {
        var bad = _sandbox.PathOf("bad.csv");
        await File.WriteAllTextAsync(bad, "frequency,recency,T\n2,1.5,10\n1,x,3\n");
        var notNumber = (await _sandbox.RunAsync("clv", "fit", "--summary", bad)).ShouldExit(2);
        Assert.Contains("line 3: recency is not a number (x)", notNumber.Stderr, StringComparison.Ordinal);

        var zeros = _sandbox.PathOf("zeros.csv");
        await File.WriteAllTextAsync(zeros, "frequency,recency,T\n0,0,10\n0,0,12\n");
        var degenerate = (await _sandbox.RunAsync("clv", "fit", "--summary", zeros)).ShouldExit(2);
        Assert.Contains("no customer made a repeat purchase", degenerate.Stderr, StringComparison.Ordinal);

        var both = (await _sandbox.RunAsync("clv", "fit", "--summary", zeros, "--transactions", zeros)).ShouldExit(2);
        Assert.Contains("give --summary FILE or --transactions FILE, not both", both.Stderr, StringComparison.Ordinal);
        var noEnd = (await _sandbox.RunAsync("clv", "fit", "--transactions", zeros)).ShouldExit(2);
        Assert.Contains("--transactions needs --calibration-end", noEnd.Stderr, StringComparison.Ordinal);
        var model = (await _sandbox.RunAsync("clv", "fit", "--summary", zeros, "--model", "magic")).ShouldExit(2);
        Assert.Contains("--model: bgnbd, paretonbd or gammagamma, not magic", model.Stderr, StringComparison.Ordinal);
        var date = (await _sandbox.RunAsync("clv", "fit", "--transactions", bad, "--calibration-end", "30/09/1997")).ShouldExit(2);
        Assert.Contains("--calibration-end: a date yyyy-MM-dd", date.Stderr, StringComparison.Ordinal);
        var missing = (await _sandbox.RunAsync("clv", "fit", "--summary", _sandbox.PathOf("none.csv"))).ShouldExit(1);
        Assert.Contains("none.csv", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_file_it_fits_the_workspace_orders_or_says_there_is_no_workspace()
    {
        var empty = new CliSandbox();
        try
        {
            var none = (await empty.RunAsync("clv", "fit")).ShouldExit(1);
            Assert.Contains("no workspace 'default'", none.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            empty.Dispose();
        }

        (await _sandbox.RunAsync("demo", "generate", "--customers", "400", "--seed", "5")).ShouldExit(0);
        var json = (await _sandbox.RunAsync("clv", "fit", "--json")).ShouldExit(0).Json();
        var customers = json.GetProperty("customers").GetInt32();
        Assert.InRange(customers, 50, 400);
        // The demo's buyers barely differ in rate and rarely stop, so some parameters end at the search's bound; the
        // fit names them instead of failing or printing NaN.
        var bounded = json.TryGetProperty("atBound", out var names) ? names.EnumerateArray().Select(n => n.GetString()!).ToList() : [];
        foreach (var parameter in json.GetProperty("parameters").EnumerateObject())
        {
            var value = parameter.Value.GetDouble();
            Assert.True(value is >= 1e-6 and <= 1e6, $"{parameter.Name} = {value}");
            Assert.Equal(bounded.Contains(parameter.Name), Math.Abs(Math.Log(value)) > Math.Log(1e6) - 1e-3);
        }

        Assert.True(json.GetProperty("logLikelihood").GetDouble() < 0);
    }

    [Fact]
    public async Task Predict_writes_each_customers_chance_alive_purchases_spend_and_value()
    {
        var output = _sandbox.PathOf("predictions.csv");
        (await _sandbox.RunAsync(
                "clv", "predict", "--summary", RepoFiles.SharedData("cdnow/cdnow_customers_summary_with_transactions.csv"), "--horizon", "39", "--discount", "0",
                "--out", output))
            .ShouldExit(0);
        var lines = await File.ReadAllLinesAsync(output);
        Assert.Equal("id,frequency,recency,T,p_alive,expected_purchases,expected_spend,clv", lines[0]);
        Assert.Equal(2358, lines.Length);

        // Customer 1 (x = 2, t_x = 30.43, T = 38.86): 1.226 purchases in the next 39 weeks (Fader, Hardie & Lee 2005) at
        // 24.65 each (Fader & Hardie 2013); undiscounted, the value over 39 weeks is their product.
        var first = lines[1].Split(',').Select(f => double.Parse(f, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(1.226, first[5], 3);
        Assert.Equal(24.65, first[6], 0.02);
        Assert.Equal(first[5] * first[6], first[7], 0.001);
        Assert.InRange(first[4], 0, 1);

        // Discounting lowers every value; a customer without repeat purchases is alive with certainty under BG/NBD.
        var discounted = (await _sandbox.RunAsync(
                "clv", "predict", "--summary", RepoFiles.SharedData("cdnow/cdnow_customers_summary_with_transactions.csv"), "--horizon", "39", "--discount", "0.5"))
            .ShouldExit(0).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(double.Parse(discounted[1].Split(',')[7], System.Globalization.CultureInfo.InvariantCulture) < first[7]);
        Assert.Equal("1", discounted[3].Split(',')[4]);

        var bad = (await _sandbox.RunAsync("clv", "predict", "--summary", output, "--horizon", "-3")).ShouldExit(2);
        Assert.Contains("--horizon: a number of weeks > 0", bad.Stderr, StringComparison.Ordinal);
    }
}
