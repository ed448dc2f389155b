using System.Text.Json.Nodes;
using AgentGuard.Deploy.Infrastructure;

namespace AgentGuard.Deploy;

/// <summary>
/// deploy/compose/replicas: two guard replicas sharing state through PostgreSQL in front of one tool
/// server. Checked by reading it (no Docker engine here): the replicas are the same guard with the same
/// configuration and database, each with its own name, audit chain and ports; PostgreSQL is healthy
/// before they start and reachable only by them.
/// </summary>
public sealed class ReplicasComposeTests
{
    private static readonly string Folder = Path.Combine(RepoPaths.Compose, "replicas");
    private static readonly JsonNode Compose = Yaml.Load(Path.Combine(Folder, "docker-compose.yaml"));
    private static readonly JsonNode Services = Compose.Required("services", "replicas/docker-compose.yaml");
    private static readonly string[] Replicas = ["guard-a", "guard-b"];

    [Fact]
    public void Starts_TwoReplicas_PostgreSQL_AndAToolServer()
    {
        Assert.Equal(["guard-a", "guard-b", "postgres", "tools"], Services.AsObject().Select(s => s.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Replicas_AreTheSameGuard_WithTheSameConfigurationAndDatabase()
    {
        var (a, b) = (Services.Required("guard-a", "compose"), Services.Required("guard-b", "compose"));

        foreach (var path in new[] { "image", "build.context", "build.dockerfile", "user", "read_only" })
        {
            Assert.Equal(a.At(path).Text(), b.At(path).Text());
        }

        Assert.Equal(a.At("command").Strings(), b.At("command").Strings());
        Assert.Equal("deploy/Dockerfile", a.At("build.dockerfile").Text());
        Assert.Equal(RepoPaths.Root, Path.GetFullPath(Path.Combine(Folder, a.At("build.context").Text()!)));
        var postgres = a.At("environment.AgentGuard__SharedState__Postgres").Text();
        Assert.False(string.IsNullOrEmpty(postgres));
        Assert.Equal(postgres, b.At("environment.AgentGuard__SharedState__Postgres").Text());
        Assert.Contains("Host=postgres;", postgres, StringComparison.Ordinal);
    }

    [Fact]
    public void Replicas_EachHaveTheirOwnName_AuditChain_AndPorts()
    {
        var names = Replicas.Select(r => Services.At($"{r}.environment.AgentGuard__SharedState__Replica").Text()).ToList();
        Assert.Equal(Replicas, names);

        var audits = Replicas.Select(r => Assert.Single(Services.At($"{r}.volumes").Strings(), v => v.EndsWith(":/var/lib/agentguard/audit", StringComparison.Ordinal))).ToList();
        Assert.Equal(2, audits.Distinct(StringComparer.Ordinal).Count());
        foreach (var audit in audits)
        {
            Assert.True(Compose.At("volumes")!.AsObject().ContainsKey(audit.Split(':')[0]), $"volume {audit} is not declared");
        }

        var ports = Replicas.SelectMany(r => Services.At($"{r}.ports").Strings()).ToList();
        Assert.Equal(4, ports.Count);
        Assert.All(ports, p => Assert.StartsWith("127.0.0.1:", p, StringComparison.Ordinal));
        Assert.Equal(4, ports.Select(p => p.Split(':')[1]).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Replicas_RunLockedDown_WithPolicyAndConfigReadOnly()
    {
        foreach (var replica in Replicas)
        {
            var guard = Services.Required(replica, "compose");
            Assert.Equal("10001:10001", guard.At("user").Text());
            Assert.Equal("true", guard.At("read_only").Text());
            Assert.Contains("ALL", guard.At("cap_drop").Strings());
            Assert.Contains("no-new-privileges:true", guard.At("security_opt").Strings());
            var volumes = guard.At("volumes").Strings();
            Assert.Contains(volumes, v => v.EndsWith(":/etc/agentguard/policies:ro", StringComparison.Ordinal));
            Assert.Contains("./agentguard.json:/etc/agentguard/config/agentguard.json:ro", volumes);
            Assert.Equal("/etc/agentguard/config/agentguard.json", Arg(guard.At("command").Strings(), "--config"));
        }
    }

    [Fact]
    public void PostgreSQL_IsHealthyBeforeTheReplicasStart_AndReachableOnlyByThem()
    {
        var postgres = Services.Required("postgres", "compose");
        Assert.Contains("pg_isready", postgres.At("healthcheck.test").Strings());
        Assert.Null(postgres.At("ports"));
        Assert.Equal(["state"], postgres.At("networks").Strings());
        Assert.Equal("true", Compose.At("networks.state.internal").Text());
        foreach (var replica in Replicas)
        {
            Assert.Equal("service_healthy", Services.At($"{replica}.depends_on.postgres.condition").Text());
            Assert.Contains("state", Services.At($"{replica}.networks").Strings());
        }

        Assert.Equal(["postgres"], Services.AsObject().Where(s => s.Value.At("networks").Strings().Contains("state")).Select(s => s.Key).Except(Replicas).ToList());
    }

    [Fact]
    public void ThePassword_IsOneSetting_SharedByPostgreSQLAndTheReplicas()
    {
        var password = Services.At("postgres.environment.POSTGRES_PASSWORD").Text()!;
        Assert.StartsWith("${AGENTGUARD_POSTGRES_PASSWORD", password, StringComparison.Ordinal);
        Assert.Equal("agentguard", Services.At("postgres.environment.POSTGRES_USER").Text());
        foreach (var replica in Replicas)
        {
            var connection = Services.At($"{replica}.environment.AgentGuard__SharedState__Postgres").Text()!;
            Assert.Contains($"Password={password};", connection, StringComparison.Ordinal);
            Assert.Contains("Username=agentguard;", connection, StringComparison.Ordinal);
            Assert.Contains($"Database={Services.At("postgres.environment.POSTGRES_DB").Text()}", connection, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Config_RoutesToTheToolServer_AndAuditsToTheMountedVolume()
    {
        var config = GuardConfig.Parse(File.ReadAllText(Path.Combine(Folder, "agentguard.json")), "replicas/agentguard.json");
        GuardConfig.AssertRoutesAreConsistent(config, "replicas/agentguard.json");

        var tools = Assert.Single(config.At("ReverseProxy.Clusters.tools.Destinations")!.AsObject()).Value.At("Address").Text();
        Assert.Equal("tools", new Uri(tools!).Host);
        Assert.Equal(Services.At("tools.environment.PORT").Text(), new Uri(tools!).Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("/var/lib/agentguard/audit", config.At("AgentGuard.Audit.Directory").Text());
        // The connection string holds the password: it comes from the environment, never the file.
        Assert.Null(config.At("AgentGuard.SharedState.Postgres"));
        Assert.True(TimeSpan.Parse(config.At("AgentGuard.SharedState.ReplicaTimeout").Text()!, System.Globalization.CultureInfo.InvariantCulture)
            >= 2 * TimeSpan.Parse(config.At("AgentGuard.SharedState.Heartbeat").Text()!, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string Arg(List<string> command, string name) => command[command.IndexOf(name) + 1];
}
