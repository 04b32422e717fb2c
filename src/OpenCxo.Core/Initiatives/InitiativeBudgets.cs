namespace OpenCxo.Core.Initiatives;

/// <summary>
/// One department's budget in one currency: committed to initiatives still in play (proposed, approved, active), and
/// spent on those done; a stopped initiative's budget is in neither.
/// </summary>
public sealed record DepartmentBudget(string Department, string Currency, decimal InPlay, decimal Done, int Initiatives);

/// <summary>The portfolio's budgets by owner department and currency, for the council to see where the money goes.</summary>
public static class InitiativeBudgets
{
    public static IReadOnlyList<DepartmentBudget> ByDepartment(IEnumerable<InitiativeDefinition> portfolio)
    {
        ArgumentNullException.ThrowIfNull(portfolio);
        return
        [
            .. portfolio.Where(i => i.Budget is not null && i.Status != InitiativeStatus.Stopped)
                .GroupBy(i => (i.OwnerDepartment, i.Budget!.Currency))
                .Select(g => new DepartmentBudget(
                    g.Key.OwnerDepartment, g.Key.Currency,
                    g.Where(i => i.Status != InitiativeStatus.Done).Sum(i => i.Budget!.Amount),
                    g.Where(i => i.Status == InitiativeStatus.Done).Sum(i => i.Budget!.Amount),
                    g.Count()))
                .OrderBy(b => b.Department, StringComparer.Ordinal).ThenBy(b => b.Currency, StringComparer.Ordinal),
        ];
    }
}
