using AgentGuard.Cli;

return await AgentGuardCommand.Create().Parse(args).InvokeAsync();
