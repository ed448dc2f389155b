using System.Text.Json.Nodes;
using AgentGuard.Infrastructure;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace AgentGuard.Oversight;

/// <summary>The <c>model</c> re-scorer against a real OpenAI-compatible server on loopback.</summary>
public sealed class ModelRescorerTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static JudgeBehaviour Honest => new JudgeBehaviour.Grading(StudyItems.Key);

    private static JudgeBehaviour Lenient => new JudgeBehaviour.Grading(StudyItems.Key, StudyItems.TwoWrongAccepted);

    [Fact]
    public async Task RescoreAsync_SingleJudge_ReturnsItsScoreAndVerdicts()
    {
        await using var server = await JudgeServer.StartAsync(new Dictionary<string, JudgeBehaviour> { ["judge-a"] = Honest });
        var rescorer = Create(server, "judge-a");

        var rescore = await rescorer.RescoreAsync(StudyItems.Request(), CancellationToken.None).AsTask().WaitAsync(Deadline);

        Assert.Equal("model", rescorer.Kind);
        Assert.Equal(60, rescore.Score);
        Assert.Null(rescore.Grade);
        Assert.Equal(StudyItems.Rows.Select(r => (r.Id, (bool?)r.Correct)), rescore.Items.Select(i => (i.Id, i.Correct)));
        Assert.Contains("'judge-a' score 60 (10 of 10 items)", rescore.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RescoreAsync_SingleJudge_SendsRubricItemsAndSchemaAtTemperatureZeroWithKey()
    {
        var variable = "AGENTGUARD_TEST_JUDGE_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "sk-test-1234");
        try
        {
            await using var server = await JudgeServer.StartAsync(new Dictionary<string, JudgeBehaviour> { ["judge-a"] = Honest });
            var rescorer = Create(server, ["judge-a"], apiKeyVariable: variable);

            await rescorer.RescoreAsync(StudyItems.Request(), CancellationToken.None).AsTask().WaitAsync(Deadline);

            var request = Assert.Single(server.Received);
            output.WriteLine(request.BodyText);
            Assert.Equal("/v1/chat/completions", request.Path);
            Assert.Equal("Bearer sk-test-1234", request.Headers["Authorization"]);
            var body = JsonNode.Parse(request.Body)!;
            Assert.Equal("judge-a", (string?)body["model"]);
            Assert.Equal(0, (double)body["temperature"]!);
            Assert.Equal("json_schema", (string?)body["response_format"]!["type"]);
            Assert.NotNull(body["response_format"]!["json_schema"]!["schema"]!["properties"]!["items"]);
            var prompt = JudgeServer.UserText(body);
            Assert.Contains(StudyItems.Rubric, prompt, StringComparison.Ordinal);
            Assert.Contains("The pass mark is 80", prompt, StringComparison.Ordinal);
            Assert.Contains("subject-1", prompt, StringComparison.Ordinal);
            Assert.All(StudyItems.Items, item => Assert.Contains(item.Text, prompt, StringComparison.Ordinal));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task RescoreAsync_JsonSchemaOff_AsksForJsonObject()
    {
        await using var server = await JudgeServer.StartAsync(new Dictionary<string, JudgeBehaviour> { ["judge-a"] = Honest });
        var rescorer = Create(server, ["judge-a"], jsonSchema: false);

        var rescore = await rescorer.RescoreAsync(StudyItems.Request(), CancellationToken.None).AsTask().WaitAsync(Deadline);

        Assert.Equal(60, rescore.Score);
        var body = JsonNode.Parse(Assert.Single(server.Received).Body)!;
        Assert.Equal("json_object", (string?)body["response_format"]!["type"]);
    }

    [Fact]
    public async Task RescoreAsync_SubjectNamedInEvaluationName_NameNeverReachesJudge()
    {
        await using var server = await JudgeServer.StartAsync(new Dictionary<string, JudgeBehaviour> { ["judge-a"] = Honest });
        var rescorer = Create(server, "judge-a");

        // The policy may name an evaluation after its subject; the items and rubric come with the name already replaced.
        await rescorer.RescoreAsync(StudyItems.Request("gemini-agent-2-factual-review"), CancellationToken.None).AsTask().WaitAsync(Deadline);

        var received = Assert.Single(server.Received);
        Assert.DoesNotContain("gemini", received.BodyText, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("agent-2", received.BodyText, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("subject-1", JudgeServer.UserText(JsonNode.Parse(received.Body)!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RescoreAsync_PanelWithOneDissenter_MedianScoreAndMajorityVerdictsCount()
    {
        await using var server = await JudgeServer.StartAsync(new Dictionary<string, JudgeBehaviour>
        {
            ["judge-a"] = Honest,
            ["judge-b"] = Lenient,
            ["judge-c"] = Honest,
        });
        var rescorer = Create(server, "judge-a", "judge-b", "judge-c");

        var rescore = await rescorer.RescoreAsync(StudyItems.Request(), CancellationToken.None).AsTask().WaitAsync(Deadline);

        Assert.Equal(60, rescore.Score);
        Assert.Equal(StudyItems.Rows.Select(r => (r.Id, (bool?)r.Correct)), rescore.Items.Select(i => (i.Id, i.Correct)));
        Assert.Equal(3, server.Received.Count);
        Assert.Contains("panel of 3, 3 answered", rescore.Detail, StringComparison.Ordinal);
        Assert.Contains("'judge-b' score 80", rescore.Detail, StringComparison.Ordinal);
        Assert.Contains("'judge-a' score 60", rescore.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RescoreAsync_PanelAcrossEndpoints_EachEndpointGetsItsOwnKey()
    {
        var variable = "AGENTGUARD_TEST_OTHER_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "sk-other");
        try
        {
            await using var local = await JudgeServer.StartAsync(new Dictionary<string, JudgeBehaviour> { ["judge-a"] = Honest, ["judge-b"] = Lenient });
            await using var hosted = await JudgeServer.StartAsync(new Dictionary<string, JudgeBehaviour> { ["judge-c"] = Honest });
            var rescorer = RescorerFactory.Create(
                new ModelRescorerOptions
                {
                    Endpoint = local.Endpoint,
                    Models = ["judge-a", "judge-b"],
                    Judges = [new ModelJudgeOptions { Endpoint = hosted.Endpoint, Model = "judge-c", ApiKeyEnvironmentVariable = variable }],
                },
                TimeProvider.System);

            var rescore = await rescorer.RescoreAsync(StudyItems.Request(), CancellationToken.None).AsTask().WaitAsync(Deadline);

            Assert.Equal(60, rescore.Score);
            Assert.Contains("panel of 3, 3 answered", rescore.Detail, StringComparison.Ordinal);
            Assert.Equal("Bearer sk-other", Assert.Single(hosted.Received).Headers["Authorization"]);
            Assert.All(local.Received, r => Assert.DoesNotContain("sk-other", r.Headers["Authorization"], StringComparison.Ordinal));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task RescoreAsync_GradedPanel_MedianGradeByRankCounts()
    {
        await using var server = await JudgeServer.StartAsync(new Dictionary<string, JudgeBehaviour>
        {
            ["judge-a"] = new JudgeBehaviour.Grading(StudyItems.Key, Grade: "C"),
            ["judge-b"] = new JudgeBehaviour.Grading(StudyItems.Key, Grade: "b"),
            ["judge-c"] = new JudgeBehaviour.Grading(StudyItems.Key, Grade: "D"),
        });
        var rescorer = Create(server, "judge-a", "judge-b", "judge-c");
        var request = StudyItems.Request() with { Threshold = null, Grades = ["A", "B", "C", "D"] };

        var rescore = await rescorer.RescoreAsync(request, CancellationToken.None).AsTask().WaitAsync(Deadline);

        Assert.Equal("C", rescore.Grade);
        Assert.Contains("'judge-b' grade B", rescore.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RescoreAsync_OneJudgeTimesOut_LeftOutAndNamedInDetail()
    {
        await using var server = await JudgeServer.StartAsync(new Dictionary<string, JudgeBehaviour>
        {
            ["judge-a"] = Honest,
            ["judge-slow"] = new JudgeBehaviour.Hang(),
            ["judge-c"] = Lenient,
        });
        var time = new FakeTimeProvider();
        var answered = new Answered();
        var rescorer = CreateObserved(server, time, answered, "judge-a", "judge-slow", "judge-c");

        var rescoring = rescorer.RescoreAsync(StudyItems.Request(), CancellationToken.None).AsTask();
        await Task.WhenAll(answered.Of("judge-a"), answered.Of("judge-c"), server.Arrived("judge-slow")).WaitAsync(Deadline);
        time.Advance(TimeSpan.FromSeconds(30));
        var rescore = await rescoring.WaitAsync(Deadline);

        Assert.Equal(70, rescore.Score);
        Assert.Contains("panel of 3, 2 answered", rescore.Detail, StringComparison.Ordinal);
        Assert.Contains("left out: judge 'judge-slow' timed out after 00:00:30", rescore.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RescoreAsync_AllJudgesTimeOut_Throws()
    {
        await using var server = await JudgeServer.StartAsync(new Dictionary<string, JudgeBehaviour>
        {
            ["judge-a"] = new JudgeBehaviour.Hang(),
            ["judge-b"] = new JudgeBehaviour.Hang(),
        });
        var time = new FakeTimeProvider();
        var rescorer = CreateObserved(server, time, new Answered(), "judge-a", "judge-b");

        var rescoring = rescorer.RescoreAsync(StudyItems.Request(), CancellationToken.None).AsTask();
        await Task.WhenAll(server.Arrived("judge-a"), server.Arrived("judge-b")).WaitAsync(Deadline);
        Assert.False(rescoring.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(30));

        var e = await Assert.ThrowsAsync<RescoreFailedException>(() => rescoring.WaitAsync(Deadline));
        Assert.Equal("None of the 2 judges re-scored: judge 'judge-a' timed out after 00:00:30; judge 'judge-b' timed out after 00:00:30", e.Message);
    }

    public static TheoryData<string, string, string> InvalidAnswers => new()
    {
        { "not JSON", "The subject did well.", "malformed JSON" },
        { "cut-off JSON", """{"items":[{"id":"1","correct":true""", "malformed JSON" },
        { "an array", "[1,2,3]", "the answer is a JSON array, not an object" },
        { "items not an array", """{"items":"all right","score":60}""", "\"items\" is a JSON string, not an array" },
        { "an unknown item", """{"items":[{"id":"99","correct":true}],"score":60}""", "items[0].id '99' is not an item of the evidence" },
        { "an item twice", """{"items":[{"id":"1","correct":true},{"id":"1","correct":false}],"score":60}""", "item '1' is scored twice" },
        { "an item without verdict", """{"items":[{"id":"1"}],"score":60}""", "items[0] (item '1') gives neither \"correct\" nor \"score\"" },
        { "a score that is text", """{"items":[{"id":"1","score":"high"}],"score":60}""", "items[0].score is \"high\", not a number" },
        { "a duplicate member", """{"items":[],"score":60,"score":80}""", "malformed JSON" },
        { "no overall score", """{"items":[{"id":"1","score":3}]}""", "the answer gives no overall \"score\"" },
    };

    [Theory]
    [MemberData(nameof(InvalidAnswers))]
    public async Task RescoreAsync_JudgeAnswersInvalidJson_ThrowsNamingTheProblem(string what, string content, string expected)
    {
        await using var server = await JudgeServer.StartAsync(new Dictionary<string, JudgeBehaviour> { ["judge-a"] = new JudgeBehaviour.Raw(content) });
        var rescorer = Create(server, "judge-a");

        var e = await Assert.ThrowsAsync<RescoreFailedException>(() => rescorer.RescoreAsync(StudyItems.Request(), CancellationToken.None).AsTask().WaitAsync(Deadline));

        output.WriteLine($"{what}: {e.Message}");
        Assert.StartsWith("The judge did not re-score: judge 'judge-a' answered with", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RescoreAsync_GradeNotAmongTheGrades_Throws()
    {
        await using var server = await JudgeServer.StartAsync(new Dictionary<string, JudgeBehaviour> { ["judge-a"] = new JudgeBehaviour.Grading(StudyItems.Key, Grade: "B+") });
        var rescorer = Create(server, "judge-a");
        var request = StudyItems.Request() with { Grades = ["A", "B", "C"] };

        var e = await Assert.ThrowsAsync<RescoreFailedException>(() => rescorer.RescoreAsync(request, CancellationToken.None).AsTask().WaitAsync(Deadline));

        Assert.Contains("\"grade\" 'B+' is not one of the evaluation's grades (A, B, C)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RescoreAsync_AnswerCutOffAtTokenLimit_Throws()
    {
        await using var server = await JudgeServer.StartAsync(new Dictionary<string, JudgeBehaviour> { ["judge-a"] = new JudgeBehaviour.Raw("""{"items":[""", "length") });
        var rescorer = Create(server, "judge-a");

        var e = await Assert.ThrowsAsync<RescoreFailedException>(() => rescorer.RescoreAsync(StudyItems.Request(), CancellationToken.None).AsTask().WaitAsync(Deadline));

        Assert.Contains("judge 'judge-a''s answer was cut off at max_output_tokens (4096)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RescoreAsync_MalformedJudgeInPanel_LeftOut()
    {
        await using var server = await JudgeServer.StartAsync(new Dictionary<string, JudgeBehaviour>
        {
            ["judge-a"] = Honest,
            ["judge-b"] = new JudgeBehaviour.Raw("I think it deserves 80%."),
            ["judge-c"] = Honest,
        });
        var rescorer = Create(server, "judge-a", "judge-b", "judge-c");

        var rescore = await rescorer.RescoreAsync(StudyItems.Request(), CancellationToken.None).AsTask().WaitAsync(Deadline);

        Assert.Equal(60, rescore.Score);
        Assert.Contains("left out: judge 'judge-b' answered with malformed JSON", rescore.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RescoreAsync_OversizedAnswer_Throws()
    {
        var huge = """{"items":[],"score":60,"detail":" """ + new string('x', 64 * 1024) + "\"}";
        await using var server = await JudgeServer.StartAsync(new Dictionary<string, JudgeBehaviour> { ["judge-a"] = new JudgeBehaviour.Raw(huge) });
        var rescorer = Create(server, ["judge-a"], maxResponseBytes: 16 * 1024);

        var e = await Assert.ThrowsAsync<RescoreFailedException>(() => rescorer.RescoreAsync(StudyItems.Request(), CancellationToken.None).AsTask().WaitAsync(Deadline));

        output.WriteLine(e.Message);
        Assert.Contains("judge 'judge-a': ", e.Message, StringComparison.Ordinal);
        Assert.Contains("more than 16384 bytes (max_response_bytes)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RescoreAsync_JudgeAnswersHttp500_ThrowsWithStatus()
    {
        await using var server = await JudgeServer.StartAsync(new Dictionary<string, JudgeBehaviour> { ["judge-a"] = new JudgeBehaviour.Status(500) });
        var rescorer = Create(server, "judge-a");

        var e = await Assert.ThrowsAsync<RescoreFailedException>(() => rescorer.RescoreAsync(StudyItems.Request(), CancellationToken.None).AsTask().WaitAsync(Deadline));

        output.WriteLine(e.Message);
        Assert.Contains("judge 'judge-a' failed", e.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 500", e.Message, StringComparison.Ordinal);
        Assert.Contains("the judge is down", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RescoreAsync_AnswerInCodeFence_IsRead()
    {
        var fenced = "```json\n" + new JudgeBehaviour.Grading(StudyItems.Key).Answer(StudyItems.Items.Select(i => (i.Id, i.Text)).ToList()) + "\n```";
        await using var server = await JudgeServer.StartAsync(new Dictionary<string, JudgeBehaviour> { ["judge-a"] = new JudgeBehaviour.Raw(fenced) });
        var rescorer = Create(server, "judge-a");

        var rescore = await rescorer.RescoreAsync(StudyItems.Request(), CancellationToken.None).AsTask().WaitAsync(Deadline);

        Assert.Equal(60, rescore.Score);
    }

    [Fact]
    public async Task RescoreAsync_NoOverallScoreWithRightOrWrongItems_ScoresTheShareRight()
    {
        var items = string.Join(",", StudyItems.Rows.Select(r => $$"""{"id":"{{r.Id}}","correct":{{(r.Correct ? "true" : "false")}},"score":null}"""));
        await using var server = await JudgeServer.StartAsync(new Dictionary<string, JudgeBehaviour> { ["judge-a"] = new JudgeBehaviour.Raw($$"""{"items":[{{items}}],"score":null,"grade":null}""") });
        var rescorer = Create(server, "judge-a");

        var rescore = await rescorer.RescoreAsync(StudyItems.Request(), CancellationToken.None).AsTask().WaitAsync(Deadline);

        Assert.Equal(60, rescore.Score);
    }

    [Fact]
    public void Create_ApiKeyVariableNotSet_ThrowsNamingIt()
    {
        var options = new ModelRescorerOptions
        {
            Endpoint = new Uri("http://127.0.0.1:9/v1"),
            Models = ["judge-a"],
            ApiKeyEnvironmentVariable = "AGENTGUARD_TEST_UNSET_" + Guid.NewGuid().ToString("N"),
        };

        var e = Assert.Throws<InvalidOperationException>(() => RescorerFactory.Create(options, TimeProvider.System));

        Assert.Contains(options.ApiKeyEnvironmentVariable + ", which is not set", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_InvalidOptions_ThrowsWithEveryProblem()
    {
        var options = new ModelRescorerOptions { Endpoint = null, Models = [], Timeout = TimeSpan.Zero };

        var e = Assert.Throws<ArgumentException>(() => RescorerFactory.Create(options, TimeProvider.System));

        Assert.Contains("rescorer.endpoint is missing", e.Message, StringComparison.Ordinal);
        Assert.Contains("rescorer.models is empty", e.Message, StringComparison.Ordinal);
        Assert.Contains("rescorer.timeout is 0ms", e.Message, StringComparison.Ordinal);
    }

    private IRescorer Create(JudgeServer server, params string[] models) => Create(server, models, apiKeyVariable: null);

    private IRescorer Create(JudgeServer server, string[] models, string? apiKeyVariable = null, bool jsonSchema = true, int maxResponseBytes = 1024 * 1024)
        => RescorerFactory.Create(
            new ModelRescorerOptions
            {
                Endpoint = server.Endpoint,
                Models = models,
                ApiKeyEnvironmentVariable = apiKeyVariable,
                JsonSchema = jsonSchema,
                MaxResponseBytes = maxResponseBytes,
            },
            TimeProvider.System,
            LoggerFactory.Create(b => b.AddProvider(new TestOutputLoggerProvider(output))));

    /// <summary>A re-scorer on <paramref name="time"/> whose judges report, through <paramref name="answered"/>, when their answer is in.</summary>
    private ModelRescorer CreateObserved(JudgeServer server, FakeTimeProvider time, Answered answered, params string[] models)
    {
        var options = new ModelRescorerOptions { Endpoint = server.Endpoint, Models = models, Timeout = TimeSpan.FromSeconds(30) };
        var judges = RescorerFactory.CreateJudges(options).Select(j => j with { Client = new AnsweredChatClient(j.Client, () => answered.Set(j.Name)) }).ToList();
        var logger = LoggerFactory.Create(b => b.AddProvider(new TestOutputLoggerProvider(output))).CreateLogger<ModelRescorer>();
        return new ModelRescorer(judges, options, time, logger ?? (ILogger)NullLogger.Instance);
    }

    private sealed class Answered
    {
        private readonly Dictionary<string, TaskCompletionSource> _judges = [];

        public Task Of(string judge) => Get(judge).Task;

        public void Set(string judge) => Get(judge).TrySetResult();

        private TaskCompletionSource Get(string judge)
        {
            lock (_judges)
            {
                if (!_judges.TryGetValue(judge, out var answered))
                {
                    _judges[judge] = answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                return answered;
            }
        }
    }

    /// <summary>Tells when the inner client's answer is in, so a test advances the clock only after the judges that answer have.</summary>
    private sealed class AnsweredChatClient(IChatClient inner, Action answered) : DelegatingChatClient(inner)
    {
        public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var response = await base.GetResponseAsync(messages, options, cancellationToken);
            answered();
            return response;
        }
    }
}
