using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpenCxo.App.Analytics;
using OpenCxo.App.Security;
using OpenCxo.Core.Ingest;
using OpenCxo.Data.Ingest;

namespace OpenCxo.App.Ingest;

/// <summary><c>POST /api/v1/events</c>: each event validated on its own; duplicates by id are counted, never stored twice.</summary>
public static class EventsEndpoint
{
    public const int MaxEvents = 10_000;
    public const int MaxBytes = 10 * 1024 * 1024;

    public sealed record EventsResponse(int Accepted, int Duplicates, IReadOnlyList<RejectedEvent> Rejected);

    public sealed record RejectedEvent(int Index, string Field, string Message);

    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/events", PostEvents)
            .RequireAuthorization(Scopes.EventsWrite)
            .WithTags("Events")
            .WithName("PostEvents")
            .WithSummary("Send up to 10,000 events (10 MB) as {\"events\":[…]}.")
            .Accepts<JsonElement>("application/json")
            .Produces<EventsResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return app;
    }

    private static async Task<Results<Ok<EventsResponse>, ProblemHttpResult>> PostEvents(
        HttpContext http, [FromServices] EventParser parser, [FromServices] EventIngestor ingestor, [FromServices] AnalyticsSignal analytics, CancellationToken cancellationToken)
    {
        if (http.Request.ContentLength > MaxBytes)
        {
            return TooLarge($"the body is {http.Request.ContentLength} bytes; at most {MaxBytes} (10 MB) are accepted in one request");
        }

        var buffer = new ArrayBufferWriter<byte>(http.Request.ContentLength is { } length ? (int)Math.Max(length, 1) : 64 * 1024);
        await foreach (var chunk in ReadAsync(http.Request.Body, cancellationToken))
        {
            if (buffer.WrittenCount + chunk.Length > MaxBytes)
            {
                return TooLarge($"the body is larger than {MaxBytes} bytes (10 MB)");
            }

            buffer.Write(chunk.Span);
        }

        if (!System.Text.Unicode.Utf8.IsValid(buffer.WrittenSpan))
        {
            return TypedResults.Problem(
                title: "The body is not valid UTF-8",
                detail: $"invalid UTF-8 at byte {Utf8Text.FirstInvalidByte(buffer.WrittenSpan) + 1} of the body",
                statusCode: StatusCodes.Status400BadRequest);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(buffer.WrittenMemory, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            return TypedResults.Problem(
                title: "The body is not valid JSON",
                detail: $"parsing stopped at line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}: {e.Message}",
                statusCode: StatusCodes.Status400BadRequest);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("events", out var events)
                || events.ValueKind != JsonValueKind.Array)
            {
                return TypedResults.Problem(title: "The body must be {\"events\":[…]}", detail: "field 'events' must be an array of events", statusCode: StatusCodes.Status400BadRequest);
            }

            var count = events.GetArrayLength();
            if (count > MaxEvents)
            {
                return TooLarge($"{count} events in one request; at most {MaxEvents} are accepted");
            }

            var rejected = new List<RejectedEvent>();
            var valid = new List<CanonicalEvent>(count);
            var index = 0;
            foreach (var element in events.EnumerateArray())
            {
                if (parser.TryParse(element, out var parsed, out var errors))
                {
                    valid.Add(parsed!);
                }
                else
                {
                    rejected.AddRange(errors.Select(e => new RejectedEvent(index, e.Field, e.Message)));
                }

                index++;
            }

            var outcome = await ingestor.IngestAsync(http.User.WorkspaceId(), valid, cancellationToken);
            if (outcome.Accepted > 0)
            {
                analytics.Notify();
            }

            return TypedResults.Ok(new EventsResponse(outcome.Accepted, outcome.Duplicates.Count, rejected));
        }
    }

    private static ProblemHttpResult TooLarge(string detail) =>
        TypedResults.Problem(title: "Payload too large", detail: detail, statusCode: StatusCodes.Status413PayloadTooLarge);

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAsync(Stream body, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var chunk = ArrayPool<byte>.Shared.Rent(81_920);
        try
        {
            int read;
            while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                yield return chunk.AsMemory(0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }
}
