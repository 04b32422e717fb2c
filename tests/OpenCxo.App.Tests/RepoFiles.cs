namespace OpenCxo.App.Tests;

/// <summary>Files of the repository the tests read: its docs, and the shared data sets beside it (../shared/data).</summary>
internal static class RepoFiles
{
    /// <summary>The folder holding OpenCxo.sln, found upwards from the test binaries.</summary>
    public static string Root()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "OpenCxo.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("OpenCxo.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A file of ../shared/data (see its README for sources and published figures).</summary>
    public static string SharedData(string file) => Path.Combine(Root(), "..", "shared", "data", file);
}
