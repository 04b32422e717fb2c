using System.Text.RegularExpressions;
using OpenCxo.Core.Ingest;

namespace OpenCxo.Core.Journeys;

/// <summary>A stage of the customer journey: the touchpoint types that put a customer in it.</summary>
public sealed record JourneyStage(string Key, string Name, IReadOnlyList<string> Types);

/// <summary>A workspace's journey: its stages in the order customers are expected to meet them.</summary>
public sealed record JourneyDefinition(IReadOnlyList<JourneyStage> Stages);

/// <summary>One customer's path: the stages in the order they first reached them.</summary>
public sealed record JourneyPath(IReadOnlyList<string> Stages, long Customers);

/// <summary>Customers moving from one stage to the next one they reached.</summary>
public sealed record JourneyFlow(string From, string To, long Customers);

public static partial class JourneyRules
{
    /// <summary>Awareness → lead → customer → onboarding → service → renewal or churn, from the canonical event types.</summary>
    public static readonly JourneyDefinition Defaults = new(
    [
        new("awareness", "Awareness", ["campaign.sent", "campaign.opened", "campaign.clicked"]),
        new("lead", "Lead", ["lead.created", "lead.qualified"]),
        new("customer", "Customer", ["deal.won", "subscription.started", "order.placed"]),
        new("onboarding", "Onboarding", ["visit.completed", "app.session"]),
        new("service", "Service", ["ticket.opened", "call.completed", "chat.completed", "ticket.reopened"]),
        new("renewal", "Renewal", ["subscription.renewed"]),
        new("churn", "Churn", ["subscription.cancelled"]),
    ]);

    /// <summary>Every problem of a journey, named by its place (<c>stages[2].types[0]</c>); none when it can be saved.</summary>
    public static IReadOnlyList<FieldError> Validate(JourneyDefinition journey)
    {
        var errors = new List<FieldError>();
        if (journey?.Stages is not { Count: >= 2 and <= 12 } stages)
        {
            errors.Add(new FieldError("stages", "are 2–12 stages"));
            return errors;
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        var owner = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < stages.Count; i++)
        {
            var at = $"stages[{i}]";
            if (stages[i] is not { } stage)
            {
                errors.Add(new FieldError(at, "is empty"));
                continue;
            }

            if (stage.Key is null || !KeyPattern().IsMatch(stage.Key))
            {
                errors.Add(new FieldError(at + ".key", "is 1–32 lowercase letters, digits and dashes"));
            }
            else if (!keys.Add(stage.Key))
            {
                errors.Add(new FieldError(at + ".key", $"'{stage.Key}' is used twice"));
            }

            if (string.IsNullOrWhiteSpace(stage.Name) || stage.Name.Length > 100)
            {
                errors.Add(new FieldError(at + ".name", "is 1–100 characters"));
            }

            if (stage.Types is not { Count: >= 1 and <= 30 })
            {
                errors.Add(new FieldError(at + ".types", "name 1–30 touchpoint types"));
                continue;
            }

            for (var t = 0; t < stage.Types.Count; t++)
            {
                var type = stage.Types[t];
                if (!EventParser.IsEventType(type))
                {
                    errors.Add(new FieldError($"{at}.types[{t}]", "is not a touchpoint type (namespace.verb)"));
                }
                else if (owner.TryGetValue(type, out var other))
                {
                    errors.Add(new FieldError($"{at}.types[{t}]", $"'{type}' is already a touchpoint of stage '{other}': a touchpoint belongs to one stage"));
                }
                else
                {
                    owner[type] = stage.Key ?? "";
                }
            }
        }

        return errors;
    }

    /// <summary>
    /// The flows of a Sankey picture: for each path, each step from one stage to the next, summed over paths; the
    /// order of stages within a path is the order customers first reached them.
    /// </summary>
    public static IReadOnlyList<JourneyFlow> Flows(IEnumerable<JourneyPath> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var flows = new Dictionary<(string, string), long>();
        foreach (var path in paths)
        {
            for (var i = 1; i < path.Stages.Count; i++)
            {
                var key = (path.Stages[i - 1], path.Stages[i]);
                flows[key] = flows.GetValueOrDefault(key) + path.Customers;
            }
        }

        return [.. flows.Select(f => new JourneyFlow(f.Key.Item1, f.Key.Item2, f.Value)).OrderByDescending(f => f.Customers).ThenBy(f => f.From, StringComparer.Ordinal).ThenBy(f => f.To, StringComparer.Ordinal)];
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,31}$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();
}
