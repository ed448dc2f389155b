using System.Text.Json.Serialization;
using AgentGuard.Policy;

namespace AgentGuard.Sessions;

/// <summary>A <c>tools/call</c> an agent made in a session, as oversight needs it after the request is gone.</summary>
public sealed record SessionCall
{
    private readonly CallArguments _arguments;

    /// <summary>A call whose arguments are already canonical JSON text.</summary>
    /// <param name="time">When it was decided.</param>
    /// <param name="tool">The tool called.</param>
    /// <param name="arguments">The arguments as canonical JSON text (<c>{}</c> when none).</param>
    /// <param name="decision">Allow, flag or deny: a denied call never ran.</param>
    /// <param name="reference">The audit reference of its decision.</param>
    [JsonConstructor]
    public SessionCall(DateTimeOffset time, string tool, string arguments, DecisionKind decision, string reference)
        : this(time, tool, new CallArguments(arguments), decision, reference)
    {
    }

    /// <summary>A call whose arguments are written out when first read.</summary>
    public SessionCall(DateTimeOffset time, string tool, CallArguments arguments, DecisionKind decision, string reference)
    {
        Time = time;
        Tool = tool;
        _arguments = arguments;
        Decision = decision;
        Reference = reference;
    }

    /// <summary>When it was decided.</summary>
    public DateTimeOffset Time { get; init; }

    /// <summary>The tool called.</summary>
    public string Tool { get; init; }

    /// <summary>The arguments as canonical JSON text (<c>{}</c> when none), redacted as the audit log redacts them.</summary>
    public string Arguments => _arguments.Text;

    /// <summary>Allow, flag or deny: a denied call never ran.</summary>
    public DecisionKind Decision { get; init; }

    /// <summary>The audit reference of its decision.</summary>
    public string Reference { get; init; }
}
