using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Localization;
using OpenCxo.App.Web;
using OpenCxo.Core.Feedback;

namespace OpenCxo.App.Feedback;

/// <summary>
/// The hosted survey page: plain HTML rendered on the server, with its CSS and a few lines of script inline, so the
/// first byte leaves within milliseconds and the whole page weighs a few kilobytes on a phone. It works without
/// script (the form posts, and a question that an answer calls for comes back shown); with script, branching shows
/// and hides questions as answers change, and answers are saved as they are given.
/// </summary>
internal static class SurveyPage
{
    // Spanish text as itself (¿, ñ, í), not as character references: smaller, and readable in the source.
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);

    // Mobile first: one column, 44 px touch targets, the score scale wraps on narrow screens. Contrast ≥ 4.5:1.
    private const string Css = """
        *{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1c1c1c;background:#f4f6f8}
        main{max-width:40rem;margin:0 auto;padding:1rem}h1{font-size:1.5rem;margin:.5rem 0 1rem}
        .lang{text-align:right;font-size:.9rem}.lang a{color:#0b4f8a;padding:.5rem}
        fieldset{border:0;margin:0 0 1rem;padding:1rem;background:#fff;border-radius:8px;box-shadow:0 1px 2px rgba(0,0,0,.12)}
        legend{float:left;width:100%;font-weight:600;margin-bottom:.75rem;padding:0}legend+*{clear:both}
        .opt{font-weight:400;color:#555;font-size:.85rem}
        .scale{display:grid;grid-template-columns:repeat(auto-fit,minmax(2.75rem,1fr));gap:.4rem}
        .scale input,.choice input{position:absolute;opacity:0;width:1px;height:1px}
        .scale span{display:block;min-height:2.75rem;line-height:2.75rem;text-align:center;border:2px solid #5b6770;border-radius:6px;background:#fff;cursor:pointer}
        .scale input:checked+span{background:#0b4f8a;border-color:#0b4f8a;color:#fff}
        .scale input:focus-visible+span,.choice input:focus-visible+span{outline:3px solid #f5a623;outline-offset:2px}
        .ends{display:flex;justify-content:space-between;font-size:.85rem;color:#555;margin-top:.35rem}
        .choice{display:flex;flex-direction:column;gap:.4rem}.choice label{display:block}
        .choice span{display:block;min-height:2.75rem;padding:.55rem .75rem;border:2px solid #5b6770;border-radius:6px;background:#fff;cursor:pointer}
        .choice input:checked+span{border-color:#0b4f8a;background:#e3eef8;font-weight:600}
        textarea{width:100%;min-height:7rem;padding:.6rem;font:inherit;border:2px solid #5b6770;border-radius:6px}
        textarea:focus{outline:3px solid #f5a623;outline-offset:1px}
        .err{color:#a4000f;font-weight:600;margin:.25rem 0 .5rem}.alert{background:#fde8ea;color:#a4000f;padding:.75rem 1rem;border-radius:6px}
        button{min-height:3rem;width:100%;font:inherit;font-weight:600;color:#fff;background:#0b4f8a;border:0;border-radius:6px;cursor:pointer}
        button:focus-visible{outline:3px solid #f5a623;outline-offset:2px}
        button.quiet{background:none;color:#0b4f8a;text-decoration:underline;font-weight:400;margin-top:1.5rem}.note{color:#555;font-size:.85rem;text-align:center}
        [hidden]{display:none!important}
        """;

    // Branching and saving as answers are given. A question is shown when its condition holds on answers to
    // questions that are themselves shown; a hidden question's inputs are disabled, so they are neither saved nor sent.
    private const string Script = """
        (()=>{const f=document.getElementById('survey');if(!f)return;const qs=[...f.querySelectorAll('[data-show-if]')];
        const vals=n=>[...f.querySelectorAll('[name="'+n+'"]')].filter(e=>!e.disabled&&((e.type!=='radio'&&e.type!=='checkbox')?e.value.trim()!=='':e.checked)).map(e=>e.value);
        const upd=()=>{for(const q of qs){const c=JSON.parse(q.dataset.showIf),v=vals(c.question);let s=false;
        if(v.length){if(c.anyOf)s=v.some(x=>c.anyOf.includes(x));else{const n=+v[0];s=(c.atLeast==null||n>=c.atLeast)&&(c.atMost==null||n<=c.atMost)}}
        q.hidden=!s;q.disabled=!s}};let t;const save=()=>{clearTimeout(t);t=setTimeout(()=>{const a={};
        for(const e of f.elements){if(!e.name||e.name==='r'||e.disabled||((e.type==='radio'||e.type==='checkbox')&&!e.checked))continue;(a[e.name]??=[]).push(e.value)}
        fetch(f.dataset.save,{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({r:f.elements.r?.value,answers:a})}).then(x=>{if(x.ok)document.getElementById('saved').hidden=false}).catch(()=>{})},500)};
        f.addEventListener('change',()=>{upd();save()});f.addEventListener('input',e=>{if(e.target.tagName==='TEXTAREA')save()});upd()})();
        """;

    /// <summary>The questions as a form, with the answers given so far and, after a refused submission, what to fix.</summary>
    public static string Form(
        IStringLocalizer L, SurveyDefinition survey, string language, string token, string? responseKey,
        IReadOnlyDictionary<string, Answer> answers, IReadOnlyDictionary<string, string> errors)
    {
        var html = new StringBuilder(8192);
        Open(html, language, survey.Title.In(language), token);
        if (survey.Intro is { } intro)
        {
            html.Append("<p>").Append(Html.Encode(intro.In(language))).Append("</p>");
        }

        if (errors.Count > 0)
        {
            html.Append("<p class=\"alert\" role=\"alert\">").Append(Html.Encode(L["Survey_Errors"])).Append("</p>");
        }

        html.Append("<form id=\"survey\" method=\"post\" action=\"/s/").Append(token).Append("\" data-save=\"/s/").Append(token).Append("/answers\" novalidate>");
        if (responseKey is not null)
        {
            html.Append("<input type=\"hidden\" name=\"r\" value=\"").Append(Html.Encode(responseKey)).Append("\">");
        }

        foreach (var question in survey.Questions)
        {
            Question(html, L, question, language, answers, errors.GetValueOrDefault(question.Key), SurveyRules.IsShown(question, answers));
        }

        html.Append("<button type=\"submit\">").Append(Html.Encode(L["Survey_Send"])).Append("</button>");
        html.Append("<p class=\"note\" id=\"saved\" role=\"status\" hidden>").Append(Html.Encode(L["Survey_Saved"])).Append("</p></form>");
        if (responseKey is null)
        {
            // A personal link: the customer can say no to surveys altogether (a form, so that link prefetchers cannot).
            html.Append("<form method=\"post\" action=\"/s/").Append(token).Append("/opt-out?lang=").Append(language)
                .Append("\"><button type=\"submit\" class=\"quiet\">").Append(Html.Encode(L["Survey_OptOut"])).Append("</button></form>");
        }

        html.Append("</main><script>").Append(Script).Append("</script></body></html>");
        return html.ToString();
    }

    /// <summary>A page with one message: thanks, already answered, closed, or a link that is not valid.</summary>
    public static string Message(string language, string title, string message, string? token = null)
    {
        var html = new StringBuilder(2048);
        Open(html, language, title, token);
        html.Append("<p role=\"status\">").Append(Html.Encode(message)).Append("</p></main></body></html>");
        return html.ToString();
    }

    private static void Open(StringBuilder html, string language, string title, string? token)
    {
        html.Append("<!doctype html><html lang=\"").Append(language).Append("\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><meta name=\"robots\" content=\"noindex\">")
            .Append("<title>").Append(Html.Encode(title)).Append("</title><style>").Append(Css).Append("</style></head><body><main>");
        if (token is not null)
        {
            // Each language named in itself, so a reader of either finds it.
            html.Append("<nav class=\"lang\" aria-label=\"Language / Idioma\">")
                .Append("<a href=\"/s/").Append(token).Append("?lang=en\" lang=\"en\"").Append(language == "en" ? " aria-current=\"true\"" : "").Append(">English</a>")
                .Append("<a href=\"/s/").Append(token).Append("?lang=es\" lang=\"es\"").Append(language == "es" ? " aria-current=\"true\"" : "").Append(">Español</a></nav>");
        }

        html.Append("<h1>").Append(Html.Encode(title)).Append("</h1>");
    }

    private static void Question(
        StringBuilder html, IStringLocalizer L, SurveyQuestion question, string language, IReadOnlyDictionary<string, Answer> answers, string? error, bool shown)
    {
        var id = "q-" + question.Key;
        var errorId = "e-" + question.Key;
        var start = html.Length;
        html.Append("<fieldset id=\"").Append(id).Append('"');
        if (question.ShowIf is { } condition)
        {
            html.Append(" data-show-if=\"").Append(Html.Encode(JsonSerializer.Serialize(condition, Surveys.Json))).Append('"');
        }

        if (error is not null)
        {
            html.Append(" aria-describedby=\"").Append(errorId).Append('"');
        }

        html.Append("><legend id=\"l-").Append(Html.Encode(question.Key)).Append("\">").Append(Html.Encode(question.Prompt.In(language)));
        html.Append(" <span class=\"opt\">(").Append(Html.Encode(L[question.Required ? "Survey_Required" : "Survey_Optional"])).Append(")</span></legend>");
        if (error is not null)
        {
            html.Append("<p class=\"err\" id=\"").Append(errorId).Append("\">").Append(Html.Encode(error)).Append("</p>");
        }

        answers.TryGetValue(question.Key, out var given);
        var name = Html.Encode(question.Key);
        if (question.Range is { } range)
        {
            html.Append("<div class=\"scale\">");
            for (var score = range.Low; score <= range.High; score++)
            {
                var value = score.ToString(CultureInfo.InvariantCulture);
                html.Append("<label><input type=\"radio\" name=\"").Append(name).Append("\" value=\"").Append(value).Append('"')
                    .Append(given?.Score == score ? " checked" : "").Append("><span>").Append(value).Append("</span></label>");
            }

            var ends = question.Kind switch
            {
                QuestionKind.Nps => "Survey_Nps",
                QuestionKind.Csat => "Survey_Csat",
                QuestionKind.Ces => "Survey_Ces",
                _ => "Survey_Rating",
            };
            html.Append("</div><div class=\"ends\" aria-hidden=\"true\"><span>").Append(Html.Encode(L[ends + "_Low"]))
                .Append("</span><span>").Append(Html.Encode(L[ends + "_High"])).Append("</span></div>");
        }
        else if (question.Kind is QuestionKind.SingleChoice or QuestionKind.MultipleChoice)
        {
            var multiple = question.Kind == QuestionKind.MultipleChoice;
            if (multiple)
            {
                html.Append("<p class=\"opt\">").Append(Html.Encode(L["Survey_ChooseAny"])).Append("</p>");
            }

            html.Append("<div class=\"choice\">");
            foreach (var option in question.Options!)
            {
                var chosen = multiple ? given?.Choices?.Contains(option.Key) == true : given?.Choice == option.Key;
                html.Append("<label><input type=\"").Append(multiple ? "checkbox" : "radio").Append("\" name=\"").Append(name)
                    .Append("\" value=\"").Append(Html.Encode(option.Key)).Append('"').Append(chosen ? " checked" : "")
                    .Append("><span>").Append(Html.Encode(option.Label.In(language))).Append("</span></label>");
            }

            html.Append("</div>");
        }
        else
        {
            html.Append("<textarea name=\"").Append(name).Append("\" maxlength=\"").Append(SurveyRules.MaxAnswerTextLength)
                .Append("\" aria-labelledby=\"l-").Append(name).Append("\">").Append(Html.Encode(given?.Text ?? "")).Append("</textarea>");
        }

        html.Append("</fieldset>");
        if (!shown)
        {
            // Not asked on the answers so far. The script shows it when an answer calls for it; without script, a
            // submission that calls for it comes back with it shown and marked.
            html.Insert(start + "<fieldset".Length, " hidden disabled");
        }
    }
}
