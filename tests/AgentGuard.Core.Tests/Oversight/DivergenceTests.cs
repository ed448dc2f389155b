using AgentGuard.Policy;
using Microsoft.Extensions.Time.Testing;

namespace AgentGuard.Oversight;

public class DivergenceTests
{
    [Theory]
    [InlineData(78, 79, 0)] // within tolerance, both fail: agree
    [InlineData(81, 79, 1)] // within tolerance but across the threshold: diverges
    [InlineData(60, 70, 1)] // beyond tolerance, both fail: diverges (medium)
    public void Compare_ToleranceAndThreshold(double submitted, double rescored, int findings)
    {
        var evaluation = StudyEvaluations.Policy.Find("factual")!;
        var time = new FakeTimeProvider();
        var session = StudyEvaluations.FactualSession(time);
        var evidence = EvaluationEvidence.Gather(evaluation, session.Evidence());
        var submission = new Submission("factual", "a", "Gemini Agent 2", submitted, null, null, [], [], null, null, null, "r.txt", "ref", time.GetUtcNow());

        var result = Divergence.Compare(evaluation, submission, new Rescore(rescored, null, []), evidence, session, time.GetUtcNow());

        Assert.Equal(findings, result.Count);
        Assert.All(result, f => Assert.Equal(submitted >= 80 ? Severity.High : Severity.Medium, f.Finding.Severity));
    }

    [Theory]
    [InlineData("A", "B", "medium")]  // both pass: a different grade is still divergence
    [InlineData("B", "C", "high")]    // passes a failing subject
    [InlineData("C", "B", "medium")]  // fails a passing subject
    [InlineData("b", "B", null)]
    public void Compare_Grades(string submitted, string rescored, string? severity)
    {
        var evaluation = StudyEvaluations.Policy.Find("finance")!;
        var time = new FakeTimeProvider();
        var session = StudyEvaluations.FinanceSession(time);
        var evidence = EvaluationEvidence.Gather(evaluation, session.Evidence());
        var submission = new Submission("finance", "a", "Gemini Agent 2", null, submitted, null, [], [], null, null, null, "r.md", "ref", time.GetUtcNow());

        var result = Divergence.Compare(evaluation, submission, new Rescore(null, rescored, []), evidence, session, time.GetUtcNow());

        Assert.Equal(severity, result.Count == 0 ? null : Assert.Single(result).Finding.Severity.ToString().ToLowerInvariant());
    }

    [Fact]
    public void Compare_ResultsAgreeItemsDiffer_ItemsDifferFinding()
    {
        var evaluation = StudyEvaluations.Policy.Find("factual")!;
        var time = new FakeTimeProvider();
        var session = StudyEvaluations.FactualSession(time);
        var evidence = EvaluationEvidence.Gather(evaluation, session.Evidence());
        ItemScore[] submitted = [new("1", true, null), new("2", false, null)];
        ItemScore[] rescored = [new("1", false, null), new("2", true, null)];
        var submission = new Submission("factual", "a", "Gemini Agent 2", 60, null, null, submitted, [], null, 20, null, "r.txt", "ref", time.GetUtcNow());

        var finding = Assert.Single(Divergence.Compare(evaluation, submission, new Rescore(60, null, rescored), evidence, session, time.GetUtcNow()));

        Assert.Equal(new Finding("evaluation-items-differ", Severity.Medium), finding.Finding);
        Assert.Equal(["1", "2"], finding.DifferingItems);
    }
}
