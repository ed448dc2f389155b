using System.Text;
using AgentGuard.Effects;

namespace AgentGuard.Protocols.S3;

/// <summary>The XML documents of DeleteObjects, lifecycle, versioning and replication, through <see cref="S3Decoder.DecodeBody"/>.</summary>
public class S3DocumentsTests
{
    private const string Ns = "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"";

    private static readonly S3Operation DeleteObjects = new("DeleteObjects", "model-weights", null, S3BodyUse.Document);
    private static readonly S3Operation Lifecycle = new("PutBucketLifecycleConfiguration", "model-weights", null, S3BodyUse.Document);
    private static readonly S3Operation Versioning = new("PutBucketVersioning", "model-weights", null, S3BodyUse.Document);
    private static readonly S3Operation Replication = new("PutBucketReplication", "model-weights", null, S3BodyUse.Document);

    private static List<Effect> Decoded(S3Operation operation, string document)
    {
        var effects = new List<Effect>();
        var error = S3Decoder.DecodeBody(operation, Encoding.UTF8.GetBytes(document), effects);
        Assert.True(error is null, $"decode failed: {error}");
        return effects;
    }

    private static string Refused(S3Operation operation, string document) => Refused(operation, Encoding.UTF8.GetBytes(document));

    private static string Refused(S3Operation operation, byte[] document)
    {
        var effects = new List<Effect>();
        var error = S3Decoder.DecodeBody(operation, document, effects);
        Assert.True(error is not null, $"decoded with {string.Join(", ", effects)}");
        Assert.Empty(effects);
        return error;
    }

    // --- DeleteObjects ----------------------------------------------------------------------------

    [Fact]
    public void DecodeBody_DeleteObjects_DeletesEveryKey()
    {
        var effects = Decoded(DeleteObjects, $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <Delete {Ns}>
              <Quiet>true</Quiet>
              <Object><Key>notes.txt</Key></Object>
              <Object><Key>llama/model.safetensors</Key><VersionId>v7</VersionId></Object>
              <Object><Key>a/../b &amp; c%2F</Key></Object>
              <Object><Key>cafe&#x301;</Key></Object>
              <Object><Key> </Key></Object>
            </Delete>
            """);

        Assert.Equal(
            [
                new Effect(EffectKind.Delete, "s3://model-weights/notes.txt"),
                new Effect(EffectKind.Delete, "s3://model-weights/llama/model.safetensors", Value: "versionId=v7"),
                new Effect(EffectKind.Delete, "s3://model-weights/a/../b & c%2F"),
                new Effect(EffectKind.Delete, "s3://model-weights/caf\u00e9"),
                new Effect(EffectKind.Delete, "s3://model-weights/ "),
            ],
            effects);
    }

    [Fact]
    public void DecodeBody_DeleteObjectsOfAThousandKeys_DeletesEachOne()
    {
        var document = new StringBuilder("<Delete>");
        for (var i = 0; i < 1000; i++)
        {
            document.Append("<Object><Key>k").Append(i).Append("</Key></Object>");
        }

        var effects = Decoded(DeleteObjects, document.Append("</Delete>").ToString());

        Assert.Equal(1000, effects.Count);
        Assert.Equal(new Effect(EffectKind.Delete, "s3://model-weights/k999"), effects[^1]);
    }

    [Theory]
    [InlineData("<Delete></Delete>", "no object")]
    [InlineData("<Delete><Object><VersionId>v</VersionId></Object></Delete>", "no Key")]
    [InlineData("<Delete><Object><Key>a</Key><Key>model.safetensors</Key></Object></Delete>", "more than one Key")]
    [InlineData("<Delete><Object><Key></Key></Object></Delete>", "empty")]
    [InlineData("<Delete><Object><Key>a&#x1;b</Key></Object></Delete>", "XML")]
    [InlineData("<Delete><Object><Key>a\u0085b</Key></Object></Delete>", "control")]
    [InlineData("<NotDelete><Object><Key>a</Key></Object></NotDelete>", "root")]
    [InlineData("<Delete><Object><Key>a</Key></Object>", "XML")]
    [InlineData("", "XML")]
    [InlineData("not xml", "XML")]
    [InlineData("<?xml version=\"1.0\" encoding=\"x-bogus\"?><Delete><Object><Key>a</Key></Object></Delete>", "XML")]
    [InlineData("<?xml version=\"1.0\" encoding=\"utf-32\"?><Delete><Object><Key>a</Key></Object></Delete>", "XML")]
    [InlineData("<?xml version=\"1.0\" encoding=\"utf-7\"?><Delete><Object><Key>a</Key></Object></Delete>", "XML")]
    [InlineData("<?xml version=\"1.1\"?><Delete><Object><Key>a</Key></Object></Delete>", "XML")]
    [InlineData("<Delete><Object><Key>a</Key></Object></Delete><Delete/>", "XML")]
    [InlineData("<Delete xmlns:p=\"u\"><p:Object><Key>a</Key></p:Object><Object><Key>b</Key></Object><x:Object/></Delete>", "XML")]
    public void DecodeBody_BadDeleteObjects_IsRefused(string document, string reason)
    {
        Assert.Contains(reason, Refused(DeleteObjects, document));
    }

    [Fact]
    public void DecodeBody_DeleteObjectsOverAThousandKeys_IsRefused()
    {
        var document = new StringBuilder("<Delete>");
        for (var i = 0; i < 1001; i++)
        {
            document.Append("<Object><Key>k</Key></Object>");
        }

        Assert.Contains("1000", Refused(DeleteObjects, document.Append("</Delete>").ToString()));
    }

    [Fact]
    public void DecodeBody_KeyOver1024Bytes_IsRefused()
    {
        Assert.Contains("1024", Refused(DeleteObjects, $"<Delete><Object><Key>{new string('\u00e9', 513)}</Key></Object></Delete>"));
    }

    [Fact]
    public void DecodeBody_ExternalEntity_IsRefusedAndNotFetched()
    {
        var secret = Path.GetTempFileName();
        File.WriteAllText(secret, "model.safetensors");
        try
        {
            var error = Refused(DeleteObjects, $"""
                <?xml version="1.0"?>
                <!DOCTYPE Delete [<!ENTITY xxe SYSTEM "file://{secret}">]>
                <Delete><Object><Key>&xxe;</Key></Object></Delete>
                """);

            Assert.Contains("DTD", error);
        }
        finally
        {
            File.Delete(secret);
        }
    }

    [Fact]
    public void DecodeBody_BillionLaughs_IsRefused()
    {
        var error = Refused(DeleteObjects, """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [
              <!ENTITY lol "lol">
              <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
              <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
              <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
            ]>
            <Delete><Object><Key>&lol4;</Key></Object></Delete>
            """);

        Assert.Contains("DTD", error);
    }

    [Fact]
    public void DecodeBody_DocumentOverTheLimit_IsRefused()
    {
        var document = new byte[S3Decoder.MaxDocumentBytes + 1];
        document.AsSpan().Fill((byte)' ');

        Assert.Contains("larger", Refused(DeleteObjects, document));
    }

    [Fact]
    public void DecodeBody_DeeplyNestedDocument_IsRefusedWithoutThrowing()
    {
        var depth = 100_000;
        var document = new StringBuilder("<Delete>");
        document.Insert(document.Length, "<a>", depth).Insert(document.Length, "</a>", depth).Append("</Delete>");

        Assert.Contains("deeper", Refused(DeleteObjects, document.ToString()));
    }

    [Fact]
    public void DecodeBody_OperationWithoutDocument_IsRefused()
    {
        Refused(new S3Operation("PutObject", "b-1", "k", S3BodyUse.Content), "<Delete/>");
        Refused(new S3Operation("GetBucketPolicy", "b-1", null, S3BodyUse.Document), "<Delete/>");
    }

    // --- lifecycle --------------------------------------------------------------------------------

    [Fact]
    public void DecodeBody_LifecycleRules_DeleteWhatEachEnabledRuleExpiresOrTransitions()
    {
        var effects = Decoded(Lifecycle, $"""
            <LifecycleConfiguration {Ns}>
              <Rule><ID>expire-models</ID><Filter><Prefix>models/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>
              <Rule><ID>everything</ID><Filter></Filter><Status>Enabled</Status><Transition><Days>0</Days><StorageClass>GLACIER</StorageClass></Transition></Rule>
              <Rule><ID>legacy</ID><Prefix>ckpt*[1]/</Prefix><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration></Rule>
              <Rule><ID>and</ID><Filter><And><Prefix>w/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter><Status>Enabled</Status><NoncurrentVersionTransition><NoncurrentDays>1</NoncurrentDays><StorageClass>GLACIER</StorageClass></NoncurrentVersionTransition></Rule>
              <Rule><ID>tag-only</ID><Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status><Expiration><Days>3</Days></Expiration></Rule>
              <Rule><ID>off</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Disabled</Status><Expiration><Days>1</Days></Expiration></Rule>
              <Rule><ID>uploads</ID><Filter><Prefix>tmp/</Prefix></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>
            </LifecycleConfiguration>
            """);

        Assert.Equal(
            [
                new Effect(EffectKind.Delete, "s3://model-weights/models/**", Value: "expire-models", Flags: EffectFlags.ResourcePattern),
                new Effect(EffectKind.Delete, "s3://model-weights/**", Value: "everything", Flags: EffectFlags.ResourcePattern),
                new Effect(EffectKind.Delete, "s3://model-weights/ckpt\\*\\[1\\]/**", Value: "legacy", Flags: EffectFlags.ResourcePattern),
                new Effect(EffectKind.Delete, "s3://model-weights/w/**", Value: "and", Flags: EffectFlags.ResourcePattern),
                new Effect(EffectKind.Delete, "s3://model-weights/**", Value: "tag-only", Flags: EffectFlags.ResourcePattern),
            ],
            effects);
    }

    [Theory]
    [InlineData("<LifecycleConfiguration><Rule><Filter/><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>", "no Status")]
    [InlineData("<LifecycleConfiguration><Rule><Status>Maybe</Status></Rule></LifecycleConfiguration>", "Enabled or Disabled")]
    [InlineData("<LifecycleConfiguration><Rule><Status>Enabled</Status><Status>Disabled</Status></Rule></LifecycleConfiguration>", "more than one Status")]
    [InlineData("<LifecycleConfiguration><Rule><Status>Enabled</Status><Prefix>a</Prefix><Filter><Prefix>b</Prefix></Filter></Rule></LifecycleConfiguration>", "both")]
    [InlineData("<LifecycleConfiguration><Rule><Status>Enabled</Status><Filter><Prefix>a</Prefix><Prefix>b</Prefix></Filter></Rule></LifecycleConfiguration>", "more than one Prefix")]
    [InlineData("<Lifecycle/>", "root")]
    public void DecodeBody_BadLifecycle_IsRefused(string document, string reason)
    {
        Assert.Contains(reason, Refused(Lifecycle, document));
    }

    // --- versioning -------------------------------------------------------------------------------

    [Fact]
    public void DecodeBody_VersioningSuspended_DeletesEveryObjectsHistory()
    {
        var effects = Decoded(Versioning, $"<VersioningConfiguration {Ns}><Status>Suspended</Status></VersioningConfiguration>");

        Assert.Equal([new Effect(EffectKind.Delete, "s3://model-weights/**", Value: "versioning suspended", Flags: EffectFlags.ResourcePattern)], effects);
    }

    [Theory]
    [InlineData("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>")]
    [InlineData("<VersioningConfiguration><MfaDelete>Disabled</MfaDelete></VersioningConfiguration>")]
    public void DecodeBody_VersioningEnabled_AddsNothing(string document)
    {
        Assert.Empty(Decoded(Versioning, document));
    }

    [Theory]
    [InlineData("<VersioningConfiguration><Status>Off</Status></VersioningConfiguration>")]
    [InlineData("<VersioningConfiguration><Status>Enabled</Status><Status>Suspended</Status></VersioningConfiguration>")]
    public void DecodeBody_BadVersioning_IsRefused(string document)
    {
        Refused(Versioning, document);
    }

    // --- replication ------------------------------------------------------------------------------

    [Fact]
    public void DecodeBody_Replication_CopiesEachEnabledRulesObjectsToItsDestination()
    {
        var effects = Decoded(Replication, $"""
            <ReplicationConfiguration {Ns}>
              <Role>arn:aws:iam::123456789012:role/replication</Role>
              <Rule><ID>all</ID><Priority>1</Priority><Status>Enabled</Status><Filter/><Destination><Bucket>arn:aws:s3:::exfil-bucket</Bucket></Destination></Rule>
              <Rule><ID>models</ID><Status>Enabled</Status><Filter><Prefix>models/</Prefix></Filter><Destination><Bucket>arn:aws-cn:s3:::other.bucket</Bucket><StorageClass>STANDARD</StorageClass></Destination></Rule>
              <Rule><ID>off</ID><Status>Disabled</Status><Prefix>x</Prefix><Destination><Bucket>arn:aws:s3:::never</Bucket></Destination></Rule>
            </ReplicationConfiguration>
            """);

        Assert.Equal(
            [
                new Effect(EffectKind.Copy, "s3://model-weights/**", "s3://exfil-bucket/", "all", EffectFlags.ResourcePattern),
                new Effect(EffectKind.Copy, "s3://model-weights/models/**", "s3://other.bucket/", "models", EffectFlags.ResourcePattern),
            ],
            effects);
    }

    [Theory]
    [InlineData("<ReplicationConfiguration><Rule><Status>Enabled</Status></Rule></ReplicationConfiguration>", "no Destination")]
    [InlineData("<ReplicationConfiguration><Rule><Status>Enabled</Status><Destination/></Rule></ReplicationConfiguration>", "no Bucket")]
    [InlineData("<ReplicationConfiguration><Rule><Status>Enabled</Status><Destination><Bucket>exfil-bucket</Bucket></Destination></Rule></ReplicationConfiguration>", "ARN")]
    [InlineData("<ReplicationConfiguration><Rule><Status>Enabled</Status><Destination><Bucket>arn:aws:s3:::Bad_Bucket</Bucket></Destination></Rule></ReplicationConfiguration>", "bucket name")]
    [InlineData("<ReplicationConfiguration><Rule><Status>Enabled</Status><Destination><Bucket>arn:aws:s3:::a-b</Bucket><Bucket>arn:aws:s3:::c-d</Bucket></Destination></Rule></ReplicationConfiguration>", "more than one Bucket")]
    public void DecodeBody_BadReplication_IsRefused(string document, string reason)
    {
        Assert.Contains(reason, Refused(Replication, document));
    }
}
