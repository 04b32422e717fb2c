using OpenCxo.Core.Feedback;

namespace OpenCxo.Core.Metrics;

public enum MetricFamily
{
    Experience,
    Relationship,
    Acquisition,
    Service,
    Money,
}

/// <summary>How a metric's value and interval follow from its sufficient statistics.</summary>
public enum StatisticKind
{
    /// <summary>NPS from promoters, passives and detractors: Wald interval (see <see cref="ScoreStatistics.Nps"/>).</summary>
    Nps,

    /// <summary>A share in % of N: Wilson interval.</summary>
    Proportion,

    /// <summary>A mean of N values: Student t interval.</summary>
    Mean,

    /// <summary>A count of a whole population (not a sample): no interval.</summary>
    Count,
}

/// <summary>One entry of the catalogue: what the metric is, how it is computed, from which touchpoints, and what to mind.</summary>
/// <param name="Name">The name in URLs and commands: <c>/api/v1/metrics/{Name}</c>, <c>cxo metrics {Name}</c>.</param>
/// <param name="HigherIsBetter">Whether a rise is good news (false for handle time, negative share).</param>
public sealed record MetricDefinition(
    string Name, MetricFamily Family, StatisticKind Kind, string Unit, bool HigherIsBetter,
    LocalizedText Title, LocalizedText Formula, LocalizedText Sources, LocalizedText Caveats);

/// <summary>The metrics OpenCXO computes, each defined once; docs/metrics.md and the UI's definition pages show these texts.</summary>
public static class MetricCatalogue
{
    public static IReadOnlyList<MetricDefinition> All { get; } =
    [
        new("nps", MetricFamily.Experience, StatisticKind.Nps, "points", true,
            new("Net Promoter Score", "Net Promoter Score"),
            new("100 × (promoters − detractors) / answers; promoters answer 9–10, detractors 0–6. 95 % Wald interval with Var = (p + d − (p − d)²) / n.",
                "100 × (promotores − detractores) / respuestas; promotores responden 9–10, detractores 0–6. Intervalo de Wald del 95 % con Var = (p + d − (p − d)²) / n."),
            new("survey.response touchpoints with an NPS answer.", "Puntos de contacto survey.response con respuesta NPS."),
            new("Under 30 answers a slice is flagged small: read it as a number, not a trend.", "Con menos de 30 respuestas el corte se marca como pequeño: léalo como un número, no como una tendencia.")),
        new("csat", MetricFamily.Experience, StatisticKind.Proportion, "%", true,
            new("Customer satisfaction", "Satisfacción del cliente"),
            new("Share of CSAT answers of 4 or 5 (on 1–5), with the Wilson interval; the mean answer with its t interval.",
                "Proporción de respuestas CSAT de 4 o 5 (de 1 a 5), con el intervalo de Wilson; la media con su intervalo t."),
            new("survey.response touchpoints with a CSAT answer.", "Puntos de contacto survey.response con respuesta CSAT."),
            new("Surveys sent after good and bad contacts alike compare; surveys sent only after resolved tickets flatter.",
                "Las encuestas enviadas tras contactos buenos y malos son comparables; las enviadas solo tras incidencias resueltas favorecen.")),
        new("ces", MetricFamily.Experience, StatisticKind.Mean, "1–7", true,
            new("Customer effort", "Esfuerzo del cliente"),
            new("Mean CES answer (1–7, 7 very easy) with its t interval.", "Media de las respuestas CES (1–7, 7 muy fácil) con su intervalo t."),
            new("survey.response touchpoints with a CES answer.", "Puntos de contacto survey.response con respuesta CES."),
            new("A mean of an ordinal scale: compare it with itself over time rather than across companies.",
                "Una media de una escala ordinal: compárela consigo misma en el tiempo, no entre empresas.")),
        new("sentiment", MetricFamily.Experience, StatisticKind.Mean, "−1…1", true,
            new("Sentiment of what customers write", "Sentimiento de lo que escriben los clientes"),
            new("Mean sentiment score (−1 … 1) of the analysed texts, with its t interval; by theme, of the sentences that speak of it.",
                "Media de la puntuación de sentimiento (−1 … 1) de los textos analizados, con su intervalo t; por tema, de las frases que hablan de él."),
            new("Every touchpoint with a text, analysed as it arrives (docs/text.md).", "Todo punto de contacto con texto, analizado al llegar (docs/text.md)."),
            new("Texts are written by customers who chose to write: a louder minority. Read the level with care and the change with more confidence.",
                "Los textos los escriben los clientes que eligen escribir: una minoría que se hace oír. Lea el nivel con cautela y el cambio con más confianza.")),
        new("negative_feedback_share", MetricFamily.Experience, StatisticKind.Proportion, "%", false,
            new("Share of negative feedback", "Proporción de comentarios negativos"),
            new("Analysed texts with a negative sentiment (score ≤ −0.05) as a share of all analysed texts, with the Wilson interval; by theme, of the texts that mention it.",
                "Textos analizados con sentimiento negativo (puntuación ≤ −0,05) sobre todos los textos analizados, con el intervalo de Wilson; por tema, de los textos que lo mencionan."),
            new("Every touchpoint with a text.", "Todo punto de contacto con texto."),
            new("Which touchpoints carry text changes the base: tickets are more negative than reviews.",
                "Qué puntos de contacto llevan texto cambia la base: las incidencias son más negativas que las reseñas.")),
        new("active_customers", MetricFamily.Relationship, StatisticKind.Count, "customers", true,
            new("Active customers", "Clientes activos"),
            new("Distinct customers with at least one touchpoint in the period (or bucket), merged profiles counted once.",
                "Clientes distintos con al menos un punto de contacto en el periodo (o intervalo), perfiles fusionados contados una vez."),
            new("Every touchpoint.", "Todo punto de contacto."),
            new("A count of the whole population, not a sample: it has no interval. Sliced, a customer counts in every slice they touched.",
                "Un recuento de toda la población, no una muestra: no tiene intervalo. Por cortes, un cliente cuenta en cada corte que tocó.")),
        new("repeat_purchase_rate", MetricFamily.Relationship, StatisticKind.Proportion, "%", true,
            new("Repeat purchase rate", "Tasa de recompra"),
            new("Customers with two or more order.placed in the period (or bucket) as a share of customers with at least one, with the Wilson interval.",
                "Clientes con dos o más order.placed en el periodo (o intervalo) sobre los clientes con al menos uno, con el intervalo de Wilson."),
            new("order.placed touchpoints.", "Puntos de contacto order.placed."),
            new("It depends on the length of the bucket: a week rarely holds two orders, a quarter often does. Compare like with like.",
                "Depende de la longitud del intervalo: una semana rara vez tiene dos pedidos, un trimestre a menudo. Compare lo comparable.")),
        new("contacts_per_customer", MetricFamily.Service, StatisticKind.Mean, "contacts", false,
            new("Service contacts per customer", "Contactos de servicio por cliente"),
            new("Service touchpoints per customer who had any in the period (or bucket), with its t interval; the customers are the sample.",
                "Puntos de contacto de servicio por cliente que tuvo alguno en el periodo (o intervalo), con su intervalo t; los clientes son la muestra."),
            new("Touchpoints of the service department.", "Puntos de contacto del departamento de servicio."),
            new("Customers who never needed service are not in it: read it beside active customers. Fewer is better only when problems are solved, not when customers give up.",
                "Los clientes que nunca necesitaron servicio no cuentan: léalo junto a los clientes activos. Menos es mejor solo si los problemas se resuelven, no si los clientes se rinden.")),
        new("first_contact_resolution", MetricFamily.Service, StatisticKind.Proportion, "%", true,
            new("First-contact resolution", "Resolución al primer contacto"),
            new("Contacts resolved at the first contact as a share of the contacts that say whether they were, with the Wilson interval.",
                "Contactos resueltos al primer contacto sobre los contactos que indican si lo fueron, con el intervalo de Wilson."),
            new("Touchpoints with an attributes.firstContactResolution of true or false.", "Puntos de contacto con attributes.firstContactResolution true o false."),
            new("Only as honest as the flag: an agent's own tick overstates it; a customer who calls back within days is the stricter test (repeat contact).",
                "Tan honesta como la marca: la del propio agente la exagera; que el cliente vuelva a llamar en pocos días es la prueba más estricta (contacto repetido).")),
        new("average_handle_time", MetricFamily.Service, StatisticKind.Mean, "seconds", false,
            new("Average handle time", "Tiempo medio de gestión"),
            new("Mean of the handleSeconds attribute of the contacts that carry it, with its t interval.",
                "Media del atributo handleSeconds de los contactos que lo llevan, con su intervalo t."),
            new("Touchpoints with an attributes.handleSeconds (calls, chats, tickets).", "Puntos de contacto con attributes.handleSeconds (llamadas, chats, incidencias)."),
            new("Shorter is cheaper, not better: read it beside first-contact resolution and repeat contacts, or it rewards hanging up.",
                "Más corto es más barato, no mejor: léalo junto a la resolución al primer contacto y los contactos repetidos, o premiará colgar.")),
        new("after_hours_share", MetricFamily.Service, StatisticKind.Proportion, "%", false,
            new("After-hours contact share", "Proporción de contactos fuera de horario"),
            new("Service touchpoints before 08:00 or from 20:00 (UTC), or on a Saturday or Sunday, as a share of all service touchpoints, with the Wilson interval.",
                "Puntos de contacto de servicio antes de las 08:00 o desde las 20:00 (UTC), o en sábado o domingo, sobre todos los de servicio, con el intervalo de Wilson."),
            new("Touchpoints of the service department.", "Puntos de contacto del departamento de servicio."),
            new("Hours are UTC, not each customer's local time; a company in one time zone reads it as its own.",
                "Las horas son UTC, no la hora local de cada cliente; una empresa en un solo huso la lee como propia.")),
    ];

    public static MetricDefinition? Find(string name) => All.FirstOrDefault(m => m.Name == name);
}
