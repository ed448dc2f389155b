using System.Text;
using AgentGuard.Effects;
using CsCheck;

namespace AgentGuard.Protocols.S3;

/// <summary>Whatever the input, the decoder answers (effects or an error) and never throws.</summary>
public class S3DecoderPropertyTests
{
    private static readonly Gen<string> Methods = Gen.OneOf("GET", "HEAD", "PUT", "POST", "DELETE", "PATCH", "get", "");

    private static readonly Gen<string> Hosts = Gen.OneOf(
        Gen.OneOf("s3.amazonaws.com", "b-1.s3.amazonaws.com", "b-1.s3.us-east-1.amazonaws.com", "localhost:4568", "127.0.0.1", "[::1]:9000", "x.s3-accesspoint.us-east-1.amazonaws.com", "."),
        Gen.Char["abc.-:[]s3AZ_"].Array[0, 40].Select(c => new string(c)),
        Gen.String);

    // Text made of the characters that matter to S3 parsing, plus anything at all.
    private static readonly Gen<string> Texts = Gen.OneOf(
        Gen.Char["ab/.%2F3CF?&=#+\\-_ "].Array[0, 60].Select(c => new string(c)),
        Gen.OneOf("%", "%C3", "%C3%A9", "%ED%A0%80", "%00", "\ud800", "e\u0301", "..", "//").Array[0, 8].Select(string.Concat),
        Gen.String);

    private static readonly Gen<string> Queries = Gen.OneOf(
        Gen.OneOf("uploads", "uploadId=1", "partNumber=1", "delete", "tagging", "lifecycle", "policy", "replication", "versioning", "versionId=v", "acl",
            "list-type=2", "list-type=1", "select", "restore", "x-amz-copy-source=a", "X-Amz-Signature=x", "%zz", "", "=").Array[0, 4].Select(p => string.Join('&', p)),
        Texts);

    private static readonly Gen<(string, string)[]> Headers = Gen.OneOf(
        Gen.Const(Array.Empty<(string, string)>()),
        Gen.Select(Texts, Gen.OneOf("COPY", "REPLACE", "x", ""), (source, directive) => new[] { ("x-amz-copy-source", source), ("x-amz-metadata-directive", directive) }),
        Gen.Select(Gen.OneOf("b-1/", "/b-1/", "arn:aws:s3:us-east-1:1:accesspoint/a/object/", "arn%3A"), Texts, (prefix, key) => new[] { ("x-amz-copy-source", prefix + key) }));

    [Fact]
    public void Decode_RandomRequests_NeverThrow()
    {
        var gen = Gen.Select(Methods, Hosts, Gen.OneOf(Gen.Const("/"), Gen.Const("/b-1/"), Gen.Const(string.Empty)), Texts, Queries, Headers);

        gen.Sample((method, host, prefix, path, query, headers) =>
        {
            var effects = new List<Effect>();
            var request = S3Requests.Request(method, host, prefix + path, headers) with { Query = query };
            var error = S3Decoder.Decode(request, S3Requests.Endpoint, effects, out var operation);

            // Either understood, with its operation, or refused with nothing added.
            return error is null ? operation is not null : operation is null && effects.Count == 0;
        });
    }

    [Fact]
    public void Decode_UnderstoodRequests_NameOnlyS3Resources()
    {
        var gen = Gen.Select(Methods, Gen.OneOf("s3.amazonaws.com", "b-1.s3.amazonaws.com"), Texts, Queries, Headers);

        gen.Sample((method, host, path, query, headers) =>
        {
            var effects = new List<Effect>();
            var request = S3Requests.Request(method, host, "/" + path, headers) with { Query = query };
            if (S3Decoder.Decode(request, S3Requests.Endpoint, effects, out _) is not null)
            {
                return true;
            }

            foreach (var effect in effects)
            {
                if (!effect.Resource.StartsWith("s3://", StringComparison.Ordinal)
                    || (effect.Destination is not null && !effect.Destination.StartsWith("s3://", StringComparison.Ordinal))
                    || effect.Resource.AsSpan().IndexOfAnyInRange('\0', '\u001f') >= 0)
                {
                    return false;
                }
            }

            return true;
        });
    }

    [Fact]
    public void DecodeBody_RandomDocuments_NeverThrow()
    {
        var operations = Gen.OneOf("DeleteObjects", "PutBucketLifecycleConfiguration", "PutBucketVersioning", "PutBucketReplication", "PutObject")
            .Select(name => new S3Operation(name, "b-1", null, S3BodyUse.Document));
        var elements = Gen.OneOf(
            "<Delete>", "</Delete>", "<Object>", "</Object>", "<Key>", "</Key>", "k", "&amp;", "&#x0;", "<!DOCTYPE a [<!ENTITY e \"x\">]>", "&e;",
            "<LifecycleConfiguration>", "</LifecycleConfiguration>", "<Rule>", "</Rule>", "<Status>Enabled</Status>", "<Filter>", "</Filter>",
            "<Prefix>", "</Prefix>", "<Expiration/>", "<VersioningConfiguration>", "<Status>Suspended</Status>", "</VersioningConfiguration>",
            "<ReplicationConfiguration>", "<Destination><Bucket>arn:aws:s3:::d-1</Bucket></Destination>", "</ReplicationConfiguration>", "<?xml version=\"1.0\"?>", "<![CDATA[x]]>", "<");
        var documents = Gen.OneOf(
            elements.Array[0, 40].Select(parts => Encoding.UTF8.GetBytes(string.Concat(parts))),
            Gen.Byte.Array[0, 200]);

        Gen.Select(operations, documents).Sample((operation, document) =>
        {
            var effects = new List<Effect>();
            var error = S3Decoder.DecodeBody(operation, document, effects);
            return error is not null ? effects.Count == 0 : effects.TrueForAll(e => e.Resource.StartsWith("s3://b-1/", StringComparison.Ordinal));
        });
    }
}
