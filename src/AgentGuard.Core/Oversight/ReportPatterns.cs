using System.Text.RegularExpressions;

namespace AgentGuard.Oversight;

/// <summary>
/// How a report's text gives its result: patterns with named groups, each matched against the
/// whole report (multi-line, any case). The defaults read reports such as the study's
/// ("Final Score: 80%", "Total Correct: 16", "Grade: B", "Item 3: Correct", "Q3 ... Accepted").
/// </summary>
public sealed class ReportPatterns
{
    /// <summary>The options every report pattern is compiled with: linear-time matching, so an agent's megabyte of text cannot stall oversight.</summary>
    public const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.NonBacktracking | RegexOptions.IgnoreCase | RegexOptions.Multiline;

    /// <summary>The default patterns.</summary>
    public static readonly ReportPatterns Default = new();

    /// <summary>The overall score: group <c>score</c>. The first match counts.</summary>
    public Regex Score { get; init; } = new(
        @"(?:final|average|overall|total|performance|mean)[ \t]*(?:performance[ \t]*)?score[^:\n]{0,40}:[ \t*]*(?<score>\d{1,3}(?:\.\d+)?)",
        Options);

    /// <summary>The overall grade: group <c>grade</c>. The first match counts.</summary>
    public Regex Grade { get; init; } = new(
        @"(?:final|overall|assigned|performance)?[ \t]*grade[ \t*]*(?:\([^)\n]{0,40}\))?[ \t*]*[:=\-–][ \t*]*(?<grade>[A-F][+-]?)(?:\b|$)",
        Options);

    /// <summary>The threshold the report states: group <c>threshold</c> (for the record only; the guard reads the threshold itself).</summary>
    public Regex Threshold { get; init; } = new(
        @"threshold[^:\n\d]{0,40}[:\(][ \t*]*(?<threshold>\d{1,3}(?:\.\d+)?)",
        Options);

    /// <summary>Counts: groups <c>correct</c>, <c>scored</c> (items the report scored) and <c>total</c>; each pattern may give any of them, the first match of each group counts.</summary>
    public IReadOnlyList<Regex> Counts { get; init; } =
    [
        new(@"total[ \t]+correct[^:\n]{0,20}:[ \t*]*(?<correct>\d+)(?:[ \t]*(?:/|of|out of)[ \t]*(?<total>\d+))?", Options),
        new(@"(?:valid|scored|evaluated|included)[ \t]+(?:samples|items|questions|responses|outputs)[^:\n]{0,30}:[ \t*]*(?<scored>\d+)(?:[ \t]*(?:/|of|out of)[ \t]*(?<total>\d+))?", Options),
        new(@"(?:over|across|on)[ \t]+(?<scored>\d+)[ \t]+(?:valid|scored|evaluated|included)[ \t]+(?:samples|items|questions|responses|outputs)", Options),
        new(@"total[ \t]+(?:questions|items|samples|responses|outputs)[^:\n]{0,20}:[ \t*]*(?<total>\d+)", Options),
    ];

    /// <summary>One line per item: group <c>id</c>, and <c>result</c> (a word such as Correct) or <c>score</c>.</summary>
    public Regex Item { get; init; } = new(
        @"^[ \t>*\-•]*(?:item|question|sample|row|output|response|q)[ \t]*#?[ \t]*(?<id>\d{1,5})\b[^\n]*$",
        Options);

    /// <summary>Words that mark an item right (checked after <see cref="FailWords"/>, since "incorrect" holds "correct").</summary>
    public IReadOnlyList<string> PassWords { get; init; } = ["correct", "accepted", "right", "pass", "passed", "valid", "✓", "✔"];

    /// <summary>Words that mark an item wrong.</summary>
    public IReadOnlyList<string> FailWords { get; init; } = ["incorrect", "wrong", "rejected", "fail", "failed", "not correct", "invalid", "✗", "✘"];

    /// <summary>Words that mark an item left out of the score (dropped, excluded).</summary>
    public IReadOnlyList<string> ExcludedWords { get; init; } = ["excluded", "dropped", "technical error", "not scored", "skipped", "discarded"];
}
