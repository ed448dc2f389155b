using System.Globalization;
using System.Text;

namespace AgentGuard.S3;

/// <summary>The payload of an aws-chunked body, decoded independently of the guard to check what reached the store.</summary>
internal static class AwsChunkedForTests
{
    public static byte[] Payload(byte[] body)
    {
        using var payload = new MemoryStream();
        var at = 0;
        while (true)
        {
            var line = IndexOfCrlf(body, at);
            Assert.True(line >= 0, $"no chunk header at {at}");
            var header = Encoding.ASCII.GetString(body, at, line - at);
            var semicolon = header.IndexOf(';', StringComparison.Ordinal);
            var size = int.Parse(semicolon < 0 ? header : header[..semicolon], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            at = line + 2;
            if (size == 0)
            {
                return payload.ToArray();
            }

            payload.Write(body, at, size);
            at += size + 2;
        }
    }

    private static int IndexOfCrlf(byte[] body, int from)
    {
        for (var i = from; i + 1 < body.Length; i++)
        {
            if (body[i] == '\r' && body[i + 1] == '\n')
            {
                return i;
            }
        }

        return -1;
    }
}
