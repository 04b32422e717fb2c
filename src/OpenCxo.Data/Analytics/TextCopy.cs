using System.Data.Common;
using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;
using Microsoft.EntityFrameworkCore;

namespace OpenCxo.Data.Analytics;

public sealed partial class AnalyticsStore
{
    /// <summary>
    /// Copies text analyses written since the last copy, chunk by chunk, each chunk and its watermark in one DuckDB
    /// transaction. An analysis replaces what the store held for its touchpoint (a re-analysis), so the chunk's seqs
    /// are staged and their old rows deleted first. Returns the analyses copied.
    /// </summary>
    private (SyncState State, long Copied) CopyTexts(DuckDBConnection store, SyncState state, CancellationToken ct)
    {
        var copied = 0L;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var chunk = ReadAnalyses(state.TextsId, state.InteractionsSeq);
            if (chunk.Count == 0)
            {
                return (state, copied);
            }

            state = state with { TextsId = chunk[^1].Id };
            using var transaction = store.BeginTransaction();
            using (var texts = store.CreateAppender("text_incoming"))
            {
                foreach (var row in chunk)
                {
                    texts.CreateRow().AppendValue(row.Seq).AppendValue(row.Language).AppendValue(row.Sentiment).AppendValue(row.Flags).EndRow();
                }
            }

            using (var themes = store.CreateAppender("theme_incoming"))
            {
                foreach (var row in chunk)
                {
                    foreach (var (theme, sentiment) in row.Themes)
                    {
                        themes.CreateRow().AppendValue(row.Seq).AppendValue(theme).AppendValue(sentiment).EndRow();
                    }
                }
            }

            // The touchpoint's own columns come from the store's copy of it: copied before its analysis, always.
            using (var command = store.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = """
                    DELETE FROM texts WHERE seq IN (SELECT seq FROM text_incoming);
                    DELETE FROM text_themes WHERE seq IN (SELECT seq FROM text_incoming);
                    INSERT INTO texts
                        SELECT x.seq, i.workspace_id, i.customer_id, i.occurred_at, i.department, i.channel, i.type, i.team, i.agent, i.campaign,
                               i.survey, i.segment, x.language, x.sentiment, x.flags
                        FROM text_incoming x JOIN interactions i ON i.seq = x.seq
                        WHERE i.seq BETWEEN (SELECT min(seq) FROM text_incoming) AND (SELECT max(seq) FROM text_incoming);
                    INSERT INTO text_themes
                        SELECT t.seq, i.workspace_id, i.customer_id, i.occurred_at, i.department, i.channel, i.type, i.team, i.agent, i.campaign,
                               i.survey, i.segment, t.theme, t.sentiment
                        FROM theme_incoming t JOIN interactions i ON i.seq = t.seq
                        WHERE i.seq BETWEEN (SELECT min(seq) FROM text_incoming) AND (SELECT max(seq) FROM text_incoming);
                    DELETE FROM text_incoming;
                    DELETE FROM theme_incoming;
                    """;
                command.ExecuteNonQuery();
            }

            AnalyticsSchema.SaveState(store, transaction, state);
            transaction.Commit();
            copied += chunk.Count;
        }
    }

    /// <summary>
    /// The next analyses by id, stopping before the first whose touchpoint the store has not copied yet (one ingested
    /// after this sync began): the next sync takes it, with its touchpoint.
    /// </summary>
    private List<CopiedAnalysis> ReadAnalyses(long afterId, long copiedThrough)
    {
        using var db = _source.CreateDbContext();
        db.Database.OpenConnection();
        using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = """
            SELECT id, interaction_seq, workspace_id, language, sentiment, themes, flags
            FROM text_analyses
            WHERE id > @after
            ORDER BY id
            LIMIT 50000
            """;
        AddParameter(command, "@after", afterId);
        var rows = new List<CopiedAnalysis>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (reader.GetInt64(1) > copiedThrough)
            {
                break;
            }

            rows.Add(new CopiedAnalysis(
                reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3), reader.GetDouble(4),
                Themes(reader.GetString(5)), FlagKeys(reader.GetString(6))));
        }

        return rows;
    }

    /// <summary>(key, sentiment) of each stored theme: <c>[{"key":"billing","sentiment":-0.42,"spans":[[12,7]]}]</c>.</summary>
    private static List<(string Key, double Sentiment)> Themes(string json)
    {
        var themes = new List<(string, double)>();
        using var document = JsonDocument.Parse(json);
        foreach (var theme in document.RootElement.EnumerateArray())
        {
            themes.Add((theme.GetProperty("key").GetString()!, theme.TryGetProperty("sentiment", out var s) ? s.GetDouble() : 0));
        }

        return themes;
    }

    /// <summary>The keys of the stored flags, comma-separated (keys are a-z, 0-9 and _).</summary>
    private static string FlagKeys(string json)
    {
        using var document = JsonDocument.Parse(json);
        var keys = new StringBuilder();
        foreach (var flag in document.RootElement.EnumerateArray())
        {
            keys.Append(keys.Length == 0 ? "" : ",").Append(flag.GetProperty("key").GetString());
        }

        return keys.ToString();
    }

    private sealed record CopiedAnalysis(long Id, long Seq, long WorkspaceId, string Language, double Sentiment, List<(string Key, double Sentiment)> Themes, string Flags);
}
