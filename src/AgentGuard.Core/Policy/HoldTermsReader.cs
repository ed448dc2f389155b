using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace AgentGuard.Policy;

/// <summary>Reads a rule's <c>hold: { timeout: 30s, reviewers: 2 }</c>, reporting each bad value with the fix.</summary>
internal static class HoldTermsReader
{
    public static HoldTerms? Read(YamlFile file, YamlNode node, string label)
    {
        if (node is not YamlMappingNode mapping)
        {
            file.Error(node, $"{label} hold must be a mapping, e.g. {{ timeout: 30s, reviewers: 2 }}");
            return null;
        }

        TimeSpan? timeout = null;
        var reviewers = 1;
        var ok = true;
        foreach (var (key, _, value) in file.Entries(mapping, $"{label} hold", "timeout", "reviewers"))
        {
            switch (key)
            {
                case "timeout":
                    timeout = Timeout(file, value, $"{label} hold timeout", ref ok);
                    break;
                case "reviewers":
                    var text = file.Scalar(value, $"{label} hold reviewers");
                    if (text is null)
                    {
                        ok = false;
                    }
                    else if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out reviewers) || reviewers < 1 || reviewers > HoldTerms.MaxReviewers)
                    {
                        file.Error(value, $"{label} hold reviewers is '{text}'; use 1, or 2 when two distinct people must approve");
                        ok = false;
                    }

                    break;
            }
        }

        return ok ? new HoldTerms(timeout, reviewers) : null;
    }

    /// <summary>Reads <c>30s</c>, <c>2m</c>, <c>1500ms</c> or a number of seconds, from <see cref="HoldTerms.MinTimeout"/> to <see cref="HoldTerms.MaxTimeout"/>.</summary>
    private static TimeSpan? Timeout(YamlFile file, YamlNode node, string where, ref bool ok)
        => file.Duration(
            node,
            where,
            HoldTerms.MinTimeout,
            HoldTerms.MaxTimeout,
            "use a duration from 1s to 30m, e.g. 30s (keep it under the agents' client timeout, often 60s, unless they accept progress notifications)",
            ref ok);
}
