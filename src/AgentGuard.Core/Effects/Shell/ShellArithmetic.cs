using System.Globalization;

namespace AgentGuard.Effects.Shell;

/// <summary>
/// Evaluates the integer arithmetic of <c>$((...))</c> when every operand is known: decimal,
/// <c>0x</c>, octal and <c>base#digits</c> numbers, variables, unary <c>+ - ! ~</c>, the binary
/// operators of C with <c>**</c>, comparisons, <c>&amp;&amp; ||</c> and <c>?:</c>. Anything else
/// (assignments, an unknown variable, division by zero) makes the result unknown.
/// </summary>
internal ref struct ShellArithmetic
{
    private const int MaxDepth = 64;

    private readonly ReadOnlySpan<char> _s;
    private readonly ShellEnvironment _environment;
    private readonly int _nesting;
    private int _pos;
    private int _depth;
    private bool _failed;

    private ShellArithmetic(ReadOnlySpan<char> source, ShellEnvironment environment, int depth)
    {
        _s = source;
        _environment = environment;
        _nesting = depth;
    }

    /// <summary>The value of <paramref name="expression"/>, or <see langword="null"/> when it cannot be known.</summary>
    public static long? Evaluate(ReadOnlySpan<char> expression, ShellEnvironment environment, int depth = 0)
    {
        if (expression.Length > 4096 || expression.Contains(ShellEnvironment.Unknown) || depth > 4)
        {
            return null;
        }

        var reader = new ShellArithmetic(expression, environment, depth);
        reader.SkipSpace();
        if (reader._pos >= expression.Length)
        {
            return 0;
        }

        var value = reader.Ternary();
        reader.SkipSpace();
        return reader._failed || reader._pos < expression.Length ? null : value;
    }

    private long Ternary()
    {
        if (++_depth > MaxDepth)
        {
            _failed = true;
            return 0;
        }

        var condition = Binary(0);
        SkipSpace();
        if (Peek() == '?')
        {
            _pos++;
            var a = Ternary();
            SkipSpace();
            if (Peek() != ':')
            {
                _failed = true;
                return 0;
            }

            _pos++;
            var b = Ternary();
            condition = condition != 0 ? a : b;
        }

        _depth--;
        return condition;
    }

    private static readonly string[][] Levels =
    [
        ["||"], ["&&"], ["|"], ["^"], ["&"], ["==", "!="], ["<=", ">=", "<", ">"], ["<<", ">>"], ["+", "-"], ["*", "/", "%"],
    ];

    private long Binary(int level)
    {
        if (_failed)
        {
            return 0;
        }

        if (level == Levels.Length)
        {
            return Power();
        }

        var left = Binary(level + 1);
        while (!_failed)
        {
            SkipSpace();
            var op = MatchOperator(Levels[level]);
            if (op is null)
            {
                return left;
            }

            var right = Binary(level + 1);
            left = Apply(op, left, right);
        }

        return left;
    }

    private string? MatchOperator(string[] operators)
    {
        foreach (var op in operators)
        {
            if (!_s[_pos..].StartsWith(op))
            {
                continue;
            }

            // "|" is not "||", "<" is not "<<" or "<=", "&" is not "&&", "*" is not "**", and none is an assignment.
            var after = _pos + op.Length < _s.Length ? _s[_pos + op.Length] : '\0';
            if ((op is "|" && after == '|') || (op is "&" && after == '&') || (op is "<" && after is '<' or '=') || (op is ">" && after is '>' or '=')
                || (op is "*" && after == '*') || (op is not "==" and not "!=" and not "<=" and not ">=" && after == '='))
            {
                continue;
            }

            _pos += op.Length;
            return op;
        }

        return null;
    }

    private long Apply(string op, long a, long b)
    {
        switch (op)
        {
            case "/" or "%" when b == 0:
                _failed = true;
                return 0;
            case "/" or "%" when a == long.MinValue && b == -1:
                return op == "/" ? a : 0;
        }

        return op switch
        {
            "||" => a != 0 || b != 0 ? 1 : 0,
            "&&" => a != 0 && b != 0 ? 1 : 0,
            "|" => a | b,
            "^" => a ^ b,
            "&" => a & b,
            "==" => a == b ? 1 : 0,
            "!=" => a != b ? 1 : 0,
            "<=" => a <= b ? 1 : 0,
            ">=" => a >= b ? 1 : 0,
            "<" => a < b ? 1 : 0,
            ">" => a > b ? 1 : 0,
            "<<" => a << (int)(b & 63),
            ">>" => a >> (int)(b & 63),
            "+" => unchecked(a + b),
            "-" => unchecked(a - b),
            "*" => unchecked(a * b),
            "/" => a / b,
            _ => a % b,
        };
    }

    private long Power()
    {
        var value = Unary();
        SkipSpace();
        if (!_failed && Peek() == '*' && Peek(1) == '*')
        {
            _pos += 2;
            var exponent = Power();
            if (exponent < 0)
            {
                _failed = true;
                return 0;
            }

            long result = 1;
            for (var i = 0L; i < exponent && i < 64; i++)
            {
                result = unchecked(result * value);
            }

            return result;
        }

        return value;
    }

    private long Unary()
    {
        if (++_depth > MaxDepth)
        {
            _failed = true;
            return 0;
        }

        try
        {
            SkipSpace();
            var c = Peek();
            if ((c is '+' or '-') && Peek(1) == c)
            {
                _failed = true; // ++x / --x assign
                return 0;
            }

            switch (c)
            {
                case '-':
                    _pos++;
                    return unchecked(-Unary());
                case '+':
                    _pos++;
                    return Unary();
                case '!':
                    _pos++;
                    return Unary() == 0 ? 1 : 0;
                case '~':
                    _pos++;
                    return ~Unary();
                case '(':
                    _pos++;
                    var inner = Ternary();
                    SkipSpace();
                    if (Peek() != ')')
                    {
                        _failed = true;
                        return 0;
                    }

                    _pos++;
                    return inner;
            }

            return Operand();
        }
        finally
        {
            _depth--;
        }
    }

    private long Operand()
    {
        SkipSpace();
        var start = _pos;
        while (_pos < _s.Length && (char.IsAsciiLetterOrDigit(_s[_pos]) || _s[_pos] is '_' or '#' or '@'))
        {
            _pos++;
        }

        var token = _s[start.._pos];
        SkipSpace();
        if (token.IsEmpty || (Peek() is '+' or '-' && Peek(1) == Peek()) || (Peek() == '=' && Peek(1) != '='))
        {
            _failed = true; // x++ / x = ... assign
            return 0;
        }

        if (char.IsAsciiDigit(token[0]))
        {
            return ParseNumber(token) ?? Fail();
        }

        if (token.ContainsAny('#', '@'))
        {
            return Fail();
        }

        var value = _environment.Get(token.ToString());
        if (value is null)
        {
            return Fail();
        }

        return value.Length == 0 ? 0 : Evaluate(value, _environment, _nesting + 1) ?? Fail();
    }

    private long Fail()
    {
        _failed = true;
        return 0;
    }

    private static long? ParseNumber(ReadOnlySpan<char> token)
    {
        var radix = 10;
        var digits = token;
        var hash = token.IndexOf('#');
        if (hash > 0)
        {
            if (!int.TryParse(token[..hash], NumberStyles.None, CultureInfo.InvariantCulture, out radix) || radix is < 2 or > 64)
            {
                return null;
            }

            digits = token[(hash + 1)..];
        }
        else if (token.Length > 1 && token[0] == '0')
        {
            radix = token[1] is 'x' or 'X' ? 16 : 8;
            digits = radix == 16 ? token[2..] : token[1..];
        }

        if (digits.IsEmpty)
        {
            return null;
        }

        long value = 0;
        foreach (var c in digits)
        {
            var d = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'z' => c - 'a' + 10,
                >= 'A' and <= 'Z' => radix <= 36 ? c - 'A' + 10 : c - 'A' + 36,
                '@' => 62,
                '_' => 63,
                _ => 99,
            };
            if (d >= radix)
            {
                return null;
            }

            value = unchecked(value * radix + d);
        }

        return value;
    }

    private readonly char Peek(int offset = 0) => _pos + offset < _s.Length ? _s[_pos + offset] : '\0';

    private void SkipSpace()
    {
        while (_pos < _s.Length && char.IsWhiteSpace(_s[_pos]))
        {
            _pos++;
        }
    }
}
