using System.Net;

namespace Relay.Infrastructure;

/// <summary>Realistic callback bodies, as Marketing Cloud would post them.</summary>
internal static class CallbackForms
{
    public static string Encode(params (string Name, string Value)[] fields) =>
        string.Join('&', fields.Select(field => field.Name + "=" + WebUtility.UrlEncode(field.Value)));

    public static string Success(string requestId = "6b0d0a0e-3c55-4a39-9a66-3f0c2f5a1d11") => Encode(
        ("RequestID", requestId), ("ConversationID", ""), ("OverallStatusCode", "OK"), ("StatusCode", "OK"),
        ("StatusMessage", ""), ("ErrorCode", ""), ("RequestType", "Asynchronous"), ("ResultType", "Asynchronous"),
        ("ResultDetailXML", ""), ("SequenceCode", ""));

    /// <summary>A Has Errors callback whose ResultDetailXML holds as many results as fit in about <paramref name="bytes"/>.</summary>
    public static string WithManyResults(string requestId, int bytes, out int results)
    {
        const string open = "<CreateResponse xmlns=\"http://exacttarget.com/wsdl/partnerAPI\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">";
        var xml = new System.Text.StringBuilder(open);
        results = 0;

        // Percent-encoding makes the form about 1.4 times the XML.
        while (xml.Length * 1.4 < bytes)
        {
            xml.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"<Results xsi:type=\"CreateResult\"><StatusCode>Error</StatusCode><OrdinalID>{results}</OrdinalID><ErrorCode>12000</ErrorCode>" +
                $"<Object xsi:type=\"Subscriber\"><SubscriberKey>k-{results}</SubscriberKey></Object></Results>");
            results++;
        }

        return Encode(
            ("RequestID", requestId), ("ConversationID", "many"), ("OverallStatusCode", "Has Errors"), ("StatusCode", "Has Errors"),
            ("StatusMessage", "One or more objects failed."), ("ErrorCode", "12000"), ("RequestType", "Asynchronous"),
            ("ResultType", "Asynchronous"), ("ResultDetailXML", xml.Append("</CreateResponse>").ToString()), ("SequenceCode", "1"));
    }

    public static string WithErrors(string requestId = "b7f3c1de-8a20-4f7e-9f1e-0c9d8e6a2b44") => Encode(
        ("RequestID", requestId), ("ConversationID", "2f1c9a7e-55b0-4d3b-8c61-7a0e4b9d3c22"),
        ("OverallStatusCode", "Has Errors"), ("StatusCode", "Has Errors"), ("StatusMessage", "One or more objects failed."),
        ("ErrorCode", "12000"), ("RequestType", "Asynchronous"), ("ResultType", "Asynchronous"),
        ("ResultDetailXML",
            "<CreateResponse xmlns=\"http://exacttarget.com/wsdl/partnerAPI\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">" +
            "<Results xsi:type=\"CreateResult\"><StatusCode>Error</StatusCode><OrdinalID>0</OrdinalID><ErrorCode>12000</ErrorCode>" +
            "<Object xsi:type=\"Subscriber\"><SubscriberKey>k-1</SubscriberKey></Object></Results></CreateResponse>"),
        ("SequenceCode", "1"));
}
