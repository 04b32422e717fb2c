using OpenCxo.App.Admin;
using OpenCxo.App.Ingest;

namespace OpenCxo.App.Tests.Admin;

/// <summary>An uploaded file is saved under a name of the server's choosing; only its type comes from the user's name.</summary>
public sealed class UploadNameTests
{
    [Theory]
    [InlineData("events.jsonl", ".jsonl")]
    [InlineData("Events.NDJSON", ".ndjson")]
    [InlineData("export.json", ".json")]
    [InlineData("crm.CSV.GZ", ".csv.gz")]
    [InlineData("../../etc/cron.d/x.csv", ".csv")]
    [InlineData("a.b.c.jsonl.gz", ".jsonl.gz")]
    public void The_saved_copy_keeps_only_the_type(string name, string extension) =>
        Assert.Equal(extension, AdminTasks.UploadExtension(name));

    [Theory]
    [InlineData("events.xlsx")]
    [InlineData("events")]
    [InlineData("events.gz")]
    [InlineData(".gz")]
    [InlineData("")]
    public void Other_types_are_refused(string name) =>
        Assert.Throws<ImportException>(() => AdminTasks.UploadExtension(name));
}
