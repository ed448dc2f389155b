using System.Globalization;
using System.Text;

namespace AgentGuard.Oversight;

/// <summary>
/// The <c>reference</c> re-scorer: an operator's answer key, no model. It scores every item in the
/// evidence (not only those a report mentions, so a report that leaves items out is caught): a
/// right-or-wrong item by comparing its output with the key's answer, a scored item by the key's
/// score. The overall result is the key's expected result when it gives one (a grade computed from
/// the data's columns, say), else the share of right items in percent, or the mean item score.
/// </summary>
public sealed class ReferenceRescorer : IRescorer
{
    private readonly AnswerKey _key;

    /// <summary>Creates the re-scorer for <paramref name="key"/>.</summary>
    public ReferenceRescorer(AnswerKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _key = key;
    }

    /// <inheritdoc/>
    public string Kind => "reference";

    /// <inheritdoc/>
    public ValueTask<Rescore> RescoreAsync(RescoreRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var items = new List<ItemScore>(request.Items.Count);
        var unkeyed = new List<string>();
        double sum = 0;
        var counted = 0;
        foreach (var item in request.Items)
        {
            if (!_key.Items.TryGetValue(item.Id, out var key))
            {
                unkeyed.Add(item.Id);
                continue;
            }

            if (key.Score is { } score)
            {
                items.Add(new ItemScore(item.Id, null, score));
                sum += score;
            }
            else
            {
                var correct = IsCorrect(key, Output(item, key));
                items.Add(new ItemScore(item.Id, correct, null));
                sum += correct ? 100 : 0;
            }

            counted++;
        }

        var detail = new StringBuilder().Append(CultureInfo.InvariantCulture, $"answer key {Path.GetFileName(_key.Path)}: {counted} of {request.Items.Count} items keyed");
        if (unkeyed.Count > 0)
        {
            detail.Append(CultureInfo.InvariantCulture, $"; not in the key: {string.Join(", ", unkeyed.Take(20))}{(unkeyed.Count > 20 ? ", ..." : string.Empty)}");
        }

        if (_key.Result is { } result)
        {
            if (result.IsComputed)
            {
                var (grade, net) = Compute(result, request.Items);
                detail.Append(CultureInfo.InvariantCulture, $"; {result.Sum}{(result.Minus is null ? string.Empty : " - " + result.Minus)} = {net.ToString("0.##", CultureInfo.InvariantCulture)}");
                return ValueTask.FromResult(new Rescore(null, grade, items, detail.ToString()));
            }

            return ValueTask.FromResult(new Rescore(result.Score, result.Grade, items, detail.ToString()));
        }

        if (counted == 0)
        {
            throw new InvalidOperationException($"the answer key {_key.Path} covers none of the {request.Items.Count} items in the evidence");
        }

        return ValueTask.FromResult(new Rescore(sum / counted, null, items, detail.ToString()));
    }

    /// <summary>Whether <paramref name="output"/> is right by <paramref name="key"/>.</summary>
    public static bool IsCorrect(AnswerKeyItem key, string? output)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (output is null)
        {
            return false;
        }

        if (key.Comparison == AnswerComparison.Numeric)
        {
            return Numbers.TryFirst(output, out var value) && Numbers.TryFirst(key.Answers[0], out var answer)
                && Math.Abs(value - answer) <= key.NumericTolerance;
        }

        var normalised = Normalise(output);
        foreach (var answer in key.Answers)
        {
            if (string.Equals(Normalise(answer), normalised, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The first number in <paramref name="text"/>.</summary>
    internal static bool TryFirstNumber(string text, out double value) => Numbers.TryFirst(text, out value);

    /// <summary>
    /// Compatibility form of a short answer: NFKC (H₂SO₄ is H2SO4), lower case, a leading article
    /// dropped, and only letters, digits and <c>^/.+-=*</c> kept (spaces and other punctuation go),
    /// without a trailing full stop.
    /// </summary>
    public static string Normalise(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lower = text.Normalize(NormalizationForm.FormKC).Trim().ToLowerInvariant();
        foreach (var article in (ReadOnlySpan<string>)["the ", "a ", "an "])
        {
            if (lower.StartsWith(article, StringComparison.Ordinal))
            {
                lower = lower[article.Length..];
                break;
            }
        }

        var kept = new StringBuilder(lower.Length);
        foreach (var c in lower)
        {
            if (char.IsLetterOrDigit(c) || c is '^' or '/' or '.' or '+' or '-' or '=' or '*')
            {
                kept.Append(c);
            }
        }

        while (kept.Length > 0 && kept[^1] == '.')
        {
            kept.Length--;
        }

        return kept.ToString();
    }

    private string? Output(EvaluationItem item, AnswerKeyItem key)
    {
        var field = key.Field ?? _key.Field;
        if (field is not null)
        {
            return item.Fields.TryGetValue(field, out var value) ? value : null;
        }

        if (item.Fields.TryGetValue("Output", out var output))
        {
            return output;
        }

        string? last = null;
        foreach (var (_, value) in item.Fields)
        {
            last = value;
        }

        return last ?? item.Text;
    }

    private static (string Grade, double Net) Compute(AnswerKeyResult result, IReadOnlyList<EvaluationItem> items)
    {
        double net = 0;
        var read = 0;
        foreach (var item in items)
        {
            if (item.Fields.TryGetValue(result.Sum!, out var plus) && Numbers.TryMoney(plus, out var add))
            {
                net += add;
                read++;
            }

            if (result.Minus is not null && item.Fields.TryGetValue(result.Minus, out var minus) && Numbers.TryMoney(minus, out var subtract))
            {
                net -= subtract;
            }
        }

        if (read == 0)
        {
            throw new InvalidOperationException($"no item in the evidence has a number in column '{result.Sum}'");
        }

        foreach (var (below, grade) in result.Bands)
        {
            if (below is null || net < below)
            {
                return (grade, net);
            }
        }

        return (result.Bands[^1].Grade, net);
    }
}
