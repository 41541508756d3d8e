namespace Relay.Fuzz;

/// <summary>An invariant a target broke: what the fuzzer reports as a crash, and a test as a failure.</summary>
public sealed class InvariantException(string message) : Exception(message)
{
    public static void Unless(bool holds, string message)
    {
        if (!holds)
        {
            throw new InvariantException(message);
        }
    }
}
