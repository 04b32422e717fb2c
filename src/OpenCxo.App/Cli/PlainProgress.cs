namespace OpenCxo.App.Cli;

/// <summary>Progress without a terminal: a plain line every few seconds, for logs.</summary>
public sealed class PlainProgress<T>(Func<T, string> describe) : IProgress<T>
{
    private DateTime _next = DateTime.UtcNow.AddSeconds(5);

    public void Report(T value)
    {
        if (DateTime.UtcNow < _next)
        {
            return;
        }

        _next = DateTime.UtcNow.AddSeconds(5);
        Console.Out.WriteLine("… " + describe(value));
    }
}
