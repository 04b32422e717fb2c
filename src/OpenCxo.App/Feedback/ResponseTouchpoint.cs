using System.Text;
using System.Text.Json;
using OpenCxo.Core.Feedback;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Profiles;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Feedback;

/// <summary>A final response as a <c>survey.response</c> touchpoint, the same for answers given on the page and imported ones.</summary>
public static class ResponseTouchpoint
{
    public const string Type = "survey.response";

    /// <summary>The touchpoint's event id for a response: storing it again is a duplicate, never a second touchpoint.</summary>
    public static string EventIdOf(string responseKey) => EventIdPrefix + responseKey;

    public const string EventIdPrefix = "survey-response:";

    /// <summary>
    /// On the customer's timeline, in the department and channel of the touchpoint that prompted the response (so
    /// "CSAT after a phone call with team L1" is a filter), with the team, agent, campaign and sales rep who served;
    /// scores and choices are attributes named by question key, free texts are the text. Without a prompting
    /// touchpoint it is <c>other</c>, in <paramref name="channel"/> (default: e-mail for an invitation, web otherwise).
    /// </summary>
    public static CanonicalEvent Build(
        IReadOnlyList<IdentityKey> identities, string responseKey, DateTime answeredAt, string source, string language, bool completed,
        string survey, int version, SurveyDefinition definition, IReadOnlyDictionary<string, Answer> answers, InteractionRow? trigger, Channel? channel)
    {
        using var buffer = new MemoryStream();
        var text = new StringBuilder();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("survey", survey);
            json.WriteNumber("surveyVersion", version);
            json.WriteString("responseSource", source);
            json.WriteString("language", language);
            json.WriteBoolean("completed", completed);

            // The score of each standard kind under a fixed name, whatever its question's key: metrics read these.
            foreach (var (kind, name) in new[] { (QuestionKind.Nps, "npsScore"), (QuestionKind.Csat, "csatScore"), (QuestionKind.Ces, "cesScore") })
            {
                if (definition.ScoreOf(kind, answers) is { } value)
                {
                    json.WriteNumber(name, value);
                }
            }

            foreach (var question in definition.Questions)
            {
                if (!answers.TryGetValue(question.Key, out var answer))
                {
                    continue;
                }

                if (answer.Score is { } score)
                {
                    json.WriteNumber(question.Key, score);
                }
                else if (answer.Choice is { } choice)
                {
                    json.WriteString(question.Key, choice);
                }
                else if (answer.Choices is { } choices)
                {
                    json.WriteString(question.Key, string.Join(',', choices));
                }
                else if (answer.Text is { } said)
                {
                    text.Append(text.Length == 0 ? "" : "\n\n").Append(said);
                }
            }

            if (trigger is not null)
            {
                json.WriteString("triggerEventId", trigger.EventId);
                json.WriteString("triggerType", trigger.Type);
                CopyContext(trigger.Attributes, json);
            }

            json.WriteEndObject();
        }

        return new CanonicalEvent(
            EventIdOf(responseKey),
            identities,
            answeredAt,
            trigger is not null && Vocabulary.TryParseDepartment(trigger.Department, out var department) ? department : Department.Other,
            trigger is not null && Vocabulary.TryParseChannel(trigger.Channel, out var triggered) ? triggered
                : channel ?? (source == "invitation" ? Channel.Email : Channel.Web),
            Type,
            0,
            null,
            text.Length == 0 ? null : text.ToString(),
            Encoding.UTF8.GetString(buffer.ToArray()),
            []);
    }

    /// <summary>The attributes of the prompting touchpoint that say who served the customer.</summary>
    private static void CopyContext(string? attributes, Utf8JsonWriter json)
    {
        if (attributes is null)
        {
            return;
        }

        using var document = JsonDocument.Parse(attributes);
        foreach (var name in new[] { "team", "agent", "campaign", "salesRep" })
        {
            if (document.RootElement.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.String or JsonValueKind.Number)
            {
                json.WritePropertyName(name);
                value.WriteTo(json);
            }
        }
    }
}
