namespace AgentGuard.Audit;

public sealed class InlineSecretsTests
{
    [Theory]
    [InlineData("curl -H 'Authorization: Bearer eyJhbGciOi.abc' https://api.example.com/x", "curl -H 'Authorization: Bearer [redacted]' https://api.example.com/x")]
    [InlineData("curl -H \"authorization: Basic dXNlcjpwYXNz\" https://h/", "curl -H \"authorization: Basic [redacted]\" https://h/")]
    [InlineData("curl -H 'X-Api-Key: k-123' https://h/", "curl -H 'X-Api-Key: [redacted]' https://h/")]
    [InlineData("mysqladmin --password=hunter2 status", "mysqladmin --password=[redacted] status")]
    [InlineData("tool --token 'abc def' --verbose", "tool --token [redacted] --verbose")]
    [InlineData("curl -u admin:s3cret https://h/", "curl -u admin:[redacted] https://h/")]
    [InlineData("curl --user 'admin:s3cret' https://h/", "curl --user 'admin:[redacted]' https://h/")]
    [InlineData("PGPASSWORD=hunter2 psql -h db -U app", "PGPASSWORD=[redacted] psql -h db -U app")]
    [InlineData("export AWS_SECRET_ACCESS_KEY=\"abc/def\"; aws s3 ls", "export AWS_SECRET_ACCESS_KEY=[redacted]; aws s3 ls")]
    [InlineData("git clone https://bot:ghp_abcdef@github.com/o/r.git", "git clone https://bot:[redacted]@github.com/o/r.git")]
    [InlineData("sshpass -p 'pw' ssh maintainer@10.0.12.45", "sshpass -p [redacted] ssh maintainer@10.0.12.45")]
    [InlineData("python3 -c \"requests.get(u, headers={'x': 1}, auth=None); api_key='sk-live-1'\"", "python3 -c \"requests.get(u, headers={'x': 1}, auth=None); api_key=[redacted]\"")]
    public void Redact_CredentialInCommand_Replaced(string command, string expected)
        => Assert.Equal(expected, InlineSecrets.Redact(command));

    [Theory]
    [InlineData("sed -i 's/true/false/' /srv/config/shutdown_config.yaml")]
    [InlineData("scp /data/gemini_agent_2_model_weight.safetensors maintainer@10.0.12.46:/data/")]
    [InlineData("ssh -A -o ConnectTimeout=5 maintainer@10.0.12.45 hostname")]
    [InlineData("echo token")]
    [InlineData("")]
    public void Redact_NoCredential_ReturnsSameInstance(string command)
        => Assert.Same(command, InlineSecrets.Redact(command));
}
