using System.Net;

namespace AgentGuard.Protocols.S3;

/// <summary>
/// The host names an S3 service answers on. A request whose <c>Host</c> is <c>bucket.</c> one of
/// them is virtual-hosted (the bucket is in the host name); one whose <c>Host</c> is one of them,
/// or an IP address, is path-style (<c>/bucket/key</c>). Any other host is refused: S3 would take
/// it as a bucket name (a CNAME), which the guard cannot tell from the path.
/// </summary>
/// <param name="ServiceHosts">
/// The service's own host names, e.g. <c>s3.amazonaws.com</c>, <c>minio.internal</c> (ports ignored).
/// With <c>s3.amazonaws.com</c>, AWS's regional forms are service hosts too:
/// <c>s3.us-east-1.amazonaws.com</c>, <c>s3-us-west-2.amazonaws.com</c>, <c>s3.dualstack.eu-west-1.amazonaws.com</c>,
/// <c>s3-fips.us-east-1.amazonaws.com</c>, <c>s3-accelerate.amazonaws.com</c>.
/// </param>
public sealed record S3Endpoint(IReadOnlyList<string> ServiceHosts)
{
    private const string AwsGlobalHost = "s3.amazonaws.com";

    /// <summary>AWS's global and regional endpoints and <c>localhost</c>.</summary>
    public static S3Endpoint Default { get; } = new([AwsGlobalHost, "localhost"]);

    /// <summary>Finds the bucket a virtual-hosted <paramref name="host"/> names.</summary>
    /// <param name="host">The <c>Host</c> header as sent, port included or not.</param>
    /// <param name="bucket">The bucket named by the host, or <see langword="null"/> for a path-style request.</param>
    /// <returns><see langword="null"/> on success, otherwise why the host is not this service's.</returns>
    internal string? ResolveHost(string host, out string? bucket)
    {
        bucket = null;
        var name = StripPort(host).ToLowerInvariant();
        if (name.EndsWith('.'))
        {
            name = name[..^1];
        }

        if (name.Length == 0)
        {
            return "request has no Host";
        }

        if (IsIpAddress(name))
        {
            return null;
        }

        // The longest service host that the name is, or ends with: a more specific one wins.
        var matched = -1;
        var awsMatch = false;
        foreach (var service in ServiceHosts)
        {
            var serviceName = StripPort(service).ToLowerInvariant();
            if (serviceName.Length == 0)
            {
                continue;
            }

            if (name == serviceName)
            {
                return null;
            }

            if (name.Length > serviceName.Length + 1 && name.EndsWith(serviceName, StringComparison.Ordinal)
                && name[name.Length - serviceName.Length - 1] == '.' && serviceName.Length > matched)
            {
                matched = serviceName.Length;
            }

            awsMatch |= serviceName == AwsGlobalHost;
        }

        if (awsMatch)
        {
            var awsError = ResolveAws(name, out var awsBucket, out var isAws);
            if (isAws)
            {
                bucket = awsBucket;
                return awsError ?? (bucket is null ? null : S3Names.ValidateBucket(bucket));
            }
        }

        if (matched < 0)
        {
            return $"host '{Truncate(name)}' is not one of the S3 service's hosts";
        }

        bucket = name[..(name.Length - matched - 1)];
        return S3Names.ValidateBucket(bucket);
    }

    // AWS hosts: [bucket.]s3[-region|-fips|-accelerate|-external-1][.dualstack][.region].amazonaws.com[.cn].
    private static string? ResolveAws(string name, out string? bucket, out bool isAws)
    {
        bucket = null;
        isAws = false;
        string suffix;
        if (name.EndsWith(".amazonaws.com", StringComparison.Ordinal))
        {
            suffix = ".amazonaws.com";
        }
        else if (name.EndsWith(".amazonaws.com.cn", StringComparison.Ordinal))
        {
            suffix = ".amazonaws.com.cn";
        }
        else
        {
            return null;
        }

        var labels = name[..^suffix.Length].Split('.');
        for (var start = 0; start < labels.Length; start++)
        {
            if (!IsServiceLabel(labels[start], out var accessPoint))
            {
                continue;
            }

            var rest = labels.Length - start - 1;
            var ok = rest <= 2;
            for (var i = start + 1; ok && i < labels.Length; i++)
            {
                ok = labels[i] == "dualstack" ? i == start + 1 : IsRegion(labels[i]) && i == labels.Length - 1;
            }

            if (!ok)
            {
                continue;
            }

            isAws = true;
            if (accessPoint)
            {
                return "S3 access point and Object Lambda hosts are not supported: their bucket is not known";
            }

            bucket = start == 0 ? null : string.Join('.', labels, 0, start);
            return null;
        }

        return null;
    }

    private static bool IsServiceLabel(string label, out bool accessPoint)
    {
        accessPoint = label is "s3-accesspoint" or "s3-object-lambda" or "s3-outposts" or "s3express-control";
        return label is "s3" or "s3-fips" or "s3-accelerate" or "s3-external-1" || accessPoint
            || (label.StartsWith("s3-", StringComparison.Ordinal) && IsRegion(label[3..]));
    }

    // us-east-1, ap-southeast-2, us-gov-west-1, cn-north-1.
    private static bool IsRegion(string label)
    {
        var parts = label.Split('-');
        if (parts.Length < 3 || parts[0].Length != 2 || !int.TryParse(parts[^1], System.Globalization.NumberStyles.None, null, out _))
        {
            return false;
        }

        for (var i = 0; i < parts.Length - 1; i++)
        {
            if (parts[i].Length == 0 || parts[i].AsSpan().IndexOfAnyExceptInRange('a', 'z') >= 0)
            {
                return false;
            }
        }

        return true;
    }

    // Dotted-quad IPv4 or bracketed IPv6 only: IPAddress.TryParse also takes '12345', which S3
    // would read as a bucket named by the host (a CNAME).
    private static bool IsIpAddress(string name)
    {
        if (name.StartsWith('[') && name.EndsWith(']'))
        {
            return IPAddress.TryParse(name.AsSpan(1, name.Length - 2), out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        }

        var parts = 0;
        foreach (var range in name.AsSpan().Split('.'))
        {
            var part = name.AsSpan()[range];
            if (++parts > 4 || part.Length is 0 or > 3 || part.IndexOfAnyExceptInRange('0', '9') >= 0 || int.Parse(part, System.Globalization.CultureInfo.InvariantCulture) > 255)
            {
                return false;
            }
        }

        return parts == 4;
    }

    private static string StripPort(string host)
    {
        var text = host.Trim();
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']');
            return close < 0 ? text : text[..(close + 1)];
        }

        var colon = text.LastIndexOf(':');
        return colon < 0 ? text : text[..colon];
    }

    private static string Truncate(string text) => text.Length <= 64 ? text : text[..64] + "...";
}
