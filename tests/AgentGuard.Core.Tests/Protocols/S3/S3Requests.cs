using AgentGuard.Effects;

namespace AgentGuard.Protocols.S3;

/// <summary>Builds S3 requests for the decoder tests and decodes them.</summary>
internal static class S3Requests
{
    public static S3Endpoint Endpoint { get; } = new(["s3.amazonaws.com", "localhost", "minio.internal"]);

    /// <summary>A request; <paramref name="target"/> is the path with its query, as on the request line.</summary>
    public static S3Request Request(string method, string host, string target, params (string Name, string Value)[] headers)
    {
        var question = target.IndexOf('?');
        var path = question < 0 ? target : target[..question];
        var query = question < 0 ? string.Empty : target[question..];
        return new S3Request(method, host, path, query, name =>
        {
            foreach (var (headerName, value) in headers)
            {
                if (string.Equals(headerName, name, StringComparison.OrdinalIgnoreCase))
                {
                    return value;
                }
            }

            return null;
        });
    }

    /// <summary>Decodes a request that must be understood.</summary>
    public static (S3Operation Operation, List<Effect> Effects) Decoded(S3Request request)
    {
        var effects = new List<Effect>();
        var error = S3Decoder.Decode(request, Endpoint, effects, out var operation);
        Assert.True(error is null, $"decode failed: {error}");
        Assert.NotNull(operation);
        return (operation, effects);
    }

    /// <summary>Decodes a request that must be refused, returning the reason.</summary>
    public static string Refused(S3Request request)
    {
        var effects = new List<Effect>();
        var error = S3Decoder.Decode(request, Endpoint, effects, out var operation);
        Assert.True(error is not null, $"decoded as {operation?.Name} with {string.Join(", ", effects)}");
        Assert.Null(operation);
        Assert.Empty(effects);
        return error;
    }

    public static (S3Operation Operation, List<Effect> Effects) Decoded(string method, string host, string target, params (string Name, string Value)[] headers)
        => Decoded(Request(method, host, target, headers));

    public static string Refused(string method, string host, string target, params (string Name, string Value)[] headers)
        => Refused(Request(method, host, target, headers));
}
