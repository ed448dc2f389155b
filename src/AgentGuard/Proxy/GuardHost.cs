using AgentGuard.Admin;
using AgentGuard.Audit;
using AgentGuard.Holds;
using AgentGuard.Oversight;
using AgentGuard.Policy;
using AgentGuard.Sessions;
using AgentGuard.Shared;
using AgentGuard.Telemetry;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Transforms;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;
using Yarp.ReverseProxy.Configuration;

namespace AgentGuard.Proxy;

/// <summary>
/// A running guard: the data plane (YARP with inspection) and the admin plane, each on its own
/// Kestrel listener so agents on the data plane cannot reach the admin routes.
/// </summary>
public sealed class GuardHost : IAsyncDisposable
{
    private readonly WebApplication _data;
    private readonly WebApplication _admin;
    private readonly PolicyStore _policies;
    private readonly GuardMetrics _metrics;
    private readonly JwtAgentTokens? _tokens;
    private readonly SharedState? _shared;
    private readonly ILoggerFactory? _sharedLogging;
    private int _disposed;

    private GuardHost(
        WebApplication data, WebApplication admin, PolicyStore policies, DecisionFeed decisions, AuditLog? audit, GuardMetrics metrics, JwtAgentTokens? tokens, SharedState? shared, ILoggerFactory? sharedLogging)
    {
        _tokens = tokens;
        _shared = shared;
        _sharedLogging = sharedLogging;
        Decisions = decisions;
        Audit = audit;
        _data = data;
        _admin = admin;
        _policies = policies;
        _metrics = metrics;
        DataAddress = BoundAddress(data);
        AdminAddress = BoundAddress(admin);
    }

    /// <summary>The data-plane base address agents call (with the real port when 0 was asked for).</summary>
    public Uri DataAddress { get; }

    /// <summary>The admin-plane base address.</summary>
    public Uri AdminAddress { get; }

    /// <summary>The audit log, or <see langword="null"/> when it is off.</summary>
    public AuditLog? Audit { get; }

    /// <summary>Every decision, as it is made.</summary>
    public DecisionFeed Decisions { get; }

    /// <summary>The live sessions, and the evidence each agent read.</summary>
    public ISessionStore Sessions => _data.Services.GetRequiredService<ISessionStore>();

    /// <summary>The calls waiting for a reviewer: this guard's own, or, with <c>AgentGuard:SharedState:Postgres</c>, every replica's.</summary>
    public IHoldQueue Holds => _data.Services.GetRequiredService<IHoldQueue>();

    /// <summary>Every oversight finding (score divergence, a mandated action missing, ...), as it is recorded.</summary>
    public OversightFeed Findings => _data.Services.GetRequiredService<OversightFeed>();

    /// <summary>Waits until oversight has looked at everything queued so far (re-scores included).</summary>
    public Task DrainOversightAsync(CancellationToken cancellationToken = default)
        => _data.Services.GetRequiredService<IOversightSink>() is OversightService service ? service.DrainAsync(cancellationToken) : Task.CompletedTask;

    /// <summary>Ends every live session now, as if idle, so that oversight looks at their ends (obligations included): a trial's episode is over.</summary>
    internal int EndSessions()
        => _data.Services.GetRequiredService<SessionEnds>().EndIdle(DateTimeOffset.MaxValue, SessionEndReason.Idle);

    /// <summary>The policy in force and its reloads.</summary>
    public PolicyStore Policies => _policies;

    /// <summary>Validates <paramref name="configuration"/>, loads the policy and starts both planes.</summary>
    /// <param name="configuration">The <c>AgentGuard</c> and <c>ReverseProxy</c> sections, and the <c>OTEL_*</c> variables.</param>
    /// <param name="configureLogging">Replaces the console logger; <see langword="null"/> for the console.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for the system's.</param>
    /// <param name="configureTracing">
    /// Additions to the tracing pipeline (an exporter of the embedder's own). Given, it turns tracing on even
    /// without <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>; <see langword="null"/> leaves tracing to that variable.
    /// </param>
    /// <param name="configureServices">
    /// Additions to the data plane's services, made before the defaults: an <c>IOversightSink</c> or
    /// <c>ISessionStore</c> registered here replaces the no-op sink or the in-memory store.
    /// </param>
    /// <param name="cancellationToken">Cancels starting.</param>
    /// <exception cref="GuardStartException">The configuration or policy is invalid; the message lists every error.</exception>
    public static async Task<GuardHost> StartAsync(
        IConfiguration configuration,
        Action<ILoggingBuilder>? configureLogging = null,
        TimeProvider? timeProvider = null,
        Action<TracerProviderBuilder>? configureTracing = null,
        Action<IServiceCollection>? configureServices = null,
        CancellationToken cancellationToken = default)
    {
        timeProvider ??= TimeProvider.System;
        var options = new GuardOptions();
        configuration.GetSection(GuardOptions.Section).Bind(options);
        var validation = new GuardOptionsValidator().Validate(null, options);
        var errors = new List<string>(validation.Failed ? validation.Failures : []);
        AdminApiAuthorization.CheckConfiguration(configuration, errors);

        var (routes, clusters) = ProxyRoutes.Build(configuration, options, errors);
        var reviewers = ReviewerDirectory.Load(options.Reviewers.File, errors);
        var adminCertificate = ReviewCertificate.Load(options.AdminCertificate, options.Admin, errors);
        if (errors.Count > 0)
        {
            throw new GuardStartException(errors);
        }

        using var bootstrapLogging = LoggerFactory.Create(logging => ConfigureLogging(logging, configuration, configureLogging));
        // The guard's own files: writing, moving or deleting them is guard tampering, whatever the policy's globs say.
        var auditFolder = options.Audit.Directory is { Length: > 0 } auditDirectory ? Path.TrimEndingDirectorySeparator(auditDirectory) + "/" : null;
        string?[] ownFiles = [configuration[ConfigFileKey], auditFolder, options.Audit.SigningKeyFile];
        var guardFiles = ownFiles.OfType<string>().Where(path => path.Length > 0).ToArray();
        var policies = PolicyStore.Open(options.Policies, guardFiles, bootstrapLogging.CreateLogger<PolicyStore>(), timeProvider, out var policyErrors)
            ?? throw new GuardStartException(policyErrors.Select(e => e.ToString()));

        AuditLog? audit = null;
        if (options.Audit.Directory is not null)
        {
            try
            {
                audit = AuditLog.Open(options.Audit, bootstrapLogging.CreateLogger<AuditLog>(), timeProvider);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                policies.Dispose();
                throw new GuardStartException([$"AgentGuard:Audit:SigningKeyFile '{options.Audit.SigningKeyFile}' cannot be used: {ex.Message}"]);
            }
        }

        // After the audit log made its folder: the check is of what the guard will really use.
        var writableByOthers = GuardFolderCheck.Check(options.Policies, options.Audit.Directory);
        if (writableByOthers.Count > 0)
        {
            policies.Dispose();
            if (audit is not null)
            {
                await audit.DisposeAsync();
            }

            throw new GuardStartException(writableByOthers);
        }

        var tokens = await LoadTokensAsync(options, timeProvider, bootstrapLogging, policies, audit, cancellationToken);
        var decisions = new DecisionFeed();
        var metrics = new GuardMetrics(policies, audit, options.Agent.Id);
        var traced = new TracedRequests();
        // Replicas share holds, lineage and evidence through PostgreSQL when configured; one guard keeps them in memory.
        ILoggerFactory? sharedLogging = null;
        SharedState? shared = null;
        if (options.SharedState.Postgres is { Length: > 0 })
        {
            sharedLogging = LoggerFactory.Create(logging => ConfigureLogging(logging, configuration, configureLogging));
            shared = await SharedState.StartAsync(options.SharedState, SessionStoreOptionsOf(options.Sessions), audit, timeProvider, metrics.Registry, sharedLogging, cancellationToken);
            var sharedSessions = shared.Sessions;
            var sharedWatched = shared.Watched(options.Oversight.Comparison);
            var sharedObligations = shared.Obligations;
            var embedderServices = configureServices;
            configureServices = services =>
            {
                embedderServices?.Invoke(services);
                services.TryAddSingleton<ISessionStore>(sharedSessions);
                services.TryAddSingleton(sharedWatched);
                services.TryAddSingleton(sharedObligations);
            };
        }

        // One queue for both planes: the data plane holds calls, the admin plane takes reviewers' votes.
        IHoldQueue holds = shared is not null ? shared.Holds : new InMemoryHoldQueue(timeProvider);
        metrics.Holds.Track(holds, timeProvider);
        var data = BuildDataPlane(configuration, options, routes, clusters, policies, decisions, audit, metrics, holds, tokens, timeProvider, configureLogging, traced, configureTracing, configureServices, bootstrapLogging);
        var admin = BuildAdminPlane(configuration, options, policies, audit, metrics, holds, reviewers, timeProvider, configureLogging, () => data.Services.GetService<ISessionStore>(), adminCertificate);
        try
        {
            await data.StartAsync(cancellationToken);
            await admin.StartAsync(cancellationToken);
            traced.ExcludeAdminPort(BoundAddress(admin).Port);
        }
        catch
        {
            await data.DisposeAsync();
            await admin.DisposeAsync();
            if (shared is not null)
            {
                await shared.DisposeAsync();
            }

            sharedLogging?.Dispose();
            metrics.Dispose();
            policies.Dispose();
            tokens?.Dispose();
            if (audit is not null)
            {
                await audit.DisposeAsync();
            }

            throw;
        }

        if (options.WatchPolicies)
        {
            policies.Watch();
        }

        return new GuardHost(data, admin, policies, decisions, audit, metrics, tokens, shared, sharedLogging);
    }

    /// <summary>In JWT gateway mode, the issuer's keys, read before the guard serves: a guard that cannot check tokens does not start.</summary>
    private static async Task<JwtAgentTokens?> LoadTokensAsync(
        GuardOptions options, TimeProvider timeProvider, ILoggerFactory logging, PolicyStore policies, AuditLog? audit, CancellationToken cancellationToken)
    {
        if (options.Identity.Mode != IdentityMode.Jwt)
        {
            return null;
        }

        var tokens = new JwtAgentTokens(options.Identity.Jwt, options.Agent.Role, timeProvider, logging.CreateLogger<JwtAgentTokens>());
        try
        {
            await tokens.LoadAsync(cancellationToken);
            return tokens;
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or TaskCanceledException or ArgumentException or InvalidOperationException or UnauthorizedAccessException)
        {
            tokens.Dispose();
            policies.Dispose();
            if (audit is not null)
            {
                await audit.DisposeAsync();
            }

            throw new GuardStartException([$"AgentGuard:Identity:Jwt: the issuer's keys cannot be read from {options.Identity.Jwt.JwksFile ?? options.Identity.Jwt.JwksUrl}: {ex.Message}"]);
        }
    }

    /// <summary>The configuration key holding the path of the <c>--config</c> file, which joins the guard-config asset.</summary>
    public const string ConfigFileKey = "AgentGuard:ConfigFile";

    /// <summary>Waits until the host is asked to stop (Ctrl-C, SIGTERM).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _data.WaitForShutdownAsync(cancellationToken);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _data.StopAsync();
        await _admin.StopAsync();
        await _data.DisposeAsync();
        await _admin.DisposeAsync();
        if (_shared is not null)
        {
            await _shared.DisposeAsync();
        }

        _sharedLogging?.Dispose();
        _metrics.Dispose();
        _policies.Dispose();
        _tokens?.Dispose();
        if (Audit is not null)
        {
            await Audit.DisposeAsync();
        }
    }

    private static WebApplication BuildDataPlane(
        IConfiguration configuration,
        GuardOptions options,
        IReadOnlyList<RouteConfig>? routes,
        IReadOnlyList<ClusterConfig>? clusters,
        PolicyStore policies,
        DecisionFeed decisions,
        AuditLog? audit,
        GuardMetrics metrics,
        IHoldQueue holds,
        JwtAgentTokens? tokens,
        TimeProvider timeProvider,
        Action<ILoggingBuilder>? configureLogging,
        TracedRequests traced,
        Action<TracerProviderBuilder>? configureTracing,
        Action<IServiceCollection>? configureServices,
        ILoggerFactory bootstrapLogging)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        // A copy, not a chained source: the builder writes settings such as "urls" into its
        // configuration, and through a chained source they would land in the other plane's too.
        builder.Configuration.AddInMemoryCollection(configuration.AsEnumerable());
        builder.WebHost.UseKestrelCore().UseUrls(options.Listen);
        if (!string.IsNullOrWhiteSpace(options.Tls.CertificateFile))
        {
            builder.WebHost.UseKestrelHttpsConfiguration();
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // No Server header: allowed responses must look as if nothing stood in between.
            kestrel.AddServerHeader = false;

            // Inspected routes enforce their own limit; uninspected ones and S3 object content
            // (weights, streamed and sniffed, never buffered) may be any size.
            kestrel.Limits.MaxRequestBodySize = null;
            DataPlaneTls.Configure(kestrel, options.Tls);
        });
        ConfigureLogging(builder.Logging, configuration, configureLogging);

        // With this category enabled, ASP.NET Core starts an Activity per request for log
        // correlation; HttpClient then starts another and adds a traceparent to every forwarded
        // call. Tracing, when configured, makes its own spans; without it the guard adds nothing.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton(policies);
        builder.Services.AddSingleton(decisions);
        builder.Services.AddSingleton(timeProvider);
        builder.Services.AddSingleton(new DecisionTelemetry(metrics));
        builder.Services.AddSingleton(holds);
        builder.Services.AddSingleton(new AgentAuthenticator(options.Identity, options.Agent.Role, tokens));
        configureServices?.Invoke(builder.Services);
        AddOversight(builder.Services, options, metrics, audit);
        AddSessions(builder.Services, options, metrics, timeProvider);
        GuardTracing.Add(builder.Services, builder.Configuration, options.Agent.Id, traced, configureTracing, bootstrapLogging.CreateLogger(typeof(GuardTracing).FullName!));
        if (audit is not null)
        {
            builder.Services.AddSingleton(audit);
        }
        AddGuardOptions(builder.Services, configuration);
        builder.Services.TryAddSingleton<IForwarderHttpClientFactory, GuardHttpClientFactory>();
        var proxy = builder.Services.AddReverseProxy();
        proxy = routes is not null && clusters is not null
            ? proxy.LoadFromMemory(routes, clusters)
            : proxy.LoadFromConfig(configuration.GetSection("ReverseProxy"));
        proxy.AddTransforms(transforms =>
            {
                // No X-Forwarded-* or Via: the tool server sees the agent's request as it was sent.
                transforms.UseDefaultForwarders = false;
                transforms.AddResponseTransform(PendingRepliesTransform.ApplyAsync);
                transforms.AddResponseTransform(EventStreamOnlyTransform.ApplyAsync);
                // Inspected routes hold a call's body whole before forwarding it (S3 object content excepted).
                if (RouteInspection.Of(transforms.Route) != RouteInspectionMode.None)
                {
                    transforms.AddRequestTransform(ForwardedBody.AttachAsync);
                }

                // SigV4 signs the Host header and the path as sent, and YARP would send the destination's
                // host and a re-encoded path: S3 routes keep the agent's.
                if (RouteInspection.Of(transforms.Route) == RouteInspectionMode.S3)
                {
                    transforms.AddOriginalHost(useOriginal: true);
                    transforms.AddRequestTransform(S3RawTargetTransform.ApplyAsync);
                }
            });

        var app = builder.Build();
        app.UseRouting();
        app.MapReverseProxy(pipeline =>
        {
            pipeline.UseMiddleware<AgentAuthenticationMiddleware>();
            pipeline.UseMiddleware<McpInspectionMiddleware>();
            pipeline.UseMiddleware<S3InspectionMiddleware>();
            pipeline.UseSessionAffinity();
            pipeline.UseLoadBalancing();
            pipeline.UsePassiveHealthChecks();
        });
        return app;
    }

    private static WebApplication BuildAdminPlane(
        IConfiguration configuration,
        GuardOptions options,
        PolicyStore policies,
        AuditLog? audit,
        GuardMetrics metrics,
        IHoldQueue holds,
        ReviewerDirectory reviewers,
        TimeProvider timeProvider,
        Action<ILoggingBuilder>? configureLogging,
        Func<ISessionStore?> sessions,
        System.Security.Cryptography.X509Certificates.X509Certificate2? certificate)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        // A copy, not a chained source: the builder writes settings such as "urls" into its
        // configuration, and through a chained source they would land in the other plane's too.
        builder.Configuration.AddInMemoryCollection(configuration.AsEnumerable());
        builder.WebHost.UseKestrelCore().UseUrls(options.Admin);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            if (certificate is not null)
            {
                kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate);
            }
        });
        if (certificate is not null)
        {
            // The core Kestrel leaves https:// URLs out unless asked: the review page's logins need it.
            builder.WebHost.UseKestrelHttpsConfiguration();
        }

        ConfigureLogging(builder.Logging, configuration, configureLogging);
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton(policies);
        builder.Services.AddSingleton(new AdminState(audit, options.AdminApiToken));
        builder.Services.AddSingleton(metrics);
        builder.Services.AddSingleton(holds);
        builder.Services.AddSingleton(reviewers);
        builder.Services.AddSingleton<Approvals>();
        builder.Services.AddSingleton(timeProvider);
        builder.Services.AddSingleton<ReviewLogins>();
        builder.Services.AddSingleton<ReviewAuthentication>();
        builder.Services.AddSingleton(provider => new ReviewServices(
            audit is null ? null : new ReviewLog(audit.Directory),
            audit is null ? null : new ReviewChainStatus(audit.Directory, publicKey: null, timeProvider),
            provider.GetRequiredService<Approvals>(),
            sessions,
            options.Sessions.EvidenceWindow));
        var app = builder.Build();
        app.UseRouting();
        AdminEndpoints.Map(app);
        return app;
    }

    /// <summary>Oversight off the request path, as the sessions' sink: evaluations re-scored, obligations, the watched-versus-unwatched comparison.</summary>
    private static void AddOversight(IServiceCollection services, GuardOptions options, GuardMetrics metrics, AuditLog? audit)
    {
        var findings = new OversightFeed();
        services.AddSingleton(findings);
        var oversightMetrics = new OversightMetrics(metrics.Registry, options.Oversight.NearThresholdPoints);
        oversightMetrics.PrepareAgent(options.Agent.Id);
        services.TryAddSingleton<IOversightSink>(provider =>
        {
            var policies = provider.GetRequiredService<PolicyStore>();
            var time = provider.GetRequiredService<TimeProvider>();
            var loggers = provider.GetRequiredService<ILoggerFactory>();
            var sessions = provider.GetRequiredService<ISessionStore>();
            var rescorers = new GuardRescorers(time, loggers);
            var engine = new OversightEngine(() => policies.Current.Oversight, rescorers.For, time, sessions, options.Sessions.EvidenceWindow);
            var oversight = new GuardOversight(
                engine,
                provider.GetService<IWatchedComparison>() ?? new WatchedComparison(options.Oversight.Comparison),
                oversightMetrics,
                audit,
                time,
                options.Agent.Role,
                loggers.CreateLogger<GuardOversight>(),
                provider.GetService<IObligationLedger>());
            var labels = new PolicySessionLabeler(policies);
            return new OversightService(
                oversight,
                new OversightRecorder(audit, oversightMetrics, findings, loggers.CreateLogger<OversightRecorder>()),
                loggers.CreateLogger<OversightService>(),
                labels.Apply,
                oversight.Restore,
                tool => policies.Current.Oversight.Watches(tool),
                cancellationToken => oversight.AdoptAsync(sessions, cancellationToken));
        });
        services.AddHostedService<OversightStartup>();
        if (options.SharedState.Postgres is { Length: > 0 })
        {
            services.AddHostedService(provider => new ObligationAdoption(
                provider.GetRequiredService<IOversightSink>(), options.SharedState.Heartbeat, provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<ObligationAdoption>>()));
        }
    }

    /// <summary>Sessions, the steps of the flow around the decision, and the default (no-op) oversight sink.</summary>
    private static void AddSessions(IServiceCollection services, GuardOptions options, GuardMetrics metrics, TimeProvider timeProvider)
    {
        var sessions = options.Sessions;
        services.TryAddSingleton<ISessionStore>(_ => new InMemorySessionStore(SessionStoreOptionsOf(sessions), timeProvider));
        services.TryAddSingleton<IOversightSink>(NullOversightSink.Instance);
        services.AddSingleton(metrics.Sessions);
        services.AddSingleton(provider =>
        {
            var sessionStore = provider.GetRequiredService<ISessionStore>();
            metrics.Sessions.Track(sessionStore);
            return new SessionEnds(sessionStore, provider.GetRequiredService<IOversightSink>(), metrics.Sessions, provider.GetRequiredService<IdleGapSessions>(), provider.GetRequiredService<ILogger<SessionEnds>>());
        });
        services.AddSingleton(new IdleGapSessions(sessions.IdleTimeout));
        services.AddSingleton<CallIdentifier>();
        services.AddSingleton<CallDecider>();
        services.AddSingleton(provider => new DecisionRecorder(
            provider.GetRequiredService<DecisionFeed>(),
            provider.GetRequiredService<PolicyStore>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<DecisionTelemetry>(),
            provider.GetRequiredService<ILogger<McpInspectionMiddleware>>(),
            provider.GetService<AuditLog>()));
        services.AddSingleton<SessionContext>();
        services.AddSingleton<SubmissionHold>();
        services.AddSingleton(metrics.Holds);
        services.AddSingleton(provider => new ApprovalHold(
            provider.GetRequiredService<IHoldQueue>(),
            provider.GetRequiredService<SessionContext>(),
            provider.GetRequiredService<IOptionsMonitor<GuardOptions>>(),
            provider.GetRequiredService<TimeProvider>(),
            metrics.Holds,
            provider.GetRequiredService<ILogger<ApprovalHold>>(),
            provider.GetService<AuditLog>()));
        services.AddSingleton(provider => new ListingLineageRecorder(
            provider.GetRequiredService<PolicyStore>(),
            metrics.Sessions,
            provider.GetRequiredService<ILogger<ListingLineageRecorder>>(),
            provider.GetService<AuditLog>()));
        services.AddSingleton<ResponseObservation>();
        services.AddHostedService<SessionSweeper>();
    }

    private static SessionStoreOptions SessionStoreOptionsOf(SessionOptions sessions) => new()
    {
        MaxSessions = sessions.MaxSessions,
        EvidenceWindow = sessions.EvidenceWindow,
        MaxAgentEvidenceItems = sessions.MaxAgentEvidenceItems,
        MaxEvidenceBytes = sessions.MaxEvidenceBytes,
        Limits = new SessionLimits
        {
            MaxEvidenceItems = sessions.MaxEvidenceItems,
            MaxEvidenceChars = sessions.MaxEvidenceChars,
            MaxEvidenceItemChars = sessions.MaxEvidenceItemChars,
            MaxCalls = sessions.MaxCalls,
            MaxLineage = sessions.MaxLineage,
        },
    };

    private static void AddGuardOptions(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GuardOptions>().Bind(configuration.GetSection(GuardOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GuardOptions>, GuardOptionsValidator>();
    }

    private static void ConfigureLogging(ILoggingBuilder logging, IConfiguration configuration, Action<ILoggingBuilder>? configure)
    {
        // The guard's own decisions at Information; the framework's chatter only when it matters.
        // Logging:LogLevel settings in configuration override both.
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft", LogLevel.Warning);

        // YARP logs two Information lines for every forwarded request; the decision lines say more.
        logging.AddFilter("Yarp", LogLevel.Warning);
        logging.AddConfiguration(configuration.GetSection("Logging"));
        if (configure is not null)
        {
            configure(logging);
        }
        else
        {
            logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss ";
            });
        }
    }

    private static Uri BoundAddress(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        return new Uri(addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
    }
}
