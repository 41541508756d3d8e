namespace Relay.Outbox;

/// <summary>An outbox row that holds no event Relay can publish: its place, what is wrong with it, its body's size.</summary>
internal sealed record UnreadableRow(long Sequence, string Problem, long BodyBytes);
