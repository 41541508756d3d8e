using Relay.Core.Callbacks;
using Relay.Core.Events;
using Relay.Core.Reconciliation;
using Relay.Infrastructure;

namespace Relay.Outbox;

/// <summary>An event read back from an outbox row is the record that went in, its trace context included: a missing event stays one.</summary>
public sealed class OutboxRowTests
{
    [Fact]
    public void Rows_RoundTripToTheSameRecord()
    {
        string folder = Directory.CreateTempSubdirectory("relay-outbox-rows-").FullName;
        try
        {
            var factory = new CallbackEventFactory(new CallbackEventOptions(RelayServer.EventSource, ResultDetailXmlLimits.Default));
            byte[] form = System.Text.Encoding.ASCII.GetBytes(CallbackForms.WithErrors("round-trip"));
            var callback = factory.Create(CallbackFormReader.Read(form), form, DateTimeOffset.UtcNow,
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
            var missing = factory.CreateMissing(new Expectation("test", "gone"), DateTimeOffset.UtcNow, 3, null, DateTimeOffset.UtcNow);

            using var store = OutboxStore.Open(folder);
            store.Append([callback, missing], DateTimeOffset.UtcNow);
            var read = store.ReadOldest(10, []).Select(entry => entry.Event).ToList();

            Assert.Equal(2, read.Count);
            Assert.Equal(callback with { Body = read[0].Body }, read[0]);
            Assert.Equal(missing with { Body = read[1].Body }, read[1]);
            Assert.Equal(CallbackEventOptions.MissingEventType, read[1].Type);
            Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", read[0].TraceParent);
            Assert.Equal(callback.Body.ToArray(), read[0].Body.ToArray());

            // A batch stops at its byte limit, but always holds one event: a backlog of large events is
            // read a few at a time (found when 8 MiB callbacks went to the outbox under a slow broker).
            Assert.Single(store.ReadOldest(10, [], maxBytes: callback.Body.Length));
            Assert.Single(store.ReadOldest(10, [], maxBytes: 1));
            Assert.Equal(2, store.ReadOldest(10, [], maxBytes: callback.Body.Length + missing.Body.Length).Count);

            // An event is stored from its own array when its body is all of one; a body that is part of a
            // larger array is stored as that part.
            byte[] around = [.. "<<"u8, .. callback.Body.Span, .. ">>"u8];
            var part = callback with { Id = "part", Body = around.AsMemory(2, callback.Body.Length) };
            store.Append([part], DateTimeOffset.UtcNow);
            Assert.Equal(callback.Body.ToArray(), store.ReadOldest(10, []).Single(entry => entry.Event.Id == "part").Event.Body.ToArray());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
