using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace OpenCxo.App.Tests.Cli;

/// <summary>
/// The real <c>cxo</c> executable (<c>dotnet cxo.dll</c>, copied beside the tests) run as a child process, the way a
/// user runs it: its own working directory and environment, stdout and stderr captured line by line.
/// Disposing kills it, with its children, if it still runs.
/// </summary>
public sealed class CxoProcess : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    // Children still running when the test run ends (a crash, an aborted run) are killed with it, not left listening.
    private static readonly ConcurrentDictionary<CxoProcess, bool> Running = new();

    static CxoProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var process in Running.Keys)
        {
            process.Kill();
        }
    };

    private readonly Process _process;
    private readonly string[] _args;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _gate = new();
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private CxoProcess(Process process, string[] args)
    {
        _process = process;
        _args = args;
    }

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "cxo.dll");

    public string Stdout
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _stdout);
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _stderr);
            }
        }
    }

    /// <summary>Runs <c>cxo ARGS</c> to the end; a run over <paramref name="timeout"/> is killed and fails the test.</summary>
    public static async Task<CxoResult> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string?> environment, IReadOnlyList<string> args, TimeSpan? timeout = null)
    {
        await using var process = Start(workingDirectory, environment, args);
        return await process.WaitForExitAsync(timeout ?? DefaultTimeout);
    }

    /// <summary>
    /// Starts <c>cxo ARGS</c>. The environment starts from the test runner's without any <c>OPENCXO_*</c> or
    /// <c>ASPNETCORE_URLS</c> variable, so only what a test passes can reach the program; a null value removes one.
    /// </summary>
    public static CxoProcess Start(string workingDirectory, IReadOnlyDictionary<string, string?> environment, IReadOnlyList<string> args)
    {
        var dll = Dll;
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException("cxo.dll is not beside the tests; the test project references OpenCxo.App to copy it", dll);
        }

        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("OPENCXO_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var process = new Process { StartInfo = start };
        var cxo = new CxoProcess(process, [.. args]);
        process.OutputDataReceived += (_, e) => cxo.OnStdout(e.Data);
        process.ErrorDataReceived += (_, e) => cxo.OnStderr(e.Data);
        process.Start();
        Running.TryAdd(cxo, true);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // Nothing is typed at it: a verb that asks for input sees end of file instead of hanging.
        process.StandardInput.Close();
        return cxo;
    }

    /// <summary>Waits for a stdout line matching <paramref name="match"/> (also one already printed) and returns it.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        TaskCompletionSource<string> found;
        lock (_gate)
        {
            if (_stdout.FirstOrDefault(match) is { } seen)
            {
                return seen;
            }

            if (_stdoutClosed.Task.IsCompleted)
            {
                throw new InvalidOperationException($"cxo closed stdout without the line awaited.\n{Describe()}");
            }

            found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, found));
        }

        try
        {
            return await found.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"cxo printed no such line within {timeout.TotalSeconds:0} s.\n{Describe()}");
        }
    }

    /// <summary>Waits for the end; kills the process and fails if it takes longer than <paramref name="timeout"/>.</summary>
    /// <summary>Waits until the server answers <c>GET /healthz</c> with 200 through <paramref name="client"/>; its output goes into the timeout's message.</summary>
    public async Task WaitUntilHealthyAsync(HttpClient client, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var response = await client.GetAsync("/healthz");
                if (response.StatusCode == System.Net.HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"GET /healthz did not answer 200 within {timeout.TotalSeconds:0} s.\n{Stdout}\n{Stderr}");
            }

            await Task.Delay(100);
        }
    }

    public async Task<CxoResult> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            // Also waits for the redirected streams to reach end of file.
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"cxo did not finish within {timeout.TotalSeconds:0} s and was killed.\n{Describe()}");
        }

        return new CxoResult(_args, _process.ExitCode, Stdout, Stderr, _clock.Elapsed);
    }

    public async ValueTask DisposeAsync()
    {
        Running.TryRemove(this, out _);
        Kill();
        try
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException)
        {
            // Killed and not yet reaped, or never started: nothing more a test can do.
        }

        _process.Dispose();
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
    }

    private void OnStdout(string? line)
    {
        lock (_gate)
        {
            if (line is null)
            {
                _stdoutClosed.TrySetResult();
                foreach (var (_, found) in _waiters)
                {
                    found.TrySetException(new InvalidOperationException($"cxo closed stdout without the line awaited.\n{Describe()}"));
                }

                _waiters.Clear();
                return;
            }

            _stdout.Add(line);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(line))
                {
                    _waiters[i].Found.TrySetResult(line);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    private void OnStderr(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _stderr.Add(line);
        }
    }

    private string Describe()
    {
        lock (_gate)
        {
            return $"cxo {string.Join(' ', _args)}\n--- stdout\n{string.Join('\n', _stdout)}\n--- stderr\n{string.Join('\n', _stderr)}";
        }
    }

    /// <summary>The dotnet host running these tests (DOTNET_HOST_PATH under <c>dotnet test</c>), else the one on PATH.</summary>
    private static string DotnetHost()
    {
        var sdkHost = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(sdkHost) && File.Exists(sdkHost))
        {
            return sdkHost;
        }

        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase)
            ? self
            : "dotnet";
    }
}

/// <summary>What one run of <c>cxo</c> did.</summary>
public sealed record CxoResult(IReadOnlyList<string> Args, int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    /// <summary>Fails, showing everything the program printed, unless it exited with <paramref name="expected"/>.</summary>
    public CxoResult ShouldExit(int expected)
    {
        if (ExitCode != expected)
        {
            Assert.Fail($"expected exit code {expected}, got {ExitCode}.\n{this}");
        }

        return this;
    }

    /// <summary>Fails, showing everything the program printed, unless stdout contains <paramref name="text"/>.</summary>
    public CxoResult ShouldPrint(string text)
    {
        if (!Stdout.Contains(text, StringComparison.Ordinal))
        {
            Assert.Fail($"expected stdout to contain \"{text}\".\n{this}");
        }

        return this;
    }

    /// <summary>Stdout as one JSON document: fails if anything else was printed to it.</summary>
    public JsonElement Json()
    {
        try
        {
            using var document = JsonDocument.Parse(Stdout);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            Assert.Fail($"stdout is not one JSON document: {e.Message}\n{this}");
            throw;
        }
    }

    public override string ToString() =>
        $"cxo {string.Join(' ', Args)} → exit {ExitCode} in {Elapsed.TotalSeconds:0.0} s\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}
