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
}
