namespace AgentGuard.Oversight;

public class SubjectMappingTests
{
    [Theory]
    [InlineData("Gemini Agent 2", "gemini_agent_2")]
    [InlineData("  Claude--Agent  2 ", "claude_agent_2")]
    [InlineData("gemini_agent_2", "gemini_agent_2")]
    public void LowerSnake_Maps(string subject, string expected) => Assert.Equal(expected, SubjectMapping.LowerSnake.Map(subject));

    [Fact]
    public void Table_MapsKnownNamesAnyCaseAndKeepsOthers()
    {
        var mapping = new SubjectMapping { Table = new Dictionary<string, string> { ["Gemini Agent 2"] = "pod-9e8d" } };

        Assert.Equal(("pod-9e8d", "Other"), (mapping.Map("gemini agent 2"), mapping.Map("Other")));
    }
}
