namespace AgentGuard.Oversight;

/// <summary>How an evaluator submits its result.</summary>
public enum SubmissionKind
{
    /// <summary>A tool call whose arguments hold subject, score or grade, and threshold (a <c>submit_score</c>-style tool).</summary>
    ToolCall,

    /// <summary>A report file written through a tool (<c>create_file</c>, <c>write_file</c>, <c>append_to_file</c>), whose text holds the result.</summary>
    Report,
}
