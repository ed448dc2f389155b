namespace AgentGuard.Protocols.S3;

/// <summary>The parts of an S3 HTTP request the guard decides on: never its body, except the small XML documents <see cref="S3Decoder.DecodeBody"/> reads.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Host">The <c>Host</c> header as sent (a virtual-hosted request names its bucket there).</param>
/// <param name="Path">The request path as sent, still percent-encoded.</param>
/// <param name="Query">The query string as sent, with or without its leading <c>?</c>.</param>
/// <param name="Header">Reads one request header by name (case-insensitive); <see langword="null"/> when absent.</param>
public sealed record S3Request(string Method, string Host, string Path, string Query, Func<string, string?> Header);
