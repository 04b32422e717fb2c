using OpenCxo.Core.Initiatives;

namespace OpenCxo.Core.Tests.Initiatives;

public sealed class InitiativeBudgetsTests
{
    private static InitiativeDefinition Initiative(string key, string department, InitiativeStatus status, decimal? amount, string currency = "EUR") =>
        new(key, key, department, status, new DateOnly(2026, 1, 1), Budget: amount is { } a ? new InitiativeBudget(a, currency) : null);

    [Fact]
    public void Budgets_add_up_by_department_and_currency_in_play_and_done_and_leave_out_stopped_ones()
    {
        var budgets = InitiativeBudgets.ByDepartment(
        [
            Initiative("a", "service", InitiativeStatus.Active, 40_000),
            Initiative("b", "service", InitiativeStatus.Proposed, 5_000),
            Initiative("c", "service", InitiativeStatus.Done, 12_000),
            Initiative("d", "service", InitiativeStatus.Stopped, 99_000),
            Initiative("e", "service", InitiativeStatus.Approved, 3_000, "USD"),
            Initiative("f", "marketing", InitiativeStatus.Active, 15_000),
            Initiative("g", "marketing", InitiativeStatus.Active, null),
        ]);

        Assert.Equal(
            [
                new DepartmentBudget("marketing", "EUR", 15_000, 0, 1),
                new DepartmentBudget("service", "EUR", 45_000, 12_000, 3),
                new DepartmentBudget("service", "USD", 3_000, 0, 1),
            ],
            budgets);
    }
}
