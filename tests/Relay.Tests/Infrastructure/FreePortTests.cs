namespace Relay.Infrastructure;

/// <summary>
/// The reproduction of "address already in use" in CI: a listener's port, picked by binding to port 0, had
/// been taken as the local port of an outgoing connection before Relay bound it.
/// </summary>
public sealed class FreePortTests
{
    [Fact]
    public void Ports_AreBelowTheKernelsEphemeralRange_AndNeverRepeat()
    {
        int ephemeral = FreePort.EphemeralRangeStart();
        var ports = Enumerable.Range(0, 500).Select(_ => FreePort.Next()).ToList();

        Assert.All(ports, port => Assert.InRange(port, 1024, ephemeral - 1));
        Assert.Equal(ports.Count, ports.Distinct().Count());
    }
}
