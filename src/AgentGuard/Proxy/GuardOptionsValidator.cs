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

        Shared.SharedStateValidation.Check(options.SharedState, errors);

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

        for (var i = 0; i < options.S3.ServiceHosts.Count; i++)
        {
            var host = options.S3.ServiceHosts[i];
            if (string.IsNullOrWhiteSpace(host) || host.Contains('/', StringComparison.Ordinal))
            {
                errors.Add($"AgentGuard:S3:ServiceHosts:{i} is '{host}'; give a host name the S3 clients call, without scheme or path (s3.amazonaws.com, minio.internal).");
            }
        }

        if (options.Holds.DefaultTimeout < Policy.HoldTerms.MinTimeout || options.Holds.DefaultTimeout > Policy.HoldTerms.MaxTimeout)
        {
            errors.Add($"AgentGuard:Holds:DefaultTimeout is {options.Holds.DefaultTimeout}; use 00:00:01 to 00:30:00 (default 00:00:45, under the agents' common 60 s client timeout).");
        }

        if (options.Holds.ProgressInterval < TimeSpan.FromSeconds(1) || options.Holds.ProgressInterval > TimeSpan.FromMinutes(5))
        {
            errors.Add($"AgentGuard:Holds:ProgressInterval is {options.Holds.ProgressInterval}; use 00:00:01 to 00:05:00 (default 00:00:10).");
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

        CheckSessions(options.Sessions, errors);
        foreach (var error in options.Oversight.Comparison.Validate())
        {
            errors.Add("AgentGuard:Oversight:" + error);
        }

        if (!(options.Oversight.NearThresholdPoints is >= 0 and <= 100))
        {
            errors.Add($"AgentGuard:Oversight:NearThresholdPoints is {options.Oversight.NearThresholdPoints}; use 0 to 100 points, such as 5.");
        }

        CheckIdentity(options, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckIdentity(GuardOptions options, List<string> errors)
    {
        var tls = options.Tls;
        var https = Uri.TryCreate(options.Listen, UriKind.Absolute, out var listen) && listen.Scheme == Uri.UriSchemeHttps;
        if (https && string.IsNullOrWhiteSpace(tls.CertificateFile))
        {
            errors.Add("AgentGuard:Listen is https; give the server certificate in AgentGuard:Tls:CertificateFile (PEM with AgentGuard:Tls:KeyFile, or PFX).");
        }

        foreach (var (key, path) in (ReadOnlySpan<(string, string?)>)[("CertificateFile", tls.CertificateFile), ("KeyFile", tls.KeyFile), ("ClientCertificateAuthorityFile", tls.ClientCertificateAuthorityFile)])
        {
            if (!string.IsNullOrWhiteSpace(path) && !File.Exists(path))
            {
                errors.Add($"AgentGuard:Tls:{key} is '{path}', which does not exist.");
            }
        }

        var identity = options.Identity;
        if (identity.Mode == IdentityMode.Jwt)
        {
            var jwt = identity.Jwt;
            if (string.IsNullOrWhiteSpace(jwt.Issuer) || string.IsNullOrWhiteSpace(jwt.Audience))
            {
                errors.Add("AgentGuard:Identity:Mode is Jwt; give the tokens' issuer and audience (AgentGuard:Identity:Jwt:Issuer and :Audience): a token for another service must not name an agent here.");
            }

            if (string.IsNullOrWhiteSpace(jwt.JwksFile) == string.IsNullOrWhiteSpace(jwt.JwksUrl))
            {
                errors.Add("AgentGuard:Identity:Mode is Jwt; give exactly one of AgentGuard:Identity:Jwt:JwksFile and :JwksUrl, the issuer's public keys.");
            }
            else if (jwt.JwksUrl is { } url && (!Uri.TryCreate(url, UriKind.Absolute, out var jwks)
                || !(jwks.Scheme == Uri.UriSchemeHttps || (jwks.Scheme == Uri.UriSchemeHttp && jwks.IsLoopback))))
            {
                errors.Add($"AgentGuard:Identity:Jwt:JwksUrl is '{url}'; use an https URL (http only on loopback): keys fetched in the clear could be anyone's.");
            }

            if (string.IsNullOrWhiteSpace(jwt.AgentClaim) || string.IsNullOrWhiteSpace(jwt.Header))
            {
                errors.Add("AgentGuard:Identity:Jwt:AgentClaim and :Header must not be empty.");
            }
        }
        else if (identity.Mode == IdentityMode.Mtls)
        {
            if (!https || string.IsNullOrWhiteSpace(tls.ClientCertificateAuthorityFile))
            {
                errors.Add("AgentGuard:Identity:Mode is Mtls; the data plane must listen on https (AgentGuard:Listen) with AgentGuard:Tls:ClientCertificateAuthorityFile, the CA that issues agents' certificates.");
            }

            if (identity.Certificate.AgentFrom.ToLowerInvariant() is not ("cn" or "uri" or "dns"))
            {
                errors.Add($"AgentGuard:Identity:Certificate:AgentFrom is '{identity.Certificate.AgentFrom}'; use cn, uri or dns.");
            }
        }
    }

    private static void CheckSessions(SessionOptions sessions, List<string> errors)
    {
        if (sessions.IdleTimeout < TimeSpan.FromSeconds(1) || sessions.IdleTimeout > TimeSpan.FromDays(7))
        {
            errors.Add($"AgentGuard:Sessions:IdleTimeout is {sessions.IdleTimeout}; use 00:00:01 to 7.00:00:00.");
        }

        if (sessions.IdleCheckInterval < TimeSpan.FromSeconds(1) || sessions.IdleCheckInterval > sessions.IdleTimeout)
        {
            errors.Add($"AgentGuard:Sessions:IdleCheckInterval is {sessions.IdleCheckInterval}; use 00:00:01 to the idle timeout ({sessions.IdleTimeout}).");
        }

        if (sessions.MaxHeaderAge < TimeSpan.FromSeconds(1) || sessions.MaxHeaderAge > TimeSpan.FromDays(1))
        {
            errors.Add($"AgentGuard:Sessions:MaxHeaderAge is {sessions.MaxHeaderAge}; use 00:00:01 to 1.00:00:00.");
        }

        if (sessions.MaxSessions is < 1 or > 10_000_000)
        {
            errors.Add($"AgentGuard:Sessions:MaxSessions is {sessions.MaxSessions}; use 1 to 10000000.");
        }

        if (sessions.MaxEvidenceItemChars is < 1 or > 16 * 1024 * 1024)
        {
            errors.Add($"AgentGuard:Sessions:MaxEvidenceItemChars is {sessions.MaxEvidenceItemChars}; use 1 to 16777216.");
        }

        if (sessions.MaxEvidenceItems < 0 || sessions.MaxEvidenceChars < 0 || sessions.MaxCalls < 0 || sessions.MaxAgentEvidenceItems < 0 || sessions.MaxLineage < 0 || sessions.MaxEvidenceBytes < 0)
        {
            errors.Add("AgentGuard:Sessions:MaxEvidenceItems, MaxEvidenceChars, MaxCalls, MaxAgentEvidenceItems, MaxLineage and MaxEvidenceBytes must not be negative; use 0 to keep none.");
        }

        if (sessions.EvidenceWindow < TimeSpan.Zero)
        {
            errors.Add($"AgentGuard:Sessions:EvidenceWindow is {sessions.EvidenceWindow}; use 00:00:00 or more.");
        }

        if (sessions.SigningKeyFile is not null && !File.Exists(sessions.SigningKeyFile))
        {
            errors.Add($"AgentGuard:Sessions:SigningKeyFile is '{sessions.SigningKeyFile}', which does not exist; write one the agent cannot read (openssl rand -hex 32 > FILE; chmod 600 FILE).");
        }
        else if (sessions.SigningKeyFile is not null)
        {
            try
            {
                CheckSigningKey("AgentGuard:Sessions:SigningKeyFile", $"'{sessions.SigningKeyFile}' holds", File.ReadAllText(sessions.SigningKeyFile), errors);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                errors.Add($"AgentGuard:Sessions:SigningKeyFile '{sessions.SigningKeyFile}' cannot be read: {ex.Message}; make it readable by the guard (and not by the agent).");
            }
        }
        else if (sessions.SigningKey is not null)
        {
            CheckSigningKey("AgentGuard:Sessions:SigningKey", "is", sessions.SigningKey, errors);
        }

        if ((sessions.Header is not null || sessions.ObservedHeader is not null) && !sessions.HeaderTrusted && sessions.SigningKeyFile is null && string.IsNullOrWhiteSpace(sessions.SigningKey))
        {
            errors.Add("AgentGuard:Sessions:Header or ObservedHeader is set but neither AgentGuard:Sessions:SigningKeyFile nor HeaderTrusted is: the header could never be trusted; give a signing key file, or set HeaderTrusted=true if the agent cannot set the header.");
        }

        foreach (var name in (ReadOnlySpan<string?>)[sessions.Header, sessions.ObservedHeader])
        {
            if (name is not null && (name.Length == 0 || name.Equals("Mcp-Session-Id", StringComparison.OrdinalIgnoreCase) || name.AsSpan().IndexOfAny(" :\r\n") >= 0))
            {
                errors.Add($"AgentGuard:Sessions header name '{name}' is not usable; give an HTTP header name of the orchestrator's own, such as X-Orchestrator-Session.");
            }
        }
    }

    /// <summary>A key short enough to guess would let the agent sign its own session header; the length only is reported, never the key.</summary>
    private static void CheckSigningKey(string key, string holds, string value, List<string> errors)
    {
        var length = value.Trim().Length;
        if (length < SessionOptions.MinSigningKeyLength)
        {
            errors.Add($"{key} {holds} a key of {length} characters; use at least {SessionOptions.MinSigningKeyLength} random characters (openssl rand -hex 32).");
        }
    }

    private static void CheckUrl(string value, string key, string example, List<string> errors)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"{key} is '{value}'; use an absolute http(s) URL, e.g. {example}.");
        }
    }
}
