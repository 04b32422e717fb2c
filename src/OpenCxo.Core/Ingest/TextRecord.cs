namespace OpenCxo.Core.Ingest;

/// <summary>One record of a text table (a CSV file read by the app): the line it started on and its fields.</summary>
public readonly record struct TextRecord(long Line, IReadOnlyList<string> Fields);
