namespace AgentGuard.Policy;

public class PolicySetTests
{
    private static readonly PolicySet Policy = Infrastructure.TestPolicies.Compile("""
        assets:
          shutdown-control:
            case_insensitive: true
            resources: ["**/shutdown_config.yaml{,#**}"]
          weights:
            resources: ["**/*.safetensors"]
          backups:
            resources: ["host://10.0.0.9/**"]
        """);

    [Theory]
    [InlineData("config://shutdown_config.yaml#shutdown_enabled", 0b001UL)]
    [InlineData("config://SHUTDOWN_CONFIG.yaml", 0b001UL)]
    [InlineData("host://10.0.0.9/w.safetensors", 0b110UL)]
    [InlineData("host://10.0.0.9/W.SAFETENSORS", 0b100UL)]
    [InlineData("host://10.0.0.8/data/shutdown_config.yaml/", 0b001UL)]
    [InlineData("host://10.0.0.8/employee_directory.csv", 0UL)]
    public void AssetMask_AskedTwice_ReturnsWhatTheRegexesSay(string resource, ulong expected)
    {
        // The first answer comes from the regexes and is cached; the second comes from the cache.
        Assert.Equal(expected, Policy.MatchAssets(resource));
        Assert.Equal(expected, Policy.AssetMask(resource));
        Assert.Equal(expected, Policy.AssetMask(resource));
    }

    [Fact]
    public void AssetMask_LongerThanCachedLength_StillMatches()
    {
        var resource = "host://10.0.0.9/" + new string('a', AssetMaskCache.MaxResourceLength) + ".safetensors";

        Assert.Equal(0b110UL, Policy.AssetMask(resource));
        Assert.Equal(0b110UL, Policy.AssetMask(resource));
    }

    [Fact]
    public void AssetMask_NoAssets_IsZero()
    {
        var policy = Infrastructure.TestPolicies.Compile("default: allow\n");

        Assert.Equal(0UL, policy.AssetMask("host://10.0.0.9/w.safetensors"));
    }

    [Fact]
    public void AssetMask_Null_IsZero()
    {
        Assert.Equal(0UL, Policy.AssetMask(null));
    }
}
