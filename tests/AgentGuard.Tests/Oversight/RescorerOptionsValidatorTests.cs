namespace AgentGuard.Oversight;

/// <summary>Each re-scorer option's error message, with its key and fix.</summary>
public sealed class RescorerOptionsValidatorTests
{
    private static readonly ModelRescorerOptions ValidModel = new() { Endpoint = new Uri("http://127.0.0.1:11434/v1"), Models = ["llama3.1:8b"] };

    private static readonly WebhookRescorerOptions ValidWebhook = new() { Url = new Uri("https://grader.example.internal/rescore") };

    [Fact]
    public void Validate_DefaultsWithEndpointAndModel_NoErrors()
    {
        Assert.Empty(RescorerOptionsValidator.Validate(ValidModel, "r"));
        Assert.Empty(RescorerOptionsValidator.Validate(ValidWebhook, "r"));
        Assert.Empty(RescorerOptionsValidator.Validate(ValidModel with { Models = ["a", "b", "c"], ApiKeyEnvironmentVariable = "OPENAI_API_KEY" }, "r"));
        Assert.Empty(RescorerOptionsValidator.Validate(new ModelRescorerOptions { Judges = [new() { Endpoint = new Uri("https://api.openai.com/v1"), Model = "gpt-4.1-mini" }] }, "r"));
    }

    public static TheoryData<ModelRescorerOptions, string> InvalidModelOptions => new()
    {
        { ValidModel with { Endpoint = null }, "r.endpoint is missing; give an absolute http(s) URL, e.g. http://127.0.0.1:11434/v1 for Ollama." },
        { ValidModel with { Endpoint = new Uri("ftp://judge/v1") }, "r.endpoint is 'ftp://judge/v1'; use an absolute http(s) URL, e.g. http://127.0.0.1:11434/v1 for Ollama." },
        { ValidModel with { Models = [] }, "r.models is empty; give at least one model name, e.g. [llama3.1:8b], or several for a panel." },
        { ValidModel with { Models = [.. Enumerable.Range(0, 10).Select(i => $"m{i}")] }, "r has 10 judges (models and judges); use 1 to 9 (a panel of 3 or 5 is usual)." },
        { ValidModel with { Models = ["a", " "] }, "r.models holds an empty name; give each model's name as the endpoint knows it." },
        { ValidModel with { Models = ["a", "a"] }, "r.models names 'a' again; a panel counts each judge once, so give each model once." },
        { ValidModel with { Judges = [new() { Endpoint = new Uri("https://api.openai.com/v1"), Model = "llama3.1:8b" }] }, "r.judges[0].model names 'llama3.1:8b' again; a panel counts each judge once, so give each model once." },
        { ValidModel with { Judges = [new() { Model = "gpt-4.1-mini" }] }, "r.judges[0].endpoint is missing; give an absolute http(s) URL, e.g. https://api.openai.com/v1." },
        { ValidModel with { Judges = [new() { Endpoint = new Uri("https://api.openai.com/v1"), Model = "" }] }, "r.judges[0].model holds an empty name; give each model's name as the endpoint knows it." },
        { ValidModel with { Judges = [new() { Endpoint = new Uri("https://api.openai.com/v1"), Model = "m", ApiKeyEnvironmentVariable = "sk-1" }] }, "r.judges[0].api_key_env is not an environment variable name; give the variable's name (letters, digits, '_'), e.g. OPENAI_API_KEY, never the secret itself." },
        { ValidModel with { ApiKeyEnvironmentVariable = "sk-abc123" }, "r.api_key_env is not an environment variable name; give the variable's name (letters, digits, '_'), e.g. OPENAI_API_KEY, never the secret itself." },
        { ValidModel with { Timeout = TimeSpan.FromMilliseconds(50) }, "r.timeout is 50ms; use 100ms to 10m, e.g. 30s." },
        { ValidModel with { Timeout = TimeSpan.FromMinutes(11) }, "r.timeout is 660000ms; use 100ms to 10m, e.g. 30s." },
        { ValidModel with { Temperature = 2.5f }, "r.temperature is 2.5; use 0 to 2 (0 grades most repeatably)." },
        { ValidModel with { MaxOutputTokens = 100 }, "r.max_output_tokens is 100; use 256 to 131072." },
        { ValidModel with { MaxResponseBytes = 1024 }, "r.max_response_bytes is 1024; use 4 KiB to 16 MiB (4096 to 16777216)." },
    };

    [Theory]
    [MemberData(nameof(InvalidModelOptions))]
    public void Validate_InvalidModelOption_ReportsKeyValueAndFix(ModelRescorerOptions options, string expected)
        => Assert.Equal([expected], RescorerOptionsValidator.Validate(options, "r"));

    public static TheoryData<WebhookRescorerOptions, string> InvalidWebhookOptions => new()
    {
        { ValidWebhook with { Url = null }, "r.url is missing; give an absolute http(s) URL, e.g. https://grader.example.internal/rescore." },
        { ValidWebhook with { Url = new Uri("/rescore", UriKind.Relative) }, "r.url is '/rescore'; use an absolute http(s) URL, e.g. https://grader.example.internal/rescore." },
        { ValidWebhook with { Timeout = TimeSpan.Zero }, "r.timeout is 0ms; use 100ms to 10m, e.g. 30s." },
        { ValidWebhook with { TokenEnvironmentVariable = "GRADER TOKEN" }, "r.token_env is not an environment variable name; give the variable's name (letters, digits, '_'), e.g. OPENAI_API_KEY, never the secret itself." },
        { ValidWebhook with { TokenEnvironmentVariable = "GRADER_TOKEN", TokenFile = "/run/secrets/grader" }, "r.token_env and r.token_file are both set; give the token one way." },
        { ValidWebhook with { TokenFile = "" }, "r.token_file is empty; give the path of the file holding the token, or leave it out." },
        { ValidWebhook with { MaxResponseBytes = 32 * 1024 * 1024 }, "r.max_response_bytes is 33554432; use 4 KiB to 16 MiB (4096 to 16777216)." },
    };

    [Theory]
    [MemberData(nameof(InvalidWebhookOptions))]
    public void Validate_InvalidWebhookOption_ReportsKeyValueAndFix(WebhookRescorerOptions options, string expected)
        => Assert.Equal([expected], RescorerOptionsValidator.Validate(options, "r"));
}
