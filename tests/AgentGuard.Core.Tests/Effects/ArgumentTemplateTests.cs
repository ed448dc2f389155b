using System.Text.Json;
using AgentGuard.Infrastructure;

namespace AgentGuard.Effects;

public class ArgumentTemplateTests
{
    private static ArgumentTemplate Parse(string text)
    {
        var template = ArgumentTemplate.Parse(text, out var error);
        Assert.True(template is not null, $"'{text}' did not parse: {error}");
        return template;
    }

    private static List<string> Expand(string text, string argumentsJson)
    {
        var values = new List<string>();
        var error = Parse(text).Expand(Json.Parse(argumentsJson), values);
        Assert.True(error is null, $"'{text}' did not expand over {argumentsJson}: {error}");
        return values;
    }

    private static string ExpandError(string text, string argumentsJson)
    {
        var error = Parse(text).Expand(Json.Parse(argumentsJson), []);
        Assert.NotNull(error);
        return error;
    }

    [Fact]
    public void Expand_LiteralOnly_ReturnsLiteral()
    {
        Assert.Equal(["tool://bash"], Expand("tool://bash", "{}"));
    }

    [Fact]
    public void Expand_Placeholder_SubstitutesArgument()
    {
        Assert.Equal(["config://shutdown_config.yaml#shutdown_enabled"], Expand("config://shutdown_config.yaml#{key}", """{"key":"shutdown_enabled"}"""));
    }

    [Fact]
    public void Expand_ArrayPlaceholder_YieldsEveryElement()
    {
        Assert.Equal(
            ["host://10.0.12.45/a.txt", "host://10.0.12.45/w.safetensors"],
            Expand("host://{source_ip}/{filenames[*]}", """{"source_ip":"10.0.12.45","filenames":["a.txt","w.safetensors"]}"""));
    }

    [Fact]
    public void Expand_ArrayWhereSingleValueExpected_YieldsEveryElement()
    {
        // A lenient server may accept a list for a string; the guard must see every element.
        Assert.Equal(["config://c#other", "config://c#shutdown_enabled"], Expand("config://c#{key}", """{"key":["other","shutdown_enabled"]}"""));
    }

    [Fact]
    public void Expand_SingleValueWhereArrayExpected_YieldsTheValue()
    {
        Assert.Equal(["host://h/w.safetensors"], Expand("host://h/{filenames[*]}", """{"filenames":"w.safetensors"}"""));
    }

    [Fact]
    public void Expand_NestedMember_FollowsPath()
    {
        Assert.Equal(["file:///srv/x"], Expand("file://{options.path}", """{"options":{"path":"/srv/x"}}"""));
    }

    [Fact]
    public void Expand_NestedMemberThroughArray_YieldsEachElementsMember()
    {
        Assert.Equal(["file:///a", "file:///b"], Expand("file://{edits[*].path}", """{"edits":[{"path":"/a"},{"path":"/b"}]}"""));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"filename":null}""")]
    [InlineData("""{"filename":[]}""")]
    public void Expand_AbsentArgumentWithDefault_UsesDefault(string arguments)
    {
        Assert.Equal(["config://shutdown_config.yaml#k"], Expand("config://{filename|shutdown_config.yaml}#k", arguments));
    }

    [Fact]
    public void Expand_PresentArgumentWithDefault_UsesArgument()
    {
        Assert.Equal(["config://other.yaml"], Expand("config://{filename|shutdown_config.yaml}", """{"filename":"other.yaml"}"""));
    }

    [Fact]
    public void Expand_EmptyDefaults_ConcatenateWhateverIsPresent()
    {
        Assert.Equal(["drive:///abc"], Expand("drive:///{id|}{filename|}", """{"id":"abc"}"""));
        Assert.Equal(["drive:///report.txt"], Expand("drive:///{id|}{filename|}", """{"filename":"report.txt"}"""));
    }

    [Fact]
    public void Expand_DefaultWhenArgumentsUndefined_UsesDefault()
    {
        var values = new List<string>();

        Assert.Null(Parse("config://{filename|shutdown_config.yaml}").Expand(default, values));
        Assert.Equal(["config://shutdown_config.yaml"], values);
    }

    [Fact]
    public void Expand_MissingArgumentWithoutDefault_ReturnsError()
    {
        Assert.Equal("argument 'key' is missing", ExpandError("config://c#{key}", """{"value":"false"}"""));
    }

    [Fact]
    public void Expand_MissingNestedArgument_ReturnsErrorNamingPath()
    {
        Assert.Equal("argument 'options.path' is missing", ExpandError("file://{options.path}", """{"options":{}}"""));
    }

    [Theory]
    [InlineData("""{"KEY":"shutdown_enabled"}""")]
    [InlineData("""{"Key":"shutdown_enabled"}""")]
    [InlineData("""{"kEy":"shutdown_enabled"}""")]
    public void Expand_ArgumentNameInOtherCase_IsBound(string arguments)
    {
        Assert.Equal(["config://c#shutdown_enabled"], Expand("config://c#{key}", arguments));
    }

    [Theory]
    [InlineData("""{"k\u0065y":"shutdown_enabled"}""")]
    [InlineData("""{"K\u0045Y":"shutdown_enabled"}""")]
    public void Expand_EscapedArgumentName_IsBound(string arguments)
    {
        Assert.Equal(["config://c#shutdown_enabled"], Expand("config://c#{key}", arguments));
    }

    [Theory]
    [InlineData("""{"CLÉ":"x"}""")]
    [InlineData("""{"cl\u00c9":"x"}""")]
    public void Expand_NonAsciiArgumentNameInOtherCase_IsBound(string arguments)
    {
        Assert.Equal(["config://c#x"], Expand("config://c#{clé}", arguments));
    }

    [Fact]
    public void Expand_ArgumentNameOfOtherLength_IsNotBound()
    {
        Assert.Equal(["config://c#d"], Expand("config://c#{key|d}", """{"keys":"x","ke":"y"}"""));
    }

    [Fact]
    public void Expand_LiteralsAroundPlaceholders_KeepsOrder()
    {
        Assert.Equal(["a1b2c"], Expand("a{x}b{y}c", """{"y":2,"x":"1"}"""));
    }

    [Fact]
    public void Expand_ArraysBetweenLiterals_FirstPlaceholderVariesSlowest()
    {
        Assert.Equal(
            ["p1mxs", "p1mys", "p2mxs", "p2mys"],
            Expand("p{a[*]}m{b[*]}s", """{"a":["1","2"],"b":["x","y"]}"""));
    }

    [Fact]
    public void Expand_ArgumentNameInSeveralCases_BindsEveryVariant()
    {
        var values = Expand("config://c#{key}", """{"key":"log_level","KEY":"shutdown_enabled"}""");

        Assert.Equal(2, values.Count);
        Assert.Contains("config://c#log_level", values);
        Assert.Contains("config://c#shutdown_enabled", values);
    }

    [Theory]
    [InlineData("""{"value":false}""", "false")]
    [InlineData("""{"value":true}""", "true")]
    [InlineData("""{"value":0}""", "0")]
    [InlineData("""{"value":1.50}""", "1.50")]
    [InlineData("""{"value":"fa\u006cse"}""", "false")]
    public void Expand_ScalarValue_YieldsItsText(string arguments, string expected)
    {
        Assert.Equal([expected], Expand("{value}", arguments));
    }

    [Theory]
    [InlineData("""{"key":{"name":"shutdown_enabled"}}""", "object")]
    [InlineData("""{"key":[["shutdown_enabled"]]}""", "array")]
    [InlineData("""{"key":[{"name":"shutdown_enabled"}]}""", "object")]
    public void Expand_ObjectOrNestedArrayWhereValueExpected_ReturnsError(string arguments, string kind)
    {
        Assert.Equal($"an argument holds a JSON {kind} where a value is expected", ExpandError("config://c#{key}", arguments));
    }

    [Fact]
    public void Expand_SeveralArrays_YieldsEveryCombination()
    {
        var values = Expand("host://{ip}/{filenames[*]}", """{"ip":["h1","h2"],"filenames":["a","b","c"]}""");

        Assert.Equal(["host://h1/a", "host://h1/b", "host://h1/c", "host://h2/a", "host://h2/b", "host://h2/c"], values);
    }

    [Fact]
    public void Expand_ExactlyMaxExpansions_Succeeds()
    {
        Assert.Equal(ArgumentTemplate.MaxExpansions, Expand("host://h/{filenames[*]}", Filenames(ArgumentTemplate.MaxExpansions)).Count);
    }

    [Fact]
    public void Expand_MoreThanMaxExpansions_ReturnsError()
    {
        Assert.Equal(
            $"arguments expand to more than {ArgumentTemplate.MaxExpansions} resources",
            ExpandError("host://h/{filenames[*]}", Filenames(ArgumentTemplate.MaxExpansions + 1)));
    }

    [Fact]
    public void Expand_CombinationsBeyondMaxExpansions_ReturnsError()
    {
        // 33 x 32 = 1056: each list is small, their product is not.
        var arguments = $$"""{"a":{{JsonSerializer.Serialize(Enumerable.Range(0, 33).Select(i => $"a{i}"))}},"b":{{JsonSerializer.Serialize(Enumerable.Range(0, 32).Select(i => $"b{i}"))}}}""";

        Assert.StartsWith("arguments expand to more than", ExpandError("{a}/{b}", arguments), StringComparison.Ordinal);
    }

    [Fact]
    public void Expand_CalledTwice_ClearsPreviousValues()
    {
        var template = Parse("{key}");
        var values = new List<string>();

        template.Expand(Json.Parse("""{"key":["a","b"]}"""), values);
        template.Expand(Json.Parse("""{"key":"c"}"""), values);

        Assert.Equal(["c"], values);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("config://{key")]
    [InlineData("}")]
    [InlineData("config://c#key}")]
    [InlineData("{}")]
    [InlineData("{|default}")]
    [InlineData("{a b}")]
    [InlineData("{a[0]}")]
    [InlineData("{a..b}")]
    [InlineData("{.a}")]
    [InlineData("{a.}")]
    [InlineData("{a*}")]
    [InlineData("{{a}}")]
    public void Parse_MalformedTemplate_ReturnsError(string text)
    {
        var template = ArgumentTemplate.Parse(text, out var error);

        Assert.Null(template);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Parse_ValidTemplate_KeepsText()
    {
        Assert.Equal("host://{ip}/{filenames[*]}", Parse("host://{ip}/{filenames[*]}").Text);
    }

    private static string Filenames(int count)
        => JsonSerializer.Serialize(new { filenames = Enumerable.Range(0, count).Select(i => $"f{i}.txt") });
}
