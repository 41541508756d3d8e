namespace Relay.Publishing;

/// <summary>
/// How a publish ended for the one waiting on it, and a publish it stopped waiting for that is still in the
/// broker client's hands (<see cref="ConfirmedPublish.Result.StillSending"/>): its frames, a copy of the
/// event, stay in memory until that ends.
/// </summary>
internal readonly record struct PublishResult(PublishOutcome Outcome, Task? StillSending = null)
{
    public static implicit operator PublishResult(PublishOutcome outcome) => new(outcome);
}
