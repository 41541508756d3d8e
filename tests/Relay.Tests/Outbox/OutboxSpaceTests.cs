using Relay.Core.Callbacks;
using Relay.Core.Events;
using Relay.Infrastructure;
using Xunit.Abstractions;

namespace Relay.Outbox;

/// <summary>
/// What the outbox takes on disk, measured on SQLite as Relay opens it: the figure behind
/// <see cref="OutboxVolume.Overhead"/> and the volume sizes the operators' guide gives.
/// </summary>
public sealed class OutboxSpaceTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1_000, 20_000)]
    [InlineData(11_500, 4_000)]
    [InlineData(100_000, 500)]
    [InlineData(1_000_000, 50)]
    public void StoredEvents_TakeAtMostTheOverheadOnDisk_AndGiveItAllBackOnceForwarded(int formBytes, int events)
    {
        string folder = Directory.CreateTempSubdirectory("relay-outbox-space-").FullName;
        try
        {
            var factory = new CallbackEventFactory(new CallbackEventOptions(RelayServer.EventSource, ResultDetailXmlLimits.Default));
            byte[] form = System.Text.Encoding.ASCII.GetBytes(CallbackForms.WithManyResults("space", formBytes, out _));
            var callbackEvent = factory.Create(CallbackFormReader.Read(form), form, DateTimeOffset.UtcNow,
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
            long bodies = 0;
            using var store = OutboxStore.Open(folder);

            // In group commits of 64, as appends under load arrive; the largest file size seen is what a volume must hold.
            long peak = 0;
            for (int stored = 0; stored < events; stored += 64)
            {
                var batch = Enumerable.Repeat(callbackEvent, Math.Min(64, events - stored)).ToList();
                store.Append(batch, DateTimeOffset.UtcNow);
                bodies += batch.Count * (long)callbackEvent.Body.Length;
                peak = Math.Max(peak, store.FileBytes());
            }

            long largestCommit = Math.Min(64, events) * (long)callbackEvent.Body.Length;
            store.Reclaim();
            long database = store.FileBytes();
            output.WriteLine($"{events} events of {callbackEvent.Body.Length} bytes: {bodies} bytes of bodies; the database alone " +
                $"{database} bytes ({(double)database / bodies:F3} of the bodies), with its WAL at most {peak} bytes");
            Assert.True(database <= bodies * OutboxVolume.Overhead, $"the database takes {database} bytes for {bodies} bytes of bodies");
            Assert.True(peak <= database + Math.Max(OutboxVolume.WalLimit, (long)(largestCommit * OutboxVolume.Overhead)),
                $"{peak} bytes on disk at the most: the WAL grew past its limit and the largest commit");

            while (store.ReadOldest(256, []) is { Count: > 0 } forwarded)
            {
                store.Delete([.. forwarded.Select(entry => entry.Sequence)]);
            }

            store.Reclaim();
            long after = store.FileBytes();
            output.WriteLine($"after forwarding everything: {after} bytes");
            Assert.True(after < 256 * 1024, $"{after} bytes left on disk by an empty outbox");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
