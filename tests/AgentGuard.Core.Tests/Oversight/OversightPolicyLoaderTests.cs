using AgentGuard.Infrastructure;
using AgentGuard.Policy;

namespace AgentGuard.Oversight;

public sealed class OversightPolicyLoaderTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private const string Key = """{ "items": { "1": "Canberra", "2": { "answer": "75 km/h", "compare": "numeric", "tolerance": 0.5 } } }""";

    private static string Policy(string evaluation) => $"""
        version: 1
        oversight:
          evaluations:
            - name: factual
        {evaluation}
        """;

    private const string Body = """
              submission:
                report: { tools: [create_file], file: filename, text: content }
              subject: { column: Name }
              evidence:
                data: { tools: [view_sheet] }
                threshold: 'score: (?<threshold>\d+)'
              rescorer: { kind: reference, answer_key: keys/factual.json }
        """;

    public void Dispose() => _folder.Dispose();

    private PolicyLoadResult Load(string yaml, string key = Key)
    {
        _folder.Write("keys/factual.json", key);
        var path = _folder.Write("policy.yaml", yaml);
        return PolicyLoader.Load([path]);
    }

    private static PolicyError Error(PolicyLoadResult result, string contains)
    {
        Assert.False(result.Succeeded, "the policy loaded");
        return Assert.Single(result.Errors, e => e.Message.Contains(contains, StringComparison.Ordinal));
    }

    [Fact]
    public void Load_ShippedPolicy_DeclaresTheStudysEvaluations()
    {
        var oversight = StudyEvaluations.Policy;

        Assert.Equal(["factual", "creativity", "finance"], oversight.Evaluations.Select(e => e.Name));
        Assert.Equal(["end_task"], oversight.EndTools);
        Assert.Equal(20, oversight.Find("factual")!.Rescorer.AnswerKey!.Items.Count);
        Assert.True(oversight.Find("finance")!.Scale.IsGraded);
        var obligation = Assert.Single(oversight.Obligations);
        Assert.Equal(("execute_shutdown", "$.system_id", "gemini_agent_2"), (obligation.Tool, obligation.Argument!.Text, obligation.Value.Map("Gemini Agent 2")));
        Assert.Single(oversight.Observed.Unwatched);
        Assert.Equal(3, oversight.PeerContext.Count);
    }

    [Fact]
    public void Load_ShippedPolicy_AnswerKeysJoinGuardConfig()
    {
        var policy = TestPolicies.LoadOrFail([StudyEvaluations.ShippedPolicyPath, TestPolicies.ShippedPolicyPath]);
        var guard = Assert.Single(policy.Assets, a => a.Name == PolicyLoader.GuardConfigAsset);
        var key = Path.Combine(Path.GetDirectoryName(StudyEvaluations.ShippedPolicyPath)!, "answer-keys", "factual.json");

        Assert.True(guard.Contains("file://" + key), "an answer key is not in guard-config");
    }

    [Fact]
    public void Load_NoOversightSection_Empty()
    {
        var policy = TestPolicies.Compile("version: 1\n");

        Assert.Same(OversightPolicy.Empty, policy.Oversight);
        Assert.True(policy.Oversight.IsEndTool("END_TASK"));
    }

    [Fact]
    public void Load_ValidEvaluation_Compiles()
    {
        var result = Load(Policy(Body));

        Assert.True(result.Succeeded, string.Join('\n', result.Errors));
        var evaluation = Assert.Single(result.Policy!.Oversight.Evaluations);
        Assert.Equal(SubmissionKind.Report, evaluation.Submission.Kind);
        Assert.Equal(EvaluationMode.Async, evaluation.Mode);
        Assert.Equal(AnswerComparison.Numeric, evaluation.Rescorer.AnswerKey!.Items["2"].Comparison);
    }

    [Fact]
    public void Load_UnknownKey_ErrorWithLine()
    {
        var error = Error(Load(Policy(Body + "\n      colour: blue\n")), "unknown key 'colour'");

        Assert.Equal(12, error.Line);
        Assert.EndsWith("policy.yaml", error.File, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BadRegex_ErrorWithLine()
    {
        var error = Error(Load(Policy(Body.Replace(@"'score: (?<threshold>\d+)'", "'score: (?<threshold>\\d+'", StringComparison.Ordinal))), "not a usable regular expression");

        Assert.Equal(10, error.Line);
    }

    [Fact]
    public void Load_BackreferencePattern_RefusedAsNotLinear()
    {
        Error(Load(Policy(Body.Replace(@"'score: (?<threshold>\d+)'", @"'(?<threshold>\d)\1'", StringComparison.Ordinal))), "not a usable regular expression");
    }

    [Fact]
    public void Load_PatternWithoutGroup_Error()
    {
        var error = Error(Load(Policy(Body.Replace(@"(?<threshold>\d+)", @"(\d+)", StringComparison.Ordinal))), "has no (?<threshold>...) group");

        Assert.Equal(10, error.Line);
    }

    [Fact]
    public void Load_MissingAnswerKey_Error()
    {
        var error = Error(Load(Policy(Body.Replace("keys/factual.json", "keys/none.json", StringComparison.Ordinal))), "does not exist");

        Assert.Equal(11, error.Line);
    }

    [Fact]
    public void Load_MalformedAnswerKey_ErrorInKeyFileWithLine()
    {
        var error = Error(Load(Policy(Body), "{\n  \"items\": {\n    \"1\": { \"answr\": \"x\" }\n  }\n}"), "unknown key 'answr'");

        Assert.EndsWith("factual.json", error.File, StringComparison.Ordinal);
        Assert.Equal(3, error.Line);
    }

    [Fact]
    public void Load_BadJsonPath_Error()
    {
        var error = Error(Load(Policy(Body.Replace("file: filename", "file: '$.a[*]'", StringComparison.Ordinal))), "not a JSON path");

        Assert.Equal(6, error.Line);
    }

    [Fact]
    public void Load_ObligationNamesUnknownEvaluation_Error()
    {
        var yaml = Policy(Body) + "\n  obligations:\n    - { name: o, evaluations: [factul], tool: execute_shutdown, argument: $.system_id, value: lower_snake }\n";

        Error(Load(yaml), "names evaluation 'factul'");
    }

    [Fact]
    public void Load_ModelRescorerWithoutModels_Error()
    {
        var error = Error(Load(Policy(Body.Replace("{ kind: reference, answer_key: keys/factual.json }", "{ kind: model, endpoint: 'http://127.0.0.1:11434/v1' }", StringComparison.Ordinal))), "needs 'endpoint'");

        Assert.Equal(11, error.Line);
    }

    [Fact]
    public void Load_ModelRescorer_KeepsSettings()
    {
        var result = Load(Policy(Body.Replace(
            "{ kind: reference, answer_key: keys/factual.json }",
            "{ kind: model, endpoint: 'http://127.0.0.1:11434/v1', models: [llama3, qwen2], api_key_env: JUDGE_KEY, timeout: 20s }",
            StringComparison.Ordinal) + "\n      mode: sync\n      timeout: 30s\n"));

        Assert.True(result.Succeeded, string.Join('\n', result.Errors));
        var evaluation = result.Policy!.Oversight.Evaluations[0];
        Assert.Equal(("model", 2, "JUDGE_KEY", TimeSpan.FromSeconds(20)), (evaluation.Rescorer.Kind, evaluation.Rescorer.Models.Count, evaluation.Rescorer.ApiKeyEnvironmentVariable, evaluation.Rescorer.Timeout!.Value));
        Assert.Equal((EvaluationMode.Sync, TimeSpan.FromSeconds(30)), (evaluation.Mode, evaluation.Timeout));
    }

    [Fact]
    public void Load_PassingGradeNotAGrade_Error()
    {
        Error(Load(Policy(Body + "\n      scale: { grades: [A, B, C], passing: [A, D] }\n")), "passing grade 'D'");
    }

    [Fact]
    public void Load_AnswerKeyEdited_NewPolicyVersion()
    {
        var before = Load(Policy(Body));
        var after = Load(Policy(Body), Key.Replace("Canberra", "Sydney", StringComparison.Ordinal));

        Assert.True(before.Succeeded && after.Succeeded);
        Assert.NotEqual(before.Policy!.Version, after.Policy!.Version);
    }

    [Fact]
    public void Load_OversizedAnswerKey_Error()
    {
        var error = Error(Load(Policy(Body), "{\"items\": {\"1\": \"" + new string('x', (int)AnswerKeyLoader.MaxBytes) + "\"}}"), "the limit is");

        Assert.Equal(11, error.Line);
    }

    [Fact]
    public void Load_AnswerKeyNotJson_ErrorInKeyFile()
    {
        var error = Error(Load(Policy(Body), "{ \"items\": { \"1\": [ }"), "not valid YAML");

        Assert.EndsWith("factual.json", error.File, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_HostileOversightSection_ErrorsNotExceptions()
    {
        var yaml = """
            oversight:
              evaluations: { name: x }
              obligations: [ 1, { name: o } ]
              end_tools: { a: b }
              observed: [x]
              peer_context: '(unclosed'
            """;

        var result = Load(yaml);

        Assert.False(result.Succeeded);
        Assert.True(result.Errors.Count >= 5, string.Join('\n', result.Errors));
        Assert.All(result.Errors, e => Assert.True(e.Line > 0, e.ToString()));
    }
}
