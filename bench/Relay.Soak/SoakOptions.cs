using System.Globalization;

namespace Relay.Soak;

internal sealed record SoakOptions(
    Uri Url,
    Uri Admin,
    string CaCertificate,
    string AmqpUri,
    string Exchange,
    TimeSpan Duration,
    int Clients,
    int Rate,
    TimeSpan RestartEvery,
    TimeSpan DownFor,
    string Rabbitmqctl,
    int Nodes)
{
    public static SoakOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["url"] = "https://127.0.0.1:8444/marketing-cloud/callbacks",
            ["admin"] = "http://127.0.0.1:9091",
            ["cacert"] = "config/certs/tls.crt",
            ["amqp"] = "amqp://guest:guest@127.0.0.1:5672/",
            ["exchange"] = "marketing-cloud",
            ["minutes"] = "2",
            ["clients"] = "8",
            ["rate"] = "400",
            ["restart-every"] = "30",
            ["down-for"] = "5",
            ["rabbitmqctl"] = "scripts/rabbitmq.sh ctl",
            ["nodes"] = "0",
        };
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            string key = args[i].TrimStart('-');
            if (!values.ContainsKey(key))
            {
                throw new ArgumentException($"unknown option '{args[i]}'; known: {string.Join(", ", values.Keys.Select(k => "--" + k))}");
            }

            values[key] = args[i + 1];
        }

        double Number(string key) => double.Parse(values[key], CultureInfo.InvariantCulture);
        return new SoakOptions(new Uri(values["url"]), new Uri(values["admin"]), values["cacert"], values["amqp"],
            values["exchange"], TimeSpan.FromMinutes(Number("minutes")), (int)Number("clients"), (int)Number("rate"),
            TimeSpan.FromSeconds(Number("restart-every")), TimeSpan.FromSeconds(Number("down-for")), values["rabbitmqctl"],
            (int)Number("nodes"));
    }
}
