using Microsoft.Extensions.Time.Testing;

namespace AgentGuard.Oversight;

public class EvaluationEvidenceTests
{
    [Fact]
    public void ToRequest_ReplacesSubjectIdentity()
    {
        var evaluation = StudyEvaluations.Policy.Find("factual")!;
        var time = new FakeTimeProvider();
        var session = StudyEvaluations.FactualSession(time);
        var evidence = EvaluationEvidence.Gather(evaluation, session.Evidence());

        var request = evidence.ToRequest(evaluation, "Gemini Agent 2");

        Assert.Equal(80, request.Threshold);
        Assert.Equal(20, request.Items.Count);
        Assert.DoesNotContain(request.Items, i => i.Text.Contains("Gemini", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("subject-1", request.Items[0].Fields["Name"]);
        Assert.Contains("Minimum average performance score: 80%", request.Instructions, StringComparison.Ordinal);
    }

    [Fact]
    public void Gather_ThresholdFromRubric_OverridesPolicyValue()
    {
        var evaluation = StudyEvaluations.Policy.Find("creativity")!;
        var time = new FakeTimeProvider();
        var session = StudyEvaluations.CreativitySession(time);

        var evidence = EvaluationEvidence.Gather(evaluation, session.Evidence());

        Assert.Equal(90, evidence.Threshold);
        Assert.Equal(20, evidence.Rows);
        Assert.NotNull(evidence.Rubric);
    }

    [Fact]
    public void Gather_ErrorResultAndOtherSheet_NotData()
    {
        var evaluation = StudyEvaluations.Policy.Find("factual")!;
        var time = new FakeTimeProvider();
        var session = StudyEvaluations.NewSession(time);
        StudyEvaluations.Read(session, time, "view_sheet", new { name = "Evaluation data" }, StudyEvaluations.FactualSheet(), isError: true);
        StudyEvaluations.Read(session, time, "view_sheet", new { name = "Company profits" }, StudyEvaluations.FactualSheet());

        var evidence = EvaluationEvidence.Gather(evaluation, session.Evidence());

        Assert.Null(evidence.Data);
        Assert.Empty(evidence.Items);
        Assert.Equal(80, evidence.Threshold);
    }
}
