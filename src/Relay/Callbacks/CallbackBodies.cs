using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Relay.RequestBodies;

namespace Relay.Callbacks;

/// <summary>
/// Reads the body of a request to a token door (a callback, an ENS batch) the one way: refused by its
/// declared length past <c>Relay:Callbacks:MaxBodyBytes</c>, room reserved in the memory budget for the
/// whole of it before any is read, read whole within <c>Relay:Callbacks:BodyTimeout</c>.
/// </summary>
internal sealed class CallbackBodies(IOptions<CallbackOptions> options, CallbackMemoryBudget budget, TimeProvider time)
{
    private readonly long _maxBodyBytes = options.Value.MaxBodyBytes;
    private readonly TimeSpan _bodyTimeout = options.Value.BodyTimeout;

    /// <summary>
    /// The body with its room in the budget (the caller disposes both), or the status and outcome to refuse
    /// the request with.
    /// </summary>
    public async Task<ReadBody> ReadAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength > _maxBodyBytes)
        {
            return ReadBody.Refused(StatusCodes.Status413PayloadTooLarge, CallbackOutcomes.BodyTooLarge);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeLimit)
        {
            sizeLimit.MaxRequestBodySize = _maxBodyBytes;
        }

        // Room for the whole body before any of it is read; one of unknown length may be as long as the limit.
        CallbackMemoryBudget.Reservation reservation;
        try
        {
            reservation = await budget.ReserveAsync(request.ContentLength ?? _maxBodyBytes, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            return ReadBody.Refused(StatusCodes.Status400BadRequest, CallbackOutcomes.BodyIncomplete);
        }

        BufferedBody? body;
        var deadline = new BodyDeadline(context, time, _bodyTimeout);
        try
        {
            body = await RequestBodyReader.ReadAsync(request.BodyReader, request.ContentLength, _maxBodyBytes, context.RequestAborted);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            body = null;
        }
        catch (Exception ex) when (deadline.Expired && ex is BadHttpRequestException or OperationCanceledException or IOException)
        {
            // Still not complete after Relay:Callbacks:BodyTimeout: the deadline cut the connection.
            reservation.Dispose();
            return ReadBody.Refused(StatusCodes.Status408RequestTimeout, CallbackOutcomes.BodyIncomplete);
        }
        catch (Exception ex) when (ex is BadHttpRequestException or OperationCanceledException or IOException)
        {
            // The client went away or was too slow (Kestrel's minimum data rate); nothing was accepted.
            reservation.Dispose();
            return ReadBody.Refused(StatusCodes.Status400BadRequest, CallbackOutcomes.BodyIncomplete);
        }
        finally
        {
            deadline.Dispose();
        }

        if (body is null)
        {
            reservation.Dispose();
            return ReadBody.Refused(StatusCodes.Status413PayloadTooLarge, CallbackOutcomes.BodyTooLarge);
        }

        reservation.Resize(body.Length);
        return new ReadBody(body, reservation, StatusCodes.Status200OK, null);
    }
}

/// <summary>A body read whole with its room in the memory budget, or why it was not.</summary>
internal readonly record struct ReadBody(BufferedBody? Body, CallbackMemoryBudget.Reservation? Held, int StatusCode, string? Outcome)
{
    public static ReadBody Refused(int statusCode, string outcome) => new(null, null, statusCode, outcome);
}
