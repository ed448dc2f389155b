namespace AgentGuard.Oversight;

/// <summary>
/// Checks re-scorer options and reports every problem with its key, value and fix. The policy
/// loader passes the key its YAML uses (e.g. <c>oversight.evaluations.factual.rescorer</c>) and adds
/// file and line; the option names follow it as the policy spells them (<c>...rescorer.api_key_env</c>).
/// </summary>
public static class RescorerOptionsValidator
{
    /// <summary>The largest panel: more judges add cost, not a better median.</summary>
    public const int MaxModels = 9;

    private static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>The problems in <paramref name="options"/>, none when it is valid.</summary>
    /// <param name="options">The options to check.</param>
    /// <param name="key">Where the options sit in the configuration, prefixed to each message.</param>
    public static IReadOnlyList<string> Validate(ModelRescorerOptions options, string key)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.Models.Count > 0 || options.Judges.Count == 0)
        {
            CheckUrl(options.Endpoint, $"{key}.endpoint", "http://127.0.0.1:11434/v1 for Ollama", errors);
        }

        var judges = options.Models.Count + options.Judges.Count;
        if (judges == 0)
        {
            errors.Add($"{key}.models is empty; give at least one model name, e.g. [llama3.1:8b], or several for a panel.");
        }
        else if (judges > MaxModels)
        {
            errors.Add($"{key} has {judges} judges (models and judges); use 1 to {MaxModels} (a panel of 3 or 5 is usual).");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var model in options.Models)
        {
            CheckModelName(model, $"{key}.models", seen, errors);
        }

        for (var i = 0; i < options.Judges.Count; i++)
        {
            var judge = options.Judges[i];
            var judgeKey = $"{key}.judges[{i}]";
            if (judge is null)
            {
                errors.Add($"{judgeKey} is empty; give endpoint and model.");
                continue;
            }

            CheckUrl(judge.Endpoint, $"{judgeKey}.endpoint", "https://api.openai.com/v1", errors);
            CheckModelName(judge.Model, $"{judgeKey}.model", seen, errors);
            CheckEnvironmentVariableName(judge.ApiKeyEnvironmentVariable, $"{judgeKey}.api_key_env", errors);
        }

        CheckEnvironmentVariableName(options.ApiKeyEnvironmentVariable, $"{key}.api_key_env", errors);
        CheckTimeout(options.Timeout, $"{key}.timeout", errors);
        if (!(options.Temperature >= 0 && options.Temperature <= 2))
        {
            errors.Add($"{key}.temperature is {options.Temperature}; use 0 to 2 (0 grades most repeatably).");
        }

        if (options.MaxOutputTokens is < 256 or > 131_072)
        {
            errors.Add($"{key}.max_output_tokens is {options.MaxOutputTokens}; use 256 to 131072.");
        }

        CheckResponseBytes(options.MaxResponseBytes, ModelRescorerOptions.MaxAllowedResponseBytes, $"{key}.max_response_bytes", errors);
        return errors;
    }

    /// <summary>The problems in <paramref name="options"/>, none when it is valid.</summary>
    /// <param name="options">The options to check.</param>
    /// <param name="key">Where the options sit in the configuration, prefixed to each message.</param>
    public static IReadOnlyList<string> Validate(WebhookRescorerOptions options, string key)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        CheckUrl(options.Url, $"{key}.url", "https://grader.example.internal/rescore", errors);
        CheckTimeout(options.Timeout, $"{key}.timeout", errors);
        CheckEnvironmentVariableName(options.TokenEnvironmentVariable, $"{key}.token_env", errors);
        if (options.TokenEnvironmentVariable is not null && options.TokenFile is not null)
        {
            errors.Add($"{key}.token_env and {key}.token_file are both set; give the token one way.");
        }

        if (options.TokenFile is { } file && string.IsNullOrWhiteSpace(file))
        {
            errors.Add($"{key}.token_file is empty; give the path of the file holding the token, or leave it out.");
        }

        CheckResponseBytes(options.MaxResponseBytes, WebhookRescorerOptions.MaxAllowedResponseBytes, $"{key}.max_response_bytes", errors);
        return errors;
    }

    private static void CheckModelName(string? model, string key, HashSet<string> seen, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(model))
        {
            errors.Add($"{key} holds an empty name; give each model's name as the endpoint knows it.");
        }
        else if (!seen.Add(model))
        {
            errors.Add($"{key} names '{model}' again; a panel counts each judge once, so give each model once.");
        }
    }

    private static void CheckUrl(Uri? url, string key, string example, List<string> errors)
    {
        if (url is null)
        {
            errors.Add($"{key} is missing; give an absolute http(s) URL, e.g. {example}.");
        }
        else if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"{key} is '{url}'; use an absolute http(s) URL, e.g. {example}.");
        }
    }

    private static void CheckTimeout(TimeSpan timeout, string key, List<string> errors)
    {
        if (timeout < MinTimeout || timeout > ModelRescorerOptions.MaxTimeout)
        {
            errors.Add($"{key} is {timeout.TotalMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}ms; use 100ms to 10m, e.g. 30s.");
        }
    }

    private static void CheckResponseBytes(int value, int max, string key, List<string> errors)
    {
        if (value < 4096 || value > max)
        {
            errors.Add($"{key} is {value}; use 4 KiB to {max / (1024 * 1024)} MiB (4096 to {max}).");
        }
    }

    private static void CheckEnvironmentVariableName(string? name, string key, List<string> errors)
    {
        if (name is null)
        {
            return;
        }

        // A name, not a value: a key pasted here would end up in the policy file and its audit trail.
        if (name.Length == 0 || name.Length > 128 || !IsVariableName(name))
        {
            errors.Add($"{key} is not an environment variable name; give the variable's name (letters, digits, '_'), e.g. OPENAI_API_KEY, never the secret itself.");
        }
    }

    private static bool IsVariableName(string name)
    {
        if (char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }
}
