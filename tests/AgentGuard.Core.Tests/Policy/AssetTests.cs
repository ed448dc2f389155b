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
}
