using System.Globalization;
using System.Text.Json;
using AgentGuard.Effects;
using AgentGuard.Protocols;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AgentGuard.Policy;

/// <summary>Reads policy test files (<c>*.tests.yaml</c>) and runs their cases against a policy.</summary>
public static class PolicyTestRunner
{
    /// <summary>The agent a case runs as when it names none.</summary>
    public static readonly Agent DefaultAgent = new("test-agent", "agent");

    /// <summary>Reads the cases in <paramref name="files"/>; malformed cases are reported in <paramref name="errors"/>.</summary>
    public static List<PolicyTestCase> ReadCases(IEnumerable<string> files, List<PolicyError> errors)
    {
        var cases = new List<PolicyTestCase>();
        foreach (var path in files)
        {
            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                errors.Add(new PolicyError(path, 0, "cannot be read: " + ex.Message));
                continue;
            }

            var (file, root) = YamlFile.Parse(path, text, errors);
            if (root is null)
            {
                continue;
            }

            foreach (var (_, _, value) in file.Entries(root, "test file", "cases"))
            {
                if (value is not YamlSequenceNode sequence)
                {
                    file.Error(value, "cases must be a list");
                    continue;
                }

                foreach (var item in sequence.Children)
                {
                    var testCase = ReadCase(file, item);
                    if (testCase is not null)
                    {
                        cases.Add(testCase);
                    }
                }
            }
        }

        return cases;
    }

    /// <summary>Runs <paramref name="cases"/>; returns a description of each failure.</summary>
    public static List<string> Run(PolicySet policy, IEnumerable<PolicyTestCase> cases, out int passed)
    {
        var failures = new List<string>();
        passed = 0;
        foreach (var testCase in cases)
        {
            var decision = PolicyEngine.Decide(policy, testCase.Call);
            var problems = new List<string>();
            if (decision.Kind != testCase.Decision)
            {
                problems.Add($"decision {Name(decision.Kind)}, expected {Name(testCase.Decision)}");
            }

            if (testCase.CheckFinding && decision.Finding?.Category != testCase.Finding)
            {
                problems.Add($"finding {decision.Finding?.Category ?? "none"}, expected {testCase.Finding ?? "none"}");
            }

            if (testCase.RuleId is not null && decision.RuleId != testCase.RuleId)
            {
                problems.Add($"rule {decision.RuleId}, expected {testCase.RuleId}");
            }

            if (testCase.Effects is { } expected)
            {
                CompareEffects(expected, testCase.EffectsExact, decision.Effects, problems);
            }

            if (problems.Count == 0)
            {
                passed++;
                continue;
            }

            var effects = decision.Effects.Count == 0 ? "no effects" : string.Join("; ", decision.Effects.Select(Describe));
            failures.Add($"{testCase.File}:{testCase.Line}: {testCase.Name}: {string.Join(", ", problems)} (rule {decision.RuleId}; {effects})");
        }

        return failures;
    }

    /// <summary>An effect as the runner and <c>policy explain</c> print it: kind, resource, destination and flags.</summary>
    public static string Describe(Effect effect)
    {
        var text = EffectKinds.Name(effect.Kind) + " " + effect.Resource;
        if (effect.Destination is not null)
        {
            text += " -> " + effect.Destination;
        }

        if (effect.Flags != EffectFlags.None)
        {
            text += " [" + Flags(effect.Flags) + "]";
        }

        return text;
    }

    /// <summary>The flags as the policy writes them: <c>pattern</c>, <c>destination-pattern</c>, <c>opaque</c>.</summary>
    public static string Flags(EffectFlags flags)
    {
        var names = new List<string>(3);
        if ((flags & EffectFlags.ResourcePattern) != 0)
        {
            names.Add("pattern");
        }

        if ((flags & EffectFlags.DestinationPattern) != 0)
        {
            names.Add("destination-pattern");
        }

        if ((flags & EffectFlags.Opaque) != 0)
        {
            names.Add("opaque");
        }

        return string.Join(", ", names);
    }

    private static void CompareEffects(IReadOnlyList<ExpectedEffect> expected, bool exact, IReadOnlyList<Effect> actual, List<string> problems)
    {
        foreach (var effect in expected)
        {
            if (!actual.Any(effect.Matches))
            {
                problems.Add($"no effect {effect}");
            }
        }

        if (exact)
        {
            foreach (var effect in actual)
            {
                if (!expected.Any(e => e.Matches(effect)))
                {
                    problems.Add($"unexpected effect {Describe(effect)}");
                }
            }
        }
    }

    private static List<ExpectedEffect>? ReadEffects(YamlFile file, YamlNode node, string key, ref bool ok)
    {
        if (node is not YamlSequenceNode sequence)
        {
            file.Error(node, $"expect {key} must be a list of effects such as {{ kind: copy, resource: ..., destination: ... }}");
            ok = false;
            return null;
        }

        var effects = new List<ExpectedEffect>();
        foreach (var item in sequence.Children)
        {
            if (item is not YamlMappingNode mapping)
            {
                file.Error(item, $"each of expect {key} must be a mapping with kind and optionally resource, destination, opaque, pattern");
                ok = false;
                continue;
            }

            EffectKind? kind = null;
            string? resource = null, destination = null;
            bool? opaque = null, pattern = null;
            foreach (var (k, _, v) in file.Entries(mapping, $"expect {key} item", "kind", "resource", "destination", "opaque", "pattern"))
            {
                switch (k)
                {
                    case "kind":
                        var name = file.Scalar(v, "effect kind");
                        if (name is not null && EffectKinds.TryParse(name, out var parsed))
                        {
                            kind = parsed;
                        }
                        else
                        {
                            file.Error(v, $"effect kind '{name}' is unknown; use one of: {string.Join(", ", EffectKinds.Names)}");
                            ok = false;
                        }

                        break;
                    case "resource": resource = file.Scalar(v, "effect resource"); break;
                    case "destination": destination = file.Scalar(v, "effect destination"); break;
                    case "opaque": opaque = file.Boolean(v, "effect opaque"); ok &= opaque is not null; break;
                    case "pattern": pattern = file.Boolean(v, "effect pattern"); ok &= pattern is not null; break;
                }
            }

            if (kind is null)
            {
                if (ok)
                {
                    file.Error(mapping, $"each of expect {key} needs a 'kind'");
                }

                ok = false;
                continue;
            }

            effects.Add(new ExpectedEffect(kind.Value, resource, destination, opaque, pattern));
        }

        return effects;
    }

    /// <summary>The policy-file name of a decision.</summary>
    public static string Name(DecisionKind kind) => kind.ToString().ToLowerInvariant();

    private static PolicyTestCase? ReadCase(YamlFile file, YamlNode node)
    {
        if (node is not YamlMappingNode mapping)
        {
            file.Error(node, "each case must be a mapping with name, call and expect");
            return null;
        }

        string? name = null, tool = null, uri = null, finding = null, rule = null;
        var method = McpMethods.ToolsCall;
        var agent = DefaultAgent;
        JsonElement arguments = default;
        DecisionKind? decision = null;
        var checkFinding = false;
        List<ExpectedEffect>? effects = null;
        var exact = false;
        var ok = true;
        foreach (var (key, _, value) in file.Entries(mapping, "case", "name", "agent", "call", "expect"))
        {
            switch (key)
            {
                case "name":
                    name = file.Scalar(value, "case name");
                    break;
                case "agent" when value is YamlMappingNode agentNode:
                    string? id = null, role = null;
                    foreach (var (k, _, v) in file.Entries(agentNode, "case agent", "id", "role"))
                    {
                        if (k == "id") id = file.Scalar(v, "agent id"); else role = file.Scalar(v, "agent role");
                    }

                    agent = new Agent(id ?? DefaultAgent.Id, role ?? DefaultAgent.Role);
                    break;
                case "call" when value is YamlMappingNode call:
                    foreach (var (k, _, v) in file.Entries(call, "case call", "method", "tool", "arguments", "uri"))
                    {
                        switch (k)
                        {
                            case "method": method = file.Scalar(v, "call method") ?? method; break;
                            case "tool": tool = file.Scalar(v, "call tool"); break;
                            case "uri": uri = file.Scalar(v, "call uri"); break;
                            case "arguments":
                                if (v is YamlMappingNode)
                                {
                                    arguments = ToJson(v);
                                }
                                else
                                {
                                    file.Error(v, "call arguments must be a mapping");
                                    ok = false;
                                }

                                break;
                        }
                    }

                    break;
                case "expect" when value is YamlMappingNode expect:
                    foreach (var (k, _, v) in file.Entries(expect, "case expect", "decision", "finding", "rule", "effects", "only_effects"))
                    {
                        if (k is "effects" or "only_effects")
                        {
                            effects = ReadEffects(file, v, k, ref ok);
                            exact = k == "only_effects";
                            continue;
                        }

                        var text = file.Scalar(v, "expect " + k);
                        switch (k)
                        {
                            case "decision":
                                decision = text switch { "allow" => DecisionKind.Allow, "flag" => DecisionKind.Flag, "hold" => DecisionKind.Hold, "deny" => DecisionKind.Deny, _ => null };
                                if (decision is null)
                                {
                                    file.Error(v, $"expect decision '{text}' is unknown; use allow, flag, hold or deny");
                                    ok = false;
                                }

                                break;
                            case "finding":
                                checkFinding = true;
                                finding = text is "none" ? null : text;
                                break;
                            case "rule":
                                rule = text;
                                break;
                        }
                    }

                    break;
                default:
                    file.Error(value, $"case {key} must be a mapping");
                    ok = false;
                    break;
            }
        }

        if (name is null || decision is null || (method == McpMethods.ToolsCall && tool is null))
        {
            file.Error(node, "a case needs a name, a call (with a tool for tools/call) and an expected decision");
            return null;
        }

        return ok
            ? new PolicyTestCase(file.Path, YamlFile.Line(node), name, new ToolCall(agent, null, "mcp", method, tool, arguments, uri), decision.Value, finding, checkFinding, rule, effects, exact)
            : null;
    }

    /// <summary>Converts YAML to JSON the way a YAML 1.2 core-schema reader would: plain true, false, null and numbers keep their type.</summary>
    internal static JsonElement ToJson(YamlNode node)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(node, writer);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();

        static void Write(YamlNode node, Utf8JsonWriter writer)
        {
            switch (node)
            {
                case YamlMappingNode mapping:
                    writer.WriteStartObject();
                    foreach (var (key, value) in mapping.Children)
                    {
                        writer.WritePropertyName(((YamlScalarNode)key).Value ?? string.Empty);
                        Write(value, writer);
                    }

                    writer.WriteEndObject();
                    break;
                case YamlSequenceNode sequence:
                    writer.WriteStartArray();
                    foreach (var item in sequence.Children)
                    {
                        Write(item, writer);
                    }

                    writer.WriteEndArray();
                    break;
                case YamlScalarNode scalar:
                    var text = scalar.Value ?? string.Empty;
                    if (scalar.Style != ScalarStyle.Plain)
                    {
                        writer.WriteStringValue(text);
                    }
                    else if (text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
                    {
                        writer.WriteBooleanValue(text[0] is 't' or 'T');
                    }
                    else if (text is "null" or "~" or "")
                    {
                        writer.WriteNullValue();
                    }
                    else if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _) && (char.IsAsciiDigit(text[0]) || text[0] == '-') && !text.EndsWith('.'))
                    {
                        writer.WriteRawValue(text);
                    }
                    else
                    {
                        writer.WriteStringValue(text);
                    }

                    break;
            }
        }
    }
}
