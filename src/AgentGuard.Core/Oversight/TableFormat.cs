using System.Globalization;
using System.Text;

namespace AgentGuard.Oversight;

/// <summary>
/// How a data sheet's text splits into items: a header row, then one row per item, cells cut by a
/// separator. Markdown tables (<c>| # | Name | Output |</c>, with a <c>|---|</c> rule) read with the
/// default separator <c>|</c>; lines without the separator (titles, notes) are skipped.
/// </summary>
public sealed class TableFormat
{
    /// <summary>The most items read from one sheet; rows past it are counted as items but not kept.</summary>
    public const int MaxItems = 10_000;

    /// <summary>The default format: <c>|</c>-separated cells, items numbered by row.</summary>
    public static readonly TableFormat Default = new();

    /// <summary>What separates cells. Default <c>|</c> (outer pipes are dropped).</summary>
    public string Separator { get; init; } = "|";

    /// <summary>The column whose value is an item's id (e.g. <c>#</c>); <see langword="null"/> numbers items by data row from 1.</summary>
    public string? IdColumn { get; init; }

    /// <summary>Cuts <paramref name="content"/> into items; <paramref name="rows"/> receives the number of data rows seen (kept or not).</summary>
    public IReadOnlyList<EvaluationItem> Split(string content, out int rows)
    {
        ArgumentNullException.ThrowIfNull(content);
        rows = 0;
        var items = new List<EvaluationItem>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        string[]? header = null;
        var idColumn = -1;
        foreach (var rawLine in content.AsSpan().EnumerateLines())
        {
            var line = rawLine.Trim();
            if (line.IsEmpty || line.IndexOf(Separator.AsSpan(), StringComparison.Ordinal) < 0)
            {
                continue;
            }

            var cells = Cells(line.ToString());
            if (IsRule(cells))
            {
                continue;
            }

            if (header is null)
            {
                header = cells;
                if (IdColumn is not null)
                {
                    idColumn = Array.FindIndex(header, h => string.Equals(h, IdColumn, StringComparison.OrdinalIgnoreCase));
                }

                continue;
            }

            rows++;
            if (items.Count >= MaxItems)
            {
                continue;
            }

            var id = idColumn >= 0 && idColumn < cells.Length && cells[idColumn].Length > 0
                ? cells[idColumn]
                : rows.ToString(CultureInfo.InvariantCulture);
            if (!ids.Add(id))
            {
                id = rows.ToString(CultureInfo.InvariantCulture);
                if (!ids.Add(id))
                {
                    continue;
                }
            }

            var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var text = new StringBuilder();
            for (var i = 0; i < cells.Length; i++)
            {
                var name = i < header.Length && header[i].Length > 0 ? header[i] : "column " + (i + 1).ToString(CultureInfo.InvariantCulture);
                fields.TryAdd(name, cells[i]);
                if (i != idColumn)
                {
                    text.Append(text.Length == 0 ? string.Empty : "\n").Append(name).Append(": ").Append(cells[i]);
                }
            }

            items.Add(new EvaluationItem(id, text.ToString(), fields));
        }

        return items;
    }

    private string[] Cells(string line)
    {
        if (Separator == "|")
        {
            if (line.StartsWith('|'))
            {
                line = line[1..];
            }

            if (line.EndsWith('|'))
            {
                line = line[..^1];
            }
        }

        var cells = line.Split(Separator, StringSplitOptions.None);
        for (var i = 0; i < cells.Length; i++)
        {
            cells[i] = cells[i].Trim();
        }

        return cells;
    }

    private static bool IsRule(string[] cells)
    {
        foreach (var cell in cells)
        {
            foreach (var c in cell)
            {
                if (c is not ('-' or ':' or ' ' or '='))
                {
                    return false;
                }
            }
        }

        return true;
    }
}
