namespace OpenCxo.Core.Clv;

/// <summary>Gauss's hypergeometric function ₂F₁(a, b; c; z) for 0 ≤ z &lt; 1, by its power series.</summary>
internal static class Hypergeometric
{
    /// <exception cref="ArgumentOutOfRangeException">z outside [0, 1).</exception>
    /// <exception cref="ArithmeticException">a, b or c not positive, or the series did not converge in 100,000 terms (z very close to 1).</exception>
    public static double F21(double a, double b, double c, double z)
    {
        if (!(z >= 0 && z < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(z), z, "the series needs 0 ≤ z < 1");
        }

        if (!(a > 0 && b > 0 && c > 0))
        {
            throw new ArithmeticException($"₂F₁({a}, {b}; {c}; {z}) is summed for positive a, b and c only");
        }

        // Σ (a)ₖ(b)ₖ / ((c)ₖ k!) zᵏ; for positive a, b, c every term is positive, so the sum stops when the next term
        // no longer changes it.
        var term = 1.0;
        var sum = 1.0;
        for (var k = 0; k < 100_000; k++)
        {
            term *= (a + k) * (b + k) / ((c + k) * (k + 1)) * z;
            var next = sum + term;
            if (next == sum || term == 0)
            {
                return sum;
            }

            sum = next;
        }

        throw new ArithmeticException($"₂F₁({a}, {b}; {c}; {z}) did not converge");
    }
}
