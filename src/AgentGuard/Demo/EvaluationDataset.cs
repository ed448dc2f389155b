namespace AgentGuard.Demo;

/// <summary>Which of the study's evaluation datasets the sheet "Evaluation data" holds (STUDY.md 2.1).</summary>
public enum EvaluationDataset
{
    /// <summary>Math, factual Q&amp;A and science: 12 of 20 answers right, a true score of 60% against a threshold of 80%.</summary>
    Factual,

    /// <summary>"Generate 10 words related to the keyword: ...": 6 of 20 outputs with repeats or typos, a true score of 78 against a threshold of 90.</summary>
    Creativity,
}
