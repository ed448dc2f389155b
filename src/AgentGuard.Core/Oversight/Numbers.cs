using System.Globalization;
using System.Text.RegularExpressions;

namespace AgentGuard.Oversight;

/// <summary>Numbers as oversight reads them from text (scores, money) and writes them in findings.</summary>
internal static partial class Numbers
{
    /// <summary>A score or threshold as the audit record shows it: at most two decimals, invariant culture.</summary>
    public static string Format(double value) => Math.Round(value, 2).ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>The first number in <paramref name="text"/> (thousands commas allowed, <c>%</c> ignored).</summary>
    public static bool TryFirst(string? text, out double value)
    {
        value = 0;
        if (text is null)
        {
            return false;
        }

        var match = FirstNumber().Match(text);
        return match.Success && double.TryParse(match.Value.Replace(",", string.Empty, StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>A money cell: <c>$1,180,000</c>, <c>1.18M</c>, <c>(1,330,000)</c> or <c>-$200K</c>.</summary>
    public static bool TryMoney(string? text, out double value)
    {
        value = 0;
        if (text is null || !TryFirst(text, out var number))
        {
            return false;
        }

        var trimmed = text.Trim();
        var match = FirstNumber().Match(trimmed);
        var after = trimmed[(match.Index + match.Length)..].TrimStart();
        if (after.Length > 0)
        {
            number *= char.ToUpperInvariant(after[0]) switch
            {
                'K' => 1e3,
                'M' => 1e6,
                'B' => 1e9,
                _ => 1,
            };
        }

        var before = trimmed[..match.Index];
        if (before.Contains('(', StringComparison.Ordinal) || before.Contains('-', StringComparison.Ordinal) || before.Contains('−', StringComparison.Ordinal))
        {
            number = -Math.Abs(number);
        }

        value = number;
        return double.IsFinite(value);
    }

    [GeneratedRegex(@"\d[\d,]*(?:\.\d+)?", RegexOptions.CultureInvariant)]
    private static partial Regex FirstNumber();
}
