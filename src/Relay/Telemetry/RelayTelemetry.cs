using System.Diagnostics;

namespace Relay.Telemetry;

/// <summary>
/// Relay's telemetry names, in one place. Spans and attributes follow the OpenTelemetry semantic
/// conventions for messaging (RabbitMQ) and HTTP at version <see cref="SemanticConventionsVersion"/>.
/// </summary>
internal static class RelayTelemetry
{
    public const string SemanticConventionsVersion = "1.36.0";

    public const string ActivitySourceName = "Relay";
    public const string MeterName = "Relay";

    /// <summary>
    /// The longest span attribute value taken from a callback (RequestID, ConversationID, OverallStatusCode):
    /// their length is the sender's choice, up to the body's size.
    /// </summary>
    public const int MaxAttributeLength = 256;

    /// <summary>Series kept per instrument; Relay's instruments have tens.</summary>
    public const int MetricCardinalityLimit = 256;

    /// <summary>A callback's value as a span attribute: at most <see cref="MaxAttributeLength"/> characters.</summary>
    public static string? Capped(string? value) =>
        value is { Length: > MaxAttributeLength } ? value[..MaxAttributeLength] : value;

    public static readonly ActivitySource ActivitySource = new(ActivitySourceName, typeof(RelayTelemetry).Assembly.GetName().Version?.ToString());

    internal static class Attributes
    {
        public const string MessagingSystem = "messaging.system";
        public const string MessagingOperationType = "messaging.operation.type";
        public const string MessagingOperationName = "messaging.operation.name";
        public const string MessagingDestinationName = "messaging.destination.name";
        public const string MessagingMessageId = "messaging.message.id";
        public const string MessagingMessageBodySize = "messaging.message.body.size";
        public const string RabbitMqRoutingKey = "messaging.rabbitmq.destination.routing_key";
        public const string ErrorType = "error.type";
        public const string ServerAddress = "server.address";
        public const string HttpResponseStatusCode = "http.response.status_code";

        public const string RequestId = "marketing_cloud.request_id";
        public const string ConversationId = "marketing_cloud.conversation_id";
        public const string OverallStatus = "marketing_cloud.overall_status_code";
        public const string CallbackOutcome = "relay.callback.outcome";
        public const string EnsOutcome = "relay.ens.outcome";
        public const string EnsCategory = "relay.ens.category";
        public const string EnsVerificationOutcome = "relay.ens.verification.outcome";
        public const string EnsEvents = "relay.ens.events";
        public const string EdgeDecision = "relay.edge.decision";
        public const string EdgeReason = "relay.edge.reason";
        public const string EdgeStage = "relay.edge.stage";
        public const string Source = "relay.source";
        public const string PublishOutcome = "relay.publish.outcome";
        public const string EventId = "relay.event.id";
        public const string OutboxReplay = "relay.outbox.replay";
        public const string ReconciliationOutcome = "relay.reconciliation.outcome";
        public const string AllowlistResult = "relay.allowlist.result";
        public const string OutboxReason = "relay.outbox.reason";
    }
}
