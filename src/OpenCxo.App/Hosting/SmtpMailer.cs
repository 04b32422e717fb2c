using MailKit.Net.Smtp;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using OpenCxo.App.Feedback;

namespace OpenCxo.App.Hosting;

/// <summary>
/// The one SMTP client of the app (MailKit): one connection per batch, each message sent or refused on its own.
/// Survey invitations and alerts compose their messages and hand them here.
/// </summary>
public sealed class SmtpMailer(IOptions<SmtpOptions> options)
{
    /// <summary>What a recipient's e-mail address is told where this server sends no mail.</summary>
    public const string NotConfigured = "this server sends no e-mail: set Smtp:Host (docs/surveys.md) or use a webhook";

    public bool Configured => !string.IsNullOrWhiteSpace(options.Value.Host);

    public SmtpOptions Options => options.Value;

    /// <summary>Sends each message; answers, per id, null when sent or the reason it was not.</summary>
    /// <exception cref="IOException">The server could not be reached or refused the session: nothing was sent.</exception>
    public async Task<Dictionary<long, string?>> SendAsync(IReadOnlyList<(long Id, Func<MimeMessage> Compose)> messages, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var outcome = new Dictionary<long, string?>();
        if (messages.Count == 0)
        {
            return outcome;
        }

        var smtp = options.Value;
        if (!Configured)
        {
            return messages.ToDictionary(m => m.Id, _ => (string?)"SMTP is not configured (Smtp:Host)");
        }

        using var client = new SmtpClient();
        try
        {
            await client.ConnectAsync(smtp.Host!, smtp.Port, smtp.Security switch
            {
                "none" => SecureSocketOptions.None,
                "starttls" => SecureSocketOptions.StartTls,
                "ssl" => SecureSocketOptions.SslOnConnect,
                _ => SecureSocketOptions.StartTlsWhenAvailable,
            }, ct).ConfigureAwait(false);
            if (smtp.UserName is { Length: > 0 } user)
            {
                await client.AuthenticateAsync(user, smtp.Password ?? "", ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or SmtpCommandException or SmtpProtocolException or AuthenticationException or SslHandshakeException)
        {
            throw new IOException($"SMTP {smtp.Host}:{smtp.Port}: {e.Message}", e);
        }

        foreach (var (id, compose) in messages)
        {
            try
            {
                await client.SendAsync(compose(), ct).ConfigureAwait(false);
                outcome[id] = null;
            }
            catch (Exception e) when (e is SmtpCommandException or ParseException or FormatException)
            {
                // This recipient or message was refused; the others still go.
                outcome[id] = e.Message;
            }
        }

        await client.DisconnectAsync(quit: true, ct).ConfigureAwait(false);
        return outcome;
    }
}

public static class SmtpExtensions
{
    /// <summary>The SMTP server's options (section <c>Smtp</c>) and the one mailer; every feature that sends e-mail calls this.</summary>
    public static IServiceCollection AddSmtp(this IServiceCollection services)
    {
        services.AddOptions<SmtpOptions>().BindConfiguration("Smtp").ValidateOnStart();
        services.TryAddSingleton<SmtpMailer>();
        return services;
    }
}
