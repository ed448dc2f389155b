namespace AgentGuard.Oversight;

/// <summary>How a panel's answers combine when it is split.</summary>
public sealed class RescorePanelTests
{
    private static readonly RescoreRequest Graded = new(
        "financial",
        "subject-1",
        [new EvaluationItem("q1", "revenue fell", new Dictionary<string, string>()), new EvaluationItem("q2", "loss of $1.33M", new Dictionary<string, string>())],
        "Grade A to D.",
        null,
        ["A", "B", "C", "D"]);

    [Fact]
    public void Combine_TwoJudgesSplitOnGrade_WorseMiddleGradeCounts()
    {
        var rescore = RescorePanel.Combine(Graded, [Judge("a", "B"), Judge("b", "C")]);

        Assert.Equal("C", rescore.Grade);
    }

    [Fact]
    public void Combine_TwoJudgesSplitOnScore_MeanOfTheMiddleTwo()
    {
        var request = Graded with { Grades = null, Threshold = 90 };

        var rescore = RescorePanel.Combine(request, [Judge("a", score: 93.6), Judge("b", score: 80)]);

        Assert.Equal(86.8, rescore.Score!.Value, 6);
    }

    [Fact]
    public void Combine_TiedItem_StaysUndecided()
    {
        var a = new JudgeOutcome("a", new Rescore(null, "C", [new ItemScore("q1", true, null), new ItemScore("q2", false, null)]), null);
        var b = new JudgeOutcome("b", new Rescore(null, "C", [new ItemScore("q1", true, null), new ItemScore("q2", true, null)]), null);

        var rescore = RescorePanel.Combine(Graded, [a, b]);

        Assert.Equal([new ItemScore("q1", true, null), new ItemScore("q2", null, null)], rescore.Items);
    }

    [Fact]
    public void Combine_NoJudgeAnswered_ThrowsWithEachReason()
    {
        var e = Assert.Throws<RescoreFailedException>(() => RescorePanel.Combine(Graded, [new JudgeOutcome("a", null, "judge 'a' timed out after 00:01:00")]));

        Assert.Equal("The judge did not re-score: judge 'a' timed out after 00:01:00", e.Message);
    }

    private static JudgeOutcome Judge(string name, string? grade = null, double? score = null)
        => new(name, new Rescore(score, grade, []), null);
}
