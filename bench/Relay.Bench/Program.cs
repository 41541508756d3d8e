// The benchmark's own parts; bench/run.sh drives them with wrk in one run on one machine.
//   broker        --uri U --exchange E --concurrency N --seconds S --bodies DIR   the broker's ceiling
//                 [--properties relay]                                          (with the properties Relay sets)
//                 [--rate R]                                                    (or a fixed rate, for latency)
//                 [--group-commit yes]                                          (at that rate, in groups: one per confirm wait)
//   https-server  --url https://127.0.0.1:9443 --cert C --key K                  the HTTPS ceiling's server
//   load          --url U --cacert C --rate R --seconds S --connections N         fixed-rate load, for latency
//   drain         --uri U --queue Q --count-file F                              the queue's consumer, counting
//   big           --url U --cacert C --size BYTES --concurrency N --rounds R      rounds of large callbacks at once
//   expectations  --url U --cacert C --admin A --exchange E --count N            reconciliation, every callback coming
using Relay.Bench;

if (args.Length == 0)
{
    Console.Error.WriteLine("usage: Relay.Bench broker|https-server|load|drain|big|expectations [--option value]...");
    return 2;
}

var options = BenchOptions.Parse(args.Skip(1));
switch (args[0])
{
    case "broker":
        Console.WriteLine(await BrokerCeiling.RunAsync(options));
        return 0;
    case "https-server":
        await HttpsCeiling.RunAsync(options);
        return 0;
    case "load":
        Console.WriteLine(await FixedRateLoad.RunAsync(options));
        return 0;
    case "big":
        Console.WriteLine(await BigBodies.RunAsync(options));
        return 0;
    case "expectations":
        Console.WriteLine(await Expectations.RunAsync(options));
        return 0;
    case "drain":
        await QueueDrain.RunAsync(options);
        return 0;
    default:
        Console.Error.WriteLine($"unknown command '{args[0]}'");
        return 2;
}
