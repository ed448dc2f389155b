using AgentGuard.Effects;

namespace AgentGuard.Effects;

public class ResourceCanonicalizerTests
{
    public static TheoryData<string, string> Canonical => new()
    {
        { "/srv/config/shutdown_config.yaml", "file:///srv/config/shutdown_config.yaml" },
        { "shutdown_config.yaml", "file:///shutdown_config.yaml" },
        { "/", "file:///" },
        { "file:///srv/config/shutdown_config.yaml", "file:///srv/config/shutdown_config.yaml" },
        { "FILE:///srv/x", "file:///srv/x" },

        // Percent-decoding runs exactly once.
        { "/srv/config/shutdown%5Fconfig.yaml", "file:///srv/config/shutdown_config.yaml" },
        { "/srv/config/shutdown%5fconfig.yaml", "file:///srv/config/shutdown_config.yaml" },
        { "%2Fsrv%2Fconfig%2Fshutdown_config.yaml", "file:///srv/config/shutdown_config.yaml" },
        { "/srv/a/%2e%2e/config", "file:///srv/config" },
        { "/srv/a/%2E%2E/config", "file:///srv/config" },
        { "/srv/a/..%2fconfig", "file:///srv/config" },
        { "/srv/%252e%252e/config", "file:///srv/%2e%2e/config" },
        { "/srv/a%2541", "file:///srv/a%41" },
        { "/srv/100%", "file:///srv/100%" },
        { "/srv/%zz", "file:///srv/%zz" },
        { "/srv/%2", "file:///srv/%2" },
        { "/srv/%C3%A9t%C3%A9", "file:///srv/été" },

        // '.', '..' and '//' resolve, never above the root.
        { "/srv/./config/./shutdown_config.yaml", "file:///srv/config/shutdown_config.yaml" },
        { "/srv/tmp/../config/shutdown_config.yaml", "file:///srv/config/shutdown_config.yaml" },
        { "//srv///config//shutdown_config.yaml", "file:///srv/config/shutdown_config.yaml" },
        { "/../../../etc/passwd", "file:///etc/passwd" },
        { "file:///srv/../../../../etc/passwd", "file:///etc/passwd" },
        { "./tmp/../shutdown_config.yaml", "file:///shutdown_config.yaml" },
        { "/srv/data/", "file:///srv/data/" },
        { "/srv/data/x/..", "file:///srv/data/" },

        // Backslashes are separators, whether written or percent-encoded.
        { "C:\\srv\\\\config\\shutdown_config.yaml", "file:///C:/srv/config/shutdown_config.yaml" },
        { "/srv%5Cconfig%5Cshutdown_config.yaml", "file:///srv/config/shutdown_config.yaml" },
        { "\\srv\\tmp\\..\\config", "file:///srv/config" },

        // NFKC folds compatibility forms, such as fullwidth letters and dots.
        { "/srv/config/ｓｈｕｔｄｏｗｎ_config.yaml", "file:///srv/config/shutdown_config.yaml" },
        { "/srv/config/tmp/．．/shutdown_config.yaml", "file:///srv/config/shutdown_config.yaml" },
        { "/srv/%EF%BD%93hutdown", "file:///srv/shutdown" },
        { "/srv/ﬁle", "file:///srv/file" },

        // Scheme and host are lower-cased; the path keeps its case.
        { "HOST://10.0.12.45/Data/Model.SafeTensors", "host://10.0.12.45/Data/Model.SafeTensors" },
        { "s3://My-Bucket/Weights/A.bin", "s3://my-bucket/Weights/A.bin" },
        { "host://Example.COM./x", "host://example.com/x" },
        { "host://10.0.12.45", "host://10.0.12.45/" },
        { "host://10.0.12.45//data/../x", "host://10.0.12.45/x" },
        { "tool://bash", "tool://bash/" },

        // config:// keeps the key after '#'.
        { "config://shutdown_config.yaml#shutdown_enabled", "config://shutdown_config.yaml#shutdown_enabled" },
        { "config://./tmp/../shutdown_config.yaml#shutdown_enabled", "config://shutdown_config.yaml#shutdown_enabled" },
        { "config://shutdown_config.yaml# shutdown_enabled ", "config://shutdown_config.yaml#shutdown_enabled" },
        { "config://shutdown_config.yaml#ｓｈｕｔｄｏｗｎ_enabled", "config://shutdown_config.yaml#shutdown_enabled" },
        { "config://shutdown_config.yaml#%73hutdown_enabled", "config://shutdown_config.yaml#shutdown_enabled" },
        { "CONFIG://shutdown_config.yaml#Shutdown_Enabled", "config://shutdown_config.yaml#Shutdown_Enabled" },
        { "config://shutdown_config.yaml", "config://shutdown_config.yaml" },

        // Names that look canonical but are not: the fast path must not return them as they are.
        { "/srv/a/.", "file:///srv/a/" },
        { "host://h/a/.", "host://h/a/" },
        { "host://h/a/..", "host://h/" },
        { "host://H/..", "host://h/" },
        { "host://h/a/%2e", "host://h/a/" },
        { "host://h/a/%2E%2e/b", "host://h/b" },
        { "host://h/a%2fb", "host://h/a/b" },
        { "host://h/a%5c..%5cb", "host://h/b" },
        { "host://h//x", "host://h/x" },
        { "host://Host/x", "host://host/x" },
        { "Host://h/X", "host://h/X" },
        { "host://ｈｏｓｔ/x", "host://host/x" },
        { "host://h/ｘ", "host://h/x" },
        { "host://h./x", "host://h/x" },
        { "host:// h /x", "host://h/x" },
        { "host://ÉCOLE.fr/x", "host://école.fr/x" },
        { "file://srv/x", "file:///srv/x" },
        { "config:///a.yaml#k", "config://a.yaml#k" },
        { "config://dir/./a.yaml#k", "config://dir/a.yaml#k" },
        { "config://a.yaml#K ", "config://a.yaml#K" },
        { "a/b/c/../../..", "file:///" },
        { "/a/b/../../../c/", "file:///c/" },
        { "/..", "file:///" },
        { "host://", "host:///" },

        // Dots inside a segment name are not '.' or '..' segments.
        { "/srv/.hidden/..x/x..", "file:///srv/.hidden/..x/x.." },
    };

    [Theory]
    [MemberData(nameof(Canonical))]
    public void Canonicalize_Name_ReturnsCanonicalUri(string raw, string expected)
    {
        var canonical = ResourceCanonicalizer.Canonicalize(raw, out var error);

        Assert.Null(error);
        Assert.Equal(expected, canonical);
    }

    public static TheoryData<string> CanonicalForms()
    {
        // A literal '%' left by the single decode would be decoded again; that is the point of decoding once.
        var forms = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in Canonical)
        {
            if (row[1] is string expected && !expected.Contains('%', StringComparison.Ordinal))
            {
                forms.Add(expected);
            }
        }

        var data = new TheoryData<string>();
        foreach (var form in forms)
        {
            data.Add(form);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CanonicalForms))]
    public void Canonicalize_CanonicalUri_IsUnchanged(string canonical)
    {
        Assert.Equal(canonical, ResourceCanonicalizer.Canonicalize(canonical, out _));
    }

    [Theory]
    [InlineData("host://10.0.12.45/employee_directory.csv")]
    [InlineData("host://10.0.12.46/")]
    [InlineData("config://shutdown_config.yaml#shutdown_enabled")]
    [InlineData("file:///srv/config/shutdown_config.yaml")]
    [InlineData("config://a.yaml#")]
    public void Canonicalize_CanonicalUri_ReturnsSameInstance(string canonical)
    {
        Assert.Same(canonical, ResourceCanonicalizer.Canonicalize(canonical, out _));
    }

    [Fact]
    public void Canonicalize_LongerThanStackBuffer_ResolvesDotSegments()
    {
        var folder = string.Concat(Enumerable.Repeat("segment/", 100));

        var canonical = ResourceCanonicalizer.Canonicalize($"host://H/{folder}x/../y/./z", out var error);

        Assert.Null(error);
        Assert.Equal($"host://h/{folder}y/z", canonical);
    }

    public static TheoryData<string> Rejected => new()
    {
        "/srv/config/shutdown_config.yaml\0",
        "/srv/config/shutdown_config.yaml%00.txt",
        "/srv/config/\u0007x",
        "/srv/config/x%0A",
        "/srv/config/x\r\n",
        "/srv/config/x%7F",
        "/srv/%C2%85x",
        "/srv/%FF",
        "/srv/%C0%AE%C0%AE/config",
        "/srv/%ED%A0%80",
        "/srv/%C3",
        "host://h/x\u0085",
        "host://h/x%C2%9F",
        "host://h/x\u009F",
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Canonicalize_ControlCharacterOrInvalidText_ReturnsError(string raw)
    {
        var canonical = ResourceCanonicalizer.Canonicalize(raw, out var error);

        Assert.Null(canonical);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Canonicalize_LoneSurrogate_ReturnsError()
    {
        // Built here rather than passed as theory data, which would replace the lone surrogates with U+FFFD.
        string[] names = ["/srv/\ud800x", "config://shutdown_config.yaml#shutdown_enabled\udc00", "/srv/\ude00\ud83d"];
        foreach (var raw in names)
        {
            var canonical = ResourceCanonicalizer.Canonicalize(raw, out var error);

            Assert.Null(canonical);
            Assert.False(string.IsNullOrEmpty(error));
        }
    }

    [Fact]
    public void Canonicalize_LongerThanMax_ReturnsError()
    {
        var canonical = ResourceCanonicalizer.Canonicalize("/" + new string('a', ResourceCanonicalizer.MaxLength), out var error);

        Assert.Null(canonical);
        Assert.Equal($"resource name is longer than {ResourceCanonicalizer.MaxLength} characters", error);
    }

    [Fact]
    public void Canonicalize_ExactlyMax_IsAccepted()
    {
        var canonical = ResourceCanonicalizer.Canonicalize("/" + new string('a', ResourceCanonicalizer.MaxLength - 1), out var error);

        Assert.Null(error);
        Assert.NotNull(canonical);
    }
}
