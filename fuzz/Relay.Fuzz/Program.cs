using Relay.Fuzz;

// Relay.Fuzz --list                 the targets, one per line
// Relay.Fuzz TARGET                 run under afl-fuzz (SharpFuzz's out-of-process loop)
// Relay.Fuzz TARGET run FILE...     run inputs in-process: exit 1 with the broken invariant on the first failure
if (args is ["--list"])
{
    foreach (string name in FuzzTargets.All.Keys)
    {
        Console.WriteLine(name);
    }

    return 0;
}

if (args.Length == 0 || !FuzzTargets.All.TryGetValue(args[0], out var target))
{
    await Console.Error.WriteLineAsync($"usage: Relay.Fuzz --list | TARGET [run FILE...]; targets: {string.Join(", ", FuzzTargets.All.Keys)}");
    return 2;
}

if (args.Length > 1 && args[1] == "run")
{
    foreach (string file in args.Skip(2).SelectMany(path => Directory.Exists(path) ? Directory.GetFiles(path) : [path]))
    {
        try
        {
            target(await File.ReadAllBytesAsync(file));
        }
        catch (Exception ex)
        {
            await Console.Error.WriteLineAsync($"{args[0]}: {file}: {ex.GetType().Name}: {ex.Message}");
            return 1;
        }
    }

    return 0;
}

SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    target(buffer.ToArray());
});
return 0;
