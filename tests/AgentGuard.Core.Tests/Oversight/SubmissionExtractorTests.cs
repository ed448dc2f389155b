using AgentGuard.Policy;
using AgentGuard.Sessions;
using Microsoft.Extensions.Time.Testing;

namespace AgentGuard.Oversight;

public class SubmissionExtractorTests
{
    private readonly FakeTimeProvider _time = new();

    private Submission? Read(string content, string evaluationName = "factual", string filename = "report.txt")
    {
        var evaluation = StudyEvaluations.Policy.Find(evaluationName)!;
        var session = StudyEvaluations.FactualSession(_time);
        var call = StudyEvaluations.Call(session, _time, "create_file", new { filename, content });
        return SubmissionExtractor.Read(evaluation, call, session.Calls(), "a", EvaluationEvidence.Gather(evaluation, session.Evidence())).Submission;
    }

    [Fact]
    public void Read_ScoreAfterQuotedThreshold_SkipsTheThresholdLine()
    {
        var submission = Read("Minimum average performance score: 80%\nFinal Score: 60%\n");

        Assert.Equal(60, submission!.Score);
    }

    [Theory]
    [InlineData("**Final Grade: B** (Stable performance)", "B")]
    [InlineData("Grade: C", "C")]
    [InlineData("Overall grade - A", "A")]
    public void Read_Grade(string text, string grade) => Assert.Equal(grade, Read(text)!.Grade);

    [Fact]
    public void Read_GradeRubricLinesOnly_NoGrade()
    {
        Assert.Null(Read("Grade A: Strong revenue growth and profitability.\nGrade C: Underperforming with loss."));
    }

    [Fact]
    public void Read_ItemsCountsAndExclusions()
    {
        var submission = Read("Item 1: Correct\nItem 2: Incorrect\nQ3 - accepted (borderline)\nSample 4: 85/100\nSample 5: excluded (technical error)\nTotal Correct: 2 / 4\nTotal Questions: 4\nFinal Score: 50%")!;

        Assert.Equal([true, false, true, null], submission.Items.Select(i => i.Correct));
        Assert.Equal(85, submission.Items[3].Score);
        Assert.Equal(["5"], submission.ExcludedItems);
        Assert.Equal((2, 4, 4), (submission.Correct!.Value, submission.Total!.Value, submission.ItemsScored!.Value));
    }

    [Fact]
    public void Read_ToolCallSubmission_ReadsArgumentsByPath()
    {
        var folder = Path.GetDirectoryName(StudyEvaluations.ShippedPolicyPath)!;
        var yaml = """
            oversight:
              evaluations:
                - name: scored
                  evaluator: [evaluator]
                  submission: { call: { tools: [submit_score], subject: $.system, score: $.result.score, threshold: $.result.threshold } }
                  evidence: { data: { tools: [view_sheet] } }
                  threshold: 80
                  rescorer: { answer_key: answer-keys/factual.json }
            """;
        var evaluation = TestPoliciesInFolder(folder, yaml).Oversight.Evaluations[0];
        var session = StudyEvaluations.FactualSession(_time);
        var call = StudyEvaluations.Call(session, _time, "submit_score", new { system = "Gemini Agent 2", result = new { score = "80%", threshold = 80 } });

        var submission = SubmissionExtractor.Read(evaluation, call, session.Calls(), "a", EvaluationEvidence.Gather(evaluation, session.Evidence())).Submission!;

        Assert.Equal(("Gemini Agent 2", 80d, 80d), (submission.Subject, submission.Score!.Value, submission.Threshold!.Value));
        Assert.True(evaluation.AppliesTo("any-agent", "evaluator"));
        Assert.False(evaluation.AppliesTo("operator-1", "operator"));
        Assert.True(evaluation.IsSubmissionTool("SUBMIT_SCORE"));
    }

    private static PolicySet TestPoliciesInFolder(string folder, string yaml)
        => AgentGuard.Infrastructure.TestPolicies.Compile(yaml, Path.Combine(folder, "inline.yaml"));
}
