using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Relay.Bench.Shared;

namespace Relay.Bench;

/// <summary>
/// Rounds of large callbacks sent all at once: each round posts <c>--concurrency</c> callbacks of about
/// <c>--size</c> bytes (a ResultDetailXML of as many results as fit) on their own connections and waits for
/// every answer. Prints the line format bench/run.sh parses; latencies are of whole rounds' requests.
/// </summary>
internal static class BigBodies
{
    public static async Task<string> RunAsync(BenchOptions options)
    {
        var url = new Uri(options.Text("url"));
        int size = options.Number("size", 8 * 1024 * 1024);
        int concurrency = options.Number("concurrency", 32);
        int rounds = options.Number("rounds", 3);
        bool escaped = options.Text("shape", "results") == "escaped";
        var trusted = X509Certificate2.CreateFromPem(File.ReadAllText(options.Text("cacert", "config/certs/tls.crt")));
        var handler = TrustingHandler.Create(trusted);
        handler.MaxConnectionsPerServer = concurrency;
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromMinutes(5) };

        var latencies = new LatencyRecorder();
        var clock = Stopwatch.StartNew();
        for (int round = 0; round < rounds; round++)
        {
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(i => PostAsync(client, url,
                escaped ? EscapedBody(size, $"big-{round}-{i}") : Body(size, $"big-{round}-{i}"), latencies)));
        }

        return latencies.Line("LOAD", clock.Elapsed);
    }

    private static async Task PostAsync(HttpClient client, Uri url, byte[] body, LatencyRecorder latencies)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/x-www-form-urlencoded");
            using var response = await client.PostAsync(url, content);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                latencies.Record(Stopwatch.GetElapsedTime(started));
                return;
            }

            Console.Error.WriteLine($"big: {(int)response.StatusCode}");
        }
        catch (HttpRequestException ex)
        {
            Console.Error.WriteLine($"big: {ex.Message}");
        }

        latencies.Fail();
    }

    /// <summary>A Has Errors callback whose ResultDetailXML holds as many subscriber results as fit in about <paramref name="size"/> bytes.</summary>
    public static byte[] Body(int size, string requestId)
    {
        var form = new StringBuilder(size + 1024);
        form.Append(CultureInfo.InvariantCulture, $"RequestID={requestId}&ConversationID=big&OverallStatusCode=Has+Errors&StatusCode=Has+Errors")
            .Append("&StatusMessage=One+or+more+objects+failed.&ErrorCode=12000&RequestType=Asynchronous&ResultType=Asynchronous&ResultDetailXML=")
            .Append(Encode("<CreateResponse xmlns=\"http://exacttarget.com/wsdl/partnerAPI\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"));
        string closing = Encode("</CreateResponse>");
        for (int i = 0; form.Length + closing.Length < size - 1024; i++)
        {
            form.Append(Encode(string.Create(CultureInfo.InvariantCulture,
                $"<Results xsi:type=\"CreateResult\"><StatusCode>{(i % 7 == 0 ? "Error" : "OK")}</StatusCode><StatusMessage>Created Subscriber.</StatusMessage>" +
                $"<OrdinalID>{i}</OrdinalID><NewID>{172000 + i}</NewID><Object xsi:type=\"Subscriber\"><PartnerKey xsi:nil=\"true\"/>" +
                $"<EmailAddress>subscriber{i}@example.com</EmailAddress><SubscriberKey>sub-{i:D6}</SubscriberKey><Attributes><Name>First Name</Name>" +
                $"<Value>Given{i}</Value></Attributes><Status>Active</Status></Object></Results>")));
        }

        form.Append(closing).Append("&SequenceCode=1");
        return Encoding.ASCII.GetBytes(form.ToString());
    }

    /// <summary>
    /// A callback whose ResultDetailXML is <paramref name="xmlBytes"/> of XML dense with what the form must
    /// escape (markup, quotes, spaces, entities in error messages), percent-encoded throughout as some
    /// clients do: about 1.7 times the XML on the wire, 14 MB for 8 MiB.
    /// </summary>
    public static byte[] EscapedBody(int xmlBytes, string requestId)
    {
        var xml = new StringBuilder(xmlBytes + 1024);
        xml.Append("<CreateResponse xmlns=\"http://exacttarget.com/wsdl/partnerAPI\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">");
        const string closing = "</CreateResponse>";
        for (int i = 0; xml.Length + closing.Length < xmlBytes - 512; i++)
        {
            xml.Append(CultureInfo.InvariantCulture,
                $"<Results xsi:type=\"CreateResult\"><StatusCode>Error</StatusCode><StatusMessage>Error: \"{i}\" &lt;a b=\"c\"/&gt; &amp; 'd' / e=f; g, h; (i) [j] {{k}} #l $m &lt;/&gt;</StatusMessage>" +
                $"<OrdinalID>{i}</OrdinalID><ErrorCode>12014</ErrorCode><Object xsi:type=\"Subscriber\"><PartnerKey xsi:nil=\"true\"/>" +
                $"<EmailAddress>a.b+{i}@example.com</EmailAddress><Attributes><Name>Full Name</Name><Value>\"O'Neil, J. &amp; K.\" &lt;x/&gt; = {{&quot;a&quot;: [1, 2, 3], &quot;b&quot;: {{}}}} &lt;/&gt;</Value></Attributes></Object></Results>");
        }

        xml.Append(closing);
        var form = new StringBuilder(xml.Length * 2);
        form.Append(CultureInfo.InvariantCulture, $"RequestID={requestId}&ConversationID=big&OverallStatusCode=Has%20Errors&StatusCode=Has%20Errors")
            .Append("&StatusMessage=One%20or%20more%20objects%20failed.&ErrorCode=12000&RequestType=Asynchronous&ResultType=Asynchronous&ResultDetailXML=")
            .Append(Uri.EscapeDataString(xml.ToString()))
            .Append("&SequenceCode=1");
        return Encoding.ASCII.GetBytes(form.ToString());
    }

    private static string Encode(string text) => WebUtility.UrlEncode(text);
}
