using System.Buffers;
using System.Text.Json;
using AgentGuard.Protocols.S3;

namespace AgentGuard.Proxy;

/// <summary>
/// The arguments an S3 call is recorded with: its bucket, key and copy source, as a small JSON
/// object, so the audit record says what was asked for beside the effects it was decided on.
/// </summary>
internal static class S3CallArguments
{
    /// <summary>The copy source header of CopyObject and UploadPartCopy.</summary>
    public const string CopySourceHeader = "x-amz-copy-source";

    /// <summary><c>{"bucket":..,"key":..,"copy_source":..}</c>, members present when known.</summary>
    public static JsonElement Create(S3Operation? operation, string? copySource)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (operation?.Bucket is { } bucket)
            {
                writer.WriteString("bucket"u8, bucket);
            }

            if (operation?.Key is { } key)
            {
                writer.WriteString("key"u8, key);
            }

            if (!string.IsNullOrEmpty(copySource))
            {
                // As sent (still percent-encoded): the effects carry its decoded, canonical form.
                writer.WriteString("copy_source"u8, copySource);
            }

            writer.WriteEndObject();
        }

        var reader = new Utf8JsonReader(buffer.WrittenSpan);
        return JsonElement.ParseValue(ref reader);
    }
}
