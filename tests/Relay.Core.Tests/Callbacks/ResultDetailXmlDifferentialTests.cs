using System.Xml;
using Relay.Core.Callbacks;

namespace Relay.Callbacks;

/// <summary>
/// Relay's XML scanner against .NET's XmlReader, which it replaced: on documents broken a byte at a time,
/// both must find the same documents well-formed. The scanner's fast paths (names sixteen bytes at a time,
/// end tags matched against the open element, short text) sit at the places these mutations hit.
/// </summary>
public sealed class ResultDetailXmlDifferentialTests
{
    private const string Seed =
        "<CreateResponse xmlns=\"http://exacttarget.com/wsdl/partnerAPI\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">" +
        "<Results xsi:type=\"CreateResult\"><StatusCode>OK</StatusCode><StatusMessage>Created &amp; sent: &lt;1&gt;</StatusMessage>" +
        "<OrdinalID>0</OrdinalID><Object xsi:type=\"Subscriber\"><PartnerKey xsi:nil=\"true\"/>" +
        "<EmailAddress>subscriber000@example.com</EmailAddress><AVeryLongElementNameOfManyBytes a='1' b=\"it's\">" +
        "0123456789abcdefghij&#x41;<![CDATA[x]]></AVeryLongElementNameOfManyBytes><x:Name xmlns:x='urn:x'>First Name</x:Name>" +
        "<!-- c --><?pi data?></Object></Results></CreateResponse>";

    [Fact]
    public void Parse_MutatedDocuments_AreWellFormedExactlyWhenXmlReaderSaysSo()
    {
        byte[] inserts = "<>/&;:= \"'a]#x!?-"u8.ToArray();
        var disagreements = new List<string>();
        foreach (string xml in XmlMutations.Of(Seed, 20261207, inserts, minEdits: 1, maxEdits: 3, count: 20_000))
        {
            if (disagreements.Count >= 5)
            {
                break;
            }

            bool relay = ResultDetailXmlParser.Parse(xml, ResultDetailXmlLimits.Default).Error is null;
            bool reference = XmlReaderAccepts(xml);
            if (relay != reference)
            {
                disagreements.Add($"{(relay ? "accepted" : "refused")} by Relay only: {xml}");
            }
        }

        Assert.Empty(disagreements);
    }

    private static bool XmlReaderAccepts(string xml)
    {
        var settings = new XmlReaderSettings
        {
            ConformanceLevel = ConformanceLevel.Fragment,
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
        };
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), settings);
            bool element = false;
            while (reader.Read())
            {
                element |= reader.NodeType == XmlNodeType.Element;
            }

            return element;
        }
        catch (XmlException)
        {
            return false;
        }
    }
}
