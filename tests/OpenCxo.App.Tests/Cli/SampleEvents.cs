namespace OpenCxo.App.Tests.Cli;

/// <summary>A small JSON Lines file: Ana (email, phone, crm id) with two touchpoints, Bob with one, and a bad line 3.</summary>
public static class SampleEvents
{
    public const string BadLine = "this is not json";

    public static readonly string[] Lines =
    [
        """{"id":"e1","customer":{"email":" Ana@Example.com ","phone":"600 111 222","externalIds":{"crm":"C-1"},"attributes":{"name":"Ana"}},"occurredAt":"2026-03-01T10:00:00Z","department":"sales","channel":"email","type":"order.placed","value":12.5,"currency":"EUR","text":"Primera compra"}""",
        """{"id":"e2","customer":{"email":"ana@example.com"},"occurredAt":"2026-03-02T10:00:00Z","department":"service","channel":"phone","type":"ticket.opened","text":"Llamé a las 3 de la mañana"}""",
        BadLine,
        """{"id":"e4","customer":{"email":"bob@example.com"},"occurredAt":"2026-03-03T10:00:00Z","department":"marketing","channel":"web","type":"page.viewed"}""",
    ];

    public const int Good = 3;

    public const int BadLineNumber = 3;

    public const string AnaEmail = "ana@example.com";

    public const string AnaPhone = "+34600111222";
}
