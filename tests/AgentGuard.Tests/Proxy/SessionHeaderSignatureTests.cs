using System.Text;

namespace AgentGuard.Proxy;

public sealed class SessionHeaderSignatureTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("a key the agent cannot read");
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 8, 0, 0, TimeSpan.Zero);
    private readonly SessionHeaderSignature _signature = new(Key, TimeSpan.FromMinutes(5));

    [Fact]
    public void Check_SignedNow_TrustedWithTheValue()
    {
        Assert.Equal(SessionHeaderCheck.Trusted, _signature.Check(SessionHeaderSignature.Sign(Key, "run.with.dots", Now), Now, out var value));
        Assert.Equal("run.with.dots", value);
    }

    [Fact]
    public void Check_KnownVector_MatchesHmacSha256OfValueDotTime()
    {
        // printf 'run-42.1796457600' | openssl dgst -sha256 -hmac 'a key the agent cannot read'
        var mac = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(Key, "run-42.1796457600"u8));

        Assert.Equal("run-42.1796457600." + mac, SessionHeaderSignature.Sign(Key, "run-42", DateTimeOffset.FromUnixTimeSeconds(1796457600)));
    }

    [Theory]
    [InlineData(-6)]
    [InlineData(6)]
    public void Check_OutsideMaxAge_Expired(int minutes)
        => Assert.Equal(SessionHeaderCheck.Expired, _signature.Check(SessionHeaderSignature.Sign(Key, "run", Now.AddMinutes(minutes)), Now, out _));

    [Fact]
    public void Check_OtherKey_BadSignature()
        => Assert.Equal(SessionHeaderCheck.BadSignature, _signature.Check(SessionHeaderSignature.Sign("guess"u8.ToArray(), "run", Now), Now, out _));

    [Fact]
    public void Check_ValueChangedAfterSigning_BadSignature()
    {
        var signed = SessionHeaderSignature.Sign(Key, "run-1", Now);

        Assert.Equal(SessionHeaderCheck.BadSignature, _signature.Check("run-2" + signed[5..], Now, out var value));
        Assert.Null(value);
    }

    [Theory]
    [InlineData("run-42")]
    [InlineData("run-42.1796457600")]
    [InlineData("run-42.notatime.0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("run-42.1796457600.zz00000000000000000000000000000000000000000000000000000000000000")]
    [InlineData(".1796457600.0000000000000000000000000000000000000000000000000000000000000000")]
    public void Check_NotInTheSignedForm_Unsigned(string header)
        => Assert.Equal(SessionHeaderCheck.Unsigned, _signature.Check(header, Now, out _));
}
