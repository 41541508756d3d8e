using RabbitMQ.Client;
using Relay.Core.Reconciliation;

namespace Relay.Reconciliation;

/// <summary>
/// Registers expectations on behalf of a producer that posts them to Relay rather than publishing them:
/// each one a persistent message on <c>{Exchange}.expectations</c>, confirmed by the broker before the
/// producer is answered.
/// </summary>
internal sealed class ExpectationRegistrar(Reconciler reconciler, ExpectationResolver resolver, TimeProvider time)
{
    /// <summary>Why Relay could not reconcile this expectation, or null when it can: what the reconciler would find.</summary>
    public string? Problem(Expectation expectation) => resolver.TryResolve(expectation, out _, out _, out string? problem) ? null : problem;

    /// <returns>False when reconciliation holds no broker connection now.</returns>
    public async Task<bool> RegisterAsync(IReadOnlyList<Expectation> expectations, CancellationToken cancellationToken)
    {
        if (reconciler.PublishChannel is not { IsOpen: true } channel)
        {
            return false;
        }

        var publishes = new List<Task>(expectations.Count);
        foreach (var expectation in expectations)
        {
            var properties = new BasicProperties
            {
                DeliveryMode = DeliveryModes.Persistent,
                ContentType = "application/json",
                Timestamp = new AmqpTimestamp(time.GetUtcNow().ToUnixTimeSeconds()),
                AppId = "relay",
            };
            publishes.Add(channel.BasicPublishAsync(string.Empty, reconciler.ExpectationsQueue, mandatory: true, properties,
                ExpectationJson.Write(expectation), cancellationToken).AsTask());
        }

        await Task.WhenAll(publishes);
        return true;
    }
}
