using Microsoft.Extensions.Options;

namespace AgentGuard.Proxy;

/// <summary>Checks the <c>AgentGuard</c> section and reports every problem with its key, value and fix.</summary>
internal sealed class GuardOptionsValidator : IValidateOptions<GuardOptions>
{
    public ValidateOptionsResult Validate(string? name, GuardOptions options)
    {
        var errors = new List<string>();
        if (options.Inspection.MaxBodyBytes is < InspectionOptions.MinBodyBytes or > InspectionOptions.MaxAllowedBodyBytes)
        {
            errors.Add($"AgentGuard:Inspection:MaxBodyBytes is {options.Inspection.MaxBodyBytes}; use 1 KiB to 64 MiB (1024 to 67108864).");
        }

        if (options.Policies.Count == 0)
        {
            errors.Add("AgentGuard:Policies is empty; give at least one policy file or folder (--policy policies/).");
        }

        CheckUrl(options.Listen, "AgentGuard:Listen", "--listen http://127.0.0.1:8080", errors);
        CheckUrl(options.Admin, "AgentGuard:Admin", "--admin http://127.0.0.1:9091", errors);
        if (options.Upstream is not null)
        {
            CheckUrl(options.Upstream, "AgentGuard:Upstream", "--upstream http://127.0.0.1:3001", errors);
        }

        if (Uri.TryCreate(options.Listen, UriKind.Absolute, out var listen)
            && Uri.TryCreate(options.Admin, UriKind.Absolute, out var admin)
            && listen.Port == admin.Port && listen.Port != 0)
        {
            errors.Add($"AgentGuard:Admin uses port {admin.Port}, the data-plane port; agents must not reach the admin plane, so give it its own port.");
        }

        if (options.AdminApiToken is { } token && token.Trim().Length < GuardOptions.MinAdminApiTokenLength)
        {
            // The length only: the token itself must not reach a log.
            errors.Add($"AgentGuard:AdminApiToken is {token.Trim().Length} characters long; use at least {GuardOptions.MinAdminApiTokenLength} random characters (openssl rand -hex 32), or leave it unset to serve /api/* to loopback clients only.");
        }

        if (string.IsNullOrWhiteSpace(options.Agent.Id))
        {
            errors.Add("AgentGuard:Agent:Id is empty; give the agent this sidecar vouches for (--agent ID).");
        }

        if (string.IsNullOrWhiteSpace(options.Agent.Role))
        {
            errors.Add("AgentGuard:Agent:Role is empty; give the agent's role (--role evaluator).");
        }

        var audit = options.Audit;
        if (audit.MaxSegmentBytes is < 64 * 1024 or > 4L * 1024 * 1024 * 1024)
        {
            errors.Add($"AgentGuard:Audit:MaxSegmentBytes is {audit.MaxSegmentBytes}; use 64 KiB to 4 GiB (65536 to 4294967296).");
        }

        if (audit.CheckpointInterval < TimeSpan.FromSeconds(1) || audit.CheckpointInterval > TimeSpan.FromDays(1))
        {
            errors.Add($"AgentGuard:Audit:CheckpointInterval is {audit.CheckpointInterval}; use 00:00:01 to 1.00:00:00.");
        }

        if (audit.SigningKeyFile is not null && audit.Directory is null)
        {
            errors.Add("AgentGuard:Audit:SigningKeyFile is set but AgentGuard:Audit:Directory is not; give the audit folder (--audit-dir DIR).");
        }

        if (audit.SigningKeyFile is not null && !File.Exists(audit.SigningKeyFile))
        {
            errors.Add($"AgentGuard:Audit:SigningKeyFile is '{audit.SigningKeyFile}', which does not exist; write a key pair with 'agentguard audit keygen'.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckUrl(string value, string key, string example, List<string> errors)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"{key} is '{value}'; use an absolute http(s) URL, e.g. {example}.");
        }
    }
}
