using System.Globalization;
using System.Text;

namespace OpenCxo.App.Tests.Cli;

/// <summary>
/// <c>cxo churn evaluate</c> on a table drawn from a known logistic model: the cross-validated AUC comes close to the
/// best possible (the true probabilities' AUC, computed here by counting pairs), and bad tables are refused by line.
/// </summary>
public sealed class ChurnCliTests : IDisposable
{
    /// <summary>Where the prediction tiers end, as shares of the scored customers from the riskiest.</summary>
    private static readonly double[] TierBounds = [0.10, 0.25, 0.50, 1.0];

    private readonly CliSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task Evaluate_prints_cross_validated_auc_accuracy_and_log_loss_near_the_best_possible()
    {
        var (path, truth, churned) = await WriteTableAsync(2500);
        var json = (await _sandbox.RunAsync("churn", "evaluate", "--csv", path, "--id", "customer_id", "--label", "Churned", "--json"))
            .ShouldExit(0).Json();

        var best = PairCountingAuc(truth, churned);
        Assert.InRange(json.GetProperty("auc").GetDouble(), best - 0.05, best + 0.02);
        Assert.InRange(json.GetProperty("accuracy").GetDouble(), 0.6, 1);
        Assert.InRange(json.GetProperty("logLoss").GetDouble(), 0.3, 0.65);
        Assert.Equal(2500, json.GetProperty("customers").GetInt32());
        Assert.Equal(churned.Count(c => c), json.GetProperty("churned").GetInt32());
        Assert.Equal("yes", json.GetProperty("positiveLabel").GetString());
        var folds = json.GetProperty("folds").EnumerateArray().ToList();
        Assert.Equal(5, folds.Count);
        Assert.Equal(2500, folds.Sum(f => f.GetProperty("customers").GetInt32()));

        var features = json.GetProperty("features").EnumerateArray()
            .ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("kind").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["days_since_order"] = "number", ["plan"] = "category", ["csat"] = "number" }, features);
        var ignored = json.GetProperty("ignored").EnumerateArray().Single();
        Assert.Equal("email", ignored.GetProperty("name").GetString());
        Assert.Equal("days_since_order", json.GetProperty("importance")[0].GetProperty("feature").GetString());

        var text = (await _sandbox.RunAsync("churn", "evaluate", "--csv", path, "--id", "customer_id", "--label", "Churned", "--folds", "3")).ShouldExit(0);
        Assert.Contains("3-fold stratified cross validation", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("left out email:", text.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_tables_and_options_are_refused_with_the_line_column_or_option()
    {
        async Task<string> Refused(string csv, int exit, params string[] extra)
        {
            var path = _sandbox.PathOf($"bad{Guid.NewGuid():N}.csv");
            await File.WriteAllTextAsync(path, csv);
            return (await _sandbox.RunAsync(["churn", "evaluate", "--csv", path, "--id", "id", "--label", "churn", .. extra])).ShouldExit(exit).Stderr;
        }

        Assert.Contains("line 3, column id: id a is already on line 2", await Refused("id,churn,x\na,1,2\na,0,3\n", 2), StringComparison.Ordinal);
        Assert.Contains("line 3: malformed CSV", await Refused("id,churn,x\na,1,2\nb,0,\"3\n", 2), StringComparison.Ordinal);
        Assert.Contains("line 3, column x: 1e999 is out of range", await Refused("id,churn,x\na,1,2\nb,0,1e999\n", 2), StringComparison.Ordinal);
        Assert.Contains("no label column churn", await Refused("id,left,x\na,1,2\n", 2), StringComparison.Ordinal);
        Assert.Contains("cannot tell which of stay and go", await Refused("id,churn,x\na,stay,2\nb,go,3\n", 2), StringComparison.Ordinal);
        Assert.Contains("the file is empty", await Refused("", 2), StringComparison.Ordinal);
        Assert.Contains("5 folds need at least 5 customers of each class", await Refused("id,churn,x\na,1,2\nb,0,3\nc,0,1\n", 2), StringComparison.Ordinal);
        Assert.Contains("--folds: between 2 and 20, not 1", await Refused("id,churn,x\na,1,2\n", 2, "--folds", "1"), StringComparison.Ordinal);
        Assert.Contains("no column is left to learn from", await Refused("id,churn,x\na,1,7\nb,0,7\n", 1), StringComparison.Ordinal);

        var missing = (await _sandbox.RunAsync("churn", "evaluate", "--csv", _sandbox.PathOf("none.csv"), "--id", "id", "--label", "churn")).ShouldExit(1);
        Assert.Contains("none.csv: no such file", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_scores_every_customer_of_the_workspace_and_the_profile_shows_risk_reasons_and_value()
    {
        var empty = (await _sandbox.RunAsync("churn", "train", "--json")).ShouldExit(1);
        Assert.Contains("no workspace 'default'", empty.Stderr, StringComparison.Ordinal);
        Assert.Contains("--horizon-days: between 7 and 730, not 3", (await _sandbox.RunAsync("churn", "train", "--horizon-days", "3")).ShouldExit(2).Stderr, StringComparison.Ordinal);

        (await _sandbox.RunAsync("demo", "generate", "--customers", "1500", "--seed", "8")).ShouldExit(0);
        var run = (await _sandbox.RunAsync("churn", "train", "--json")).ShouldExit(0).Json();
        var customers = run.GetProperty("customers").GetInt64();
        Assert.InRange(customers, 500, 1500);
        var churn = run.GetProperty("report").GetProperty("churn");
        Assert.Equal(90, churn.GetProperty("horizonDays").GetInt32());
        var holdOut = churn.GetProperty("holdOut");
        Assert.InRange(holdOut.GetProperty("auc").GetDouble(), 0.5, 1);
        Assert.InRange(holdOut.GetProperty("logLoss").GetDouble(), 0, 0.7);
        var shares = churn.GetProperty("importance").EnumerateArray().Select(i => i.GetProperty("share").GetDouble()).ToList();
        Assert.Equal(1, shares.Sum(), 6);
        var clv = run.GetProperty("report").GetProperty("clv");
        Assert.Equal("EUR", clv.GetProperty("currency").GetString());

        // The riskiest customer's profile carries the score, its reasons in plain words, and the lifetime value models' view.
        var show = (await _sandbox.RunAsync("customer", "show", Riskiest(_sandbox.DatabasePath), "--json")).ShouldExit(0).Json();
        var predictions = show.GetProperty("profile").GetProperty("predictions");
        Assert.InRange(predictions.GetProperty("churnRisk").GetDouble(), 0, 1);
        var reasons = predictions.GetProperty("churnReasons").EnumerateArray().ToList();
        Assert.InRange(reasons.Count, 1, 3);
        Assert.All(reasons, r => Assert.True(r.GetProperty("logOdds").GetDouble() > 0));
        Assert.All(reasons, r => Assert.False(string.IsNullOrWhiteSpace(r.GetProperty("text").GetString())));

        // The run's scores reach the analytics store as tiers: the riskiest tenth, the next 15 %, the next quarter and
        // the lower half of the scored customers — counted here from the stored scores alone.
        var scored = Count(_sandbox.DatabasePath, "SELECT count(*) FROM customer_scores WHERE churn_risk IS NOT NULL");
        var upTo = TierBounds.Select(share => (long)Math.Ceiling(share * scored)).ToArray();
        var expected = new Dictionary<string, long>
        {
            ["top 10 %"] = upTo[0], ["10–25 %"] = upTo[1] - upTo[0], ["25–50 %"] = upTo[2] - upTo[1], ["bottom 50 %"] = upTo[3] - upTo[2],
        };
        using (var store = new DuckDB.NET.Data.DuckDBConnection($"Data Source={Path.ChangeExtension(_sandbox.DatabasePath, ".duckdb")};ACCESS_MODE=READ_ONLY"))
        {
            store.Open();
            using var command = store.CreateCommand();
            command.CommandText = "SELECT value, count(*) FROM customer_predictions WHERE name = 'predicted.churnRisk' GROUP BY value";
            using var tiers = command.ExecuteReader();
            var actual = new Dictionary<string, long>();
            while (tiers.Read())
            {
                actual[tiers.GetString(0)] = tiers.GetInt64(1);
            }

            Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), actual.OrderBy(e => e.Key, StringComparer.Ordinal));
        }

        // Metrics slice by them like any customer attribute.
        var nps = (await _sandbox.RunAsync("metrics", "nps", "--from", "2020-01-01", "--by", "customer.attr.predicted.churnRisk", "--json")).ShouldExit(0).Json();
        var slices = nps.GetProperty("slices").EnumerateArray().Select(x => x.GetProperty("key").ValueKind == System.Text.Json.JsonValueKind.Null ? "(none)" : x.GetProperty("key").GetString()!).ToList();
        Assert.Subset(new HashSet<string>(expected.Keys.Append("(none)")), new HashSet<string>(slices));
        Assert.Contains("top 10 %", slices);

        // The riskiest customer refuses profiling: their scores go at once, and the next run scores everyone but them.
        var riskiest = Riskiest(_sandbox.DatabasePath);
        (await _sandbox.RunAsync("gdpr", "consent", riskiest, "--purpose", "profiling", "--refuse")).ShouldExit(0).ShouldPrint("profiling  refused");
        Assert.Equal(0, Count(_sandbox.DatabasePath, $"SELECT count(*) FROM customer_scores WHERE customer_id = {riskiest}"));
        var again = (await _sandbox.RunAsync("churn", "train", "--json")).ShouldExit(0).Json();
        Assert.Equal(customers - 1, again.GetProperty("customers").GetInt64());
        Assert.Equal(0, Count(_sandbox.DatabasePath, $"SELECT count(*) FROM customer_scores WHERE customer_id = {riskiest}"));
        var unscored = (await _sandbox.RunAsync("customer", "show", riskiest, "--json")).ShouldExit(0).Json();
        Assert.False(unscored.GetProperty("profile").TryGetProperty("predictions", out var none) && none.ValueKind != System.Text.Json.JsonValueKind.Null);
    }

    private static long Count(string db, string sql)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static string Riskiest(string db)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT customer_id FROM customer_scores WHERE churn_risk IS NOT NULL ORDER BY churn_risk DESC LIMIT 1";
        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture)!;
    }

    /// <summary>Customers whose churn odds rise with days since their last order, on the basic plan and with low CSAT (often blank).</summary>
    private async Task<(string Path, double[] Truth, bool[] Churned)> WriteTableAsync(int n)
    {
        var random = new Random(21);
        var truth = new double[n];
        var churned = new bool[n];
        var csv = new StringBuilder("customer_id,email,days_since_order,plan,csat,Churned\r\n");
        for (var i = 0; i < n; i++)
        {
            var days = random.Next(0, 240);
            var plan = random.Next(3) switch { 0 => "basic", 1 => "plus", _ => "pro, yearly" };
            var csat = random.NextDouble() < 0.25 ? (int?)null : random.Next(1, 6);
            var z = -2 + (days / 60.0) + (plan == "basic" ? 0.9 : 0) + (csat is { } c ? -0.4 * (c - 3) : 0.5);
            truth[i] = 1 / (1 + Math.Exp(-z));
            churned[i] = random.NextDouble() < truth[i];
            csv.Append(CultureInfo.InvariantCulture, $"C-{i:00000},u{i}@example.com,{days},\"{plan}\",{(csat is { } v ? v.ToString(CultureInfo.InvariantCulture) : "NA")},{(churned[i] ? "yes" : "no")}\r\n");
        }

        var path = _sandbox.PathOf("customers.csv");
        await File.WriteAllTextAsync(path, csv.ToString());
        return (path, truth, churned);
    }

    /// <summary>P(a churner's probability exceeds a stayer's), ties half, by counting every pair (Hanley &amp; McNeil 1982).</summary>
    private static double PairCountingAuc(double[] p, bool[] churned)
    {
        double wins = 0;
        long pairs = 0;
        for (var i = 0; i < p.Length; i++)
        {
            if (!churned[i])
            {
                continue;
            }

            for (var j = 0; j < p.Length; j++)
            {
                if (!churned[j])
                {
                    wins += p[i] > p[j] ? 1 : p[i] == p[j] ? 0.5 : 0;
                    pairs++;
                }
            }
        }

        return wins / pairs;
    }
}
