using System.Text;
using System.Xml;
using Relay.Core.Callbacks;

namespace Relay.Core.Reconciliation;

/// <summary>
/// The SOAP 1.1 messages of a ResultMessage retrieve (FuelSDK's <c>etframework.wsdl</c>): the request,
/// filtered on RequestID and asking for the callback's ten fields, its <c>ContinueRequest</c> for the next
/// page, and the reading of the answer. The answer is read as a stream with DTDs refused and no resolver,
/// so neither its size nor its content costs more than its own characters.
/// </summary>
public static class RetrieveSoap
{
    public const string SoapNamespace = "http://schemas.xmlsoap.org/soap/envelope/";
    public const string PartnerNamespace = "http://exacttarget.com/wsdl/partnerAPI";
    public const string FuelNamespace = "http://exacttarget.com";
    private const string XsiNamespace = "http://www.w3.org/2001/XMLSchema-instance";

    /// <summary>The ResultMessage properties asked for: the callback's ten fields and CallsInConversation.</summary>
    public static readonly IReadOnlyList<string> Properties =
    [
        "RequestID", "ConversationID", "OverallStatusCode", "StatusCode", "StatusMessage", "ErrorCode",
        "RequestType", "ResultType", "ResultDetailXML", "SequenceCode", "CallsInConversation",
    ];

    private static readonly XmlWriterSettings WriterSettings = new() { Encoding = new UTF8Encoding(false), Indent = false };

    /// <summary>The first page's request: ResultMessage where RequestID equals <paramref name="requestId"/>.</summary>
    public static byte[] Retrieve(string accessToken, string requestId) => Write(accessToken, writer =>
    {
        writer.WriteElementString("ObjectType", PartnerNamespace, "ResultMessage");
        foreach (string property in Properties)
        {
            writer.WriteElementString("Properties", PartnerNamespace, property);
        }

        writer.WriteStartElement("Filter", PartnerNamespace);
        writer.WriteAttributeString("xsi", "type", XsiNamespace, "SimpleFilterPart");
        writer.WriteElementString("Property", PartnerNamespace, "RequestID");
        writer.WriteElementString("SimpleOperator", PartnerNamespace, "equals");
        writer.WriteElementString("Value", PartnerNamespace, requestId);
        writer.WriteEndElement();
    });

    /// <summary>The next page's request, after an answer of <c>MoreDataAvailable</c>.</summary>
    public static byte[] Continue(string accessToken, string previousRequestId) =>
        Write(accessToken, writer => writer.WriteElementString("ContinueRequest", PartnerNamespace, previousRequestId));

    private static byte[] Write(string accessToken, Action<XmlWriter> request)
    {
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, WriterSettings))
        {
            writer.WriteStartDocument();
            writer.WriteStartElement("s", "Envelope", SoapNamespace);
            writer.WriteAttributeString("xmlns", "xsi", null, XsiNamespace);
            writer.WriteStartElement("Header", SoapNamespace);
            writer.WriteElementString("fueloauth", FuelNamespace, accessToken);
            writer.WriteEndElement();
            writer.WriteStartElement("Body", SoapNamespace);
            writer.WriteStartElement("RetrieveRequestMsg", PartnerNamespace);
            writer.WriteStartElement("RetrieveRequest", PartnerNamespace);
            request(writer);
            writer.WriteEndElement();
            writer.WriteEndElement();
            writer.WriteEndElement();
            writer.WriteEndElement();
            writer.WriteEndDocument();
        }

        return stream.ToArray();
    }

    /// <summary>Reads an answer; <see cref="XmlException"/> when it is not a SOAP envelope with a retrieve answer or a fault.</summary>
    public static RetrieveResponse ReadResponse(Stream body, long maxCharacters)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = maxCharacters,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            IgnoreWhitespace = true,
        };
        using var reader = XmlReader.Create(body, settings);
        reader.MoveToContent();
        if (!reader.IsStartElement("Envelope", SoapNamespace))
        {
            throw new XmlException($"the answer is not a SOAP envelope but <{reader.Name}>");
        }

        if (!reader.ReadToDescendant("Body", SoapNamespace))
        {
            throw new XmlException("the SOAP envelope has no Body");
        }

        if (reader.IsEmptyElement || !ReadToFirstChild(reader))
        {
            throw new XmlException("the SOAP Body is empty");
        }

        if (reader.LocalName == "Fault" && reader.NamespaceURI == SoapNamespace)
        {
            return new RetrieveResponse(null, null, [], ReadFault(reader));
        }

        if (reader.LocalName != "RetrieveResponseMsg")
        {
            throw new XmlException($"the SOAP Body holds <{reader.LocalName}>, not a RetrieveResponseMsg");
        }

        return ReadRetrieveResponse(reader);
    }

    private static RetrieveResponse ReadRetrieveResponse(XmlReader reader)
    {
        string? status = null;
        string? requestId = null;
        var results = new List<ResultMessage>();
        if (reader.IsEmptyElement)
        {
            throw new XmlException("the RetrieveResponseMsg is empty");
        }

        int depth = reader.Depth;
        reader.Read();
        while (NextChildElement(reader, depth))
        {
            switch (reader.LocalName)
            {
                case "OverallStatus":
                    status = reader.ReadElementContentAsString();
                    break;
                case "RequestID":
                    requestId = reader.ReadElementContentAsString();
                    break;
                case "Results":
                    results.Add(ReadResult(reader));
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (status is null)
        {
            throw new XmlException("the RetrieveResponseMsg has no OverallStatus");
        }

        return new RetrieveResponse(status.Trim(), NullIfEmpty(requestId), results, null);
    }

    private static ResultMessage ReadResult(XmlReader reader)
    {
        var fields = new string?[Properties.Count];
        if (reader.IsEmptyElement)
        {
            reader.Read();
            return ToResultMessage(fields);
        }

        int depth = reader.Depth;
        reader.Read();
        while (NextChildElement(reader, depth))
        {
            int index = IndexOf(reader.LocalName);
            if (index < 0)
            {
                reader.Skip();
                continue;
            }

            fields[index] = NullIfEmpty(reader.ReadElementContentAsString());
        }

        reader.Read(); // </Results>
        return ToResultMessage(fields);
    }

    private static int IndexOf(string localName)
    {
        for (int i = 0; i < Properties.Count; i++)
        {
            if (Properties[i] == localName)
            {
                return i;
            }
        }

        return -1;
    }

    private static ResultMessage ToResultMessage(string?[] f) => new(
        new MarketingCloudCallback(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9]),
        f[10]);

    private static string ReadFault(XmlReader reader)
    {
        string? faultString = null;
        if (!reader.IsEmptyElement)
        {
            int depth = reader.Depth;
            reader.Read();
            while (NextChildElement(reader, depth))
            {
                if (reader.LocalName == "faultstring")
                {
                    faultString = reader.ReadElementContentAsString();
                }
                else
                {
                    reader.Skip();
                }
            }
        }

        return string.IsNullOrWhiteSpace(faultString) ? "a SOAP fault without a faultstring" : faultString.Trim();
    }

    /// <summary>Moves past text and comments to the next child element of the element at <paramref name="depth"/>; false at its end.</summary>
    private static bool NextChildElement(XmlReader reader, int depth)
    {
        while (reader.Depth > depth && reader.NodeType != XmlNodeType.Element)
        {
            reader.Read();
        }

        return reader.Depth > depth;
    }

    private static bool ReadToFirstChild(XmlReader reader)
    {
        int depth = reader.Depth;
        while (reader.Read() && reader.Depth > depth)
        {
            if (reader.NodeType == XmlNodeType.Element)
            {
                return true;
            }
        }

        return false;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
