namespace AgentGuard.Effects.Shell;

/// <summary>Adds what one command does to the collector.</summary>
internal delegate void ShellCommandHandler(ShellEffectCollector collector, ShellInvocation invocation);
