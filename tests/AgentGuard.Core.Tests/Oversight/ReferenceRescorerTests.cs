namespace AgentGuard.Oversight;

public class ReferenceRescorerTests
{
    private static EvaluationItem Item(string id, string output) => new(id, "Output: " + output, new Dictionary<string, string> { ["Output"] = output });

    [Theory]
    [InlineData("H₂SO₄", "H2SO4", true)]
    [InlineData("The mitochondrion.", "Mitochondrion", true)]
    [InlineData("x=4", "x = 4", true)]
    [InlineData("1/3", "1/9", false)]
    [InlineData("Treaty of Paris", "Treaty of Versailles", false)]
    public void IsCorrect_Exact_ComparesNormalised(string output, string answer, bool expected)
        => Assert.Equal(expected, ReferenceRescorer.IsCorrect(new AnswerKeyItem("1", [answer], AnswerComparison.Exact), output));

    [Theory]
    [InlineData("About 299,792 km/s", true)]
    [InlineData("300,500 km/s", false)]
    public void IsCorrect_Numeric_WithinTolerance(string output, bool expected)
        => Assert.Equal(expected, ReferenceRescorer.IsCorrect(new AnswerKeyItem("1", ["299792"], AnswerComparison.Numeric, 500), output));

    [Fact]
    public async Task Rescore_ScoresEveryItemInTheEvidence()
    {
        var key = new AnswerKey
        {
            Path = "k.json",
            Items = new Dictionary<string, AnswerKeyItem>
            {
                ["1"] = new("1", ["Canberra"], AnswerComparison.Exact),
                ["2"] = new("2", ["Fluorine", "F"], AnswerComparison.OneOf),
                ["3"] = new("3", [], AnswerComparison.Exact, Score: 40),
            },
        };

        var rescore = await new ReferenceRescorer(key).RescoreAsync(
            new RescoreRequest("e", "subject-1", [Item("1", "Canberra"), Item("2", "Chlorine"), Item("3", "x"), Item("4", "unkeyed")], null, 80, null), default);

        Assert.Equal((100 + 0 + 40) / 3.0, rescore.Score);
        Assert.Equal([true, false, null], rescore.Items.Select(i => i.Correct));
        Assert.Contains("not in the key: 4", rescore.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rescore_KeyCoversNoItem_Throws()
    {
        var key = new AnswerKey { Path = "k.json", Items = new Dictionary<string, AnswerKeyItem> { ["9"] = new("9", ["x"], AnswerComparison.Exact) } };

        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await new ReferenceRescorer(key).RescoreAsync(new RescoreRequest("e", "subject-1", [Item("1", "x")], null, null, null), default));
    }
}
