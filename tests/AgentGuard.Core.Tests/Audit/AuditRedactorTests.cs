using System.Text;
using System.Text.Json;
using AgentGuard.Infrastructure;

namespace AgentGuard.Audit;

public sealed class AuditRedactorTests
{
    private static string Redact(string json, params string[] names)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            new AuditRedactor(names).Write(writer, Json.Parse(json));
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    [Fact]
    public void Write_NamedMembersAtAnyDepth_ReplacedWhateverTheirValue()
        => Assert.Equal(
            """{"user":"u","token":"[redacted]","deep":{"list":[{"Token":"[redacted]"},[{"TOKEN":"[redacted]"}]],"token":"[redacted]"}}""",
            Redact("""{"user":"u","token":"t","deep":{"list":[{"Token":{"a":1}},[{"TOKEN":[1,2]}]],"token":null}}""", "token"));

    [Fact]
    public void Write_NoNamedMembers_CopiedUnchanged()
    {
        const string Arguments = """{"path":"/srv/a b","n":1.5,"ok":true,"none":null,"list":[1,"two",{"x":[]}],"text":"token"}""";

        Assert.Equal(Arguments, Redact(Arguments, "token"));
    }

    [Fact]
    public void Write_ValuesEqualToANameOrStringsInArrays_NotRedacted()
        => Assert.Equal("""["password",{"k":"password"}]""", Redact("""["password",{"k":"password"}]""", "password"));

    [Fact]
    public void Write_Undefined_WritesNull()
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            new AuditRedactor(["password"]).Write(writer, default);
        }

        Assert.Equal("null", Encoding.UTF8.GetString(buffer.ToArray()));
    }

    [Fact]
    public void Write_CredentialInsideACommand_RedactedLikeASecretNamedArgument()
    {
        var written = Json.Parse(Redact("""{"command":"curl -H 'Authorization: Bearer abc.def' -u ops:pw https://h/","argv":["bash","-lc","PGPASSWORD=pw psql"]}""", "password"));

        Assert.Equal("curl -H 'Authorization: Bearer [redacted]' -u ops:[redacted] https://h/", written.GetProperty("command").GetString());
        Assert.Equal("PGPASSWORD=[redacted] psql", written.GetProperty("argv")[2].GetString());
    }
}
