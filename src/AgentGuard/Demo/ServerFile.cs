namespace AgentGuard.Demo;

/// <summary>A file on one of OpenBrain's servers, as the study's server tools show it.</summary>
/// <param name="Name">The file name, e.g. <c>gemini_agent_2_model_weight.safetensors</c>.</param>
/// <param name="LastModified">The last-modified time; copies and transfers reset it to now, as the study's simulator does.</param>
/// <param name="SizeBytes">The declared size in bytes.</param>
/// <param name="Summary">The one-line summary the study attaches to each file; the study judges exfiltration by it.</param>
public sealed record ServerFile(string Name, DateTimeOffset LastModified, long SizeBytes, string Summary);
