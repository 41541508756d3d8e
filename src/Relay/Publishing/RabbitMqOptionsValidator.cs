using Microsoft.Extensions.Options;
using Relay.Configuration;

namespace Relay.Publishing;

internal sealed class RabbitMqOptionsValidator(IConfiguration configuration) : IValidateOptions<RabbitMqOptions>
{
    public ValidateOptionsResult Validate(string? name, RabbitMqOptions options)
    {
        var errors = new ValidationErrors();
        errors.AddUnknownKeys(configuration, RabbitMqOptions.Section, typeof(RabbitMqOptions));
        const string section = RabbitMqOptions.Section;

        // The URI carries the broker password: errors describe it without echoing it.
        if (!System.Uri.TryCreate(options.Uri, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps"))
        {
            errors.Add($"{section}:Uri", "must be an absolute amqp:// or amqps:// URI");
        }

        ValidateName(errors, $"{section}:Exchange", options.Exchange);
        if (!string.IsNullOrWhiteSpace(options.UnroutedQueue))
        {
            ValidateName(errors, $"{section}:UnroutedQueue", options.UnroutedQueue);
        }

        if (options.UnroutedQueueType is not (RabbitMqOptions.QuorumQueueType or RabbitMqOptions.ClassicQueueType))
        {
            errors.Add($"{section}:UnroutedQueueType", $"'{options.UnroutedQueueType}' is neither 'quorum' nor 'classic'");
        }

        for (int i = 0; i < options.Hosts.Count; i++)
        {
            if (!BrokerHosts.TryParse(options.Hosts[i], out _))
            {
                errors.Add($"{section}:Hosts:{i}", $"'{options.Hosts[i]}' is not a host name or address, with an optional :port (1 to 65535)");
            }
        }

        if (options.ConfirmTimeout < TimeSpan.FromMilliseconds(50) || options.ConfirmTimeout > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{section}:ConfirmTimeout", $"{options.ConfirmTimeout} is not between 00:00:00.05 and 00:01:00");
        }

        if (options.MaxMessageBytes is < 64 * 1024 or > 512L * 1024 * 1024)
        {
            errors.Add($"{section}:MaxMessageBytes", $"{options.MaxMessageBytes} is not between 65536 (64 KiB) and 536870912 (512 MiB)");
        }

        if (options.MaxReconnectDelay < TimeSpan.FromMilliseconds(100) || options.MaxReconnectDelay > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{section}:MaxReconnectDelay", $"{options.MaxReconnectDelay} is not between 00:00:00.1 and 00:05:00");
        }

        return errors.ToResult();
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
