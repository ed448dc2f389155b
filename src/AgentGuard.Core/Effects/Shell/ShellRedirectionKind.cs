namespace AgentGuard.Effects.Shell;

/// <summary>What a redirection does to its target.</summary>
public enum ShellRedirectionKind
{
    /// <summary><c>&lt;</c>: the file is read.</summary>
    Read,

    /// <summary><c>&gt;</c>, <c>&gt;|</c>, <c>&amp;&gt;</c>: the file is replaced.</summary>
    Write,

    /// <summary><c>&gt;&gt;</c>, <c>&amp;&gt;&gt;</c>: the file is appended to.</summary>
    Append,

    /// <summary><c>&lt;&gt;</c>: the file is opened for reading and writing.</summary>
    ReadWrite,

    /// <summary><c>n&gt;&amp;m</c>, <c>n&lt;&amp;m</c>, <c>n&gt;&amp;-</c>: a descriptor is copied or closed; no file is touched.</summary>
    Duplicate,

    /// <summary><c>&lt;&lt;</c>, <c>&lt;&lt;-</c>: standard input is the here-document's body.</summary>
    HereDocument,

    /// <summary><c>&lt;&lt;&lt;</c>: standard input is the word.</summary>
    HereString,
}
