using System.Text;
using System.Text.Json;

namespace OpenCxo.App.Tests.Cli;

/// <summary>Issue 5: <c>cxo text analyze</c> on one text and on a file, one JSON object per line, whatever the bytes.</summary>
public sealed class TextCliTests : IDisposable
{
    private readonly CliSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task One_text_prints_its_analysis_as_json()
    {
        var analysis = (await _sandbox.RunAsync("text", "analyze", "El técnico fue muy amable pero la app no funciona. Escribidme a pepe@example.com", "--json")).ShouldExit(0).Json();

        Assert.Equal("es", analysis.GetProperty("language").GetString());
        Assert.Equal(["language", "sentiment", "themes", "flags", "redacted", "redactions", "truncated"], analysis.EnumerateObject().Select(p => p.Name));
        Assert.Equal("negative", analysis.GetProperty("sentiment").GetProperty("label").GetString());
        Assert.EndsWith("Escribidme a [email]", analysis.GetProperty("redacted").GetString(), StringComparison.Ordinal);
        Assert.Contains("app_website", analysis.GetProperty("themes").EnumerateArray().Select(t => t.GetProperty("key").GetString()));
    }

    [Fact]
    public async Task A_file_gives_one_json_object_per_line_in_order_with_invalid_bytes_replaced()
    {
        var path = _sandbox.PathOf("comments.txt");
        byte[] bytes =
        [
            .. Encoding.UTF8.GetBytes("Excelente, todo perfecto 👍\n"),
            .. Encoding.UTF8.GetBytes("Fatal: "), 0xC3, 0x28, 0xFF, .. Encoding.UTF8.GetBytes(" no funciona nada\n"),
            .. Encoding.UTF8.GetBytes("\n"),
            .. Encoding.UTF8.GetBytes("I'm going to cancel my subscription, call me on +44 20 7946 0958\n"),
        ];
        await File.WriteAllBytesAsync(path, bytes);

        var result = (await _sandbox.RunAsync("text", "analyze", "--file", path)).ShouldExit(0);

        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(4, lines.Count);
        Assert.Equal(["positive", "negative", "neutral", "negative"], lines.Select(l => l.GetProperty("sentiment").GetProperty("label").GetString()));
        Assert.Contains('\uFFFD', lines[1].GetProperty("redacted").GetString()!);
        Assert.Equal("", lines[2].GetProperty("redacted").GetString());
        Assert.Contains("churn_intent", lines[3].GetProperty("flags").EnumerateArray().Select(f => f.GetProperty("key").GetString()));
        Assert.DoesNotContain("7946", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Themes_read_imported_texts_and_reanalyze_goes_over_them_again()
    {
        var lines = Enumerable.Range(0, 40).Select(i =>
            $$"""{"id":"e{{i}}","customer":{"email":"c{{i}}@example.com"},"occurredAt":"2026-03-{{1 + i % 28:00}}T10:00:00Z","department":"service","channel":"chat","type":"ticket.opened","text":"{{(i % 4 == 0 ? "Me han cobrado dos veces la factura" : "La app se cuelga al abrir las cámaras")}}"}""");
        _sandbox.WriteFile("events.jsonl", [.. lines]);
        (await _sandbox.RunAsync("import", "events", "events.jsonl")).ShouldExit(0);

        var report = (await _sandbox.RunAsync("text", "themes", "--from", "2026-03-01", "--to", "2026-03-31", "--json")).ShouldExit(0).Json();

        Assert.Equal(40, report.GetProperty("texts").GetInt64());
        var themes = report.GetProperty("themes").EnumerateArray().ToDictionary(t => t.GetProperty("key").GetString()!, t => t.GetProperty("texts").GetInt64());
        Assert.Equal(10, themes["billing"]);
        Assert.Equal(30, themes["app_website"]);

        var again = (await _sandbox.RunAsync("text", "reanalyze", "--json")).ShouldExit(0).Json();
        Assert.Equal((40, 40), (again.GetProperty("texts").GetInt64(), again.GetProperty("touchpoints").GetInt64()));
        (await _sandbox.RunAsync("text", "reanalyze", "--workspace", "nowhere")).ShouldExit(1);
        (await _sandbox.RunAsync("text", "themes", "--channel", "fax")).ShouldExit(2);
    }

    [Fact]
    public async Task Wrong_usage_says_what_is_wrong()
    {
        (await _sandbox.RunAsync("text", "analyze")).ShouldExit(2);
        (await _sandbox.RunAsync("text", "analyze", "hola", "--file", "x.txt")).ShouldExit(2);
        var missing = (await _sandbox.RunAsync("text", "analyze", "--file", "missing.txt")).ShouldExit(1);
        Assert.Contains("missing.txt", missing.Stderr, StringComparison.Ordinal);
    }
}
