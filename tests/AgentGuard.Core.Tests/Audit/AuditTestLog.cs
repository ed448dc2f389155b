using System.Text;
using System.Text.Json;
using AgentGuard.Effects;
using AgentGuard.Infrastructure;
using AgentGuard.Policy;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentGuard.Audit;

/// <summary>Builds decision records and real audit logs in a folder, and reads and edits their segment files.</summary>
internal static class AuditTestLog
{
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(10);

    private static int s_reference;

    /// <summary>Opens a log in <paramref name="directory"/>; Flush durability unless told otherwise, because tmpfs and CI disks make fsync the slow part.</summary>
    public static AuditLog Open(string directory, Action<AuditOptions>? configure = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        var options = new AuditOptions { Directory = directory, Durability = AuditDurability.Flush };
        configure?.Invoke(options);
        return AuditLog.Open(options, logger ?? NullLogger.Instance, timeProvider ?? new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Start));
    }

    /// <summary>A decision on one call; every field can be set.</summary>
    public static DecisionRecord Decision(
        DateTimeOffset? time = null,
        string agent = "gemini-agent-1",
        string role = "evaluator",
        string? session = "session-1",
        string method = "tools/call",
        string? tool = "list_files",
        string arguments = """{"path":"/srv/data"}""",
        DecisionKind kind = DecisionKind.Allow,
        string rule = "default",
        Finding? finding = null,
        string? message = null,
        IReadOnlyList<Effect>? effects = null,
        string? reference = null,
        string policy = "v1")
        => new(
            time ?? Start,
            new ToolCall(new Agent(agent, role), session, "mcp", method, tool, Json.Parse(arguments)),
            new Policy.Decision(kind, rule, finding, message, effects ?? []),
            reference ?? NextReference(),
            policy);

    /// <summary>A decision whose arguments carry <paramref name="padding"/> characters, to fill segments quickly.</summary>
    public static DecisionRecord Padded(int padding, DateTimeOffset? time = null)
        => Decision(time, arguments: $$"""{"path":"/srv/data","pad":"{{new string('x', padding)}}"}""");

    public static string NextReference() => Interlocked.Increment(ref s_reference).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Appends <paramref name="count"/> decisions, <paramref name="perBatch"/> to an <see cref="AuditLog.AppendAsync"/> call.</summary>
    public static async Task AppendManyAsync(AuditLog log, int count, int perBatch = 1, Func<int, DecisionRecord>? make = null)
    {
        make ??= i => Decision(Start.AddSeconds(i));
        for (var i = 0; i < count; i += perBatch)
        {
            var batch = new DecisionRecord[Math.Min(perBatch, count - i)];
            for (var j = 0; j < batch.Length; j++)
            {
                batch[j] = make(i + j);
            }

            await log.AppendAsync(batch, CancellationToken.None);
        }
    }

    /// <summary>Every line of every segment, in chain order, without newlines.</summary>
    public static List<SegmentLine> Lines(string directory)
    {
        var lines = new List<SegmentLine>();
        foreach (var segment in AuditChain.Segments(directory))
        {
            var number = 0;
            foreach (var text in File.ReadAllText(segment).Split('\n'))
            {
                if (text.Length > 0)
                {
                    lines.Add(new SegmentLine(segment, ++number, text));
                }
            }
        }

        return lines;
    }

    /// <summary>Replaces the byte at <paramref name="offset"/> in line <paramref name="line"/> (1-based) of <paramref name="segment"/>, checking it was <paramref name="expected"/>.</summary>
    public static void EditByte(string segment, int line, int offset, byte expected, byte replacement)
    {
        var bytes = File.ReadAllBytes(segment);
        var position = LineStart(bytes, line) + offset;
        Assert.True(bytes[position] == expected, $"{Path.GetFileName(segment)} line {line} byte {offset} is '{(char)bytes[position]}', not '{(char)expected}'");
        bytes[position] = replacement;
        File.WriteAllBytes(segment, bytes);
    }

    /// <summary>Changes one byte of <paramref name="text"/>'s first occurrence in line <paramref name="line"/>: the byte at <paramref name="index"/> within it becomes <paramref name="replacement"/>.</summary>
    public static void EditByteOf(string segment, int line, string text, int index, char replacement)
    {
        var content = LinesOf(segment);
        var at = content[line - 1].IndexOf(text, StringComparison.Ordinal);
        Assert.True(at >= 0, $"{Path.GetFileName(segment)} line {line} does not contain {text}");
        EditByte(segment, line, Encoding.UTF8.GetByteCount(content[line - 1].AsSpan(0, at)) + index, (byte)text[index], (byte)replacement);
    }

    /// <summary>The lines of one segment, without newlines.</summary>
    public static List<string> LinesOf(string segment)
        => [.. File.ReadAllText(segment).Split('\n').SkipLast(1)];

    /// <summary>Writes <paramref name="lines"/> back as a segment, each with its newline.</summary>
    public static void WriteLines(string segment, IEnumerable<string> lines)
        => File.WriteAllText(segment, string.Concat(lines.Select(l => l + "\n")));

    public static JsonElement Parse(string line)
    {
        using var document = JsonDocument.Parse(line);
        return document.RootElement.Clone();
    }

    /// <summary>Writes a fresh signing key pair into <paramref name="folder"/>; returns the private key file and the public key.</summary>
    public static (string PrivateKeyFile, string PublicPem) WriteKeyPair(TempFolder folder, string name = "signing")
    {
        var (privatePem, publicPem) = AuditSigner.Generate();
        return (folder.Write(name + ".pem", privatePem), publicPem);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, running <paramref name="eachTry"/> before each check; fails naming <paramref name="what"/> at the deadline.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what, Action? eachTry = null)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (true)
        {
            eachTry?.Invoke();
            if (condition())
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"timed out after {WaitLimit.TotalSeconds}s waiting until {what}");
            await Task.Delay(10);
        }
    }

    private static int LineStart(byte[] bytes, int line)
    {
        var position = 0;
        for (var i = 1; i < line; i++)
        {
            position = Array.IndexOf(bytes, (byte)'\n', position) + 1;
        }

        return position;
    }
}

/// <summary>One line of a segment file: which file, its 1-based line number, and its text.</summary>
internal sealed record SegmentLine(string Segment, int Number, string Text)
{
    public string Name => Path.GetFileName(Segment);

    public JsonElement Json => AuditTestLog.Parse(Text);

    public long Sequence => Json.GetProperty("seq").GetInt64();

    public string Type => Json.GetProperty("type").GetString()!;
}
