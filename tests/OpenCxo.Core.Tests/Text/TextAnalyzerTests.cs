using System.Text;
using OpenCxo.Core.Text;

namespace OpenCxo.Core.Tests.Text;

/// <summary>Issue 5: each language feature of the analyser with cases that could fail either way.</summary>
public sealed class TextAnalyzerTests
{
    private static readonly TextAnalyzer Analyzer = TextAnalyzer.Default;

    private static double Score(string text) => Analyzer.Analyze(text).Sentiment.Score;

    private static SentimentLabel Label(string text) => Analyzer.Analyze(text).Sentiment.Label;

    [Theory]
    [InlineData("El servicio es excelente y el técnico muy amable", "es")]
    [InlineData("La factura de este mes está mal, me han cobrado dos veces", "es")]
    [InlineData("xq no me contestan??", "es")]
    [InlineData("The technician was friendly and the app works", "en")]
    [InlineData("I was charged twice and nobody answers the phone", "en")]
    [InlineData("Le service client ne répond pas et je suis très déçu", "other")]
    [InlineData("O atendimento foi muito ruim, não recomendo", "other")]
    [InlineData("Der Techniker war nicht pünktlich und sehr unfreundlich", "other")]
    [InlineData("", "other")]
    [InlineData("👍👍", "other")]
    public void Tells_spanish_english_and_other_languages_apart(string text, string language) =>
        Assert.Equal(language, Analyzer.Analyze(text).Language);

    [Theory]
    [InlineData("La alarma funciona genial", "La alarma no funciona genial")]
    [InlineData("The service is good", "The service is not good")]
    [InlineData("El técnico fue amable", "El técnico no fue nada amable")]
    [InlineData("Me gusta la app", "No me gusta la app")]
    public void Negation_turns_a_positive_sentence_negative(string positive, string negated)
    {
        Assert.Equal(SentimentLabel.Positive, Label(positive));
        Assert.Equal(SentimentLabel.Negative, Label(negated));
    }

    [Theory]
    [InlineData("not bad")]
    [InlineData("The delivery was not bad at all")]
    [InlineData("No está nada mal")]
    [InlineData("La instalación fue sin problemas")]
    [InlineData("Nunca he tenido una queja")]
    public void Negated_negative_words_read_as_positive(string text) =>
        Assert.Equal(SentimentLabel.Positive, Label(text));

    [Theory]
    [InlineData("bueno", "muy bueno")]
    [InlineData("amable", "súper amable")]
    [InlineData("good", "extremely good")]
    [InlineData("lento", "muy lento")]
    [InlineData("bad", "really bad")]
    [InlineData("la app es lenta", "la app es un poco lenta")]
    public void Intensifiers_strengthen_and_dampeners_weaken(string plain, string modified)
    {
        var (a, b) = (Score(plain), Score(modified));
        Assert.NotEqual(0, a);
        if (modified.Contains("un poco", StringComparison.Ordinal))
        {
            Assert.True(Math.Abs(b) < Math.Abs(a), $"'{modified}' ({b}) should be milder than '{plain}' ({a})");
        }
        else
        {
            Assert.True(Math.Abs(b) > Math.Abs(a), $"'{modified}' ({b}) should be stronger than '{plain}' ({a})");
        }
    }

    [Theory]
    [InlineData("El técnico fue muy amable pero la alarma sigue sin funcionar y es un desastre", SentimentLabel.Negative)]
    [InlineData("Es un poco caro pero el servicio es excelente", SentimentLabel.Positive)]
    [InlineData("The installer was nice but the system is a total disaster", SentimentLabel.Negative)]
    [InlineData("A bit pricey but the support is excellent", SentimentLabel.Positive)]
    [InlineData("Aunque el técnico fue amable, la alarma es una porquería", SentimentLabel.Negative)]
    public void What_follows_a_turn_weighs_more(string text, SentimentLabel expected) =>
        Assert.Equal(expected, Label(text));

    [Theory]
    [InlineData("😡", SentimentLabel.Negative)]
    [InlineData("Otra vez sin señal 😡😡", SentimentLabel.Negative)]
    [InlineData("Gracias!! 👍", SentimentLabel.Positive)]
    [InlineData("❤️", SentimentLabel.Positive)]
    [InlineData("instalado hoy :)", SentimentLabel.Positive)]
    [InlineData("otra vez caído :(", SentimentLabel.Negative)]
    [InlineData("👍🏽", SentimentLabel.Positive)]
    public void Emoji_and_emoticons_carry_sentiment(string text, SentimentLabel expected) =>
        Assert.Equal(expected, Label(text));

    [Theory]
    [InlineData("buenisimoooo", SentimentLabel.Positive)]
    [InlineData("fataaaal", SentimentLabel.Negative)]
    [InlineData("sooooo good", SentimentLabel.Positive)]
    [InlineData("la atencion es pesima", SentimentLabel.Negative)]
    [InlineData("q mal servicio, tb me colgaron", SentimentLabel.Negative)]
    [InlineData("el customer service es top", SentimentLabel.Positive)]
    public void Informal_writing_is_understood(string text, SentimentLabel expected) =>
        Assert.Equal(expected, Label(text));

    [Theory]
    [InlineData("El app crashea cada vez que abro la cámara, un desastre. Fix it please", "es", SentimentLabel.Negative)]
    [InlineData("La instalación fue super smooth y el técnico, amazing", "es", SentimentLabel.Positive)]
    [InlineData("The technician was muy amable, great service", "en", SentimentLabel.Positive)]
    public void Mixed_language_text_is_read_in_its_main_language_with_the_other_languages_words(string text, string language, SentimentLabel label)
    {
        var analysis = Analyzer.Analyze(text);
        Assert.Equal((language, label), (analysis.Language, analysis.Sentiment.Label));
    }

    [Fact]
    public void Capitals_and_exclamation_marks_are_emphasis()
    {
        Assert.True(Score("The support was GOOD today") > Score("The support was good today"));
        Assert.True(Score("Muy mal servicio!!!") < Score("Muy mal servicio"));
        Assert.True(Score("Great!!!") > Score("Great"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("¿A qué hora abre la tienda?")]
    [InlineData("He cambiado mi dirección de facturación")]
    [InlineData("The installation is on Tuesday")]
    public void Plain_statements_and_empty_text_are_neutral(string text) =>
        Assert.Equal(SentimentLabel.Neutral, Label(text));

    [Fact]
    public void A_100_kb_text_is_read_up_to_the_limit_without_failing()
    {
        var sentence = "El servicio es pésimo y nadie contesta. ";
        var text = string.Concat(Enumerable.Repeat(sentence, 110_000 / sentence.Length));
        var analysis = Analyzer.Analyze(text);
        Assert.True(analysis.Truncated);
        Assert.Equal(TextTokens.MaxLength, analysis.Redacted.Length);
        Assert.Equal(SentimentLabel.Negative, analysis.Sentiment.Label);
        Assert.True(analysis.Sentiment.Score >= -1);
    }

    [Fact]
    public void Invalid_utf8_arrives_as_replacement_characters_and_is_read_around()
    {
        byte[] bytes = [.. Encoding.UTF8.GetBytes("Excelente atención "), 0xC3, 0x28, 0xFF, .. Encoding.UTF8.GetBytes(" gracias")];
        var text = Encoding.UTF8.GetString(bytes);
        Assert.Contains('\uFFFD', text);

        var analysis = Analyzer.Analyze(text);

        Assert.Equal(SentimentLabel.Positive, analysis.Sentiment.Label);
        Assert.Equal(text, analysis.Redacted);
    }

    [Fact]
    public void A_lone_surrogate_or_control_characters_do_not_break_the_analysis()
    {
        var analysis = Analyzer.Analyze("mal servicio \ud83d y \u0000\u0007 fatal \udc00");
        Assert.Equal(SentimentLabel.Negative, analysis.Sentiment.Label);

        // Cutting at the limit never splits an emoji's surrogate pair.
        var text = new string('a', TextTokens.MaxLength - 1) + "😡";
        Assert.False(char.IsHighSurrogate(Analyzer.Analyze(text).Redacted[^1]));
    }

    [Fact]
    public void Each_theme_has_the_sentiment_of_the_sentences_that_speak_of_it()
    {
        var analysis = Analyzer.Analyze("El instalador fue muy amable y puntual. La app se cuelga cada dos por tres, es un desastre.");
        var themes = analysis.Themes.ToDictionary(t => t.Key);

        Assert.Equal(SentimentLabel.Positive, themes["installation"].Sentiment.Label);
        Assert.Equal(SentimentLabel.Negative, themes["app_website"].Sentiment.Label);
        Assert.Contains(themes["app_website"].Matches, m => analysis.Redacted.Substring(m.Start, m.Length) == "app");
    }

    [Theory]
    [InlineData("Me han cobrado dos veces la factura de marzo", "billing")]
    [InlineData("I was charged twice on my last invoice", "billing")]
    [InlineData("Llevo 40 minutos en espera al teléfono", "waiting_time")]
    [InlineData("The price went up again, way too expensive", "price")]
    [InlineData("El paquete llegó tarde y el mensajero ni llamó", "delivery")]
    public void Themes_are_found_in_both_languages(string text, string theme) =>
        Assert.Contains(theme, Analyzer.Analyze(text).Themes.Select(t => t.Key));

    [Theory]
    [InlineData("Si no me lo arreglan esta semana me doy de baja", "churn_intent")]
    [InlineData("I'm going to cancel my subscription", "churn_intent")]
    [InlineData("Voy a poner una denuncia en consumo", "legal_threat")]
    [InlineData("My lawyer will hear about this", "legal_threat")]
    [InlineData("Es urgente, me han robado esta noche y la alarma no sonó", "urgency")]
    [InlineData("Mi madre tiene 90 años y vive sola, necesita la alarma", "vulnerability")]
    public void Flags_are_raised_by_their_words(string text, string flag) =>
        Assert.Contains(flag, Analyzer.Analyze(text).Flags.Select(f => f.Key));

    [Theory]
    [InlineData("No me voy a dar de baja, solo quiero que lo arreglen")]
    [InlineData("I won't cancel my subscription, just fix it")]
    [InlineData("¿Cuánto cuesta la cuota mensual?")]
    public void A_negated_or_absent_intent_raises_no_churn_flag(string text) =>
        Assert.DoesNotContain("churn_intent", Analyzer.Analyze(text).Flags.Select(f => f.Key));
}
