using System.Buffers.Text;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Relay.Core.Memory;

namespace Relay.Core.Events;

/// <summary>
/// A minimal JSON writer into a growable buffer: Relay's events are written with it, their results and
/// their resultDetailXml straight into the event's buffer. Names are Relay's own or XML names (which JSON
/// never needs to escape: no quote, backslash or control character is a name character) and string values
/// are escaped by <see cref="JsonText"/>: only what JSON requires, the rest as it is (the event is never
/// embedded in HTML). Utf8JsonWriter validated and escaped every one of a callback's hundreds of names and
/// values again, and took results and resultDetailXml as copies written aside.
/// </summary>
internal sealed class JsonBuffer(int capacity)
{
    // Up to this many UTF-8 bytes a string value is transcoded on the stack.
    private const int StackTranscodeBytes = 512;

    // Every byte is written before it is read: zeroing the buffer first would be wasted (megabytes, for a large event).
    private byte[] _buffer = GC.AllocateUninitializedArray<byte>(Math.Max(capacity, 256));
    private int _length;
    private bool _comma;

    /// <summary>Where the buffer was at some point, what <see cref="CutBack"/> returns it to.</summary>
    public readonly record struct Mark(int Length, bool Comma);

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    /// <summary>What was written, in the buffer's own array (no copy).</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public int Capacity => _buffer.Length;

    public Mark Now => new(_length, _comma);

    public void Clear()
    {
        _length = 0;
        _comma = false;
    }

    /// <summary>Forgets what was written since <paramref name="mark"/>.</summary>
    public void CutBack(Mark mark)
    {
        _length = mark.Length;
        _comma = mark.Comma;
    }

    public void StartObject() => Open((byte)'{');

    public void EndObject() => Close((byte)'}');

    public void StartArray() => Open((byte)'[');

    public void EndArray() => Close((byte)']');

    /// <summary>A property name that needs no escaping (an XML name, or one of Relay's own): copied as it is.</summary>
    public void Name(ReadOnlySpan<byte> name)
    {
        var span = Next(name.Length + 3, out int i);
        span[i++] = (byte)'"';
        if (name.Length <= JsonText.ShortText)
        {
            // Whether a byte would need escaping does not matter: a name has none.
            _ = JsonText.TryCopyShort(name, ref span[i]);
        }
        else
        {
            name.CopyTo(span[i..]);
        }

        i += name.Length;
        span[i++] = (byte)'"';
        span[i++] = (byte)':';
        _length += i;
        _comma = false;
    }

    /// <summary>A property name made of a prefix and a name, e.g. <c>@</c> and an attribute's name.</summary>
    public void Name(byte prefix, ReadOnlySpan<byte> name, int suffix = 0)
    {
        var span = Next(name.Length + 15, out int i);
        span[i++] = (byte)'"';
        span[i++] = prefix;
        name.CopyTo(span[i..]);
        i += name.Length;
        if (suffix > 0)
        {
            span[i++] = (byte)'#';
            suffix.TryFormat(span[i..], out int digits, provider: System.Globalization.CultureInfo.InvariantCulture);
            i += digits;
        }

        span[i++] = (byte)'"';
        span[i++] = (byte)':';
        _length += i;
        _comma = false;
    }

    /// <summary>A string value: valid UTF-8, escaped as JSON requires.</summary>
    public void String(ReadOnlySpan<byte> utf8)
    {
        // Most values are a few bytes with nothing to escape ("OK", an id, an address): copied and tested at once.
        if (utf8.Length <= JsonText.ShortText)
        {
            var span = Next(utf8.Length + 2, out int at);
            span[at++] = (byte)'"';
            if (JsonText.TryCopyShort(utf8, ref span[at]))
            {
                at += utf8.Length;
                span[at++] = (byte)'"';
                _length += at;
                _comma = true;
                return;
            }
        }

        int i = _comma ? 1 : 0;
        int written;
        if (utf8.Length <= 1024)
        {
            // Room for the worst (every byte escaped as \u00XX) when that is small, so the value is read once.
            written = JsonText.WriteQuoted(utf8, Room(i + (utf8.Length * 6) + 2)[i..]);
        }
        else if (!JsonText.TryWriteQuoted(utf8, Room(i + utf8.Length + (utf8.Length / 4) + 2)[i..], out written))
        {
            // A long one gets room for an escape in every fourth byte, far more than XML's quotes take; only a
            // text that needs more is counted, and written again into room for all it needs.
            written = JsonText.WriteQuoted(utf8, Room(i + utf8.Length + (5 * JsonText.CountEscapes(utf8)) + 2)[i..]);
        }

        if (_comma)
        {
            _buffer[_length] = (byte)',';
        }

        _length += i + written;
        _comma = true;
    }

    /// <summary>A string value, or null; ill-formed UTF-16 in it becomes U+FFFD, as Encoding.UTF8 makes it.</summary>
    public void String(string? value)
    {
        if (value is null)
        {
            Null();
            return;
        }

        if (value.Length <= StackTranscodeBytes / 3)
        {
            Span<byte> utf8 = stackalloc byte[StackTranscodeBytes];
            String(utf8[..Encoding.UTF8.GetBytes(value, utf8)]);
            return;
        }

        byte[] rented = ByteBuffers.Rent(Encoding.UTF8.GetByteCount(value));
        try
        {
            String(rented.AsSpan(0, Encoding.UTF8.GetBytes(value, rented)));
        }
        finally
        {
            ByteBuffers.Return(rented);
        }
    }

    /// <summary>A time as events give it: UTC to the millisecond, e.g. <c>2026-12-07T12:00:00.000Z</c>.</summary>
    public void Timestamp(DateTimeOffset time)
    {
        // Digit by digit: the runtime's custom format took 140 ns an event to parse "yyyy-MM-dd'T'HH:mm:ss.fff'Z'".
        var utc = time.UtcDateTime;
        utc.Deconstruct(out int year, out int month, out int day);
        long ticks = utc.TimeOfDay.Ticks;
        Span<byte> text = stackalloc byte[24];
        "0000-00-00T00:00:00.000Z"u8.CopyTo(text);
        Digits(text[..4], year);
        Digits(text[5..7], month);
        Digits(text[8..10], day);
        Digits(text[11..13], (int)(ticks / TimeSpan.TicksPerHour));
        Digits(text[14..16], (int)(ticks / TimeSpan.TicksPerMinute % 60));
        Digits(text[17..19], (int)(ticks / TimeSpan.TicksPerSecond % 60));
        Digits(text[20..23], (int)(ticks / TimeSpan.TicksPerMillisecond % 1000));
        String(text);

        static void Digits(Span<byte> to, int value)
        {
            for (int i = to.Length - 1; i >= 0; i--, value /= 10)
            {
                to[i] = (byte)('0' + (value % 10));
            }
        }
    }

    /// <summary>Bytes as a base64 string.</summary>
    public void Base64String(ReadOnlySpan<byte> bytes)
    {
        var span = Next(Base64.GetMaxEncodedToUtf8Length(bytes.Length) + 2, out int i);
        span[i++] = (byte)'"';
        Base64.EncodeToUtf8(bytes, span[i..], out _, out int encoded);
        i += encoded;
        span[i++] = (byte)'"';
        _length += i;
        _comma = true;
    }

    public void Number(long value)
    {
        var span = Next(20, out int i);
        value.TryFormat(span[i..], out int digits, provider: CultureInfo.InvariantCulture);
        _length += i + digits;
        _comma = true;
    }

    /// <summary>A whole JSON value, as it is (the caller knows it to be well-formed).</summary>
    public void Raw(ReadOnlySpan<byte> json)
    {
        var span = Next(json.Length, out int i);
        json.CopyTo(span[i..]);
        _length += i + json.Length;
        _comma = true;
    }

    public void Null()
    {
        var span = Next(4, out int i);
        "null"u8.CopyTo(span[i..]);
        _length += i + 4;
        _comma = true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Open(byte bracket)
    {
        var span = Next(1, out int i);
        span[i++] = bracket;
        _length += i;
        _comma = false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Close(byte bracket)
    {
        Room(1)[0] = bracket;
        _length++;
        _comma = true;
    }

    // Room for a name or value of up to 'bytes' after the ',' due before it, which is written: 'at' is where it starts.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Next(int bytes, out int at)
    {
        var span = Room(bytes + 1);
        at = 0;
        if (_comma)
        {
            span[at++] = (byte)',';
        }

        return span;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Room(int bytes)
    {
        if (_buffer.Length - _length < bytes)
        {
            Grow(bytes);
        }

        return _buffer.AsSpan(_length);
    }

    private void Grow(int bytes)
    {
        var grown = GC.AllocateUninitializedArray<byte>((int)Math.Min(Array.MaxLength, Math.Max((long)_buffer.Length * 2, (long)_length + bytes)));
        Written.CopyTo(grown);
        _buffer = grown;
    }
}
