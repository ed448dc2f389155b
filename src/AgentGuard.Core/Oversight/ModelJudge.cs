using Microsoft.Extensions.AI;

namespace AgentGuard.Oversight;

/// <summary>One judge of a <c>model</c> re-scorer: a chat client bound to one model, and the name the result's detail gives it.</summary>
/// <param name="Name">The judge's name in <see cref="Rescore.Detail"/> and logs: the model's name.</param>
/// <param name="Client">The client that asks the model.</param>
internal sealed record ModelJudge(string Name, IChatClient Client);
