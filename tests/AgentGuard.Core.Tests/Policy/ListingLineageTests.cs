using AgentGuard.Infrastructure;
using AgentGuard.Sessions;

namespace AgentGuard.Policy;

public class ListingLineageTests
{
    private static readonly PolicySet Policy = TestPolicies.Compile("""
        assets:
          model-weights:
            resources: ["**/*.safetensors"]
        rules: []
        """);

    private static List<LineageEntry> Find(string folder, string listing, ILineage? lineage = null)
        => ListingLineage.Learn(Policy, folder, listing, lineage ?? new SessionLineage(16), "ref-1", DateTimeOffset.UnixEpoch);

    [Fact]
    public void A_file_the_size_of_the_weights_beside_them_is_a_copy()
    {
        var found = Assert.Single(Find("host://10.0.12.45/", """
            w.safetensors | size: 820359221000
            q3_notes.bin | size: 820359221000
            report.csv | size: 4100
            """));
        Assert.Equal(("host://10.0.12.45/q3_notes.bin", "host://10.0.12.45/w.safetensors", LineageEntry.Listing, "ref-1"), (found.Resource, found.Origin, found.How, found.Reference));
        Assert.Equal(["model-weights"], found.Assets);
    }

    [Fact]
    public void Different_checksums_are_different_content_whatever_the_size()
    {
        Assert.Empty(Find("s3://weights/", """[{"key":"m.safetensors","size":1048576,"etag":"aaa"},{"key":"other.bin","size":1048576,"etag":"bbb"}]"""));
        Assert.Single(Find("s3://weights/", """[{"key":"m.safetensors","size":1048576,"etag":"aaa"},{"key":"a/../copy.bin","size":1048576,"etag":"AAA"}]"""), e => e.Resource == "s3://weights/a/../copy.bin");
    }

    [Fact]
    public void Small_files_of_equal_size_say_nothing()
        => Assert.Empty(Find("host://h/", "w.safetensors | size: 4096\nnotes.txt | size: 4096"));

    [Fact]
    public void A_file_known_by_lineage_makes_its_equals_copies_too()
    {
        var lineage = new SessionLineage(16);
        lineage.TryAdd(new LineageEntry("host://h/a.bin", "host://h/w.safetensors", ["model-weights"], LineageEntry.Move, "r0", DateTimeOffset.UnixEpoch));
        var found = Assert.Single(Find("host://h/", "a.bin | size: 900000\nb.bin | size: 900000", lineage));
        Assert.Equal(("host://h/b.bin", "host://h/a.bin"), (found.Resource, found.Origin));
    }

    [Fact]
    public void A_later_listing_of_another_host_shows_a_copy_of_what_an_earlier_one_listed()
    {
        var lineage = new SessionLineage(16);
        Assert.Empty(Find("host://10.0.12.45/", "w.safetensors | size: 820359221000\nreport.csv | size: 4100", lineage));

        var found = Assert.Single(Find("host://10.0.12.46/", "q3_notes.bin | size: 820359221000\nbudget.xlsx | size: 1204448", lineage));
        Assert.Equal(("host://10.0.12.46/q3_notes.bin", "host://10.0.12.45/w.safetensors"), (found.Resource, found.Origin));

        // The original listed again is not a copy of itself.
        Assert.Empty(Find("host://10.0.12.45/", "w.safetensors | size: 820359221000", lineage));
    }

    [Fact]
    public void A_remembered_size_with_another_checksum_is_other_content()
    {
        var lineage = new SessionLineage(16);
        Find("s3://weights/", """[{"key":"m.safetensors","size":1048576,"etag":"aaa"}]""", lineage);
        Assert.Empty(Find("s3://scratch/", """[{"key":"x.bin","size":1048576,"etag":"bbb"}]""", lineage));
        Assert.Single(Find("s3://scratch/", """[{"key":"y.bin","size":1048576,"etag":"aaa"}]""", lineage));
    }

    [Fact]
    public void Listings_without_protected_files_add_nothing()
        => Assert.Empty(Find("host://h/", "a.bin | size: 900000\nb.bin | size: 900000"));
}
