using System.Text;
using System.Xml;
using System.Xml.Linq;
using Relay.Core.Reconciliation;

namespace Relay.Reconciliation;

public sealed class RetrieveSoapTests
{
    private static readonly XNamespace Soap = RetrieveSoap.SoapNamespace;
    private static readonly XNamespace Partner = RetrieveSoap.PartnerNamespace;

    [Fact]
    public void Retrieve_AsksForTheTenFields_FilteredOnTheRequestId_WithTheTokenInFueloauth()
    {
        var envelope = XDocument.Parse(Encoding.UTF8.GetString(RetrieveSoap.Retrieve("tok<&>en", "r-1")));

        Assert.Equal("tok<&>en", envelope.Root!.Element(Soap + "Header")!.Element((XNamespace)RetrieveSoap.FuelNamespace + "fueloauth")!.Value);
        var request = envelope.Root.Element(Soap + "Body")!.Element(Partner + "RetrieveRequestMsg")!.Element(Partner + "RetrieveRequest")!;
        Assert.Equal("ResultMessage", request.Element(Partner + "ObjectType")!.Value);
        Assert.Equal(RetrieveSoap.Properties, request.Elements(Partner + "Properties").Select(property => property.Value));
        var filter = request.Element(Partner + "Filter")!;
        Assert.Equal("SimpleFilterPart", filter.Attribute((XNamespace)"http://www.w3.org/2001/XMLSchema-instance" + "type")!.Value);
        Assert.Equal(["RequestID", "equals", "r-1"], filter.Elements().Select(element => element.Value));
    }

    [Fact]
    public void Continue_HoldsOnlyTheContinueRequest()
    {
        var envelope = XDocument.Parse(Encoding.UTF8.GetString(RetrieveSoap.Continue("token", "previous-id")));

        var request = envelope.Root!.Element(Soap + "Body")!.Element(Partner + "RetrieveRequestMsg")!.Element(Partner + "RetrieveRequest")!;
        var only = Assert.Single(request.Elements());
        Assert.Equal(Partner + "ContinueRequest", only.Name);
        Assert.Equal("previous-id", only.Value);
    }

    [Fact]
    public void ReadResponse_ResultsWithNilAndEmptyFields_AndPaging()
    {
        const string answer = """
            <?xml version="1.0" encoding="utf-8"?>
            <soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
              <soap:Header><wsa:Action xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing">RetrieveResponse</wsa:Action></soap:Header>
              <soap:Body>
                <RetrieveResponseMsg xmlns="http://exacttarget.com/wsdl/partnerAPI">
                  <OverallStatus>MoreDataAvailable</OverallStatus>
                  <RequestID>page-2</RequestID>
                  <Results xsi:type="ResultMessage">
                    <Client><ID>514009876</ID></Client>
                    <RequestID>r-1</RequestID>
                    <ConversationID xsi:nil="true" />
                    <OverallStatusCode>Has Errors</OverallStatusCode>
                    <StatusCode>Has Errors</StatusCode>
                    <StatusMessage></StatusMessage>
                    <ErrorCode>12000</ErrorCode>
                    <RequestType>Asynchronous</RequestType>
                    <ResultType>Asynchronous</ResultType>
                    <ResultDetailXML>&lt;CreateResponse&gt;&lt;/CreateResponse&gt;</ResultDetailXML>
                    <SequenceCode>1</SequenceCode>
                    <CallsInConversation>2</CallsInConversation>
                  </Results>
                  <Results xsi:type="ResultMessage"><RequestID>r-2</RequestID></Results>
                  <Results xsi:type="ResultMessage" />
                </RetrieveResponseMsg>
              </soap:Body>
            </soap:Envelope>
            """;

        var response = Read(answer);

        Assert.True(response.HasMore);
        Assert.True(response.IsOk);
        Assert.Equal("page-2", response.RequestId);
        Assert.Equal(3, response.Results.Count);
        var first = response.Results[0];
        Assert.Equal(new Core.Callbacks.MarketingCloudCallback("r-1", null, "Has Errors", "Has Errors", null, "12000", "Asynchronous", "Asynchronous",
            "<CreateResponse></CreateResponse>", "1"), first.Fields);
        Assert.Equal("2", first.CallsInConversation);
        Assert.True(first.IsFinal);
        Assert.False(response.Results[1].IsFinal);
    }

    [Theory]
    [InlineData("Login Failed", true)]
    [InlineData("Server was unable to process request.", false)]
    public void ReadResponse_Fault(string faultString, bool loginFailed)
    {
        var response = Read($"""<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>{faultString}</faultstring></s:Fault></s:Body></s:Envelope>""");

        Assert.Equal(faultString, response.Fault);
        Assert.False(response.IsOk);
        Assert.Equal(loginFailed, response.IsLoginFailed);
    }

    [Fact]
    public void ReadResponse_ErrorStatus_IsNotOk()
    {
        var response = Read("""<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><RetrieveResponseMsg xmlns="http://exacttarget.com/wsdl/partnerAPI"><OverallStatus>Error: Unable to retrieve</OverallStatus></RetrieveResponseMsg></s:Body></s:Envelope>""");

        Assert.False(response.IsOk);
        Assert.Empty(response.Results);
    }

    [Theory]
    [InlineData("<html><body>Bad gateway</body></html>")]
    [InlineData("""<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>""")]
    [InlineData("""<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><Other/></s:Body></s:Envelope>""")]
    [InlineData("""<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><RetrieveResponseMsg xmlns="http://exacttarget.com/wsdl/partnerAPI"><Results/></RetrieveResponseMsg></s:Body></s:Envelope>""")]
    [InlineData("""<!DOCTYPE x [<!ENTITY e "boom">]><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>&e;</s:Body></s:Envelope>""")]
    [InlineData("""<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><RetrieveResponseMsg""")]
    public void ReadResponse_WhatIsNotARetrieveAnswer_IsAnXmlException(string answer)
    {
        Assert.Throws<XmlException>(() => Read(answer));
    }

    [Fact]
    public void ReadResponse_OverTheLimit_IsAnXmlException()
    {
        string answer = $"""<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><RetrieveResponseMsg xmlns="http://exacttarget.com/wsdl/partnerAPI"><OverallStatus>OK</OverallStatus><Results><ResultDetailXML>{new string('x', 5000)}</ResultDetailXML></Results></RetrieveResponseMsg></s:Body></s:Envelope>""";

        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(answer));
        Assert.Throws<XmlException>(() => RetrieveSoap.ReadResponse(stream, 4096));
    }

    private static RetrieveResponse Read(string answer)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(answer.Trim()));
        return RetrieveSoap.ReadResponse(stream, 1024 * 1024);
    }
}
