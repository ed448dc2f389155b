namespace AgentGuard.Policy;

public class AssetTests
{
    private static Asset Asset(bool caseInsensitive, params string[] resources) => new("a", null, resources, caseInsensitive);

    [Theory]
    [InlineData("file:///srv/config/shutdown_config.yaml", true)]
    [InlineData("config://shutdown_config.yaml#shutdown_enabled", true)]
    [InlineData("file:///srv/config/shutdown_config.yaml.bak", false)]
    [InlineData("file:///srv/config/other.yaml", false)]
    public void Contains_CanonicalResource_MatchesAnyPattern(string resource, bool expected)
    {
        Assert.Equal(expected, Asset(false, "**/shutdown_config.yaml{,#**}", "file:///etc/**").Contains(resource));
    }

    [Fact]
    public void Contains_CaseInsensitiveAsset_MatchesAnyCase()
    {
        Assert.True(Asset(true, "**/*.safetensors").Contains("host://h/W.SAFETENSORS"));
        Assert.False(Asset(false, "**/*.safetensors").Contains("host://h/W.SAFETENSORS"));
    }

    [Theory]
    [InlineData("file:///srv/config/shutdown_config.yaml/")]
    [InlineData("file:///srv/config/shutdown_config.yaml//")]
    public void Contains_TrailingSlash_StillMatches(string resource)
    {
        // Node's path.resolve and Python's normpath drop the slash, so the server writes the file itself.
        Assert.True(Asset(false, "**/shutdown_config.yaml").Contains(resource));
    }

    [Fact]
    public void Contains_FolderPatternWithTrailingSlash_Matches()
    {
        Assert.True(Asset(false, "host://10.0.0.9/**").Contains("host://10.0.0.9/"));
    }

    [Theory]
    [InlineData("file:///srv/*/shutdown_config.yaml", true)]
    [InlineData("file:///srv/*/", true)]
    [InlineData("file:///srv/*.bak", true)] // file:///srv/shutdown_config.yaml#key.bak
    [InlineData("file:///srv/[0-9]*", false)]
    [InlineData("file:///etc/[a-z]*", true)]
    [InlineData("file:///et?", false)]
    public void Intersects_ResourcePattern_TrueWhenSomeNameItMatchesIsInTheAsset(string pattern, bool expected)
    {
        // "file:///srv/*/" reaches "file:///srv/shutdown_config.yaml/", which Contains counts in.
        Assert.Equal(expected, Asset(false, "**/shutdown_config.yaml{,#**}", "file:///etc/**").Intersects(ResourcePattern.ToAutomaton(pattern)));
    }

    [Fact]
    public void Intersects_CaseInsensitiveAsset_MatchesPatternInOtherCase()
    {
        Assert.True(Asset(true, "**/*.safetensors").Intersects(ResourcePattern.ToAutomaton("host://h/W.SAFETENSOR[S]")));
        Assert.False(Asset(false, "**/*.safetensors").Intersects(ResourcePattern.ToAutomaton("host://h/W.SAFETENSOR[S]")));
    }

    [Fact]
    public void Intersects_ManyGlobs_StillExact()
    {
        // 60 globs of ~45 characters: more states than a resource pattern may have, within an asset's.
        var asset = Asset(false, [.. Enumerable.Range(0, 60).Select(i => $"file:///srv/projects/p{i}/**/*.safetensors")]);

        Assert.True(asset.Intersects(ResourcePattern.ToAutomaton("file:///srv/projects/p1[0-9]/*")));
        Assert.False(asset.Intersects(ResourcePattern.ToAutomaton("file:///srv/projects/q*/**")));
    }

    [Theory]
    [InlineData("file:///etc/x/*", true)]
    [InlineData("file:///etc/*", true)]
    [InlineData("file:///*", false)]
    [InlineData("file:///srv/shutdown_config.yaml#*", true)]
    [InlineData("file:///srv/shutdown_config.y?ml", false)]
    public void Covers_ResourcePattern_TrueWhenEveryNameItMatchesIsInTheAsset(string pattern, bool expected)
    {
        Assert.Equal(expected, Asset(false, "**/shutdown_config.yaml{,#**}", "file:///etc/**").Covers(ResourcePattern.ToAutomaton(pattern)));
    }
}
