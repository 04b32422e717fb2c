using System.Buffers;
using System.Text;
using System.Text.Json;

namespace OpenCxo.Data.Analytics;

/// <summary>
/// The few event attributes the dashboards group by, read from the stored attributes JSON without building a
/// document: <c>campaign</c>, <c>salesRep</c>, <c>team</c>, <c>agent</c> (strings) and <c>handleSeconds</c> (a number);
/// and on survey responses <c>survey</c> with the scores <c>npsScore</c>, <c>csatScore</c> and <c>cesScore</c> (whole
/// numbers in their scales), <c>firstContactResolution</c> (true or false, as 1 or 0), <c>ticketId</c> (a string or a
/// number, as text), <c>cost</c> (an amount, in ten-thousandths), <c>waitSeconds</c> (a number) and <c>resolved</c> (true
/// or false, as 1 or 0). Anything else, or a value of another type or out
/// of range, is left out.
/// </summary>
internal static class PromotedAttributes
{
    public readonly record struct Values(
        int Campaign, int SalesRep, int Team, int Agent, int HandleSeconds, int Survey, int Nps, int Csat, int Ces, int FirstContactResolution, int Ticket, long CostE4,
        int WaitSeconds, int Resolved);

    private const int No = InteractionChunk.NoNumber;

    /// <summary>The largest cost kept: what DECIMAL(18, 4) holds.</summary>
    private const decimal MaxCost = 99_999_999_999_999m;

    private static readonly Values None = new(InteractionChunk.NoText, InteractionChunk.NoText, InteractionChunk.NoText, InteractionChunk.NoText, No, InteractionChunk.NoText, No, No, No, No, InteractionChunk.NoText, InteractionChunk.NoAmount, No, No);

    public static Values Read(string? json, InteractionChunk chunk)
    {
        if (string.IsNullOrEmpty(json))
        {
            return None;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(json.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(json, buffer);
            var reader = new Utf8JsonReader(buffer.AsSpan(0, length));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return None;
            }

            var (campaign, rep, team, agent, seconds) = (InteractionChunk.NoText, InteractionChunk.NoText, InteractionChunk.NoText, InteractionChunk.NoText, No);
            var (survey, nps, csat, ces, fcr) = (InteractionChunk.NoText, No, No, No, No);
            var (ticket, cost) = (InteractionChunk.NoText, InteractionChunk.NoAmount);
            var (wait, resolved) = (No, No);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueSpan;
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    if (name.SequenceEqual("campaign"u8))
                    {
                        campaign = chunk.TextId(reader.GetString());
                    }
                    else if (name.SequenceEqual("salesRep"u8))
                    {
                        rep = chunk.TextId(reader.GetString());
                    }
                    else if (name.SequenceEqual("team"u8))
                    {
                        team = chunk.TextId(reader.GetString());
                    }
                    else if (name.SequenceEqual("agent"u8))
                    {
                        agent = chunk.TextId(reader.GetString());
                    }
                    else if (name.SequenceEqual("survey"u8))
                    {
                        survey = chunk.TextId(reader.GetString());
                    }
                    else if (name.SequenceEqual("ticketId"u8))
                    {
                        ticket = chunk.TextId(reader.GetString());
                    }
                }
                else if (reader.TokenType == JsonTokenType.Number && name.SequenceEqual("ticketId"u8))
                {
                    ticket = chunk.TextId(Encoding.UTF8.GetString(reader.ValueSpan));
                }
                else if (reader.TokenType == JsonTokenType.Number && name.SequenceEqual("cost"u8)
                    && reader.TryGetDecimal(out var amount) && Math.Abs(amount) <= MaxCost)
                {
                    cost = (long)Math.Round(amount * 10_000m, MidpointRounding.ToEven);
                }
                else if (reader.TokenType == JsonTokenType.Number && name.SequenceEqual("npsScore"u8))
                {
                    nps = Score(ref reader, 0, 10);
                }
                else if (reader.TokenType == JsonTokenType.Number && name.SequenceEqual("csatScore"u8))
                {
                    csat = Score(ref reader, 1, 5);
                }
                else if (reader.TokenType == JsonTokenType.Number && name.SequenceEqual("cesScore"u8))
                {
                    ces = Score(ref reader, 1, 7);
                }
                else if (reader.TokenType == JsonTokenType.Number && name.SequenceEqual("handleSeconds"u8)
                    && reader.TryGetDouble(out var value) && value is >= 0 and <= int.MaxValue)
                {
                    seconds = (int)Math.Round(value);
                }
                else if (reader.TokenType is JsonTokenType.True or JsonTokenType.False && name.SequenceEqual("firstContactResolution"u8))
                {
                    fcr = reader.TokenType == JsonTokenType.True ? 1 : 0;
                }
                else if (reader.TokenType == JsonTokenType.Number && name.SequenceEqual("waitSeconds"u8)
                    && reader.TryGetDouble(out var waited) && waited is >= 0 and <= int.MaxValue)
                {
                    wait = (int)Math.Round(waited);
                }
                else if (reader.TokenType is JsonTokenType.True or JsonTokenType.False && name.SequenceEqual("resolved"u8))
                {
                    resolved = reader.TokenType == JsonTokenType.True ? 1 : 0;
                }
                else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                }
            }

            return new Values(campaign, rep, team, agent, seconds, survey, nps, csat, ces, fcr, ticket, cost, wait, resolved);
        }
        catch (JsonException)
        {
            // Stored attributes were validated on the way in; a row that does not parse simply has none of these.
            return None;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int Score(ref Utf8JsonReader reader, int low, int high) =>
        reader.TryGetInt32(out var score) && score >= low && score <= high ? score : No;

    /// <summary>A trait's stored JSON as text: strings without quotes, other values as written.</summary>
    public static string TraitText(string valueJson)
    {
        if (valueJson.Length >= 2 && valueJson[0] == '"' && valueJson.IndexOf('\\', StringComparison.Ordinal) < 0)
        {
            return valueJson[1..^1];
        }

        using var document = JsonDocument.Parse(valueJson);
        return document.RootElement.ValueKind == JsonValueKind.String ? document.RootElement.GetString()! : valueJson;
    }
}
