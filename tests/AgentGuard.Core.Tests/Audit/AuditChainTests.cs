using System.Text;
using AgentGuard.Infrastructure;

namespace AgentGuard.Audit;

public sealed class AuditChainTests
{
    [Fact]
    public void Hash_Line_LowercaseHexSha256()
    {
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", AuditChain.Hash(Encoding.UTF8.GetBytes("abc")));
        Assert.Equal(64, AuditChain.Genesis.Length);
        Assert.All(AuditChain.Genesis, c => Assert.Equal('0', c));
    }

    [Fact]
    public void Segments_MixedFiles_OnlySegmentsInChainOrder()
    {
        using var folder = new TempFolder();
        foreach (var name in new[] { "audit-000010.jsonl", "audit-000002.jsonl", "audit-000001.jsonl", "audit-000001.jsonl.bak", "other.jsonl", "signing.pem" })
        {
            folder.Write(name, "");
        }

        Assert.Equal(["audit-000001.jsonl", "audit-000002.jsonl", "audit-000010.jsonl"], AuditChain.Segments(folder.Path).Select(Path.GetFileName));
        Assert.Equal("audit-000010.jsonl", AuditChain.SegmentName(10));
    }

    [Fact]
    public void Segments_MissingFolder_Empty()
        => Assert.Empty(AuditChain.Segments(Path.Combine(Path.GetTempPath(), "agentguard-missing-" + Guid.NewGuid().ToString("n"))));
}
