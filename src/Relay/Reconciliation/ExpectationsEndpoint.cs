using System.Buffers;
using System.Text.Json;
using Microsoft.Net.Http.Headers;
using RabbitMQ.Client.Exceptions;
using Relay.Core.Reconciliation;
using Relay.RequestBodies;

namespace Relay.Reconciliation;

/// <summary>
/// <c>POST /expectations</c> on Admin: one expectation object or an array of them, answered 202 once the
/// broker has them all; 400 naming the first problem, 415 for anything but JSON, 413 past 1 MiB, 503 while
/// reconciliation has no broker connection.
/// </summary>
internal sealed partial class ExpectationsEndpoint(ExpectationRegistrar registrar, ReconciliationMetrics metrics, ILogger<ExpectationsEndpoint> logger)
{
    public const long MaxBodyBytes = 1024 * 1024;

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            await AnswerAsync(context, StatusCodes.Status415UnsupportedMediaType, "send the expectations as application/json");
            return;
        }

        List<Expectation> expectations;
        string? problem;
        using (var body = request.ContentLength > MaxBodyBytes ? null
            : await RequestBodyReader.ReadAsync(request.BodyReader, request.ContentLength, MaxBodyBytes, context.RequestAborted))
        {
            if (body is null)
            {
                await AnswerAsync(context, StatusCodes.Status413PayloadTooLarge, $"at most {MaxBodyBytes} bytes");
                return;
            }

            if (!ExpectationJson.TryReadMany(body.Span, ReconciliationOptions.MaxPerRequest, out expectations, out problem))
            {
                await RefuseAsync(context, problem!);
                return;
            }
        }

        for (int i = 0; i < expectations.Count; i++)
        {
            if (registrar.Problem(expectations[i]) is { } unusable)
            {
                await RefuseAsync(context, expectations.Count == 1 ? unusable : $"[{i}]: {unusable}");
                return;
            }
        }

        try
        {
            if (await registrar.RegisterAsync(expectations, context.RequestAborted))
            {
                await AnswerAsync(context, StatusCodes.Status202Accepted, null, expectations.Count);
                return;
            }
        }
        catch (Exception ex) when (ex is PublishException or AlreadyClosedException or OperationInterruptedException or IOException or ObjectDisposedException)
        {
            Log.NotRegistered(logger, expectations.Count, ex.Message);
        }

        context.Response.Headers.RetryAfter = "5";
        await AnswerAsync(context, StatusCodes.Status503ServiceUnavailable, "the broker is not reachable; not all were registered, send them again");
    }

    private Task RefuseAsync(HttpContext context, string problem)
    {
        metrics.Expectation(ReconciliationMetrics.Malformed, null);
        Log.Refused(logger, problem);
        return AnswerAsync(context, StatusCodes.Status400BadRequest, problem);
    }

    /// <summary><c>{"registered": n}</c> for a 202, an RFC 9457 problem otherwise.</summary>
    private static async Task AnswerAsync(HttpContext context, int status, string? detail, int registered = 0)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = detail is null ? "application/json" : "application/problem+json";
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (detail is null)
            {
                writer.WriteNumber("registered", registered);
            }
            else
            {
                writer.WriteNumber("status", status);
                writer.WriteString("detail", detail);
            }

            writer.WriteEndObject();
        }

        await response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 9201, Level = LogLevel.Warning, Message = "POST /expectations answered 400: {Problem}")]
        public static partial void Refused(ILogger logger, string problem);

        [LoggerMessage(EventId = 9202, Level = LogLevel.Warning, Message = "POST /expectations: {Count} expectations not registered: {Reason}")]
        public static partial void NotRegistered(ILogger logger, int count, string reason);
    }
}
