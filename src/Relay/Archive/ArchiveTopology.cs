using System.Globalization;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Relay.Archive;

/// <summary>
/// Declares the archive: a stream <c>{Exchange}.archive</c> bound to the exchange with <c>#</c>, so that it
/// receives every event Relay publishes, directly or from the outbox, with the retention of
/// <see cref="ArchiveOptions"/>. A stream that already exists with other arguments is used as it is: the
/// broker refuses a declaration that differs, and replacing the stream would throw away the archive.
/// </summary>
internal static partial class ArchiveTopology
{
    private const ushort PreconditionFailed = 406;

    public static async Task DeclareAsync(IConnection connection, string exchange, ArchiveOptions options, ILogger logger,
        CancellationToken cancellationToken)
    {
        if (!options.Enabled)
        {
            return;
        }

        string stream = ArchiveOptions.StreamOf(exchange);
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            try
            {
                await channel.QueueDeclareAsync(stream, durable: true, exclusive: false, autoDelete: false,
                    arguments: Arguments(options), cancellationToken: cancellationToken);
            }
            catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == PreconditionFailed)
            {
                // The failed declaration closed the channel; the stream is there, with other arguments.
                Log.ExistsWithOtherArguments(logger, stream, ex.ShutdownReason.ReplyText);
                await channel.DisposeAsync();
                channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
                await channel.QueueDeclarePassiveAsync(stream, cancellationToken);
            }

            await channel.QueueBindAsync(stream, exchange, "#", cancellationToken: cancellationToken);
            await channel.CloseAsync(cancellationToken);
        }
        finally
        {
            await channel.DisposeAsync();
        }
    }

    /// <summary>The stream's declaration arguments, as the broker compares them.</summary>
    public static Dictionary<string, object?> Arguments(ArchiveOptions options) => new()
    {
        ["x-queue-type"] = "stream",
        ["x-max-age"] = MaxAge(options.MaxAge),
        ["x-max-length-bytes"] = options.MaxBytes,
    };

    /// <summary><c>x-max-age</c> in the broker's notation: a number and one unit (D, h, m or s).</summary>
    public static string MaxAge(TimeSpan age) => age switch
    {
        _ when age.Ticks % TimeSpan.TicksPerDay == 0 => Format(age.Ticks / TimeSpan.TicksPerDay, "D"),
        _ when age.Ticks % TimeSpan.TicksPerHour == 0 => Format(age.Ticks / TimeSpan.TicksPerHour, "h"),
        _ when age.Ticks % TimeSpan.TicksPerMinute == 0 => Format(age.Ticks / TimeSpan.TicksPerMinute, "m"),
        _ => Format(age.Ticks / TimeSpan.TicksPerSecond, "s"),
    };

    private static string Format(long count, string unit) => count.ToString(CultureInfo.InvariantCulture) + unit;

    private static partial class Log
    {
        [LoggerMessage(EventId = 3010, Level = LogLevel.Warning, Message = "The archive stream '{Stream}' exists with other arguments than Relay:Archive:MaxAge and Relay:Archive:MaxBytes ask for; it is used as it is ({BrokerSays}). Change its retention with a policy, or delete it to have Relay declare it anew")]
        public static partial void ExistsWithOtherArguments(ILogger logger, string stream, string brokerSays);
    }
}
