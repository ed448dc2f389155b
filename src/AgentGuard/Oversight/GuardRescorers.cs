using System.Runtime.CompilerServices;

namespace AgentGuard.Oversight;

/// <summary>
/// The re-scorer each evaluation names, built once per loaded evaluation (a reload builds new
/// ones): <c>reference</c> from its answer key, <c>model</c> and <c>webhook</c> from their settings.
/// A re-scorer that cannot be built (an API key variable not set) throws when used, which leaves
/// that evaluation unverified and says why.
/// </summary>
internal sealed class GuardRescorers(TimeProvider timeProvider, ILoggerFactory loggerFactory)
{
    private readonly ConditionalWeakTable<Evaluation, IRescorer> _built = [];

    public IRescorer For(Evaluation evaluation)
        => _built.GetValue(evaluation, Build);

    private IRescorer Build(Evaluation evaluation)
    {
        var settings = evaluation.Rescorer;
        return settings.Kind switch
        {
            "model" => RescorerFactory.Create(
                new ModelRescorerOptions
                {
                    Endpoint = settings.Endpoint is null ? null : new Uri(settings.Endpoint),
                    Models = settings.Models,
                    ApiKeyEnvironmentVariable = settings.ApiKeyEnvironmentVariable,
                    Timeout = settings.Timeout ?? evaluation.Timeout,
                },
                timeProvider,
                loggerFactory),
            "webhook" => RescorerFactory.Create(
                new WebhookRescorerOptions
                {
                    Url = settings.Url is null ? null : new Uri(settings.Url),
                    Timeout = settings.Timeout ?? evaluation.Timeout,
                },
                timeProvider),
            _ => OversightEngine.DefaultRescorer(evaluation),
        };
    }
}
