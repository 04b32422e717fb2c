using System.Diagnostics;
using System.Net.Sockets;
using MimeKit;

namespace OpenCxo.App.Tests.Api;

/// <summary>
/// A real SMTP server on loopback: Debian's python3-aiosmtpd (installed by ./test.sh) keeping every message in a
/// Maildir, where the test reads them back.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly Process _server;
    private readonly string _maildir;

    private SmtpSink(Process server, int port, string maildir)
    {
        _server = server;
        Port = port;
        _maildir = maildir;
    }

    public int Port { get; }

    public static async Task<SmtpSink> StartAsync()
    {
        var port = Cli.CliSandbox.FreeTcpPort();
        var maildir = Path.Combine(Path.GetTempPath(), "opencxo-tests", "maildir-" + Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox", maildir })
        {
            start.ArgumentList.Add(arg);
        }

        var server = Process.Start(start) ?? throw new InvalidOperationException("python3 -m aiosmtpd did not start; ./test.sh installs python3-aiosmtpd");
        var sink = new SmtpSink(server, port, maildir);
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return sink;
            }
            catch (SocketException) when (!server.HasExited)
            {
                await Task.Delay(100);
            }
        }

        throw new InvalidOperationException("the SMTP sink did not listen: " + await server.StandardError.ReadToEndAsync());
    }

    /// <summary>Every message received so far, in the order they arrived.</summary>
    public IReadOnlyList<MimeMessage> Messages()
    {
        var folder = Path.Combine(_maildir, "new");
        return Directory.Exists(folder) ? [.. Directory.GetFiles(folder).OrderBy(ArrivalNumber).Select(f => MimeMessage.Load(f))] : [];
    }

    /// <summary>
    /// Python's Maildir names a message "seconds.MmicrosPpidQcounter.host" with a counter that grows by one per
    /// message in the sink's process; the name's text order is not arrival order (the microseconds are not padded).
    /// </summary>
    private static long ArrivalNumber(string file)
    {
        var unique = Path.GetFileName(file).Split('.')[1];
        return long.Parse(unique[(unique.LastIndexOf('Q') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_server.HasExited)
        {
            _server.Kill(entireProcessTree: true);
            await _server.WaitForExitAsync();
        }

        _server.Dispose();
        if (Directory.Exists(_maildir))
        {
            Directory.Delete(_maildir, recursive: true);
        }
    }
}
