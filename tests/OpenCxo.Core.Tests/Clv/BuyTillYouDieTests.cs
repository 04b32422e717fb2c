using OpenCxo.Core.Clv;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Tests.Text;

namespace OpenCxo.Core.Tests.Clv;

/// <summary>
/// The BG/NBD and Gamma-Gamma models on the CDNOW cohort (2,357 customers, 39-week calibration) against the published
/// figures in ../shared/data/README.md: Fader, Hardie &amp; Lee (2005) and the BTYD R package for BG/NBD, Fader &amp;
/// Hardie (2013) for Gamma-Gamma; and against simulation from known parameters.
/// </summary>
public sealed class BuyTillYouDieTests
{
    private static readonly BgNbdParameters Published = new(0.2425982, 4.413684, 0.7929899, 2.426167);


    private static IReadOnlyList<CustomerSummary> Cdnow()
    {
        var (header, records) = Csv(File.ReadAllText(SentimentAccuracyTests.SharedData("cdnow/cdnow_customers_summary_with_transactions.csv")).ReplaceLineEndings("\n"));
        return RfmFiles.ReadSummary(header, records);
    }

    [Fact]
    public void Bg_nbd_fit_on_cdnow_matches_the_published_parameters_and_log_likelihood()
    {
        var customers = Cdnow().Select(c => c.Summary).ToList();
        Assert.Equal(2357, customers.Count);
        var fit = BgNbd.Fit(customers);
        Assert.Equal(Published.R, fit.Parameters.R, Published.R * 0.005);
        Assert.Equal(Published.Alpha, fit.Parameters.Alpha, Published.Alpha * 0.005);
        Assert.Equal(Published.A, fit.Parameters.A, Published.A * 0.005);
        Assert.Equal(Published.B, fit.Parameters.B, Published.B * 0.005);
        Assert.Equal(-9582.43, fit.LogLikelihood, 0.01);

        // The published parameters' own log-likelihood (BTYD: −9582.429), independent of the optimiser.
        Assert.Equal(-9582.429, BgNbd.LogLikelihood(Published, customers), 0.01);
    }

    [Fact]
    public void Bg_nbd_likelihood_shares_terms_exactly_and_its_gradient_is_the_derivative()
    {
        var customers = Cdnow().Select(c => c.Summary).Take(500).ToList();
        var at = new BgNbdParameters(0.4, 6, 0.9, 3);
        var (value, gradient) = BgNbd.LogLikelihoodAndGradient(at, customers);
        Assert.Equal(customers.Sum(c => BgNbd.Customer(at, c)), value, 8);

        // Central differences of the written-out per-customer formula.
        double Sum(BgNbdParameters p) => customers.Sum(c => BgNbd.Customer(p, c));
        const double H = 1e-6;
        double[] numeric =
        [
            (Sum(at with { R = at.R + H }) - Sum(at with { R = at.R - H })) / (2 * H),
            (Sum(at with { Alpha = at.Alpha + H }) - Sum(at with { Alpha = at.Alpha - H })) / (2 * H),
            (Sum(at with { A = at.A + H }) - Sum(at with { A = at.A - H })) / (2 * H),
            (Sum(at with { B = at.B + H }) - Sum(at with { B = at.B - H })) / (2 * H),
        ];
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(numeric[i], gradient[i], Math.Max(1e-4, Math.Abs(numeric[i]) * 1e-5));
        }
    }

    [Fact]
    public void Bg_nbd_expectations_match_the_published_figures()
    {
        // Fader, Hardie & Lee (2005): E[X(t)] for t = 1, 3, 32, 78 weeks; the customer with x = 2, t_x = 30.43, T = 38.86
        // expects 1.226 purchases in the next 39 weeks.
        Assert.Equal(0.0532, BgNbd.ExpectedPurchases(Published, 1), 4);
        Assert.Equal(0.1506, BgNbd.ExpectedPurchases(Published, 3), 4);
        Assert.Equal(1.0437, BgNbd.ExpectedPurchases(Published, 32), 4);
        // At 78 weeks we give 1.85794, and the mean of equation 8's distribution (no ₂F₁ involved, next test) agrees
        // to 1e-5; the printed 1.8576 agrees to three decimals.
        Assert.Equal(1.858, BgNbd.ExpectedPurchases(Published, 78), 3);
        Assert.Equal(1.226, BgNbd.ExpectedPurchases(Published, new RfmSummary(2, 30.43, 38.86), 39), 3);
    }

    [Fact]
    public void Bg_nbd_purchase_probabilities_are_a_distribution_whose_mean_is_the_expectation()
    {
        // Independent of equation 9: Σ P(X(t) = x) = 1 and Σ x P(X(t) = x) = E[X(t)] over x = 0 … 400.
        foreach (var t in new[] { 1.0, 39, 78 })
        {
            var probabilities = Enumerable.Range(0, 400).Select(x => BgNbd.ProbabilityOfPurchases(Published, t, x)).ToList();
            Assert.Equal(1, probabilities.Sum(), 6);
            Assert.Equal(BgNbd.ExpectedPurchases(Published, t), probabilities.Select((p, x) => p * x).Sum(), 5);
        }

        // No purchase by t means no chance to drop out: P(X(t) = 0) = (α / (α + t))^r.
        Assert.Equal(Math.Pow(Published.Alpha / (Published.Alpha + 39), Published.R), BgNbd.ProbabilityOfPurchases(Published, 39, 0), 12);

        // ../shared/data/README.md: P(X(39) = 0) = 0.5737864, from Fader, Hardie & Lee's rounded parameters.
        Assert.Equal(0.5737864, BgNbd.ProbabilityOfPurchases(new BgNbdParameters(0.243, 4.414, 0.793, 2.426), 39, 0), 7);
    }

    [Fact]
    public void Discounting_matches_the_geometric_sum_and_a_customers_prediction_is_its_parts()
    {
        // Purchases at a steady λ a week: each whole month adds λ·w purchases (w weeks a month), so a year of them is
        // worth spend·λ·w·Σ vᵐ over m = 1…12 with v = 1.1^(−1/12): spend·λ·w·v(1 − v¹²)/(1 − v).
        const double Lambda = 0.5, Spend = 10;
        var w = LifetimeValue.WeeksPerMonth;
        var v = Math.Pow(1.1, -1 / 12.0);
        var expected = Spend * Lambda * w * v * (1 - Math.Pow(v, 12)) / (1 - v);
        Assert.Equal(expected, LifetimeValue.Discounted(t => Lambda * t, Spend, 12 * w, 0.1), 9);
        Assert.Equal(Spend * Lambda * 52, LifetimeValue.Discounted(t => Lambda * t, Spend, 52, 0), 9);

        // One customer's prediction computes P(alive) once; it must equal the model's own pieces.
        var spend = new GammaGammaParameters(6.25, 3.74, 15.44);
        var customer = new RfmSummary(2, 30.43, 38.86, 22.35);
        var predicted = LifetimeValue.Predict(Published, spend, customer, 39, 0.1);
        Assert.Equal(BgNbd.ProbabilityAlive(Published, customer), predicted.ProbabilityAlive, 12);
        Assert.Equal(BgNbd.ExpectedPurchases(Published, customer, 39), predicted.ExpectedPurchases, 12);
        Assert.Equal(GammaGamma.ExpectedSpend(spend, customer), predicted.ExpectedSpend!.Value, 12);
        Assert.Equal(LifetimeValue.Discounted(t => BgNbd.ExpectedPurchases(Published, customer, t), predicted.ExpectedSpend.Value, 39, 0.1), predicted.Value!.Value, 9);
        var noSpend = LifetimeValue.Predict(Published, null, customer, 39, 0.1);
        Assert.Null(noSpend.Value);
        Assert.Equal(predicted.ExpectedPurchases, noSpend.ExpectedPurchases, 12);
    }

    [Fact]
    public void Predictions_where_the_models_are_undefined_are_refused_or_still_summed()
    {
        // a + b < 1 puts ₂F₁'s c below zero for a customer without repeat purchases: the series still converges, and the
        // expectation agrees with the mean of equation 8's distribution (no ₂F₁ there).
        var odd = new BgNbdParameters(0.5, 5, 0.3, 0.4);
        var fresh = new RfmSummary(0, 0, 10);
        var mean = Enumerable.Range(0, 2000).Sum(x => x * BgNbd.ProbabilityOfPurchases(odd, 10, x));
        Assert.Equal(mean, BgNbd.ExpectedPurchases(odd, 10), 6);
        Assert.True(double.IsFinite(BgNbd.ExpectedPurchases(odd, fresh, 39)));

        Assert.Contains("a = 1", Assert.Throws<ArgumentException>(() => BgNbd.ExpectedPurchases(Published with { A = 1 }, fresh, 39)).Message, StringComparison.Ordinal);
        var infinite = Assert.Throws<ArgumentException>(() => GammaGamma.ExpectedSpend(new GammaGammaParameters(6, 0.8, 15), new RfmSummary(0, 0, 10)));
        Assert.Contains("mean spend is infinite", infinite.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Probability_alive_is_one_without_repeat_purchases_and_falls_with_time_since_the_last()
    {
        Assert.Equal(1, BgNbd.ProbabilityAlive(Published, new RfmSummary(0, 0, 38.86)));
        var recent = BgNbd.ProbabilityAlive(Published, new RfmSummary(3, 38, 38.86));
        var old = BgNbd.ProbabilityAlive(Published, new RfmSummary(3, 5, 38.86));
        Assert.InRange(old, 0, recent);

        // By hand from the technical note: 1 / (1 + a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)).
        var hand = 1 / (1 + (Published.A / (Published.B + 2) * Math.Pow((Published.Alpha + 38.86) / (Published.Alpha + 5), Published.R + 3)));
        Assert.Equal(hand, old, 12);
    }

    [Fact]
    public void Gamma_gamma_fit_on_cdnow_repeat_buyers_matches_the_published_parameters_and_spend()
    {
        var customers = Cdnow().Select(c => c.Summary).ToList();
        var fit = GammaGamma.Fit(customers);
        Assert.Equal(946, fit.Customers);
        Assert.Equal(6.25, fit.Parameters.P, 6.25 * 0.01);
        Assert.Equal(3.74, fit.Parameters.Q, 3.74 * 0.01);
        Assert.Equal(15.44, fit.Parameters.Gamma, 15.44 * 0.01);

        // Fader & Hardie (2013): the expected average spend of the first ten customers of the file.
        double[] published = [24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17];
        for (var i = 0; i < published.Length; i++)
        {
            Assert.Equal(published[i], GammaGamma.ExpectedSpend(fit.Parameters, customers[i]), 0.01 + (published[i] * 0.002));
        }
    }

    [Fact]
    public void The_summary_built_from_cdnow_transactions_is_the_published_summary()
    {
        IReadOnlyList<Purchase> purchases;
        using (var reader = new StreamReader(SentimentAccuracyTests.SharedData("cdnow/CDNOW_sample.txt")))
        {
            purchases = RfmFiles.ReadCdnowTransactions(reader);
        }

        Assert.Equal(6919, purchases.Count);
        var (built, unobserved) = RfmFiles.Summarise(purchases, new DateOnly(1997, 9, 30));
        Assert.Equal(0, unobserved);
        var published = Cdnow();
        Assert.Equal(published.Count, built.Count);

        var byId = built.ToDictionary(c => c.Id, c => c.Summary, StringComparer.Ordinal);
        foreach (var customer in published)
        {
            var (expected, actual) = (customer.Summary, byId[customer.Id]);
            Assert.Equal(expected.Frequency, actual.Frequency);
            Assert.Equal(expected.Recency, actual.Recency, 0.006);
            Assert.Equal(expected.Age, actual.Age, 0.006);
            Assert.Equal(expected.MeanValue, actual.MeanValue, 0.006);
        }
    }

    [Fact]
    public void Pareto_nbd_fit_on_cdnow_matches_the_published_parameters()
    {
        // Fader, Hardie & Lee (2005), section 4: the Pareto/NBD on the same cohort gives r = 0.55, α = 10.58,
        // s = 0.61, β = 11.67 and log-likelihood −9595.0.
        var customers = Cdnow().Select(c => c.Summary).ToList();
        var fit = ParetoNbd.Fit(customers);
        Assert.Equal(0.55, fit.Parameters.R, 0.55 * 0.01);
        Assert.Equal(10.58, fit.Parameters.Alpha, 10.58 * 0.01);
        Assert.Equal(0.61, fit.Parameters.S, 0.61 * 0.01);
        Assert.Equal(11.67, fit.Parameters.Beta, 11.67 * 0.01);
        Assert.Equal(-9595.0, fit.LogLikelihood, 0.1);

        // The customer who bought recently is more likely alive, and expects more, than one silent for 30 weeks.
        var recent = new RfmSummary(2, 30.43, 38.86);
        var silent = new RfmSummary(2, 8, 38.86);
        Assert.InRange(ParetoNbd.ProbabilityAlive(fit.Parameters, silent), 0, ParetoNbd.ProbabilityAlive(fit.Parameters, recent));
        Assert.InRange(ParetoNbd.ExpectedPurchases(fit.Parameters, silent, 39), 0, ParetoNbd.ExpectedPurchases(fit.Parameters, recent, 39));
    }

    [Fact]
    public void Fits_recover_the_parameters_they_were_drawn_from()
    {
        // 20,000 customers drawn from the BG/NBD process with known parameters, observed for 52 weeks from a first
        // purchase spread over 12 weeks; the fit must come back within a few standard errors (here 10 %).
        var truth = new BgNbdParameters(0.8, 6, 0.6, 2.5);
        var customers = BgNbd.Simulate(truth, 20_000, 40, 52, new Random(7));
        var fit = BgNbd.Fit(customers);
        Assert.Equal(truth.R, fit.Parameters.R, truth.R * 0.1);
        Assert.Equal(truth.Alpha, fit.Parameters.Alpha, truth.Alpha * 0.1);
        Assert.Equal(truth.A, fit.Parameters.A, truth.A * 0.15);
        Assert.Equal(truth.B, fit.Parameters.B, truth.B * 0.15);
    }

    [Fact]
    public void Degenerate_input_is_refused_with_a_clear_reason()
    {
        var none = Assert.Throws<ArgumentException>(() => BgNbd.Fit([]));
        Assert.Contains("no customers", none.Message, StringComparison.Ordinal);
        var zero = Assert.Throws<ArgumentException>(() => BgNbd.Fit([new RfmSummary(0, 0, 10), new RfmSummary(0, 0, 20)]));
        Assert.Contains("no customer made a repeat purchase", zero.Message, StringComparison.Ordinal);
        var age = Assert.Throws<ArgumentException>(() => BgNbd.Fit([new RfmSummary(1, 2, 10), new RfmSummary(0, 0, 0)]));
        Assert.Contains("customer 2: T must be", age.Message, StringComparison.Ordinal);
        var nan = Assert.Throws<ArgumentException>(() => BgNbd.Fit([new RfmSummary(double.NaN, 2, 10)]));
        Assert.Contains("customer 1: frequency", nan.Message, StringComparison.Ordinal);
        var spend = Assert.Throws<ArgumentException>(() => GammaGamma.Fit([new RfmSummary(1, 2, 10, -5), new RfmSummary(2, 3, 10, 4)]));
        Assert.Contains("customer 1: the mean value", spend.Message, StringComparison.Ordinal);
        var one = Assert.Throws<ArgumentException>(() => GammaGamma.Fit([new RfmSummary(1, 2, 10, 5)]));
        Assert.Contains("at least two customers", one.Message, StringComparison.Ordinal);

        // One customer cannot show how customers differ, which is what the mixing distributions describe.
        Assert.Contains("at least two customers", Assert.Throws<ArgumentException>(() => BgNbd.Fit([new RfmSummary(3, 8, 10)])).Message, StringComparison.Ordinal);
        Assert.Contains("at least two customers", Assert.Throws<ArgumentException>(() => ParetoNbd.Fit([new RfmSummary(3, 8, 10)])).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("frequency,recency\n1,2\n", "line 1: no column t")]
    [InlineData("frequency,recency,T\n1,2\n", "line 2: 2 fields")]
    [InlineData("frequency,recency,T\n1,x,3\n", "line 2: recency is not a number")]
    [InlineData("frequency,recency,T\n1,5,3\n", "line 2: recency must be a number from 0 to T")]
    [InlineData("frequency,recency,T\n1.5,1,3\n", "line 2: frequency must be a whole number")]
    [InlineData("frequency,recency,T\n", "no customers")]
    [InlineData("", "line 1: the file is empty")]
    public void Bad_summary_files_name_the_line_and_field(string text, string expected)
    {
        var (header, records) = Csv(text);
        var e = Assert.Throws<FormatException>(() => RfmFiles.ReadSummary(header, records));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("customer,date,value\na,2026-13-01,5\n", "line 2: date is not a date")]
    [InlineData("customer,date,value\na,2026-01-01,-5\n", "line 2: value must be a number ≥ 0")]
    [InlineData("customer,when,value\n", "line 1: the header needs customer, date and value")]
    [InlineData("00004 0001 19970101 2\n", "line 1: 4 fields")]
    public void Bad_transaction_files_name_the_line_and_field(string text, string expected)
    {
        var e = Assert.Throws<FormatException>(() =>
        {
            if (text.Contains(',', StringComparison.Ordinal))
            {
                var (header, records) = Csv(text);
                RfmFiles.ReadTransactions(header, records);
            }
            else
            {
                RfmFiles.ReadCdnowTransactions(new StringReader(text));
            }
        });
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A CSV file as the app's reader hands it over (header, then numbered non-blank records); the test files here have
    /// no quotes, so splitting on commas is the whole of it.
    /// </summary>
    internal static (IReadOnlyList<string> Header, List<TextRecord> Records) Csv(string text)
    {
        var lines = text.Split('\n');
        var header = lines[0].Length == 0 ? [] : lines[0].Split(',');
        var records = lines.Skip(1).Select((l, i) => new TextRecord(i + 2, l.Split(','))).Where(r => r.Fields is not [""]).ToList();
        return (header, records);
    }
}
