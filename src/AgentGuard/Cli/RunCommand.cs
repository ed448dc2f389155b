using System.CommandLine;
using AgentGuard.Proxy;

namespace AgentGuard.Cli;

/// <summary><c>agentguard run</c>: start the guard.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "JSON configuration: a YARP ReverseProxy section and an AgentGuard section." };
        var policy = new Option<string[]>("--policy") { Description = "Policy file or folder (repeatable). Default: the shipped policies.", Arity = ArgumentArity.ZeroOrMore };
        var upstream = new Option<string?>("--upstream") { Description = "Send everything to this URL, inspected as MCP (instead of ReverseProxy routes)." };
        var listen = new Option<string?>("--listen") { Description = "Data-plane URL agents call. Default http://127.0.0.1:8080." };
        var admin = new Option<string?>("--admin") { Description = "Admin-plane URL (health, readiness). Default http://127.0.0.1:9091." };
        var agent = new Option<string?>("--agent") { Description = "The id of the agent this sidecar vouches for." };
        var role = new Option<string?>("--role") { Description = "The role of that agent, e.g. evaluator." };
        var auditDir = new Option<string?>("--audit-dir") { Description = "Folder for the tamper-evident audit log (AgentGuard:Audit:Directory). Off when not given." };
        var signingKey = new Option<string?>("--audit-signing-key") { Description = "ECDSA P-256 private key (PEM) that signs audit checkpoints; see 'agentguard audit keygen'." };

        var command = new Command("run", "Start the guard.") { config, policy, upstream, listen, admin, agent, role, auditDir, signingKey };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var flags = new Dictionary<string, string?>();
            Put(flags, "AgentGuard:Upstream", parse.GetValue(upstream));
            Put(flags, "AgentGuard:Listen", parse.GetValue(listen));
            Put(flags, "AgentGuard:Admin", parse.GetValue(admin));
            Put(flags, "AgentGuard:Agent:Id", parse.GetValue(agent));
            Put(flags, "AgentGuard:Agent:Role", parse.GetValue(role));
            Put(flags, "AgentGuard:Audit:Directory", parse.GetValue(auditDir));
            Put(flags, "AgentGuard:Audit:SigningKeyFile", parse.GetValue(signingKey));
            var policies = parse.GetValue(policy) ?? [];
            for (var i = 0; i < policies.Length; i++)
            {
                flags[$"AgentGuard:Policies:{i}"] = policies[i];
            }

            IConfiguration configuration;
            try
            {
                configuration = GuardConfiguration.Build(parse.GetValue(config), flags);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or FormatException)
            {
                await Console.Error.WriteLineAsync($"agentguard: cannot read --config: {ex.Message}");
                return 2;
            }

            GuardHost host;
            try
            {
                host = await GuardHost.StartAsync(configuration, cancellationToken: cancellationToken);
            }
            catch (GuardStartException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message);
                return 2;
            }

            await using (host)
            {
                Console.WriteLine($"agentguard: data plane {host.DataAddress}, admin plane {host.AdminAddress}, policy {host.Policies.Current.Version}");
                await host.WaitForShutdownAsync(cancellationToken);
            }

            return 0;
        });
        return command;
    }

    private static void Put(Dictionary<string, string?> flags, string key, string? value)
    {
        if (value is not null)
        {
            flags[key] = value;
        }
    }
}
