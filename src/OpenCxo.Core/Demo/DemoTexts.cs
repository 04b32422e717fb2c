using System.Globalization;
using System.Text;

namespace OpenCxo.Core.Demo;

/// <summary>What a text is: the customer's words (ticket, reopen, review, survey, cancellation) or an employee's note.</summary>
internal enum TextKind
{
    Ticket,
    Summary,
    Reopen,
    Review,
    Survey,
    Cancellation,
    DealNote,
    DealLost,
}

/// <summary>What a text is about; ticket topics are the first seven.</summary>
internal enum Theme
{
    Billing,
    Delivery,
    App,
    Device,
    FalseAlarm,
    Installation,
    Account,
    Wait,
    Staff,
    Price,
    Night,
    Moving,
    Competitor,
    General,
}

/// <summary>Whose words: Spanish from Spain, from Mexico, or English.</summary>
internal enum Voice
{
    Spain,
    Mexico,
    English,
}

internal enum Mood
{
    Positive,
    Mixed,
    Negative,
}

/// <summary>The values a template's slots take for one text.</summary>
internal readonly record struct TextSlots(string Product, string Amount, int Days, int Times, int Hour, int Month, int Minutes, string Plan, Theme Topic);

/// <summary>
/// Bilingual free text for the demo: templates written in Spanish and English (not translations of each other),
/// with slots ({product}, {amount}, {days}, {times}, {hour}, {month}, {minutes}, {plan}, {topic}) and optional
/// greetings and sign-offs, so texts vary the way real tickets, reviews and survey comments do.
/// </summary>
internal static class DemoTexts
{
    private static readonly (TextKind Kind, Theme Theme, Mood Mood, string Es, string En)[] Templates =
    [
        // Tickets: the customer's own words.
        (TextKind.Ticket, Theme.Billing, Mood.Negative, "Me habéis cobrado dos veces la cuota de {month}. Quiero que me devolváis {amount} cuanto antes.", "You've charged me twice for {month}. Please refund the {amount} as soon as possible."),
        (TextKind.Ticket, Theme.Billing, Mood.Negative, "La factura de este mes viene con un importe de {amount} que no reconozco. ¿Me lo podéis explicar?", "This month's invoice shows {amount} and I have no idea what it's for. Can someone explain?"),
        (TextKind.Ticket, Theme.Billing, Mood.Negative, "Sigo pagando el plan antiguo aunque pedí el cambio hace {days} días. Revisad la facturación, por favor.", "I'm still being billed for my old plan even though I asked to change it {days} days ago."),
        (TextKind.Ticket, Theme.Billing, Mood.Mixed, "No encuentro las facturas en el área de cliente y las necesito para la gestoría.", "I can't find my invoices in the customer area and my accountant needs them."),
        (TextKind.Ticket, Theme.Delivery, Mood.Negative, "El pedido tenía que llegar hace {days} días y todavía no sé nada. El seguimiento no se actualiza.", "My order was due {days} days ago and there's still no sign of it. Tracking hasn't updated."),
        (TextKind.Ticket, Theme.Delivery, Mood.Negative, "Me ha llegado la caja abierta y falta {product}.", "The box arrived open and {product} was missing."),
        (TextKind.Ticket, Theme.Delivery, Mood.Negative, "El repartidor dice que no había nadie en casa, pero estuve todo el día. ¿Cuándo vuelven a intentar la entrega?", "The courier says nobody was home but I was in all day. When will you try again?"),
        (TextKind.Ticket, Theme.App, Mood.Negative, "La app se cierra sola cada vez que intento ver la cámara. Ya la he reinstalado y sigue igual.", "The app crashes every time I open the camera view. I've reinstalled it and nothing changed."),
        (TextKind.Ticket, Theme.App, Mood.Negative, "Desde la última actualización la aplicación no carga y no puedo desactivar la alarma desde el móvil.", "Since the last update the app won't load and I can't disarm the alarm from my phone."),
        (TextKind.Ticket, Theme.App, Mood.Mixed, "No me llegan las notificaciones de la app cuando salta {product}.", "I'm not getting app notifications when {product} goes off."),
        (TextKind.Ticket, Theme.Device, Mood.Negative, "{Product} se desconecta cada noche y aparece como «sin conexión» en la app.", "{Product} drops offline every night and shows as disconnected in the app."),
        (TextKind.Ticket, Theme.Device, Mood.Negative, "{Product} no responde y la luz parpadea en rojo. He probado a reiniciarlo sin éxito.", "{Product} isn't responding and the light keeps flashing red. Restarting it didn't help."),
        (TextKind.Ticket, Theme.Device, Mood.Mixed, "La batería de {product} dura menos de una semana. ¿Es normal?", "The battery in {product} lasts less than a week. Is that normal?"),
        (TextKind.Ticket, Theme.FalseAlarm, Mood.Negative, "La alarma ha saltado sin motivo {times} veces esta semana y los vecinos ya se quejan.", "The alarm went off for no reason {times} times this week and the neighbours are complaining."),
        (TextKind.Ticket, Theme.FalseAlarm, Mood.Negative, "Anoche sonó la sirena sin que hubiera nadie. Necesito saber qué detectó {product}.", "The siren went off last night with nobody around. What did {product} detect?"),
        (TextKind.Ticket, Theme.Installation, Mood.Negative, "El técnico no vino a la hora acordada y nadie me avisó. Perdí la mañana esperando.", "The engineer didn't turn up at the agreed time and nobody told me. I wasted the whole morning."),
        (TextKind.Ticket, Theme.Installation, Mood.Mixed, "La instalación quedó a medias: falta configurar {product}.", "The installation was left half done: {product} still isn't set up."),
        (TextKind.Ticket, Theme.Account, Mood.Negative, "No puedo entrar en mi cuenta: dice que la contraseña es incorrecta y no me llega el correo para cambiarla.", "I can't log in: it says my password is wrong and the reset email never arrives."),
        (TextKind.Ticket, Theme.Account, Mood.Mixed, "Quiero añadir a mi pareja como usuario de la alarma y no encuentro cómo hacerlo.", "I want to add my partner as a user on the alarm and can't find how."),
        (TextKind.Ticket, Theme.Night, Mood.Negative, "Son {hour} y la alarma no para de sonar. Contratamos el soporte 24/7 justamente para esto. ¿Hay alguien?", "It's {hour} and the alarm won't stop. We signed up for 24/7 support exactly for this. Is anyone there?"),
        (TextKind.Ticket, Theme.Night, Mood.Negative, "Llamo a {hour} porque {product} ha dejado de funcionar y no me dan solución. ¿No era atención 24 horas?", "Calling at {hour} because {product} stopped working and nobody can fix it. Wasn't support meant to be 24/7?"),
        (TextKind.Ticket, Theme.Night, Mood.Negative, "Otra noche igual: {product} falla de madrugada y el servicio nocturno solo toma nota.", "Same story another night: {product} fails in the early hours and the night line just takes a note."),
        (TextKind.Ticket, Theme.Night, Mood.Negative, "Trabajo de noche y necesito que alguien me ayude ahora, no mañana a las nueve.", "I work nights and need help now, not tomorrow at nine."),

        // Call and chat summaries: the agent's short note.
        (TextKind.Summary, Theme.General, Mood.Positive, "Cliente contacta por {topic}. Se resuelve en el primer contacto.", "Customer got in touch about {topic}. Fixed first time."),
        (TextKind.Summary, Theme.Device, Mood.Positive, "Se guía al cliente paso a paso y {product} vuelve a funcionar. Queda satisfecho.", "Walked the customer through it step by step; {product} is working again. Happy with the help."),
        (TextKind.Summary, Theme.General, Mood.Positive, "Consulta sobre {topic} aclarada. Se envía resumen por correo.", "Question about {topic} answered. Summary sent by email."),
        (TextKind.Summary, Theme.Billing, Mood.Positive, "Se aplica un abono de {amount} y se confirma con el cliente.", "Credit of {amount} applied and confirmed with the customer."),
        (TextKind.Summary, Theme.Billing, Mood.Positive, "Se corrige el plan en facturación; la próxima factura saldrá bien.", "Plan corrected in billing; the next invoice will be right."),
        (TextKind.Summary, Theme.Device, Mood.Positive, "Reinicio remoto de la central; conexión recuperada. El cliente agradece la rapidez.", "Remote hub restart; connection restored. Customer thanked us for the quick fix."),
        (TextKind.Summary, Theme.FalseAlarm, Mood.Positive, "Se ajusta la sensibilidad de {product}; no debería volver a saltar sin motivo.", "Sensitivity of {product} turned down; it shouldn't go off for no reason again."),
        (TextKind.Summary, Theme.Installation, Mood.Positive, "Se reprograma la visita del técnico dentro de {days} días. Cliente conforme.", "Engineer visit rebooked in {days} days. Customer happy with that."),
        (TextKind.Summary, Theme.App, Mood.Positive, "Se reinstala la app y se borra la caché; vuelve a funcionar.", "Reinstalled the app and cleared the cache; working again."),
        (TextKind.Summary, Theme.Account, Mood.Positive, "Se restablece la contraseña y el cliente accede sin problema.", "Password reset; the customer can log in again."),
        (TextKind.Summary, Theme.Delivery, Mood.Positive, "Se localiza el pedido con la agencia de transporte; llegará mañana.", "Tracked the parcel down with the courier; it arrives tomorrow."),
        (TextKind.Summary, Theme.General, Mood.Negative, "Cliente contacta por {topic}. No se puede resolver ahora; se escala a segundo nivel.", "Customer got in touch about {topic}. Couldn't fix it now; escalated to L2."),
        (TextKind.Summary, Theme.General, Mood.Negative, "Incidencia abierta con el proveedor. Se llamará al cliente en {days} días.", "Case opened with the supplier. We'll call the customer back in {days} days."),
        (TextKind.Summary, Theme.General, Mood.Negative, "Cliente molesto: es la vez número {times} que nos contacta por lo mismo. Se deja nota al equipo técnico.", "Customer frustrated: contact number {times} about the same issue. Note left for the tech team."),
        (TextKind.Summary, Theme.General, Mood.Negative, "Sin acceso a la herramienta de diagnóstico; queda pendiente de revisión.", "Diagnostics tool unavailable; pending review."),
        (TextKind.Summary, Theme.Device, Mood.Negative, "Se propone cambiar {product}; pendiente de aprobación.", "Replacement of {product} proposed; waiting for approval."),
        (TextKind.Summary, Theme.App, Mood.Negative, "Fallo conocido de la versión actual de la app; se espera parche.", "Known bug in the current app version; waiting for a patch."),
        (TextKind.Summary, Theme.Billing, Mood.Negative, "El abono necesita aprobación de finanzas; se avisará al cliente.", "The refund needs finance approval; we'll let the customer know."),
        (TextKind.Summary, Theme.Night, Mood.Negative, "Llamada nocturna. Sin técnico de guardia; se registra y se pasa al turno de mañana.", "Night call. No engineer on duty; logged and passed to the morning shift."),
        (TextKind.Summary, Theme.Night, Mood.Negative, "Cliente muy enfadado: le prometieron soporte 24/7. Se toma nota, sin solución.", "Customer very angry: was promised 24/7 support. Note taken, no fix."),
        (TextKind.Summary, Theme.Night, Mood.Negative, "El turno de noche no tiene acceso a facturación ni a diagnóstico. Se cierra la llamada.", "Night shift has no access to billing or diagnostics. Call closed."),
        (TextKind.Summary, Theme.Night, Mood.Negative, "Se indica al cliente que desconecte {product} hasta mañana. No queda conforme.", "Told the customer to unplug {product} until the morning. Not happy."),
        (TextKind.Summary, Theme.Night, Mood.Negative, "Llamada breve: se informa de que el equipo técnico empieza a las 8:00.", "Short call: explained that the technical team starts at 8am."),

        // Reopened tickets.
        (TextKind.Reopen, Theme.General, Mood.Negative, "Sigue pasando lo mismo. Me dijeron que estaba solucionado y no es verdad.", "It's still happening. I was told it was fixed and it isn't."),
        (TextKind.Reopen, Theme.General, Mood.Negative, "Vuelvo a abrir la incidencia: {product} ha vuelto a fallar esta noche.", "Reopening this: {product} failed again last night."),
        (TextKind.Reopen, Theme.General, Mood.Negative, "Nadie me ha llamado como me prometieron. ¿Tengo que explicarlo todo otra vez?", "Nobody called me back as promised. Do I have to explain everything again?"),
        (TextKind.Reopen, Theme.General, Mood.Negative, "El problema ha vuelto a los {days} días. Quiero una solución definitiva.", "The problem came back after {days} days. I want a proper fix."),
        (TextKind.Reopen, Theme.Night, Mood.Negative, "Otra vez de madrugada y otra vez sin solución. Así no se puede.", "Another night, another call, still no fix. This can't go on."),

        // Reviews.
        (TextKind.Review, Theme.Installation, Mood.Positive, "Instalación rápida y el técnico muy amable. La app funciona de maravilla.", "Quick installation and a really friendly engineer. The app works brilliantly."),
        (TextKind.Review, Theme.General, Mood.Positive, "Llevo más de un año con ellos y sin ningún problema. Muy recomendable.", "Over a year with them and not a single problem. Highly recommend."),
        (TextKind.Review, Theme.Staff, Mood.Positive, "La atención al cliente es de diez: me resolvieron la duda en cinco minutos.", "Customer service is excellent: they sorted my question in five minutes."),
        (TextKind.Review, Theme.Price, Mood.Positive, "Buena relación calidad-precio. La cámara exterior se ve genial incluso de noche.", "Good value for money. The outdoor camera picture is great even at night."),
        (TextKind.Review, Theme.Delivery, Mood.Positive, "El pedido llegó al día siguiente y muy bien embalado.", "Order arrived the next day, well packed."),
        (TextKind.Review, Theme.App, Mood.Positive, "La aplicación es muy sencilla: activo y desactivo la alarma desde el móvil sin complicaciones.", "The app is really simple; I arm and disarm the alarm from my phone without any fuss."),
        (TextKind.Review, Theme.Billing, Mood.Positive, "Tuvimos un problema con la factura y lo arreglaron enseguida. ¡Así da gusto!", "Had a billing mix-up and they fixed it straight away. That's how it should be!"),
        (TextKind.Review, Theme.General, Mood.Positive, "Dormimos mucho más tranquilos desde que la instalamos.", "We sleep a lot better since we had it installed."),
        (TextKind.Review, Theme.App, Mood.Mixed, "El producto está bien, pero la app se cuelga de vez en cuando.", "Product is fine but the app freezes now and then."),
        (TextKind.Review, Theme.Price, Mood.Mixed, "Buen servicio en general, aunque el precio ha subido bastante este año.", "Decent service overall, although the price has gone up a lot this year."),
        (TextKind.Review, Theme.Installation, Mood.Mixed, "La instalación fue correcta, pero tardaron {days} días en venir.", "Installation was fine, but it took them {days} days to come out."),
        (TextKind.Review, Theme.Wait, Mood.Mixed, "Atención amable, pero hay que esperar mucho al teléfono.", "Friendly staff, but you wait ages on the phone."),
        (TextKind.Review, Theme.Wait, Mood.Negative, "Más de {minutes} minutos esperando al teléfono para que al final me cuelguen.", "Over {minutes} minutes on hold only to be cut off."),
        (TextKind.Review, Theme.Billing, Mood.Negative, "Me cobraron de más dos meses seguidos y todavía espero la devolución.", "Overcharged two months in a row and still waiting for the refund."),
        (TextKind.Review, Theme.App, Mood.Negative, "La app se cierra constantemente. Pagas por seguridad y no puedes ni ver la cámara.", "The app crashes constantly. You pay for security and can't even see the camera."),
        (TextKind.Review, Theme.Delivery, Mood.Negative, "El pedido llegó con una semana de retraso y nadie dio explicaciones.", "Order arrived a week late and nobody explained why."),
        (TextKind.Review, Theme.Price, Mood.Negative, "Demasiado caro para lo que ofrece. Hay opciones mejores.", "Far too expensive for what you get. There are better options."),
        (TextKind.Review, Theme.Device, Mood.Negative, "La alarma salta sola casi cada semana. Un desastre.", "The alarm goes off on its own almost every week. A shambles."),
        (TextKind.Review, Theme.Installation, Mood.Negative, "El técnico llegó tarde y dejó la instalación sin terminar.", "The engineer turned up late and left the installation unfinished."),
        (TextKind.Review, Theme.Staff, Mood.Negative, "Cada vez que llamo me atiende alguien distinto y tengo que empezar de cero.", "Every time I call I get someone new and have to start from scratch."),
        (TextKind.Review, Theme.Night, Mood.Negative, "Prometen soporte 24/7, pero de noche nadie resuelve nada. Publicidad engañosa.", "They advertise 24/7 support, but at night nobody fixes anything. Misleading."),
        (TextKind.Review, Theme.Night, Mood.Negative, "Me vendieron el servicio por la atención nocturna y de madrugada solo te dicen que llames mañana.", "Sold to me on the strength of night-time support, and in the small hours all they say is call back tomorrow."),
        (TextKind.Review, Theme.Night, Mood.Negative, "¿Soporte 24 horas? A {hour} me colgaron a los dos minutos sin solucionar nada.", "24-hour support? At {hour} they hung up after two minutes without fixing anything."),

        // Survey comments.
        (TextKind.Survey, Theme.Staff, Mood.Positive, "Muy buena atención, resolvieron todo a la primera.", "Great service, everything sorted first time."),
        (TextKind.Survey, Theme.Staff, Mood.Positive, "La persona que me atendió fue muy amable y paciente.", "The person who helped me was very friendly and patient."),
        (TextKind.Survey, Theme.General, Mood.Positive, "Rápido y eficaz. ¡Gracias!", "Quick and efficient. Thanks!"),
        (TextKind.Survey, Theme.App, Mood.Positive, "Todo perfecto con la app y las cámaras.", "Really happy with the app and the cameras."),
        (TextKind.Survey, Theme.General, Mood.Positive, "Recomendaría el servicio a mis amigos sin dudarlo.", "I'd recommend you to my friends without a second thought."),
        (TextKind.Survey, Theme.Price, Mood.Positive, "El precio es razonable para la tranquilidad que da.", "Fair price for the peace of mind."),
        (TextKind.Survey, Theme.Wait, Mood.Mixed, "Bien, aunque tardaron un poco en contestar.", "Fine, though it took a while to get through."),
        (TextKind.Survey, Theme.Billing, Mood.Mixed, "Correcto, pero la factura sigue sin ser clara.", "OK, but the bill still isn't clear."),
        (TextKind.Survey, Theme.Delivery, Mood.Mixed, "El producto es bueno; la entrega, mejorable.", "Good product; delivery could be better."),
        (TextKind.Survey, Theme.General, Mood.Mixed, "Cumple, sin más. Ni bien ni mal.", "It does the job. Nothing special."),
        (TextKind.Survey, Theme.Wait, Mood.Negative, "Demasiado tiempo de espera. Nadie me devolvió la llamada.", "Far too long on hold. Nobody called me back."),
        (TextKind.Survey, Theme.Staff, Mood.Negative, "Tuve que llamar {times} veces para lo mismo.", "I had to call {times} times about the same thing."),
        (TextKind.Survey, Theme.Billing, Mood.Negative, "La factura está mal otra vez y nadie lo soluciona.", "The bill is wrong again and nobody fixes it."),
        (TextKind.Survey, Theme.App, Mood.Negative, "La app sigue fallando después de la actualización.", "The app still crashes after the update."),
        (TextKind.Survey, Theme.Price, Mood.Negative, "Caro y con un servicio técnico lento.", "Expensive and slow technical support."),
        (TextKind.Survey, Theme.Delivery, Mood.Negative, "El pedido llegó tarde y sin avisar.", "The order was late and nobody let me know."),
        (TextKind.Survey, Theme.Night, Mood.Negative, "De noche no hay soporte de verdad, solo alguien que toma nota.", "There's no real support at night, just someone taking notes."),
        (TextKind.Survey, Theme.Night, Mood.Negative, "Contraté por el soporte 24/7 y no lo cumplen.", "I signed up for 24/7 support and you don't deliver it."),
        (TextKind.Survey, Theme.Night, Mood.Negative, "A {hour} nadie supo ayudarme. Me estoy pensando darme de baja.", "At {hour} nobody could help me. I'm thinking of cancelling."),

        // Cancellations.
        (TextKind.Cancellation, Theme.Night, Mood.Negative, "Me doy de baja. Prometieron soporte 24/7 y de noche nadie resuelve nada.", "I'm cancelling. You promised 24/7 support and at night nobody fixes anything."),
        (TextKind.Cancellation, Theme.Night, Mood.Negative, "Cancelo: llevo meses llamando de madrugada sin solución.", "Cancelling: months of calling in the middle of the night with no fix."),
        (TextKind.Cancellation, Theme.Staff, Mood.Negative, "Cancelo porque el servicio técnico no me ha resuelto la incidencia en semanas.", "Cancelling because technical support hasn't fixed my issue in weeks."),
        (TextKind.Cancellation, Theme.Price, Mood.Negative, "Me doy de baja por el precio; la subida de este año no compensa.", "Leaving because of the price; this year's increase isn't worth it."),
        (TextKind.Cancellation, Theme.Price, Mood.Negative, "He encontrado una oferta más barata.", "I've found a cheaper deal."),
        (TextKind.Cancellation, Theme.Moving, Mood.Mixed, "Nos mudamos y en la casa nueva no la necesitamos.", "We're moving and won't need it in the new place."),
        (TextKind.Cancellation, Theme.Competitor, Mood.Mixed, "Me cambio a otra compañía que incluye las cámaras en la cuota.", "Switching to another company that includes the cameras in the monthly fee."),
        (TextKind.Cancellation, Theme.General, Mood.Mixed, "Ya no la necesitamos. Gracias por todo.", "We don't need it any more. Thanks for everything."),
        (TextKind.Cancellation, Theme.Billing, Mood.Negative, "Demasiados errores en las facturas. Prefiero irme.", "Too many billing mistakes. I'd rather leave."),

        // Sales notes.
        (TextKind.DealNote, Theme.Night, Mood.Positive, "Trabaja por turnos y necesita atención nocturna; se le confirma soporte 24/7.", "Works shifts and needs night-time help; confirmed 24/7 support."),
        (TextKind.DealNote, Theme.Night, Mood.Positive, "Cierra por la campaña Soporte 24/7. Pide expresamente ayuda de madrugada.", "Closed via the 24/7 support campaign. Specifically asked for help in the early hours."),
        (TextKind.DealNote, Theme.Night, Mood.Positive, "Le interesa sobre todo el soporte 24 horas: tiene un local que abre de noche.", "Mainly interested in round-the-clock support: runs a business that opens at night."),
        (TextKind.DealNote, Theme.Price, Mood.Positive, "Compara precios con la competencia; se ofrece la instalación gratuita.", "Comparing prices with competitors; free installation offered."),
        (TextKind.DealNote, Theme.General, Mood.Positive, "Quiere cámaras interiores y exteriores. Cierra con el plan {plan}.", "Wants indoor and outdoor cameras. Closed on the {plan} plan."),
        (TextKind.DealNote, Theme.General, Mood.Positive, "Pide factura única para todas las sedes y formación para el personal.", "Asked for a single invoice for all sites and staff training."),
        (TextKind.DealLost, Theme.Price, Mood.Negative, "Se decide por la competencia por precio.", "Went with a competitor on price."),
        (TextKind.DealLost, Theme.General, Mood.Negative, "Sin respuesta tras tres seguimientos. Se cierra como perdida.", "No reply after three follow-ups. Closed as lost."),
        (TextKind.DealLost, Theme.Installation, Mood.Negative, "No podemos instalar en la fecha que necesita.", "We can't install on the date they need."),
    ];

    private static readonly string[] OpenersEs = ["", "", "", "Hola. ", "Buenos días. ", "Buenas tardes. ", "Hola, buenas. "];
    private static readonly string[] ClosersEs = ["", "", "", " Gracias.", " Un saludo.", " ¿Me pueden ayudar?", " Es urgente.", " Espero respuesta pronto."];
    private static readonly string[] OpenersEn = ["", "", "", "Hi. ", "Hello. ", "Good morning. ", "Hi there. "];
    private static readonly string[] ClosersEn = ["", "", "", " Thanks.", " Regards.", " Can you help?", " This is urgent.", " Please get back to me soon."];

    // Spain's vosotros and a few words Mexicans say differently; everything else reads the same on both sides.
    private static readonly (string Spain, string Mexico)[] MexicanSpanish =
    [
        ("Me habéis cobrado", "Me cobraron"),
        ("que me devolváis", "que me devuelvan"),
        ("¿Me lo podéis explicar?", "¿Me lo pueden explicar?"),
        ("Revisad la facturación", "Revisen la facturación"),
        ("Me ha llegado la caja", "Me llegó la caja"),
        ("He probado a reiniciarlo", "Ya intenté reiniciarlo"),
        ("Ya la he reinstalado", "Ya la reinstalé"),
        ("el móvil", "el celular"),
        ("la cuota", "la mensualidad"),
        ("para la gestoría", "para mi contador"),
    ];

    private static readonly string[] MonthsEs =
        ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"];

    private static readonly Dictionary<(TextKind, Theme, Mood), (string[] Es, string[] En)> Exact = Templates
        .GroupBy(t => (t.Kind, t.Theme, t.Mood))
        .ToDictionary(g => g.Key, g => (g.Select(t => t.Es).ToArray(), g.Select(t => t.En).ToArray()));

    private static readonly Dictionary<(TextKind, Mood), (string[] Es, string[] En)> ByMood = Templates
        .Where(t => t.Theme != Theme.Night)
        .GroupBy(t => (t.Kind, t.Mood))
        .ToDictionary(g => g.Key, g => (g.Select(t => t.Es).ToArray(), g.Select(t => t.En).ToArray()));

    private static readonly Dictionary<TextKind, (string[] Es, string[] En)> ByKind = Templates
        .Where(t => t.Theme != Theme.Night)
        .GroupBy(t => t.Kind)
        .ToDictionary(g => g.Key, g => (g.Select(t => t.Es).ToArray(), g.Select(t => t.En).ToArray()));

    /// <summary>How many templates each language has.</summary>
    public static int TemplateCount => Templates.Length;

    /// <summary>
    /// A text of the given kind about <paramref name="theme"/> in the given mood; falls back to any theme of the
    /// mood, then to the kind, when nothing more precise was written.
    /// </summary>
    public static string Write(DemoRandom rng, Voice voice, TextKind kind, Theme theme, Mood mood, in TextSlots slots)
    {
        var spanish = voice != Voice.English;
        if (kind == TextKind.Summary && theme != Theme.Night && rng.Chance(0.4))
        {
            theme = Theme.General;
        }

        var choices = Exact.TryGetValue((kind, theme, mood), out var exact) ? exact
            : Exact.TryGetValue((kind, Theme.General, mood), out var general) ? general
            : ByMood.TryGetValue((kind, mood), out var byMood) ? byMood
            : ByKind[kind];
        var template = rng.Pick(spanish ? choices.Es : choices.En);
        var text = Fill(template, spanish, slots);
        if (voice == Voice.Mexico)
        {
            foreach (var (spain, mexico) in MexicanSpanish)
            {
                text = text.Replace(spain, mexico, StringComparison.Ordinal);
            }
        }

        if (kind is TextKind.Ticket or TextKind.Reopen && rng.Chance(0.5))
        {
            text = rng.Pick(spanish ? OpenersEs : OpenersEn) + text + rng.Pick(spanish ? ClosersEs : ClosersEn);
        }

        return text;
    }

    private static string Fill(string template, bool spanish, in TextSlots slots)
    {
        if (!template.Contains('{', StringComparison.Ordinal))
        {
            return template;
        }

        var builder = new StringBuilder(template);
        builder.Replace("{topic}", TopicPhrase(slots.Topic, spanish));
        builder.Replace("{product}", slots.Product);
        builder.Replace("{Product}", Capitalised(slots.Product));
        builder.Replace("{amount}", slots.Amount);
        builder.Replace("{days}", slots.Days.ToString(CultureInfo.InvariantCulture));
        builder.Replace("{times}", slots.Times.ToString(CultureInfo.InvariantCulture));
        builder.Replace("{minutes}", slots.Minutes.ToString(CultureInfo.InvariantCulture));
        builder.Replace("{hour}", HourPhrase(slots.Hour, spanish));
        builder.Replace("{month}", spanish ? MonthsEs[slots.Month - 1] : CultureInfo.InvariantCulture.DateTimeFormat.GetMonthName(slots.Month));
        builder.Replace("{plan}", slots.Plan);
        return builder.ToString();
    }

    private static string Capitalised(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static string TopicPhrase(Theme topic, bool spanish) => (topic, spanish) switch
    {
        (Theme.Billing, true) => "una duda de facturación",
        (Theme.Billing, false) => "a billing question",
        (Theme.Delivery, true) => "la entrega de un pedido",
        (Theme.Delivery, false) => "a delivery",
        (Theme.App, true) => "fallos de la app",
        (Theme.App, false) => "the app crashing",
        (Theme.Device, true) => "un problema con {product}",
        (Theme.Device, false) => "a problem with {product}",
        (Theme.FalseAlarm, true) => "falsas alarmas",
        (Theme.FalseAlarm, false) => "false alarms",
        (Theme.Installation, true) => "la instalación",
        (Theme.Installation, false) => "the installation",
        (Theme.Account, true) => "el acceso a su cuenta",
        (Theme.Account, false) => "account access",
        (_, true) => "una consulta general",
        _ => "a general question",
    };

    /// <summary>"las 3 de la madrugada" / "3am" for the night; a plain clock time otherwise.</summary>
    private static string HourPhrase(int hour, bool spanish) => (hour, spanish) switch
    {
        (0, true) => "las doce de la noche",
        (0, false) => "midnight",
        (1, true) => "la una de la madrugada",
        ( <= 6, true) => string.Create(CultureInfo.InvariantCulture, $"las {hour} de la madrugada"),
        ( <= 11, true) => string.Create(CultureInfo.InvariantCulture, $"las {hour} de la mañana"),
        (12, true) => "las doce del mediodía",
        ( <= 20, true) => string.Create(CultureInfo.InvariantCulture, $"las {hour - 12} de la tarde"),
        (_, true) => string.Create(CultureInfo.InvariantCulture, $"las {hour - 12} de la noche"),
        ( < 12, false) => string.Create(CultureInfo.InvariantCulture, $"{hour}am"),
        (12, false) => "noon",
        _ => string.Create(CultureInfo.InvariantCulture, $"{hour - 12}pm"),
    };
}
