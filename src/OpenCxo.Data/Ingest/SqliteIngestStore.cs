using System.Text.Json;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using OpenCxo.Core.Profiles;
using OpenCxo.Data.Storage;

namespace OpenCxo.Data.Ingest;

/// <summary>
/// SQLite's bulk path: one connection kept open with prepared single-row statements reused inside one
/// IMMEDIATE transaction per batch (measured faster than multi-row INSERTs, see FIELD-NOTES).
/// </summary>
internal sealed class SqliteIngestStore : IIngestStore
{
    private static string Binary(string column) => column;

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _exists;
    private readonly SqliteCommand _identity;
    private readonly SqliteCommand _insertCustomer;
    private readonly SqliteCommand _insertIdentity;
    private readonly sqlite3_stmt _insertInteraction;
    private readonly SqliteCommand _upsertTrait;
    private readonly SqliteCommand _span;
    private readonly SqliteCommand _merge;

    public SqliteIngestStore(DatabaseLocation location)
    {
        _connection = new SqliteConnection(location.ConnectionString);
        _connection.Open();
        SqlitePragmas.Apply(_connection);
        using (var pragmas = _connection.CreateCommand())
        {
            // The writer's own connection: a 64 MB page cache keeps the hot index pages in memory, and checkpointing
            // the WAL every 64 MB instead of every 4 MB saves most of the fsyncs of a long import.
            pragmas.CommandText = "PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 16384;";
            pragmas.ExecuteNonQuery();
        }
        // One statement per batch, the loop inside SQLite: per-row statements cost more in call overhead than in B-tree work.
        _exists = Command("""
            SELECT j.value FROM json_each(@ids) AS j
            WHERE EXISTS (SELECT 1 FROM interactions i WHERE i.workspace_id = @w AND i.event_id = j.value)
            """, "@w", "@ids");
        _identity = Command("""
            SELECT i.customer_id, c.first_seen, c.last_seen FROM identities i JOIN customers c ON c.id = i.customer_id
            WHERE i.workspace_id = @w AND i.kind = @k AND i.value = @v
            """, "@w", "@k", "@v");
        _insertCustomer = Command(
            "INSERT INTO customers (id, workspace_id, first_seen, last_seen, created_at) VALUES (@id, @w, @f, @l, @t)",
            "@id", "@w", "@f", "@l", "@t");
        _insertIdentity = Command(
            "INSERT INTO identities (workspace_id, kind, value, customer_id, created_at) VALUES (@w, @k, @v, @c, @t)",
            "@w", "@k", "@v", "@c", "@t");
        // The hottest statement goes straight to the sqlite3 API: ADO.NET's per-execution work (a data reader per
        // ExecuteNonQuery, boxed parameter values) cost a quarter of the insert time of a 1 M-event import.
        var rc = raw.sqlite3_prepare_v2(_connection.Handle, """
            INSERT INTO interactions (workspace_id, event_id, customer_id, occurred_at, received_at, department, channel, type, value_e4, currency, text, attributes)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
            """, out _insertInteraction);
        SqliteException.ThrowExceptionForRC(rc, _connection.Handle);
        _upsertTrait = Command(IngestSql.InsertTrait(Binary), "@w", "@c", "@n", "@v", "@t");
        _span = Command(
            "UPDATE customers SET first_seen = min(first_seen, @f), last_seen = max(last_seen, @l) WHERE id = @id",
            "@f", "@l", "@id");
        _merge = Command(IngestSql.Merge(Binary), "@w", "@s", "@a", "@e", "@o", "@m");
    }

    private SqliteCommand Command(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter(name, null));
        }

        return command;
    }

    public Task<IIngestBatch> BeginAsync(long workspaceId, CancellationToken cancellationToken)
    {
        // IMMEDIATE: take the write lock now, so that reads made for resolution cannot go stale before the commit.
        var transaction = _connection.BeginTransaction(deferred: false);
        return Task.FromResult<IIngestBatch>(new Batch(this, transaction, workspaceId));
    }

    public ValueTask DisposeAsync()
    {
        _insertInteraction.Dispose();
        foreach (var command in new[] { _exists, _identity, _insertCustomer, _insertIdentity, _upsertTrait, _span, _merge })
        {
            command.Dispose();
        }

        return _connection.DisposeAsync();
    }

    private sealed class Batch(SqliteIngestStore store, SqliteTransaction transaction, long workspaceId) : IIngestBatch
    {
        private bool _done;

        private SqliteCommand Use(SqliteCommand command)
        {
            command.Transaction = transaction;
            return command;
        }

        private SqliteCommand Ad(string sql)
        {
            var command = store._connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            command.Parameters.AddWithValue("@w", workspaceId);
            return command;
        }

        public Task<long> ReadGenerationAsync(CancellationToken cancellationToken)
        {
            using var command = Ad(IngestSql.ExistingGeneration);
            return Task.FromResult(command.ExecuteScalar() is long generation ? generation : 0);
        }

        public Task<bool> LoadEventIdsAsync(EventIdFilter filter, int limit, CancellationToken cancellationToken)
        {
            // A first build reads the covering event-id index; a catch-up reads rows by seq (the rowid).
            using var command = Ad(filter.Seq == 0
                ? "SELECT event_id FROM interactions WHERE workspace_id = @w LIMIT @limit"
                : "SELECT event_id FROM interactions WHERE seq > @seq AND +workspace_id = @w LIMIT @limit");
            command.Parameters.AddWithValue("@seq", filter.Seq);
            command.Parameters.AddWithValue("@limit", limit + 1L);
            var read = 0;
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    if (++read > limit)
                    {
                        return Task.FromResult(false);
                    }

                    filter.Add(reader.GetString(0));
                }
            }

            filter.Seq = MaxSeq();
            return Task.FromResult(true);
        }

        public Task<long> MaxSeqAsync(CancellationToken cancellationToken) => Task.FromResult(MaxSeq());

        private long MaxSeq()
        {
            using var command = Ad(IngestSql.MaxSeq);
            return (long)command.ExecuteScalar()!;
        }

        public Task<HashSet<string>> ExistingEventIdsAsync(IReadOnlyList<string> eventIds, CancellationToken cancellationToken)
        {
            var exists = Use(store._exists);
            exists.Parameters[0].Value = workspaceId;
            exists.Parameters[1].Value = JsonSerializer.Serialize(eventIds);
            var found = new HashSet<string>(StringComparer.Ordinal);
            using var reader = exists.ExecuteReader();
            while (reader.Read())
            {
                found.Add(reader.GetString(0));
            }

            return Task.FromResult(found);
        }

        public Task LoadIdentitiesAsync(IReadOnlyCollection<IdentityKey> keys, IdentityGraph graph, CancellationToken cancellationToken)
        {
            // Keys are mostly known to the cached graph, so few look-ups remain; a prepared statement each is cheapest.
            var lookup = Use(store._identity);
            lookup.Parameters[0].Value = workspaceId;
            foreach (var key in keys)
            {
                lookup.Parameters[1].Value = key.Kind;
                lookup.Parameters[2].Value = key.Value;
                using var reader = lookup.ExecuteReader();
                if (reader.Read())
                {
                    graph.Remember(key, reader.GetInt64(0), UnixMicros.ToDateTime(reader.GetInt64(1)), UnixMicros.ToDateTime(reader.GetInt64(2)));
                }
            }

            return Task.CompletedTask;
        }

        public Task<long> MaxCustomerIdAsync(CancellationToken cancellationToken)
        {
            using var command = Ad(IngestSql.MaxCustomerId);
            return Task.FromResult((long)command.ExecuteScalar()!);
        }

        public Task WriteAsync(IngestWrite write, CancellationToken cancellationToken)
        {
            var received = UnixMicros.From(write.ReceivedAt);

            var insertCustomer = Use(store._insertCustomer);
            foreach (var customer in write.Changes.NewCustomers)
            {
                insertCustomer.Parameters[0].Value = customer.Id;
                insertCustomer.Parameters[1].Value = workspaceId;
                insertCustomer.Parameters[2].Value = UnixMicros.From(customer.Span.FirstSeen);
                insertCustomer.Parameters[3].Value = UnixMicros.From(customer.Span.LastSeen);
                insertCustomer.Parameters[4].Value = received;
                insertCustomer.ExecuteNonQuery();
            }

            var merge = Use(store._merge);
            foreach (var m in write.Changes.Merges)
            {
                merge.Parameters[0].Value = workspaceId;
                merge.Parameters[1].Value = m.SurvivorId;
                merge.Parameters[2].Value = m.AbsorbedId;
                merge.Parameters[3].Value = m.EventId;
                merge.Parameters[4].Value = UnixMicros.From(m.OccurredAt);
                merge.Parameters[5].Value = received;
                merge.ExecuteNonQuery();
            }

            var insertIdentity = Use(store._insertIdentity);
            foreach (var (key, customerId) in write.Changes.NewIdentities)
            {
                insertIdentity.Parameters[0].Value = workspaceId;
                insertIdentity.Parameters[1].Value = key.Kind;
                insertIdentity.Parameters[2].Value = key.Value;
                insertIdentity.Parameters[3].Value = customerId;
                insertIdentity.Parameters[4].Value = received;
                insertIdentity.ExecuteNonQuery();
            }

            var insert = store._insertInteraction;
            var db = store._connection.Handle;
            for (var n = 0; n < write.Events.Count; n++)
            {
                var e = write.Events[n];
                raw.sqlite3_bind_int64(insert, 1, workspaceId);
                BindText(insert, 2, e.Id);
                raw.sqlite3_bind_int64(insert, 3, write.Owners[n]);
                raw.sqlite3_bind_int64(insert, 4, UnixMicros.From(e.OccurredAt));
                raw.sqlite3_bind_int64(insert, 5, received);
                BindText(insert, 6, Core.Ingest.Vocabulary.Name(e.Department));
                BindText(insert, 7, Core.Ingest.Vocabulary.Name(e.Channel));
                BindText(insert, 8, e.Type);
                raw.sqlite3_bind_int64(insert, 9, e.ValueE4);
                BindText(insert, 10, e.Currency);
                BindText(insert, 11, e.Text);
                BindText(insert, 12, e.AttributesJson);
                var rc = raw.sqlite3_step(insert);
                raw.sqlite3_reset(insert);
                if (rc != raw.SQLITE_DONE)
                {
                    SqliteException.ThrowExceptionForRC(rc, db);
                }
            }

            return Task.CompletedTask;
        }

        public Task WriteProfilesAsync(ProfileWrite write, CancellationToken cancellationToken)
        {
            var trait = Use(store._upsertTrait);
            foreach (var t in write.Traits)
            {
                trait.Parameters[0].Value = workspaceId;
                trait.Parameters[1].Value = t.CustomerId;
                trait.Parameters[2].Value = t.Name;
                trait.Parameters[3].Value = t.ValueJson;
                trait.Parameters[4].Value = UnixMicros.From(t.ObservedAt);
                trait.ExecuteNonQuery();
            }

            var span = Use(store._span);
            foreach (var (customerId, s) in write.Spans)
            {
                span.Parameters[0].Value = UnixMicros.From(s.FirstSeen);
                span.Parameters[1].Value = UnixMicros.From(s.LastSeen);
                span.Parameters[2].Value = customerId;
                span.ExecuteNonQuery();
            }

            return Task.CompletedTask;
        }

        private static void BindText(sqlite3_stmt statement, int index, string? value)
        {
            if (value is null)
            {
                raw.sqlite3_bind_null(statement, index);
            }
            else
            {
                raw.sqlite3_bind_text(statement, index, value);
            }
        }

        public Task<long> CommitAsync(CancellationToken cancellationToken)
        {
            using var command = Ad(IngestSql.BumpGeneration);
            var generation = (long)command.ExecuteScalar()!;
            transaction.Commit();
            _done = true;
            return Task.FromResult(generation);
        }

        public Task RollbackAsync(CancellationToken cancellationToken)
        {
            transaction.Rollback();
            _done = true;
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            if (!_done)
            {
                transaction.Rollback();
            }

            transaction.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
