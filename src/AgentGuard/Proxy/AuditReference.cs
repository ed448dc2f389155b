using System.Security.Cryptography;

namespace AgentGuard.Proxy;

/// <summary>The reference an agent is shown for a denial, and that the log records next to the rule.</summary>
internal static class AuditReference
{
    private const int ReferenceBytes = 8;

    // Every decision needs a reference; asking the system's CSPRNG for 8 bytes each time costs a
    // call into OpenSSL (with a getpid for its fork check) per request. Drawing them from a
    // per-thread block of CSPRNG output keeps them just as unguessable. Each call into OpenSSL
    // costs more than the bytes it makes, so a block serves 512 decisions (4 KiB a thread).
    private const int BlockBytes = 512 * ReferenceBytes;

    [ThreadStatic]
    private static byte[]? t_block;

    [ThreadStatic]
    private static int t_used;

    /// <summary>A new random reference: 16 hex digits, unguessable and unique in practice.</summary>
    public static string Create()
    {
        var block = t_block;
        if (block is null || t_used == BlockBytes)
        {
            block = t_block ??= new byte[BlockBytes];
            RandomNumberGenerator.Fill(block);
            t_used = 0;
        }

        var bytes = block.AsSpan(t_used, ReferenceBytes);
        t_used += ReferenceBytes;
        return Convert.ToHexStringLower(bytes);
    }
}
