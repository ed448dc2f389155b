using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace AgentGuard.Oversight;

/// <summary>
/// The <c>model</c> re-scorer: asks one judge, or a panel of judges at once, to grade the evidence
/// from the rubric, each through an <see cref="IChatClient"/> with its own timeout, and combines
/// their answers (<see cref="RescorePanel"/>). A judge sees the rubric, the pass mark or grades, the
/// subject's neutral label and the items; never the evaluator's report.
/// </summary>
internal sealed partial class ModelRescorer : IRescorer
{
    private readonly ModelJudge[] _judges;
    private readonly ModelRescorerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public ModelRescorer(IReadOnlyList<ModelJudge> judges, ModelRescorerOptions options, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(judges);
        ArgumentOutOfRangeException.ThrowIfZero(judges.Count);
        _judges = [.. judges];
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <inheritdoc/>
    public string Kind => "model";

    /// <inheritdoc/>
    public async ValueTask<Rescore> RescoreAsync(RescoreRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var messages = JudgePrompt.Messages(request);
        var chatOptions = JudgePrompt.Options(request, _options);
        var asked = new Task<JudgeOutcome>[_judges.Length];
        for (var i = 0; i < _judges.Length; i++)
        {
            asked[i] = AskAsync(_judges[i], messages, chatOptions.Clone(), request, cancellationToken);
        }

        var outcomes = await Task.WhenAll(asked).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return RescorePanel.Combine(request, outcomes);
    }

    private async Task<JudgeOutcome> AskAsync(ModelJudge judge, List<ChatMessage> messages, ChatOptions chatOptions, RescoreRequest request, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.Timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var source = $"judge '{judge.Name}'";
        var started = _timeProvider.GetTimestamp();
        string failure;
        try
        {
            var response = await judge.Client.GetResponseAsync(messages, chatOptions, linked.Token).ConfigureAwait(false);
            if (response.FinishReason == ChatFinishReason.Length)
            {
                throw new RescoreFailedException($"{source}'s answer was cut off at max_output_tokens ({_options.MaxOutputTokens}); raise it or give fewer items");
            }

            var text = response.Text;
            if (Encoding.UTF8.GetByteCount(text) > _options.MaxResponseBytes)
            {
                throw new RescoreFailedException($"{source}'s answer is larger than max_response_bytes ({_options.MaxResponseBytes} bytes)");
            }

            var result = RescoreReader.Read(Encoding.UTF8.GetBytes(Unfence(text)), request, source);
            LogJudgeAnswered(_logger, judge.Name, request.Evaluation, _timeProvider.GetElapsedTime(started).TotalMilliseconds, result.Score, result.Grade, result.Items.Count);
            return new JudgeOutcome(judge.Name, result, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            failure = $"{source} timed out after {_options.Timeout}";
            LogJudgeLeftOut(_logger, request.Evaluation, failure, null);
        }
        catch (RescoreFailedException e)
        {
            // The transport's size cap names the URL, not the judge.
            failure = e.Message.StartsWith(source, StringComparison.Ordinal) ? e.Message : $"{source}: {e.Message}";
            LogJudgeLeftOut(_logger, request.Evaluation, failure, null);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // HTTP errors, refused connections, an endpoint that is not OpenAI-compatible: each
            // client reports them in its own exception type, and one failing judge must not sink a panel.
            failure = $"{source} failed ({e.GetType().Name}: {OneLine(e.Message)})";
            LogJudgeLeftOut(_logger, request.Evaluation, failure, e);
        }

        return new JudgeOutcome(judge.Name, null, failure);
    }

    /// <summary>
    /// The answer without a Markdown code fence around it: models asked for JSON still write
    /// <c>```json ... ```</c> at times, and the JSON inside is what they meant.
    /// </summary>
    internal static string Unfence(string text)
    {
        var trimmed = text.AsSpan().Trim();
        if (!trimmed.StartsWith("```", StringComparison.Ordinal) || !trimmed.EndsWith("```", StringComparison.Ordinal) || trimmed.Length < 6)
        {
            return trimmed.ToString();
        }

        var inner = trimmed[3..^3];
        var newline = inner.IndexOf('\n');
        return newline < 0 ? inner.Trim().ToString() : inner[(newline + 1)..].Trim().ToString();
    }

    private static string OneLine(string message)
    {
        var line = message.ReplaceLineEndings(" ").Trim();
        return line.Length <= 300 ? line : line[..300] + "...";
    }

    [LoggerMessage(7500, LogLevel.Debug, "Judge {Judge} re-scored evaluation {Evaluation} in {ElapsedMs} ms: score {Score}, grade {Grade}, {ItemCount} items")]
    private static partial void LogJudgeAnswered(ILogger logger, string judge, string evaluation, double elapsedMs, double? score, string? grade, int itemCount);

    [LoggerMessage(7501, LogLevel.Warning, "No re-scoring from a judge for evaluation {Evaluation}: {Reason}")]
    private static partial void LogJudgeLeftOut(ILogger logger, string evaluation, string reason, Exception? exception);
}
