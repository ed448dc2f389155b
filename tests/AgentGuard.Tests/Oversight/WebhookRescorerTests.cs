using System.Text;
using System.Text.Json.Nodes;
using AgentGuard.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace AgentGuard.Oversight;

/// <summary>The <c>webhook</c> re-scorer against a real grader on loopback.</summary>
public sealed class WebhookRescorerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private const string Answer =
        """{"score": 60, "grade": null, "items": [{"id": "1", "correct": true}, {"id": "3", "correct": false}, {"id": "7", "correct": false, "score": 0}], "detail": "graded by the team's key v3"}""";

    [Fact]
    public async Task RescoreAsync_GraderAnswers_ReturnsItsRescore()
    {
        await using var grader = await StartGraderAsync((context, _) => Json(context, 200, Answer));
        var rescorer = Create(grader);

        var rescore = await rescorer.RescoreAsync(StudyItems.Request(), CancellationToken.None).AsTask().WaitAsync(Deadline);

        Assert.Equal("webhook", rescorer.Kind);
        Assert.Equal(60, rescore.Score);
        Assert.Null(rescore.Grade);
        Assert.Equal([new ItemScore("1", true, null), new ItemScore("3", false, null), new ItemScore("7", false, 0)], rescore.Items);
        Assert.Equal($"webhook {grader.Address}rescore: graded by the team's key v3", rescore.Detail);
    }

    [Fact]
    public async Task RescoreAsync_Request_PostsTheDocumentedJson()
    {
        await using var grader = await StartGraderAsync((context, _) => Json(context, 200, """{"score":null,"grade":"c","items":[]}"""));
        var rescorer = Create(grader);
        var request = StudyItems.Request() with { Grades = ["A", "B", "C"] };

        var rescore = await rescorer.RescoreAsync(request, CancellationToken.None).AsTask().WaitAsync(Deadline);

        Assert.Equal("C", rescore.Grade);

        var received = Assert.Single(grader.Received);
        Assert.Equal("POST", received.Method);
        Assert.Equal("/rescore", received.Path);
        Assert.StartsWith("application/json", received.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.False(received.Headers.ContainsKey("Authorization"));
        var body = JsonNode.Parse(received.Body)!;
        Assert.Equal("factual-qa", (string?)body["evaluation"]);
        Assert.Equal("subject-1", (string?)body["subjectLabel"]);
        Assert.Equal(StudyItems.Rubric, (string?)body["instructions"]);
        Assert.Equal(80, (double)body["threshold"]!);
        Assert.Equal(["A", "B", "C"], body["grades"]!.AsArray().Select(g => (string)g!));
        var items = body["items"]!.AsArray();
        Assert.Equal(10, items.Count);
        Assert.Equal("3", (string?)items[2]!["id"]);
        Assert.Equal(StudyItems.Items[2].Text, (string?)items[2]!["text"]);
        Assert.Equal("Ag", (string?)items[2]!["fields"]!["answer"]);
    }

    [Fact]
    public async Task RescoreAsync_TokenFromEnvironmentVariable_SentAsBearer()
    {
        var variable = "AGENTGUARD_TEST_GRADER_TOKEN_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "grader-token-1");
        try
        {
            await using var grader = await StartGraderAsync((context, _) => Json(context, 200, Answer));
            var rescorer = Create(grader, new WebhookRescorerOptions { TokenEnvironmentVariable = variable });

            await rescorer.RescoreAsync(StudyItems.Request(), CancellationToken.None).AsTask().WaitAsync(Deadline);

            Assert.Equal("Bearer grader-token-1", Assert.Single(grader.Received).Headers["Authorization"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task RescoreAsync_TokenFile_ReadAtEachCall()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "token-one\n");
            await using var grader = await StartGraderAsync((context, _) => Json(context, 200, Answer));
            var rescorer = Create(grader, new WebhookRescorerOptions { TokenFile = file });

            await rescorer.RescoreAsync(StudyItems.Request(), CancellationToken.None).AsTask().WaitAsync(Deadline);
            await File.WriteAllTextAsync(file, "token-two");
            await rescorer.RescoreAsync(StudyItems.Request(), CancellationToken.None).AsTask().WaitAsync(Deadline);

            Assert.Equal(["Bearer token-one", "Bearer token-two"], grader.Received.Select(r => r.Headers["Authorization"]));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task RescoreAsync_TokenVariableNotSet_ThrowsWithoutCalling()
    {
        await using var grader = await StartGraderAsync((context, _) => Json(context, 200, Answer));
        var variable = "AGENTGUARD_TEST_UNSET_" + Guid.NewGuid().ToString("N");
        var rescorer = Create(grader, new WebhookRescorerOptions { TokenEnvironmentVariable = variable });

        var e = await Assert.ThrowsAsync<RescoreFailedException>(() => rescorer.RescoreAsync(StudyItems.Request(), CancellationToken.None).AsTask());

        Assert.Contains($"the environment variable {variable} (token_env) is not set", e.Message, StringComparison.Ordinal);
        Assert.Empty(grader.Received);
    }

    [Fact]
    public async Task RescoreAsync_Grader500_ThrowsWithStatusAndText()
    {
        await using var grader = await StartGraderAsync((context, _) => Json(context, 500, """{"error":"key store unavailable"}"""));
        var rescorer = Create(grader);

        var e = await Assert.ThrowsAsync<RescoreFailedException>(() => rescorer.RescoreAsync(StudyItems.Request(), CancellationToken.None).AsTask().WaitAsync(Deadline));

        Assert.Equal($$"""webhook {{grader.Address}}rescore answered HTTP 500 Internal Server Error: {"error":"key store unavailable"}""", e.Message);
    }

    [Fact]
    public async Task RescoreAsync_GraderTimesOut_Throws()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var grader = await StartGraderAsync(async (context, _) =>
        {
            arrived.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
        });
        var time = new FakeTimeProvider();
        var rescorer = Create(grader, new WebhookRescorerOptions { Timeout = TimeSpan.FromSeconds(5) }, time);

        var rescoring = rescorer.RescoreAsync(StudyItems.Request(), CancellationToken.None).AsTask();
        await arrived.Task.WaitAsync(Deadline);
        Assert.False(rescoring.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(5));

        var e = await Assert.ThrowsAsync<RescoreFailedException>(() => rescoring.WaitAsync(Deadline));
        Assert.Equal($"webhook {grader.Address}rescore did not answer within 00:00:05", e.Message);
    }

    [Fact]
    public async Task RescoreAsync_CallerCancels_ThrowsOperationCanceled()
    {
        await using var grader = await StartGraderAsync(async (context, _) =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
        });
        var rescorer = Create(grader);
        using var cancel = new CancellationTokenSource();

        var rescoring = rescorer.RescoreAsync(StudyItems.Request(), cancel.Token).AsTask();
        await Poll.UntilAsync(() => grader.Received.Count > 0 || rescoring.IsCompleted, "the grader to be called");
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => rescoring.WaitAsync(Deadline));
    }

    public static TheoryData<string, string> MalformedAnswers => new()
    {
        { "<html>Bad gateway</html>", "malformed JSON" },
        { """{"score":"sixty","items":[]}""", "\"score\" is \"sixty\", not a number" },
        { """{"score":60,"items":[{"id":"11","correct":true}]}""", "items[0].id '11' is not an item of the evidence" },
        { """{"grade":"B","items":[]}""", "the answer gives no overall \"score\"" },
    };

    [Theory]
    [MemberData(nameof(MalformedAnswers))]
    public async Task RescoreAsync_GraderAnswersMalformed_ThrowsNamingTheProblem(string answer, string expected)
    {
        await using var grader = await StartGraderAsync((context, _) => Json(context, 200, answer));
        var rescorer = Create(grader);

        var e = await Assert.ThrowsAsync<RescoreFailedException>(() => rescorer.RescoreAsync(StudyItems.Request(), CancellationToken.None).AsTask().WaitAsync(Deadline));

        Assert.StartsWith($"webhook {grader.Address}rescore answered with", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RescoreAsync_GraderAnswerOversized_Throws(bool declaresLength)
    {
        var huge = """{"score":60,"items":[],"detail":" """ + new string('x', 64 * 1024) + "\"}";
        await using var grader = await StartGraderAsync(async (context, _) =>
        {
            var bytes = Encoding.UTF8.GetBytes(huge);
            context.Response.ContentType = "application/json";
            if (declaresLength)
            {
                context.Response.ContentLength = bytes.Length;
            }

            // Chunks, so the unannounced answer arrives in pieces and the cap applies while reading.
            for (var offset = 0; offset < bytes.Length; offset += 4096)
            {
                await context.Response.Body.WriteAsync(bytes.AsMemory(offset, Math.Min(4096, bytes.Length - offset)));
                await context.Response.Body.FlushAsync();
            }
        });
        var rescorer = Create(grader, new WebhookRescorerOptions { MaxResponseBytes = 16 * 1024 });

        var e = await Assert.ThrowsAsync<RescoreFailedException>(() => rescorer.RescoreAsync(StudyItems.Request(), CancellationToken.None).AsTask().WaitAsync(Deadline));

        Assert.Contains("answered with more than 16384 bytes (max_response_bytes)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RescoreAsync_GraderNotListening_ThrowsCannotBeReached()
    {
        Uri address;
        await using (var grader = await StartGraderAsync((context, _) => Json(context, 200, Answer)))
        {
            address = grader.Address;
        }

        var rescorer = RescorerFactory.Create(new WebhookRescorerOptions { Url = new Uri(address, "/rescore") }, TimeProvider.System);

        var e = await Assert.ThrowsAsync<RescoreFailedException>(() => rescorer.RescoreAsync(StudyItems.Request(), CancellationToken.None).AsTask().WaitAsync(Deadline));

        Assert.StartsWith($"webhook {address}rescore cannot be reached:", e.Message, StringComparison.Ordinal);
    }

    private static Task<TestUpstream> StartGraderAsync(Func<HttpContext, TestUpstream, Task> answer)
        => TestUpstream.StartAsync(async (context, self) =>
        {
            var received = await ReceivedRequest.ReadAsync(context.Request);
            lock (self.Received)
            {
                self.Received.Add(received);
            }

            await answer(context, self);
        });

    private static async Task Json(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body);
    }

    private static IRescorer Create(TestUpstream grader, WebhookRescorerOptions? options = null, TimeProvider? time = null)
        => RescorerFactory.Create((options ?? new WebhookRescorerOptions()) with { Url = new Uri(grader.Address, "/rescore") }, time ?? TimeProvider.System);
}
