using System.Globalization;
using System.Net;
using System.Text;

namespace AgentGuard.Admin;

/// <summary>
/// Writes the review page's HTML. Everything that came from the log or a request goes through
/// <see cref="Text"/> or <see cref="Attribute"/>, which encode it: an agent's arguments are the
/// agent's text, and a <c>&lt;script&gt;</c> in them must stay text on the reviewer's screen.
/// </summary>
internal sealed class ReviewHtml
{
    private readonly StringBuilder _html = new(8 * 1024);

    /// <summary>Markup written by this code, never text from outside.</summary>
    public ReviewHtml Raw(string markup)
    {
        _html.Append(markup);
        return this;
    }

    /// <summary>Text, encoded.</summary>
    public ReviewHtml Text(string? text)
    {
        _html.Append(WebUtility.HtmlEncode(text ?? string.Empty));
        return this;
    }

    /// <summary>A number, formatted invariantly.</summary>
    public ReviewHtml Number(long value)
    {
        _html.Append(value.ToString("N0", CultureInfo.InvariantCulture));
        return this;
    }

    /// <summary><c> name="value"</c>, the value encoded.</summary>
    public ReviewHtml Attribute(string name, string? value)
    {
        _html.Append(' ').Append(name).Append("=\"").Append(WebUtility.HtmlEncode(value ?? string.Empty)).Append('"');
        return this;
    }

    /// <summary>A link; <paramref name="href"/> is built by this code (query values escaped with <see cref="Query"/>).</summary>
    public ReviewHtml Link(string href, string? text, string? cssClass = null)
    {
        Raw("<a").Attribute("href", href);
        if (cssClass is not null)
        {
            Attribute("class", cssClass);
        }

        return Raw(">").Text(text).Raw("</a>");
    }

    /// <summary>A hidden form field.</summary>
    public ReviewHtml Hidden(string name, string? value) => Raw("<input type=\"hidden\"").Attribute("name", name).Attribute("value", value).Raw(">");

    /// <summary>A time as reviewers read it: UTC, to the second.</summary>
    public ReviewHtml Time(DateTimeOffset time) => Raw("<time").Attribute("datetime", time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)).Raw(">")
        .Text(time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).Raw("</time>");

    /// <summary>A badge for a decision, severity or hold event, its class from a closed set.</summary>
    public ReviewHtml Badge(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return this;
        }

        var css = value.ToLowerInvariant() switch
        {
            "deny" or "denied" or "critical" or "high" => "b-bad",
            "flag" or "hold" or "held" or "medium" or "vote" or "timed-out" => "b-warn",
            "allow" or "approved" or "low" => "b-ok",
            _ => "b-info",
        };
        return Raw("<span class=\"badge ").Raw(css).Raw("\">").Text(value).Raw("</span>");
    }

    /// <summary>A query string from pairs, values escaped, empty values left out.</summary>
    public static string Query(params (string Name, string? Value)[] pairs)
    {
        var query = new StringBuilder();
        foreach (var (name, value) in pairs)
        {
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            query.Append(query.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        }

        return query.ToString();
    }

    public override string ToString() => _html.ToString();
}
