using System.Text.Json.Serialization;

namespace OpenCxo.Core.Feedback;

[JsonConverter(typeof(JsonStringEnumConverter<SurveyStatus>))]
public enum SurveyStatus
{
    /// <summary>Never published: edited freely, asks nobody.</summary>
    [JsonStringEnumMemberName("draft")]
    Draft,

    /// <summary>Asking customers, with its published version.</summary>
    [JsonStringEnumMemberName("published")]
    Published,

    /// <summary>Asks nobody any more; its answers stay.</summary>
    [JsonStringEnumMemberName("closed")]
    Closed,
}

/// <summary>An action on a survey that its state does not allow; the message says why and what to do instead.</summary>
public sealed class SurveyStateException(string message) : Exception(message);

/// <summary>
/// Where a survey stands: draft → published → closed (and back to published). A published version never changes, so
/// every answer keeps the meaning its question had: editing a published survey starts the next version as a draft,
/// and the published one keeps asking until that draft is published.
/// </summary>
public sealed record SurveyState(SurveyStatus Status, int LatestVersion, int? PublishedVersion)
{
    public static SurveyState New { get; } = new(SurveyStatus.Draft, 1, null);

    /// <summary>The latest version is a draft (never published), so it can still be edited in place.</summary>
    public bool HasDraft => PublishedVersion != LatestVersion;

    /// <summary>Where an edit goes: into the draft, or into a new draft version after a published one.</summary>
    public (SurveyState State, bool NewVersion) Edit()
    {
        if (Status == SurveyStatus.Closed)
        {
            throw new SurveyStateException("the survey is closed; reopen it before editing");
        }

        return HasDraft ? (this, false) : (this with { LatestVersion = LatestVersion + 1 }, true);
    }

    public SurveyState Publish()
    {
        if (Status == SurveyStatus.Closed)
        {
            throw new SurveyStateException("the survey is closed; reopen it before publishing");
        }

        if (!HasDraft)
        {
            throw new SurveyStateException($"version {LatestVersion} is already published; edit the survey to start version {LatestVersion + 1}");
        }

        return this with { Status = SurveyStatus.Published, PublishedVersion = LatestVersion };
    }

    public SurveyState Close() => Status == SurveyStatus.Published
        ? this with { Status = SurveyStatus.Closed }
        : throw new SurveyStateException(Status == SurveyStatus.Draft
            ? "a draft asks nobody, so there is nothing to close; delete it instead"
            : "the survey is already closed");

    public SurveyState Reopen() => Status == SurveyStatus.Closed
        ? this with { Status = SurveyStatus.Published }
        : throw new SurveyStateException("only a closed survey can be reopened");

    /// <summary>Only a survey that never asked anyone can be deleted; a published one is closed instead, keeping its answers.</summary>
    public void EnsureDeletable()
    {
        if (PublishedVersion is not null)
        {
            throw new SurveyStateException("a survey that was published keeps its answers; close it instead of deleting it");
        }
    }
}
