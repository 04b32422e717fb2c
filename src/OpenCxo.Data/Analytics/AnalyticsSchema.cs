using DuckDB.NET.Data;

namespace OpenCxo.Data.Analytics;

/// <summary>
/// The tables of the analytics store. Plain types and plain SQL, so that the same statements move to ClickHouse
/// (DESIGN.md, scale-out). No keys or indexes: DuckDB's per-block min/max on seq and occurred_at is what scans use,
/// and an index would slow the appender.
/// </summary>
internal static class AnalyticsSchema
{
    /// <summary>Bump on any change below: a store with another version is dropped and copied again.</summary>
    public const int Version = 13;

    // interactions leaves out text and the attributes' JSON: they belong to the text-analytics work and would
    // multiply the size of the copy. The attributes the dashboards group by (campaign, salesRep, team, agent,
    // handleSeconds) are copied as columns, and segment is the customer's "segment" trait when the row was copied.
    // A survey.response carries its survey's key and its NPS (0–10), CSAT (1–5) and CES (1–7) scores. fcr is the
    // firstContactResolution attribute of a contact: 1, 0, or NULL when it does not say. ticket is the attributes.ticketId
    // that ties a ticket's touchpoints together; cost is an attributes.cost amount, in the row's currency; wait_seconds
    // and resolved are a contact's waitSeconds and resolved attributes (resolved 1, 0 or NULL), which promises test.
    // customer_id is as first copied and never updated; customer_map gives the live profile, and live_id holds it on
    // each row once the customer facts are refreshed (CustomerFacts: until then it is customer_id). The columns after
    // live_id are facts of the live customer's whole history, written on each of their rows by CustomerFacts so that
    // per-customer metrics read single rows instead of grouping millions of them; subscription_spans is the same for
    // subscriptions.
    // texts and text_themes hold the analyses of touchpoint texts (issue 5), one row per analysed interaction (by its seq;
    // flags comma-separated) and one per theme found in it, each with its touchpoint's columns that filters and slices
    // read (so text metrics need no join with interactions); copied by the analysis id, which grows with every
    // (re-)analysis, replacing a seq's earlier rows. text_incoming and theme_incoming stage a chunk.
    // customer_traits holds each live profile's attributes as text (a JSON string unquoted, other scalars as JSON),
    // current as of traits_seq and traits_merges_seq: see AnalyticsStore.RefreshTraits.
    private const string Create = """
        CREATE TABLE interactions (
            seq BIGINT NOT NULL,
            workspace_id BIGINT NOT NULL,
            customer_id BIGINT NOT NULL,
            occurred_at TIMESTAMP NOT NULL,
            department VARCHAR NOT NULL,
            channel VARCHAR NOT NULL,
            type VARCHAR NOT NULL,
            value DECIMAL(18, 4) NOT NULL,
            currency VARCHAR,
            campaign VARCHAR,
            sales_rep VARCHAR,
            team VARCHAR,
            agent VARCHAR,
            handle_seconds INTEGER,
            segment VARCHAR,
            survey VARCHAR,
            nps INTEGER,
            csat INTEGER,
            ces INTEGER,
            fcr INTEGER,
            ticket VARCHAR,
            cost DECIMAL(18, 4),
            wait_seconds INTEGER,
            resolved INTEGER,
            live_id BIGINT NOT NULL,
            first_seen TIMESTAMP,
            first_paid TIMESTAMP,
            first_money TIMESTAMP,
            marks BIGINT NOT NULL,
            paid_marks BIGINT NOT NULL,
            worth_currency VARCHAR,
            worth_day DOUBLE,
            worth_week DOUBLE,
            worth_month DOUBLE,
            worth_quarter DOUBLE,
            touch_campaign VARCHAR,
            touch_channel VARCHAR
        );
        CREATE TABLE subscription_spans (
            workspace_id BIGINT NOT NULL,
            live_id BIGINT NOT NULL,
            started TIMESTAMP NOT NULL,
            ended TIMESTAMP,
            department VARCHAR NOT NULL,
            channel VARCHAR NOT NULL,
            type VARCHAR NOT NULL,
            team VARCHAR,
            agent VARCHAR,
            campaign VARCHAR,
            survey VARCHAR,
            segment VARCHAR
        );
        CREATE TABLE customer_merges (
            seq BIGINT NOT NULL,
            workspace_id BIGINT NOT NULL,
            survivor_id BIGINT NOT NULL,
            absorbed_id BIGINT NOT NULL,
            occurred_at TIMESTAMP NOT NULL
        );
        CREATE TABLE customer_map (
            workspace_id BIGINT NOT NULL,
            customer_id BIGINT NOT NULL,
            live_id BIGINT NOT NULL
        );
        CREATE TABLE customer_traits (
            workspace_id BIGINT NOT NULL,
            customer_id BIGINT NOT NULL,
            name VARCHAR NOT NULL,
            value VARCHAR NOT NULL
        );
        CREATE TABLE texts (
            seq BIGINT NOT NULL,
            workspace_id BIGINT NOT NULL,
            customer_id BIGINT NOT NULL,
            occurred_at TIMESTAMP NOT NULL,
            department VARCHAR NOT NULL,
            channel VARCHAR NOT NULL,
            type VARCHAR NOT NULL,
            team VARCHAR,
            agent VARCHAR,
            campaign VARCHAR,
            survey VARCHAR,
            segment VARCHAR,
            language VARCHAR NOT NULL,
            sentiment DOUBLE NOT NULL,
            flags VARCHAR NOT NULL
        );
        CREATE TABLE text_themes (
            seq BIGINT NOT NULL,
            workspace_id BIGINT NOT NULL,
            customer_id BIGINT NOT NULL,
            occurred_at TIMESTAMP NOT NULL,
            department VARCHAR NOT NULL,
            channel VARCHAR NOT NULL,
            type VARCHAR NOT NULL,
            team VARCHAR,
            agent VARCHAR,
            campaign VARCHAR,
            survey VARCHAR,
            segment VARCHAR,
            theme VARCHAR NOT NULL,
            sentiment DOUBLE NOT NULL
        );
        CREATE TABLE text_incoming (
            seq BIGINT NOT NULL,
            language VARCHAR NOT NULL,
            sentiment DOUBLE NOT NULL,
            flags VARCHAR NOT NULL
        );
        CREATE TABLE theme_incoming (
            seq BIGINT NOT NULL,
            theme VARCHAR NOT NULL,
            sentiment DOUBLE NOT NULL
        );
        CREATE TABLE sync_state (
            schema_version INTEGER NOT NULL,
            interactions_seq BIGINT NOT NULL,
            merges_seq BIGINT NOT NULL,
            customer_map_seq BIGINT NOT NULL,
            traits_seq BIGINT NOT NULL,
            traits_merges_seq BIGINT NOT NULL,
            texts_id BIGINT NOT NULL,
            facts_seq BIGINT NOT NULL,
            facts_map_seq BIGINT NOT NULL
        );
        """;

    // erasure_state holds the seq of the last customer erasure (issue 9) applied to this store (no row: none yet).
    // customer_predictions holds each scored customer's place among the workspace's customers by the latest model
    // run (AnalyticsStore.CopyPredictions), as attribute-like rows that metrics slice by; prediction_runs says which run
    // each workspace's rows came from; customer_scores holds the same run's scores themselves, which segments test
    // (version 13). Added after version 11 without a copy again: created where missing.
    private const string Additive = """
        CREATE TABLE IF NOT EXISTS customer_predictions (
            workspace_id BIGINT NOT NULL,
            customer_id BIGINT NOT NULL,
            name VARCHAR NOT NULL,
            value VARCHAR NOT NULL
        );
        CREATE TABLE IF NOT EXISTS customer_scores (
            workspace_id BIGINT NOT NULL,
            customer_id BIGINT NOT NULL,
            churn_risk DOUBLE,
            lifetime_value DOUBLE,
            probability_alive DOUBLE
        );
        CREATE TABLE IF NOT EXISTS prediction_runs (
            workspace_id BIGINT NOT NULL,
            run_id BIGINT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS erasure_state (
            erasures_seq BIGINT NOT NULL
        );
        """;

    private const string Drop = """
        DROP TABLE IF EXISTS erasure_state;
        DROP TABLE IF EXISTS customer_predictions;
        DROP TABLE IF EXISTS customer_scores;
        DROP TABLE IF EXISTS prediction_runs;
        DROP TABLE IF EXISTS interactions;
        DROP TABLE IF EXISTS subscription_spans;
        DROP TABLE IF EXISTS customer_merges;
        DROP TABLE IF EXISTS customer_map;
        DROP TABLE IF EXISTS customer_traits;
        DROP TABLE IF EXISTS texts;
        DROP TABLE IF EXISTS text_themes;
        DROP TABLE IF EXISTS text_incoming;
        DROP TABLE IF EXISTS theme_incoming;
        DROP TABLE IF EXISTS sync_state;
        """;

    /// <summary>
    /// Recomputes absorbed id → live id for every absorbed profile by following merge chains (A→B, B→C gives A→C).
    /// Only absorbed profiles have a row, so queries use <c>coalesce(live_id, customer_id)</c>. If a profile was
    /// absorbed twice (which the system of record should not allow) the latest merge wins, so the map stays a
    /// function; a cycle maps to nothing and its profiles count as themselves rather than looping.
    /// </summary>
    private const string RefreshMap = """
        DELETE FROM customer_map;
        INSERT INTO customer_map (workspace_id, customer_id, live_id)
        WITH RECURSIVE latest AS (
            SELECT m.workspace_id, m.absorbed_id, m.survivor_id
            FROM customer_merges m
            JOIN (SELECT workspace_id, absorbed_id, max(seq) AS seq
                  FROM customer_merges
                  GROUP BY workspace_id, absorbed_id) newest ON newest.seq = m.seq
        ),
        chain (workspace_id, customer_id, live_id, hops) AS (
            SELECT workspace_id, absorbed_id, survivor_id, 1 FROM latest
            UNION ALL
            SELECT chain.workspace_id, chain.customer_id, latest.survivor_id, chain.hops + 1
            FROM chain
            JOIN latest ON latest.workspace_id = chain.workspace_id AND latest.absorbed_id = chain.live_id
            WHERE chain.hops < 1000
        )
        SELECT workspace_id, customer_id, min(live_id)
        FROM chain
        WHERE NOT EXISTS (SELECT 1 FROM latest
                          WHERE latest.workspace_id = chain.workspace_id AND latest.absorbed_id = chain.live_id)
        GROUP BY workspace_id, customer_id;
        """;

    /// <summary>Creates the tables, dropping those of another schema version first.</summary>
    public static void Ensure(DuckDBConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM information_schema.tables WHERE table_name = 'sync_state'";
        if (Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0)
        {
            command.CommandText = "SELECT max(schema_version) FROM sync_state";
            if (command.ExecuteScalar() is int version && version == Version)
            {
                command.CommandText = Additive;
                command.ExecuteNonQuery();
                return;
            }
        }

        using var transaction = connection.BeginTransaction();
        command.Transaction = transaction;
        command.CommandText = Drop + Create + Additive;
        command.ExecuteNonQuery();
        command.CommandText = "INSERT INTO sync_state VALUES ($version, 0, 0, 0, 0, 0, 0, 0, 0)";
        command.Parameters.Add(new DuckDBParameter("version", Version));
        command.ExecuteNonQuery();
        transaction.Commit();
    }

    public static SyncState ReadState(DuckDBConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT interactions_seq, merges_seq, customer_map_seq, traits_seq, traits_merges_seq, texts_id, facts_seq, facts_map_seq FROM sync_state";
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            throw new InvalidOperationException("The analytics store has no sync_state row.");
        }

        return new SyncState(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7));
    }

    /// <summary>Writes the watermarks; runs inside the transaction that copied the rows they cover.</summary>
    public static void SaveState(DuckDBConnection connection, DuckDBTransaction transaction, SyncState state)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            UPDATE sync_state SET interactions_seq = $interactions, merges_seq = $merges, customer_map_seq = $map,
                                  traits_seq = $traits, traits_merges_seq = $traitsMerges, texts_id = $texts,
                                  facts_seq = $facts, facts_map_seq = $factsMap
            """;
        command.Parameters.Add(new DuckDBParameter("interactions", state.InteractionsSeq));
        command.Parameters.Add(new DuckDBParameter("merges", state.MergesSeq));
        command.Parameters.Add(new DuckDBParameter("map", state.CustomerMapSeq));
        command.Parameters.Add(new DuckDBParameter("traits", state.TraitsSeq));
        command.Parameters.Add(new DuckDBParameter("traitsMerges", state.TraitsMergesSeq));
        command.Parameters.Add(new DuckDBParameter("texts", state.TextsId));
        command.Parameters.Add(new DuckDBParameter("facts", state.FactsSeq));
        command.Parameters.Add(new DuckDBParameter("factsMap", state.FactsMapSeq));
        command.ExecuteNonQuery();
    }

    /// <summary>Brings customer_map up to the copied merges, and records that it did in the same transaction.</summary>
    public static SyncState RefreshCustomerMap(DuckDBConnection connection, SyncState state)
    {
        var refreshed = state with { CustomerMapSeq = state.MergesSeq };
        using var transaction = connection.BeginTransaction();
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = RefreshMap;
            command.ExecuteNonQuery();
        }

        SaveState(connection, transaction, refreshed);
        transaction.Commit();
        return refreshed;
    }
}

/// <param name="TraitsSeq">customer_traits is current for every customer with interactions up to this seq…</param>
/// <param name="TraitsMergesSeq">…and for every merge up to this one.</param>
/// <param name="TextsId">Text analyses are copied up to this analysis id.</param>
/// <param name="FactsSeq">Customer facts are current for every customer with interactions up to this seq…</param>
/// <param name="FactsMapSeq">…and for customer_map as of this merge.</param>
internal readonly record struct SyncState(
    long InteractionsSeq, long MergesSeq, long CustomerMapSeq, long TraitsSeq, long TraitsMergesSeq, long TextsId, long FactsSeq, long FactsMapSeq);
