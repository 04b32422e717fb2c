using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using OpenCxo.App.Security;
using OpenCxo.Core.Text;

namespace OpenCxo.App.Text;

public static class TextEndpoints
{
    /// <summary>Texts per request.</summary>
    public const int MaxTexts = 1_000;

    /// <summary>The largest request body: a thousand comments of a kilobyte each, or one 100 KB ticket with room to spare.</summary>
    public const long MaxBodyBytes = 2 * 1024 * 1024;

    public static IEndpointRouteBuilder MapTextApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/text").RequireAuthorization(Scopes.TextAnalyze).WithTags("Text analytics");
        group.MapPost("/analyze", AnalyzeAsync)
            .WithName("AnalyzeText")
            .WithSummary("Language, sentiment, themes with their sentiment, flags and redaction of one text ({\"text\": …}) or up to 1,000 ({\"texts\": […]}). "
                + "Texts over 100,000 characters are read to that point and marked truncated.")
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(MaxBodyBytes));
        return app;
    }

    private static async Task<Results<Ok<JsonObject>, ValidationProblem, ProblemHttpResult>> AnalyzeAsync(HttpRequest request, CancellationToken ct)
    {
        // Kestrel stops a longer body by the endpoint's size limit; this also holds where the server does not (tests, proxies).
        using var buffer = new MemoryStream();
        var chunk = new byte[81_920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes)
            {
                return TypedResults.Problem($"the body is over {MaxBodyBytes / 1024 / 1024} MB; send fewer texts per request", statusCode: StatusCodes.Status413PayloadTooLarge);
            }
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
        }
        catch (JsonException e)
        {
            return Problem("$", $"the body is not JSON ({e.Message})");
        }

        using (document)
        {
            var body = document.RootElement;
            if (body.ValueKind != JsonValueKind.Object)
            {
                return Problem("$", "send {\"text\": \"…\"} or {\"texts\": [\"…\", …]}");
            }

            var unknown = body.EnumerateObject().Select(p => p.Name).FirstOrDefault(n => n is not ("text" or "texts"));
            if (unknown is not null)
            {
                return Problem(unknown, "is not a field of this request (text or texts)");
            }

            var hasText = body.TryGetProperty("text", out var text);
            var hasTexts = body.TryGetProperty("texts", out var texts);
            if (hasText == hasTexts)
            {
                return Problem("text", "send either text (one string) or texts (an array of strings)");
            }

            var analyzer = TextAnalyzer.Default;
            if (hasText)
            {
                return text.ValueKind == JsonValueKind.String
                    ? TypedResults.Ok(TextJson.ToJson(analyzer.Analyze(text.GetString())))
                    : Problem("text", "must be a string");
            }

            if (texts.ValueKind != JsonValueKind.Array || texts.GetArrayLength() is 0 or > MaxTexts)
            {
                return Problem("texts", $"must be an array of 1 to {MaxTexts:N0} strings");
            }

            var results = new JsonArray();
            var index = 0;
            foreach (var item in texts.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                {
                    return Problem($"texts[{index}]", "must be a string");
                }

                results.Add(TextJson.ToJson(analyzer.Analyze(item.GetString())));
                index++;
            }

            return TypedResults.Ok(new JsonObject { ["results"] = results });
        }
    }

    private static ValidationProblem Problem(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
