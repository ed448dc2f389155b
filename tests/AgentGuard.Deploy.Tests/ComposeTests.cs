using System.Text.Json.Nodes;
using AgentGuard.Deploy.Infrastructure;

namespace AgentGuard.Deploy;

/// <summary>
/// deploy/compose: the Kubernetes topology on a laptop. The guard and the agent share one network
/// namespace (owned by the `pod` service, which installs the egress rules), the guard is locked down
/// and reads its policy read-only, and Prometheus scrapes it as job="agentguard" with the alerts loaded.
/// </summary>
public sealed class ComposeTests
{
    private static readonly JsonNode Compose = Yaml.Load(Path.Combine(RepoPaths.Compose, "docker-compose.yaml"));
    private static readonly JsonNode Services = Compose.Required("services", "docker-compose.yaml");

    [Fact]
    public void GuardAndAgent_ShareThePodsNetworkNamespace()
    {
        Assert.Equal("service:pod", Services.At("guard.network_mode").Text());
        Assert.Equal("service:pod", Services.At("agent.network_mode").Text());
        // The tool server is on a network the pod joins; the agent can only get there through the rules.
        Assert.Contains("tools", Services.At("pod.networks").Strings());
        Assert.Contains("tools", Services.At("tools.networks").Strings());
    }

    [Fact]
    public void Guard_RunsLockedDown_WithPolicyAndConfigReadOnly()
    {
        var guard = Services.Required("guard", "docker-compose.yaml");

        Assert.Equal("10001:10001", guard.At("user").Text());
        Assert.Equal("true", guard.At("read_only").Text());
        Assert.Contains("ALL", guard.At("cap_drop").Strings());
        Assert.Null(guard.At("cap_add"));
        Assert.Contains("no-new-privileges:true", guard.At("security_opt").Strings());
        var volumes = guard.At("volumes").Strings();
        Assert.Contains(volumes, v => v.EndsWith(":/etc/agentguard/policies:ro", StringComparison.Ordinal));
        Assert.Contains(volumes, v => v.EndsWith(":/etc/agentguard/config/agentguard.json:ro", StringComparison.Ordinal));
        Assert.Contains(volumes, v => v.StartsWith("audit:/var/lib/agentguard/audit", StringComparison.Ordinal));
        Assert.Contains("/tmp", guard.At("tmpfs").Strings());
        Assert.Equal("deploy/Dockerfile", guard.At("build.dockerfile").Text());
        Assert.Equal("../..", guard.At("build.context").Text());
    }

    [Fact]
    public void Guard_ListensOnLoopback_AdminOnAllAddresses()
    {
        var command = Services.At("guard.command").Strings();

        Assert.True(new Uri(Arg(command, "--listen")).IsLoopback);
        Assert.Equal(9091, new Uri(Arg(command, "--admin")).Port);
    }

    [Fact]
    public void Agent_RunsAsAnotherUid_AndCallsTheGuard()
    {
        var agent = Services.Required("agent", "docker-compose.yaml");
        var uid = agent.Required("user", "the agent").Text()!.Split(':')[0];

        Assert.NotEqual("10001", uid);
        Assert.NotEqual("0", uid);
        Assert.Contains("ALL", agent.At("cap_drop").Strings());
        Assert.StartsWith(Arg(Services.At("guard.command").Strings(), "--listen"), agent.At("environment.MCP_SERVER_URL").Text(), StringComparison.Ordinal);
    }

    [Fact]
    public void Pod_GuardsTheToolsNetwork_ForTheGuardsUid()
    {
        var pod = Services.Required("pod", "docker-compose.yaml");
        var subnet = Assert.Single(Compose.At("networks.tools.ipam.config").Items()).At("subnet").Text();

        Assert.Equal("egress-init", pod.At("build.target").Text());
        Assert.Equal("10001", pod.At("environment.GUARD_UID").Text());
        Assert.Equal("9091", pod.At("environment.ADMIN_PORT").Text());
        Assert.Equal(subnet, pod.At("environment.TOOL_CIDRS").Text());
        Assert.Equal(new[] { "NET_ADMIN", "NET_RAW" }, pod.At("cap_add").Strings().Order(StringComparer.Ordinal));
        // Ports of a shared network namespace are published by its owner, and only on loopback.
        Assert.All(pod.At("ports").Strings(), p => Assert.StartsWith("127.0.0.1:", p, StringComparison.Ordinal));
        Assert.Contains("--hold", pod.At("command").Strings());
        Assert.Equal("service_healthy", Services.At("guard.depends_on.pod.condition").Text());
    }

    [Fact]
    public void GuardConfig_RoutesToTheToolServer()
    {
        var config = GuardConfig.Parse(File.ReadAllText(Path.Combine(RepoPaths.Compose, "agentguard.json")), "deploy/compose/agentguard.json");

        GuardConfig.AssertRoutesAreConsistent(config, "deploy/compose/agentguard.json");
        var cluster = config.Required("ReverseProxy.Clusters", "deploy/compose/agentguard.json").AsObject().Single().Value;
        var address = cluster.Required("Destinations", "the tools cluster").AsObject().Single().Value.At("Address").Text();
        Assert.Equal("tools", new Uri(address!).Host);
        Assert.Equal(new[] { "/etc/agentguard/policies" }, config.At("AgentGuard.Policies").Strings());
        Assert.Equal("/var/lib/agentguard/audit", config.At("AgentGuard.Audit.Directory").Text());
    }

    [Fact]
    public void Prometheus_ScrapesTheGuardAsJobAgentguard_WithTheAlertsLoaded()
    {
        var prometheus = Yaml.Load(Path.Combine(RepoPaths.Compose, "prometheus.yml"));
        var job = Assert.Single(prometheus.At("scrape_configs").Items(), j => j.At("job_name").Text() == "agentguard");
        var target = Assert.Single(Assert.Single(job.At("static_configs").Items()).At("targets").Strings());

        Assert.Equal("pod:9091", target);
        // The labels the alerts and the dashboard group by, which the ServiceMonitor adds in Kubernetes.
        var labels = job.At("static_configs").Items().Single().At("labels").Map();
        Assert.True(labels.ContainsKey("namespace") && labels.ContainsKey("pod"));
        var ruleFile = Assert.Single(prometheus.At("rule_files").Strings());
        Assert.Contains(Services.At("prometheus.volumes").Strings(), v => v == $"../prometheus/agentguard-rules.yaml:{ruleFile}:ro");
        Assert.Contains("monitoring", Services.At("pod.networks").Strings());
        Assert.Contains("monitoring", Services.At("prometheus.networks").Strings());
    }

    [Fact]
    public void BindMounts_NameFilesThatExist()
    {
        foreach (var (name, service) in Services.AsObject())
        {
            foreach (var volume in service.At("volumes").Strings())
            {
                var source = volume.Split(':')[0];
                if (!source.StartsWith('.'))
                {
                    Assert.True(Compose.At("volumes")?.AsObject().ContainsKey(source) == true, $"service {name}: named volume {source} is not declared");
                    continue;
                }

                var path = Path.GetFullPath(Path.Combine(RepoPaths.Compose, source));
                Assert.True(File.Exists(path) || Directory.Exists(path), $"service {name} mounts {source}, which does not exist");
            }
        }
    }

    private static string Arg(List<string> args, string flag)
    {
        var at = args.IndexOf(flag);
        Assert.True(at >= 0 && at + 1 < args.Count, $"no '{flag} VALUE' in [{string.Join(", ", args)}]");
        return args[at + 1];
    }
}
