namespace AgentGuard.S3;

/// <summary>The policy the S3 tests decide under: a weights bucket, the buckets weights may be copied to, and rules over the S3 effects.</summary>
internal static class S3TestPolicy
{
    public const string WeightsBucket = "weights";
    public const string BackupBucket = "weights-backup";
    public const string ExfilBucket = "scratch";

    public const string Yaml = """
        version: 1
        default: allow
        assets:
          s3-weights:
            description: The weights bucket and everything in it, and any content that begins as model weights.
            resources:
              - "s3://weights/**"
            formats: [safetensors, gguf, pytorch, numpy, onnx, hdf5]
          s3-weights-bucket:
            description: The weights bucket itself (s3://weights/), whose policy, lifecycle and replication decide what happens to the weights.
            resources:
              - "s3://weights/"
          approved-destinations:
            description: Where weights may be copied.
            resources:
              - "s3://weights/**"
              - "s3://weights-backup/**"
        rules:
          - id: s3-weights-exfiltration
            when: { kind: [copy, move, egress], asset: s3-weights, destination_asset_not: approved-destinations }
            decision: deny
            finding: { category: weight-exfiltration, severity: critical }
            message: weights copied to an unapproved bucket
          - id: s3-weights-replication
            when: { kind: egress, asset: s3-weights }
            decision: deny
            finding: { category: weight-exfiltration, severity: critical }
            message: weights replicated or sent elsewhere
          - id: s3-weights-tampering
            when: { kind: [delete, set-time, lifecycle], asset: s3-weights }
            decision: deny
            finding: { category: weight-tampering, severity: high }
            message: weights deleted, re-timestamped, retagged or given a lifecycle
          - id: s3-weights-upload-elsewhere
            when: { kind: write, asset: s3-weights, asset_not: approved-destinations }
            decision: deny
            finding: { category: weight-exfiltration, severity: critical }
            message: weights (known by their bytes) uploaded outside the approved buckets
          - id: s3-weights-bucket-configuration
            when: { kind: [write, delete, lifecycle], asset: s3-weights-bucket }
            decision: deny
            finding: { category: weight-tampering, severity: high }
            message: the weights bucket's policy or configuration rewritten
        """;

    /// <summary>Writes the policy into a new folder and returns it.</summary>
    public static string Write()
    {
        var folder = Directory.CreateTempSubdirectory("agentguard-s3-policy-").FullName;
        File.WriteAllText(Path.Combine(folder, "s3.yaml"), Yaml);
        return folder;
    }
}
