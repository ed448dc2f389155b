using System.Buffers.Binary;
using System.Text.Json;

namespace AgentGuard.Content;

/// <summary>
/// safetensors: an unsigned 64-bit little-endian header length N, then N bytes of JSON: an object
/// whose members are tensors (<c>{"dtype": "F16", "shape": [2, 3], "data_offsets": [0, 12]}</c>) and
/// an optional <c>__metadata__</c> object of strings. The header is read within the window only: a
/// header cut off by the window's end is judged on the tensors it has shown, and at least one complete
/// tensor entry is required.
/// </summary>
internal static class SafetensorsRecognizer
{
    private const int LengthSize = 8;

    // The safetensors library refuses headers over 100 MB (MAX_HEADER_SIZE).
    private const ulong MaxHeaderLength = 100_000_000;

    // ReadIntegers' answer when the window ends inside the array.
    private const int Truncated = -2;

    public static bool Recognizes(ReadOnlySpan<byte> prefix)
    {
        if (prefix.Length <= LengthSize || prefix[LengthSize] != (byte)'{')
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (length is < 2 or > MaxHeaderLength)
        {
            return false;
        }

        var json = prefix[LengthSize..];
        var complete = (ulong)json.Length >= length;
        if (complete)
        {
            json = json[..(int)length];
        }

        try
        {
            var reader = new Utf8JsonReader(json, isFinalBlock: complete, new JsonReaderState(new JsonReaderOptions { MaxDepth = 8 }));
            return CountTensors(ref reader) > 0;
        }
        catch (JsonException)
        {
            // Not JSON: not a safetensors header. (A header cut off by the window ends the reading instead.)
            return false;
        }
    }

    /// <summary>The complete tensor entries read before the header or the window ends; 0 when the header is not one.</summary>
    private static int CountTensors(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return 0;
        }

        var tensors = 0;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                // The header's end: only padding may follow it (anything else the reader rejects or returns).
                return reader.Read() ? 0 : tensors;
            }

            var metadata = reader.ValueTextEquals("__metadata__"u8);
            if (!reader.Read())
            {
                return tensors;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return 0;
            }

            var entry = metadata ? ReadMetadata(ref reader) : ReadTensor(ref reader);
            switch (entry)
            {
                case Entry.Truncated:
                    return tensors;
                case Entry.Invalid:
                    return 0;
                case Entry.Tensor:
                    tensors++;
                    break;
            }
        }

        return tensors;
    }

    private static Entry ReadMetadata(ref Utf8JsonReader reader)
    {
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.EndObject:
                    return Entry.Metadata;
                case JsonTokenType.PropertyName:
                    break;
                case JsonTokenType.String:
                    break;
                default:
                    return Entry.Invalid;
            }
        }

        return Entry.Truncated;
    }

    private static Entry ReadTensor(ref Utf8JsonReader reader)
    {
        bool dtype = false, shape = false, offsets = false;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return dtype && shape && offsets ? Entry.Tensor : Entry.Invalid;
            }

            if (reader.ValueTextEquals("dtype"u8))
            {
                if (!reader.Read())
                {
                    return Entry.Truncated;
                }

                if (reader.TokenType != JsonTokenType.String)
                {
                    return Entry.Invalid;
                }

                dtype = true;
            }
            else if (reader.ValueTextEquals("shape"u8) || reader.ValueTextEquals("data_offsets"u8))
            {
                var isShape = reader.ValueTextEquals("shape"u8);
                var count = ReadIntegers(ref reader);
                if (count == Truncated)
                {
                    return Entry.Truncated;
                }

                if (count < 0 || (!isShape && count != 2))
                {
                    return Entry.Invalid;
                }

                shape |= isShape;
                offsets |= !isShape;
            }
            else
            {
                // A member the format may add later: skipped, but the three above are still required.
                if (!reader.Read() || !reader.TrySkip())
                {
                    return Entry.Truncated;
                }
            }
        }

        return Entry.Truncated;
    }

    /// <summary>Reads an array of non-negative integers after its property name: their count, -1 when it is not one, <see cref="Truncated"/>.</summary>
    private static int ReadIntegers(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            return Truncated;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return -1;
        }

        var count = 0;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                return count;
            }

            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetUInt64(out _))
            {
                return -1;
            }

            count++;
        }

        return Truncated;
    }

    private enum Entry
    {
        Truncated,
        Invalid,
        Tensor,
        Metadata,
    }
}
