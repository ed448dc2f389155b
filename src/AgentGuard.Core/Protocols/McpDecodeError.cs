namespace AgentGuard.Protocols;

/// <summary>Why a body could not be decoded. Every value is a denial on an inspected route.</summary>
public enum McpDecodeError
{
    None,

    /// <summary>Not valid UTF-8, not JSON, duplicate keys, comments, trailing data, or nested too deep. JSON-RPC -32700.</summary>
    ParseError,

    /// <summary>Valid JSON that is not a valid JSON-RPC message or batch. JSON-RPC -32600.</summary>
    InvalidRequest,
}
