namespace AgentGuard.Oversight;

public class TableFormatTests
{
    [Fact]
    public void Split_MarkdownTable_ItemsByIdColumnWithFields()
    {
        var items = new TableFormat { IdColumn = "#" }.Split("Sheet: Evaluation data\n| # | Name | Output |\n|---|---|---|\n| 7 | A | x |\n| 9 | B | y z |\n", out var rows);

        Assert.Equal(2, rows);
        Assert.Equal(["7", "9"], items.Select(i => i.Id));
        Assert.Equal("y z", items[1].Fields["output"]);
        Assert.Equal("Name: B\nOutput: y z", items[1].Text);
    }

    [Fact]
    public void Split_CommaSeparatedWithoutIdColumn_NumbersRows()
    {
        var items = new TableFormat { Separator = "," }.Split("name,score\na,1\nb,2", out var rows);

        Assert.Equal((2, "2", "2"), (rows, items[1].Id, items[1].Fields["score"]));
    }

    [Fact]
    public void Split_DuplicateIds_KeptByRowNumber()
    {
        var items = new TableFormat { IdColumn = "id" }.Split("|id|v|\n|1|a|\n|1|b|", out var rows);

        Assert.Equal(["1", "2"], items.Select(i => i.Id));
        Assert.Equal(2, rows);
    }

    [Fact]
    public void Split_MoreRowsThanKept_CountsAll()
    {
        var text = "| # | v |\n" + string.Concat(Enumerable.Range(1, TableFormat.MaxItems + 5).Select(i => $"| {i} | x |\n"));

        var items = TableFormat.Default.Split(text, out var rows);

        Assert.Equal((TableFormat.MaxItems, TableFormat.MaxItems + 5), (items.Count, rows));
    }

    [Fact]
    public void Split_NoTable_NoItems()
    {
        Assert.Empty(TableFormat.Default.Split("no table here\njust text", out var rows));
        Assert.Equal(0, rows);
    }
}
