using System.Text.Json.Nodes;
using AgentGuard.Deploy.Infrastructure;

namespace AgentGuard.Deploy;

/// <summary>Every file under deploy/ parses, and none of the deliverables is missing.</summary>
public sealed class DeployFilesTests
{
    public static TheoryData<string> YamlFiles() => FilesUnder("deploy", "*.yaml", "*.yml");

    public static TheoryData<string> JsonFiles() => FilesUnder("deploy", "*.json");

    public static TheoryData<string> ShellScripts()
    {
        var data = FilesUnder("deploy", "*.sh");
        foreach (var file in Directory.EnumerateFiles(RepoPaths.Of("tests/deploy"), "*.sh"))
        {
            data.Add(RepoPaths.Relative(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(YamlFiles))]
    public void YamlFile_Parses_EveryDocument(string file)
    {
        var documents = Yaml.LoadAll(RepoPaths.Of(file));

        Assert.NotEmpty(documents);
        Assert.All(documents, document => Assert.IsType<JsonObject>(document));
    }

    [Theory]
    [MemberData(nameof(JsonFiles))]
    public void JsonFile_Parses_Strictly(string file)
    {
        var node = GuardConfig.Parse(File.ReadAllText(RepoPaths.Of(file)), file);

        Assert.IsType<JsonObject>(node);
    }

    [Fact]
    public void KubernetesManifests_HoldSeveralDocuments_AllParsed()
    {
        // The multi-document files (---) must yield every object, not just the first.
        var deployment = Yaml.LoadAll(Path.Combine(RepoPaths.Kubernetes, "agent-deployment.yaml"));

        Assert.Equal(new[] { "ServiceAccount", "PersistentVolumeClaim", "Deployment" }, deployment.Select(d => d.At("kind").Text()));
        Assert.Equal(2, Yaml.LoadAll(Path.Combine(RepoPaths.Kubernetes, "networkpolicies.yaml")).Count);
    }

    [Fact]
    public void KubernetesObjects_EachHaveApiVersionKindAndName()
    {
        foreach (var (file, obj) in Manifests.Load().Objects)
        {
            Assert.False(string.IsNullOrEmpty(obj.At("apiVersion").Text()), $"{file}: an object without apiVersion");
            Assert.False(string.IsNullOrEmpty(obj.At("kind").Text()), $"{file}: an object without kind");
            Assert.False(string.IsNullOrEmpty(obj.At("metadata.name").Text()), $"{file}: a {obj.At("kind").Text()} without a name");
        }
    }

    [Fact]
    public void DeployTree_HasEveryDeliverable()
    {
        string[] expected =
        [
            "deploy/README.md",
            "deploy/Dockerfile",
            "deploy/Dockerfile.dockerignore",
            "deploy/egress/agentguard-egress-init.sh",
            "deploy/kubernetes/README.md",
            "deploy/kubernetes/kustomization.yaml",
            "deploy/kubernetes/agent-deployment.yaml",
            "deploy/compose/docker-compose.yaml",
            "deploy/compose/prometheus.yml",
            "deploy/prometheus/agentguard-rules.yaml",
            "deploy/prometheus/agentguard-rules.test.yaml",
            "deploy/grafana/agentguard.json",
            "tests/deploy/promtool.sh",
            "tests/deploy/egress-init.sh",
            "tests/deploy/admission-policy.sh",
            "tests/deploy/admission-policy.mjs",
            "deploy/kubernetes/sync.sh",
        ];

        Assert.All(expected, file => Assert.True(File.Exists(RepoPaths.Of(file)), $"{file} is missing"));
    }

    [Theory]
    [MemberData(nameof(ShellScripts))]
    public void ShellScript_IsExecutable_AndStopsOnErrors(string file)
    {
        var path = RepoPaths.Of(file);
        var text = File.ReadAllText(path);

        Assert.StartsWith("#!", text, StringComparison.Ordinal);
        Assert.Contains("set -e", text, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.True((File.GetUnixFileMode(path) & UnixFileMode.UserExecute) != 0, $"{file} is not executable (chmod +x)");
        }
    }

    [Fact]
    public void KubernetesKustomization_ListsEveryManifest()
    {
        var kustomization = Yaml.Load(Path.Combine(RepoPaths.Kubernetes, "kustomization.yaml"));
        var listed = kustomization.At("resources").Strings().Order(StringComparer.Ordinal).ToList();
        var present = Directory.EnumerateFiles(RepoPaths.Kubernetes, "*.yaml")
            .Select(file => Path.GetFileName(file)!)
            .Where(name => name != "kustomization.yaml")
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(present, listed);
    }

    private static TheoryData<string> FilesUnder(string folder, params string[] patterns)
    {
        var data = new TheoryData<string>();
        foreach (var pattern in patterns)
        {
            foreach (var file in Directory.EnumerateFiles(RepoPaths.Of(folder), pattern, SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                data.Add(RepoPaths.Relative(file));
            }
        }

        return data;
    }
}
