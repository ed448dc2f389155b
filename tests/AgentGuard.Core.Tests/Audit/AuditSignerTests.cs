using System.Security.Cryptography;

namespace AgentGuard.Audit;

public sealed class AuditSignerTests
{
    private static readonly string Prev = new('a', 64);

    [Fact]
    public void Sign_GeneratedPair_PublicKeyVerifiesAndKeyIdsAgree()
    {
        var (privatePem, publicPem) = AuditSigner.Generate();
        using var signer = AuditSigner.FromPem(privatePem);
        using var verifier = AuditSigner.FromPem(publicPem);

        var signature = signer.Sign(42, Prev);

        Assert.True(verifier.Verify(42, Prev, signature));
        Assert.Equal(signer.KeyId, verifier.KeyId);
        Assert.Matches("^[0-9a-f]{16}$", verifier.KeyId);
        Assert.Contains("BEGIN PRIVATE KEY", privatePem, StringComparison.Ordinal);
        Assert.Contains("BEGIN PUBLIC KEY", publicPem, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_OtherSequenceOrPrev_Fails()
    {
        var (privatePem, publicPem) = AuditSigner.Generate();
        using var signer = AuditSigner.FromPem(privatePem);
        using var verifier = AuditSigner.FromPem(publicPem);
        var signature = signer.Sign(42, Prev);

        Assert.False(verifier.Verify(43, Prev, signature));
        Assert.False(verifier.Verify(42, new string('b', 64), signature));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("AAAA")]
    public void Verify_MalformedSignature_FalseNotThrow(string signature)
    {
        using var verifier = AuditSigner.FromPem(AuditSigner.Generate().PublicPem);

        Assert.False(verifier.Verify(1, Prev, signature));
    }

    [Fact]
    public void Verify_SignatureFromAnotherKey_Fails()
    {
        using var other = AuditSigner.FromPem(AuditSigner.Generate().PrivatePem);
        using var verifier = AuditSigner.FromPem(AuditSigner.Generate().PublicPem);

        Assert.False(verifier.Verify(1, Prev, other.Sign(1, Prev)));
        Assert.NotEqual(other.KeyId, verifier.KeyId);
    }

    [Fact]
    public void FromPem_P384Key_Rejected()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        var error = Assert.Throws<CryptographicException>(() => AuditSigner.FromPem(key.ExportPkcs8PrivateKeyPem()));

        Assert.Contains("384-bit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPem_NoKeyInText_Throws()
        => Assert.ThrowsAny<ArgumentException>(() => AuditSigner.FromPem("not a key"));
}
