namespace OpenCxo.Core.Clv;

/// <summary>Gauss's hypergeometric function ₂F₁(a, b; c; z) for 0 ≤ z &lt; 1, by its power series.</summary>
internal static class Hypergeometric
{
    /// <exception cref="ArgumentOutOfRangeException">z outside [0, 1).</exception>
    /// <exception cref="ArithmeticException">a or b not positive, c zero or a negative integer (the series is undefined), or the series did not converge in 100,000 terms (z very close to 1).</exception>
    public static double F21(double a, double b, double c, double z)
    {
        if (!(z >= 0 && z < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(z), z, "the series needs 0 ≤ z < 1");
        }

        if (!(a > 0 && b > 0) || !(c > 0 || c != Math.Floor(c)))
        {
            throw new ArithmeticException($"₂F₁({a}, {b}; {c}; {z}) is summed for positive a and b, and c not zero or a negative integer");
        }

        // Σ (a)ₖ(b)ₖ / ((c)ₖ k!) zᵏ. With a, b > 0 the ratio of successive terms only shrinks in size once c + k > 0
        // (towards z < 1), so the sum stops when the next term no longer changes it. A negative c (BG/NBD with
        // a + b < 1) makes the first terms change sign; the series still converges.
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
