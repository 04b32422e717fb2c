using System.Globalization;
using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;
using OpenCxo.Core.Segments;

namespace OpenCxo.Data.Analytics;

/// <summary>A customer's latest consent answer for a purpose, on their live profile, as the system of record holds it.</summary>
public sealed record ConsentFact(long Customer, string Purpose, bool Granted);

public sealed partial class AnalyticsStore
{
    /// <summary>
    /// How many live customers of the workspace are in the segment at <paramref name="now"/> (as of the store's last
    /// sync). <paramref name="consents"/> is needed only when the definition tests consent.
    /// </summary>
    public async Task<long> SegmentCountAsync(long workspaceId, SegmentDefinition definition, DateTime now, IReadOnlyList<ConsentFact>? consents, CancellationToken ct = default)
    {
        var rows = await SegmentQueryAsync(workspaceId, definition, now, consents, "SELECT count(*) FROM members", r => r.GetInt64(0), ct).ConfigureAwait(false);
        return rows[0];
    }

    /// <summary>The segment's live customers at <paramref name="now"/>, in id order.</summary>
    public Task<IReadOnlyList<long>> SegmentMembersAsync(long workspaceId, SegmentDefinition definition, DateTime now, IReadOnlyList<ConsentFact>? consents, CancellationToken ct = default) =>
        SegmentQueryAsync(workspaceId, definition, now, consents, "SELECT c FROM members ORDER BY c", r => r.GetInt64(0), ct);

    private async Task<IReadOnlyList<T>> SegmentQueryAsync<T>(
        long workspaceId, SegmentDefinition definition, DateTime now, IReadOnlyList<ConsentFact>? consents, string select, Func<DuckDBDataReader, T> read, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var compiled = new SegmentSql(workspaceId, AsUtc(now));
        var members = compiled.Group(definition.Match, definition.Conditions);
        using (await _swapGate.EnterSharedAsync(ct).ConfigureAwait(false))
        {
            using var connection = OpenReader();
            if (compiled.UsesConsent)
            {
                // Per connection, so concurrent evaluations each see their own.
                using (var create = connection.CreateCommand())
                {
                    create.CommandText = "CREATE OR REPLACE TEMP TABLE consent_state (c BIGINT NOT NULL, purpose VARCHAR NOT NULL, granted BOOLEAN NOT NULL)";
                    create.ExecuteNonQuery();
                }

                using var appender = connection.CreateAppender("temp", "main", "consent_state");
                foreach (var consent in consents ?? [])
                {
                    appender.CreateRow().AppendValue(consent.Customer).AppendValue(consent.Purpose).AppendValue(consent.Granted).EndRow();
                }
            }

            using var command = connection.CreateCommand();
            command.CommandText = $"""
                WITH universe AS ({SegmentSql.Universe}),
                members AS ({members})
                {select}
                """;
            foreach (var parameter in compiled.Parameters)
            {
                command.Parameters.Add(parameter);
            }

            using var reader = (DuckDBDataReader)await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var rows = new List<T>();
            while (reader.Read())
            {
                rows.Add(read(reader));
            }

            return rows;
        }
    }

    /// <summary>
    /// Turns a segment definition into one DuckDB statement: each condition is the set of live customer ids it holds
    /// for; <c>all</c> intersects, <c>any</c> unites, <c>not</c> takes the set from every customer of the workspace
    /// (<see cref="Universe"/>: anyone with a touchpoint or an attribute). Every value the user wrote goes in as a
    /// parameter; only the fixed vocabulary of the definition is spliced into the text.
    /// </summary>
    private sealed class SegmentSql(long workspaceId, DateTime now)
    {
        private readonly List<DuckDBParameter> _parameters = [new("workspace", workspaceId), new("now", now)];

        public IReadOnlyList<DuckDBParameter> Parameters => _parameters;

        public bool UsesConsent { get; private set; }

        public const string Universe = """
            SELECT live_id AS c FROM interactions WHERE workspace_id = $workspace
            UNION
            SELECT customer_id FROM customer_traits WHERE workspace_id = $workspace
            """;

        public string Group(SegmentMatch match, IReadOnlyList<SegmentCondition> conditions)
        {
            if (conditions.Count == 0)
            {
                return match == SegmentMatch.All ? "SELECT c FROM universe" : "SELECT NULL::BIGINT AS c WHERE false";
            }

            if (match == SegmentMatch.Any)
            {
                return string.Join("\nUNION\n", conditions.Select(c => "(" + Condition(c) + ")"));
            }

            // A ∩ B ∩ ¬C is (A ∩ B) − C: the negated conditions are taken from what the others hold for, not from every
            // customer, which spares the statement a distinct pass over all touchpoints.
            var positive = conditions.Where(c => !c.Not).Select(c => "(" + Condition(c) + ")").ToList();
            if (positive.Count == 0)
            {
                positive.Add("(SELECT c FROM universe)");
            }

            var negative = conditions.Where(c => c.Not).Select(c => "(" + Condition(c with { Not = false }) + ")");
            return $"SELECT c FROM ({string.Join("\nINTERSECT\n", positive)}) kept" + string.Concat(negative.Select(n => "\nEXCEPT\n" + n));
        }

        private string Condition(SegmentCondition c)
        {
            var set = c.Kind switch
            {
                "attribute" => Attribute(c),
                "touchpoints" => Touchpoints(c),
                "answer" => Answer(c),
                "text" => Text(c),
                "score" => Score(c),
                "activity" => Activity(c),
                "consent" => Consent(c),
                "group" => Group(c.Match ?? SegmentMatch.All, c.Conditions ?? []),
                _ => throw new ArgumentException($"kind: '{c.Kind}' is not a condition kind", nameof(c)),
            };
            return c.Not ? Except(set) : set;
        }

        private static string Except(string set) => $"SELECT c FROM universe EXCEPT ({set})";

        private string Attribute(SegmentCondition c)
        {
            var name = Parameter(c.Name!);
            var rows = $"SELECT customer_id AS c FROM customer_traits WHERE workspace_id = $workspace AND name = {name}";
            switch (c.Op)
            {
                case "exists":
                    return rows;
                case "missing":
                    return Except(rows);
                case "in":
                    return $"{rows} AND value IN ({string.Join(", ", c.Value!.Value.EnumerateArray().Select(v => Parameter(TraitText(v))))})";
                case "contains":
                    return $"{rows} AND contains(lower(value), lower({Parameter(TraitText(c.Value!.Value))}))";
                case "!=":
                    return Except($"{rows} AND value = {Parameter(TraitText(c.Value!.Value))}");
                case "=" when c.Value!.Value.ValueKind == JsonValueKind.Number:
                    return $"{rows} AND TRY_CAST(value AS DOUBLE) = {Parameter(c.Value.Value.GetDouble())}";
                case "=":
                    return $"{rows} AND value = {Parameter(TraitText(c.Value!.Value))}";
                default:
                    return $"{rows} AND TRY_CAST(value AS DOUBLE) {Comparison(c.Op)} {Parameter(c.Value!.Value.GetDouble())}";
            }
        }

        private string Touchpoints(SegmentCondition c)
        {
            var where = new StringBuilder("workspace_id = $workspace");
            foreach (var (column, value) in new[] { ("department", c.Department), ("channel", c.Channel), ("type", c.Type), ("campaign", c.Campaign) })
            {
                if (value is not null)
                {
                    where.Append(" AND ").Append(column).Append(" = ").Append(Parameter(value));
                }
            }

            if (c.WithinDays is { } days)
            {
                where.Append(" AND occurred_at >= ").Append(Since(days)).Append(" AND occurred_at <= $now");
            }

            var least = c.AtLeast ?? 1;
            var counted = $"SELECT live_id AS c FROM interactions WHERE {where} GROUP BY live_id";
            if (least == 0)
            {
                // At most n, none included: everyone but those with more.
                return Except($"{counted} HAVING count(*) > {Parameter(c.AtMost!.Value)}");
            }

            var having = $"count(*) >= {Parameter(least)}";
            return c.AtMost is { } most ? $"{counted} HAVING {having} AND count(*) <= {Parameter(most)}" : $"{counted} HAVING {having}";
        }

        private string Answer(SegmentCondition c)
        {
            // The fixed vocabulary: nps, csat or ces are both the answer's name and its column.
            var column = c.Name!;
            var where = $"workspace_id = $workspace AND {column} IS NOT NULL AND occurred_at >= {Since(c.WithinDays ?? 365)} AND occurred_at <= $now";
            if (c.Survey is not null)
            {
                where += " AND survey = " + Parameter(c.Survey);
            }

            var latest = $"SELECT live_id AS c, arg_max({column}, occurred_at) AS v FROM interactions WHERE {where} GROUP BY live_id";
            return c.Op == "!="
                ? Except($"SELECT c FROM ({latest}) WHERE v = {Parameter(c.Value!.Value.GetDouble())}")
                : $"SELECT c FROM ({latest}) WHERE v {Comparison(c.Op)} {Parameter(c.Value!.Value.GetDouble())}";
        }

        private string Text(SegmentCondition c)
        {
            var window = c.WithinDays is { } days ? $" AND t.occurred_at >= {Since(days)} AND t.occurred_at <= $now" : "";
            var least = Parameter(c.AtLeast ?? 1);
            var sets = new List<string>();
            if (c.Theme is not null)
            {
                sets.Add($"""
                    SELECT {MappedCustomer("t")} AS c FROM text_themes t {MapJoin("t")}
                    WHERE t.workspace_id = $workspace AND t.theme = {Parameter(c.Theme)}{window}
                    GROUP BY 1 HAVING count(DISTINCT t.seq) >= {least}
                    """);
            }

            if (c.Flag is not null)
            {
                sets.Add($"""
                    SELECT {MappedCustomer("t")} AS c FROM texts t {MapJoin("t")}
                    WHERE t.workspace_id = $workspace AND list_contains(string_split(t.flags, ','), {Parameter(c.Flag)}){window}
                    GROUP BY 1 HAVING count(*) >= {least}
                    """);
            }

            return string.Join("\nINTERSECT\n", sets.Select(s => "(" + s + ")"));
        }

        private string Score(SegmentCondition c)
        {
            var column = c.Name switch
            {
                "churnRisk" => "churn_risk",
                "lifetimeValue" => "lifetime_value",
                _ => "probability_alive",
            };
            // Scored before a merge, absorbed and survivor both have a score: the survivor keeps its own.
            var scores = $"""
                SELECT {MappedCustomer("s")} AS c, s.{column} AS v FROM customer_scores s {MapJoin("s")}
                WHERE s.workspace_id = $workspace AND s.{column} IS NOT NULL
                QUALIFY row_number() OVER (PARTITION BY {MappedCustomer("s")} ORDER BY m.live_id IS NULL DESC, s.customer_id) = 1
                """;
            return c.Op == "!="
                ? Except($"SELECT c FROM ({scores}) WHERE v = {Parameter(c.Value!.Value.GetDouble())}")
                : $"SELECT c FROM ({scores}) WHERE v {Comparison(c.Op)} {Parameter(c.Value!.Value.GetDouble())}";
        }

        private string Activity(SegmentCondition c)
        {
            var measure = c.Name == "tenureDays" ? "date_diff('day', min(occurred_at), $now)" : "date_diff('day', max(occurred_at), $now)";
            var value = Parameter(c.Value!.Value.GetDouble());
            var rows = "SELECT live_id AS c FROM interactions WHERE workspace_id = $workspace AND occurred_at <= $now GROUP BY live_id";
            return c.Op == "!=" ? Except($"{rows} HAVING {measure} = {value}") : $"{rows} HAVING {measure} {Comparison(c.Op)} {value}";
        }

        private string Consent(SegmentCondition c)
        {
            UsesConsent = true;
            var purpose = Parameter(c.Name!);
            return c.State switch
            {
                "given" => $"SELECT c FROM consent_state WHERE purpose = {purpose} AND granted",
                "refused" => $"SELECT c FROM consent_state WHERE purpose = {purpose} AND NOT granted",
                _ => Except($"SELECT c FROM consent_state WHERE purpose = {purpose}"),
            };
        }

        private string Since(int days) => $"$now - to_days(CAST({Parameter(days)} AS INTEGER))";

        private static string Comparison(string? op) => op switch
        {
            "=" => "=",
            "<" => "<",
            "<=" => "<=",
            ">" => ">",
            ">=" => ">=",
            _ => throw new ArgumentException($"op: '{op}' is not a comparison", nameof(op)),
        };

        /// <summary>An attribute value as customer_traits holds it: a string unquoted, other scalars as JSON.</summary>
        private static string TraitText(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();

        private string Parameter(object value)
        {
            var name = "p" + _parameters.Count.ToString(CultureInfo.InvariantCulture);
            _parameters.Add(new DuckDBParameter(name, value));
            return "$" + name;
        }
    }
}
