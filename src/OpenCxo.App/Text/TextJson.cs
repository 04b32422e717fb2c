using System.Text.Json.Nodes;
using OpenCxo.Core.Text;

namespace OpenCxo.App.Text;

/// <summary>
/// An analysis as the API and <c>cxo text analyze</c> print it. Spans point into <c>redacted</c>, which is the only form
/// of the text that leaves the analyser; <c>redactions</c> say what kind of personal data was masked where in the input.
/// </summary>
public static class TextJson
{
    public static JsonObject ToJson(TextAnalysis analysis)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        return new JsonObject
        {
            ["language"] = analysis.Language,
            ["sentiment"] = Sentiment(analysis.Sentiment),
            ["themes"] = new JsonArray([.. analysis.Themes.Select(t => (JsonNode)new JsonObject
            {
                ["key"] = t.Key,
                ["sentiment"] = Sentiment(t.Sentiment),
                ["matches"] = Matches(analysis.Redacted, t.Matches),
            })]),
            ["flags"] = new JsonArray([.. analysis.Flags.Select(f => (JsonNode)new JsonObject
            {
                ["key"] = f.Key,
                ["matches"] = Matches(analysis.Redacted, f.Matches),
            })]),
            ["redacted"] = analysis.Redacted,
            ["redactions"] = new JsonArray([.. analysis.Redactions.Select(r => (JsonNode)new JsonObject
            {
                ["kind"] = r.Kind,
                ["start"] = r.Start,
                ["length"] = r.Length,
            })]),
            ["truncated"] = analysis.Truncated,
        };
    }

    private static JsonObject Sentiment(SentimentScore score) => new()
    {
        ["score"] = Math.Round(score.Score, 4),
        ["label"] = SentimentScore.Name(score.Label),
    };

    private static JsonArray Matches(string redacted, IReadOnlyList<TextSpan> spans) =>
        new([.. spans.Select(s => (JsonNode)new JsonObject
        {
            ["start"] = s.Start,
            ["length"] = s.Length,
            ["text"] = redacted.Substring(s.Start, s.Length),
        })]);
}
