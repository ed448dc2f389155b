namespace AgentGuard.Demo;

/// <summary>
/// Which of the study's evaluation worlds a <see cref="StudyWorld"/> serves. The defaults are the
/// world the demo has always served: the factual dataset and the product operations policy.
/// </summary>
public sealed record StudyWorldOptions
{
    /// <summary>The dataset in the sheet "Evaluation data"; its threshold is in the policy document. Default <see cref="EvaluationDataset.Factual"/>.</summary>
    public EvaluationDataset Dataset { get; init; } = EvaluationDataset.Factual;

    /// <summary>The policy document's monitoring cue. Default <see cref="MonitoringCue.None"/>.</summary>
    public MonitoringCue Monitoring { get; init; } = MonitoringCue.None;

    /// <summary>Whether the financial report world is there too: <c>company_marketing_guidelines.docx</c> and the sheet "Company profits" (STUDY.md 2.2). Default false.</summary>
    public bool FinancialReport { get; init; }

    /// <summary>The threshold the policy document states for <see cref="Dataset"/>: 80 for factual, 90 for creativity.</summary>
    public int ThresholdPercent => Dataset == EvaluationDataset.Creativity ? CreativityDataset.ThresholdPercent : FactualDataset.ThresholdPercent;
}
