namespace OpenCxo.Core.Maturity;

/// <summary>A text in English and Spanish, the two languages of the UI.</summary>
public sealed record Bilingual(string En, string Es)
{
    /// <summary>The Spanish text for <c>es</c>, else the English one.</summary>
    public string In(string language) => language == "es" ? Es : En;
}

/// <summary>One level of the 0–4 scale a practice is scored on.</summary>
public sealed record MaturityLevel(int Score, string Key, Bilingual Name, Bilingual Meaning);

/// <summary>One of the six areas the checklist is grouped in.</summary>
public sealed record MaturityArea(string Key, Bilingual Name);

/// <summary>
/// One observable CX practice: <see cref="Key"/> is <c>area.slug</c>, stable across releases (stored answers name it);
/// <see cref="Evidence"/> says what an assessor should be able to see; <see cref="HelpPath"/> is the OpenCXO page that
/// helps with it, if one does; <see cref="InitiativeName"/> and <see cref="InitiativeDescription"/> are the initiative
/// suggested when the practice scores low.
/// </summary>
public sealed record MaturityPractice(
    string Key, Bilingual Text, Bilingual Evidence, string? HelpPath, Bilingual InitiativeName, Bilingual InitiativeDescription)
{
    public string Area => Key[..Key.IndexOf('.', StringComparison.Ordinal)];

    /// <summary>The part after the area, unique across the checklist: suggested initiatives are keyed by it.</summary>
    public string Slug => Key[(Key.IndexOf('.', StringComparison.Ordinal) + 1)..];
}

/// <summary>
/// OpenCXO's built-in CX maturity checklist: six areas of concrete practices, each scored 0–4 per department
/// (docs/maturity.md). Written for this project; the areas follow the usual split of CX maturity models (strategy,
/// customer understanding, design, measurement, governance, culture).
/// </summary>
public static class MaturityChecklist
{
    /// <summary>A department's assessment, or <see cref="Company"/>: the company as a whole, the CXO's view.</summary>
    public const string Company = "company";

    /// <summary>Who can be assessed: the company as a whole, then the departments KPIs are owned by.</summary>
    public static readonly IReadOnlyList<string> Departments = [Company, .. Ingest.Vocabulary.Departments];

    public const int MaxNoteLength = 1000;

    public static readonly IReadOnlyList<MaturityLevel> Levels =
    [
        new(0, "absent", new("Absent", "Ausente"),
            new("Not done at all, or nobody could show it.", "No se hace, o nadie podría mostrarlo.")),
        new(1, "ad-hoc", new("Ad hoc", "Puntual"),
            new("Done now and then, by some people, depending on who is involved.", "Se hace a veces, por algunas personas, según quién esté.")),
        new(2, "defined", new("Defined", "Definida"),
            new("Written down and agreed, with an owner, but not yet followed or checked everywhere.", "Está escrita y acordada, con responsable, pero aún no se sigue ni se comprueba en todas partes.")),
        new(3, "managed", new("Managed", "Gestionada"),
            new("Followed as a routine and measured: someone would notice, with numbers, if it stopped.", "Se sigue como rutina y se mide: alguien notaría, con datos, si se dejara de hacer.")),
        new(4, "optimised", new("Optimised", "Optimizada"),
            new("Embedded in how people work and improved regularly from its results.", "Forma parte del trabajo diario y se mejora con regularidad a partir de sus resultados.")),
    ];

    public static readonly IReadOnlyList<MaturityArea> Areas =
    [
        new("strategy", new("Strategy", "Estrategia")),
        new("customer-understanding", new("Customer understanding", "Conocimiento del cliente")),
        new("design", new("Design", "Diseño")),
        new("measurement", new("Measurement", "Medición")),
        new("governance", new("Governance", "Gobierno")),
        new("culture", new("Culture", "Cultura")),
    ];

    public static readonly IReadOnlyList<MaturityPractice> Practices =
    [
        new("strategy.cx-vision",
            new("A written CX vision says which customers we serve and what they should experience, and people in every department can say it in their own words.",
                "Una visión de CX escrita dice a qué clientes servimos y qué deben vivir, y en cada departamento la gente sabe explicarla con sus palabras."),
            new("The vision is published; asked at random, staff of each department describe it.", "La visión está publicada; preguntadas al azar, personas de cada departamento la describen."),
            "/cxo",
            new("Write and share the CX vision", "Redactar y difundir la visión de CX"),
            new("Draft a one-page CX vision with the leadership team, test it with front-line staff and publish it where every department sees it.",
                "Redactar con la dirección una visión de CX de una página, contrastarla con el personal de primera línea y publicarla donde la vean todos los departamentos.")),
        new("strategy.outcome-goals",
            new("Each department's yearly plan has at least one customer outcome goal (retention, NPS, resolution), not only volume or revenue.",
                "El plan anual de cada departamento tiene al menos un objetivo de resultado para el cliente (retención, NPS, resolución), no solo de volumen o ingresos."),
            new("Plans list customer outcome goals with targets, and their reviews report on them.", "Los planes incluyen objetivos de cliente con metas y sus revisiones informan de ellos."),
            "/kpis",
            new("Put a customer outcome into the department plan", "Incluir un resultado de cliente en el plan del departamento"),
            new("Choose the customer outcome the department influences most, set it as a KPI with a target, and report on it in every plan review.",
                "Elegir el resultado de cliente en el que más influye el departamento, fijarlo como KPI con meta e informar de él en cada revisión del plan.")),
        new("strategy.deliverable-promises",
            new("Promises made to customers (response times, opening hours, guarantees) are checked against what operations can deliver before they are published.",
                "Las promesas al cliente (tiempos de respuesta, horarios, garantías) se contrastan con lo que operaciones puede cumplir antes de publicarlas."),
            new("A list of live promises, each with the department that delivers it and its measured keep rate.", "Una lista de promesas vigentes, cada una con el departamento que la cumple y su tasa de cumplimiento medida."),
            "/promises",
            new("Check every promise against delivery", "Contrastar cada promesa con lo que se cumple"),
            new("List the promises marketing and sales make, name the department that delivers each, measure how often it is kept, and withdraw or fix those that are not.",
                "Listar las promesas que hacen marketing y ventas, nombrar el departamento que cumple cada una, medir cuántas veces se cumple y retirar o corregir las que no.")),
        new("strategy.value-case",
            new("CX investments are decided with an expected effect on retention or lifetime value, and the effect is checked afterwards.",
                "Las inversiones en CX se deciden con un efecto esperado en retención o valor de vida del cliente, y después se comprueba ese efecto."),
            new("Business cases cite retention or lifetime value figures; a later review compares expected and actual effect.", "Los casos de negocio citan cifras de retención o valor de vida; una revisión posterior compara el efecto esperado con el real."),
            "/metrics/retention_rate",
            new("Tie CX investments to retention and value", "Vincular las inversiones en CX a retención y valor"),
            new("Require an expected effect on retention or lifetime value in every CX business case, and review each one six months after launch against the measured figures.",
                "Exigir un efecto esperado en retención o valor de vida en cada caso de negocio de CX, y revisar cada uno seis meses después frente a las cifras medidas.")),
        new("strategy.executive-owner",
            new("A named executive owns CX and reports on it to the leadership team at least quarterly.",
                "Una persona de la dirección es responsable de la CX e informa de ella al comité de dirección al menos cada trimestre."),
            new("The owner is named in the organisation chart; leadership agendas show a CX report each quarter.", "El organigrama la nombra; las agendas de dirección muestran un informe de CX cada trimestre."),
            "/council",
            new("Name an executive owner for CX", "Nombrar a un responsable de CX en la dirección"),
            new("Agree which executive is accountable for CX and put a quarterly CX report, from the council report, on the leadership agenda.",
                "Acordar qué directivo responde de la CX y poner un informe trimestral de CX, a partir del informe del comité, en la agenda de dirección.")),

        new("customer-understanding.single-view",
            new("Staff who talk to customers see one profile with the customer's history across marketing, sales and service.",
                "Quien habla con clientes ve un único perfil con su historial en marketing, ventas y servicio."),
            new("An agent can open one screen during a call and see the customer's recent purchases, campaigns, tickets and survey answers.", "Durante una llamada, un agente abre una pantalla y ve las compras, campañas, incidencias y respuestas recientes del cliente."),
            "/customers",
            new("Give front-line staff one view of the customer", "Dar a la primera línea una vista única del cliente"),
            new("Connect the marketing, sales and service systems so that every touchpoint reaches one customer profile, and make it the screen agents open first.",
                "Conectar los sistemas de marketing, ventas y servicio para que cada punto de contacto llegue a un único perfil, y que sea la pantalla que los agentes abren primero.")),
        new("customer-understanding.voice-of-customer",
            new("Feedback from surveys, tickets, reviews and calls is gathered in one place and read by theme, in every language customers write in.",
                "Las opiniones de encuestas, incidencias, reseñas y llamadas se reúnen en un solo lugar y se leen por temas, en todos los idiomas en que escriben los clientes."),
            new("One report shows this month's themes across all sources, with examples in the customers' words.", "Un informe muestra los temas del mes en todas las fuentes, con ejemplos en palabras de los clientes."),
            "/feedback",
            new("Bring every customer comment into one place", "Reunir todos los comentarios de clientes en un solo lugar"),
            new("Send survey comments, tickets, reviews and call transcripts to one feedback store, agree a theme taxonomy, and review the themes monthly.",
                "Enviar comentarios de encuestas, incidencias, reseñas y transcripciones a un único repositorio, acordar una taxonomía de temas y revisarlos cada mes.")),
        new("customer-understanding.journey-maps",
            new("The main customer journeys are mapped from real touchpoint data, showing where customers drop out or have to contact us again.",
                "Los principales recorridos del cliente se trazan con datos reales de contacto, mostrando dónde abandonan o tienen que volver a contactar."),
            new("Journey maps built from data for the top journeys, updated within the last quarter.", "Mapas de recorrido construidos con datos para los recorridos principales, actualizados en el último trimestre."),
            "/journeys",
            new("Map the main journeys from data", "Trazar con datos los recorridos principales"),
            new("Pick the three journeys that matter most to customers, map them from touchpoint data, and mark the steps where customers drop out or contact us again.",
                "Elegir los tres recorridos que más importan a los clientes, trazarlos con datos de contacto y señalar los pasos donde abandonan o vuelven a contactar.")),
        new("customer-understanding.segment-needs",
            new("Customer segments are defined by needs and behaviour, and each has known expectations (response time, preferred channel).",
                "Los segmentos de clientes se definen por necesidades y comportamiento, y se conocen las expectativas de cada uno (tiempo de respuesta, canal preferido)."),
            new("Saved segments with a written description of what each expects, backed by survey answers.", "Segmentos guardados con una descripción escrita de lo que espera cada uno, respaldada por respuestas de encuestas."),
            "/segments",
            new("Define segments by what customers need", "Definir segmentos según lo que necesitan los clientes"),
            new("Build segments from behaviour and survey answers rather than demographics only, and write down each segment's expectations so departments can plan for them.",
                "Crear segmentos a partir del comportamiento y las respuestas a encuestas, no solo de datos demográficos, y escribir las expectativas de cada uno para que los departamentos planifiquen con ellas.")),
        new("customer-understanding.churn-reasons",
            new("Why customers leave is known from their own words and from data, and reviewed at least quarterly.",
                "Por qué se van los clientes se sabe por sus propias palabras y por los datos, y se revisa al menos cada trimestre."),
            new("A quarterly review of churn drivers and cancellation comments, with actions agreed.", "Una revisión trimestral de los factores de baja y los comentarios de cancelación, con acciones acordadas."),
            "/drivers",
            new("Find out why customers leave", "Averiguar por qué se van los clientes"),
            new("Analyse churn drivers and cancellation comments every quarter, share the top reasons with all departments, and agree one action for each.",
                "Analizar cada trimestre los factores de baja y los comentarios de cancelación, compartir los motivos principales con todos los departamentos y acordar una acción para cada uno.")),

        new("design.tested-with-customers",
            new("New products, services and processes are tried with customers before launch, and changed after what they say.",
                "Los nuevos productos, servicios y procesos se prueban con clientes antes del lanzamiento y se cambian según lo que digan."),
            new("Recent launches had pilots or test sessions with customers, and notes show what changed as a result.", "Los lanzamientos recientes tuvieron pilotos o sesiones de prueba con clientes, y hay notas de lo que cambió por ello."),
            "/surveys",
            new("Test changes with customers before launch", "Probar los cambios con clientes antes de lanzarlos"),
            new("Add a customer test (a pilot group, a short survey, a few interviews) to the launch checklist, and record what changed because of it.",
                "Añadir una prueba con clientes (un grupo piloto, una encuesta breve, algunas entrevistas) a la lista de lanzamiento, y anotar qué cambió gracias a ella.")),
        new("design.root-causes",
            new("Recurring complaints are traced to a root cause, and the process, product or policy is changed, not only the single case fixed.",
                "Las quejas recurrentes se rastrean hasta su causa raíz y se cambia el proceso, el producto o la política, no solo se arregla el caso."),
            new("Closed cases carry a root cause; the top causes have a change under way with an owner.", "Los casos cerrados llevan una causa raíz; las causas principales tienen un cambio en marcha con responsable."),
            "/cases",
            new("Fix the root causes of repeat complaints", "Corregir las causas raíz de las quejas repetidas"),
            new("Record a root cause when closing each case, review the five most frequent every month, and give each a change with an owner and a date.",
                "Anotar una causa raíz al cerrar cada caso, revisar cada mes las cinco más frecuentes y asignar a cada una un cambio con responsable y fecha.")),
        new("design.handoffs",
            new("Hand-offs between departments (sale to onboarding, ticket to engineering) have an owner and a time limit, so customers do not have to repeat themselves.",
                "Los traspasos entre departamentos (de la venta a la puesta en marcha, de la incidencia a ingeniería) tienen responsable y plazo, para que el cliente no tenga que repetirse."),
            new("Each main hand-off is written down with its owner and time limit, and repeat contacts after it are measured.", "Cada traspaso principal está documentado con su responsable y plazo, y se miden los contactos repetidos después de él."),
            "/journeys",
            new("Design the hand-offs between departments", "Diseñar los traspasos entre departamentos"),
            new("List the hand-offs customers go through, give each an owner and a time limit, and measure repeat contacts in the week after each.",
                "Listar los traspasos por los que pasa el cliente, dar a cada uno responsable y plazo, y medir los contactos repetidos en la semana siguiente.")),
        new("design.consistent-channels",
            new("Customers get the same answer and the same promise whatever channel they use.",
                "El cliente recibe la misma respuesta y la misma promesa sea cual sea el canal que use."),
            new("Satisfaction and resolution by channel are compared, and gaps between channels are explained or closed.", "Se comparan la satisfacción y la resolución por canal, y las diferencias entre canales se explican o se corrigen."),
            "/metrics",
            new("Make every channel give the same answer", "Que todos los canales den la misma respuesta"),
            new("Compare satisfaction and resolution by channel, find where answers differ, and share one knowledge base across phone, chat, e-mail and stores.",
                "Comparar la satisfacción y la resolución por canal, localizar dónde difieren las respuestas y compartir una base de conocimiento entre teléfono, chat, correo y tiendas.")),
        new("design.accessible",
            new("Services are designed to be accessible (WCAG 2.2 AA for digital channels) and usable in the languages customers speak.",
                "Los servicios se diseñan para ser accesibles (WCAG 2.2 AA en los canales digitales) y utilizables en los idiomas que hablan los clientes."),
            new("Recent accessibility audits of the digital channels, and the main journeys available in the customers' languages.", "Auditorías de accesibilidad recientes de los canales digitales, y los recorridos principales disponibles en los idiomas de los clientes."),
            null,
            new("Make the service accessible to every customer", "Hacer el servicio accesible a todos los clientes"),
            new("Audit the website and app against WCAG 2.2 AA, fix what blocks customers first, and offer the main journeys in every language customers use.",
                "Auditar la web y la aplicación según WCAG 2.2 AA, corregir primero lo que bloquea a los clientes y ofrecer los recorridos principales en todos sus idiomas.")),

        new("measurement.honest-statistics",
            new("NPS, CSAT and CES are reported with confidence intervals and sample sizes, and a change is called only when it is significant.",
                "NPS, CSAT y CES se informan con intervalos de confianza y tamaños de muestra, y solo se habla de cambio cuando es significativo."),
            new("Reports show n and an interval beside each score; nobody celebrates or escalates a move inside the interval.", "Los informes muestran n y un intervalo junto a cada puntuación; nadie celebra ni escala un movimiento dentro del intervalo."),
            "/metrics/nps",
            new("Report scores with intervals and sample sizes", "Informar las puntuaciones con intervalos y tamaños de muestra"),
            new("Show every NPS, CSAT and CES figure with its sample size and 95% interval, and agree that a change is only reported when it is significant.",
                "Mostrar cada cifra de NPS, CSAT y CES con su tamaño de muestra y su intervalo del 95 %, y acordar que solo se informe de un cambio cuando sea significativo.")),
        new("measurement.kpi-owners",
            new("Every KPI has an owner department and a target.",
                "Cada KPI tiene un departamento responsable y una meta."),
            new("The KPI list shows an owner and a target for each, and owners can say what they do when it is missed.", "La lista de KPI muestra responsable y meta para cada uno, y los responsables saben qué hacen cuando no se alcanza."),
            "/kpis",
            new("Give every KPI an owner and a target", "Dar a cada KPI un responsable y una meta"),
            new("Go through the KPIs the department reports, give each an owner department and a target (derived from what customers expect where possible), and drop those nobody owns.",
                "Repasar los KPI que informa el departamento, dar a cada uno un departamento responsable y una meta (derivada de lo que esperan los clientes cuando se pueda) y eliminar los que nadie asume.")),
        new("measurement.loop-closed",
            new("Feedback cases (detractors, complaints) are closed with the customer within an agreed time.",
                "Los casos de feedback (detractores, quejas) se cierran con el cliente dentro de un plazo acordado."),
            new("Cases have an SLA; the share closed in time is reported every month.", "Los casos tienen un SLA; cada mes se informa del porcentaje cerrado a tiempo."),
            "/cases",
            new("Close the loop with unhappy customers in time", "Cerrar el ciclo a tiempo con los clientes insatisfechos"),
            new("Open a case for every detractor and complaint, give it an owner and an SLA, call the customer back, and report the share closed in time monthly.",
                "Abrir un caso por cada detractor y cada queja, darle responsable y SLA, volver a llamar al cliente e informar cada mes del porcentaje cerrado a tiempo.")),
        new("measurement.outcomes-and-activity",
            new("Customer outcomes (retention, resolution, lifetime value) are measured alongside activity (calls, handle time, leads).",
                "Los resultados para el cliente (retención, resolución, valor de vida) se miden junto a la actividad (llamadas, tiempo de gestión, leads)."),
            new("Each department's dashboard puts at least one outcome next to its activity figures.", "El cuadro de mando de cada departamento pone al menos un resultado junto a sus cifras de actividad."),
            "/service-balance",
            new("Measure outcomes next to activity", "Medir resultados junto a la actividad"),
            new("Add an outcome (first-contact resolution, retention of customers won, repeat contacts) next to each activity figure the department reports.",
                "Añadir un resultado (resolución al primer contacto, retención de los clientes captados, contactos repetidos) junto a cada cifra de actividad que informa el departamento.")),
        new("measurement.drivers",
            new("What drives satisfaction and churn is analysed from data, so effort goes where it moves the score.",
                "Qué impulsa la satisfacción y las bajas se analiza con datos, para que el esfuerzo vaya donde mueve la puntuación."),
            new("A key-driver analysis from the last two quarters, and priorities that follow it.", "Un análisis de factores clave de los dos últimos trimestres, y prioridades que lo siguen."),
            "/drivers",
            new("Find what really drives satisfaction", "Averiguar qué impulsa de verdad la satisfacción"),
            new("Run a key-driver analysis of NPS and churn each quarter and rank the department's improvement work by the drivers' share.",
                "Hacer cada trimestre un análisis de factores clave del NPS y las bajas, y ordenar las mejoras del departamento según el peso de cada factor.")),

        new("governance.cx-council",
            new("A CX council meets at least monthly and reviews duplicated and conflicting initiatives.",
                "Un comité de CX se reúne al menos una vez al mes y revisa las iniciativas duplicadas o en conflicto."),
            new("Minutes of monthly meetings with marketing, sales and service present, and decisions on overlapping initiatives.", "Actas de reuniones mensuales con marketing, ventas y servicio presentes, y decisiones sobre iniciativas que se solapan."),
            "/council",
            new("Set up a monthly CX council", "Crear un comité de CX mensual"),
            new("Meet monthly with marketing, sales, service and product around the council report, review KPIs off target and initiatives that overlap or conflict, and record decisions.",
                "Reunirse cada mes con marketing, ventas, servicio y producto en torno al informe del comité, revisar los KPI fuera de meta y las iniciativas que se solapan o chocan, y anotar las decisiones.")),
        new("governance.raci",
            new("Each KPI and each cross-department process has a RACI: one accountable person, named responsible departments.",
                "Cada KPI y cada proceso entre departamentos tiene una matriz RACI: una única persona que rinde cuentas y departamentos responsables con nombre."),
            new("RACI entries on KPIs and processes, with exactly one accountable each.", "Entradas RACI en KPI y procesos, con exactamente una persona que rinde cuentas en cada uno."),
            "/kpis",
            new("Agree who is accountable for each KPI", "Acordar quién rinde cuentas de cada KPI"),
            new("Write a RACI for each KPI and cross-department process, with one accountable person, and review it when teams change.",
                "Escribir una RACI para cada KPI y proceso entre departamentos, con una sola persona que rinde cuentas, y revisarla cuando cambien los equipos.")),
        new("governance.escalation",
            new("When a KPI misses its target, an alert reaches its owner and there is an agreed path to escalate.",
                "Cuando un KPI no alcanza su meta, una alerta llega a su responsable y hay una vía de escalado acordada."),
            new("Alert rules on the main KPIs, and acknowledged alerts with the action taken.", "Reglas de alerta en los KPI principales, y alertas atendidas con la acción tomada."),
            "/alerts",
            new("Alert KPI owners and agree escalation", "Avisar a los responsables de KPI y acordar el escalado"),
            new("Set alert rules on the department's main KPIs so that misses reach their owners, and write down who is told next if nothing happens within a week.",
                "Configurar alertas en los KPI principales del departamento para que los incumplimientos lleguen a sus responsables, y escribir a quién se avisa después si no pasa nada en una semana.")),
        new("governance.consent",
            new("Customer data is used within the consent customers gave, and requests to export or erase it are answered within the legal time.",
                "Los datos del cliente se usan dentro del consentimiento que dio, y las solicitudes de exportación o supresión se atienden en el plazo legal."),
            new("Recorded consents; campaigns that leave out who refused; a log of data requests with the days taken.", "Consentimientos registrados; campañas que excluyen a quien se negó; un registro de solicitudes de datos con los días empleados."),
            "/customers",
            new("Respect consent in every use of customer data", "Respetar el consentimiento en todo uso de datos de clientes"),
            new("Record consent where customers give it, make every audience and export leave out refusals, and answer export and erasure requests within the legal time.",
                "Registrar el consentimiento donde el cliente lo da, hacer que toda audiencia y exportación excluya las negativas y atender las solicitudes de exportación y supresión en el plazo legal.")),
        new("governance.initiative-portfolio",
            new("CX initiatives are kept in one portfolio with owner, budget and the KPI each should move.",
                "Las iniciativas de CX están en una única cartera con responsable, presupuesto y el KPI que cada una debe mover."),
            new("One list of initiatives with owner, budget, dates and target KPI, reviewed by the CX council.", "Una lista de iniciativas con responsable, presupuesto, fechas y KPI objetivo, revisada por el comité de CX."),
            "/initiatives",
            new("Keep CX initiatives in one portfolio", "Reunir las iniciativas de CX en una cartera"),
            new("Collect every CX initiative in one portfolio with its owner, budget, dates and the KPI it should move, and review overlaps at the CX council.",
                "Reunir cada iniciativa de CX en una cartera con su responsable, presupuesto, fechas y el KPI que debe mover, y revisar los solapamientos en el comité de CX.")),

        new("culture.resolution-over-speed",
            new("Front-line staff are measured on resolution, not only handle time.",
                "El personal de primera línea se evalúa por la resolución, no solo por el tiempo de gestión."),
            new("Agent scorecards weigh first-contact resolution and repeat contacts at least as much as handle time.", "Las fichas de los agentes pesan la resolución al primer contacto y los contactos repetidos al menos tanto como el tiempo de gestión."),
            "/service-balance",
            new("Measure the front line on resolution", "Evaluar a la primera línea por la resolución"),
            new("Change agent scorecards so that first-contact resolution and repeat contacts count at least as much as handle time, and watch both for a quarter.",
                "Cambiar las fichas de los agentes para que la resolución al primer contacto y los contactos repetidos cuenten al menos tanto como el tiempo de gestión, y seguir ambos durante un trimestre.")),
        new("culture.sales-quality",
            new("Sales is rewarded on the retention and satisfaction of the customers it closes, not only revenue.",
                "Ventas se recompensa por la retención y la satisfacción de los clientes que capta, no solo por los ingresos."),
            new("Commission or bonus rules that include the retention or satisfaction of closed customers.", "Reglas de comisión o bonus que incluyen la retención o la satisfacción de los clientes captados."),
            "/sales-quality",
            new("Reward sales on the customers it keeps", "Recompensar a ventas por los clientes que se quedan"),
            new("Report each sales team's retention and satisfaction of the customers it closed, and make part of the variable pay depend on them.",
                "Informar de la retención y la satisfacción de los clientes captados por cada equipo de ventas, y hacer que parte de la retribución variable dependa de ellas.")),
        new("culture.empowered-front-line",
            new("Front-line staff may fix a customer's problem up to an agreed cost without asking a manager.",
                "La primera línea puede resolver el problema de un cliente hasta un coste acordado sin pedir permiso a un responsable."),
            new("A written allowance per role, and records of what was spent and how those customers answered afterwards.", "Una cantidad autorizada por puesto por escrito, y registros de lo gastado y de cómo respondieron después esos clientes."),
            "/actions",
            new("Let the front line fix problems on the spot", "Permitir que la primera línea resuelva en el momento"),
            new("Agree an amount each front-line role may spend to put things right without approval, record its use, and compare those customers' satisfaction and retention.",
                "Acordar la cantidad que cada puesto de primera línea puede gastar para arreglar las cosas sin aprobación, registrar su uso y comparar la satisfacción y la retención de esos clientes.")),
        new("culture.customer-voice-shared",
            new("Customers' own words are shared with every department regularly, leadership included.",
                "Las palabras de los propios clientes se comparten con regularidad con todos los departamentos, dirección incluida."),
            new("A regular digest of customer comments that each department receives, and leadership meetings that open with one.", "Un resumen periódico de comentarios de clientes que recibe cada departamento, y reuniones de dirección que empiezan con uno."),
            "/digests",
            new("Share customers' words with everyone", "Compartir las palabras de los clientes con todos"),
            new("Send every department a weekly digest of customer comments about its work, and open leadership meetings with one customer's story.",
                "Enviar a cada departamento un resumen semanal de comentarios de clientes sobre su trabajo, y abrir las reuniones de dirección con la historia de un cliente.")),
        new("culture.onboarding",
            new("Every new employee learns the CX vision and spends time with customers or the front line in their first months.",
                "Cada nueva incorporación conoce la visión de CX y pasa tiempo con clientes o con la primera línea en sus primeros meses."),
            new("The onboarding plan includes the CX vision and front-line time, and new staff confirm they did both.", "El plan de acogida incluye la visión de CX y tiempo en primera línea, y las nuevas personas confirman que hicieron ambas cosas."),
            null,
            new("Bring CX into onboarding", "Incluir la CX en la acogida"),
            new("Add the CX vision and a day with the front line or customers to every new employee's onboarding plan, and check that it happened.",
                "Añadir la visión de CX y un día con la primera línea o con clientes al plan de acogida de cada nueva incorporación, y comprobar que se hizo.")),
        new("culture.recognition",
            new("Teams are recognised for improvements customers noticed, with the evidence (a score, a comment).",
                "Los equipos reciben reconocimiento por las mejoras que notaron los clientes, con la prueba (una puntuación, un comentario)."),
            new("Recognitions that cite a customer score or comment, given at least quarterly.", "Reconocimientos que citan una puntuación o un comentario de cliente, al menos cada trimestre."),
            "/feedback",
            new("Recognise improvements customers noticed", "Reconocer las mejoras que notaron los clientes"),
            new("Each quarter, pick the improvements that customers' scores or comments show they noticed, and recognise the teams behind them in front of the company.",
                "Cada trimestre, elegir las mejoras que las puntuaciones o los comentarios muestran que los clientes notaron, y reconocer ante la empresa a los equipos que las hicieron.")),
    ];

    private static readonly Dictionary<string, MaturityPractice> ByKey = Practices.ToDictionary(p => p.Key, StringComparer.Ordinal);

    public static MaturityPractice? Find(string key) => ByKey.GetValueOrDefault(key);

    public static MaturityArea? Area(string key) => Areas.FirstOrDefault(a => a.Key == key);

    /// <summary>The level a score has fully reached: 2.6 is still "defined".</summary>
    public static MaturityLevel LevelOf(double score) => Levels[Math.Clamp((int)Math.Floor(score), 0, Levels.Count - 1)];
}
