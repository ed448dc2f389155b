using System.CommandLine;

namespace AgentGuard.Cli;

/// <summary>The <c>agentguard</c> command line.</summary>
internal static class AgentGuardCommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand("AgentGuard: a runtime oversight guard between AI agents and their tools.");
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(PolicyCommand.Create());
        root.Subcommands.Add(AuditCommand.Create());
        root.Subcommands.Add(ApprovalsCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(TrialCommand.Create());
        root.Subcommands.Add(ReviewersCommand.Create());
        return root;
    }
}
