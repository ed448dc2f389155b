using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace AgentGuard.Telemetry;

/// <summary>
/// The OpenTelemetry tracing pipeline of the data plane: the guard's own spans, ASP.NET Core's
/// server spans and HttpClient's spans of the forwarded requests, exported over OTLP.
/// </summary>
/// <remarks>
/// <para>
/// Configured the standard way, through the <c>OTEL_*</c> variables (which reach the guard's
/// configuration with the other environment variables): the pipeline exists only when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c> is set, or when
/// the embedding code adds an exporter of its own. Without one, nothing connects anywhere, and
/// nothing listens to the activity sources either, so spans that no one would export cost nothing.
/// <c>OTEL_SERVICE_NAME</c>, <c>OTEL_RESOURCE_ATTRIBUTES</c>, <c>OTEL_TRACES_SAMPLER</c>,
/// <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> and <c>OTEL_EXPORTER_OTLP_HEADERS</c> apply as usual.
/// </para>
/// <para>
/// The agent is the party being overseen, so a <c>traceparent</c> it sends is not trusted: every
/// data-plane request starts a new root span, with the agent's context as a link. Otherwise an agent could switch off the recording of
/// its own calls with a sampled flag of 00 (the default sampler follows the parent), or file them
/// under a trace id of its choosing. The ASP.NET Core instrumentation offers this only through its
/// experimental setting <see cref="NewRootSpanKey"/>, so the guard sets that to true unless the
/// configuration already says otherwise (an operator who trusts the agents' trace context may).
/// </para>
/// </remarks>
internal static partial class GuardTracing
{
    /// <summary>The default <c>service.name</c>, when <c>OTEL_SERVICE_NAME</c> does not give one.</summary>
    public const string ServiceName = "agentguard";

    /// <summary>The resource attribute naming the agent this sidecar vouches for.</summary>
    public const string AgentIdAttribute = "agentguard.agent.id";

    /// <summary>The ASP.NET Core instrumentation's setting for starting a new root span whatever parent a request names.</summary>
    public const string NewRootSpanKey = "OTEL_DOTNET_EXPERIMENTAL_ASPNETCORE_ENABLE_NEW_ROOT_SPAN";

    /// <summary>The OTLP endpoint traces go to, or <see langword="null"/> when none is configured.</summary>
    public static string? OtlpEndpoint(IConfiguration configuration)
        => NonEmpty(configuration["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]) ?? NonEmpty(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    /// <summary>Adds the tracing pipeline to the data plane's services, when there is somewhere to export to.</summary>
    /// <param name="services">The data plane's services.</param>
    /// <param name="configuration">The data plane's configuration, where the <c>OTEL_*</c> variables are; the new-root setting is added to it.</param>
    /// <param name="agentId">The agent this sidecar vouches for, a resource attribute of every span.</param>
    /// <param name="requests">Decides which server requests get a span: the data plane's, not the admin plane's scrapes.</param>
    /// <param name="configure">The embedder's additions (an exporter of its own, say); <see langword="null"/> for none.</param>
    /// <param name="logger">Where to say that spans are exported.</param>
    public static void Add(
        IServiceCollection services, ConfigurationManager configuration, string agentId, TracedRequests requests, Action<TracerProviderBuilder>? configure, ILogger logger)
    {
        var endpoint = OtlpEndpoint(configuration);
        if (endpoint is null && configure is null)
        {
            return;
        }

        if (endpoint is not null)
        {
            LogExporting(logger, endpoint);
        }

        if (configuration[NewRootSpanKey] is null)
        {
            configuration[NewRootSpanKey] = "true";
        }

        var serviceNameGiven = NonEmpty(configuration["OTEL_SERVICE_NAME"]) is not null;
        services.AddOpenTelemetry()
            .ConfigureResource(resource =>
            {
                if (!serviceNameGiven)
                {
                    resource.AddService(ServiceName, serviceVersion: typeof(GuardTracing).Assembly.GetName().Version?.ToString());
                }

                resource.AddAttributes([new(AgentIdAttribute, agentId)]);
            })
            .WithTracing(tracing =>
            {
                tracing
                    .AddSource(GuardActivitySource.Name)
                    .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = requests.IsTraced)
                    .AddHttpClientInstrumentation();
                if (endpoint is not null)
                {
                    tracing.AddOtlpExporter();
                }

                configure?.Invoke(tracing);
            });
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    [LoggerMessage(6001, LogLevel.Information, "Exporting traces over OTLP to {Endpoint}")]
    private static partial void LogExporting(ILogger logger, string endpoint);
}
