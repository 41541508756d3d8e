using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;

namespace Relay.Core.Callbacks;

/// <summary>
/// Splits XML in UTF-8 into tags, text and CDATA, checking what XML 1.0 requires of each (names, quoting,
/// entity and character references, comments, processing instructions) and refusing what Relay never
/// reads: a DOCTYPE (so no entity is ever declared, let alone expanded, and nothing external is fetched).
/// Names stay spans of the input; values are decoded only when asked, into the caller's buffer. It knows
/// nothing of namespaces or of which tag closes which: <see cref="ResultDetailXmlParser"/> does.
/// Malformed input throws <see cref="XmlSyntaxException"/>.
/// </summary>
internal ref struct Utf8XmlScanner
{
    private static readonly SearchValues<byte> TextStops = SearchValues.Create("<&]\r"u8);
    private static readonly SearchValues<byte> NotInVersion = SearchValues.Create("<>& \t\n\r"u8);
    private static readonly SearchValues<byte> EncodingNameBytes =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"u8);
    private static readonly SearchValues<byte> AttributeValueStops = SearchValues.Create("&\t\n\r"u8);

    private readonly ReadOnlySpan<byte> _xml;
    private int _position;
    private bool _attributesPending;
    private Range _expectedEndName;

    public Utf8XmlScanner(ReadOnlySpan<byte> xml)
    {
        _xml = xml;
    }

    /// <summary>
    /// The qualified name of the element that is open, whose end tag is likely next: such an end tag is
    /// matched, not read. An end tag of another name is read as any other.
    /// </summary>
    public void ExpectEndTag(Range name) => _expectedEndName = name;

    /// <summary>Whether the end tag just read is the one <see cref="ExpectEndTag"/> named.</summary>
    public bool EndTagIsExpected { get; private set; }

    /// <summary>Where the qualified name of the tag just read is in the document.</summary>
    public Range NameRange { get; private set; }

    /// <summary>Whether the start tag just read has a ':' in its name (a prefix).</summary>
    public bool NameHasColon { get; private set; }

    /// <summary>The qualified name of the tag just read.</summary>
    public readonly ReadOnlySpan<byte> Name
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _xml[NameRange];
    }

    /// <summary>The raw text or CDATA content just read: text still holds its references and line ends.</summary>
    public ReadOnlySpan<byte> Raw { get; private set; }

    /// <summary>Whether the text just read needs <see cref="DecodeText"/> (a reference or a carriage return in it).</summary>
    public bool RawNeedsDecoding { get; private set; }

    /// <summary>Whether the start tag just read closed itself (<c>&lt;a/&gt;</c>), once its attributes are read.</summary>
    public bool IsEmptyElement { get; private set; }

    public XmlToken Next()
    {
        if (_attributesPending)
        {
            while (NextAttribute(out _, out _))
            {
            }
        }

        // Comments and processing instructions are skipped in this loop, not by calling again: a document
        // of a million comments in a row must not take a million frames of stack.
        while (true)
        {
            if (_position >= _xml.Length)
            {
                return XmlToken.End;
            }

            if (_xml[_position] != '<')
            {
                return ReadText();
            }

            if (_position + 1 >= _xml.Length)
            {
                throw Fail("the document ends inside a tag");
            }

            switch (_xml[_position + 1])
            {
                case (byte)'/':
                    return ReadEndTag();
                case (byte)'?':
                    ReadProcessingInstruction();
                    continue;
                case (byte)'!':
                    if (ReadDeclaration() is XmlToken token)
                    {
                        return token;
                    }

                    continue;
                default:
                    return ReadStartTag();
            }
        }
    }

    /// <summary>
    /// Reads a whole element at once when it is a leaf in its plainest form, <c>&lt;Name&gt;text&lt;/Name&gt;</c>:
    /// an ASCII name without a prefix, no attribute, text without a reference, ']' or carriage return (or
    /// none), its end tag right after. Most elements of a result are such leaves, and read as three tokens
    /// each costs three turns of the parser's loop. Anything else returns false and leaves the position
    /// where it was, for <see cref="Next"/>, which reads the same bytes to the same effect.
    /// </summary>
    /// <param name="name">Where the leaf's name is (its local name: it has no prefix).</param>
    /// <param name="text">Where its text is, raw and needing no decoding; empty when it has none.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadLeaf(out Range name, out Range text)
    {
        name = default;
        text = default;
        int start = _position + 1;
        if (_attributesPending || start >= _xml.Length || _xml[_position] != '<')
        {
            return false;
        }

        var rest = _xml[start..];
        int length = XmlNames.AsciiNameLength(rest, out bool hasColon);
        if (length == 0 || hasColon || length >= rest.Length || rest[length] != '>' || !XmlNames.IsNameStart(rest))
        {
            return false;
        }

        int textStart = start + length + 1;
        int at = IndexOfTextStop(_xml[textStart..]);
        int end = textStart + at;
        if (at < 0 || _xml[end] != '<' || _xml.Length - end < length + 3 || _xml[end + 1] != '/'
            || _xml[end + 2 + length] != '>' || !_xml.Slice(end + 2, length).SequenceEqual(rest[..length]))
        {
            return false;
        }

        name = new Range(start, start + length);
        text = new Range(textStart, end);
        NameRange = name;
        _position = end + length + 3;
        return true;
    }

    /// <summary>Whether text is all whitespace: such text between tags is no element's text.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsWhitespace(ReadOnlySpan<byte> text) =>
        XmlNames.IsWhitespace(text[0]) && text.IndexOfAnyExcept(" \t\n\r"u8) < 0;

    /// <summary>
    /// The next attribute of the start tag just read: where its qualified name and raw value (without
    /// quotes) are in the document. False once the tag's end is reached.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool NextAttribute(out Range name, out Range rawValue)
    {
        name = default;
        rawValue = default;
        if (!_attributesPending)
        {
            return false;
        }

        bool spaced = SkipWhitespace();
        if (_position >= _xml.Length)
        {
            throw Fail("the document ends inside a start tag");
        }

        byte b = _xml[_position];
        if (b == '>')
        {
            _position++;
            _attributesPending = false;
            return false;
        }

        if (b == '/')
        {
            if (_position + 1 >= _xml.Length || _xml[_position + 1] != '>')
            {
                throw Fail("'/' in a start tag is not followed by '>'");
            }

            _position += 2;
            IsEmptyElement = true;
            _attributesPending = false;
            return false;
        }

        if (!spaced)
        {
            throw Fail("attributes must be separated by whitespace");
        }

        int nameStart = _position;
        name = new Range(nameStart, nameStart + ReadName().Length);
        rawValue = ReadQuotedValue("an attribute");
        return true;
    }

    /// <summary>
    /// Decodes an attribute value as XML does: references replaced, a line end or tab a space.
    /// <paramref name="destination"/> must be as long as <paramref name="raw"/>.
    /// </summary>
    public readonly int DecodeAttributeValue(ReadOnlySpan<byte> raw, Span<byte> destination)
    {
        int written = 0;
        while (true)
        {
            int at = raw.IndexOfAny(AttributeValueStops);
            if (at < 0)
            {
                raw.CopyTo(destination[written..]);
                return written + raw.Length;
            }

            raw[..at].CopyTo(destination[written..]);
            written += at;
            byte b = raw[at];
            if (b == '&')
            {
                written += DecodeReference(ref raw, at, destination[written..]);
                continue;
            }

            // "\r\n" is one line end, so one space.
            destination[written++] = (byte)' ';
            int skip = b == '\r' && at + 1 < raw.Length && raw[at + 1] == '\n' ? 2 : 1;
            raw = raw[(at + skip)..];
        }
    }

    /// <summary>
    /// Decodes text as XML does: references replaced, "\r\n" and a lone "\r" a "\n". <paramref name="destination"/>
    /// must be as long as <paramref name="raw"/>.
    /// </summary>
    public readonly int DecodeText(ReadOnlySpan<byte> raw, Span<byte> destination)
    {
        int written = 0;
        while (true)
        {
            int at = raw.IndexOfAny((byte)'&', (byte)'\r');
            if (at < 0)
            {
                raw.CopyTo(destination[written..]);
                return written + raw.Length;
            }

            raw[..at].CopyTo(destination[written..]);
            written += at;
            if (raw[at] == '&')
            {
                written += DecodeReference(ref raw, at, destination[written..]);
                continue;
            }

            destination[written++] = (byte)'\n';
            int skip = at + 1 < raw.Length && raw[at + 1] == '\n' ? 2 : 1;
            raw = raw[(at + skip)..];
        }
    }

    /// <summary>Decodes CDATA content: its only change is line ends. <paramref name="destination"/> as long as it.</summary>
    public static int DecodeCData(ReadOnlySpan<byte> raw, Span<byte> destination)
    {
        int written = 0;
        while (true)
        {
            int at = raw.IndexOf((byte)'\r');
            if (at < 0)
            {
                raw.CopyTo(destination[written..]);
                return written + raw.Length;
            }

            raw[..at].CopyTo(destination[written..]);
            written += at;
            destination[written++] = (byte)'\n';
            raw = raw[(at + (at + 1 < raw.Length && raw[at + 1] == '\n' ? 2 : 1))..];
        }
    }

    /// <summary>An exception that says where in the document the problem is, as a line and a column.</summary>
    public readonly XmlSyntaxException Fail(string problem)
    {
        var before = _xml[..Math.Min(_position, _xml.Length)];
        int line = before.Count((byte)'\n') + 1;
        int lineStart = before.LastIndexOf((byte)'\n') + 1;
        int column = Encoding.UTF8.GetCharCount(before[lineStart..]) + 1;
        return new XmlSyntaxException($"{problem} (line {line}, position {column})");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private XmlToken ReadText()
    {
        int start = _position;
        bool needsDecoding = false;
        while (true)
        {
            int at = IndexOfTextStop(_xml[_position..]);
            if (at < 0)
            {
                _position = _xml.Length;
                break;
            }

            _position += at;
            byte b = _xml[_position];
            if (b == '<')
            {
                break;
            }

            if (b == ']')
            {
                if (_xml[_position..].StartsWith("]]>"u8))
                {
                    throw Fail("']]>' in text");
                }

                _position++;
                continue;
            }

            needsDecoding = true;
            if (b == '&')
            {
                // Checked now, so that a malformed reference fails the document wherever its text ends up.
                var rest = _xml[_position..];
                _position += ReferenceLength(rest);
            }
            else
            {
                _position++;
            }
        }

        Raw = _xml[start.._position];
        RawNeedsDecoding = needsDecoding;
        return IsWhitespace(Raw) ? XmlToken.Whitespace : XmlToken.Text;
    }

    // Most text in a result is a few bytes ("OK", an id): its end is in the first sixteen bytes, found by one
    // vector compare inline (a search call would cost more than the text, and a byte at a time costs a
    // mispredicted branch where the text ends); longer text gets the vectorized search. The bytes compared
    // are TextStops's: the sets must stay the same.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int IndexOfTextStop(ReadOnlySpan<byte> text)
    {
        const int ShortText = 16;
        ref byte first = ref MemoryMarshal.GetReference(text);
        if (Vector128.IsHardwareAccelerated && text.Length >= ShortText)
        {
            var block = Vector128.LoadUnsafe(ref first);
            uint stops = (Vector128.Equals(block, Vector128.Create((byte)'<'))
                | Vector128.Equals(block, Vector128.Create((byte)'&'))
                | Vector128.Equals(block, Vector128.Create((byte)']'))
                | Vector128.Equals(block, Vector128.Create((byte)'\r'))).ExtractMostSignificantBits();
            if (stops != 0)
            {
                return BitOperations.TrailingZeroCount(stops);
            }
        }
        else
        {
            int length = Math.Min(text.Length, ShortText);
            for (int i = 0; i < length; i++)
            {
                if (Unsafe.Add(ref first, i) is (byte)'<' or (byte)'&' or (byte)']' or (byte)'\r')
                {
                    return i;
                }
            }

            if (length == text.Length)
            {
                return -1;
            }
        }

        int at = text[ShortText..].IndexOfAny(TextStops);
        return at < 0 ? -1 : ShortText + at;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private XmlToken ReadStartTag()
    {
        _position++;
        int start = _position;
        NameRange = new Range(start, start + ReadName(out bool hasColon).Length);
        NameHasColon = hasColon;
        IsEmptyElement = false;
        _attributesPending = true;
        return XmlToken.StartTag;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private XmlToken ReadEndTag()
    {
        _position += 2;
        int start = _position;

        // Nearly every end tag is the open element's name and '>': one comparison, no name to read.
        EndTagIsExpected = false;
        var expected = _xml[_expectedEndName];
        var rest = _xml[start..];
        if (!expected.IsEmpty && rest.Length > expected.Length && rest[expected.Length] == '>' && rest.StartsWith(expected))
        {
            NameRange = new Range(start, start + expected.Length);
            EndTagIsExpected = true;
            _position += expected.Length + 1;
            return XmlToken.EndTag;
        }

        NameRange = new Range(start, start + ReadName().Length);
        SkipWhitespace();
        if (_position >= _xml.Length || _xml[_position] != '>')
        {
            throw Fail("an end tag is not closed by '>'");
        }

        _position++;
        return XmlToken.EndTag;
    }

    /// <summary>A comment (skipped: null) or a CDATA section.</summary>
    private XmlToken? ReadDeclaration()
    {
        var rest = _xml[_position..];
        if (rest.StartsWith("<!--"u8))
        {
            int end = rest[4..].IndexOf("--"u8);
            if (end < 0)
            {
                throw Fail("a comment is not closed");
            }

            if (4 + end + 2 >= rest.Length || rest[4 + end + 2] != '>')
            {
                throw Fail("'--' inside a comment");
            }

            _position += 4 + end + 3;
            return null;
        }

        if (rest.StartsWith("<![CDATA["u8))
        {
            int end = rest[9..].IndexOf("]]>"u8);
            if (end < 0)
            {
                throw Fail("a CDATA section is not closed");
            }

            Raw = rest.Slice(9, end);
            RawNeedsDecoding = Raw.Contains((byte)'\r');
            _position += 9 + end + 3;
            return XmlToken.CData;
        }

        throw Fail(rest.StartsWith("<!DOCTYPE"u8) ? "a DTD; DTDs and entities are refused" : "'<!' that opens no comment or CDATA section");
    }

    private void ReadProcessingInstruction()
    {
        int start = _position;
        _position += 2;
        var target = ReadName();
        if (target.Contains((byte)':'))
        {
            throw Fail("a processing instruction's target has a ':'");
        }

        bool isDeclaration = Ascii.EqualsIgnoreCase(target, "xml"u8);
        if (isDeclaration && (start != 0 || !target.SequenceEqual("xml"u8)))
        {
            throw Fail("an XML declaration that is not at the start of the document");
        }

        if (isDeclaration)
        {
            ReadXmlDeclaration();
            return;
        }

        int end = _xml[_position..].IndexOf("?>"u8);
        if (end < 0)
        {
            throw Fail("a processing instruction is not closed");
        }

        if (end > 0 && !XmlNames.IsWhitespace(_xml[_position]))
        {
            throw Fail("a processing instruction's target is not followed by whitespace");
        }

        _position += end + 2;
    }

    /// <summary>version, then encoding and standalone if there, as XML 1.0 spells them (the encoding is not used: the form's is UTF-8).</summary>
    private void ReadXmlDeclaration()
    {
        int pseudo = 0;
        while (true)
        {
            bool spaced = SkipWhitespace();
            if (_xml[_position..].StartsWith("?>"u8))
            {
                if (pseudo == 0)
                {
                    throw Fail("an XML declaration without its version");
                }

                _position += 2;
                return;
            }

            if (!spaced)
            {
                throw Fail("an XML declaration's parts must be separated by whitespace");
            }

            var name = ReadName();
            var value = _xml[ReadQuotedValue("an XML declaration's part")];
            bool valid = pseudo switch
            {
                0 => name.SequenceEqual("version"u8) && IsVersion(value),
                _ when name.SequenceEqual("encoding"u8) && pseudo == 1 => IsEncodingName(value),
                _ when name.SequenceEqual("standalone"u8) && pseudo < 3 => value.SequenceEqual("yes"u8) || value.SequenceEqual("no"u8),
                _ => false,
            };
            if (!valid)
            {
                throw Fail("an XML declaration that is not version 1.0, an encoding and standalone, in that order");
            }

            pseudo = name.SequenceEqual("standalone"u8) ? 3 : pseudo + 1;
        }
    }

    // "1.0" and whatever follows but markup, as .NET's own reader took it (nothing in the declaration is used).
    private static bool IsVersion(ReadOnlySpan<byte> version) =>
        version.StartsWith("1.0"u8) && version.IndexOfAny(NotInVersion) < 0;

    /// <summary>What follows a name in a tag: '=' and a quoted value (no &lt; in it), whitespace around the '='.</summary>
    /// <returns>Where the value is, without its quotes.</returns>
    private Range ReadQuotedValue(string what)
    {
        SkipWhitespace();
        if (_position >= _xml.Length || _xml[_position] != '=')
        {
            throw Fail($"{what} has no '='");
        }

        _position++;
        SkipWhitespace();
        if (_position >= _xml.Length || _xml[_position] is not ((byte)'"' or (byte)'\''))
        {
            throw Fail($"{what} has a value that is not quoted");
        }

        byte quote = _xml[_position++];
        int start = _position;
        int end = _xml[start..].IndexOfAny(quote, (byte)'<');
        if (end < 0 || _xml[start + end] == '<')
        {
            throw Fail(end < 0 ? $"{what} has a value that is not closed" : $"{what} has a '<' in its value");
        }

        _position = start + end + 1;
        return new Range(start, start + end);
    }

    private static bool IsEncodingName(ReadOnlySpan<byte> name) =>
        !name.IsEmpty && char.IsAsciiLetter((char)name[0])
        && name.IndexOfAnyExcept(EncodingNameBytes) < 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> ReadName() => ReadName(out _);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> ReadName(out bool hasColon)
    {
        var rest = _xml[_position..];
        int length = XmlNames.AsciiNameLength(rest, out hasColon);

        // Past ASCII the name goes on as far as the name characters do.
        while (length < rest.Length && rest[length] >= 0x80)
        {
            Rune.DecodeFromUtf8(rest[length..], out var rune, out int consumed);
            if (!XmlNames.IsNameCharacter(rune, start: false))
            {
                break;
            }

            length += consumed;
            length += XmlNames.AsciiNameLength(rest[length..], out bool more);
            hasColon |= more;
        }

        var name = rest[..length];
        if (name.IsEmpty || !XmlNames.IsNameStart(name))
        {
            throw Fail("a name is missing or starts with a character no name starts with");
        }

        _position += length;
        return name;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool SkipWhitespace()
    {
        int start = _position;
        while (_position < _xml.Length && XmlNames.IsWhitespace(_xml[_position]))
        {
            _position++;
        }

        return _position > start;
    }

    /// <summary>The length of the reference at the start of <paramref name="text"/>, checking it.</summary>
    private readonly int ReferenceLength(ReadOnlySpan<byte> text)
    {
        int semicolon = text[..Math.Min(text.Length, 16)].IndexOf((byte)';');
        if (semicolon < 0 || !TryResolve(text[1..semicolon], out _))
        {
            throw Fail(semicolon < 0 ? "'&' that starts no reference" : "a reference to an entity that is not declared, or to no character");
        }

        return semicolon + 1;
    }

    /// <summary>Writes the reference at <paramref name="at"/> in <paramref name="raw"/> and moves past it.</summary>
    private readonly int DecodeReference(ref ReadOnlySpan<byte> raw, int at, Span<byte> destination)
    {
        var reference = raw[at..];
        int semicolon = reference[..Math.Min(reference.Length, 16)].IndexOf((byte)';');
        if (semicolon < 0 || !TryResolve(reference[1..semicolon], out var rune))
        {
            throw Fail(semicolon < 0 ? "'&' that starts no reference" : "a reference to an entity that is not declared, or to no character");
        }

        raw = raw[(at + semicolon + 1)..];
        return rune.EncodeToUtf8(destination);
    }

    private static bool TryResolve(ReadOnlySpan<byte> name, out Rune rune)
    {
        rune = default;
        switch (name)
        {
            case [(byte)'l', (byte)'t']:
                rune = new Rune('<');
                return true;
            case [(byte)'g', (byte)'t']:
                rune = new Rune('>');
                return true;
            case [(byte)'a', (byte)'m', (byte)'p']:
                rune = new Rune('&');
                return true;
            case [(byte)'a', (byte)'p', (byte)'o', (byte)'s']:
                rune = new Rune('\'');
                return true;
            case [(byte)'q', (byte)'u', (byte)'o', (byte)'t']:
                rune = new Rune('"');
                return true;
            case [(byte)'#', (byte)'x', .. var hex] when hex.Length is > 0 and <= 8:
                return TryCharacter(hex, 16, out rune);
            case [(byte)'#', .. var digits] when digits.Length is > 0 and <= 10:
                return TryCharacter(digits, 10, out rune);
            default:
                return false;
        }
    }

    private static bool TryCharacter(ReadOnlySpan<byte> digits, int radix, out Rune rune)
    {
        rune = default;
        long value = 0;
        foreach (byte d in digits)
        {
            int digit = d switch
            {
                >= (byte)'0' and <= (byte)'9' => d - '0',
                >= (byte)'a' and <= (byte)'f' when radix == 16 => d - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' when radix == 16 => d - 'A' + 10,
                _ => -1,
            };
            if (digit < 0)
            {
                return false;
            }

            value = (value * radix) + digit;
        }

        if (value > 0x10FFFF || !Rune.IsValid((int)value) || !XmlNames.IsCharacter((int)value))
        {
            return false;
        }

        rune = new Rune((int)value);
        return true;
    }
}
