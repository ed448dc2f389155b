using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using AgentGuard.Audit;
using AgentGuard.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit.Abstractions;

namespace AgentGuard.Proxy;

/// <summary>
/// A guard in front of many agents: each request's JWT or client certificate names its agent, checked
/// against the issuer's keys or the agents' CA; a request whose credential names nobody is refused,
/// audited and never forwarded, and a header that merely claims an agent counts for nothing.
/// </summary>
public sealed class GatewayIdentityTests(ITestOutputHelper output) : IDisposable
{
    private const string Issuer = "https://idp.example.test";
    private const string Audience = "agentguard";
    private const string Call = """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"view_sheet","arguments":{"name":"Evaluation data"}}}""";

    private readonly string _folder = Directory.CreateTempSubdirectory("agentguard-identity-").FullName;
    private readonly RSA _issuerKey = RSA.Create(2048);
    private readonly RSA _otherKey = RSA.Create(2048);

    public void Dispose()
    {
        _issuerKey.Dispose();
        _otherKey.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Jwt_EachTokenNamesItsAgentAndRole_TokenNotForwarded()
    {
        await using var upstream = await TestUpstream.StartRecordingAsync();
        await using var guard = await StartJwtGuardAsync(upstream, JwksFile(_issuerKey, "k1"));
        var decisions = TestGuard.Collect(guard);

        var first = await PostAsync(guard, r => r.Headers.Authorization = new("Bearer", Token(_issuerKey, "k1", "gemini-agent-1", "evaluator")));
        var second = await PostAsync(guard, r => r.Headers.Authorization = new("Bearer", Token(_issuerKey, "k1", "claude-agent-3", "operator")));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal([("gemini-agent-1", "evaluator"), ("claude-agent-3", "operator")], decisions.Select(d => (d.Call.Agent.Id, d.Call.Agent.Role)));
        Assert.Equal(2, upstream.Received.Count);

        // A credential for the guard is not passed through to the tool server.
        Assert.All(upstream.Received, r => Assert.DoesNotContain("Authorization", r.Headers.Keys, StringComparer.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Jwt_MissingForgedExpiredOrForAnotherService_RefusedAuditedNotForwarded()
    {
        await using var upstream = await TestUpstream.StartRecordingAsync();
        await using var guard = await StartJwtGuardAsync(upstream, JwksFile(_issuerKey, "k1"));
        var now = DateTime.UtcNow;
        string[] refused =
        [
            Token(_otherKey, "k1", "gemini-agent-1", "operator"),
            Token(_issuerKey, "k1", "gemini-agent-1", "operator", expires: now.AddMinutes(-5), notBefore: now.AddMinutes(-10)),
            Token(_issuerKey, "k1", "gemini-agent-1", "operator", issuer: "https://elsewhere.test"),
            Token(_issuerKey, "k1", "gemini-agent-1", "operator", audience: "another-service"),
            Token(_issuerKey, "k1", agent: null, "operator"),
            Unsigned("gemini-agent-1"),
            Hmac(_issuerKey, "gemini-agent-1"),
            "not.a.jwt",
        ];

        foreach (var token in refused)
        {
            var response = await PostAsync(guard, r => r.Headers.Authorization = new("Bearer", token));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        // No credential, only a header claiming to be an agent.
        var bare = await PostAsync(guard, r => r.Headers.Add("X-Agent-Id", "gemini-agent-1"));
        Assert.Equal(HttpStatusCode.Unauthorized, bare.StatusCode);

        Assert.Empty(upstream.Received);
        await guard.DisposeAsync();
        var records = AuditReader.Query(Path.Combine(_folder, "audit"), new AuditQuery { Type = "decision" });
        Assert.Equal(refused.Length + 1, records.Count);
        Assert.All(records, r =>
        {
            Assert.Equal(AgentAuthenticationMiddleware.Unauthenticated, r.Agent);
            Assert.StartsWith("identity: ", JsonDocument.Parse(r.Json).RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Jwt_S3RouteTokenInItsOwnHeader_SigV4AuthorizationForwardedUntouched()
    {
        await using var store = await TestUpstream.StartRecordingAsync();
        await using var guard = await S3.S3TestGuard.StartAsync(output, store.Address, new Dictionary<string, string?>
        {
            ["AgentGuard:Identity:Mode"] = "Jwt",
            ["AgentGuard:Identity:Jwt:Issuer"] = Issuer,
            ["AgentGuard:Identity:Jwt:Audience"] = Audience,
            ["AgentGuard:Identity:Jwt:JwksFile"] = JwksFile(_issuerKey, "k1"),
            ["AgentGuard:Identity:Jwt:Header"] = "X-Agent-Token",
        });
        var decisions = TestGuard.Collect(guard);
        const string SigV4 = "AWS4-HMAC-SHA256 Credential=S3RVER/20261205/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=00";
        using var http = new HttpClient();

        using var signed = new HttpRequestMessage(HttpMethod.Get, new Uri(guard.DataAddress, "/reports/q3.csv"));
        signed.Headers.TryAddWithoutValidation("Authorization", SigV4);
        signed.Headers.Add("X-Agent-Token", Token(_issuerKey, "k1", "claude-agent-3", "operator"));
        var allowed = await http.SendAsync(signed);
        using var anonymous = new HttpRequestMessage(HttpMethod.Get, new Uri(guard.DataAddress, "/reports/q3.csv"));
        anonymous.Headers.TryAddWithoutValidation("Authorization", SigV4);
        var refused = await http.SendAsync(anonymous);

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        var received = Assert.Single(store.Received);
        Assert.Equal(SigV4, received.Headers["Authorization"]);
        Assert.DoesNotContain("X-Agent-Token", received.Headers.Keys, StringComparer.OrdinalIgnoreCase);
        Assert.Equal("claude-agent-3", decisions[0].Call.Agent.Id);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("<Code>AccessDenied</Code>", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task JwksUrl_IssuerRotatesItsKey_NewTokensAcceptedAfterOneRefetch()
    {
        var keys = JwksJson(_issuerKey, "k1");
        var fetches = 0;
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseUrls("http://127.0.0.1:0");
        await using var idp = builder.Build();
        idp.Run(async context =>
        {
            Interlocked.Increment(ref fetches);
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(Volatile.Read(ref keys));
        });
        await idp.StartAsync();
        var jwksUrl = idp.Urls.First() + "/jwks.json";

        await using var upstream = await TestUpstream.StartRecordingAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var guard = await StartJwtGuardAsync(upstream, jwksUrl: jwksUrl, time: time);
        var decisions = TestGuard.Collect(guard);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(guard, r => r.Headers.Authorization = new("Bearer", Token(_issuerKey, "k1", "gemini-agent-1", "evaluator")))).StatusCode);

        // A token signed by a key the guard does not hold: refused while the last fetch is recent, so that such tokens cannot flood the issuer.
        Volatile.Write(ref keys, JwksJson(_otherKey, "k2"));
        var tooSoon = await PostAsync(guard, r => r.Headers.Authorization = new("Bearer", Token(_otherKey, "k2", "gemini-agent-2", "evaluator")));
        Assert.Equal(HttpStatusCode.Unauthorized, tooSoon.StatusCode);

        time.Advance(TimeSpan.FromMinutes(2));
        var rotated = await PostAsync(guard, r => r.Headers.Authorization = new("Bearer", Token(_otherKey, "k2", "gemini-agent-2", "evaluator")));

        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        Assert.Equal(["gemini-agent-1", AgentAuthenticationMiddleware.Unauthenticated, "gemini-agent-2"], decisions.Select(d => d.Call.Agent.Id));
        Assert.Equal(2, Volatile.Read(ref fetches));
    }

    [Fact]
    public async Task Jwt_NoKeysReadable_GuardDoesNotStart()
    {
        await using var upstream = await TestUpstream.StartRecordingAsync();
        var missing = Path.Combine(_folder, "missing.json");

        var error = await Assert.ThrowsAsync<GuardStartException>(() => StartJwtGuardAsync(upstream, missing));

        Assert.Contains("issuer's keys", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mtls_ClientCertificateNamesAgentAndRole_OtherCaOrNoneNeverReachesTheToolServer()
    {
        using var ca = CreateAuthority("CN=Agents CA");
        using var otherCa = CreateAuthority("CN=Someone else's CA");
        using var server = Issue(ca, "CN=127.0.0.1", serverAuth: true);
        using var agent = Issue(ca, "CN=claude-agent-3, OU=operator", serverAuth: false);
        using var stranger = Issue(otherCa, "CN=claude-agent-3, OU=operator", serverAuth: false);
        var caFile = Path.Combine(_folder, "agents-ca.pem");
        var certFile = Path.Combine(_folder, "server.pem");
        var keyFile = Path.Combine(_folder, "server.key");
        await File.WriteAllTextAsync(caFile, ca.ExportCertificatePem());
        await File.WriteAllTextAsync(certFile, server.ExportCertificatePem());
        await File.WriteAllTextAsync(keyFile, server.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());

        await using var upstream = await TestUpstream.StartRecordingAsync();
        await using var guard = await TestGuard.StartAsync(output, upstream.Address, settings: new Dictionary<string, string?>
        {
            ["AgentGuard:Listen"] = "https://127.0.0.1:0",
            ["AgentGuard:Tls:CertificateFile"] = certFile,
            ["AgentGuard:Tls:KeyFile"] = keyFile,
            ["AgentGuard:Tls:ClientCertificateAuthorityFile"] = caFile,
            ["AgentGuard:Identity:Mode"] = "Mtls",
        });
        var decisions = TestGuard.Collect(guard);

        var response = await PostOverTlsAsync(guard, server, agent);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var decided = Assert.Single(decisions);
        Assert.Equal(("claude-agent-3", "operator"), (decided.Call.Agent.Id, decided.Call.Agent.Role));

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => PostOverTlsAsync(guard, server, stranger));
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => PostOverTlsAsync(guard, server, client: null));
        Assert.Single(upstream.Received);
    }

    private Task<GuardHost> StartJwtGuardAsync(TestUpstream upstream, string? jwksFile = null, string? jwksUrl = null, TimeProvider? time = null)
        => TestGuard.StartAsync(
            output,
            upstream.Address,
            settings: new Dictionary<string, string?>
        {
            ["AgentGuard:Identity:Mode"] = "Jwt",
            ["AgentGuard:Identity:Jwt:Issuer"] = Issuer,
            ["AgentGuard:Identity:Jwt:Audience"] = Audience,
            ["AgentGuard:Identity:Jwt:JwksFile"] = jwksFile,
            ["AgentGuard:Identity:Jwt:JwksUrl"] = jwksUrl,
            ["AgentGuard:Audit:Directory"] = Path.Combine(_folder, "audit"),
        },
            timeProvider: time);

    private static async Task<HttpResponseMessage> PostAsync(GuardHost guard, Action<HttpRequestMessage> configure)
    {
        using var http = new HttpClient();
        return await Mcp.PostAsync(http, new Uri(guard.DataAddress, "/mcp"), Call, configure).WaitAsync(TimeSpan.FromSeconds(20));
    }

    private static async Task<HttpResponseMessage> PostOverTlsAsync(GuardHost guard, X509Certificate2 server, X509Certificate2? client)
    {
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetCertHashString() == server.GetCertHashString();
        if (client is not null)
        {
            handler.SslOptions.ClientCertificates = [client];
        }

        using var http = new HttpClient(handler);
        return await Mcp.PostAsync(http, new Uri(guard.DataAddress, "/mcp"), Call).WaitAsync(TimeSpan.FromSeconds(20));
    }

    private string JwksFile(RSA key, string kid)
    {
        var path = Path.Combine(_folder, "jwks.json");
        File.WriteAllText(path, JwksJson(key, kid));
        return path;
    }

    private static string JwksJson(RSA key, string kid)
    {
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(key.ExportParameters(false)) { KeyId = kid });
        jwk.Use = "sig";
        return JsonSerializer.Serialize(new { keys = new[] { new { kty = jwk.Kty, kid = jwk.Kid, use = jwk.Use, n = jwk.N, e = jwk.E, alg = "RS256" } } });
    }

    private static string Token(RSA key, string kid, string? agent, string role, string issuer = Issuer, string audience = Audience, DateTime? expires = null, DateTime? notBefore = null)
    {
        var claims = new Dictionary<string, object> { ["role"] = role };
        if (agent is not null)
        {
            claims["sub"] = agent;
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = claims,
            NotBefore = notBefore ?? DateTime.UtcNow.AddMinutes(-1),
            Expires = expires ?? DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key) { KeyId = kid }, SecurityAlgorithms.RsaSha256),
        });
    }

    /// <summary>A token with <c>alg: none</c>.</summary>
    private static string Unsigned(string agent)
    {
        static string Part(object value) => Base64UrlEncoder.Encode(JsonSerializer.Serialize(value));
        var exp = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds();
        return Part(new { alg = "none", typ = "JWT" }) + "." + Part(new { iss = Issuer, aud = Audience, sub = agent, exp }) + ".";
    }

    /// <summary>A token signed HS256 with the issuer's public key as the secret: the key-confusion attack.</summary>
    private static string Hmac(RSA publicKey, string agent)
    {
        var secret = publicKey.ExportSubjectPublicKeyInfo();
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Claims = new Dictionary<string, object> { ["sub"] = agent },
            Expires = DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(secret) { KeyId = "k1" }, SecurityAlgorithms.HmacSha256),
        });
    }

    private static X509Certificate2 CreateAuthority(string subject)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    private static X509Certificate2 Issue(X509Certificate2 authority, string subject, bool serverAuth)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (serverAuth)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(8);
        using var issued = request.Create(authority, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(7), serial);
        var withKey = issued.CopyWithPrivateKey(key);

        // Through PKCS#12, so that TLS on Linux can use the key.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
