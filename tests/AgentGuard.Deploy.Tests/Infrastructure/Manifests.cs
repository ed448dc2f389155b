using System.Text.Json.Nodes;

namespace AgentGuard.Deploy.Infrastructure;

/// <summary>The Kubernetes objects in deploy/kubernetes, and the pieces of the guarded pod the tests look at.</summary>
internal sealed class Manifests
{
    public const string GuardContainer = "agentguard";
    public const string EgressContainer = "agentguard-egress";
    public const string AgentContainer = "agent";

    private Manifests(List<(string File, JsonNode Object)> objects)
    {
        Objects = objects;
        Deployment = Single("Deployment");
        PodSpec = Deployment.Required("spec.template.spec", "the Deployment");
        PodLabels = Deployment.At("spec.template.metadata.labels").Map();
        Guard = Container(GuardContainer);
        Agent = Container(AgentContainer);
        Egress = Container(EgressContainer);
    }

    public static Manifests Load()
    {
        var objects = new List<(string, JsonNode)>();
        foreach (var file in Directory.EnumerateFiles(RepoPaths.Kubernetes, "*.yaml").Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(file) == "kustomization.yaml")
            {
                continue;
            }

            foreach (var document in Yaml.LoadAll(file))
            {
                objects.Add((Path.GetFileName(file), document));
            }
        }

        return new Manifests(objects);
    }

    public List<(string File, JsonNode Object)> Objects { get; }

    public JsonNode Deployment { get; }

    public JsonNode PodSpec { get; }

    public Dictionary<string, string?> PodLabels { get; }

    public JsonNode Guard { get; }

    public JsonNode Agent { get; }

    public JsonNode Egress { get; }

    public string Namespace => Deployment.Required("metadata.namespace", "the Deployment").Text()!;

    /// <summary>The guard's UID (its runAsUser).</summary>
    public long GuardUid => long.Parse(Guard.Required("securityContext.runAsUser", "the guard").Text()!, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The value following <paramref name="flag"/> in the guard's args.</summary>
    public string GuardArg(string flag)
    {
        var args = Guard.At("args").Strings();
        var at = args.IndexOf(flag);
        Assert.True(at >= 0 && at + 1 < args.Count, $"the guard's args have no '{flag} VALUE': [{string.Join(", ", args)}]");
        return args[at + 1];
    }

    /// <summary>The admin plane's port, from <c>--admin</c>.</summary>
    public int AdminPort => new Uri(GuardArg("--admin")).Port;

    /// <summary>Objects of <paramref name="kind"/>, optionally with <paramref name="name"/>.</summary>
    public List<JsonNode> OfKind(string kind, string? name = null)
        => Objects.Where(o => o.Object.At("kind").Text() == kind && (name is null || o.Object.At("metadata.name").Text() == name))
                  .Select(o => o.Object).ToList();

    public JsonNode Single(string kind, string? name = null)
    {
        var found = OfKind(kind, name);
        Assert.True(found.Count == 1, $"expected one {kind}{(name is null ? "" : $" named {name}")} in deploy/kubernetes, found {found.Count}");
        return found[0];
    }

    /// <summary>A container of the pod, whether in containers or initContainers.</summary>
    public JsonNode Container(string name)
    {
        var found = PodSpec.At("containers").Items().Concat(PodSpec.At("initContainers").Items())
            .Where(c => c.At("name").Text() == name).ToList();
        Assert.True(found.Count == 1, $"expected one container named {name} in the Deployment, found {found.Count}");
        return found[0];
    }

    /// <summary>The pod volume named <paramref name="name"/>.</summary>
    public JsonNode Volume(string name)
    {
        var found = PodSpec.At("volumes").Items().Where(v => v.At("name").Text() == name).ToList();
        Assert.True(found.Count == 1, $"expected one volume named {name}, found {found.Count}");
        return found[0];
    }

    /// <summary>The volume mount of <paramref name="container"/> whose volume is backed by <paramref name="source"/> (configMap, secret...) named <paramref name="sourceName"/>.</summary>
    public JsonNode MountOf(JsonNode container, string source, string sourceName, string nameKey = "name")
    {
        var volume = PodSpec.At("volumes").Items()
            .SingleOrDefault(v => v.At($"{source}.{nameKey}").Text() == sourceName);
        Assert.True(volume is not null, $"no volume from {source} {sourceName}");
        var mount = container.At("volumeMounts").Items().SingleOrDefault(m => m.At("name").Text() == volume!.At("name").Text());
        Assert.True(mount is not null, $"container {container.At("name").Text()} does not mount the {source} {sourceName}");
        return mount!;
    }

    /// <summary>The env value <paramref name="name"/> of <paramref name="container"/> (literal values only).</summary>
    public static string? Env(JsonNode container, string name)
        => container.At("env").Items().FirstOrDefault(e => e.At("name").Text() == name)?.At("value").Text();

    /// <summary>The data entry <paramref name="key"/> of ConfigMap <paramref name="name"/>.</summary>
    public string ConfigMapData(string name, string key)
    {
        var value = Single("ConfigMap", name).Required("data", $"ConfigMap {name}")[key].Text();
        Assert.True(value is not null, $"ConfigMap {name} has no data key {key}");
        return value!;
    }
}
