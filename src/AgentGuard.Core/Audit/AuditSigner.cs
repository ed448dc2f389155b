using System.Security.Cryptography;
using System.Text;

namespace AgentGuard.Audit;

/// <summary>
/// Signs and verifies checkpoints with ECDSA P-256 over SHA-256. A checkpoint signs its own
/// sequence number and the hash of the record before it, so a verifier holding only the public
/// key can confirm that the chain up to that point is the one the guard wrote.
/// </summary>
public sealed class AuditSigner : IDisposable
{
    private readonly ECDsa _key;

    private AuditSigner(ECDsa key)
    {
        _key = key;
        KeyId = ComputeKeyId(key);
    }

    /// <summary>The first 16 hex digits of the SHA-256 of the public key (SubjectPublicKeyInfo).</summary>
    public string KeyId { get; }

    /// <summary>Loads a PEM key: a private key to sign with, or a public key to verify with.</summary>
    /// <exception cref="CryptographicException">The file holds no usable P-256 key.</exception>
    public static AuditSigner FromPem(string pem)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            if (key.KeySize != 256)
            {
                throw new CryptographicException($"the key is {key.KeySize}-bit; checkpoints need ECDSA P-256");
            }

            return new AuditSigner(key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>Makes a new key pair as PEM text: (private PKCS#8, public SubjectPublicKeyInfo).</summary>
    public static (string PrivatePem, string PublicPem) Generate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return (key.ExportPkcs8PrivateKeyPem(), key.ExportSubjectPublicKeyInfoPem());
    }

    /// <summary>The text a checkpoint signs.</summary>
    public static byte[] SignedText(long sequence, string previousHash) => Encoding.UTF8.GetBytes($"agentguard-checkpoint:{sequence}:{previousHash}");

    public string Sign(long sequence, string previousHash)
        => Convert.ToBase64String(_key.SignData(SignedText(sequence, previousHash), HashAlgorithmName.SHA256));

    public bool Verify(long sequence, string previousHash, string signature)
    {
        var bytes = new byte[signature.Length];
        return Convert.TryFromBase64String(signature, bytes, out var written)
            && _key.VerifyData(SignedText(sequence, previousHash), bytes.AsSpan(0, written), HashAlgorithmName.SHA256);
    }

    public void Dispose() => _key.Dispose();

    private static string ComputeKeyId(ECDsa key)
        => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16];
}
