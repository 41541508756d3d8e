using Relay.Core.Callbacks;

namespace Relay.Callbacks;

public sealed class ResultDetailXmlParserTests
{
    private const string Namespaces =
        "xmlns=\"http://exacttarget.com/wsdl/partnerAPI\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"";

    private static ResultDetail Parse(string? xml) => ResultDetailXmlParser.Parse(xml, ResultDetailXmlLimits.Default);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Parse_NoXml_HasNeitherResultsNorError(string? xml)
    {
        var detail = Parse(xml);

        Assert.Null(detail.Results);
        Assert.Null(detail.Error);
    }

    [Fact]
    public void Parse_NamespacedResultsWithXsiTypes_FindsEachResult()
    {
        var detail = Parse($"""
            <CreateResponse {Namespaces}>
              <Results xsi:type="CreateResult"><StatusCode>OK</StatusCode><OrdinalID>0</OrdinalID>
                <Object xsi:type="Subscriber"><EmailAddress>a@example.com</EmailAddress></Object></Results>
              <Results xsi:type="UpdateResult"><StatusCode>Error</StatusCode><OrdinalID>1</OrdinalID><ErrorCode>12000</ErrorCode></Results>
            </CreateResponse>
            """);

        Assert.Null(detail.Error);
        Assert.Collection(detail.Results!,
            first => Assert.Equal("CreateResult", first.XsiType),
            second => Assert.Equal("UpdateResult", second.XsiType));
    }

    [Fact]
    public void Parse_PrefixedNamespaces_UseLocalNames()
    {
        var detail = Parse("""
            <p:Results xmlns:p="http://exacttarget.com/wsdl/partnerAPI" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
              <p:Result i:type="p:CreateResult"><p:StatusCode>OK</p:StatusCode></p:Result>
            </p:Results>
            """);

        var result = Assert.Single(detail.Results!);
        Assert.Equal("Result", result.Name);
        Assert.Equal("CreateResult", result.XsiType);
        Assert.Equal("StatusCode", Assert.Single(result.Children).Name);
    }

    [Fact]
    public void Parse_FragmentOfSeveralRoots_ReadsThemAll()
    {
        var detail = Parse("<Result><StatusCode>OK</StatusCode></Result><Result><StatusCode>Error</StatusCode></Result>");

        Assert.Equal(2, detail.Results!.Count);
    }

    [Fact]
    public void Parse_NestedResults_KeepsOnlyTheOutermost()
    {
        var detail = Parse("<Results><Result><StatusCode>OK</StatusCode><CreateResults><Result><StatusCode>OK</StatusCode></Result></CreateResults></Result></Results>");

        Assert.Single(detail.Results!);
    }

    [Fact]
    public void Parse_NoStatusCodeAnywhere_TakesTheRootsChildren()
    {
        var detail = Parse("<Unknown><Item><A>1</A></Item><Item><A>2</A></Item></Unknown>");

        Assert.Equal(2, detail.Results!.Count);
    }

    [Theory]
    [InlineData("<Results><Result>")]
    [InlineData("<Results></Result>")]
    [InlineData("not xml at all <")]
    [InlineData("<a b='1' b='2'/>")]
    public void Parse_MalformedXml_ReportsErrorWithoutResults(string xml)
    {
        var detail = Parse(xml);

        Assert.Null(detail.Results);
        Assert.Contains("not well-formed", detail.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ExternalEntity_IsRefused()
    {
        var detail = Parse("""
            <?xml version="1.0"?>
            <!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <Result><StatusCode>&xxe;</StatusCode></Result>
            """);

        Assert.Null(detail.Results);
        Assert.Contains("DTD", detail.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BillionLaughs_IsRefused()
    {
        var detail = Parse("""
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
            <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
            <Result><StatusCode>&lol3;</StatusCode></Result>
            """);

        Assert.Null(detail.Results);
        Assert.Contains("DTD", detail.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UndeclaredEntity_IsRefused()
    {
        var detail = Parse("<Result><StatusCode>&undeclared;</StatusCode></Result>");

        Assert.Null(detail.Results);
        Assert.NotNull(detail.Error);
    }

    [Fact]
    public void Parse_DeeperThanTheLimit_ReportsDepth()
    {
        string xml = string.Concat(Enumerable.Repeat("<a>", 100)) + string.Concat(Enumerable.Repeat("</a>", 100));

        var detail = ResultDetailXmlParser.Parse(xml, new ResultDetailXmlLimits(MaxCharacters: 1_000_000, MaxDepth: 64));

        Assert.Null(detail.Results);
        Assert.Contains("deeper", detail.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_LongerThanTheLimit_ReportsSize()
    {
        var detail = ResultDetailXmlParser.Parse("<Result><StatusCode>OK</StatusCode></Result>", new ResultDetailXmlLimits(MaxCharacters: 10, MaxDepth: 64));

        Assert.Null(detail.Results);
        Assert.Contains("limit of 10", detail.Error, StringComparison.Ordinal);
    }

    // Found comparing this parser with .NET's XmlReader, which it replaced (docs/development/benchmarks.md):
    // the other quote in a value, line ends in values and text, and the references.
    [Fact]
    public void Parse_AttributeValues_AreDecodedAsXmlSays()
    {
        var detail = Parse("<R><StatusCode>OK</StatusCode><T a='say \"hi\"' b=\"it's\" c='1&#10;2\r\n3\t4&amp;&lt;&#x41;'/></R>");

        var t = Assert.Single(detail.Results!).Children[1];
        Assert.Equal(
            [new("a", "say \"hi\""), new("b", "it's"), new("c", "1\n2 3 4&<A")],
            t.Attributes);
    }

    [Fact]
    public void Parse_LineEndsInText_BecomeLineFeeds()
    {
        var detail = Parse("<R><StatusCode>OK</StatusCode><T>x\r\ny\rz<![CDATA[\r\n<&>]]></T></R>");

        Assert.Equal("x\ny\nz\n<&>", Assert.Single(detail.Results!).Children[1].Text);
    }

    [Theory]
    [InlineData("<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?><R><StatusCode>OK</StatusCode></R>")]
    [InlineData("<?xml version='1.0'?>\n<!-- a comment --><?pi data?><R><StatusCode>OK</StatusCode></R>")]
    [InlineData("<R xmlns:x='urn:x'><StatusCode>OK</StatusCode><xmlns:y/><x:z x:a='1'/></R>")]
    // A DTD is refused where the scanner meets one, not wherever its keyword appears as text.
    [InlineData("<R><!-- no <!DOCTYPE here --><StatusCode>OK</StatusCode><T><![CDATA[<!DOCTYPE r>]]></T></R>")]
    [InlineData("<R\t><StatusCode\n/><T/><T\r\n  /></R >")]
    public void Parse_WellFormedOddities_AreRead(string xml)
    {
        var detail = Parse(xml);

        Assert.Null(detail.Error);
        Assert.Single(detail.Results!);
    }

    [Theory]
    [InlineData("<R><StatusCode>OK</StatusCode></R><?xml version='1.0'?>")]
    [InlineData("<?xml version='2.0'?><R/>")]
    [InlineData("<?xml encoding='utf-8'?><R/>")]
    [InlineData("<R><p:StatusCode>OK</p:StatusCode></R>")]
    [InlineData("<R xmlns:p=''><StatusCode/></R>")]
    [InlineData("<R><StatusCode>\u0001</StatusCode></R>")]
    [InlineData("<R><StatusCode>\uFFFE</StatusCode></R>")]
    [InlineData("<R><StatusCode>&#0;</StatusCode></R>")]
    [InlineData("<R><StatusCode>&#xD800;</StatusCode></R>")]
    [InlineData("<R><StatusCode>a]]>b</StatusCode></R>")]
    [InlineData("<R><!-- a -- b --><StatusCode/></R>")]
    [InlineData("<R a='1'b='2'><StatusCode/></R>")]
    [InlineData("<R a='<'><StatusCode/></R>")]
    [InlineData("<R xmlns:a='urn:x' xmlns:b='urn:x' a:k='1' b:k='2'><StatusCode/></R>")]
    [InlineData("<1R><StatusCode/></1R>")]
    [InlineData("<R><StatusCode/></R >x</R>")]
    [InlineData("<R><StatusCode/x></R>")]
    [InlineData("<R><StatusCode/ ></R>")]
    [InlineData("<R><StatusCode/")]
    [InlineData("<R><StatusCode")]
    [InlineData("<R><StatusCode>")]
    public void Parse_NotWellFormed_IsRefused(string xml)
    {
        var detail = Parse(xml);

        Assert.Null(detail.Results);
        Assert.Contains("not well-formed", detail.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AMillionCommentsInARow_IsReadWithoutExhaustingTheStack()
    {
        string xml = "<R><StatusCode>OK</StatusCode>" + string.Concat(Enumerable.Repeat("<!---->", 1_000_000)) + "</R>";

        var detail = ResultDetailXmlParser.Parse(xml, new ResultDetailXmlLimits(xml.Length, 64));

        Assert.Null(detail.Error);
        Assert.Single(detail.Results!);
    }

    [Fact]
    public void Parse_ATagOfManyAttributes_FindsTheDuplicate()
    {
        string attributes = string.Concat(Enumerable.Range(0, 50_000).Select(i => $" a{i}='{i}'"));

        var distinct = Parse($"<R{attributes}><StatusCode>OK</StatusCode></R>");
        var duplicated = Parse($"<R{attributes} a49999='again'><StatusCode>OK</StatusCode></R>");

        Assert.Equal(50_000, Assert.Single(distinct.Results!).Attributes.Count);
        Assert.Contains("twice", duplicated.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(20)] // past the pairwise comparisons: a set
    public void Parse_ARepeatedAttribute_IsFoundWhereverItsFirstIs(int others)
    {
        string attributes = string.Concat(Enumerable.Range(0, others).Select(i => $" a{i}='{i}'"));
        const string Result = "<StatusCode>OK</StatusCode></R>";
        const string Declared = " xmlns:p='urn:n' xmlns:q='urn:n'";

        Assert.Null(Parse($"<R x='first'{attributes}>{Result}").Error);
        Assert.Contains("twice", Parse($"<R x='first'{attributes} x='again'>{Result}").Error, StringComparison.Ordinal);
        Assert.Contains("twice", Parse($"<R{attributes} a0='again'>{Result}").Error, StringComparison.Ordinal);
        Assert.Null(Parse($"<R p:x='first'{Declared}{attributes}>{Result}").Error);
        Assert.Contains("same once their prefixes", Parse($"<R p:x='first'{Declared}{attributes} q:x='again'>{Result}").Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("abcdefghijklmno")]
    [InlineData("abcdefghijklmnop")]
    [InlineData("abcdefghijklmnopq")]
    [InlineData("Abc_def-ghi.jkl0123456789_XYZ.end-")]
    [InlineData("_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")]
    [InlineData("abcdefghijklmnopqrstuvwxyzéabcdefghijklmnopq")]
    [InlineData("éabcdefghijklmnopqrstuvwxyz")]
    public void Parse_NamesAcrossSixteenBytes_AreReadWhole(string name)
    {
        // Names are classified sixteen bytes at a time; a name's end in any place of a step, or past it, is found.
        var detail = Parse($"<R><StatusCode>OK</StatusCode><{name} {name}='1'>v</{name}><p:{name} xmlns:p='urn:p'>w</p:{name}></R>");

        var result = Assert.Single(detail.Results!);
        Assert.Equal(["StatusCode", name, name], result.Children.Select(c => c.Name));
        Assert.Equal(name, Assert.Single(result.Children[1].Attributes).Key);
    }

    [Theory]
    [InlineData("<R><StatusCode/><abcdefghijklmnopq></abcdefghijklmnop></R>")]
    [InlineData("<R><StatusCode/><abcdefghijklmnop></abcdefghijklmnopq></R>")]
    [InlineData("<R><StatusCode/><ab></abc></R>")]
    [InlineData("<R><StatusCode/><abc></ab></R>")]
    [InlineData("<R><StatusCode/><abc></ab c></R>")]
    [InlineData("<R><StatusCode/><abc></abc/></R>")]
    [InlineData("<R><StatusCode/><a:b xmlns:a='urn:a'></a:c></R>")]
    public void Parse_EndTagThatAlmostMatches_IsRefused(string xml)
    {
        var detail = Parse(xml);

        Assert.Null(detail.Results);
        Assert.Contains("not well-formed", detail.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<R><StatusCode/><a></a ></R>")]
    [InlineData("<R><StatusCode/><abcdefghijklmnopq></abcdefghijklmnopq\n></R>")]
    public void Parse_EndTagWithSpaceBeforeItsEnd_IsRead(string xml)
    {
        var detail = Parse(xml);

        Assert.Null(detail.Error);
        Assert.Equal(2, Assert.Single(detail.Results!).Children.Count);
    }

    [Theory]
    [InlineData("0123456789abcdef&amp;x", "0123456789abcdef&x")]
    [InlineData("0123456789abcdefghij&lt;&#x41;", "0123456789abcdefghij<A")]
    [InlineData("0123456789abcdefghij\r\nk", "0123456789abcdefghij\nk")]
    [InlineData("0123456789abcdefghij]k]]", "0123456789abcdefghij]k]]")]
    public void Parse_TextPastSixteenBytes_IsDecoded(string text, string expected)
    {
        var detail = Parse($"<R><StatusCode>OK</StatusCode><T>{text}</T></R>");

        Assert.Null(detail.Error);
        Assert.Equal(expected, Assert.Single(detail.Results!).Children[1].Text);
    }

    [Fact]
    public void Parse_AStopInTextAtEveryPlace_IsFound()
    {
        // The text's end, a reference, a ']' or a carriage return at each place of the first sixteen bytes (one
        // vector compare), past them (a search), and where fewer than sixteen bytes of the document are left
        // (a byte at a time).
        foreach (var (stop, decoded) in new[] { ("", ""), ("&amp;", "&"), ("]", "]"), ("\r", "\n") })
        {
            for (int place = 0; place < 40; place++)
            {
                string text = new string('x', place) + stop + "y";
                var detail = Parse($"<R><StatusCode>OK</StatusCode><T>{text}</T></R>");

                Assert.Null(detail.Error);
                Assert.Equal(new string('x', place) + decoded + "y", Assert.Single(detail.Results!).Children[1].Text);
            }
        }
    }

    [Theory]
    [InlineData("<R><StatusCode/><T>0123456789abcdefghij]]>k</T></R>")]
    [InlineData("<R><StatusCode/><T>ab]]>k0123456789abcdefghij</T></R>")]
    [InlineData("<R><StatusCode/><T>0123456789abcdefghij&nope;</T></R>")]
    [InlineData("<R><StatusCode/><T>0123456789abcdefghij&amp</T></R>")]
    public void Parse_TextPastSixteenBytesThatIsBroken_IsRefused(string xml)
    {
        var detail = Parse(xml);

        Assert.Null(detail.Results);
        Assert.Contains("not well-formed", detail.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void AsciiNameLength_EveryByteInEveryPlace_AgreesWithTheNameTable()
    {
        // The sixteen-byte classification against the byte table it stands for, for each byte at each place;
        // a ':' is seen only inside the name (the bytes past its end are not looked at).
        for (int b = 0; b < 256; b++)
        {
            bool isNameByte = b < 0x80 && (char.IsAsciiLetterOrDigit((char)b) || b is '_' or ':' or '.' or '-');
            for (int place = 0; place < 40; place++)
            {
                byte[] text = [.. Enumerable.Repeat((byte)'a', place), (byte)b, .. Enumerable.Repeat((byte)'a', 3), (byte)'>', (byte)':', (byte)'b'];

                Assert.Equal(isNameByte ? place + 4 : place, XmlNames.AsciiNameLength(text, out bool hasColon));
                Assert.Equal(b == ':', hasColon);
            }
        }
    }
}
