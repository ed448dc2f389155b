namespace AgentGuard.Content;

/// <summary>How a tool argument carries file content (a mapping's <c>encoding:</c>).</summary>
public enum ContentEncoding
{
    /// <summary>
    /// Base64 when the whole value is valid base64 of plausible length (16 characters or more),
    /// otherwise text; content that is base64 is also sniffed as text, so neither reading hides weights.
    /// </summary>
    Auto,

    /// <summary>The value's UTF-8 bytes are the content.</summary>
    Text,

    /// <summary>
    /// The value is base64 of the content (whitespace allowed, as MIME line breaks it), or base64url
    /// (padding optional), or a <c>data:</c> URL whose parameters end with <c>;base64</c>.
    /// </summary>
    Base64,
}
