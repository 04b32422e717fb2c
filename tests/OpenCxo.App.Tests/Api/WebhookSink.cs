using System.Net;
using System.Text.Json.Nodes;

namespace OpenCxo.App.Tests.Api;

/// <summary>A real HTTP receiver on loopback that keeps what it is sent.</summary>
internal sealed class WebhookSink : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public WebhookSink()
    {
        var port = OpenCxo.App.Tests.Cli.CliSandbox.FreeTcpPort();
        Url = $"http://127.0.0.1:{port}/hook/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                using (var reader = new StreamReader(context.Request.InputStream))
                {
                    var body = JsonNode.Parse(await reader.ReadToEndAsync())!.AsObject();
                    if (Status == HttpStatusCode.OK)
                    {
                        lock (Bodies)
                        {
                            Bodies.Add(body);
                        }
                    }
                }

                context.Response.StatusCode = (int)Status;
                context.Response.Close();
            }
        });
    }

    public string Url { get; }

    public List<JsonObject> Bodies { get; } = [];

    public HttpStatusCode Status { get; set; } = HttpStatusCode.OK;

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
