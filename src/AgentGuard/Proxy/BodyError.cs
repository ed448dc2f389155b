namespace AgentGuard.Proxy;

/// <summary>Why an inspected body could not be read. Every value is a denial.</summary>
internal enum BodyError
{
    None,

    /// <summary>Over <see cref="InspectionOptions.MaxBodyBytes"/>, as sent or once decoded.</summary>
    TooLarge,

    /// <summary>A Content-Encoding the guard does not decode, or more than one.</summary>
    UnsupportedEncoding,

    /// <summary>The body does not decode with the Content-Encoding it claims.</summary>
    CorruptEncoding,

    /// <summary>A Content-Type other than JSON in UTF-8.</summary>
    UnsupportedMediaType,
}
