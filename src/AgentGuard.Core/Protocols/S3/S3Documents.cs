using System.Xml;
using System.Xml.Linq;
using AgentGuard.Effects;

namespace AgentGuard.Protocols.S3;

/// <summary>
/// The XML documents an S3 decision depends on: DeleteObjects' keys, lifecycle rules, versioning
/// status, replication destinations. Read safely: no DTD (so no external entity and no entity
/// expansion), at most <see cref="S3Decoder.MaxDocumentBytes"/>, elements matched by local name.
/// </summary>
internal static class S3Documents
{
    /// <summary>S3's own limit on the objects of one DeleteObjects and the rules of one configuration.</summary>
    public const int MaxEntries = 1000;

    // The deepest S3 document (a lifecycle rule's Filter/And/Tag/Key) is six levels deep.
    private const int MaxDepth = 16;

    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = S3Decoder.MaxDocumentBytes,
        MaxCharactersFromEntities = 1024,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = false,
        CloseInput = true,
    };

    /// <summary>A delete of every object the DeleteObjects document lists.</summary>
    public static string? DeleteObjects(string bucket, ReadOnlySpan<byte> document, List<Effect> effects)
    {
        var root = Load(document, "Delete", out var error);
        if (root is null)
        {
            return error;
        }

        var objects = 0;
        foreach (var item in root.Elements())
        {
            if (item.Name.LocalName != "Object")
            {
                continue;
            }

            if (++objects > MaxEntries)
            {
                return $"DeleteObjects lists more than {MaxEntries} objects";
            }

            if ((error = Single(item, "Key", required: true, out var keyElement)) is not null
                || (error = Single(item, "VersionId", required: false, out var versionElement)) is not null)
            {
                return "DeleteObjects: " + error;
            }

            var key = S3Names.ValidateKey(keyElement!.Value, out error);
            if (key is null)
            {
                return "DeleteObjects key: " + error;
            }

            var version = versionElement is null ? null : "versionId=" + versionElement.Value;
            effects.Add(new Effect(EffectKind.Delete, S3Names.Object(bucket, key), Value: version));
        }

        return objects == 0 ? "DeleteObjects lists no object" : null;
    }

    /// <summary>
    /// A delete of the objects each enabled rule expires or transitions, as a pattern over its
    /// prefix. A transition is a delete too: an object moved to an archive class is gone until
    /// restored. A rule that only aborts incomplete multipart uploads removes no stored object.
    /// </summary>
    public static string? Lifecycle(string bucket, ReadOnlySpan<byte> document, List<Effect> effects)
    {
        var root = Load(document, "LifecycleConfiguration", out var error);
        if (root is null)
        {
            return error;
        }

        var rules = EnabledRules(root, "lifecycle", out error);
        if (rules is null)
        {
            return error;
        }

        foreach (var (rule, prefix, id) in rules)
        {
            var removes = false;
            foreach (var action in rule.Elements())
            {
                removes |= action.Name.LocalName is "Expiration" or "NoncurrentVersionExpiration" or "Transition" or "NoncurrentVersionTransition"
                    or "Transitions" or "NoncurrentVersionTransitions";
            }

            if (removes)
            {
                effects.Add(new Effect(EffectKind.Delete, S3Names.PrefixPattern(bucket, prefix), Value: id, Flags: EffectFlags.ResourcePattern));
            }
        }

        return null;
    }

    /// <summary>Suspending versioning is a delete of every object's earlier versions: an overwrite or delete then loses them for good.</summary>
    public static string? Versioning(string bucket, ReadOnlySpan<byte> document, List<Effect> effects)
    {
        var root = Load(document, "VersioningConfiguration", out var error);
        if (root is null)
        {
            return error;
        }

        if ((error = Single(root, "Status", required: false, out var status)) is not null)
        {
            return "versioning configuration: " + error;
        }

        switch (status?.Value)
        {
            case null or "Enabled":
                return null;
            case "Suspended":
                effects.Add(new Effect(EffectKind.Delete, S3Names.PrefixPattern(bucket, string.Empty), Value: "versioning suspended", Flags: EffectFlags.ResourcePattern));
                return null;
            default:
                return "versioning Status must be Enabled or Suspended";
        }
    }

    /// <summary>A copy of the objects each enabled rule replicates (a pattern over its prefix) to its destination bucket: exfiltration by configuration.</summary>
    public static string? Replication(string bucket, ReadOnlySpan<byte> document, List<Effect> effects)
    {
        var root = Load(document, "ReplicationConfiguration", out var error);
        if (root is null)
        {
            return error;
        }

        var rules = EnabledRules(root, "replication", out error);
        if (rules is null)
        {
            return error;
        }

        foreach (var (rule, prefix, id) in rules)
        {
            if ((error = Single(rule, "Destination", required: true, out var destination)) is not null
                || (error = Single(destination!, "Bucket", required: true, out var destinationBucket)) is not null)
            {
                return "replication rule: " + error;
            }

            var target = BucketFromArn(destinationBucket!.Value.Trim(), out error);
            if (target is null)
            {
                return "replication destination: " + error;
            }

            effects.Add(new Effect(EffectKind.Copy, S3Names.PrefixPattern(bucket, prefix), S3Names.Bucket(target), id, EffectFlags.ResourcePattern));
        }

        return null;
    }

    // arn:aws:s3:::bucket (any partition: aws, aws-cn, aws-us-gov).
    private static string? BucketFromArn(string arn, out string? error)
    {
        var parts = arn.Split(':');
        if (parts.Length != 6 || parts[0] != "arn" || parts[2] != "s3" || parts[3].Length != 0 || parts[4].Length != 0)
        {
            error = "destination bucket must be an ARN 'arn:aws:s3:::bucket'";
            return null;
        }

        error = S3Names.ValidateBucket(parts[5]);
        return error is null ? parts[5] : null;
    }

    /// <summary>The enabled rules of a lifecycle or replication configuration, each with its prefix and id; <see langword="null"/> with the error when one is malformed or there are too many.</summary>
    private static List<(XElement Rule, string Prefix, string? Id)>? EnabledRules(XElement root, string configuration, out string? error)
    {
        var enabled = new List<(XElement, string, string?)>();
        var rules = 0;
        foreach (var rule in root.Elements())
        {
            if (rule.Name.LocalName != "Rule")
            {
                continue;
            }

            if (++rules > MaxEntries)
            {
                error = $"{configuration} configuration has more than {MaxEntries} rules";
                return null;
            }

            error = RuleHeader(rule, out var isEnabled, out var prefix, out var id);
            if (error is not null)
            {
                error = $"{configuration} rule: {error}";
                return null;
            }

            if (isEnabled)
            {
                enabled.Add((rule, prefix, id));
            }
        }

        error = null;
        return enabled;
    }

    // Status, and the prefix from Prefix, Filter/Prefix or Filter/And/Prefix (a tag or size filter
    // narrows further, but the guard cannot see tags or sizes: the prefix bounds what it reaches).
    private static string? RuleHeader(XElement rule, out bool enabled, out string prefix, out string? id)
    {
        enabled = false;
        prefix = string.Empty;
        id = null;
        string? error;
        if ((error = Single(rule, "Status", required: true, out var status)) is not null
            || (error = Single(rule, "ID", required: false, out var idElement)) is not null
            || (error = Single(rule, "Prefix", required: false, out var rulePrefix)) is not null
            || (error = Single(rule, "Filter", required: false, out var filter)) is not null)
        {
            return error;
        }

        id = idElement?.Value;
        switch (status!.Value)
        {
            case "Enabled":
                enabled = true;
                break;
            case "Disabled":
                return null;
            default:
                return "Status must be Enabled or Disabled";
        }

        XElement? prefixElement = rulePrefix;
        if (filter is not null)
        {
            if (rulePrefix is not null)
            {
                return "rule has both Prefix and Filter";
            }

            if ((error = Single(filter, "Prefix", required: false, out var filterPrefix)) is not null
                || (error = Single(filter, "And", required: false, out var and)) is not null)
            {
                return error;
            }

            XElement? andPrefix = null;
            if (and is not null && (error = Single(and, "Prefix", required: false, out andPrefix)) is not null)
            {
                return error;
            }

            if (filterPrefix is not null && andPrefix is not null)
            {
                return "rule filter has two prefixes";
            }

            prefixElement = filterPrefix ?? andPrefix;
        }

        if (prefixElement is not null && prefixElement.Value.Length > 0)
        {
            var decoded = S3Names.ValidateKey(prefixElement.Value, out error);
            if (decoded is null)
            {
                return "rule prefix: " + error;
            }

            prefix = decoded;
        }

        return null;
    }

    // Exactly one child of this name (or none, when not required): two are ambiguous.
    private static string? Single(XElement parent, string name, bool required, out XElement? child)
    {
        child = null;
        foreach (var element in parent.Elements())
        {
            if (element.Name.LocalName != name)
            {
                continue;
            }

            if (child is not null)
            {
                return $"{parent.Name.LocalName} has more than one {name}";
            }

            child = element;
        }

        return child is null && required ? $"{parent.Name.LocalName} has no {name}" : null;
    }

    private static XElement? Load(ReadOnlySpan<byte> document, string rootName, out string? error)
    {
        error = null;
        XElement? root = null;
        try
        {
            // Built by hand rather than by XDocument.Load, to bound the depth: loading a megabyte of
            // nested elements takes XDocument close to a minute (measured: 54 s for 100 000 levels).
            using var reader = XmlReader.Create(new MemoryStream(document.ToArray(), writable: false), Settings);
            var open = new Stack<XElement>();
            while (reader.Read())
            {
                switch (reader.NodeType)
                {
                    case XmlNodeType.Element:
                        if (reader.Depth >= MaxDepth)
                        {
                            error = $"{rootName} document nests deeper than {MaxDepth} elements";
                            return null;
                        }

                        var element = new XElement(reader.LocalName);
                        if (open.TryPeek(out var parent))
                        {
                            parent.Add(element);
                        }
                        else
                        {
                            root = element;
                        }

                        if (!reader.IsEmptyElement)
                        {
                            open.Push(element);
                        }

                        break;
                    case XmlNodeType.EndElement:
                        open.Pop();
                        break;
                    case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace when open.TryPeek(out var owner):
                        owner.Add(new XText(reader.Value));
                        break;
                }
            }
        }
        catch (XmlException e)
        {
            // The reader's message may quote the document; the line number says enough.
            error = $"{rootName} document is not well-formed XML or holds a DTD (line {e.LineNumber})";
            return null;
        }

        if (root is null || root.Name.LocalName != rootName)
        {
            error = $"document's root element must be {rootName}";
            return null;
        }

        return root;
    }
}
