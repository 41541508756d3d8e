using System.Text;
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
        var random = new Random(20261207);
        byte[] inserts = "<>/&;:= \"'a]#x!?-"u8.ToArray();
        var disagreements = new List<string>();
        for (int round = 0; round < 20_000 && disagreements.Count < 5; round++)
        {
            var bytes = new List<byte>(Encoding.UTF8.GetBytes(Seed));
            for (int edits = random.Next(1, 3); edits > 0; edits--)
            {
                int at = random.Next(bytes.Count);
                switch (random.Next(3))
                {
                    case 0:
                        bytes.RemoveAt(at);
                        break;
                    case 1:
                        bytes.Insert(at, inserts[random.Next(inserts.Length)]);
                        break;
                    default:
                        bytes.Insert(at, bytes[at]);
                        break;
                }
            }

            string xml = Encoding.UTF8.GetString([.. bytes]);
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
