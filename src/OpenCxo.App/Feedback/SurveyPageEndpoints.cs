using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using OpenCxo.App.Web;
using OpenCxo.Core.Feedback;
using OpenCxo.Data.Storage;

namespace OpenCxo.App.Feedback;

/// <summary>
/// Where customers answer: <c>/s/TOKEN</c>, no sign-in. A personal link takes one response; the public link one per
/// visit. Answers are kept as they are given, and the response becomes final when sent.
/// </summary>
public static class SurveyPageEndpoints
{
    /// <summary>Largest body a page sends (a form or a partial save): fifty questions of long text fit well within.</summary>
    public const int MaxBodyBytes = 512 * 1024;

    public static IEndpointRouteBuilder MapSurveyPages(this IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup("/s").AllowAnonymous().DisableAntiforgery().ExcludeFromDescription()
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes))
            // The size limit above stops a body while it streams in; a declared length over it is refused at once.
            .AddEndpointFilter(async (context, next) => context.HttpContext.Request.ContentLength > MaxBodyBytes
                ? Results.Text("The answers are too large to take.", "text/plain; charset=utf-8", statusCode: StatusCodes.Status413PayloadTooLarge)
                : await next(context));
        pages.MapGet("/{token}", ShowAsync);
        pages.MapPost("/{token}", SendAsync);
        pages.MapPost("/{token}/answers", SaveAsync);
        pages.MapGet("/{token}/thanks", ThanksAsync);
        pages.MapPost("/{token}/opt-out", OptOutAsync);
        return app;
    }

    private static async Task<IResult> ShowAsync(string token, string? lang, string? r, HttpContext http, CancellationToken ct)
    {
        var (context, refusal) = await OpenAsync(http, token, r, lang, ct);
        if (context is null)
        {
            return refusal!;
        }

        var existing = await ExistingAsync(http, context, ct);
        if (existing is { Final: true })
        {
            return Page(http, StatusCodes.Status200OK, SurveyPage.Message(context.Language, context.Definition.Title.In(context.Language), Localizer(http, context.Language)["Survey_AlreadyAnswered"]));
        }

        var answers = existing is null ? new Dictionary<string, Answer>() : Answers(existing.AnswersJson);
        return Page(http, StatusCodes.Status200OK, SurveyPage.Form(Localizer(http, context.Language), context.Definition, context.Language, token, context.PublicKey, answers, new Dictionary<string, string>()));
    }

    private static async Task<IResult> SendAsync(string token, string? lang, HttpContext http, [FromServices] ResponseWriter writer, [FromServices] TimeProvider time, CancellationToken ct)
    {
        if (!http.Request.HasFormContentType)
        {
            return Results.Text("Answers are sent as a form.", "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
        }

        var form = await http.Request.ReadFormAsync(ct);
        var (context, refusal) = await OpenAsync(http, token, form["r"], lang ?? form["lang"], ct);
        if (context is null)
        {
            return refusal!;
        }

        var raw = form.Where(f => f.Key is not ("r" or "lang")).ToDictionary(f => f.Key, f => (IReadOnlyList<string>)[.. f.Value.OfType<string>()], StringComparer.Ordinal);
        var (answers, errors) = SurveyRules.CheckAnswers(context.Definition, raw, complete: true);
        var L = Localizer(http, context.Language);
        var outcome = await writer.SubmitAsync(context.Submission(answers, complete: errors.Count == 0, time.GetUtcNow().UtcDateTime), ct);
        if (outcome == ResponseOutcome.AlreadyFinal)
        {
            return Page(http, StatusCodes.Status409Conflict, SurveyPage.Message(context.Language, context.Definition.Title.In(context.Language), L["Survey_AlreadyAnswered"]));
        }

        if (errors.Count > 0)
        {
            // Kept what was right; the page comes back with the rest marked, in the respondent's words.
            var marked = errors.GroupBy(e => e.Field).ToDictionary(
                g => g.Key, g => g.Any(e => e.Message == "is required") ? L["Survey_Error_Required"].Value : L["Survey_Error_Invalid"].Value, StringComparer.Ordinal);
            return Page(http, StatusCodes.Status422UnprocessableEntity, SurveyPage.Form(L, context.Definition, context.Language, token, context.PublicKey, answers, marked));
        }

        return Results.Redirect($"/s/{token}/thanks?lang={context.Language}", permanent: false, preserveMethod: false);
    }

    /// <summary>A partial save from the page's script: the answers given so far, all of them, as <c>{"r":…,"answers":{"nps":["9"]}}</c>.</summary>
    private static async Task<IResult> SaveAsync(string token, HttpContext http, [FromServices] ResponseWriter writer, [FromServices] TimeProvider time, CancellationToken ct)
    {
        JsonDocument body;
        try
        {
            body = await JsonDocument.ParseAsync(http.Request.Body, default, ct);
        }
        catch (JsonException)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["$"] = ["is not JSON"] });
        }

        using (body)
        {
            var root = body.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("answers", out var given) || given.ValueKind != JsonValueKind.Object)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["answers"] = ["is required: an object of question keys to lists of values"] });
            }

            var publicKey = root.TryGetProperty("r", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            var (context, refusal) = await OpenAsync(http, token, publicKey, null, ct);
            if (context is null)
            {
                return refusal is IStatusCodeHttpResult { StatusCode: { } status } ? Results.StatusCode(status) : Results.NotFound();
            }

            if (context.PublicKey is not null && publicKey != context.PublicKey)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["r"] = ["is the response's key the page was given"] });
            }

            var raw = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            foreach (var answer in given.EnumerateObject())
            {
                raw[answer.Name] = answer.Value.ValueKind switch
                {
                    JsonValueKind.Array => [.. answer.Value.EnumerateArray().Select(Text)],
                    _ => [Text(answer.Value)],
                };
            }

            var (answers, errors) = SurveyRules.CheckAnswers(context.Definition, raw, complete: false);
            var outcome = await writer.SubmitAsync(context.Submission(answers, complete: false, time.GetUtcNow().UtcDateTime), ct);
            if (outcome == ResponseOutcome.AlreadyFinal)
            {
                return Results.Conflict();
            }

            return errors.Count == 0
                ? Results.NoContent()
                : Results.ValidationProblem(errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()));
        }
    }

    private static async Task<IResult> ThanksAsync(string token, string? lang, HttpContext http, CancellationToken ct)
    {
        var (context, refusal) = await OpenAsync(http, token, null, lang, ct);
        return context is null
            ? refusal!
            : Page(http, StatusCodes.Status200OK, SurveyPage.Message(
                context.Language, context.Definition.Title.In(context.Language), context.Definition.Thanks?.In(context.Language) ?? Localizer(http, context.Language)["Survey_ThanksDefault"]));
    }

    /// <summary>The invited customer says no to surveys: no invitation is made or sent to them again.</summary>
    private static async Task<IResult> OptOutAsync(string token, string? lang, HttpContext http, [FromServices] SurveyLinks links, [FromServices] TimeProvider time, CancellationToken ct)
    {
        var target = await links.ResolveAsync(token, ct);
        var language = Language(lang, target?.Invitation?.Language, http);
        var L = Localizer(http, language);
        if (target?.Invitation is not { } invitation)
        {
            return Page(http, StatusCodes.Status404NotFound, SurveyPage.Message(language, "OpenCXO", L["Survey_NotFound"]));
        }

        await using var db = http.RequestServices.GetRequiredService<CxoDbFactory>().CreateDbContext();
        await TriggerRules.OptOutAsync(db, invitation.WorkspaceId, invitation.CustomerId, "link", time.GetUtcNow().UtcDateTime, ct);
        return Page(http, StatusCodes.Status200OK, SurveyPage.Message(language, "OpenCXO", L["Survey_OptedOut"]));
    }

    /// <summary>What a link leads to, or the page that says why it leads nowhere (404 not valid, 410 closed).</summary>
    private static async Task<(LinkContext? Context, IResult? Refusal)> OpenAsync(HttpContext http, string token, string? publicKey, string? lang, CancellationToken ct)
    {
        var services = http.RequestServices;
        var target = await services.GetRequiredService<SurveyLinks>().ResolveAsync(token, ct);
        var cache = services.GetRequiredService<SurveyCache>();
        var survey = target is null ? null : await cache.SurveyAsync(target.SurveyId, ct);
        var version = target?.Invitation?.Version ?? survey?.PublishedVersion;
        var definition = survey is null || version is null ? null : await cache.DefinitionAsync(survey.Id, version.Value, ct);
        if (target is null || survey is null || definition is null)
        {
            var language = Language(lang, null, http);
            return (null, Page(http, StatusCodes.Status404NotFound, SurveyPage.Message(language, "OpenCXO", Localizer(http, language)["Survey_NotFound"])));
        }

        var chosen = Language(lang, target.Invitation?.Language, http);
        if (survey.Status == "closed")
        {
            return (null, Page(http, StatusCodes.Status410Gone, SurveyPage.Message(chosen, definition.Title.In(chosen), Localizer(http, chosen)["Survey_Closed"])));
        }

        // A public link's visit is known by a random key the page carries; a new visit gets a new one.
        var key = target.Kind == LinkKind.Invitation ? null : IsVisitKey(publicKey) ? publicKey : NewVisitKey();
        return (new LinkContext(target, survey, version!.Value, definition, chosen, key), null);
    }

    private static async Task<SurveyResponseRow?> ExistingAsync(HttpContext http, LinkContext context, CancellationToken ct)
    {
        await using var db = http.RequestServices.GetRequiredService<CxoDbFactory>().CreateDbContext();
        var responseKey = context.ResponseKey;
        return await db.SurveyResponses.AsNoTracking()
            .FirstOrDefaultAsync(x => x.WorkspaceId == context.Target.WorkspaceId && x.ResponseKey == responseKey, ct);
    }

    private static Dictionary<string, Answer> Answers(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, Answer>>(json, Surveys.Json) ?? [];

    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.Null => "",
        _ => value.GetRawText(),
    };

    /// <summary><c>?lang=</c> first, then the invitation's language, then the browser's; English when none is Spanish.</summary>
    private static string Language(string? asked, string? invitation, HttpContext http)
    {
        foreach (var candidate in new[] { asked, invitation })
        {
            if (candidate is "en" or "es")
            {
                return candidate;
            }
        }

        var accept = http.Request.GetTypedHeaders().AcceptLanguage;
        var best = accept.OrderByDescending(a => a.Quality ?? 1).Select(a => a.Value.Value ?? "").FirstOrDefault(v => v.StartsWith("es", StringComparison.OrdinalIgnoreCase) || v.StartsWith("en", StringComparison.OrdinalIgnoreCase));
        return best is not null && best.StartsWith("es", StringComparison.OrdinalIgnoreCase) ? "es" : "en";
    }

    private static IStringLocalizer Localizer(HttpContext http, string language)
    {
        // The texts follow the page's language, not the request's culture.
        var culture = CultureInfo.GetCultureInfo(language);
        CultureInfo.CurrentUICulture = culture;
        CultureInfo.CurrentCulture = culture;
        return http.RequestServices.GetRequiredService<IStringLocalizer<Ui>>();
    }

    private static IResult Page(HttpContext http, int status, string html)
    {
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers["X-Robots-Tag"] = "noindex";
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }

    private static string NewVisitKey() => "public:" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private static bool IsVisitKey(string? key) =>
        key is { Length: 39 } && key.StartsWith("public:", StringComparison.Ordinal) && key[7..].All(char.IsAsciiHexDigitLower);

    private sealed record LinkContext(LinkTarget Target, SurveyRow Survey, int Version, SurveyDefinition Definition, string Language, string? PublicKey)
    {
        public string ResponseKey => PublicKey ?? "invitation:" + Target.Invitation!.Id.ToString(CultureInfo.InvariantCulture);

        public ResponseSubmission Submission(IReadOnlyDictionary<string, Answer> answers, bool complete, DateTime at) => new(
            Target.WorkspaceId, Survey, Version, Definition, ResponseKey, Target.Kind == LinkKind.Invitation ? "invitation" : "public",
            Target.Invitation?.CustomerId, Target.Invitation, Language, answers, complete, at);
    }
}

/// <summary>
/// Surveys and their versions as the survey pages need them, read once: a version's questions never change once
/// published, and a survey's row (its state) is kept for a few seconds, so closing one takes effect within them.
/// </summary>
public sealed class SurveyCache(CxoDbFactory databases, TimeProvider time)
{
    private static readonly TimeSpan SurveyLifetime = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<(long Survey, int Version), SurveyDefinition> _definitions = new();
    private readonly ConcurrentDictionary<long, (SurveyRow Row, DateTime Until)> _surveys = new();

    public async Task<SurveyRow?> SurveyAsync(long surveyId, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (_surveys.TryGetValue(surveyId, out var known) && known.Until > now)
        {
            return known.Row;
        }

        await using var db = databases.CreateDbContext();
        var row = await db.Surveys.AsNoTracking().FirstOrDefaultAsync(s => s.Id == surveyId, ct).ConfigureAwait(false);
        if (row is not null)
        {
            _surveys[surveyId] = (row, now + SurveyLifetime);
        }

        return row;
    }

    /// <summary>A published version's questions (drafts are never asked, so never cached).</summary>
    public async Task<SurveyDefinition?> DefinitionAsync(long surveyId, int version, CancellationToken ct)
    {
        if (_definitions.TryGetValue((surveyId, version), out var known))
        {
            return known;
        }

        await using var db = databases.CreateDbContext();
        var row = await db.SurveyVersions.AsNoTracking().FirstOrDefaultAsync(v => v.SurveyId == surveyId && v.Version == version, ct).ConfigureAwait(false);
        if (row?.PublishedAt is null)
        {
            return null;
        }

        return _definitions.GetOrAdd((surveyId, version), Surveys.Definition(row.DefinitionJson));
    }
}
