using OpenCxo.Core.Text;

namespace OpenCxo.Core.Tests.Text;

/// <summary>Issue 5: personal data is masked, checksums decide, and ordinary numbers are left alone.</summary>
public sealed class PiiRedactorTests
{
    [Theory]
    [InlineData("Escríbanme a ana.lopez+alarmas@example.com por favor", "Escríbanme a [email] por favor")]
    [InlineData("Mi móvil es +34 600 123 456, llamadme", "Mi móvil es [phone], llamadme")]
    [InlineData("Mi móvil es 600123456", "Mi móvil es [phone]")]
    [InlineData("call me at (415) 555-0132 tonight", "call me at [phone] tonight")]
    [InlineData("mi tlf 0034 91 123 45 67", "mi tlf [phone]")]
    [InlineData("Card 4111 1111 1111 1111 was charged", "Card [card] was charged")]
    [InlineData("tarjeta 5500-0000-0000-0004", "tarjeta [card]")]
    [InlineData("IBAN ES91 2100 0418 4502 0005 1332 para el cargo", "IBAN [iban] para el cargo")]
    [InlineData("iban: GB82WEST12345698765432", "iban: [iban]")]
    [InlineData("DNI 12345678Z", "DNI [id]")]
    [InlineData("NIE X1234567L", "NIE [id]")]
    [InlineData("SSN 123-45-6789", "SSN [id]")]
    [InlineData("NI number AB 12 34 56 C", "NI number [id]")]
    public void Personal_data_is_masked_by_kind(string text, string masked)
    {
        var found = PiiRedactor.Find(text);
        Assert.Equal(masked, PiiRedactor.Mask(text, found));
    }

    [Theory]
    [InlineData("El pedido 2026-03-12 a las 10:30 costó 1.234,56 €")]
    [InlineData("Instalación el 12/03/2026, referencia 4471")]
    [InlineData("Card 4111 1111 1111 1112 is not a valid number")]
    [InlineData("DNI 12345678A no cuadra")]
    [InlineData("Tengo 3 sensores y 2 cámaras desde 2019")]
    [InlineData("Nada que ocultar: sin datos")]
    public void Numbers_that_are_not_personal_data_stay(string text) =>
        Assert.Empty(PiiRedactor.Find(text));

    [Fact]
    public void Checksums_follow_their_standards()
    {
        // Luhn (ISO/IEC 7812-1): 79927398713 is the textbook example; card test numbers published by the networks.
        Assert.True(PiiRedactor.IsCard("4012888888881881"));
        Assert.False(PiiRedactor.IsCard("4012888888881882"));

        // ISO 13616 examples (the standard's own GB and the Spanish sample of the European Payments Council).
        Assert.True(PiiRedactor.IsIban("GB82 WEST 1234 5698 7654 32"));
        Assert.True(PiiRedactor.IsIban("ES9121000418450200051332"));
        Assert.False(PiiRedactor.IsIban("ES9221000418450200051332"));

        // DNI letter: 12345678 mod 23 = 14 → Z; NIE X → 0: 01234567 mod 23 = 19 → L.
        Assert.True(PiiRedactor.IsSpanishId("12345678Z"));
        Assert.True(PiiRedactor.IsSpanishId("X-1234567-L"));
        Assert.False(PiiRedactor.IsSpanishId("X1234567M"));
    }

    [Fact]
    public void The_analysis_shows_only_the_masked_text_and_reads_around_the_masks()
    {
        var analysis = TextAnalyzer.Default.Analyze("Llamadme al 612 345 678 o a pepe@example.com, la factura está mal y es urgente");

        Assert.DoesNotContain("612", analysis.Redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("pepe@", analysis.Redacted, StringComparison.Ordinal);
        Assert.Equal(["phone", "email"], analysis.Redactions.Select(r => r.Kind));
        Assert.Contains("billing", analysis.Themes.Select(t => t.Key));
        Assert.Contains("urgency", analysis.Flags.Select(f => f.Key));
        foreach (var span in analysis.Themes.SelectMany(t => t.Matches))
        {
            Assert.InRange(span.Start + span.Length, 0, analysis.Redacted.Length);
        }
    }
}
