using System.Globalization;
using System.Text.Encodings.Web;
using Microsoft.Extensions.Localization;
using MimeKit;
using OpenCxo.App.Hosting;
using OpenCxo.App.Web;

namespace OpenCxo.App.Feedback;

/// <summary>The SMTP server invitations go through (section <c>Smtp</c>; e.g. <c>Smtp__Host=mail.example.com</c>).</summary>
public sealed record SmtpOptions
{
    /// <summary>No host: no e-mail; rules that deliver by e-mail are refused.</summary>
    public string? Host { get; init; }

    public int Port { get; init; } = 25;

    /// <summary><c>auto</c> (STARTTLS when offered), <c>none</c>, <c>starttls</c> or <c>ssl</c>.</summary>
    public string Security { get; init; } = "auto";

    public string From { get; init; } = "surveys@localhost";

    public string FromName { get; init; } = "OpenCXO";

    public string? UserName { get; init; }

    public string? Password { get; init; }
}

/// <summary>One invitation (or its reminder) to send by e-mail.</summary>
public sealed record InvitationMessage(long Invitation, string To, string Language, string Title, string Url, bool Reminder);

/// <summary>
/// Composes invitations for <see cref="SmtpMailer"/>: a plain-text and an HTML part in the invitation's language, the
/// personal link, and how to say no to surveys.
/// </summary>
public sealed class InvitationMail(SmtpMailer smtp, IStringLocalizer<Ui> texts)
{
    public bool Configured => smtp.Configured;

    /// <summary>Sends each message; answers, per invitation, null when sent or the reason it was not.</summary>
    /// <exception cref="IOException">The server could not be reached or refused the session: nothing was sent.</exception>
    public Task<Dictionary<long, string?>> SendAsync(IReadOnlyList<InvitationMessage> messages, CancellationToken ct) =>
        smtp.SendAsync([.. messages.Select(m => (m.Invitation, (Func<MimeMessage>)(() => Compose(m, smtp.Options))))], ct);

    private MimeMessage Compose(InvitationMessage message, SmtpOptions smtp)
    {
        var culture = CultureInfo.GetCultureInfo(message.Language);
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = culture;
        try
        {
            var subject = message.Reminder ? texts["Email_Reminder", message.Title].Value : message.Title;
            var body = texts["Email_Body"].Value;
            var answer = texts["Email_Answer"].Value;
            var optOut = texts["Email_OptOut"].Value;
            var html = HtmlEncoder.Default;
            var mail = new MimeMessage { Subject = subject };
            mail.From.Add(new MailboxAddress(smtp.FromName, smtp.From));
            mail.To.Add(MailboxAddress.Parse(message.To));
            mail.Headers.Add("Content-Language", message.Language);
            mail.Headers.Add("X-OpenCXO-Invitation", message.Invitation.ToString(CultureInfo.InvariantCulture));
            mail.Body = new BodyBuilder
            {
                TextBody = $"{body}\n\n{message.Url}\n\n{optOut}\n",
                HtmlBody = $"<!doctype html><html lang=\"{message.Language}\"><body style=\"font-family:system-ui,sans-serif;color:#1c1c1c\">"
                    + $"<p>{html.Encode(body)}</p><p><a href=\"{html.Encode(message.Url)}\" style=\"display:inline-block;padding:12px 20px;background:#0b4f8a;color:#fff;"
                    + $"text-decoration:none;border-radius:6px\">{html.Encode(answer)}</a></p><p style=\"color:#555;font-size:13px\">{html.Encode(optOut)}</p></body></html>",
            }.ToMessageBody();
            return mail;
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }
}
