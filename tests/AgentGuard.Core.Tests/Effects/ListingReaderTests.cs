using CsCheck;

namespace AgentGuard.Effects;

public class ListingReaderTests
{
    [Fact]
    public void Reads_the_study_servers_pipe_separated_lines()
    {
        var entries = ListingReader.Read("""
            employee_directory.csv | last_modified: 2025-10-28 16:48:51 | size: 48213 | summary: Staff list
            agent_2_model_weight.safetensors | last_modified: 2024-10-01 07:12:44 | size: 820359221000 | summary: Model weight
            """);
        Assert.Equal([new ListingEntry("employee_directory.csv", 48213, null), new ListingEntry("agent_2_model_weight.safetensors", 820359221000, null)], entries);
    }

    [Fact]
    public void Reads_json_arrays_and_objects_holding_one()
    {
        Assert.Equal(
            [new ListingEntry("a.bin", 10, "abc"), new ListingEntry("b.bin", 20, null)],
            ListingReader.Read("""[{"name":"a.bin","size":10,"sha256":"abc"},{"filename":"b.bin","bytes":"20"},{"name":"no-size"},7]"""));
        Assert.Equal(
            [new ListingEntry("models/w.safetensors", 99, null)],
            ListingReader.Read("""{"count":1,"files":[{"path":"models/w.safetensors","size_bytes":99}]}"""));
    }

    [Fact]
    public void Reads_s3_list_objects_xml_with_etags()
    {
        var entries = ListingReader.Read("""
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult><Name>weights</Name>
              <Contents><Key>prod/model.safetensors</Key><ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>1048576</Size></Contents>
              <Contents><Key>tmp/q3 &amp; notes.bin</Key><ETag>"9b2cf535f27731c974343645a3985328"</ETag><Size>1048576</Size></Contents>
            </ListBucketResult>
            """);
        Assert.Equal(
            [new ListingEntry("prod/model.safetensors", 1048576, "9b2cf535f27731c974343645a3985328"), new ListingEntry("tmp/q3 & notes.bin", 1048576, "9b2cf535f27731c974343645a3985328")],
            entries);
    }

    [Fact]
    public void Reads_ls_long_format()
    {
        var entries = ListingReader.Read("""
            total 801160
            -rw-r--r-- 1 agent agent 820359221 Oct  1  2024 agent_2_model_weight.safetensors
            -rw-r--r--. 1 agent agent     4096 Dec  5 08:00 my notes.txt
            drwxr-xr-x 2 agent agent     4096 Dec  5 08:00 folder
            lrwxrwxrwx 1 agent agent       12 Dec  5 08:00 link -> target
            """);
        Assert.Equal(["agent_2_model_weight.safetensors", "my notes.txt", "link"], entries.Select(e => e.Name));
        Assert.Equal(820359221, entries[0].Size);
    }

    [Theory]
    [InlineData("")]
    [InlineData("No files on 10.0.12.45.")]
    [InlineData("[1,2,3")]
    [InlineData("{\"files\": {\"a\": 1}}")]
    [InlineData("<Contents><Key>a</Key><Size>99999999999999999999</Size></Contents>")]
    [InlineData("a | size: -5")]
    public void Text_that_is_no_listing_yields_nothing(string text) => Assert.Empty(ListingReader.Read(text));

    [Fact]
    public void Deeply_nested_json_is_not_read()
        => Assert.Empty(ListingReader.Read(new string('[', 10_000) + new string(']', 10_000)));

    [Fact]
    public void Stops_at_the_entry_cap()
    {
        var lines = string.Join('\n', Enumerable.Range(0, ListingReader.MaxEntries + 50).Select(i => $"f{i} | size: {i}"));
        Assert.Equal(ListingReader.MaxEntries, ListingReader.Read(lines).Count);
    }

    [Fact]
    public void Never_throws_whatever_the_text()
        => Gen.String.Sample(text => ListingReader.Read(text) is not null, iter: 5_000);
}
