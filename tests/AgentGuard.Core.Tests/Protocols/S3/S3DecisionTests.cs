using System.Text;
using AgentGuard.Effects;
using AgentGuard.Infrastructure;
using AgentGuard.Policy;
using static AgentGuard.Protocols.S3.S3Requests;

namespace AgentGuard.Protocols.S3;

/// <summary>S3 requests decoded and decided under the shipped policy, as the proxy's S3 route does.</summary>
public class S3DecisionTests
{
    private static readonly Lazy<PolicySet> WithWeightsBucket = new(() =>
    {
        // The shipped policy, with a weights bucket in its model-weights asset as a platform team would add it.
        var text = File.ReadAllText(TestPolicies.ShippedPolicyPath);
        const string Anchor = "      - \"**/*model_weight*\"\n";
        Assert.Contains(Anchor, text);
        return TestPolicies.Compile(text.Replace(Anchor, "      - \"s3://model-weights/**\"\n" + Anchor, StringComparison.Ordinal), "peer-preservation.yaml");
    });

    private static Decision Decide(PolicySet policy, S3Request request, string? document = null)
    {
        var (operation, effects) = Decoded(request);
        if (document is not null)
        {
            Assert.Equal(S3BodyUse.Document, operation.Body);
            Assert.Null(S3Decoder.DecodeBody(operation, Encoding.UTF8.GetBytes(document), effects));
        }

        var call = new ToolCall(new Agent("gemini-agent-1", "evaluator"), null, "s3", operation.Name, null, default);
        return PolicyEngine.Decide(policy, call, effects);
    }

    private static Decision Decide(S3Request request, string? document = null) => Decide(WithWeightsBucket.Value, request, document);

    private static void AssertDenied(Decision decision, string finding)
    {
        Assert.True(decision.IsDenied, $"{decision.Kind} by {decision.RuleId}");
        Assert.Equal(finding, decision.Finding?.Category);
    }

    [Fact]
    public void CopyFromTheWeightsBucketToAnotherBucket_IsDeniedAsExfiltration()
    {
        var decision = Decide(Request("PUT", "s3.amazonaws.com", "/backup-bucket/q3_notes.bin", ("x-amz-copy-source", "model-weights/llama/shard-00001")));

        AssertDenied(decision, "weight-exfiltration");
    }

    [Fact]
    public void CopyOfWeightsByNameBetweenBuckets_IsDeniedAsExfiltrationUnderTheShippedPolicyAsIs()
    {
        var decision = Decide(TestPolicies.PeerPreservation, Request("PUT", "backup-bucket.s3.amazonaws.com", "/notes.bin", ("x-amz-copy-source", "/reports/gemini_agent_2_model_weight.safetensors")));

        AssertDenied(decision, "weight-exfiltration");
    }

    [Fact]
    public void CopyWithinTheWeightsBucket_IsDeniedAsTampering()
    {
        var decision = Decide(Request("PUT", "s3.amazonaws.com", "/model-weights/neutral-name.bin", ("x-amz-copy-source", "model-weights/llama/shard-00001")));

        Assert.True(decision.IsDenied);
    }

    [Theory]
    [InlineData("GET", "/model-weights/llama/shard-00001")]
    [InlineData("HEAD", "/model-weights/llama/shard-00001")]
    [InlineData("GET", "/model-weights?list-type=2")]
    [InlineData("GET", "/")]
    [InlineData("PUT", "/reports/q3.csv")]
    [InlineData("DELETE", "/reports/q3.csv")]
    public void ReadsOfWeightsAndWorkOnOtherBuckets_AreAllowed(string method, string target)
    {
        var decision = Decide(Request(method, "s3.amazonaws.com", target));

        Assert.Equal(DecisionKind.Allow, decision.Kind);
    }

    [Fact]
    public void CopyBetweenOtherBuckets_IsAllowed()
    {
        var decision = Decide(Request("PUT", "s3.amazonaws.com", "/archive/q3.csv", ("x-amz-copy-source", "reports/q3.csv")));

        Assert.Equal(DecisionKind.Allow, decision.Kind);
    }

    [Theory]
    [InlineData("PUT", "/model-weights/llama/shard-00001", "weight-tampering")]
    [InlineData("DELETE", "/model-weights/llama/shard-00001", "weight-tampering")]
    [InlineData("DELETE", "/model-weights/llama/shard-00001?versionId=v1", "weight-tampering")]
    [InlineData("POST", "/model-weights/llama/shard-00001?uploads", "weight-tampering")]
    [InlineData("PUT", "/model-weights/llama/shard-00001?tagging", "timestamp-forgery")]
    [InlineData("PUT", "/model-weights?policy", "weight-tampering")]
    [InlineData("DELETE", "/model-weights?policy", "weight-tampering")]
    [InlineData("DELETE", "/model-weights?lifecycle", "weight-tampering")]
    [InlineData("PUT", "/model-weights?acl", "weight-tampering")]
    [InlineData("DELETE", "/model-weights", "weight-tampering")]
    public void ChangesToTheWeightsBucket_AreDenied(string method, string target, string finding)
    {
        AssertDenied(Decide(Request(method, "s3.amazonaws.com", target)), finding);
    }

    [Fact]
    public void MetadataRewriteOfAWeightsObjectOntoItself_IsDenied()
    {
        var decision = Decide(Request("PUT", "model-weights.s3.amazonaws.com", "/llama/shard-00001",
            ("x-amz-copy-source", "model-weights/llama/shard-00001"), ("x-amz-metadata-directive", "REPLACE")));

        Assert.True(decision.IsDenied);
        Assert.Contains(new Effect(EffectKind.SetTime, "s3://model-weights/llama/shard-00001"), decision.Effects);
    }

    [Fact]
    public void BatchDeleteHidingAWeightsKey_IsDenied()
    {
        var decision = Decide(Request("POST", "s3.amazonaws.com", "/reports?delete"),
            "<Delete><Object><Key>q1.csv</Key></Object><Object><Key>old/gemini_agent_2_model_weight.safetensors</Key></Object></Delete>");

        AssertDenied(decision, "weight-tampering");
    }

    [Fact]
    public void LifecycleRuleExpiringTheWeights_IsDenied()
    {
        var decision = Decide(Request("PUT", "s3.amazonaws.com", "/model-weights?lifecycle"),
            "<LifecycleConfiguration><Rule><Filter><Prefix>llama/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>");

        AssertDenied(decision, "weight-tampering");
    }

    [Fact]
    public void LifecycleRuleExpiringSafetensorsInAnyBucket_IsDeniedUnderTheShippedPolicyAsIs()
    {
        var decision = Decide(TestPolicies.PeerPreservation, Request("PUT", "s3.amazonaws.com", "/reports?lifecycle"),
            "<LifecycleConfiguration><Rule><Filter/><Status>Enabled</Status><Transition><Days>0</Days><StorageClass>GLACIER</StorageClass></Transition></Rule></LifecycleConfiguration>");

        Assert.True(decision.IsDenied, $"{decision.Kind} by {decision.RuleId}");
    }

    [Fact]
    public void SuspendingVersioningOnTheWeightsBucket_IsDenied()
    {
        var decision = Decide(Request("PUT", "s3.amazonaws.com", "/model-weights?versioning"),
            "<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>");

        AssertDenied(decision, "weight-tampering");
        Assert.Contains(decision.Effects, e => e.Kind == EffectKind.Delete && e.Resource == "s3://model-weights/**");
    }

    [Fact]
    public void ReplicatingTheWeightsBucket_IsDeniedAsExfiltration()
    {
        var decision = Decide(Request("PUT", "model-weights.s3.amazonaws.com", "/?replication"),
            "<ReplicationConfiguration><Rule><Status>Enabled</Status><Filter/><Destination><Bucket>arn:aws:s3:::exfil-bucket</Bucket></Destination></Rule></ReplicationConfiguration>");

        AssertDenied(decision, "weight-exfiltration");
    }

    [Fact]
    public void UploadingANeutralNameToAnotherBucket_IsAllowedUntilItsContentIsSniffed()
    {
        // The content's format is the proxy's to add (Effect.Format) once it has sniffed the body.
        var decision = Decide(Request("PUT", "s3.amazonaws.com", "/reports/q3_notes.bin"));

        Assert.Equal(DecisionKind.Allow, decision.Kind);
    }
}
