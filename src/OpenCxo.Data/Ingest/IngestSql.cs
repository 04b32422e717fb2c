namespace OpenCxo.Data.Ingest;

/// <summary>SQL both providers accept (named @parameters, ON CONFLICT), so the rules are written once.</summary>
internal static class IngestSql
{
    /// <summary>Last writer by event time wins; equal times fall to the greater JSON text, so arrival order never matters.</summary>
    public static string TraitUpsert(Func<string, string> compare) => $"""
        ON CONFLICT (workspace_id, customer_id, name) DO UPDATE SET value_json = excluded.value_json, observed_at = excluded.observed_at
        WHERE excluded.observed_at > customer_traits.observed_at
           OR (excluded.observed_at = customer_traits.observed_at AND {compare("excluded.value_json")} > {compare("customer_traits.value_json")})
        """;

    public static string InsertTrait(Func<string, string> compare) => $"""
        INSERT INTO customer_traits (workspace_id, customer_id, name, value_json, observed_at) VALUES (@w, @c, @n, @v, @t)
        {TraitUpsert(compare)}
        """;

    /// <summary>Absorbs customer @a into @s: timeline, identities and traits move; the absorbed profile points at the survivor.</summary>
    public static string Merge(Func<string, string> compare) => $"""
        UPDATE interactions SET customer_id = @s WHERE workspace_id = @w AND customer_id = @a;
        UPDATE identities SET customer_id = @s WHERE workspace_id = @w AND customer_id = @a;
        INSERT INTO customer_traits (workspace_id, customer_id, name, value_json, observed_at)
            SELECT workspace_id, @s, name, value_json, observed_at FROM customer_traits WHERE workspace_id = @w AND customer_id = @a
        {TraitUpsert(compare)};
        DELETE FROM customer_traits WHERE workspace_id = @w AND customer_id = @a;
        UPDATE customers SET merged_into = @s WHERE id = @a;
        UPDATE customers SET merged_into = @s WHERE merged_into = @a;
        INSERT INTO customer_merges (workspace_id, survivor_id, absorbed_id, event_id, occurred_at, merged_at) VALUES (@w, @s, @a, @e, @o, @m);
        """;

    public const string ExistingGeneration = "SELECT generation FROM ingest_state WHERE workspace_id = @w";

    public const string BumpGeneration = """
        INSERT INTO ingest_state (workspace_id, generation) VALUES (@w, 1)
        ON CONFLICT (workspace_id) DO UPDATE SET generation = ingest_state.generation + 1
        RETURNING generation
        """;

    public const string MaxSeq = "SELECT COALESCE(MAX(seq), 0) FROM interactions";

    public const string MaxCustomerId = "SELECT COALESCE(MAX(id), 0) FROM customers";
}
