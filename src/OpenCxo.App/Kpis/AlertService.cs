using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using MathNet.Numerics.Distributions;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using OpenCxo.App.Alignment;
using OpenCxo.App.Hosting;
using OpenCxo.Core.Ingest;
using OpenCxo.Core.Metrics;
using OpenCxo.Data.Analytics;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Kpis;

/// <summary>An alert as the UI and API show it.</summary>
public sealed record AlertView(long Id, string Rule, string RuleName, string Subject, DateTime FiredAt, string Summary, JsonObject Detail, DateTime? AcknowledgedAt, string? AcknowledgedBy);

/// <summary>
/// Alert rules: stored definitions, their evaluation (each breach raised once: (rule, dedupe key) is unique, and a
/// quiet period per rule and slice), and delivery by e-mail and webhook with retries and backoff.
/// </summary>
public sealed partial class AlertService(
    CxoDbFactory databases, AnalyticsStore store, KpiService kpis, PromiseService promises, SmtpMailer mail, IHttpClientFactory http, TimeProvider time,
    ILogger<AlertService> logger)
{
    /// <summary>Deliveries are tried this many times, waiting 1, 2, 4 … minutes between tries, then given up.</summary>
    public const int MaxAttempts = 8;

    /// <summary>How long a claimed delivery is held by the run that claimed it, should that run die before recording it.</summary>
    public static readonly TimeSpan ClaimLease = TimeSpan.FromMinutes(10);

    public async Task<IReadOnlyList<(AlertRuleRow Row, AlertRuleDefinition Definition)>> RulesAsync(long workspaceId, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var rows = await db.AlertRules.AsNoTracking().Where(r => r.WorkspaceId == workspaceId).OrderBy(r => r.Key).ToListAsync(ct).ConfigureAwait(false);
        return [.. rows.Select(r => (r, Parse(r)))];
    }

    public async Task<Saved> SaveRuleAsync(long workspaceId, AlertRuleDefinition rule, string by, bool replace, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var errors = rule.Check();
        await using var db = databases.CreateDbContext();
        if (errors.Count == 0 && rule.Kpi is not null)
        {
            var kpi = await kpis.GetAsync(workspaceId, rule.Kpi, ct).ConfigureAwait(false);
            if (kpi is null)
            {
                errors.Add(new FieldError("kpi", $"'{rule.Kpi}' is not a KPI of this workspace"));
            }
            else if (rule.Condition.Kind == AlertKind.Change && !AlertRuleDefinition.Testable(kpi.Value.Definition.MetricDefinition))
            {
                errors.Add(new FieldError("condition.kind", AlertRuleDefinition.MoneyHasNoChange));
            }
        }

        if (errors.Count == 0 && rule.Promise is not null && await promises.GetAsync(workspaceId, rule.Promise, ct).ConfigureAwait(false) is null)
        {
            errors.Add(new FieldError("promise", $"'{rule.Promise}' is not a promise of this workspace"));
        }

        if (errors.Count == 0 && rule.Metric is not null && KpiReadings.CheckQuery(rule.Metric, rule.By, rule.Filters ?? new KpiFilters(), null) is { } query)
        {
            errors.Add(query);
        }

        if (errors.Count == 0 && rule.Notify?.Email is { Count: > 0 } && !mail.Configured)
        {
            errors.Add(new FieldError("notify.email", SmtpMailer.NotConfigured));
        }

        if (errors.Count > 0)
        {
            return new Saved(errors);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var row = await db.AlertRules.FirstOrDefaultAsync(r => r.WorkspaceId == workspaceId && r.Key == rule.Key, ct).ConfigureAwait(false);
        if (row is not null && !replace)
        {
            return new Saved([new FieldError("key", $"an alert rule '{rule.Key}' exists: PUT /api/v1/alert-rules/{rule.Key} replaces it")], Conflict: true);
        }

        var created = row is null;
        if (row is null)
        {
            row = new AlertRuleRow { WorkspaceId = workspaceId, Key = rule.Key, DefinitionJson = "", UpdatedBy = by, CreatedAt = now };
            db.AlertRules.Add(row);
        }

        row.DefinitionJson = JsonSerializer.Serialize(rule, AlertRuleDefinition.Json);
        row.Enabled = rule.Enabled;
        row.UpdatedAt = now;
        row.UpdatedBy = by;
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException) when (created)
        {
            // Another request created the same key between the check and the insert.
            return new Saved([new FieldError("key", $"an alert rule '{rule.Key}' was created at the same time: ask again")], Conflict: true);
        }

        return new Saved([], created);
    }

    public async Task<bool> DeleteRuleAsync(long workspaceId, string key, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var row = await db.AlertRules.FirstOrDefaultAsync(r => r.WorkspaceId == workspaceId && r.Key == key, ct).ConfigureAwait(false);
        if (row is null)
        {
            return false;
        }

        // Its alerts and their deliveries go with it (ON DELETE CASCADE); a tracked delete, so the audit log records it.
        db.AlertRules.Remove(row);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// The workspace's alerts, newest first; only those not acknowledged when <paramref name="open"/>, only those raised
    /// in [<paramref name="since"/>, <paramref name="until"/>) when given.
    /// </summary>
    public async Task<IReadOnlyList<AlertView>> AlertsAsync(long workspaceId, bool open, int limit, CancellationToken ct, DateTime? since = null, DateTime? until = null)
    {
        await using var db = databases.CreateDbContext();
        var query = from a in db.Alerts.AsNoTracking()
                    join r in db.AlertRules.AsNoTracking() on a.RuleId equals r.Id
                    where a.WorkspaceId == workspaceId && (!open || a.AcknowledgedAt == null) && (since == null || a.FiredAt >= since) && (until == null || a.FiredAt < until)
                    orderby a.Id descending
                    select new { a, r.Key, r.DefinitionJson };
        var rows = await query.Take(Math.Clamp(limit, 1, 1000)).ToListAsync(ct).ConfigureAwait(false);
        return [.. rows.Select(x => new AlertView(
            x.a.Id, x.Key, JsonSerializer.Deserialize<AlertRuleDefinition>(x.DefinitionJson, AlertRuleDefinition.Json)!.Name, x.a.Subject, x.a.FiredAt, x.a.Summary,
            JsonNode.Parse(x.a.DetailJson)!.AsObject(), x.a.AcknowledgedAt, x.a.AcknowledgedBy))];
    }

    public async Task<bool> AcknowledgeAsync(long workspaceId, long id, string by, CancellationToken ct)
    {
        await using var db = databases.CreateDbContext();
        var now = time.GetUtcNow().UtcDateTime;
        return await db.Alerts.Where(a => a.WorkspaceId == workspaceId && a.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.AcknowledgedAt, a => a.AcknowledgedAt ?? now).SetProperty(a => a.AcknowledgedBy, a => a.AcknowledgedBy ?? by), ct)
            .ConfigureAwait(false) > 0;
    }

    /// <summary>Evaluates every enabled rule (of one workspace, or all); answers how many alerts it raised.</summary>
    public async Task<int> EvaluateAsync(long? workspaceId, CancellationToken ct)
    {
        await store.SyncAsync(ct).ConfigureAwait(false);
        List<AlertRuleRow> rules;
        await using (var db = databases.CreateDbContext())
        {
            rules = await db.AlertRules.AsNoTracking().Where(r => r.Enabled && (workspaceId == null || r.WorkspaceId == workspaceId)).ToListAsync(ct).ConfigureAwait(false);
        }

        var raised = 0;
        foreach (var row in rules)
        {
            var rule = Parse(row);
            IReadOnlyList<Breach> breaches;
            try
            {
                breaches = await BreachesAsync(row, rule, ct).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                LogRuleFailed(logger, row.Key, e.Message);
                continue;
            }

            foreach (var breach in breaches)
            {
                raised += await RaiseAsync(row, rule, breach, ct).ConfigureAwait(false) ? 1 : 0;
            }
        }

        return raised;
    }

    /// <summary>What a rule found: the slice it is about, the window, a one-line summary and the figures.</summary>
    private sealed record Breach(string Subject, string Window, string Summary, JsonObject Detail);

    private async Task<IReadOnlyList<Breach>> BreachesAsync(AlertRuleRow row, AlertRuleDefinition rule, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        if (rule.Promise is not null)
        {
            return await PromiseBreachesAsync(row.WorkspaceId, rule, today, ct).ConfigureAwait(false);
        }

        KpiDefinition? kpi = null;
        if (rule.Kpi is not null)
        {
            kpi = (await kpis.GetAsync(row.WorkspaceId, rule.Kpi, ct).ConfigureAwait(false))?.Definition;
            if (kpi is null)
            {
                throw new ArgumentException($"its KPI {rule.Kpi} no longer exists");
            }
        }

        var metric = kpi?.Metric ?? rule.Metric!;
        var definition = MetricCatalogue.Find(metric)!;
        var direction = kpi?.EffectiveDirection ?? (definition.HigherIsBetter ? KpiDirection.AtLeast : KpiDirection.AtMost);
        var by = kpi?.By ?? rule.By;
        var filters = kpi?.EffectiveFilters ?? rule.Filters ?? new KpiFilters();
        var minimumN = rule.MinimumN ?? kpi?.EffectiveMinimumN ?? KpiDefinition.MinimumNOf(definition);
        bool Mine(string? key) => kpi is null || key == kpi.Slice;
        string Subject(string? key) => kpi is not null ? "" : key ?? "";
        string Name(string? key) => (kpi?.Name ?? definition.Title.En) + (kpi is null && key is not null ? $" ({by} {key})" : "");
        var breaches = new List<Breach>();
        var c = rule.Condition;

        if (c.Kind == AlertKind.Status)
        {
            var state = await kpis.StateAsync(row.WorkspaceId, kpi!.Key, ct).ConfigureAwait(false);
            var wanted = c.Statuses is { Count: > 0 } s ? s : [KpiStatus.OffTrack];
            if (state is not null && wanted.Contains(state.Status))
            {
                var period = KpiRules.Label(KpiRules.PeriodOf(today, kpi.EffectivePeriod).From, kpi.EffectivePeriod);
                breaches.Add(new Breach("", period + "|" + KpiService.StatusName(state.Status),
                    $"{kpi.Name} is {Words(state.Status)}: {Format(state.Reading?.Value)} against a target of {Format(state.Target.Value)}",
                    Figures(state.Reading, state.Target.Value, state.From, state.To)));
            }

            return breaches;
        }

        var (from, to) = Window(today, rule.Window);
        var label = WindowLabel(from, rule.Window);
        var currency = kpi?.Currency;
        var now = await KpiReadings.CellsAsync(store, row.WorkspaceId, metric, by, filters, from, to, ct, currency).ConfigureAwait(false);
        switch (c.Kind)
        {
            case AlertKind.Threshold:
                foreach (var (key, reading) in now.Where(x => Mine(x.Key) && x.Reading.N >= minimumN))
                {
                    if (c.Above is { } above && reading.Value > above || c.Below is { } below && reading.Value < below)
                    {
                        var side = c.Above is { } a && reading.Value > a ? $"above {Format(a)}" : $"below {Format(c.Below)}";
                        breaches.Add(new Breach(Subject(key), label, $"{Name(key)} was {Format(reading.Value)} in {label}, {side}", Figures(reading, null, from, to)));
                    }
                }

                break;
            case AlertKind.Change:
                var (beforeFrom, beforeTo) = Window(from, rule.Window);
                var before = (await KpiReadings.CellsAsync(store, row.WorkspaceId, metric, by, filters, beforeFrom, beforeTo, ct, currency).ConfigureAwait(false))
                    .ToDictionary(x => x.Key ?? "\0", x => x.Reading, StringComparer.Ordinal);
                foreach (var (key, reading) in now.Where(x => Mine(x.Key) && x.Reading.N >= minimumN))
                {
                    if (!before.TryGetValue(key ?? "\0", out var earlier) || earlier.N < minimumN
                        || KpiRules.ChangePValue(reading, earlier, definition.Kind) is not { } p || p >= (c.PValue ?? AlertRuleDefinition.DefaultPValue))
                    {
                        continue;
                    }

                    var worse = direction == KpiDirection.AtLeast ? reading.Value < earlier.Value : reading.Value > earlier.Value;
                    if (worse)
                    {
                        var detail = Figures(reading, null, from, to);
                        detail["previous"] = KpiJson.Round(earlier.Value);
                        detail["previousN"] = earlier.N;
                        detail["pValue"] = Math.Round(p, 6);
                        breaches.Add(new Breach(Subject(key), label,
                            $"{Name(key)} {(reading.Value < earlier.Value ? "fell" : "rose")} to {Format(reading.Value)} in {label} from {Format(earlier.Value)} (p = {p.ToString("0.####", CultureInfo.InvariantCulture)})", detail));
                    }
                }

                break;
            default:
                var weeks = c.Weeks ?? AlertRuleDefinition.DefaultWeeks;
                var history = new List<IReadOnlyList<(string? Key, KpiReading Reading)>>();
                for (var w = 1; w <= weeks; w++)
                {
                    var day = from.AddDays(-7 * w);
                    history.Add(await KpiReadings.CellsAsync(store, row.WorkspaceId, metric, by, filters, day, day, ct, currency).ConfigureAwait(false));
                }

                foreach (var (key, reading) in now.Where(x => Mine(x.Key) && x.Reading.N >= minimumN))
                {
                    var references = history.Select(h => h.FirstOrDefault(x => x.Key == key).Reading).OfType<KpiReading>()
                        .Where(r => r.N >= minimumN).Select(r => r.Value).ToList();
                    if (KpiRules.RobustZ(reading.Value, references) is not { } z)
                    {
                        continue;
                    }

                    var bad = direction == KpiDirection.AtLeast ? -z : z;
                    if (bad >= (c.Z ?? AlertRuleDefinition.DefaultZ))
                    {
                        var detail = Figures(reading, null, from, to);
                        detail["median"] = KpiJson.Round(TargetStatistic.Median.Of(references));
                        detail["references"] = new JsonArray([.. references.Select(r => (JsonNode?)KpiJson.Round(r))]);
                        detail["z"] = double.IsFinite(z) ? Math.Round(z, 3) : null;
                        breaches.Add(new Breach(Subject(key), label,
                            $"{Name(key)} was {Format(reading.Value)} on {from:ddd yyyy-MM-dd}, against a median of {Format(TargetStatistic.Median.Of(references))} on the {references.Count} previous {from:dddd}s",
                            detail));
                    }
                }

                break;
        }

        return breaches;
    }

    /// <summary>A promise whose status is one the rule names (off track by default), once per ISO week and status.</summary>
    private async Task<IReadOnlyList<Breach>> PromiseBreachesAsync(long workspaceId, AlertRuleDefinition rule, DateOnly today, CancellationToken ct)
    {
        var promise = await promises.GetAsync(workspaceId, rule.Promise!, ct).ConfigureAwait(false)
            ?? throw new ArgumentException($"its promise {rule.Promise} no longer exists");
        if (!promise.Enabled)
        {
            return [];
        }

        var state = await promises.StateAsync(workspaceId, promise, ct).ConfigureAwait(false);
        var wanted = rule.Condition.Statuses is { Count: > 0 } s ? s : [KpiStatus.OffTrack];
        if (!wanted.Contains(state.Status))
        {
            return [];
        }

        var rate = state.Whole.Rate;
        var detail = Figures(new KpiReading(rate.Value, rate.Low, rate.High, rate.N), promise.Target, state.From, state.To);
        detail["promise"] = promise.Key;
        detail["claim"] = promise.Claim;
        detail["marketingOwner"] = promise.MarketingOwner.Name;
        detail["serviceOwner"] = promise.ServiceOwner.Name;
        detail["shortfalls"] = new JsonArray([.. state.Shortfalls.Take(5).Select(f => (JsonNode)new JsonObject
        {
            ["slice"] = f.Slice,
            ["key"] = f.Key,
            ["value"] = KpiJson.Round(f.Rate.Value),
            ["low"] = KpiJson.Round(f.Rate.Low),
            ["high"] = KpiJson.Round(f.Rate.High),
            ["n"] = f.Rate.N,
        })]);
        var worst = state.Shortfalls.Count > 0 ? state.Shortfalls[0] : null;
        var where = worst is null ? "" : $"; worst {worst.Slice} {worst.Key}: {Format(worst.Rate.Value)} % kept of {worst.Rate.N}";
        return [new Breach("", KpiRules.Label(KpiRules.PeriodOf(today, KpiPeriod.Week).From, KpiPeriod.Week) + "|" + KpiService.StatusName(state.Status),
            $"\"{promise.Claim}\" is {Words(state.Status)}: kept {Format(rate.Value)} % of {rate.N} contacts from {state.From:yyyy-MM-dd} to {state.To:yyyy-MM-dd} against a target of {Format(promise.Target)} %{where}",
            detail)];
    }

    /// <summary>Stores the alert unless the same breach is stored already or the rule and slice are in their quiet period.</summary>
    private async Task<bool> RaiseAsync(AlertRuleRow row, AlertRuleDefinition rule, Breach breach, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        // Long slice names are kept whole in the keys through their hash, so two slices never share a key or a quiet period.
        var subject = breach.Subject.Length > 100
            ? breach.Subject[..60] + "…#" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(breach.Subject)))[..32]
            : breach.Subject;
        var dedupe = $"{rule.Condition.Kind}|{subject}|{breach.Window}";
        await using var db = databases.CreateDbContext();
        if (await db.Alerts.AnyAsync(a => a.RuleId == row.Id && a.DedupeKey == dedupe, ct).ConfigureAwait(false))
        {
            return false;
        }

        var quietSince = now.AddHours(-rule.QuietHours);
        if (await db.Alerts.AnyAsync(a => a.RuleId == row.Id && a.Subject == subject && a.FiredAt > quietSince, ct).ConfigureAwait(false))
        {
            return false;
        }

        breach.Detail["rule"] = rule.Key;
        var summary = rule.Name + ": " + breach.Summary;
        var alert = new AlertRow
        {
            WorkspaceId = row.WorkspaceId,
            RuleId = row.Id,
            DedupeKey = dedupe,
            Subject = subject,
            FiredAt = now,
            Summary = summary.Length > 500 ? summary[..500] : summary,
            DetailJson = breach.Detail.ToJsonString(),
        };
        await using var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        db.Alerts.Add(alert);
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // Another server raised the same breach first.
            return false;
        }

        foreach (var address in rule.Notify?.Email ?? [])
        {
            db.AlertDeliveries.Add(new AlertDeliveryRow { AlertId = alert.Id, WorkspaceId = row.WorkspaceId, Channel = "email", Target = address, NextAttemptAt = now });
        }

        if (rule.Notify?.Webhook is { } hook)
        {
            db.AlertDeliveries.Add(new AlertDeliveryRow { AlertId = alert.Id, WorkspaceId = row.WorkspaceId, Channel = "webhook", Target = hook, NextAttemptAt = now });
        }

        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await transaction.CommitAsync(ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Sends the deliveries that are due (of one workspace, or all). Each is claimed first — its next attempt moved a
    /// lease ahead, only if it was still due — so that two runs or two servers never send the same one; its outcome is
    /// stored as soon as it is known. A failure waits 2^(attempts − 1) minutes (at the job's next pass at the
    /// earliest), and after <see cref="MaxAttempts"/> tries is given up. Answers how many were delivered.
    /// </summary>
    public async Task<int> DeliverAsync(long? workspaceId, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var lease = now.Add(ClaimLease);
        await using var db = databases.CreateDbContext();
        var due = await db.AlertDeliveries.AsNoTracking()
            .Where(d => d.DeliveredAt == null && !d.GaveUp && d.NextAttemptAt <= now && (workspaceId == null || d.WorkspaceId == workspaceId))
            .OrderBy(d => d.Id).Take(200)
            .ToListAsync(ct).ConfigureAwait(false);
        var delivered = 0;
        var client = http.CreateClient(nameof(AlertService));
        foreach (var delivery in due)
        {
            var claimed = await db.AlertDeliveries
                .Where(d => d.Id == delivery.Id && d.DeliveredAt == null && !d.GaveUp && d.NextAttemptAt <= now)
                .ExecuteUpdateAsync(u => u.SetProperty(d => d.NextAttemptAt, lease).SetProperty(d => d.Attempts, d => d.Attempts + 1), ct)
                .ConfigureAwait(false);
            if (claimed == 0)
            {
                continue;
            }

            string? error;
            try
            {
                // An alert's, a weekly digest's, or a stored payload (a segment's member changes, by webhook only).
                JsonObject payload;
                Func<MimeMessage> compose;
                if (delivery.PayloadJson is { } stored)
                {
                    (payload, compose) = (JsonNode.Parse(stored)!.AsObject(), () => throw new InvalidOperationException("a stored payload goes by webhook only"));
                }
                else if (delivery.DigestId is { } digestId)
                {
                    (payload, compose) = Digest(await db.Digests.AsNoTracking().SingleAsync(d => d.Id == digestId, ct).ConfigureAwait(false), delivery.Target);
                }
                else
                {
                    var x = await (from a in db.Alerts.AsNoTracking()
                                   join r in db.AlertRules.AsNoTracking() on a.RuleId equals r.Id
                                   where a.Id == delivery.AlertId
                                   select new { a, r.Key }).SingleAsync(ct).ConfigureAwait(false);
                    (payload, compose) = (Payload(x.a, x.Key), () => Compose(x.a, x.Key, delivery.Target));
                }

                if (delivery.Channel == "webhook")
                {
                    using var response = await client.PostAsJsonAsync(delivery.Target, payload, ct).ConfigureAwait(false);
                    response.EnsureSuccessStatusCode();
                    error = null;
                }
                else
                {
                    var sent = await mail.SendAsync([(delivery.Id, compose)], ct).ConfigureAwait(false);
                    error = sent.GetValueOrDefault(delivery.Id, "not sent");
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                error = e.Message;
            }

            // Stored whatever happens to the caller next: a delivery sent and not recorded would go again.
            var attempts = delivery.Attempts + 1;
            if (error is null)
            {
                delivered++;
                await db.AlertDeliveries.Where(d => d.Id == delivery.Id)
                    .ExecuteUpdateAsync(u => u.SetProperty(d => d.DeliveredAt, now).SetProperty(d => d.LastError, (string?)null), CancellationToken.None)
                    .ConfigureAwait(false);
            }
            else
            {
                var message = error.Length > 1000 ? error[..1000] : error;
                await db.AlertDeliveries.Where(d => d.Id == delivery.Id)
                    .ExecuteUpdateAsync(u => u
                        .SetProperty(d => d.LastError, message)
                        .SetProperty(d => d.GaveUp, attempts >= MaxAttempts)
                        .SetProperty(d => d.NextAttemptAt, now.AddMinutes(Math.Pow(2, attempts - 1))), CancellationToken.None)
                    .ConfigureAwait(false);
            }
        }

        return delivered;
    }

    private (JsonObject Payload, Func<MimeMessage> Compose) Digest(DigestRow row, string to)
    {
        var digest = DigestService.Parse(row);
        var payload = new JsonObject
        {
            ["type"] = "digest",
            ["id"] = row.Id,
            ["department"] = row.Department,
            ["week"] = row.Week,
            ["digest"] = JsonSerializer.SerializeToNode(digest, DigestService.Json),
        };
        return (payload, () =>
        {
            var message = new MimeMessage { Subject = $"[OpenCXO] Weekly digest for {row.Department}, {row.Week}" };
            message.From.Add(new MailboxAddress(mail.Options.FromName, mail.Options.From));
            message.To.Add(MailboxAddress.Parse(to));
            message.Headers.Add("X-OpenCXO-Digest", row.Id.ToString(CultureInfo.InvariantCulture));
            message.Body = new TextPart("plain") { Text = OpenCxo.Core.Alignment.Digests.Text(digest) + "\nSee /digests in OpenCXO.\n" };
            return message;
        });
    }

    private static JsonObject Payload(AlertRow alert, string rule) => new()
    {
        ["id"] = alert.Id,
        ["rule"] = rule,
        ["subject"] = alert.Subject,
        ["firedAt"] = alert.FiredAt.ToString("O", CultureInfo.InvariantCulture),
        ["summary"] = alert.Summary,
        ["detail"] = JsonNode.Parse(alert.DetailJson),
    };

    private MimeMessage Compose(AlertRow alert, string rule, string to)
    {
        var message = new MimeMessage { Subject = "[OpenCXO] " + alert.Summary };
        message.From.Add(new MailboxAddress(mail.Options.FromName, mail.Options.From));
        message.To.Add(MailboxAddress.Parse(to));
        message.Headers.Add("X-OpenCXO-Alert", alert.Id.ToString(CultureInfo.InvariantCulture));
        message.Body = new TextPart("plain")
        {
            Text = $"{alert.Summary}\n\nRule: {rule}\nRaised: {alert.FiredAt:yyyy-MM-dd HH:mm} UTC\n\n{JsonNode.Parse(alert.DetailJson)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true })}\n\nSee /alerts in OpenCXO to acknowledge it.\n",
        };
        return message;
    }

    /// <summary>The last complete day, ISO week or month before <paramref name="today"/>.</summary>
    public static (DateOnly From, DateOnly To) Window(DateOnly today, AlertWindow window) => window switch
    {
        AlertWindow.Day => (today.AddDays(-1), today.AddDays(-1)),
        AlertWindow.Week => KpiRules.CompletePeriods(today, KpiPeriod.Week, 1)[0],
        _ => KpiRules.CompletePeriods(today, KpiPeriod.Month, 1)[0],
    };

    private static string WindowLabel(DateOnly from, AlertWindow window) => window switch
    {
        AlertWindow.Day => from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        AlertWindow.Week => KpiRules.Label(from, KpiPeriod.Week),
        _ => KpiRules.Label(from, KpiPeriod.Month),
    };

    private static JsonObject Figures(KpiReading? reading, double? target, DateOnly from, DateOnly to) => new()
    {
        ["from"] = from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["to"] = to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["value"] = KpiJson.Round(reading?.Value),
        ["low"] = KpiJson.Round(reading?.Low),
        ["high"] = KpiJson.Round(reading?.High),
        ["n"] = reading?.N ?? 0,
        ["target"] = KpiJson.Round(target),
    };

    private static string Words(KpiStatus status) => status switch
    {
        KpiStatus.OffTrack => "off track",
        KpiStatus.AtRisk => "at risk",
        KpiStatus.OnTrack => "on track",
        KpiStatus.TooFew => "measured on too few",
        _ => "without data",
    };

    private static string Format(double? value) => value is { } v ? v.ToString("0.##", CultureInfo.InvariantCulture) : "—";

    public static AlertRuleDefinition Parse(AlertRuleRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return JsonSerializer.Deserialize<AlertRuleDefinition>(row.DefinitionJson, AlertRuleDefinition.Json)
            ?? throw new InvalidOperationException($"Alert rule {row.Key} has no definition.");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert rule {Rule} was not evaluated: {Reason}")]
    private static partial void LogRuleFailed(ILogger logger, string rule, string reason);
}
