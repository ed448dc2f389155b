using System.Collections.Concurrent;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AgentGuard.Proxy;

/// <summary>
/// Agents named by JWTs: signature by one of the issuer's keys (a JWKS file or URL, asymmetric
/// algorithms only, so a public key can never be used as an HMAC secret), issuer, audience and
/// lifetime checked; the agent id and role read from the configured claims. A valid token is cached
/// until it expires, so the signature is checked once per token, not once per call.
/// </summary>
internal sealed partial class JwtAgentTokens : IDisposable
{
    private const int MaxCachedTokens = 10_000;
    private static readonly TimeSpan UnknownKeyRefetch = TimeSpan.FromMinutes(1);

    private static readonly string[] Algorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    private readonly JwtIdentityOptions _options;
    private readonly string _defaultRole;
    private readonly TimeProvider _timeProvider;
    private readonly HttpClient? _http;
    private readonly ILogger _logger;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly ConcurrentDictionary<string, CachedAgent> _cache = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _fetching = new(1, 1);
    private readonly ITimer? _refresh;
    private volatile IReadOnlyList<SecurityKey> _keys = [];
    private DateTime _fileWritten;
    private long _lastFetch;

    public JwtAgentTokens(JwtIdentityOptions options, string defaultRole, TimeProvider timeProvider, ILogger logger, HttpMessageHandler? handler = null)
    {
        _options = options;
        _defaultRole = defaultRole;
        _timeProvider = timeProvider;
        _logger = logger;
        if (options.JwksUrl is not null)
        {
            _http = handler is null ? new HttpClient() : new HttpClient(handler);
            _http.Timeout = TimeSpan.FromSeconds(10);
        }

        var period = options.JwksUrl is null ? TimeSpan.FromSeconds(5) : options.JwksRefresh;
        _refresh = timeProvider.CreateTimer(_ => _ = RefreshAsync(force: false), null, period, period);
    }

    /// <summary>Loads the keys the first time; a guard whose keys cannot be read does not start.</summary>
    /// <exception cref="InvalidOperationException">The JWKS cannot be read or holds no usable key.</exception>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var keys = await ReadKeysAsync(cancellationToken);
        if (keys.Count == 0)
        {
            throw new InvalidOperationException($"the JWKS at {_options.JwksFile ?? _options.JwksUrl} holds no RSA or EC signing key");
        }

        _keys = keys;
    }

    /// <summary>The agent <paramref name="token"/> names, or why it names none.</summary>
    public async ValueTask<AgentAuthentication> AuthenticateAsync(string token)
    {
        var now = _timeProvider.GetUtcNow();
        if (_cache.TryGetValue(token, out var cached))
        {
            if (cached.Expires > now)
            {
                return AgentAuthentication.Of(cached.Agent);
            }

            _cache.TryRemove(token, out _);
        }

        var result = await _handler.ValidateTokenAsync(token, Parameters());
        if (!result.IsValid && result.Exception is SecurityTokenSignatureKeyNotFoundException && _http is not null
            && _timeProvider.GetElapsedTime(Interlocked.Read(ref _lastFetch)) > UnknownKeyRefetch)
        {
            // A key the guard does not hold yet: the issuer may have rotated. Fetched again at most once a minute.
            await RefreshAsync(force: true);
            result = await _handler.ValidateTokenAsync(token, Parameters());
        }

        if (!result.IsValid)
        {
            return AgentAuthentication.Refused("the token is not valid: " + Reason(result.Exception));
        }

        var jwt = (JsonWebToken)result.SecurityToken;
        if (!jwt.TryGetPayloadValue<string>(_options.AgentClaim, out var id) || string.IsNullOrWhiteSpace(id))
        {
            return AgentAuthentication.Refused($"the token has no '{_options.AgentClaim}' claim naming the agent");
        }

        var role = jwt.TryGetPayloadValue<string>(_options.RoleClaim, out var claimed) && !string.IsNullOrWhiteSpace(claimed) ? claimed : _defaultRole;
        var agent = new Agent(id, role);
        if (_cache.Count >= MaxCachedTokens)
        {
            _cache.Clear();
        }

        _cache[token] = new CachedAgent(agent, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero));
        return AgentAuthentication.Of(agent);
    }

    public void Dispose()
    {
        _refresh?.Dispose();
        _http?.Dispose();
        _fetching.Dispose();
    }

    private TokenValidationParameters Parameters() => new()
    {
        ValidIssuer = _options.Issuer,
        ValidAudience = _options.Audience,
        IssuerSigningKeys = _keys,
        ValidAlgorithms = Algorithms,
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ValidateLifetime = true,
        ClockSkew = _options.ClockSkew,
        TryAllIssuerSigningKeys = false,
    };

    private async Task RefreshAsync(bool force)
    {
        if (!await _fetching.WaitAsync(0))
        {
            return;
        }

        try
        {
            if (_options.JwksFile is { } file && !force)
            {
                var written = File.GetLastWriteTimeUtc(file);
                if (written == _fileWritten)
                {
                    return;
                }
            }

            var keys = await ReadKeysAsync(CancellationToken.None);
            if (keys.Count > 0)
            {
                _keys = keys;

                // A key removed from the set is revoked: tokens it signed are checked again.
                _cache.Clear();
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or TaskCanceledException or ArgumentException or InvalidOperationException or UnauthorizedAccessException)
        {
            // The keys in hand stay in force; a broken fetch never empties them.
            LogJwksFailed(_logger, _options.JwksFile ?? _options.JwksUrl ?? "-", ex.Message);
        }
        finally
        {
            _fetching.Release();
        }
    }

    private async Task<IReadOnlyList<SecurityKey>> ReadKeysAsync(CancellationToken cancellationToken)
    {
        string json;
        if (_options.JwksFile is { } file)
        {
            _fileWritten = File.GetLastWriteTimeUtc(file);
            json = await File.ReadAllTextAsync(file, cancellationToken);
        }
        else
        {
            Interlocked.Exchange(ref _lastFetch, _timeProvider.GetTimestamp());
            json = await _http!.GetStringAsync(_options.JwksUrl, cancellationToken);
        }

        var set = new JsonWebKeySet(json) { SkipUnresolvedJsonWebKeys = true };
        return [.. set.GetSigningKeys().Where(k => k is RsaSecurityKey or ECDsaSecurityKey or JsonWebKey { Kty: "RSA" or "EC" })];
    }

    private static string Reason(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => "expired",
        SecurityTokenNotYetValidException => "not yet valid",
        SecurityTokenInvalidIssuerException => "wrong issuer",
        SecurityTokenInvalidAudienceException => "wrong audience",
        SecurityTokenSignatureKeyNotFoundException => "signed by an unknown key",
        SecurityTokenInvalidSignatureException => "bad signature",
        SecurityTokenInvalidAlgorithmException => "algorithm not accepted",
        SecurityTokenNoExpirationException => "no expiry",
        SecurityTokenMalformedException or ArgumentException => "malformed",
        _ => "rejected",
    };

    private sealed record CachedAgent(Agent Agent, DateTimeOffset Expires);

    [LoggerMessage(1201, LogLevel.Warning, "Could not read the JWKS at {Source}: {Error}; the keys in hand stay in force")]
    private static partial void LogJwksFailed(ILogger logger, string source, string error);
}
