using System.Globalization;
using RabbitMQ.Client;

namespace Relay.Publishing;

/// <summary><c>Relay:RabbitMq:Hosts</c>: the nodes Relay may connect to, as the client's endpoints.</summary>
internal static class BrokerHosts
{
    /// <summary>Reads <c>host</c>, <c>host:port</c>, <c>[v6]</c> or <c>[v6]:port</c>; the port is 0 when not given.</summary>
    public static bool TryParse(string? text, out (string Host, int Port) host)
    {
        host = default;
        if (string.IsNullOrWhiteSpace(text) || text.Contains("://", StringComparison.Ordinal))
        {
            return false;
        }

        string name = text;
        int port = 0;
        int colon = text.LastIndexOf(':');
        bool bracketed = text.StartsWith('[');
        if (colon > 0 && (bracketed ? colon > text.IndexOf(']', StringComparison.Ordinal) : text.IndexOf(':') == colon))
        {
            if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            {
                return false;
            }

            name = text[..colon];
        }

        name = bracketed ? name.Trim('[', ']') : name;
        if (Uri.CheckHostName(name) == UriHostNameType.Unknown)
        {
            return false;
        }

        host = (name, port);
        return true;
    }

    /// <summary>The endpoints to connect to: the hosts with the URI's port and TLS settings, or the URI's own.</summary>
    public static List<AmqpTcpEndpoint> Endpoints(RabbitMqOptions options, ConnectionFactory factory)
    {
        if (options.Hosts.Count == 0)
        {
            return [factory.Endpoint];
        }

        var endpoints = new List<AmqpTcpEndpoint>(options.Hosts.Count);
        foreach (string text in options.Hosts)
        {
            if (!TryParse(text, out var host))
            {
                throw new ArgumentException($"'{text}' is not a host[:port]; Relay:RabbitMq:Hosts is validated at start", nameof(options));
            }

            var ssl = new SslOption
            {
                Enabled = factory.Ssl.Enabled,
                ServerName = factory.Ssl.Enabled ? host.Host : factory.Ssl.ServerName,
                Version = factory.Ssl.Version,
                AcceptablePolicyErrors = factory.Ssl.AcceptablePolicyErrors,
                CertPath = factory.Ssl.CertPath,
                CertPassphrase = factory.Ssl.CertPassphrase,
                Certs = factory.Ssl.Certs,
                CheckCertificateRevocation = factory.Ssl.CheckCertificateRevocation,
            };
            endpoints.Add(new AmqpTcpEndpoint(host.Host, host.Port == 0 ? factory.Endpoint.Port : host.Port, ssl));
        }

        return endpoints;
    }

    /// <summary>A node for logs, readiness and metrics: <c>host:port</c>.</summary>
    public static string Describe(AmqpTcpEndpoint endpoint) => endpoint.HostName.Contains(':', StringComparison.Ordinal)
        ? $"[{endpoint.HostName}]:{endpoint.Port}"
        : $"{endpoint.HostName}:{endpoint.Port}";
}
