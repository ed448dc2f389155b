using System.Text.Json.Nodes;
using AgentGuard.Deploy.Infrastructure;
using AgentGuard.Policy;

namespace AgentGuard.Deploy;

/// <summary>
/// deploy/kubernetes: the guard runs locked down, is probed on its admin plane, reads its config and
/// policy read-only from ConfigMaps; the agent cannot become the guard; and the egress rules, the
/// Service, the ServiceMonitor, the NetworkPolicies and the admission policy agree on the same
/// ports, UIDs and labels.
/// </summary>
public sealed class KubernetesManifestTests
{
    private readonly Manifests _k8s = Manifests.Load();

    [Fact]
    public void Guard_IsANativeSidecar_StartedAfterTheEgressRules()
    {
        var inits = _k8s.PodSpec.At("initContainers").Items().Select(c => c.At("name").Text()).ToList();

        Assert.Equal(new[] { Manifests.EgressContainer, Manifests.GuardContainer }, inits);
        Assert.Equal("Always", _k8s.Guard.At("restartPolicy").Text());
        Assert.Null(_k8s.Egress.At("restartPolicy"));
        Assert.Equal(Manifests.AgentContainer, Assert.Single(_k8s.PodSpec.At("containers").Items()).At("name").Text());
    }

    [Fact]
    public void Guard_SecurityContext_NonRootReadOnlyRootNoCapabilities()
    {
        var security = _k8s.Guard.Required("securityContext", "the guard");

        Assert.Equal(10001, _k8s.GuardUid);
        Assert.Equal("10001", security.At("runAsGroup").Text());
        Assert.Equal("true", security.At("runAsNonRoot").Text());
        Assert.Equal("true", security.At("readOnlyRootFilesystem").Text());
        Assert.Equal("false", security.At("allowPrivilegeEscalation").Text());
        Assert.Equal("false", security.At("privileged").Text());
        Assert.Equal(new[] { "ALL" }, security.At("capabilities.drop").Strings());
        Assert.Null(security.At("capabilities.add"));
        Assert.Equal("true", _k8s.PodSpec.At("securityContext.runAsNonRoot").Text());
    }

    [Fact]
    public void Guard_Probes_HitHealthzAndReadyzOnTheAdminPort()
    {
        var adminPort = _k8s.AdminPort;

        Assert.Equal(9091, adminPort);
        AssertProbe("livenessProbe", "/healthz");
        AssertProbe("readinessProbe", "/readyz");
        // The agent starts only once the guard is ready (policy loaded, audit log writable).
        AssertProbe("startupProbe", "/readyz");
        var port = Assert.Single(_k8s.Guard.At("ports").Items());
        Assert.Equal(adminPort.ToString(System.Globalization.CultureInfo.InvariantCulture), port.At("containerPort").Text());
        Assert.Equal("admin", port.At("name").Text());

        void AssertProbe(string probe, string path)
        {
            var get = _k8s.Guard.Required($"{probe}.httpGet", $"the guard's {probe}");
            Assert.Equal(path, get.At("path").Text());
            var target = get.At("port").Text();
            var resolved = int.TryParse(target, out var number) ? number
                : int.Parse(_k8s.Guard.At("ports").Items().Single(p => p.At("name").Text() == target).At("containerPort").Text()!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(resolved == adminPort, $"{probe} probes port {target}, not the admin port {adminPort}");
        }
    }

    [Fact]
    public void Guard_DataPlane_ListensOnLoopbackOnly_AdminPlaneOnThePodAddress()
    {
        // Loopback: only this pod's agent reaches the data plane, which acts with this pod's identity.
        Assert.True(new Uri(_k8s.GuardArg("--listen")).IsLoopback, "the data plane must listen on 127.0.0.1");
        // The admin plane must answer the kubelet's probes and Prometheus, which come from outside the pod.
        Assert.Equal("0.0.0.0", new Uri(_k8s.GuardArg("--admin")).Host);
    }

    [Fact]
    public void Guard_ConfigAndPolicy_MountedReadOnlyFromConfigMaps()
    {
        var config = _k8s.MountOf(_k8s.Guard, "configMap", "agentguard-config");
        var policy = _k8s.MountOf(_k8s.Guard, "configMap", "agentguard-policy");
        var key = _k8s.MountOf(_k8s.Guard, "secret", "agentguard-audit-key", nameKey: "secretName");

        Assert.Equal("true", config.At("readOnly").Text());
        Assert.Equal("true", policy.At("readOnly").Text());
        Assert.Equal("true", key.At("readOnly").Text());
        // subPath mounts never see ConfigMap updates: the policy would not hot reload.
        Assert.Null(policy.At("subPath"));
        Assert.Null(config.At("subPath"));
        // Under /etc/agentguard, which the shipped policy's guard-config asset protects.
        Assert.StartsWith("/etc/agentguard/", policy.At("mountPath").Text(), StringComparison.Ordinal);
    }

    [Fact]
    public void Guard_Config_PointsIntoItsMounts()
    {
        var configMount = _k8s.MountOf(_k8s.Guard, "configMap", "agentguard-config").At("mountPath").Text()!;
        var policyMount = _k8s.MountOf(_k8s.Guard, "configMap", "agentguard-policy").At("mountPath").Text()!;
        var keyMount = _k8s.MountOf(_k8s.Guard, "secret", "agentguard-audit-key", nameKey: "secretName").At("mountPath").Text()!;
        var configPath = _k8s.GuardArg("--config");
        Assert.Equal(configMount, Path.GetDirectoryName(configPath));
        var config = GuardConfig.Parse(_k8s.ConfigMapData("agentguard-config", Path.GetFileName(configPath)), "agentguard-config");

        var policies = config.At("AgentGuard.Policies").Strings();
        var policyKeys = _k8s.Single("ConfigMap", "agentguard-policy").Required("data", "agentguard-policy").AsObject().Select(p => p.Key).ToList();
        // Each file, not the folder: a ConfigMap volume holds every file three times (FILE,
        // ..data/FILE, ..<timestamp>/FILE), and a recursive folder search loads all three.
        Assert.Equal(policyKeys.Select(k => $"{policyMount}/{k}").Order(StringComparer.Ordinal), policies.Order(StringComparer.Ordinal));
        Assert.Equal("true", config.At("AgentGuard.WatchPolicies").Text() ?? "true");

        var signingKey = config.Required("AgentGuard.Audit.SigningKeyFile", "agentguard-config").Text()!;
        Assert.Equal(keyMount, Path.GetDirectoryName(signingKey));

        var audit = config.Required("AgentGuard.Audit.Directory", "agentguard-config").Text()!;
        var auditMount = Assert.Single(_k8s.Guard.At("volumeMounts").Items(), m => m.At("mountPath").Text() == audit);
        Assert.Null(auditMount.At("readOnly"));
        Assert.NotNull(_k8s.Volume(auditMount.At("name").Text()!).At("persistentVolumeClaim.claimName"));
        var pvc = _k8s.Volume(auditMount.At("name").Text()!).At("persistentVolumeClaim.claimName").Text();
        _k8s.Single("PersistentVolumeClaim", pvc);

        GuardConfig.AssertRoutesAreConsistent(config, "agentguard-config");
    }

    [Fact]
    public void Guard_Tmp_IsAnEmptyDir()
    {
        var tmp = Assert.Single(_k8s.Guard.At("volumeMounts").Items(), m => m.At("mountPath").Text() == "/tmp");

        Assert.NotNull(_k8s.Volume(tmp.At("name").Text()!).At("emptyDir"));
    }

    [Fact]
    public void Guard_AdminToken_ComesFromASecret()
    {
        var token = Assert.Single(_k8s.Guard.At("env").Items(), e => e.At("name").Text() == "AgentGuard__AdminApiToken");

        Assert.Null(token.At("value"));
        Assert.NotNull(token.At("valueFrom.secretKeyRef.name"));
    }

    [Fact]
    public void Agent_RunsAsAnotherUid_WithoutAnyPrivilege()
    {
        var security = _k8s.Agent.Required("securityContext", "the agent");
        var uid = long.Parse(security.Required("runAsUser", "the agent").Text()!, System.Globalization.CultureInfo.InvariantCulture);

        // The egress rules let the guard's UID through: the agent must never run as it, nor as root.
        Assert.NotEqual(_k8s.GuardUid, uid);
        Assert.NotEqual(0, uid);
        Assert.Equal("true", security.At("runAsNonRoot").Text());
        Assert.Equal("false", security.At("allowPrivilegeEscalation").Text());
        Assert.Equal(new[] { "ALL" }, security.At("capabilities.drop").Strings());
        Assert.Null(security.At("capabilities.add"));
        Assert.Equal("true", security.At("readOnlyRootFilesystem").Text());
    }

    [Fact]
    public void Agent_CallsToolsThroughTheGuard()
    {
        var url = Manifests.Env(_k8s.Agent, "MCP_SERVER_URL");

        Assert.NotNull(url);
        Assert.StartsWith(_k8s.GuardArg("--listen"), url, StringComparison.Ordinal);
        // The agent gets no volume of the guard's.
        var guardVolumes = _k8s.Guard.At("volumeMounts").Items().Select(m => m.At("name").Text()).ToHashSet();
        Assert.DoesNotContain(_k8s.Agent.At("volumeMounts").Items(), m => guardVolumes.Contains(m.At("name").Text()));
    }

    [Fact]
    public void EgressInit_NamesTheGuardsUidAndAdminPort()
    {
        Assert.Equal(_k8s.GuardUid.ToString(System.Globalization.CultureInfo.InvariantCulture), Manifests.Env(_k8s.Egress, "GUARD_UID"));
        Assert.Equal(_k8s.AdminPort.ToString(System.Globalization.CultureInfo.InvariantCulture), Manifests.Env(_k8s.Egress, "ADMIN_PORT"));
        Assert.False(string.IsNullOrWhiteSpace(Manifests.Env(_k8s.Egress, "TOOL_CIDRS")), "TOOL_CIDRS must name the tool servers' ranges");
        var security = _k8s.Egress.Required("securityContext", "the egress init container");
        Assert.Equal(new[] { "NET_ADMIN", "NET_RAW" }, security.At("capabilities.add").Strings().Order(StringComparer.Ordinal));
        Assert.Equal(new[] { "ALL" }, security.At("capabilities.drop").Strings());
        Assert.Equal("false", security.At("allowPrivilegeEscalation").Text());
        Assert.Equal("true", security.At("readOnlyRootFilesystem").Text());
    }

    [Fact]
    public void Pod_SharesNothingWithTheNode_AndHasNoApiToken()
    {
        // With the host's network namespace the egress rules would rewrite the node's firewall.
        Assert.NotEqual("true", _k8s.PodSpec.At("hostNetwork").Text());
        Assert.NotEqual("true", _k8s.PodSpec.At("hostPID").Text());
        Assert.NotEqual("true", _k8s.PodSpec.At("shareProcessNamespace").Text());
        Assert.Equal("false", _k8s.PodSpec.At("automountServiceAccountToken").Text());
        // fsGroup makes the audit volume and the signing key usable by the guard's group.
        Assert.Equal(_k8s.Guard.At("securityContext.runAsGroup").Text(), _k8s.PodSpec.At("securityContext.fsGroup").Text());
        // The label the tool servers' NetworkPolicy and the admission policy select on: a string.
        Assert.Equal("true", _k8s.PodLabels["agentguard.io/guarded"]);
        var label = _k8s.Deployment.Required("spec.template.metadata.labels", "the pod labels")["agentguard.io/guarded"];
        Assert.Equal(System.Text.Json.JsonValueKind.String, label?.GetValueKind());
    }

    [Fact]
    public void AdminService_SelectsGuardedPods_OnTheAdminPort()
    {
        var service = _k8s.Single("Service", "agentguard-admin");

        Assert.Equal(_k8s.Namespace, service.At("metadata.namespace").Text());
        Assert.All(service.At("spec.selector").Map(), pair => Assert.Equal(pair.Value, _k8s.PodLabels.GetValueOrDefault(pair.Key)));
        var port = Assert.Single(service.At("spec.ports").Items());
        Assert.Equal(_k8s.AdminPort.ToString(System.Globalization.CultureInfo.InvariantCulture), port.At("targetPort").Text());
        // A guard failing /readyz is the one whose metrics matter.
        Assert.Equal("true", service.At("spec.publishNotReadyAddresses").Text());
    }

    [Fact]
    public void ServiceMonitor_ScrapesTheAdminService_AsJobAgentguard()
    {
        var service = _k8s.Single("Service", "agentguard-admin");
        var monitor = _k8s.Single("ServiceMonitor");

        Assert.Equal("monitoring.coreos.com/v1", monitor.At("apiVersion").Text());
        var serviceLabels = service.At("metadata.labels").Map();
        Assert.All(monitor.At("spec.selector.matchLabels").Map(), pair => Assert.Equal(pair.Value, serviceLabels.GetValueOrDefault(pair.Key)));
        Assert.Contains(service.At("metadata.namespace").Text(), monitor.At("spec.namespaceSelector.matchNames").Strings());
        var endpoint = Assert.Single(monitor.At("spec.endpoints").Items());
        Assert.Equal(Assert.Single(service.At("spec.ports").Items()).At("name").Text(), endpoint.At("port").Text());
        Assert.Equal("/metrics", endpoint.At("path").Text());
        // The alerts (up{job="agentguard"}) and the dashboard rely on this job name.
        Assert.Equal("agentguard", serviceLabels.GetValueOrDefault(monitor.Required("spec.jobLabel", "the ServiceMonitor").Text()!));
    }

    [Fact]
    public void ToolServersNetworkPolicy_AdmitsOnlyGuardedPodsOfTheAgentsNamespace()
    {
        var policy = _k8s.Single("NetworkPolicy", "admit-guarded-agents-only");

        Assert.NotEqual(_k8s.Namespace, policy.At("metadata.namespace").Text());
        Assert.Equal(new[] { "Ingress" }, policy.At("spec.policyTypes").Strings());
        var rule = Assert.Single(policy.At("spec.ingress").Items());
        // One peer with both selectors: namespace AND pod. Two peers would mean namespace OR pod.
        var peer = Assert.Single(rule.At("from").Items());
        Assert.Equal(_k8s.Namespace, peer.At("namespaceSelector.matchLabels").Map()["kubernetes.io/metadata.name"]);
        var podSelector = peer.At("podSelector.matchLabels").Map();
        Assert.Equal("true", podSelector["agentguard.io/guarded"]);
        Assert.All(podSelector, pair => Assert.Equal(pair.Value, _k8s.PodLabels.GetValueOrDefault(pair.Key)));
    }

    [Fact]
    public void AgentsNetworkPolicy_AdmitsOnlyTheAdminPort()
    {
        var policy = _k8s.Single("NetworkPolicy", "agentguard-admin-from-monitoring");

        Assert.Equal(_k8s.Namespace, policy.At("metadata.namespace").Text());
        var rule = Assert.Single(policy.At("spec.ingress").Items());
        var port = Assert.Single(rule.At("ports").Items());
        Assert.Equal(_k8s.AdminPort.ToString(System.Globalization.CultureInfo.InvariantCulture), port.At("port").Text());
    }

    [Fact]
    public void AdmissionPolicy_PinsTheSameUidAndContainerNames_AndIsBound()
    {
        var policy = _k8s.Single("ValidatingAdmissionPolicy");
        var binding = _k8s.Single("ValidatingAdmissionPolicyBinding");
        var expressions = string.Join("\n", policy.At("spec.validations").Items().Select(v => v.At("expression").Text()));

        Assert.Equal(policy.At("metadata.name").Text(), binding.At("spec.policyName").Text());
        Assert.Contains("Deny", binding.At("spec.validationActions").Strings());
        Assert.Equal(_k8s.Namespace, binding.At("spec.matchResources.namespaceSelector.matchLabels").Map()["kubernetes.io/metadata.name"]);
        Assert.Contains($"runAsUser == {_k8s.GuardUid}", expressions, StringComparison.Ordinal);
        Assert.Contains($"runAsUser != {_k8s.GuardUid}", expressions, StringComparison.Ordinal);
        Assert.Contains($"'{Manifests.EgressContainer}'", expressions, StringComparison.Ordinal);
        Assert.Contains($"'{Manifests.GuardContainer}'", expressions, StringComparison.Ordinal);
        Assert.Contains("'agentguard.io/guarded'", policy.At("spec.matchConditions").Items().Single().At("expression").Text(), StringComparison.Ordinal);
    }

    [Fact]
    public void PolicyConfigMap_HoldsTheShippedPolicies()
    {
        var data = _k8s.Single("ConfigMap", "agentguard-policy").Required("data", "agentguard-policy").AsObject();
        var shipped = Directory.EnumerateFiles(RepoPaths.Of("policies"), "*.yaml")
            .Where(f => !PolicyFiles.IsTestFile(f))
            .ToDictionary(f => Path.GetFileName(f)!, File.ReadAllText);

        Assert.Equal(shipped.Keys.Order(StringComparer.Ordinal), data.Select(p => p.Key).Order(StringComparer.Ordinal));
        foreach (var (name, text) in shipped)
        {
            Assert.True(Normalize(text) == Normalize(data[name].Text()!),
                $"deploy/kubernetes/agentguard-policy.yaml holds an old copy of policies/{name}: run deploy/kubernetes/sync.sh");
        }

        static string Normalize(string text) => text.Replace("\r\n", "\n").TrimEnd('\n') + "\n";
    }

    [Fact]
    public void PrometheusRule_HoldsTheRulesFile()
    {
        var rule = _k8s.Single("PrometheusRule", "agentguard");
        var rules = Yaml.Load(RepoPaths.Of("deploy/prometheus/agentguard-rules.yaml"));

        Assert.True(JsonNode.DeepEquals(rules, rule.At("spec")),
            "deploy/kubernetes/prometheusrule.yaml differs from deploy/prometheus/agentguard-rules.yaml: run deploy/kubernetes/sync.sh");
    }

    [Fact]
    public void PolicyConfigMap_ThroughAKubeletVolume_LoadsEachRuleOnce()
    {
        // The kubelet writes a ConfigMap volume as: ..<timestamp>/FILE, ..data -> ..<timestamp>,
        // FILE -> ..data/FILE. Build that, point the guard's configured policy paths at it, load.
        var data = _k8s.Single("ConfigMap", "agentguard-policy").Required("data", "agentguard-policy").AsObject();
        var mount = _k8s.MountOf(_k8s.Guard, "configMap", "agentguard-policy").At("mountPath").Text()!;
        var config = GuardConfig.Parse(_k8s.ConfigMapData("agentguard-config", Path.GetFileName(_k8s.GuardArg("--config"))), "agentguard-config");
        var volume = Directory.CreateTempSubdirectory("agentguard-configmap-");
        try
        {
            var timestamped = Directory.CreateDirectory(Path.Combine(volume.FullName, "..2026_01_01_00_00_00.000000001"));
            foreach (var (key, value) in data)
            {
                File.WriteAllText(Path.Combine(timestamped.FullName, key), value.Text());
            }

            Directory.CreateSymbolicLink(Path.Combine(volume.FullName, "..data"), timestamped.Name);
            foreach (var (key, _) in data)
            {
                File.CreateSymbolicLink(Path.Combine(volume.FullName, key), Path.Combine("..data", key));
            }

            var paths = config.At("AgentGuard.Policies").Strings().Select(p => volume.FullName + p[mount.Length..]).ToList();
            var result = PolicyLoader.Load(paths);

            Assert.True(result.Errors.Count == 0, "the configured policy paths do not load from a ConfigMap volume:\n" + string.Join("\n", result.Errors));
            Assert.NotNull(result.Policy);
            Assert.Equal(data.Count, result.Policy.Files.Count);

            // The mounted folder itself loads each file once: the kubelet's hidden ..data entries are skipped.
            var folder = PolicyLoader.Load([volume.FullName]);
            Assert.True(folder.Errors.Count == 0, "the ConfigMap folder does not load:\n" + string.Join("\n", folder.Errors));
            Assert.Equal(data.Count(d => !PolicyFiles.IsTestFile(d.Key)), folder.Policy!.Files.Count);
        }
        finally
        {
            volume.Delete(recursive: true);
        }
    }
}
