namespace Relay.Ens;

/// <summary><c>Relay:Ens</c>: Marketing Cloud's Event Notification Service, through the same door as callbacks.</summary>
internal sealed class EnsOptions
{
    public const string Section = "Relay:Ens";

    /// <summary>Path of the ENS endpoint on the Public listener; a source's ENS URL is <c>{Path}/{token}</c>.</summary>
    public string Path { get; set; } = "/marketing-cloud/ens";

    /// <summary>The deadline of each call Relay makes to Marketing Cloud for ENS (token, ens-verify, the subcommand's), answer included.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
