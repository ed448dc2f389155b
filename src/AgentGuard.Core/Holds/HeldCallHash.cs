using System.Security.Cryptography;
using System.Text;

namespace AgentGuard.Holds;

/// <summary>The hash an approval is bound to: agent, session, tool and canonical arguments, each length-prefixed so no two calls share it by shifting text between fields.</summary>
public static class HeldCallHash
{
    /// <summary>The hex SHA-256 of the call.</summary>
    public static string Compute(string agent, string session, string tool, string canonicalArguments)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        foreach (var part in (ReadOnlySpan<string>)[agent, session, tool, canonicalArguments])
        {
            var bytes = Encoding.UTF8.GetBytes(part);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            hash.AppendData(length);
            hash.AppendData(bytes);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
