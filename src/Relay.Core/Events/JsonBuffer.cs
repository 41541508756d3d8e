using System.Runtime.CompilerServices;

namespace Relay.Core.Events;

/// <summary>
/// A minimal JSON writer into a growable buffer, for the results of ResultDetailXML: names are XML names
/// (which JSON never needs to escape: no quote, backslash or control character is a name character) and
/// values are escaped by <see cref="JsonText"/>. Utf8JsonWriter validated and escaped every one of a
/// callback's hundreds of names and values again; this writes them as they are.
/// </summary>
internal sealed class JsonBuffer(int capacity)
{
    private byte[] _buffer = new byte[Math.Max(capacity, 256)];
    private int _length;
    private bool _comma;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public int Capacity => _buffer.Length;

    public void Clear()
    {
        _length = 0;
        _comma = false;
    }

    public void StartObject() => Open((byte)'{');

    public void EndObject() => Close((byte)'}');

    public void StartArray() => Open((byte)'[');

    public void EndArray() => Close((byte)']');

    /// <summary>A property name that needs no escaping (an XML name, or one of Relay's own).</summary>
    public void Name(ReadOnlySpan<byte> name) => Quoted(name, isName: true);

    /// <summary>A property name made of a prefix and a name, e.g. <c>@</c> and an attribute's name.</summary>
    public void Name(byte prefix, ReadOnlySpan<byte> name, int suffix = 0)
    {
        var span = Room(name.Length + 16);
        int i = 0;
        if (_comma)
        {
            span[i++] = (byte)',';
        }

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
        // Most values are a few bytes with nothing to escape ("OK", an id, an address).
        if (utf8.Length <= JsonText.ShortText && TryQuoted(utf8, isName: false))
        {
            return;
        }

        // Room for the worst (every byte escaped as \u00XX) when that is small, so the value is read once; a
        // long one is sized by what it holds to escape: a text of megabytes is no rarity.
        var span = Room(utf8.Length <= 1024 ? (utf8.Length * 6) + 3 : utf8.Length + (5 * JsonText.CountEscapes(utf8)) + 3);
        int i = 0;
        if (_comma)
        {
            span[i++] = (byte)',';
        }

        _length += i + JsonText.WriteQuoted(utf8, span[i..]);
        _comma = true;
    }

    public void Null()
    {
        var span = Room(5);
        int i = 0;
        if (_comma)
        {
            span[i++] = (byte)',';
        }

        "null"u8.CopyTo(span[i..]);
        _length += i + 4;
        _comma = true;
    }

    // Bytes that need no escaping, quoted: a property name with its ':', or a string value.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Quoted(ReadOnlySpan<byte> bytes, bool isName)
    {
        if (bytes.Length > JsonText.ShortText || !TryQuoted(bytes, isName))
        {
            Quoted(bytes, isName, Room(bytes.Length + 4));
        }
    }

    // A short text quoted, when none of it needs escaping (names never do); false, with nothing written, when some does.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryQuoted(ReadOnlySpan<byte> shortText, bool isName)
    {
        var span = Room(JsonText.ShortText + 4);
        int i = 0;
        if (_comma)
        {
            span[i++] = (byte)',';
        }

        span[i++] = (byte)'"';
        if (!JsonText.TryCopyShort(shortText, ref span[i]))
        {
            return false;
        }

        i += shortText.Length;
        span[i++] = (byte)'"';
        if (isName)
        {
            span[i++] = (byte)':';
        }

        _length += i;
        _comma = !isName;
        return true;
    }

    private void Quoted(ReadOnlySpan<byte> bytes, bool isName, Span<byte> span)
    {
        int i = 0;
        if (_comma)
        {
            span[i++] = (byte)',';
        }

        span[i++] = (byte)'"';
        bytes.CopyTo(span[i..]);
        i += bytes.Length;
        span[i++] = (byte)'"';
        if (isName)
        {
            span[i++] = (byte)':';
        }

        _length += i;
        _comma = !isName;
    }

    private void Open(byte bracket)
    {
        var span = Room(2);
        int i = 0;
        if (_comma)
        {
            span[i++] = (byte)',';
        }

        span[i++] = bracket;
        _length += i;
        _comma = false;
    }

    private void Close(byte bracket)
    {
        Room(1)[0] = bracket;
        _length++;
        _comma = true;
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

    private void Grow(int bytes) =>
        Array.Resize(ref _buffer, (int)Math.Min(Array.MaxLength, Math.Max((long)_buffer.Length * 2, (long)_length + bytes)));
}
