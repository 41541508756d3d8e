using Relay.Configuration;

namespace Relay.Publishing;

internal sealed class RabbitMqOptionsValidator(IConfiguration configuration)
    : SectionValidator<RabbitMqOptions>(configuration, RabbitMqOptions.Section)
{
    protected override void Check(RabbitMqOptions options, ValidationErrors errors)
    {
        // The URI carries the broker password: errors describe it without echoing it.
        if (!System.Uri.TryCreate(options.Uri, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps"))
        {
            errors.Add(Key("Uri"), "must be an absolute amqp:// or amqps:// URI");
        }

        ValidateName(errors, Key("Exchange"), options.Exchange);
        if (!string.IsNullOrWhiteSpace(options.UnroutedQueue))
        {
            ValidateName(errors, Key("UnroutedQueue"), options.UnroutedQueue);
        }

        if (options.UnroutedQueueType is not (RabbitMqOptions.QuorumQueueType or RabbitMqOptions.ClassicQueueType))
        {
            errors.Add(Key("UnroutedQueueType"), $"'{options.UnroutedQueueType}' is neither 'quorum' nor 'classic'");
        }

        for (int i = 0; i < options.Hosts.Count; i++)
        {
            if (!BrokerHosts.TryParse(options.Hosts[i], out _))
            {
                errors.Add(Key($"Hosts:{i}"), $"'{options.Hosts[i]}' is not a host name or address, with an optional :port (1 to 65535)");
            }
        }

        errors.AddUnlessBetween(Key("ConfirmTimeout"), options.ConfirmTimeout, TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(1));
        errors.AddUnlessBetween(Key("MaxMessageBytes"), options.MaxMessageBytes, 64 * 1024, 512L * 1024 * 1024);
        errors.AddUnlessBetween(Key("MaxReconnectDelay"), options.MaxReconnectDelay, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5));
    }

    private static void ValidateName(ValidationErrors errors, string key, string value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(key, "required");
        }
        else if (value.StartsWith("amq.", StringComparison.Ordinal))
        {
            errors.Add(key, $"'{value}' is in the broker's reserved 'amq.' namespace");
        }
        else if (System.Text.Encoding.UTF8.GetByteCount(value) > 255)
        {
            errors.Add(key, "longer than AMQP's 255 bytes");
        }
    }
}
