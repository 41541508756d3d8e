using System.Runtime.CompilerServices;

namespace Relay.Core.Callbacks;

/// <summary>
/// The namespace prefixes in scope while ResultDetailXML is read: enough to refuse an undeclared prefix,
/// to know an <c>xsi:</c> attribute by its namespace (whatever its prefix), and to find two attributes that
/// are one once their prefixes are resolved. Reused from one document to the next.
/// </summary>
internal sealed class XmlNamespaceScope
{
    private Binding[] _bindings = new Binding[16];
    private int _count;
    private byte[] _uris = new byte[1024];
    private int _uriBytes;

    // The prefix and the URI side by side in _uris, the prefix first.
    private readonly record struct Binding(int Depth, int Prefix, int PrefixLength, int UriLength)
    {
        public int Uri => Prefix + PrefixLength;
    }

    public void Clear()
    {
        _count = 0;
        _uriBytes = 0;
    }

    /// <summary>Declares <paramref name="prefix"/> (empty for the default namespace) at <paramref name="depth"/>.</summary>
    public void Declare(int depth, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> uri)
    {
        if (_count == _bindings.Length)
        {
            Array.Resize(ref _bindings, _count * 2);
        }

        int length = prefix.Length + uri.Length;
        if (_uris.Length - _uriBytes < length)
        {
            Array.Resize(ref _uris, Math.Max(_uris.Length * 2, _uriBytes + length));
        }

        prefix.CopyTo(_uris.AsSpan(_uriBytes));
        uri.CopyTo(_uris.AsSpan(_uriBytes + prefix.Length));
        _bindings[_count++] = new Binding(depth, _uriBytes, prefix.Length, uri.Length);
        _uriBytes += length;
    }

    /// <summary>Forgets what the element at <paramref name="depth"/> declared, at its end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Leave(int depth)
    {
        // Nearly every element declares nothing: one comparison.
        if (_count > 0 && _bindings[_count - 1].Depth >= depth)
        {
            Forget(depth);
        }
    }

    private void Forget(int depth)
    {
        while (_count > 0 && _bindings[_count - 1].Depth >= depth)
        {
            _uriBytes = _bindings[--_count].Prefix;
        }
    }

    /// <summary>The namespace <paramref name="prefix"/> names, or false when it is not declared.</summary>
    public bool TryResolve(ReadOnlySpan<byte> prefix, out ReadOnlySpan<byte> uri)
    {
        for (int i = _count - 1; i >= 0; i--)
        {
            var binding = _bindings[i];
            if (prefix.SequenceEqual(_uris.AsSpan(binding.Prefix, binding.PrefixLength)))
            {
                uri = _uris.AsSpan(binding.Uri, binding.UriLength);
                return true;
            }
        }

        uri = prefix.SequenceEqual("xml"u8) ? "http://www.w3.org/XML/1998/namespace"u8 : default;
        return prefix.SequenceEqual("xml"u8);
    }

    /// <summary>Whether the declaration is one XML's namespaces allow.</summary>
    public static string? CheckDeclaration(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> uri)
    {
        if (prefix.SequenceEqual("xmlns"u8))
        {
            return "the prefix 'xmlns' cannot be declared";
        }

        if (prefix.SequenceEqual("xml"u8) != uri.SequenceEqual("http://www.w3.org/XML/1998/namespace"u8))
        {
            return "the prefix 'xml' is bound to its own namespace and no other prefix is";
        }

        if (uri.SequenceEqual("http://www.w3.org/2000/xmlns/"u8))
        {
            return "no prefix can be bound to http://www.w3.org/2000/xmlns/";
        }

        return !prefix.IsEmpty && uri.IsEmpty ? "a prefixed namespace declaration cannot be empty" : null;
    }

    public static bool IsXsi(ReadOnlySpan<byte> uri) => uri.SequenceEqual("http://www.w3.org/2001/XMLSchema-instance"u8);
}
