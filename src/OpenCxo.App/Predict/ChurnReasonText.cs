using System.Globalization;

namespace OpenCxo.App.Predict;

/// <summary>A churn reason in plain words: the feature and the customer's value, as a person would say it.</summary>
public static class ChurnReasonText
{
    public static string Describe(string feature, string value)
    {
        var blank = value == "blank";
        var number = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : double.NaN;
        var count = double.IsNaN(number) ? value : number.ToString("0.##", CultureInfo.InvariantCulture);
        return feature switch
        {
            "days_since_last_touch" => $"No contact of any kind in {count} days",
            "days_since_last_purchase" => blank ? "Has never bought" : $"No purchase in {count} days",
            "tenure_days" => $"A customer for only {count} days",
            "purchases_90d" => $"{count} purchases in the last 90 days",
            "purchases_365d" => $"{count} purchases in the last year",
            "spend_365d" => blank ? "No spend in the main currency this year" : $"Spent {count} in the last year",
            "refunds_365d" => $"{count} refunds in the last year",
            "last_nps" => blank ? "Never answered an NPS survey" : $"Last NPS answer {count}{(number <= 6 ? " (detractor)" : number <= 8 ? " (passive)" : "")}",
            "last_csat" => blank ? "Never rated satisfaction" : $"Last satisfaction rating {count} of 5",
            "last_ces" => blank ? "Never rated effort" : $"Last effort rating {count}",
            "survey_answers_365d" => $"{count} survey answers in the last year",
            "service_contacts_90d" => $"{count} service contacts in the last 90 days",
            "repeat_contacts_90d" => $"{count} repeat contacts within 7 days (last 90 days)",
            "open_tickets" => $"{count} open tickets",
            "mean_sentiment_365d" => blank ? "Has written nothing this year" : $"Average sentiment of their words {number:0.00}",
            "negative_texts_365d" => $"{count} negative comments in the last year",
            "churn_intent_365d" => $"Said they might leave {count} times in the last year",
            "subscriber" => value == "yes" ? "Has a running subscription" : "No running subscription",
            "acquisition_campaign" => blank ? "Not acquired through a campaign" : $"Acquired through campaign {value}",
            "first_channel" => $"First came through {value}",
            "segment" => blank ? "No segment" : $"In segment {value}",
            "complaint_theme" => blank ? "No complaints this year" : $"Complains most about {value.Replace('_', ' ')}",
            _ => $"{feature.Replace('_', ' ')}: {value}",
        };
    }
}
