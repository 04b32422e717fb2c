using OpenCxo.App.Hosting;

namespace OpenCxo.App.Feedback;

public static class FeedbackExtensions
{
    /// <summary>Survey links, the survey pages' cache, and the response writer (one per process: it groups commits).</summary>
    public static IServiceCollection AddFeedback(this IServiceCollection services)
    {
        services.AddOptions<SurveyOptions>().BindConfiguration("Surveys").ValidateOnStart();
        services.AddSmtp();
        services.AddSingleton<InvitationMail>();
        services.AddSingleton<SurveyLinks>();
        services.AddSingleton<SurveyCache>();
        services.AddSingleton<ResponseWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<ResponseWriter>());
        services.AddHttpClient(nameof(InvitationScheduler), client => client.Timeout = TimeSpan.FromSeconds(15));
        services.AddSingleton<InvitationScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<InvitationScheduler>());
        return services;
    }
}
