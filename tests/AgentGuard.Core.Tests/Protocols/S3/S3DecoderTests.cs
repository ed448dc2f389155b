using AgentGuard.Effects;
using static AgentGuard.Protocols.S3.S3Requests;

namespace AgentGuard.Protocols.S3;

public class S3DecoderTests
{
    public static TheoryData<string, string> BothStyles => new()
    {
        { "s3.amazonaws.com", "/model-weights/" },
        { "model-weights.s3.amazonaws.com", "/" },
        { "model-weights.s3.us-east-1.amazonaws.com", "/" },
        { "model-weights.s3-us-west-2.amazonaws.com", "/" },
        { "model-weights.s3.dualstack.eu-west-1.amazonaws.com", "/" },
        { "s3.us-east-1.amazonaws.com", "/model-weights/" },
        { "localhost:4568", "/model-weights/" },
        { "127.0.0.1:9000", "/model-weights/" },
        { "model-weights.minio.internal:9000", "/" },
        { "MODEL-WEIGHTS.S3.AMAZONAWS.COM", "/" },
    };

    [Theory]
    [MemberData(nameof(BothStyles))]
    public void Decode_GetObject_ReadsTheObject(string host, string prefix)
    {
        var (operation, effects) = Decoded("GET", host, prefix + "llama/model.safetensors");

        Assert.Equal(new S3Operation("GetObject", "model-weights", "llama/model.safetensors", S3BodyUse.None), operation);
        Assert.Equal([new Effect(EffectKind.Read, "s3://model-weights/llama/model.safetensors")], effects);
    }

    [Theory]
    [MemberData(nameof(BothStyles))]
    public void Decode_PutObject_WritesTheObjectAndAsksForItsContent(string host, string prefix)
    {
        var (operation, effects) = Decoded("PUT", host, prefix + "q3_notes.bin");

        Assert.Equal(new S3Operation("PutObject", "model-weights", "q3_notes.bin", S3BodyUse.Content), operation);
        Assert.Equal([new Effect(EffectKind.Write, "s3://model-weights/q3_notes.bin")], effects);
    }

    [Theory]
    [MemberData(nameof(BothStyles))]
    public void Decode_CopyObject_CopiesFromTheSourceAndWritesTheDestination(string host, string prefix)
    {
        var (operation, effects) = Decoded("PUT", host, prefix + "copy.bin", ("x-amz-copy-source", "source-bucket/weights/model.safetensors"));

        Assert.Equal(new S3Operation("CopyObject", "model-weights", "copy.bin", S3BodyUse.None), operation);
        Assert.Equal(
            [
                new Effect(EffectKind.Copy, "s3://source-bucket/weights/model.safetensors", "s3://model-weights/copy.bin"),
                new Effect(EffectKind.Write, "s3://model-weights/copy.bin"),
            ],
            effects);
    }

    [Theory]
    [MemberData(nameof(BothStyles))]
    public void Decode_DeleteObject_DeletesTheObject(string host, string prefix)
    {
        var (operation, effects) = Decoded("DELETE", host, prefix + "model.safetensors");

        Assert.Equal("DeleteObject", operation.Name);
        Assert.Equal([new Effect(EffectKind.Delete, "s3://model-weights/model.safetensors")], effects);
    }

    [Fact]
    public void Decode_HeadObject_ReadsTheObject()
    {
        var (operation, effects) = Decoded("HEAD", "s3.amazonaws.com", "/b-1/k");

        Assert.Equal("HeadObject", operation.Name);
        Assert.Equal([new Effect(EffectKind.Read, "s3://b-1/k")], effects);
    }

    // --- object operations ------------------------------------------------------------------------

    [Theory]
    [InlineData("GET", "?versionId=3HL4kqtJlcpXroDTDmJ", "GetObject")]
    [InlineData("GET", "?partNumber=2", "GetObject")]
    [InlineData("GET", "?response-content-type=text/plain&x-id=GetObject", "GetObject")]
    [InlineData("GET", "?acl", "GetObjectAcl")]
    [InlineData("GET", "?tagging", "GetObjectTagging")]
    [InlineData("GET", "?attributes", "GetObjectAttributes")]
    [InlineData("GET", "?retention", "GetObjectRetention")]
    [InlineData("GET", "?legal-hold", "GetObjectLegalHold")]
    [InlineData("GET", "?uploadId=abc", "ListParts")]
    [InlineData("HEAD", "?versionId=v1", "HeadObject")]
    [InlineData("POST", "?restore", "RestoreObject")]
    [InlineData("POST", "?select&select-type=2", "SelectObjectContent")]
    [InlineData("GET", "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a%2F20261205%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261205T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=ab", "GetObject")]
    public void Decode_ObjectReads_ReadTheObject(string method, string query, string name)
    {
        var (operation, effects) = Decoded(method, "s3.amazonaws.com", "/model-weights/m.gguf" + query);

        Assert.Equal(name, operation.Name);
        Assert.Equal(S3BodyUse.None, operation.Body);
        Assert.Equal([new Effect(EffectKind.Read, "s3://model-weights/m.gguf")], effects);
    }

    [Theory]
    [InlineData("POST", "?uploads", "CreateMultipartUpload", S3BodyUse.None)]
    [InlineData("PUT", "?partNumber=1&uploadId=2~abc", "UploadPart", S3BodyUse.Content)]
    [InlineData("PUT", "?uploadId=2~abc&partNumber=7", "UploadPart", S3BodyUse.Content)]
    [InlineData("POST", "?uploadId=2~abc", "CompleteMultipartUpload", S3BodyUse.None)]
    [InlineData("DELETE", "?uploadId=2~abc", "AbortMultipartUpload", S3BodyUse.None)]
    [InlineData("PUT", "?acl", "PutObjectAcl", S3BodyUse.None)]
    [InlineData("PUT", "?retention", "PutObjectRetention", S3BodyUse.None)]
    [InlineData("PUT", "?legal-hold", "PutObjectLegalHold", S3BodyUse.None)]
    public void Decode_ObjectWrites_WriteTheObject(string method, string query, string name, S3BodyUse body)
    {
        var (operation, effects) = Decoded(method, "model-weights.s3.amazonaws.com", "/m.gguf" + query);

        Assert.Equal(new S3Operation(name, "model-weights", "m.gguf", body), operation);
        Assert.Equal([new Effect(EffectKind.Write, "s3://model-weights/m.gguf")], effects);
    }

    [Theory]
    [InlineData("PUT", "?tagging", "PutObjectTagging")]
    [InlineData("PUT", "?tagging&versionId=v2", "PutObjectTagging")]
    [InlineData("DELETE", "?tagging", "DeleteObjectTagging")]
    public void Decode_TagChanges_SetTimeOnTheObject(string method, string query, string name)
    {
        var (operation, effects) = Decoded(method, "s3.amazonaws.com", "/model-weights/m.gguf" + query);

        Assert.Equal(name, operation.Name);
        Assert.Equal([new Effect(EffectKind.SetTime, "s3://model-weights/m.gguf")], effects);
    }

    [Theory]
    [InlineData("PUT", "", "x-amz-tagging", "age=old")]
    [InlineData("PUT", "", "x-amz-meta-mtime", "1514764800")]
    [InlineData("POST", "?uploads", "x-amz-meta-s3cmd-attrs", "mtime:1514764800")]
    public void Decode_UploadSettingTagsOrTimes_AlsoSetsTime(string method, string query, string header, string value)
    {
        var (_, effects) = Decoded(method, "s3.amazonaws.com", "/model-weights/m.gguf" + query, (header, value));

        Assert.Equal([new Effect(EffectKind.Write, "s3://model-weights/m.gguf"), new Effect(EffectKind.SetTime, "s3://model-weights/m.gguf")], effects);
    }

    [Fact]
    public void Decode_DeleteObjectVersion_DeletesAndNotesTheVersion()
    {
        var (operation, effects) = Decoded("DELETE", "s3.amazonaws.com", "/model-weights/m.gguf?versionId=3%2BHL4");

        Assert.Equal("DeleteObject", operation.Name);
        Assert.Equal([new Effect(EffectKind.Delete, "s3://model-weights/m.gguf", Value: "versionId=3+HL4")], effects);
    }

    // --- copies -----------------------------------------------------------------------------------

    [Theory]
    [InlineData("src-bucket/weights/m.safetensors", "s3://src-bucket/weights/m.safetensors", null)]
    [InlineData("/src-bucket/weights/m.safetensors", "s3://src-bucket/weights/m.safetensors", null)]
    [InlineData("src-bucket/weights%2Fm.safetensors", "s3://src-bucket/weights/m.safetensors", null)]
    [InlineData("src-bucket%2Fweights%2Fm.safetensors", "s3://src-bucket/weights/m.safetensors", null)]
    [InlineData("%2Fsrc-bucket/m.safetensors", "s3://src-bucket/m.safetensors", null)]
    [InlineData("src-bucket/a%20b%3Fc.bin?versionId=v%2B1", "s3://src-bucket/a b?c.bin", "versionId=v+1")]
    [InlineData("src-bucket/a/../b//c", "s3://src-bucket/a/../b//c", null)]
    [InlineData("src-bucket/%25252F", "s3://src-bucket/%252F", null)]
    [InlineData("src-bucket/caf%C3%A9", "s3://src-bucket/caf\u00e9", null)]
    [InlineData("src-bucket/cafe%CC%81", "s3://src-bucket/caf\u00e9", null)]
    public void Decode_CopySourceForms_CopyFromThatObject(string header, string expectedSource, string? version)
    {
        var (_, effects) = Decoded("PUT", "s3.amazonaws.com", "/dest-bucket/copy.bin", ("x-amz-copy-source", header));

        var source = expectedSource;
        Assert.Equal(new Effect(EffectKind.Copy, source, "s3://dest-bucket/copy.bin", version), effects[0]);
        Assert.Equal(new Effect(EffectKind.Write, "s3://dest-bucket/copy.bin"), effects[1]);
        Assert.Equal(2, effects.Count);
    }

    [Fact]
    public void Decode_CopySourceAccessPointArn_CopiesFromThatKeyInAnyBucket()
    {
        var (_, effects) = Decoded("PUT", "s3.amazonaws.com", "/dest-bucket/copy.bin",
            ("x-amz-copy-source", "arn%3Aaws%3As3%3Aus-west-2%3A123456789012%3Aaccesspoint%2Fmy-ap%2Fobject%2Fweights%2Fm%2A.bin"));

        Assert.Equal(new Effect(EffectKind.Copy, "s3://*/weights/m\\*.bin", "s3://dest-bucket/copy.bin", Flags: EffectFlags.ResourcePattern), effects[0]);
    }

    [Theory]
    [InlineData("x-amz-metadata-directive", "REPLACE")]
    [InlineData("x-amz-tagging-directive", "REPLACE")]
    [InlineData("x-amz-metadata-directive", "replace")]
    public void Decode_CopyReplacingMetadataOrTags_SetsTimeOnTheDestination(string header, string value)
    {
        var (operation, effects) = Decoded("PUT", "s3.amazonaws.com", "/dest-bucket/copy.bin", ("x-amz-copy-source", "src-bucket/m.bin"), (header, value));

        Assert.Equal("CopyObject", operation.Name);
        Assert.Contains(new Effect(EffectKind.SetTime, "s3://dest-bucket/copy.bin"), effects);
    }

    [Fact]
    public void Decode_CopyOntoItself_SetsTimeOnTheObject()
    {
        var (_, effects) = Decoded("PUT", "model-weights.s3.amazonaws.com", "/m.safetensors", ("x-amz-copy-source", "/model-weights/m.safetensors"));

        Assert.Equal(
            [
                new Effect(EffectKind.Copy, "s3://model-weights/m.safetensors", "s3://model-weights/m.safetensors"),
                new Effect(EffectKind.Write, "s3://model-weights/m.safetensors"),
                new Effect(EffectKind.SetTime, "s3://model-weights/m.safetensors"),
            ],
            effects);
    }

    [Fact]
    public void Decode_CopyWithMetadataDirectiveCopy_DoesNotSetTime()
    {
        var (_, effects) = Decoded("PUT", "s3.amazonaws.com", "/dest-bucket/copy.bin", ("x-amz-copy-source", "src-bucket/m.bin"), ("x-amz-metadata-directive", "COPY"));

        Assert.DoesNotContain(effects, e => e.Kind == EffectKind.SetTime);
    }

    [Fact]
    public void Decode_UploadPartCopy_CopiesIntoTheUpload()
    {
        var (operation, effects) = Decoded("PUT", "s3.amazonaws.com", "/dest-bucket/big.bin?partNumber=1&uploadId=u1",
            ("x-amz-copy-source", "model-weights/m.safetensors"), ("x-amz-copy-source-range", "bytes=0-5242879"));

        Assert.Equal(new S3Operation("UploadPartCopy", "dest-bucket", "big.bin", S3BodyUse.None), operation);
        Assert.Equal(
            [
                new Effect(EffectKind.Copy, "s3://model-weights/m.safetensors", "s3://dest-bucket/big.bin"),
                new Effect(EffectKind.Write, "s3://dest-bucket/big.bin"),
            ],
            effects);
    }

    [Theory]
    [InlineData("nobucket")]
    [InlineData("/")]
    [InlineData("src-bucket/")]
    [InlineData("Src_Bucket/key")]
    [InlineData("src-bucket/key?acl")]
    [InlineData("src-bucket/key?versionId=")]
    [InlineData("src-bucket/%zz")]
    [InlineData("src-bucket/%C3")]
    [InlineData("src-bucket/a%00b")]
    [InlineData("arn:aws:s3:us-west-2:1:bucket/x")]
    public void Decode_BadCopySource_IsRefused(string header)
    {
        var error = Refused("PUT", "s3.amazonaws.com", "/dest-bucket/copy.bin", ("x-amz-copy-source", header));

        Assert.Contains("copy-source", error);
    }

    [Fact]
    public void Decode_CopySourceOfTheLongestKey_IsAccepted_OneByteMoreIsRefused()
    {
        var bucket = new string('b', 63);
        var (_, effects) = Decoded("PUT", "s3.amazonaws.com", "/d-b/k", ("x-amz-copy-source", bucket + "/" + new string('k', 1024)));

        Assert.Equal($"s3://{bucket}/{new string('k', 1024)}", effects[0].Resource);
        Assert.Contains("1024", Refused("PUT", "s3.amazonaws.com", "/d-b/k", ("x-amz-copy-source", "b-1/" + new string('k', 1025))));
    }

    [Fact]
    public void Decode_UnknownMetadataDirective_IsRefused()
    {
        var error = Refused("PUT", "s3.amazonaws.com", "/d-b/k", ("x-amz-copy-source", "s-b/k"), ("x-amz-metadata-directive", "MERGE"));

        Assert.Contains("x-amz-metadata-directive", error);
    }

    // --- bucket operations ------------------------------------------------------------------------

    [Theory]
    [InlineData("GET", "", "ListObjects")]
    [InlineData("GET", "?list-type=2&prefix=llama%2F&delimiter=%2F", "ListObjectsV2")]
    [InlineData("GET", "?versions", "ListObjectVersions")]
    [InlineData("GET", "?uploads", "ListMultipartUploads")]
    [InlineData("GET", "?location", "GetBucketLocation")]
    [InlineData("GET", "?policy", "GetBucketPolicy")]
    [InlineData("GET", "?lifecycle", "GetBucketLifecycleConfiguration")]
    [InlineData("GET", "?versioning", "GetBucketVersioning")]
    [InlineData("HEAD", "", "HeadBucket")]
    public void Decode_BucketReads_ReadTheBucket(string method, string query, string name)
    {
        var (operation, effects) = Decoded(method, "s3.amazonaws.com", "/model-weights" + query);

        Assert.Equal(new S3Operation(name, "model-weights", null, S3BodyUse.None), operation);
        Assert.Equal([new Effect(EffectKind.Read, "s3://model-weights/")], effects);
    }

    [Fact]
    public void Decode_ListBuckets_ReadsTheService()
    {
        var (operation, effects) = Decoded("GET", "s3.amazonaws.com", "/");

        Assert.Equal(new S3Operation("ListBuckets", null, null, S3BodyUse.None), operation);
        Assert.Equal([new Effect(EffectKind.Read, "s3://")], effects);
    }

    [Theory]
    [InlineData("PUT", "?policy", "PutBucketPolicy", S3BodyUse.None)]
    [InlineData("DELETE", "?policy", "DeleteBucketPolicy", S3BodyUse.None)]
    [InlineData("PUT", "?acl", "PutBucketAcl", S3BodyUse.None)]
    [InlineData("DELETE", "?lifecycle", "DeleteBucketLifecycle", S3BodyUse.None)]
    [InlineData("PUT", "?lifecycle", "PutBucketLifecycleConfiguration", S3BodyUse.Document)]
    [InlineData("PUT", "?versioning", "PutBucketVersioning", S3BodyUse.Document)]
    [InlineData("PUT", "?encryption", "PutBucketEncryption", S3BodyUse.None)]
    [InlineData("PUT", "", "CreateBucket", S3BodyUse.None)]
    public void Decode_BucketConfigurationChanges_WriteTheBucket(string method, string query, string name, S3BodyUse body)
    {
        var (operation, effects) = Decoded(method, "model-weights.s3.amazonaws.com", "/" + query);

        Assert.Equal(new S3Operation(name, "model-weights", null, body), operation);
        Assert.Equal([new Effect(EffectKind.Write, "s3://model-weights/")], effects);
    }

    [Fact]
    public void Decode_PutBucketReplication_LeavesItsEffectsToTheDocument()
    {
        var (operation, effects) = Decoded("PUT", "model-weights.s3.amazonaws.com", "/?replication");

        Assert.Equal(new S3Operation("PutBucketReplication", "model-weights", null, S3BodyUse.Document), operation);
        Assert.Empty(effects);
    }

    [Fact]
    public void Decode_DeleteBucket_DeletesTheBucket()
    {
        var (operation, effects) = Decoded("DELETE", "s3.amazonaws.com", "/model-weights/");

        Assert.Equal("DeleteBucket", operation.Name);
        Assert.Equal([new Effect(EffectKind.Delete, "s3://model-weights/")], effects);
    }

    [Fact]
    public void Decode_DeleteObjects_AsksForTheDocument()
    {
        var (operation, effects) = Decoded("POST", "s3.amazonaws.com", "/model-weights?delete");

        Assert.Equal(new S3Operation("DeleteObjects", "model-weights", null, S3BodyUse.Document), operation);
        Assert.Empty(effects);
    }

    // --- keys -------------------------------------------------------------------------------------

    [Theory]
    [InlineData("/b-1/a/../model.safetensors", "a/../model.safetensors")]
    [InlineData("/b-1/a/./model.safetensors", "a/./model.safetensors")]
    [InlineData("/b-1/a//model.safetensors", "a//model.safetensors")]
    [InlineData("/b-1//model.safetensors", "/model.safetensors")]
    [InlineData("/b-1/..", "..")]
    [InlineData("/b-1/a%2Fb", "a/b")]
    [InlineData("/b-1/a%252Fb", "a%2Fb")]
    [InlineData("/b-1/a+b", "a+b")]
    [InlineData("/b-1/caf%C3%A9", "caf\u00e9")]
    [InlineData("/b-1/cafe%CC%81", "caf\u00e9")]
    [InlineData("/b-1/cafe\u0301", "caf\u00e9")]
    [InlineData("/b-1/%F0%9F%98%80", "\U0001F600")]
    [InlineData("/b-1/a%5Cb", "a\\b")]
    [InlineData("/b-1/a\\b", "a\\b")]
    public void Decode_Keys_ArePercentDecodedOnceAndNormalisedButNeverResolved(string path, string key)
    {
        var (operation, effects) = Decoded("GET", "s3.amazonaws.com", path);

        var expected = key;
        Assert.Equal(expected, operation.Key);
        Assert.Equal("s3://b-1/" + expected, effects[0].Resource);
    }

    [Fact]
    public void Decode_VirtualHostedPathThatLooksPathStyle_IsAKeyInTheHostBucket()
    {
        var (operation, _) = Decoded("GET", "harmless.s3.amazonaws.com", "/model-weights/m.safetensors");

        Assert.Equal(("harmless", "model-weights/m.safetensors"), (operation.Bucket, operation.Key));
    }

    [Theory]
    [InlineData("/b-1/%zz")]
    [InlineData("/b-1/%4")]
    [InlineData("/b-1/a%")]
    [InlineData("/b-1/%C3%28")]
    [InlineData("/b-1/%ED%A0%80")]
    [InlineData("/b-1/%C0%AF")]
    [InlineData("/b-1/a%00b")]
    [InlineData("/b-1/a%0Ab")]
    [InlineData("/b-1/a%7Fb")]
    [InlineData("/b-1/a%C2%85b")]
    [InlineData("/b-1/a\u0001")]
    public void Decode_InvalidKeys_AreRefused(string path)
    {
        Refused("GET", "s3.amazonaws.com", path);
    }

    [Fact]
    public void Decode_LoneSurrogateInKey_IsRefused()
    {
        Assert.Contains("Unicode", Refused("GET", "s3.amazonaws.com", "/b-1/a\ud800"));
        Assert.Contains("Unicode", Refused("GET", "s3.amazonaws.com", "/b-1/\udc00b"));
        Assert.Contains("Unicode", Refused("GET", "s3.amazonaws.com", "/b-1/\ud800"));
    }

    [Fact]
    public void Decode_KeyOf1024Bytes_IsAccepted_1025IsRefused()
    {
        Decoded("GET", "s3.amazonaws.com", "/b-1/" + new string('k', 1024));
        Decoded("GET", "s3.amazonaws.com", "/b-1/" + string.Concat(Enumerable.Repeat("%C3%A9", 512)));

        Assert.Contains("1024", Refused("GET", "s3.amazonaws.com", "/b-1/" + new string('k', 1025)));
        Assert.Contains("1024", Refused("GET", "s3.amazonaws.com", "/b-1/k" + string.Concat(Enumerable.Repeat("%C3%A9", 512))));
    }

    [Theory]
    [InlineData("/ab/k")]
    [InlineData("/" + "abcdefghij" + "abcdefghij" + "abcdefghij" + "abcdefghij" + "abcdefghij" + "abcdefghij" + "abcd/k")]
    [InlineData("/Model-Weights/k")]
    [InlineData("/model_weights/k")]
    [InlineData("/-bucket/k")]
    [InlineData("/bucket-/k")]
    [InlineData("/my..bucket/k")]
    [InlineData("/192.168.1.1/k")]
    [InlineData("/model%2Dweights%2Fk/x")]
    [InlineData("//k")]
    public void Decode_InvalidBuckets_AreRefused(string path)
    {
        Refused("GET", "s3.amazonaws.com", path);
    }

    // --- hosts ------------------------------------------------------------------------------------

    [Theory]
    [InlineData("evil.example.com")]
    [InlineData("model-weights.example.com")]
    [InlineData("")]
    [InlineData("Bad_Bucket.s3.amazonaws.com")]
    [InlineData("ab.s3.amazonaws.com")]
    [InlineData("my-ap-123456789012.s3-accesspoint.us-west-2.amazonaws.com")]
    [InlineData("12345")]
    [InlineData("[not-an-ip]")]
    [InlineData("256.1.1.1")]
    [InlineData("s3.amazonaws.com.evil.example")]
    [InlineData("model-weights.s3.evil.amazonaws.com")]
    public void Decode_HostNotOfTheService_IsRefused(string host)
    {
        Refused("GET", host, "/model-weights/m.safetensors");
    }

    [Theory]
    [InlineData("my.dotted.bucket.s3.amazonaws.com", "my.dotted.bucket")]
    [InlineData("s3-backup.s3.amazonaws.com", "s3-backup")]
    [InlineData("s3-us-west-2.s3.amazonaws.com", "s3-us-west-2")]
    [InlineData("weights.s3-fips.us-east-1.amazonaws.com", "weights")]
    [InlineData("weights.s3-accelerate.amazonaws.com", "weights")]
    [InlineData("weights.s3.cn-north-1.amazonaws.com.cn", "weights")]
    [InlineData("weights.s3.amazonaws.com.", "weights")]
    [InlineData("weights.localhost:4568", "weights")]
    public void Decode_VirtualHostedForms_FindTheBucket(string host, string bucket)
    {
        var (operation, _) = Decoded("GET", host, "/k");

        Assert.Equal(bucket, operation.Bucket);
    }

    [Fact]
    public void Decode_IpV6Host_IsPathStyle()
    {
        var (operation, _) = Decoded("GET", "[::1]:9000", "/b-1/k");

        Assert.Equal(("b-1", "k"), (operation.Bucket, operation.Key));
    }

    // --- refused requests -------------------------------------------------------------------------

    [Theory]
    [InlineData("PATCH", "/b-1/k")]
    [InlineData("OPTIONS", "/b-1/k")]
    [InlineData("get", "/b-1/k")]
    [InlineData("POST", "/b-1/k")]
    [InlineData("POST", "/b-1")]
    [InlineData("PUT", "/")]
    [InlineData("DELETE", "/")]
    [InlineData("GET", "/b-1/k?delete")]
    [InlineData("PUT", "/b-1/k?uploads")]
    [InlineData("PUT", "/b-1/k?partNumber=1")]
    [InlineData("PUT", "/b-1/k?versionId=v1")]
    [InlineData("GET", "/b-1?list-type=1")]
    [InlineData("GET", "/b-1?policy&lifecycle")]
    [InlineData("DELETE", "/b-1?versioning")]
    [InlineData("GET", "/b-1/k?unknownsubresource")]
    [InlineData("GET", "/b-1/k?Tagging")]
    [InlineData("PUT", "/b-1/k?x-amz-copy-source=other%2Fk")]
    [InlineData("PUT", "/b-1/k?x-amz-metadata-directive=REPLACE")]
    [InlineData("DELETE", "/b-1/k?versionId=a&versionId=b")]
    [InlineData("GET", "/b-1/k?%zz")]
    [InlineData("GET", "b-1/k")]
    [InlineData("GET", "")]
    public void Decode_UnknownOrMalformedRequests_AreRefused(string method, string target)
    {
        Refused(method, "s3.amazonaws.com", target);
    }

    [Fact]
    public void Decode_PathHoldingQueryOrFragment_IsRefused()
    {
        Refused(new S3Request("GET", "s3.amazonaws.com", "/b-1/k?acl", "", _ => null));
        Refused(new S3Request("GET", "s3.amazonaws.com", "/b-1/k#x", "", _ => null));
    }

    [Fact]
    public void Decode_HugePathOrQuery_IsRefusedWithoutThrowing()
    {
        Refused("GET", "s3.amazonaws.com", "/b-1/" + new string('a', 1_000_000));
        Refused("GET", "s3.amazonaws.com", "/b-1/k?" + string.Join('&', Enumerable.Range(0, 100).Select(i => "prefix" + i)));
        Refused(new S3Request("GET", new string('a', 100_000) + ".s3.amazonaws.com", "/k", "", _ => null));
    }

    [Fact]
    public void Decode_NullFields_AreRefusedWithoutThrowing()
    {
        Refused(new S3Request(null!, null!, null!, null!, null!));
        Refused(new S3Request("GET", "s3.amazonaws.com", null!, null!, null!));
    }

    [Fact]
    public void Decode_Refused_LeavesEarlierEffectsInTheList()
    {
        var effects = new List<Effect> { new(EffectKind.Read, "file:///x") };

        var error = S3Decoder.Decode(Request("PUT", "s3.amazonaws.com", "/b-1/k", ("x-amz-copy-source", "s-b/%zz")), Endpoint, effects, out _);

        Assert.NotNull(error);
        Assert.Equal([new Effect(EffectKind.Read, "file:///x")], effects);
    }
}
