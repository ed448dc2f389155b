using System.Globalization;

namespace AgentGuard.Telemetry;

/// <summary>Reads samples out of a Prometheus text exposition, for asserting on a real scrape.</summary>
internal static class PrometheusText
{
    /// <summary>Scrapes the admin plane's <c>/metrics</c>.</summary>
    public static async Task<string> ScrapeAsync(HttpClient http, Uri adminAddress)
    {
        using var response = await http.GetAsync(new Uri(adminAddress, "/metrics"));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>
    /// The value of the one sample named <paramref name="name"/> whose labels include every pair in
    /// <paramref name="labels"/>, or <see langword="null"/> when there is none. Fails when several match.
    /// </summary>
    public static double? Value(string text, string name, params (string Label, string Value)[] labels)
    {
        double? found = null;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith('#') || !line.StartsWith(name, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = line[name.Length..];
            string labelText;
            string valueText;
            if (rest.StartsWith('{'))
            {
                var close = rest.IndexOf('}', StringComparison.Ordinal);
                labelText = rest[1..close];
                valueText = rest[(close + 1)..].Trim();
            }
            else if (rest.StartsWith(' '))
            {
                labelText = string.Empty;
                valueText = rest.Trim();
            }
            else
            {
                continue; // a longer name with this one as its prefix
            }

            var matches = true;
            foreach (var (label, value) in labels)
            {
                matches &= labelText.Contains($"{label}=\"{value}\"", StringComparison.Ordinal);
            }

            if (!matches)
            {
                continue;
            }

            Assert.True(found is null, $"more than one {name} sample matches; give more labels");

            // An exemplar or timestamp may follow the value.
            found = double.Parse(valueText.Split(' ')[0], CultureInfo.InvariantCulture);
        }

        return found;
    }
}
