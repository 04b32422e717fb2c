using Npgsql;
using NpgsqlTypes;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Profiles;
using OpenCxo.Data.Storage;

namespace OpenCxo.Data.Ingest;

/// <summary>
/// PostgreSQL's bulk path: set-based look-ups with arrays, binary COPY for new rows, one transaction per batch
/// under an advisory lock so that concurrent writers (several app instances, a CLI import) take turns.
/// </summary>
internal sealed class PostgresIngestStore(DatabaseLocation location) : IIngestStore
{
    /// <summary>Advisory lock key of the ingest writer ("OCXO" in ASCII).</summary>
    private const long IngestLockKey = 0x4F43584F;

    private static string Collated(string column) => column + " COLLATE \"C\"";

    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(location.ConnectionString);

    public async Task<IIngestBatch> BeginAsync(long workspaceId, CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            // Every look-up of the ingest path is a handful of keys against a large table. During a long import
            // the table grows faster than autovacuum's statistics, and a planner that still believes it small
            // scans it whole for every batch (14 of 36 s of a 1 M-event import): index paths only, in this transaction.
            await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({IngestLockKey}); SET LOCAL enable_seqscan = off", connection, transaction))
            {
                await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return new Batch(connection, transaction, workspaceId);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private sealed class Batch(NpgsqlConnection connection, NpgsqlTransaction transaction, long workspaceId) : IIngestBatch
    {
        private bool _done;

        private NpgsqlCommand Command(string sql)
        {
            var command = new NpgsqlCommand(sql, connection, transaction);
            command.Parameters.AddWithValue("w", workspaceId);
            return command;
        }

        public async Task<long> ReadGenerationAsync(CancellationToken cancellationToken)
        {
            await using var command = Command(IngestSql.ExistingGeneration);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long generation ? generation : 0;
        }

        public async Task<bool> LoadEventIdsAsync(EventIdFilter filter, int limit, CancellationToken cancellationToken)
        {
            await using (var command = Command(filter.Seq == 0
                ? "SELECT event_id FROM interactions WHERE workspace_id = @w LIMIT @limit"
                : "SELECT event_id FROM interactions WHERE seq > @seq AND workspace_id = @w LIMIT @limit"))
            {
                command.Parameters.AddWithValue("seq", filter.Seq);
                command.Parameters.AddWithValue("limit", limit + 1L);
                var read = 0;
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (++read > limit)
                    {
                        return false;
                    }

                    filter.Add(reader.GetString(0));
                }
            }

            filter.Seq = await MaxSeqAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }

        public async Task<long> MaxSeqAsync(CancellationToken cancellationToken)
        {
            await using var command = Command(IngestSql.MaxSeq);
            return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        public async Task<HashSet<string>> ExistingEventIdsAsync(IReadOnlyList<string> eventIds, CancellationToken cancellationToken)
        {
            await using var command = Command("SELECT event_id FROM interactions WHERE workspace_id = @w AND event_id = ANY(@ids)");
            command.Parameters.AddWithValue("ids", eventIds.ToArray());
            var found = new HashSet<string>(StringComparer.Ordinal);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                found.Add(reader.GetString(0));
            }

            return found;
        }

        public async Task LoadIdentitiesAsync(IReadOnlyCollection<IdentityKey> keys, IdentityGraph graph, CancellationToken cancellationToken)
        {
            if (keys.Count == 0)
            {
                return;
            }

            await using var command = Command("""
                SELECT k.kind, k.value, i.customer_id, c.first_seen, c.last_seen
                FROM unnest(@kinds, @values) AS k(kind, value)
                JOIN identities i ON i.workspace_id = @w AND i.kind = k.kind AND i.value = k.value
                JOIN customers c ON c.id = i.customer_id
                """);
            command.Parameters.AddWithValue("kinds", keys.Select(k => k.Kind).ToArray());
            command.Parameters.AddWithValue("values", keys.Select(k => k.Value).ToArray());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                graph.Remember(new IdentityKey(reader.GetString(0), reader.GetString(1)), reader.GetInt64(2), reader.GetDateTime(3), reader.GetDateTime(4));
            }
        }

        public async Task<long> MaxCustomerIdAsync(CancellationToken cancellationToken)
        {
            await using var command = Command(IngestSql.MaxCustomerId);
            return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        public async Task WriteAsync(IngestWrite write, CancellationToken cancellationToken)
        {
            if (write.Changes.NewCustomers.Count > 0)
            {
                using var copy = await connection.BeginBinaryImportAsync(
                    "COPY customers (id, workspace_id, first_seen, last_seen, created_at) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
                foreach (var customer in write.Changes.NewCustomers)
                {
                    copy.StartRow();
                    copy.Write(customer.Id, NpgsqlDbType.Bigint);
                    copy.Write(workspaceId, NpgsqlDbType.Bigint);
                    copy.Write(customer.Span.FirstSeen, NpgsqlDbType.TimestampTz);
                    copy.Write(customer.Span.LastSeen, NpgsqlDbType.TimestampTz);
                    copy.Write(write.ReceivedAt, NpgsqlDbType.TimestampTz);
                }

                await copy.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }

            foreach (var m in write.Changes.Merges)
            {
                await using var merge = Command(IngestSql.Merge(Collated));
                merge.Parameters.AddWithValue("s", m.SurvivorId);
                merge.Parameters.AddWithValue("a", m.AbsorbedId);
                merge.Parameters.AddWithValue("e", m.EventId);
                merge.Parameters.AddWithValue("o", NpgsqlDbType.TimestampTz, m.OccurredAt);
                merge.Parameters.AddWithValue("m", NpgsqlDbType.TimestampTz, write.ReceivedAt);
                await merge.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            if (write.Changes.NewIdentities.Count > 0)
            {
                using var copy = await connection.BeginBinaryImportAsync(
                    "COPY identities (workspace_id, kind, value, customer_id, created_at) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
                foreach (var (key, customerId) in write.Changes.NewIdentities)
                {
                    copy.StartRow();
                    copy.Write(workspaceId, NpgsqlDbType.Bigint);
                    copy.Write(key.Kind, NpgsqlDbType.Varchar);
                    copy.Write(key.Value, NpgsqlDbType.Varchar);
                    copy.Write(customerId, NpgsqlDbType.Bigint);
                    copy.Write(write.ReceivedAt, NpgsqlDbType.TimestampTz);
                }

                await copy.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }

            using (var copy = await connection.BeginBinaryImportAsync(
                "COPY interactions (workspace_id, event_id, customer_id, occurred_at, received_at, department, channel, type, value_e4, currency, text, attributes) FROM STDIN (FORMAT BINARY)",
                cancellationToken).ConfigureAwait(false))
            {
                for (var n = 0; n < write.Events.Count; n++)
                {
                    var e = write.Events[n];
                    copy.StartRow();
                    copy.Write(workspaceId, NpgsqlDbType.Bigint);
                    copy.Write(e.Id, NpgsqlDbType.Varchar);
                    copy.Write(write.Owners[n], NpgsqlDbType.Bigint);
                    copy.Write(e.OccurredAt, NpgsqlDbType.TimestampTz);
                    copy.Write(write.ReceivedAt, NpgsqlDbType.TimestampTz);
                    copy.Write(e.Department.Name(), NpgsqlDbType.Varchar);
                    copy.Write(e.Channel.Name(), NpgsqlDbType.Varchar);
                    copy.Write(e.Type, NpgsqlDbType.Varchar);
                    copy.Write(e.ValueE4, NpgsqlDbType.Bigint);
                    WriteNullable(copy, e.Currency, NpgsqlDbType.Varchar);
                    WriteNullable(copy, e.Text, NpgsqlDbType.Text);
                    WriteNullable(copy, e.AttributesJson, NpgsqlDbType.Text);
                }

                await copy.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        public async Task WriteProfilesAsync(ProfileWrite write, CancellationToken cancellationToken)
        {
            if (write.Traits.Count > 0)
            {
                await using var traits = Command($"""
                    INSERT INTO customer_traits (workspace_id, customer_id, name, value_json, observed_at)
                    SELECT @w, t.c, t.n, t.v, t.o FROM unnest(@c, @n, @v, @o) AS t(c, n, v, o)
                    {IngestSql.TraitUpsert(Collated)}
                    """);
                traits.Parameters.AddWithValue("c", write.Traits.Select(t => t.CustomerId).ToArray());
                traits.Parameters.AddWithValue("n", write.Traits.Select(t => t.Name).ToArray());
                traits.Parameters.AddWithValue("v", write.Traits.Select(t => t.ValueJson).ToArray());
                traits.Parameters.AddWithValue("o", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, write.Traits.Select(t => t.ObservedAt).ToArray());
                await traits.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            var spans = write.Spans;
            if (spans.Count > 0)
            {
                await using var update = Command("""
                    UPDATE customers c SET first_seen = LEAST(c.first_seen, u.f), last_seen = GREATEST(c.last_seen, u.l)
                    FROM unnest(@ids, @fs, @ls) AS u(id, f, l) WHERE c.id = u.id
                    """);
                update.Parameters.AddWithValue("ids", spans.Select(s => s.CustomerId).ToArray());
                update.Parameters.AddWithValue("fs", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, spans.Select(s => s.Span.FirstSeen).ToArray());
                update.Parameters.AddWithValue("ls", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, spans.Select(s => s.Span.LastSeen).ToArray());
                await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        private static void WriteNullable(NpgsqlBinaryImporter copy, string? value, NpgsqlDbType type)
        {
            if (value is null)
            {
                copy.WriteNull();
            }
            else
            {
                copy.Write(value, type);
            }
        }

        public async Task<long> CommitAsync(CancellationToken cancellationToken)
        {
            await using var command = Command(IngestSql.BumpGeneration);
            var generation = (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            _done = true;
            return generation;
        }

        public async Task RollbackAsync(CancellationToken cancellationToken)
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            _done = true;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_done)
            {
                await transaction.RollbackAsync().ConfigureAwait(false);
            }

            await transaction.DisposeAsync().ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
