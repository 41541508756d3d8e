using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Relay.Core.Callbacks;

/// <summary>
/// The distinct local names of one document, each stored once and known by a number in the order first
/// seen: the results of a callback repeat a handful of names over and over, so the tree keeps numbers, and
/// finding a child by name or grouping children by name compares numbers. A hash set of the names, its
/// hash seeded per table, so that a document cannot be built to make its names collide. Reused from one
/// document to the next.
/// </summary>
internal sealed class XmlNameTable
{
    // Up to this length a name is all in its two words, so that two are equal when their words and lengths are.
    private const int ShortName = 16;

    private byte[] _bytes = new byte[1024];
    private int _byteCount;
    private Entry[] _names = new Entry[64];
    private int _count;

    // Each slot holds a name's number + 1 (0 is empty); a power of two in size, at most half full.
    private int[] _slots = new int[128];

    // Per table, so that names cannot be chosen to collide; fields, not statics, which native code would
    // check for initialization at every use.
    private readonly ulong _firstSeed = RandomSeed();
    private readonly ulong _lastSeed = RandomSeed();

    private record struct Entry(int Offset, int Length, int Hash, ulong First, ulong Last);

    public int Count => _count;

    /// <summary>How many bytes the table holds on to.</summary>
    public int Capacity => _bytes.Length + (_slots.Length * 4) + (_names.Length * 32);

    public void Clear()
    {
        Array.Clear(_slots);
        _count = 0;
        _byteCount = 0;
    }

    public ReadOnlySpan<byte> this[int name]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            ref readonly var entry = ref _names[name];
            return _bytes.AsSpan(entry.Offset, entry.Length);
        }
    }

    /// <summary>The number of <paramref name="name"/>, which is added when it is new.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Intern(ReadOnlySpan<byte> name)
    {
        var (first, last) = Words(name);
        int hash = Hash(name, first, last);
        int mask = _slots.Length - 1;
        for (int slot = hash & mask; ; slot = (slot + 1) & mask)
        {
            int number = _slots[slot] - 1;
            if (number < 0)
            {
                return Add(name, new Entry(_byteCount, name.Length, hash, first, last), slot);
            }

            ref readonly var entry = ref _names[number];
            if (entry.Hash == hash && entry.Length == name.Length && entry.First == first && entry.Last == last
                && (name.Length <= ShortName || this[number].SequenceEqual(name)))
            {
                return number;
            }
        }
    }

    private int Add(ReadOnlySpan<byte> name, Entry entry, int slot)
    {
        if (_count == _names.Length)
        {
            Array.Resize(ref _names, _count * 2);
        }

        if (_bytes.Length - _byteCount < name.Length)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _byteCount + name.Length));
        }

        name.CopyTo(_bytes.AsSpan(_byteCount));
        _byteCount += name.Length;
        int number = _count++;
        _names[number] = entry;
        _slots[slot] = number + 1;
        if (_count * 2 > _slots.Length)
        {
            Rehash();
        }

        return number;
    }

    private void Rehash()
    {
        _slots = new int[_slots.Length * 2];
        int mask = _slots.Length - 1;
        for (int number = 0; number < _count; number++)
        {
            int slot = _names[number].Hash & mask;
            while (_slots[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }

            _slots[slot] = number + 1;
        }
    }

    // The first and the last eight bytes (fewer, for a shorter name), overlapping: all of a name of up to sixteen.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (ulong First, ulong Last) Words(ReadOnlySpan<byte> name)
    {
        ref byte start = ref MemoryMarshal.GetReference(name);
        return name.Length switch
        {
            >= 8 => (Unsafe.ReadUnaligned<ulong>(ref start), Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, name.Length - 8))),
            >= 4 => (Unsafe.ReadUnaligned<uint>(ref start), Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, name.Length - 4))),
            > 0 => (start, ((uint)Unsafe.Add(ref start, name.Length >> 1) << 8) | Unsafe.Add(ref start, name.Length - 1)),
            _ => (0, 0),
        };
    }

    // A short name's two words multiplied, seeded; a longer one gets HashCode's hash of all its bytes.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Hash(ReadOnlySpan<byte> name, ulong first, ulong last)
    {
        if (name.Length > ShortName)
        {
            var hash = default(HashCode);
            hash.AddBytes(name);
            return hash.ToHashCode();
        }

        ulong high = Math.BigMul(first ^ _firstSeed, last ^ _lastSeed ^ (ulong)name.Length, out ulong low);
        ulong mixed = high ^ low;
        return (int)mixed ^ (int)(mixed >> 32);
    }

    private static ulong RandomSeed() => (ulong)Random.Shared.NextInt64() | 1;
}
