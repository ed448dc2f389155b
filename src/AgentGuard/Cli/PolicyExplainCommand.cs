using System.CommandLine;
using System.Text;
using System.Text.Json;
using AgentGuard.Effects;
using AgentGuard.Policy;
using AgentGuard.Protocols;

namespace AgentGuard.Cli;

/// <summary>
/// <c>agentguard policy explain [--policy PATH]... CALL_JSON|-</c>: decides one tool call as the
/// guard would and prints its effects, every rule each effect met, and the decision, so that a
/// reviewer can see why a call was denied.
/// </summary>
internal static class PolicyExplainCommand
{
    private const string CallShape = """{"tool":"bash","arguments":{"command":"..."}} (optionally "agent":{"id":...,"role":...}; or "method" and "uri"; or a JSON-RPC tools/call body)""";

    public static Command Create()
    {
        var call = new Argument<string>("call") { Description = "The tool call as JSON, e.g. " + CallShape + "; '-' reads it from standard input." };
        var policy = new Option<string[]>("--policy") { Description = "Policy file or folder (repeatable). Default: the shipped policies.", Arity = ArgumentArity.ZeroOrMore };
        var json = new Option<bool>("--json") { Description = "Print the explanation as one JSON object." };
        var explain = new Command("explain", "Decide one tool call and print its effects, the rules each matched, and the decision.") { call, policy, json };
        explain.SetAction(parse =>
        {
            var paths = parse.GetValue(policy) is { Length: > 0 } given ? given : [GuardConfiguration.ShippedPolicies];
            var loaded = PolicyLoader.Load(paths);
            if (loaded.Policy is not { } set)
            {
                foreach (var error in loaded.Errors)
                {
                    Console.Error.WriteLine(error);
                }

                return 1;
            }

            var text = parse.GetValue(call)!;
            if (text == "-")
            {
                text = Console.In.ReadToEnd();
            }

            var toolCall = ReadCall(text, out var problem);
            if (toolCall is null)
            {
                Console.Error.WriteLine($"agentguard: the call is not usable: {problem}. Give it as {CallShape}.");
                return 1;
            }

            var explanation = PolicyExplainer.Explain(set, toolCall);
            if (parse.GetValue(json))
            {
                WriteJson(explanation, toolCall, set);
            }
            else
            {
                WriteText(explanation, toolCall, set);
            }

            return 0;
        });
        return explain;
    }

    /// <summary>Reads a call: <c>{"tool", "arguments", "agent", "method", "uri"}</c>, or a JSON-RPC request whose params hold name and arguments.</summary>
    internal static ToolCall? ReadCall(string text, out string? problem)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            problem = "not JSON (" + ex.Message + ")";
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problem = "not a JSON object";
                return null;
            }

            var method = McpMethods.ToolsCall;
            string? tool = null, uri = null;
            JsonElement arguments = default;
            var agent = PolicyTestRunner.DefaultAgent;
            var body = root;
            if (root.TryGetProperty("jsonrpc", out _))
            {
                method = root.TryGetProperty("method", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : method;
                body = root.TryGetProperty("params", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
                if (body.ValueKind == JsonValueKind.Object && body.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String)
                {
                    tool = n.GetString();
                }
            }

            if (body.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in body.EnumerateObject())
                {
                    switch (property.Name)
                    {
                        case "tool" when property.Value.ValueKind == JsonValueKind.String:
                            tool = property.Value.GetString();
                            break;
                        case "method" when property.Value.ValueKind == JsonValueKind.String:
                            method = property.Value.GetString()!;
                            break;
                        case "uri" when property.Value.ValueKind == JsonValueKind.String:
                            uri = property.Value.GetString();
                            break;
                        case "arguments":
                            if (property.Value.ValueKind != JsonValueKind.Object)
                            {
                                problem = "'arguments' is not a JSON object";
                                return null;
                            }

                            arguments = property.Value.Clone();
                            break;
                        case "agent" when property.Value.ValueKind == JsonValueKind.String:
                            agent = agent with { Id = property.Value.GetString()! };
                            break;
                        case "agent" when property.Value.ValueKind == JsonValueKind.Object:
                            if (property.Value.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                            {
                                agent = agent with { Id = id.GetString()! };
                            }

                            if (property.Value.TryGetProperty("role", out var agentRole) && agentRole.ValueKind == JsonValueKind.String)
                            {
                                agent = agent with { Role = agentRole.GetString()! };
                            }

                            break;
                        case "role" when property.Value.ValueKind == JsonValueKind.String:
                            agent = agent with { Role = property.Value.GetString()! };
                            break;
                    }
                }
            }

            if (method == McpMethods.ToolsCall && tool is null)
            {
                problem = "it names no tool";
                return null;
            }

            problem = null;
            var resourceUri = uri ?? (method != McpMethods.ToolsCall && arguments.ValueKind == JsonValueKind.Object && arguments.TryGetProperty("uri", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null);
            return new ToolCall(agent, null, "mcp", method, method == McpMethods.ToolsCall ? tool : null, arguments, resourceUri);
        }
    }

    private static void WriteText(PolicyExplanation explanation, ToolCall call, PolicySet policy)
    {
        var output = new StringBuilder();
        output.Append("call:     ").Append(call.Method == McpMethods.ToolsCall ? call.Tool : call.Method)
            .Append(" as ").Append(call.Agent.Id).Append(" (").Append(call.Agent.Role).Append(')')
            .Append(explanation.Unmapped ? ", no mapping describes this tool" : string.Empty).AppendLine();
        output.Append("policy:   ").Append(policy.Version).AppendLine();
        output.AppendLine(explanation.Effects.Count == 0 ? "effects:  none" : "effects:");
        for (var i = 0; i < explanation.Effects.Count; i++)
        {
            var effect = explanation.Effects[i];
            output.Append("  ").Append(i + 1).Append(". ").AppendLine(PolicyTestRunner.Describe(effect.Effect));
            if (effect.Effect.Value is { } value)
            {
                output.Append("       value:  ").AppendLine(OneLine(value));
            }

            if (effect.Effect.Format is { } format)
            {
                output.Append("       content: ").Append(Content.ModelFormats.Name(format)).AppendLine(" (recognised by its bytes)");
            }

            output.Append("       assets: ").AppendLine(effect.Assets.Count == 0 ? "none" : string.Join(", ", effect.Assets));
            if (effect.DestinationAssets.Count > 0)
            {
                output.Append("       destination assets: ").AppendLine(string.Join(", ", effect.DestinationAssets));
            }

            output.Append("       rules:  ").AppendLine(effect.Rules.Count == 0 ? "none" : string.Join("; ", effect.Rules.Select(RuleText)));
        }

        if (explanation.CallRules.Count > 0)
        {
            output.Append("call rules: ").AppendLine(string.Join("; ", explanation.CallRules.Select(RuleText)));
        }

        var decision = explanation.Decision;
        output.Append("decision: ").Append(PolicyTestRunner.Name(decision.Kind)).Append(" by rule ").Append(decision.RuleId);
        if (decision.Finding is { } finding)
        {
            output.Append(", finding ").Append(finding.Category).Append(" (").Append(Severity(finding.Severity)).Append(')');
        }

        if (decision.IsHeld && decision.Hold is { } hold)
        {
            output.Append(", held for ").Append(hold.Reviewers).Append(hold.Reviewers == 1 ? " reviewer" : " distinct reviewers")
                .Append(" up to ").Append(hold.Timeout is { } timeout ? timeout.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) + "s" : "the default timeout");
        }

        output.AppendLine();
        if (decision.Message is { } message)
        {
            output.Append("          ").AppendLine(message);
        }

        Console.Write(output.ToString());
    }

    private static void WriteJson(PolicyExplanation explanation, ToolCall call, PolicySet policy)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var writer = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            var decision = explanation.Decision;
            writer.WriteStartObject();
            writer.WriteString("tool", call.Tool);
            writer.WriteString("method", call.Method);
            writer.WriteString("policy_version", policy.Version);
            writer.WriteBoolean("unmapped", explanation.Unmapped);
            writer.WriteString("decision", PolicyTestRunner.Name(decision.Kind));
            writer.WriteString("rule", decision.RuleId);
            WriteFinding(writer, decision.Finding);
            writer.WriteString("message", decision.Message);
            if (decision.IsHeld && decision.Hold is { } hold)
            {
                writer.WriteStartObject("hold");
                writer.WriteNumber("reviewers", hold.Reviewers);
                if (hold.Timeout is { } timeout)
                {
                    writer.WriteNumber("timeout_seconds", timeout.TotalSeconds);
                }

                writer.WriteEndObject();
            }

            writer.WriteStartArray("effects");
            foreach (var effect in explanation.Effects)
            {
                writer.WriteStartObject();
                writer.WriteString("kind", EffectKinds.Name(effect.Effect.Kind));
                writer.WriteString("resource", effect.Effect.Resource);
                if (effect.Effect.Destination is not null)
                {
                    writer.WriteString("destination", effect.Effect.Destination);
                }

                if (effect.Effect.Value is not null)
                {
                    writer.WriteString("value", effect.Effect.Value);
                }

                if (effect.Effect.Format is { } format)
                {
                    writer.WriteString("format", Content.ModelFormats.Name(format));
                }

                writer.WriteBoolean("pattern", (effect.Effect.Flags & EffectFlags.ResourcePattern) != 0);
                writer.WriteBoolean("opaque", (effect.Effect.Flags & EffectFlags.Opaque) != 0);
                WriteNames(writer, "assets", effect.Assets);
                WriteNames(writer, "destination_assets", effect.DestinationAssets);
                WriteRules(writer, "rules", effect.Rules);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            WriteRules(writer, "call_rules", explanation.CallRules);
            writer.WriteEndObject();
        }

        stdout.Write("\n"u8);
    }

    private static void WriteRules(Utf8JsonWriter writer, string name, IReadOnlyList<Rule> rules)
    {
        writer.WriteStartArray(name);
        foreach (var rule in rules)
        {
            writer.WriteStartObject();
            writer.WriteString("id", rule.Id);
            writer.WriteString("decision", PolicyTestRunner.Name(rule.Decision));
            WriteFinding(writer, rule.Finding);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteFinding(Utf8JsonWriter writer, Finding? finding)
    {
        if (finding is null)
        {
            writer.WriteNull("finding");
            return;
        }

        writer.WriteStartObject("finding");
        writer.WriteString("category", finding.Category);
        writer.WriteString("severity", Severity(finding.Severity));
        writer.WriteEndObject();
    }

    private static void WriteNames(Utf8JsonWriter writer, string name, IReadOnlyList<string> names)
    {
        writer.WriteStartArray(name);
        foreach (var item in names)
        {
            writer.WriteStringValue(item);
        }

        writer.WriteEndArray();
    }

    private static string RuleText(Rule rule)
        => rule.Finding is { } finding
            ? $"{rule.Id} ({PolicyTestRunner.Name(rule.Decision)}, {finding.Category} {Severity(finding.Severity)})"
            : $"{rule.Id} ({PolicyTestRunner.Name(rule.Decision)})";

    private static string Severity(Severity severity) => severity.ToString().ToLowerInvariant();

    private static string OneLine(string value)
    {
        var line = value.ReplaceLineEndings("\\n");
        return line.Length <= 200 ? line : line[..200] + "...";
    }
}
