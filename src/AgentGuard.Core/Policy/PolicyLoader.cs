using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using AgentGuard.Content;
using AgentGuard.Effects;
using AgentGuard.Oversight;
using YamlDotNet.RepresentationModel;

namespace AgentGuard.Policy;

/// <summary>
/// Loads policy YAML files, validates them and compiles them into one <see cref="PolicySet"/>.
/// Reports every error it finds, each with file, line and a fix, rather than stopping at the first.
/// </summary>
public static class PolicyLoader
{
    /// <summary>The asset that the loaded policy files themselves join, so writing them is guard tampering.</summary>
    public const string GuardConfigAsset = "guard-config";

    private const int MaxAssets = 64;

    /// <summary>Loads the policy files under <paramref name="paths"/> (files or folders; <c>*.tests.yaml</c> files are skipped).</summary>
    /// <param name="paths">
    /// Policy files or folders. Each joins the <c>guard-config</c> asset: a folder itself and
    /// everything under it, a file with the <c>*.tests.yaml</c> beside it, and through a symlink
    /// what it leads to.
    /// </param>
    /// <param name="guardFiles">
    /// Further files and folders of the guard's own (its configuration, its audit log, its signing
    /// key) that join the <c>guard-config</c> asset; a folder (one that exists, or a path ending in a
    /// separator) joins with everything under it.
    /// </param>
    public static PolicyLoadResult Load(IEnumerable<string> paths, IEnumerable<string>? guardFiles = null)
        => Load(PolicySources.Read(paths), guardFiles);

    /// <summary>Compiles policy files already read (see <see cref="Load(IEnumerable{string}, IEnumerable{string}?)"/>).</summary>
    public static PolicyLoadResult Load(PolicySources sources, IEnumerable<string>? guardFiles = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        if (sources.Errors.Count > 0)
        {
            return new PolicyLoadResult(null, sources.Errors);
        }

        var guardResources = new List<string>();
        foreach (var (file, _) in sources.Files)
        {
            AddGuardPath(guardResources, file, folder: false);
        }

        // The folders and files the user gave, whatever their names: a new file in a watched folder
        // is loaded on the next reload, and the tests next to a policy say what it must decide.
        foreach (var path in sources.Paths)
        {
            var full = Path.GetFullPath(path);
            if (Directory.Exists(full))
            {
                AddGuardPath(guardResources, full, folder: true);
            }
            else
            {
                var stem = Path.Combine(Path.GetDirectoryName(full) ?? "/", Path.GetFileNameWithoutExtension(full));
                AddGuardPath(guardResources, stem + ".tests.yaml", folder: false);
                AddGuardPath(guardResources, stem + ".tests.yml", folder: false);
            }
        }

        foreach (var file in guardFiles ?? [])
        {
            AddGuardPath(guardResources, Path.GetFullPath(file), Path.EndsInDirectorySeparator(file) || Directory.Exists(file));
        }

        return Compile(sources.Files, guardResources);
    }

    /// <summary>Adds a guard file (and the file a symlink leads to), or a folder itself and everything under it.</summary>
    private static void AddGuardPath(List<string> resources, string path, bool folder)
    {
        var literal = GlobLiteral(ResourceCanonicalizer.Canonicalize(path, out _) ?? path);
        if (literal.Length > "file:///".Length && literal.EndsWith('/'))
        {
            literal = literal[..^1];
        }

        resources.Add(literal);
        if (folder)
        {
            resources.Add(literal + "/**");
        }

        // Through a symlink (a ConfigMap's FILE -> ..data/FILE, a folder that links to a release),
        // the file that is really read can be written by its own name too.
        if (PolicyFiles.RealPath(path) is { } real && real != Path.TrimEndingDirectorySeparator(path))
        {
            AddGuardPath(resources, real, folder);
        }
    }

    /// <summary>Compiles policy sources held in memory (path, YAML text).</summary>
    public static PolicyLoadResult Compile(IReadOnlyList<(string Path, string Text)> sources, IReadOnlyList<string>? guardResources = null)
    {
        var errors = new List<PolicyError>();
        var builder = new Builder(errors);
        foreach (var (path, text) in sources)
        {
            var (file, root) = YamlFile.Parse(path, text, errors);
            if (root is not null)
            {
                builder.Read(file, root);
            }
        }

        var policy = builder.Build(sources, guardResources ?? []);
        return errors.Count == 0 ? new PolicyLoadResult(policy, errors) : new PolicyLoadResult(null, errors);
    }

    private static string GlobLiteral(string value)
    {
        var escaped = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c is '*' or '?' or '{' or '}' or ',' or '\\')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }

    private sealed class Builder(List<PolicyError> errors)
    {
        private readonly List<(string Name, string? Description, List<string> Resources, bool CaseInsensitive, List<ModelFormat>? Formats)> _assets = [];
        private readonly List<(YamlFile File, YamlNode Node, string Name, List<string> Resources, List<ModelFormat>? Formats)> _extensions = [];
        private readonly Dictionary<string, EffectTemplate[]> _tools = new(StringComparer.OrdinalIgnoreCase);
        private readonly List<(YamlFile File, YamlMappingNode Node)> _rules = [];
        private readonly OversightPolicyLoader _oversight = new(errors);
        private readonly List<string> _canaries = [];
        private DecisionKind? _default;
        private DecisionKind? _canaryDecision;
        private bool? _strict;

        public void Read(YamlFile file, YamlMappingNode root)
        {
            foreach (var (key, keyNode, value) in file.Entries(root, "policy", "version", "default", "strict", "assets", "canaries", "tools", "rules", "oversight"))
            {
                switch (key)
                {
                    case "version":
                        if (file.Scalar(value, "version") is { } version && version != "1")
                        {
                            file.Error(value, $"version is '{version}'; this guard reads version 1");
                        }

                        break;
                    case "default":
                        if (file.Scalar(value, "default") is { } decision && ParseDecision(file, value, decision, "default") is { } parsed)
                        {
                            if (_default is not null && _default != parsed)
                            {
                                file.Error(value, "default is set differently in another policy file; set it in one file only");
                            }

                            _default = parsed;
                        }

                        break;
                    case "strict":
                        if (file.Boolean(value, "strict") is { } strict)
                        {
                            if (_strict is not null && _strict != strict)
                            {
                                file.Error(value, "strict is set differently in another policy file; set it in one file only");
                            }

                            _strict = strict;
                        }

                        break;
                    case "assets":
                        ReadAssets(file, value);
                        break;
                    case "canaries":
                        ReadCanaries(file, value);
                        break;
                    case "tools":
                        ReadTools(file, value);
                        break;
                    case "oversight":
                        _oversight.Read(file, value);
                        break;
                    case "rules":
                        if (value is YamlSequenceNode rules)
                        {
                            foreach (var rule in rules.Children)
                            {
                                if (rule is YamlMappingNode mapping)
                                {
                                    _rules.Add((file, mapping));
                                }
                                else
                                {
                                    file.Error(rule, "each rule must be a mapping with id, when, decision");
                                }
                            }
                        }
                        else
                        {
                            file.Error(value, "rules must be a list");
                        }

                        break;
                }
            }
        }

        public PolicySet? Build(IReadOnlyList<(string Path, string Text)> sources, IReadOnlyList<string> guardResources)
        {
            var oversight = _oversight.Build();
            foreach (var (file, node, name, resources, formats) in _extensions)
            {
                var index = _assets.FindIndex(a => a.Name == name);
                if (index < 0)
                {
                    file.Error(node, $"asset '{name}' extends no asset of that name; define it in a policy file, or drop 'extends'");
                    continue;
                }

                var asset = _assets[index];
                asset.Resources.AddRange(resources);
                if (formats is { Count: > 0 })
                {
                    _assets[index] = asset with { Formats = [.. asset.Formats ?? [], .. formats] };
                }
            }

            if (_canaries.Count > 0 && _assets.Exists(a => a.Name == PolicySet.CanaryAsset))
            {
                errors.Add(new PolicyError(sources.Count > 0 ? sources[0].Path : string.Empty, 0, $"asset '{PolicySet.CanaryAsset}' is the one the canaries: section declares; list decoys there or rename the asset"));
            }
            else if (_canaries.Count > 0)
            {
                // Decoys are named like what they imitate, in any case the agent might type.
                _assets.Add((PolicySet.CanaryAsset, "Decoys no honest task touches (the canaries: section).", _canaries, true, null));
            }

            var assetIndex = new Dictionary<string, int>(StringComparer.Ordinal);
            var assets = new List<Asset>();
            foreach (var (name, description, resources, caseInsensitive, formats) in _assets)
            {
                if (name == GuardConfigAsset)
                {
                    resources.AddRange(guardResources);

                    // An agent that rewrites an answer key rewrites what its evaluations are checked against.
                    foreach (var key in _oversight.AnswerKeyFiles)
                    {
                        AddGuardPath(resources, key, folder: false);
                    }
                }

                assetIndex[name] = assets.Count;
                assets.Add(new Asset(name, description, resources, caseInsensitive, formats));
            }

            var rules = new List<Rule>();
            var ids = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (file, node) in _rules)
            {
                var rule = ReadRule(file, node, assetIndex, ids);
                if (rule is not null)
                {
                    rules.Add(rule);
                }
            }

            if (errors.Count > 0)
            {
                return null;
            }

            var hash = new StringBuilder();
            foreach (var (path, text) in sources)
            {
                hash.Append(path).Append('\0').Append(text).Append('\0');
            }

            foreach (var (path, text) in _oversight.AnswerKeyTexts)
            {
                hash.Append(path).Append('\0').Append(text).Append('\0');
            }

            var version = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(hash.ToString())))[..12];
            var files = new List<string>(sources.Count);
            foreach (var (path, _) in sources)
            {
                files.Add(path);
            }

            return new PolicySet(
                [.. assets],
                _tools.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase),
                [.. rules],
                _default ?? DecisionKind.Allow,
                _strict ?? false,
                version,
                files,
                oversight,
                _canaryDecision ?? DecisionKind.Allow);
        }

        private void ReadCanaries(YamlFile file, YamlNode node)
        {
            if (node is not YamlMappingNode mapping)
            {
                file.Error(node, "canaries must be a mapping with 'resources' (and optionally 'decision')");
                return;
            }

            foreach (var (key, _, value) in file.Entries(mapping, "canaries", "decision", "resources"))
            {
                switch (key)
                {
                    case "decision":
                        if (file.Scalar(value, "canaries decision") is { } text && ParseDecision(file, value, text, "canaries decision") is { } decision)
                        {
                            if (_canaryDecision is not null && _canaryDecision != decision)
                            {
                                file.Error(value, "canaries decision is set differently in another policy file; set it in one file only");
                            }

                            _canaryDecision = decision;
                        }

                        break;
                    case "resources":
                        foreach (var (glob, globNode) in file.List(value, "canaries resources") ?? [])
                        {
                            if (Glob.Validate(glob) is { } error)
                            {
                                file.Error(globNode, $"canary '{glob}': {error}");
                            }
                            else
                            {
                                _canaries.Add(glob);
                            }
                        }

                        break;
                }
            }
        }

        private void ReadAssets(YamlFile file, YamlNode node)
        {
            if (node is not YamlMappingNode mapping)
            {
                file.Error(node, "assets must be a mapping of asset name to its resources");
                return;
            }

            foreach (var (name, keyNode, value) in file.Entries(mapping, "assets"))
            {
                if (value is YamlMappingNode extension && Extends(file, extension))
                {
                    ReadExtension(file, keyNode, name, extension);
                    continue;
                }

                if (_assets.Exists(a => a.Name == name))
                {
                    file.Error(keyNode, $"asset '{name}' is defined twice");
                    continue;
                }


                if (_assets.Count == MaxAssets - 1)
                {
                    file.Error(keyNode, $"more than {MaxAssets - 1} assets (one bit is the canaries'); merge some");
                    continue;
                }

                if (value is not YamlMappingNode body)
                {
                    file.Error(value, $"asset '{name}' must be a mapping with 'resources'");
                    continue;
                }

                string? description = null;
                var caseInsensitive = false;
                List<string>? resources = null;
                List<ModelFormat>? formats = null;
                foreach (var (key, _, item) in file.Entries(body, $"asset '{name}'", "description", "case_insensitive", "resources", "formats"))
                {
                    switch (key)
                    {
                        case "description":
                            description = file.Scalar(item, "description");
                            break;
                        case "case_insensitive":
                            caseInsensitive = file.Boolean(item, "case_insensitive") ?? false;
                            break;
                        case "resources":
                            resources = [];
                            foreach (var (glob, globNode) in file.List(item, $"asset '{name}' resources") ?? [])
                            {
                                if (Glob.Validate(glob) is { } error)
                                {
                                    file.Error(globNode, $"asset '{name}': resource pattern '{glob}': {error}");
                                }
                                else
                                {
                                    resources.Add(glob);
                                }
                            }

                            break;
                        case "formats":
                            formats = ReadFormats(file, item, name);
                            break;
                    }
                }

                if (resources is null || resources.Count == 0)
                {
                    file.Error(keyNode, $"asset '{name}' has no resources; add 'resources:' with globs such as '**/*.safetensors'");
                    continue;
                }

                _assets.Add((name, description, resources, caseInsensitive, formats));
            }
        }

        private static bool Extends(YamlFile file, YamlMappingNode body)
        {
            foreach (var (key, value) in body.Children)
            {
                if (key is YamlScalarNode { Value: "extends" })
                {
                    return file.Boolean(value, "extends") ?? false;
                }
            }

            return false;
        }

        /// <summary>
        /// Reads <c>extends: true</c> with more resources and formats for an asset defined in any
        /// policy file, so that a team lists its own stores beside the shipped policy without editing it.
        /// </summary>
        private void ReadExtension(YamlFile file, YamlNode keyNode, string name, YamlMappingNode body)
        {
            var resources = new List<string>();
            List<ModelFormat>? formats = null;
            foreach (var (key, _, item) in file.Entries(body, $"asset '{name}' (extends)", "extends", "resources", "formats"))
            {
                switch (key)
                {
                    case "resources":
                        foreach (var (glob, globNode) in file.List(item, $"asset '{name}' resources") ?? [])
                        {
                            if (Glob.Validate(glob) is { } error)
                            {
                                file.Error(globNode, $"asset '{name}': resource pattern '{glob}': {error}");
                            }
                            else
                            {
                                resources.Add(glob);
                            }
                        }

                        break;
                    case "formats":
                        formats = ReadFormats(file, item, name);
                        break;
                }
            }

            if (resources.Count == 0 && formats is not { Count: > 0 })
            {
                file.Error(keyNode, $"asset '{name}' extends its asset with nothing; add 'resources:' or 'formats:'");
                return;
            }

            _extensions.Add((file, keyNode, name, resources, formats));
        }

        /// <summary>Reads an asset's <c>formats: [safetensors, gguf]</c>: content recognised as one of them is in the asset.</summary>
        private static List<ModelFormat> ReadFormats(YamlFile file, YamlNode node, string asset)
        {
            var formats = new List<ModelFormat>();
            foreach (var (name, item) in file.List(node, $"asset '{asset}' formats") ?? [])
            {
                if (ModelFormats.TryParse(name, out var format))
                {
                    formats.Add(format);
                }
                else
                {
                    file.Error(item, $"asset '{asset}': format '{name}' is unknown; use one of: {string.Join(", ", ModelFormats.Names)}");
                }
            }

            return formats;
        }

        private void ReadTools(YamlFile file, YamlNode node)
        {
            if (node is not YamlMappingNode mapping)
            {
                file.Error(node, "tools must be a mapping of tool name to its effects");
                return;
            }

            foreach (var (name, keyNode, value) in file.Entries(mapping, "tools"))
            {
                if (_tools.ContainsKey(name))
                {
                    file.Error(keyNode, $"tool '{name}' is mapped twice (tool names match regardless of case)");
                    continue;
                }

                var items = value switch
                {
                    YamlSequenceNode sequence => sequence.Children,
                    YamlMappingNode single => [single],
                    _ => null,
                };
                if (items is null)
                {
                    file.Error(value, $"tool '{name}' must be an effect or a list of effects ({{kind, resource}})");
                    continue;
                }

                var templates = new List<EffectTemplate>();
                foreach (var item in items)
                {
                    var template = ReadEffect(file, item, name);
                    if (template is not null)
                    {
                        templates.Add(template);
                    }
                }

                _tools[name] = [.. templates];
            }
        }

        private static EffectTemplate? ReadEffect(YamlFile file, YamlNode node, string tool)
        {
            var where = $"tool '{tool}' effect";
            if (node is not YamlMappingNode mapping)
            {
                file.Error(node, $"{where} must be a mapping with kind and resource");
                return null;
            }

            foreach (var (entryKey, entryValue) in mapping.Children)
            {
                if (entryKey is YamlScalarNode { Value: "kind" } && entryValue is YamlScalarNode { Value: "shell" })
                {
                    return ReadShell(file, mapping, tool);
                }
            }

            EffectKind? kind = null;
            ArgumentTemplate? resource = null, destination = null, value = null, content = null;
            ContentEncoding? encoding = null;
            YamlNode? encodingNode = null;
            var ok = true;
            foreach (var (key, _, item) in file.Entries(mapping, where, "kind", "resource", "destination", "value", "content", "encoding"))
            {
                var text = file.Scalar(item, $"{where} {key}");
                if (text is null)
                {
                    ok = false;
                    continue;
                }

                if (key == "kind")
                {
                    if (EffectKinds.TryParse(text, out var parsed))
                    {
                        kind = parsed;
                    }
                    else
                    {
                        file.Error(item, $"{where}: kind '{text}' is unknown; use one of: {string.Join(", ", EffectKinds.Names)}, shell");
                        ok = false;
                    }

                    continue;
                }

                if (key == "encoding")
                {
                    encodingNode = item;
                    var index = Array.IndexOf(ContentTemplate.EncodingNames, text);
                    if (index < 0)
                    {
                        file.Error(item, $"{where}: encoding '{text}' is unknown; use one of: {string.Join(", ", ContentTemplate.EncodingNames)}");
                        ok = false;
                    }

                    encoding = (ContentEncoding)Math.Max(index, 0);
                    continue;
                }

                var template = ArgumentTemplate.Parse(text, out var error);
                if (template is null)
                {
                    file.Error(item, $"{where} {key}: {error}");
                    ok = false;
                    continue;
                }

                switch (key)
                {
                    case "resource": resource = template; break;
                    case "destination": destination = template; break;
                    case "value": value = template; break;
                    case "content":
                        content = template;
                        if (!template.IsSinglePlaceholder)
                        {
                            file.Error(item, $"{where} content: '{text}' is not one argument; name the argument that holds the file content, e.g. \"{{content}}\"");
                            ok = false;
                        }

                        break;
                }
            }

            if (kind is null || resource is null)
            {
                if (ok)
                {
                    file.Error(node, $"{where} needs both 'kind' and 'resource'");
                }

                return null;
            }

            if (destination is not null && kind is not (EffectKind.Copy or EffectKind.Move or EffectKind.Egress))
            {
                file.Error(node, $"{where}: only copy, move and egress effects have a destination");
                return null;
            }

            if (content is not null && kind is not (EffectKind.Write or EffectKind.Egress))
            {
                file.Error(node, $"{where}: only write and egress effects carry content");
                return null;
            }

            if (encodingNode is not null && content is null)
            {
                file.Error(encodingNode, $"{where}: encoding says how 'content' is carried; add content: \"{{argument}}\" or remove encoding");
                return null;
            }

            return ok
                ? new EffectTemplate(kind.Value, resource, destination, value) { Content = content is null ? null : new ContentTemplate(content, encoding ?? ContentEncoding.Auto) }
                : null;
        }

        /// <summary>Reads <c>{ kind: shell, command: [command, cmd], host: "", cwd: "{cwd|}" }</c>.</summary>
        private static EffectTemplate? ReadShell(YamlFile file, YamlMappingNode mapping, string tool)
        {
            var where = $"tool '{tool}' shell effect";
            List<string>? commands = null;
            ArgumentTemplate? host = null, cwd = null;
            var ok = true;
            foreach (var (key, _, item) in file.Entries(mapping, where, "kind", "command", "host", "cwd"))
            {
                switch (key)
                {
                    case "command":
                        commands = [];
                        foreach (var (name, node) in file.List(item, $"{where} command") ?? [])
                        {
                            if (ShellTemplate.ValidateArgumentName(name) is { } error)
                            {
                                file.Error(node, $"{where} command: {error}; list the argument names that may hold the command, e.g. [command, cmd]");
                                ok = false;
                            }
                            else
                            {
                                commands.Add(name);
                            }
                        }

                        break;
                    case "host":
                    case "cwd":
                        if (file.Scalar(item, $"{where} {key}") is not { } text)
                        {
                            ok = false;
                            break;
                        }

                        var template = ArgumentTemplate.Parse(text, out var templateError);
                        if (template is null)
                        {
                            file.Error(item, $"{where} {key}: {templateError}");
                            ok = false;
                        }
                        else if (key == "host")
                        {
                            host = template;
                        }
                        else
                        {
                            cwd = template;
                        }

                        break;
                }
            }

            if (commands is null || (commands.Count == 0 && ok))
            {
                file.Error(mapping, $"{where} needs 'command': the argument names that may hold the command, e.g. [command, cmd]");
                return null;
            }

            return ok ? EffectTemplate.ForShell(new ShellTemplate(commands, host ?? ArgumentTemplate.Parse(string.Empty, out _)!, cwd)) : null;
        }

        private static Rule? ReadRule(YamlFile file, YamlMappingNode node, Dictionary<string, int> assets, HashSet<string> ids)
        {
            string? id = null, message = null;
            DecisionKind? decision = null;
            Finding? finding = null;
            YamlMappingNode? when = null;
            YamlNode? holdNode = null;
            foreach (var (key, _, value) in file.Entries(node, "rule", "id", "description", "when", "decision", "finding", "message", "hold"))
            {
                switch (key)
                {
                    case "hold":
                        holdNode = value;
                        break;
                    case "id":
                        id = file.Scalar(value, "rule id");
                        if (id is not null && !ids.Add(id))
                        {
                            file.Error(value, $"rule id '{id}' is used twice");
                        }

                        break;
                    case "message":
                        message = file.Scalar(value, "rule message");
                        break;
                    case "decision":
                        if (file.Scalar(value, "decision") is { } text)
                        {
                            decision = ParseDecision(file, value, text, "decision", allowHold: true);
                        }

                        break;
                    case "finding":
                        finding = ReadFinding(file, value);
                        break;
                    case "when":
                        when = value as YamlMappingNode;
                        if (when is null)
                        {
                            file.Error(value, "'when' must be a mapping of conditions");
                        }

                        break;
                }
            }

            var label = id is null ? "rule" : $"rule '{id}'";
            if (id is null)
            {
                file.Error(node, "rule needs an 'id'");
            }

            if (decision is null)
            {
                file.Error(node, $"{label} needs a 'decision' (allow, flag, hold or deny)");
            }
            else if (decision != DecisionKind.Allow && finding is null)
            {
                file.Error(node, $"{label} denies, holds or flags, so it needs a 'finding' (category and severity)");
            }

            HoldTerms? hold = null;
            if (holdNode is not null)
            {
                hold = HoldTermsReader.Read(file, holdNode, label);
                if (decision is { } decided && decided != DecisionKind.Hold)
                {
                    file.Error(holdNode, $"{label} has 'hold' terms but decides {PolicyTestRunner.Name(decided)}; use 'decision: hold' or remove 'hold'");
                }
            }
            else if (decision == DecisionKind.Hold)
            {
                hold = HoldTerms.Default;
            }

            if (id is null || decision is null || when is null)
            {
                if (when is null && id is not null)
                {
                    file.Error(node, $"{label} needs 'when' conditions");
                }

                return null;
            }

            return ReadConditions(file, when, label, id, decision.Value, finding, message, decision == DecisionKind.Hold ? hold : null, assets);
        }

        private static Rule? ReadConditions(
            YamlFile file, YamlMappingNode when, string label, string id, DecisionKind decision, Finding? finding, string? message, HoldTerms? hold, Dictionary<string, int> assets)
        {
            NameMatcher? tools = null, methods = null, agents = null, roles = null;
            bool? unmapped = null, crossesHost = null, opaque = null;
            Regex? argumentsMatch = null, valueMatches = null;
            var kinds = 0;
            ulong assetMask = 0, assetNotMask = 0, destinationMask = 0, destinationNotMask = 0;
            string[]? valueIn = null, valueNotIn = null;
            var ok = true;

            foreach (var (key, _, value) in file.Entries(
                when, $"{label} when", "tool", "method", "agent", "role", "unmapped", "arguments_match",
                "kind", "asset", "asset_not", "destination_asset", "destination_asset_not", "crosses_host", "opaque", "value_in", "value_not_in", "value_matches"))
            {
                switch (key)
                {
                    case "tool": tools = Names(file, value, $"{label} tool", ref ok); break;
                    case "method": methods = Names(file, value, $"{label} method", ref ok); break;
                    case "agent": agents = Names(file, value, $"{label} agent", ref ok); break;
                    case "role": roles = Names(file, value, $"{label} role", ref ok); break;
                    case "unmapped": unmapped = file.Boolean(value, $"{label} unmapped"); ok &= unmapped is not null; break;
                    case "crosses_host": crossesHost = file.Boolean(value, $"{label} crosses_host"); ok &= crossesHost is not null; break;
                    case "opaque": opaque = file.Boolean(value, $"{label} opaque"); ok &= opaque is not null; break;
                    case "arguments_match": argumentsMatch = Pattern(file, value, $"{label} arguments_match", ref ok); break;
                    case "value_matches": valueMatches = Pattern(file, value, $"{label} value_matches", ref ok); break;
                    case "value_in": valueIn = Values(file, value, $"{label} value_in", ref ok); break;
                    case "value_not_in": valueNotIn = Values(file, value, $"{label} value_not_in", ref ok); break;
                    case "kind":
                        foreach (var (name, node) in file.List(value, $"{label} kind") ?? [])
                        {
                            if (EffectKinds.TryParse(name, out var kind))
                            {
                                kinds |= 1 << (int)kind;
                            }
                            else
                            {
                                file.Error(node, $"{label}: kind '{name}' is unknown; use one of: {string.Join(", ", EffectKinds.Names)}");
                                ok = false;
                            }
                        }

                        break;
                    case "asset": assetMask = AssetMask(file, value, $"{label} asset", assets, ref ok); break;
                    case "asset_not": assetNotMask = AssetMask(file, value, $"{label} asset_not", assets, ref ok); break;
                    case "destination_asset": destinationMask = AssetMask(file, value, $"{label} destination_asset", assets, ref ok); break;
                    case "destination_asset_not": destinationNotMask = AssetMask(file, value, $"{label} destination_asset_not", assets, ref ok); break;
                }
            }

            if (!ok)
            {
                return null;
            }

            return new Rule
            {
                Id = id,
                Decision = decision,
                Finding = finding,
                Message = message,
                Hold = hold,
                Tools = tools,
                Methods = methods,
                Agents = agents,
                Roles = roles,
                Unmapped = unmapped,
                ArgumentsMatch = argumentsMatch,
                Kinds = kinds,
                Assets = assetMask,
                AssetsNot = assetNotMask,
                DestinationAssets = destinationMask,
                DestinationAssetsNot = destinationNotMask,
                CrossesHost = crossesHost,
                Opaque = opaque,
                ValueIn = valueIn,
                ValueNotIn = valueNotIn,
                ValueMatches = valueMatches,
            };
        }

        private static NameMatcher? Names(YamlFile file, YamlNode node, string where, ref bool ok)
        {
            var values = new List<string>();
            foreach (var (value, item) in file.List(node, where) ?? [])
            {
                if (Glob.Validate(value) is { } error)
                {
                    file.Error(item, $"{where} '{value}': {error}");
                    ok = false;
                }
                else
                {
                    values.Add(value);
                }
            }

            return values.Count > 0 ? new NameMatcher(values) : null;
        }

        private static string[]? Values(YamlFile file, YamlNode node, string where, ref bool ok)
        {
            var list = file.List(node, where);
            if (list is null)
            {
                ok = false;
                return null;
            }

            return list.ConvertAll(v => v.Value).ToArray();
        }

        private static Regex? Pattern(YamlFile file, YamlNode node, string where, ref bool ok)
        {
            var text = file.Scalar(node, where);
            if (text is null)
            {
                ok = false;
                return null;
            }

            try
            {
                // Non-backtracking keeps matching linear in the size of what an agent sends, so no
                // timeout is needed (one would only turn a slow first match, while the engine builds
                // its automaton on a busy machine, into a spurious denial).
                return new Regex(text, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
            {
                file.Error(node, $"{where} is not a usable regular expression: {ex.Message}");
                ok = false;
                return null;
            }
        }

        private static ulong AssetMask(YamlFile file, YamlNode node, string where, Dictionary<string, int> assets, ref bool ok)
        {
            ulong mask = 0;
            foreach (var (name, item) in file.List(node, where) ?? [])
            {
                if (assets.TryGetValue(name, out var index))
                {
                    mask |= 1UL << index;
                }
                else
                {
                    file.Error(item, $"{where}: no asset is named '{name}'; defined assets: {string.Join(", ", assets.Keys)}");
                    ok = false;
                }
            }

            return mask;
        }

        private static Finding? ReadFinding(YamlFile file, YamlNode node)
        {
            if (node is not YamlMappingNode mapping)
            {
                file.Error(node, "finding must be a mapping with category and severity");
                return null;
            }

            string? category = null;
            var severity = Severity.Medium;
            foreach (var (key, _, value) in file.Entries(mapping, "finding", "category", "severity"))
            {
                var text = file.Scalar(value, $"finding {key}");
                if (text is null)
                {
                    continue;
                }

                if (key == "category")
                {
                    category = text;
                }
                else if (!Enum.TryParse(text, ignoreCase: true, out severity) || !Enum.GetNames<Severity>().Contains(text, StringComparer.OrdinalIgnoreCase))
                {
                    file.Error(value, $"severity '{text}' is unknown; use info, low, medium, high or critical");
                }
            }

            if (category is null)
            {
                file.Error(node, "finding needs a 'category', e.g. shutdown-tampering");
                return null;
            }

            return new Finding(category, severity);
        }

        /// <param name="allowHold">Whether <c>hold</c> may be given: by a rule, not as the policy's default or the canaries' decision (a person cannot look at every call).</param>
        private static DecisionKind? ParseDecision(YamlFile file, YamlNode node, string text, string where, bool allowHold = false)
        {
            switch (text)
            {
                case "allow": return DecisionKind.Allow;
                case "flag": return DecisionKind.Flag;
                case "deny": return DecisionKind.Deny;
                case "hold" when allowHold: return DecisionKind.Hold;
                case "hold":
                    file.Error(node, $"{where} 'hold' is for rules only (a person cannot review every call); use allow, flag or deny");
                    return null;
                default:
                    file.Error(node, $"{where} '{text}' is unknown; use {(allowHold ? "allow, flag, hold or deny" : "allow, flag or deny")}");
                    return null;
            }
        }
    }
}
