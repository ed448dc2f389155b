namespace AgentGuard.Oversight;

/// <summary>
/// What the <c>reference</c> re-scorer knows: per item a reference answer or score, and/or the
/// expected result of the whole evaluation. Loaded from a JSON file beside the policy (see the
/// README's "Declaring an evaluation").
/// </summary>
public sealed class AnswerKey
{
    /// <summary>The file it was loaded from.</summary>
    public required string Path { get; init; }

    /// <summary>The file's text as loaded (part of the policy's version, so an edited key is a new version).</summary>
    public string Text { get; init; } = string.Empty;

    /// <summary>The item field compared with an answer when an item names none (e.g. <c>Output</c>); default the item's last column.</summary>
    public string? Field { get; init; }

    /// <summary>The items, by id.</summary>
    public IReadOnlyDictionary<string, AnswerKeyItem> Items { get; init; } = new Dictionary<string, AnswerKeyItem>();

    /// <summary>The expected result of the whole evaluation, when the key gives one.</summary>
    public AnswerKeyResult? Result { get; init; }
}
