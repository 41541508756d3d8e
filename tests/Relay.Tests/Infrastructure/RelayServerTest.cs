namespace Relay.Infrastructure;

/// <summary>A test class whose every test gets a Relay of its own, with the tests' default settings.</summary>
public abstract class RelayServerTest : IAsyncLifetime
{
    private protected RelayServer Relay { get; private set; } = null!;

    public async Task InitializeAsync() => Relay = await RelayServer.StartAsync();

    public async Task DisposeAsync() => await Relay.DisposeAsync();
}
